"""Query filters of the API lists (django-filter). The SLA, unit and search filters call the
selectors the console's changelist uses, so "breached" means the same thing everywhere."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from complaints.models import Case, Channel, Incident, IncidentKind, IncidentStatus, Priority
from complaints.selectors import (
    SLA_LABELS,
    filter_cases_by_sla,
    filter_cases_by_unit,
    search_cases,
)
from complaints.workflow import OPEN_STATES, CaseStatus
from staff.models import Technician

MAX_ID = 2**63 - 1
SEARCH_MAX_LENGTH = 100


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A database id: a positive 64-bit integer (anything else is a 422, not a query)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.BOOL)
class BoolFilter(django_filters.BooleanFilter):
    """true/false (also 1/0); documented as a boolean for method-based filters too."""


# PostgreSQL takes offsets up to ±15:59; real ones are within ±14:00.
MAX_OFFSET = timedelta(hours=14)
BAD_OFFSET = _("Zona waktu di luar rentang ±14:00.")


class MomentField(IsoDateTimeField):
    def to_python(self, value):
        moment = super().to_python(value)
        offset = moment.utcoffset() if moment is not None else None
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise forms.ValidationError(BAD_OFFSET, code="invalid")
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time with a plausible offset (one PostgreSQL accepts)."""

    field_class = MomentField


class CaseFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=CaseStatus.choices, help_text=_("Satu atau lebih status.")
    )
    open = BoolFilter(
        method="filter_open", help_text=_("true: hanya yang terbuka; false: hanya yang selesai.")
    )
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices)
    category = django_filters.CharFilter(
        field_name="category__code", max_length=40, help_text=_("Kode kategori.")
    )
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices)
    unit = IdFilter(
        method="filter_unit", help_text=_("ID unit layanan; termasuk semua unit di bawahnya.")
    )
    sla = django_filters.ChoiceFilter(
        choices=list(SLA_LABELS.items()), method="filter_sla", help_text=_("Keadaan SLA.")
    )
    technician = IdFilter(field_name="technician_id")
    customer = IdFilter(field_name="customer_id")
    incident = IdFilter(field_name="incident_id")
    created_after = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_before = MomentFilter(field_name="created_at", lookup_expr="lt")
    updated_after = MomentFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = MomentFilter(field_name="updated_at", lookup_expr="lt")
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text=_("Nomor tiket, ID pelanggan, nomor meter, telepon, atau nama."),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_open(self, queryset: QuerySet[Case], name: str, value: bool | None):
        if value is None:
            return queryset
        states = sorted(OPEN_STATES)
        return queryset.filter(status__in=states) if value else queryset.exclude(status__in=states)

    def filter_unit(self, queryset: QuerySet[Case], name: str, value: int | None):
        return queryset if value is None else filter_cases_by_unit(queryset, value)

    def filter_sla(self, queryset: QuerySet[Case], name: str, value: str):
        return filter_cases_by_sla(queryset, value) if value else queryset

    def filter_search(self, queryset: QuerySet[Case], name: str, value: str):
        return search_cases(queryset, value)


class TechnicianFilter(django_filters.FilterSet):
    unit = IdFilter(field_name="service_unit_id")
    skill = django_filters.CharFilter(method="filter_skill", max_length=30)
    on_shift = BoolFilter()
    available = BoolFilter()

    class Meta:
        model = Technician
        fields: list[str] = []

    def filter_skill(self, queryset, name: str, value: str):
        return queryset.filter(skills__contains=[value]) if value else queryset


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices)
    kind = django_filters.ChoiceFilter(choices=IncidentKind.choices)
    unit = IdFilter(field_name="service_unit_id")
    started_after = MomentFilter(field_name="started_at", lookup_expr="gte")
    started_before = MomentFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = Incident
        fields: list[str] = []
