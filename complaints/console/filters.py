"""Changelist filters of the case queue. Each one has static choices (no DISTINCT scan of the
case table) and filters on indexed columns."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.selectors import SlaState, filter_cases_by_sla, filter_cases_by_unit
from complaints.workflow import OPEN_STATES, CaseStatus
from staff.access import unit_ids_for
from staff.models import ServiceUnit

OPEN = "open"
ALL = "all"


class QueueFilter(admin.SimpleListFilter):
    """Open cases by default: the queue is what needs work."""

    title = _("status")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(OPEN, _("Semua yang terbuka")), (ALL, _("Semua")), *CaseStatus.choices]

    def value(self):
        return super().value() or OPEN

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == OPEN:
            return queryset.filter(status__in=sorted(OPEN_STATES))
        if value == ALL:
            return queryset
        if value in CaseStatus.values:
            return queryset.filter(status=value)
        return queryset.none()


class ServiceUnitFilter(admin.SimpleListFilter):
    title = _("unit layanan")
    parameter_name = "unit"

    def lookups(self, request, model_admin):
        unit_ids = unit_ids_for(request.user)
        units = ServiceUnit.objects.order_by("path")
        if unit_ids is not None:
            units = units.filter(pk__in=unit_ids)
        return [(unit.pk, f"{'· ' * unit.path.count('/')}{unit.name}") for unit in units]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        # A region or UP3 selects every office below it (shared with the API list).
        return filter_cases_by_unit(queryset, int(value) if value.isdigit() else 0)


class SlaFilter(admin.SimpleListFilter):
    title = _("SLA")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [
            (SlaState.ON_TRACK, _("Sesuai target")),
            (SlaState.AT_RISK, _("Berisiko")),
            (SlaState.BREACHED, _("Terlampaui")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        # The query lives in complaints.selectors: the API list filters with the same one.
        return filter_cases_by_sla(queryset, value)


class OwnerFilter(admin.SimpleListFilter):
    title = _("penanggung jawab")
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return [("me", _("Tugas saya")), ("none", _("Belum ditugaskan"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(
                Q(assigned_agent=request.user) | Q(technician__user=request.user)
            )
        if value == "none":
            return queryset.filter(assigned_agent__isnull=True, technician__isnull=True)
        return queryset
