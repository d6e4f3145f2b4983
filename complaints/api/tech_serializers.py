"""Input and output serializers of the technician API (/api/v1/tech/). Inputs validate and name
the field at fault; outputs only read what complaints.tech_selectors prepared."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.api.serializers import MAX_VERSION, TEXT_MAX, MomentField, Text
from complaints.incident_selectors import incident_public_title
from complaints.incidents import ETR_IN_PAST
from complaints.models import Case, Incident
from complaints.tech_selectors import (
    CASE_ACTIONS,
    INCIDENT_ACTIONS,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    JobCursor,
    case_actions,
    customer_phone,
    incident_actions,
)
from complaints.tech_services import MAX_PHOTOS
from staff.models import Technician

BAD_CURSOR = _("Kursor halaman tidak valid.")
ETA_IN_PAST = _("Perkiraan tiba harus di masa depan.")
ETA_TOO_FAR = _("Perkiraan tiba paling lambat %(hours)s jam dari sekarang.")
TOO_IMPRECISE = _("Posisi kurang akurat (lebih dari %(limit)s m); kirim posisi yang lebih tepat.")
ETA_MAX_AHEAD = timedelta(hours=24)
# A fix less precise than this would rank technicians by where they are not.
POSITION_MAX_ACCURACY_M = 2000


def _version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text=_("Versi yang dibaca klien (atau header If-Match): 409 bila berubah."),
    )


def _now(serializer: serializers.Serializer):
    return serializer.context["now"]


# --- The jobs list ---------------------------------------------------------------------------


class JobsQuery(serializers.Serializer):
    cursor = serializers.CharField(
        required=False,
        max_length=200,
        help_text=_("next_cursor dari halaman sebelumnya."),
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE
    )

    def validate_cursor(self, value: str) -> JobCursor:
        cursor = JobCursor.decode(value)
        if cursor is None:
            raise serializers.ValidationError(BAD_CURSOR)
        return cursor


class CaseJobOutput(serializers.ModelSerializer):
    """A case booked to the technician: where, who, what, by when, and what they can do."""

    status_label = serializers.CharField(source="get_status_display")
    category = serializers.CharField(source="category.code")
    category_name = serializers.SerializerMethodField()
    priority_label = serializers.CharField(source="get_priority_display")
    address = serializers.SerializerMethodField()
    latitude = serializers.SerializerMethodField()
    longitude = serializers.SerializerMethodField()
    customer_name = serializers.SerializerMethodField()
    customer_phone = serializers.SerializerMethodField()
    id_pelanggan = serializers.SerializerMethodField()
    incident_code = serializers.SerializerMethodField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "ticket",
            "status",
            "status_label",
            "category",
            "category_name",
            "priority",
            "priority_label",
            "description",
            "address",
            "latitude",
            "longitude",
            "customer_name",
            "customer_phone",
            "id_pelanggan",
            "incident",
            "incident_code",
            "created_at",
            "response_due_at",
            "resolution_due_at",
            "accepted_at",
            "resolved_at",
            "version",
            "actions",
        ]

    def get_category_name(self, case: Case) -> str:
        return str(case.category)

    def get_address(self, case: Case) -> str:
        return case.location_text or (case.customer.address if case.customer_id else "")

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_latitude(self, case: Case) -> float | None:
        if case.latitude is not None or not case.customer_id:
            return case.latitude
        return case.customer.latitude

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_longitude(self, case: Case) -> float | None:
        if case.longitude is not None or not case.customer_id:
            return case.longitude
        return case.customer.longitude

    def get_customer_name(self, case: Case) -> str:
        return case.customer.name if case.customer_id else case.reporter_name

    def get_customer_phone(self, case: Case) -> str:
        return customer_phone(case)

    def get_id_pelanggan(self, case: Case) -> str:
        return case.customer.id_pelanggan if case.customer_id else ""

    def get_incident_code(self, case: Case) -> str:
        return case.incident.code if case.incident_id else ""

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(CASE_ACTIONS)))
    def get_actions(self, case: Case) -> list[str]:
        return case_actions(case)


class IncidentJobOutput(serializers.ModelSerializer):
    """An outage incident the technician is the crew of: one restoration for many reports."""

    code = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    title = serializers.SerializerMethodField()
    reports = serializers.IntegerField(help_text=_("Jumlah laporan yang tertaut."))
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "code",
            "kind",
            "status",
            "status_label",
            "title",
            "area_code",
            "latitude",
            "longitude",
            "etr",
            "started_at",
            "restored_at",
            "reports",
            "version",
            "actions",
        ]

    def get_title(self, incident: Incident) -> str:
        return incident_public_title(incident)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(INCIDENT_ACTIONS)))
    def get_actions(self, incident: Incident) -> list[str]:
        return incident_actions(incident)


class JobsPageOutput(serializers.Serializer):
    next_cursor = serializers.CharField(allow_null=True)
    incidents = IncidentJobOutput(many=True)
    cases = CaseJobOutput(many=True)


# --- Case actions ----------------------------------------------------------------------------


class VersionInput(serializers.Serializer):
    version = _version_field()


class OnTheWayInput(serializers.Serializer):
    eta = MomentField(help_text=_("Perkiraan tiba di lokasi (≤ 24 jam)."))
    version = _version_field()

    def validate_eta(self, eta):
        now = _now(self)
        if eta <= now:
            raise serializers.ValidationError(ETA_IN_PAST)
        if eta > now + ETA_MAX_AHEAD:
            raise serializers.ValidationError(
                ETA_TOO_FAR % {"hours": int(ETA_MAX_AHEAD.total_seconds() // 3600)}
            )
        return eta


class ResolveInput(serializers.Serializer):
    note = Text(max_length=TEXT_MAX, help_text=_("Apa yang dikerjakan (terlihat pelanggan)."))
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False, max_length=200),
        required=False,
        default=list,
        max_length=MAX_PHOTOS,
        help_text=_("Foto JPEG atau PNG, paling banyak 5."),
    )
    version = _version_field()


# --- Incident (crew) actions ------------------------------------------------------------------


def _future(serializer: serializers.Serializer, moment):
    if moment is not None and moment <= _now(serializer):
        raise serializers.ValidationError(ETR_IN_PAST)
    return moment


class EtrInput(serializers.Serializer):
    etr = MomentField(help_text=_("Perkiraan waktu listrik menyala kembali."))
    note = Text(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    version = _version_field()

    def validate_etr(self, etr):
        return _future(self, etr)


class PartialInput(serializers.Serializer):
    note = Text(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    etr = MomentField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Perkiraan menyala untuk bagian yang masih padam."),
    )
    version = _version_field()

    def validate_etr(self, etr):
        return _future(self, etr)


class RestoreInput(serializers.Serializer):
    note = Text(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    version = _version_field()


# --- Position and shift ----------------------------------------------------------------------


class PositionInput(serializers.Serializer):
    latitude = serializers.FloatField(min_value=-90, max_value=90)
    longitude = serializers.FloatField(min_value=-180, max_value=180)
    accuracy = serializers.FloatField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=100_000,
        help_text=_("Akurasi posisi dalam meter."),
    )
    at = MomentField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Kapan posisi diambil (bawaan: sekarang)."),
    )

    def validate_accuracy(self, accuracy: float | None) -> float | None:
        if accuracy is not None and accuracy > POSITION_MAX_ACCURACY_M:
            raise serializers.ValidationError(TOO_IMPRECISE % {"limit": POSITION_MAX_ACCURACY_M})
        return accuracy


class ShiftInput(serializers.Serializer):
    on_shift = serializers.BooleanField()


class TechnicianSelfOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Technician
        fields = [
            "id",
            "name",
            "username",
            "service_unit",
            "skills",
            "capacity",
            "open_jobs",
            "on_shift",
            "available",
            "latitude",
            "longitude",
            "position_at",
        ]


class PositionOutput(TechnicianSelfOutput):
    applied = serializers.BooleanField(
        help_text=_("false: posisi yang lebih baru sudah tersimpan; yang ini diabaikan.")
    )

    class Meta(TechnicianSelfOutput.Meta):
        fields = [*TechnicianSelfOutput.Meta.fields, "applied"]
