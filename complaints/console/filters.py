"""Changelist filters of the case queue. Each one has static choices (no DISTINCT scan of the
case table) and filters on indexed columns."""

from django.contrib import admin
from django.core.cache import cache
from django.db.models import Q, Subquery
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from complaints.models import Category
from complaints.selectors import SlaState, filter_cases_by_sla
from complaints.workflow import OPEN_STATES, CaseStatus
from staff.access import unit_ids_for
from staff.models import Technician
from staff.unit_tree import ids_at_and_below, unit_tree

OPEN = "open"
ALL = "all"

# The categories are the filter choices of every queue page, like the unit tree
# (staff.unit_tree): a few rows changed only by configuration, so cached (dropped on save, and
# after a few minutes for other processes when the cache is per process), not read per request.
CHOICES_TTL_SECONDS = 300
_CATEGORIES_KEY = "console:categories"


def category_choices() -> list[tuple[int, str]]:
    """(id, name) of every category in the active language (Category.__str__)."""
    rows = cache.get(_CATEGORIES_KEY)
    if rows is None:
        rows = list(
            Category.objects.order_by("sort_order", "code").values_list("pk", "name_id", "name_en")
        )
        cache.set(_CATEGORIES_KEY, rows, CHOICES_TTL_SECONDS)
    english = (get_language() or "id").startswith("en")
    return [(pk, name_en if english else name_id) for pk, name_id, name_en in rows]


@receiver([post_save, post_delete], sender=Category)
def _forget_categories(**kwargs) -> None:
    cache.delete(_CATEGORIES_KEY)


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
        return [
            (pk, f"{'· ' * path.count('/')}{name}")
            for pk, path, name in unit_tree()
            if unit_ids is None or pk in unit_ids
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        # A region or UP3 selects every office below it (the rule of
        # complaints.selectors.filter_cases_by_unit, on the cached tree).
        below = ids_at_and_below(int(value) if value.isdigit() else 0)
        return queryset.filter(service_unit_id__in=below) if below else queryset.none()


class CategoryFilter(admin.SimpleListFilter):
    """The category filter with cached choices (a field filter reads the table per page). Its
    parameter is the field filter's, so links keep working."""

    title = _("kategori")
    parameter_name = "category__id__exact"

    def lookups(self, request, model_admin):
        return category_choices()

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(category_id=int(value) if value.isdigit() else 0)


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
            # The technician's id as a one-row subquery, not a join: both sides of the OR
            # are then columns of the case (the open-queue covering index has them).
            technician = Technician.objects.filter(user=request.user).values("pk")[:1]
            return queryset.filter(
                Q(assigned_agent=request.user) | Q(technician=Subquery(technician))
            )
        if value == "none":
            return queryset.filter(assigned_agent__isnull=True, technician__isnull=True)
        return queryset
