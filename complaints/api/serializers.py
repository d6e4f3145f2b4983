"""Input and output serializers of the staff API. Inputs validate and name the field at fault
(and resolve ids through the user's scope: a customer, unit or technician outside it does not
exist); outputs only read. Neither decides anything: the services do."""

import re
from datetime import timedelta

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from channels_intake.intake import IntakeRejected, normalize_contact
from complaints import selectors
from complaints.models import (
    Case,
    CaseEvent,
    Category,
    Channel,
    ContactKind,
    Customer,
    Incident,
    IncidentEvent,
    Language,
    PlannedOutage,
    Priority,
)
from complaints.workflow import CaseStatus, describe_moves, transitions_from
from staff.models import ServiceUnit, Technician
from staff.roles import roles_of


class MomentField(serializers.DateTimeField):
    """An ISO 8601 moment with its offset. Service units span WIB, WITA and WIT: a time without
    an offset would silently be read as Jakarta time and tell a customer in Makassar an ETA an
    hour off, so it is refused."""

    default_error_messages = {
        "naive": _(
            "Sertakan zona waktu, mis. 2026-03-05T14:30:00+08:00 atau …Z: waktu tanpa zona "
            "tidak jelas WIB, WITA atau WIT."
        )
    }

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        return super().to_internal_value(value)


TEXT_MAX = 4000
MAX_VERSION = 2**31 - 1
UNIT_OR_CUSTOMER = _("Isi pelanggan atau unit layanan (pelapor yang bukan pelanggan).")
CONTACT_KIND_REQUIRED = _("Pilih jenis kontak untuk kontak ini.")
TICKET_NOT_FOUND = _("Nomor tiket tidak ditemukan atau di luar unit Anda.")
TECHNICIAN_NOT_FOR_CASE = _("Teknisi ini tidak melayani unit atau keahlian pengaduan ini.")
NO_SURROGATES = _("Teks berisi karakter yang tidak valid.")
BAD_IF_MATCH = _('Header If-Match harus berisi versi pengaduan, misalnya "3".')
VERSION_MISMATCH = _("Versi di isian berbeda dengan header If-Match.")
_SURROGATE = re.compile("[\ud800-\udfff]")
_IF_MATCH = re.compile(r'^(?:W/)?"?([0-9]{1,10})"?$')


# --- Fields ----------------------------------------------------------------------------------


class Text(serializers.CharField):
    """A CharField that also refuses lone surrogates (JSON "\\ud800" parses into a str that
    PostgreSQL cannot store); NUL characters are refused by CharField itself."""

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if _SURROGATE.search(value):
            raise serializers.ValidationError(NO_SURROGATES)
        return value


def _version_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text=_("Versi pengaduan yang dibaca klien (atau header If-Match): 409 bila berubah."),
    )


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 2**63 - 1})
class ScopedPrimaryKey(serializers.PrimaryKeyRelatedField):
    """An id looked up in a queryset that depends on the user (``scope(user)``): an object
    outside the user's units is "does not exist", as a 404 would say for a URL."""

    def __init__(self, scope, **kwargs) -> None:
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)

    def to_internal_value(self, data):
        # Whole numbers only (1.5 would be truncated to 1 by the lookup), and 64-bit ones: a
        # larger number is simply not an id, without a database round trip.
        if isinstance(data, str) and re.fullmatch(r"[0-9]{1,18}", data):
            data = int(data)
        if not isinstance(data, int) or isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data < 2**63:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


# --- Preconditions ---------------------------------------------------------------------------


def expected_version(if_match: str, given: int | None) -> int | None:
    """The version a write expects: the If-Match header (ETag ``"3"``), else the ``version``
    field, else None (no check). Both given and different is a mistake, not a choice."""
    header = (if_match or "").strip()
    if not header or header == "*":
        return given
    match = _IF_MATCH.match(header)
    if match is None or int(match.group(1)) > MAX_VERSION:
        raise serializers.ValidationError({"If-Match": [BAD_IF_MATCH]})
    version = int(match.group(1))
    if given is not None and given != version:
        raise serializers.ValidationError({"version": [VERSION_MISMATCH]})
    return version


# --- Small outputs ---------------------------------------------------------------------------


class UnitRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class CustomerRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    id_pelanggan = serializers.CharField()
    name = serializers.CharField()


class CategoryOutput(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = [
            "id",
            "code",
            "name",
            "name_id",
            "name_en",
            "work_type",
            "default_priority",
            "response_minutes",
            "resolution_minutes",
            "skill",
            "is_outage",
            "is_hazard",
        ]

    def get_name(self, category: Category) -> str:
        return str(category)


class ServiceUnitOutput(serializers.ModelSerializer):
    class Meta:
        model = ServiceUnit
        fields = ["id", "code", "name", "kind", "parent", "path", "timezone"]


class TechnicianOutput(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Technician
        fields = [
            "id",
            "name",
            "username",
            "service_unit",
            "phone",
            "skills",
            "capacity",
            "open_jobs",
            "on_shift",
            "available",
        ]


# --- Cases -----------------------------------------------------------------------------------


class CaseOutput(serializers.ModelSerializer):
    """One row of the case list: what a queue shows, from the case row and three joins."""

    status_label = serializers.CharField(source="get_status_display")
    category = serializers.CharField(source="category.code")
    category_name = serializers.SerializerMethodField()
    service_unit = UnitRefOutput()
    customer = CustomerRefOutput(allow_null=True)
    sla = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "ticket",
            "status",
            "status_label",
            "channel",
            "category",
            "category_name",
            "priority",
            "service_unit",
            "customer",
            "technician",
            "assigned_agent",
            "incident",
            "sla",
            "created_at",
            "updated_at",
            "response_due_at",
            "resolution_due_at",
            "version",
        ]

    def get_category_name(self, case: Case) -> str:
        return str(case.category)

    @extend_schema_field(serializers.ChoiceField(choices=list(selectors.SLA_LABELS)))
    def get_sla(self, case: Case) -> str:
        return selectors.sla_state(case, now=self.context.get("now"))


class EventOutput(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    actor = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "created_at",
            "kind",
            "kind_label",
            "actor",
            "from_status",
            "to_status",
            "note",
            "data",
        ]

    def get_actor(self, event: CaseEvent) -> str:
        return event.actor.get_username() if event.actor_id else event.actor_label


class AllowedTransitionOutput(serializers.Serializer):
    target = serializers.ChoiceField(choices=CaseStatus.choices)
    label = serializers.CharField()
    required = serializers.ListField(child=serializers.CharField())
    optional = serializers.ListField(child=serializers.CharField())


class ReporterOutput(serializers.Serializer):
    name = serializers.CharField(source="reporter_name")
    contact_kind = serializers.CharField(source="reporter_contact_kind")
    contact = serializers.CharField(source="reporter_contact")
    language = serializers.CharField(source="reporter_language")


class CaseDetailOutput(CaseOutput):
    """A case with its timeline (newest first) and the moves the user may make next."""

    reporter = ReporterOutput(source="*")
    timeline = serializers.SerializerMethodField()
    allowed_transitions = serializers.SerializerMethodField()

    class Meta(CaseOutput.Meta):
        fields = [
            *CaseOutput.Meta.fields,
            "description",
            "location_text",
            "latitude",
            "longitude",
            "reporter",
            "merged_into",
            "follow_up_of",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "allowed_transitions",
            "timeline",
        ]

    @extend_schema_field(EventOutput(many=True))
    def get_timeline(self, case: Case) -> list[dict]:
        return EventOutput(selectors.case_timeline(case), many=True).data

    @extend_schema_field(AllowedTransitionOutput(many=True))
    def get_allowed_transitions(self, case: Case) -> list[dict]:
        roles = roles_of(self.context["request"].user)
        return describe_moves(transitions_from(case.status, roles))


class CaseCreateInput(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.CALL_CENTER)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.filter(active=True)
    )
    description = Text(max_length=TEXT_MAX)
    customer = ScopedPrimaryKey(
        scope=selectors.customers_for, required=False, allow_null=True, default=None
    )
    service_unit = ScopedPrimaryKey(
        scope=selectors.service_units_for, required=False, allow_null=True, default=None
    )
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, allow_null=True, default=None
    )
    reporter_name = Text(max_length=120, required=False, allow_blank=True, default="")
    reporter_contact_kind = serializers.ChoiceField(
        choices=ContactKind.choices, required=False, allow_blank=True, default=""
    )
    reporter_contact = Text(max_length=254, required=False, allow_blank=True, default="")
    reporter_language = serializers.ChoiceField(
        choices=Language.choices, required=False, default=Language.INDONESIAN
    )
    location_text = Text(max_length=1000, required=False, allow_blank=True, default="")
    latitude = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=-90, max_value=90
    )
    longitude = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=-180, max_value=180
    )

    def validate(self, data: dict) -> dict:
        if data["customer"] is None and data["service_unit"] is None:
            raise serializers.ValidationError({"service_unit": [UNIT_OR_CUSTOMER]})
        contact, kind = data["reporter_contact"].strip(), data["reporter_contact_kind"]
        if contact:
            if not kind:
                raise serializers.ValidationError(
                    {"reporter_contact_kind": [CONTACT_KIND_REQUIRED]}
                )
            try:
                data["reporter_contact"] = normalize_contact(kind, contact)
            except IntakeRejected as exc:
                raise serializers.ValidationError({"reporter_contact": [exc.message]}) from None
        else:
            data["reporter_contact_kind"] = ""
            data["reporter_contact"] = ""
        return data


class TransitionInput(serializers.Serializer):
    target = serializers.ChoiceField(choices=CaseStatus.choices)
    reason = Text(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    resolution = Text(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    technician = ScopedPrimaryKey(
        scope=selectors.technicians_for, required=False, allow_null=True, default=None
    )
    merged_into = Text(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Nomor tiket pengaduan tujuan penggabungan."),
    )
    eta = MomentField(required=False, allow_null=True, default=None)
    version = _version_field()

    def validate_merged_into(self, value: str) -> Case | None:
        if not value.strip():
            return None
        case = selectors.case_by_ticket(user=self.context["request"].user, text=value)
        if case is None:
            raise serializers.ValidationError(TICKET_NOT_FOUND)
        return case

    def validate_technician(self, technician: Technician | None) -> Technician | None:
        return _suitable(self.context["case"], technician)


class AssignInput(serializers.Serializer):
    technician = ScopedPrimaryKey(scope=selectors.technicians_for)
    note = Text(max_length=TEXT_MAX, required=False, allow_blank=True, default="")
    version = _version_field()

    def validate_technician(self, technician: Technician) -> Technician:
        return _suitable(self.context["case"], technician)


def _suitable(case: Case, technician: Technician | None) -> Technician | None:
    if technician is None:
        return None
    if selectors.technician_for_case(case, technician.pk) is None:
        raise serializers.ValidationError(TECHNICIAN_NOT_FOR_CASE)
    return technician


class NoteInput(serializers.Serializer):
    note = Text(max_length=TEXT_MAX)
    to_customer = serializers.BooleanField(
        required=False, default=False, help_text=_("true: dikirim ke pelanggan di kanalnya.")
    )
    version = _version_field()


# --- Customers -------------------------------------------------------------------------------


class CustomerSearchQuery(serializers.Serializer):
    q = Text(
        max_length=100,
        help_text=_("ID pelanggan, nomor meter (awalan), nomor telepon, atau sebagian nama."),
    )


class CustomerOutput(serializers.ModelSerializer):
    service_unit = UnitRefOutput()

    class Meta:
        model = Customer
        fields = [
            "id",
            "id_pelanggan",
            "meter_number",
            "name",
            "address",
            "service_unit",
            "area_code",
            "latitude",
            "longitude",
        ]


class ContactOutput(serializers.Serializer):
    kind = serializers.CharField()
    value = serializers.CharField()


class CustomerDetailOutput(CustomerOutput):
    contacts = ContactOutput(many=True)
    open_cases = serializers.SerializerMethodField()

    class Meta(CustomerOutput.Meta):
        fields = [*CustomerOutput.Meta.fields, "contacts", "open_cases"]

    @extend_schema_field(CaseOutput(many=True))
    def get_open_cases(self, customer: Customer) -> list[dict]:
        cases = selectors.open_cases_of_customer(customer)
        for case in cases:
            case.customer = customer
        return CaseOutput(cases, many=True, context=self.context).data


# --- Incidents and planned outages -----------------------------------------------------------


class IncidentOutput(serializers.ModelSerializer):
    code = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    service_unit = UnitRefOutput()

    class Meta:
        model = Incident
        fields = [
            "id",
            "code",
            "kind",
            "status",
            "status_label",
            "service_unit",
            "area_code",
            "title",
            "etr",
            "crew",
            "started_at",
            "restored_at",
            "closed_at",
            "merged_into",
            "planned_outage",
            "version",
        ]


class IncidentEventOutput(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = IncidentEvent
        fields = ["id", "created_at", "kind", "actor", "from_status", "to_status", "note"]

    def get_actor(self, event: IncidentEvent) -> str:
        return event.actor.get_username() if event.actor_id else event.actor_label


class IncidentDetailOutput(IncidentOutput):
    case_counts = serializers.DictField(child=serializers.IntegerField())
    timeline = IncidentEventOutput(many=True)

    class Meta(IncidentOutput.Meta):
        fields = [*IncidentOutput.Meta.fields, "case_counts", "timeline"]


class PlannedOutageQuery(serializers.Serializer):
    unit = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text=_("ID unit layanan.")
    )
    ahead_days = serializers.IntegerField(required=False, min_value=0, max_value=60, default=14)

    def validate(self, data: dict) -> dict:
        return {**data, "ahead": timedelta(days=data["ahead_days"])}


class PlannedOutageOutput(serializers.ModelSerializer):
    service_unit = UnitRefOutput()

    class Meta:
        model = PlannedOutage
        fields = [
            "id",
            "service_unit",
            "area_codes",
            "starts_at",
            "ends_at",
            "reason",
            "areas_text",
        ]


# --- Errors (for the schema: one shape for the whole API) ------------------------------------


class ErrorOutput(serializers.Serializer):
    error = serializers.CharField(help_text="A stable code: not_found, conflict, invalid, …")
    detail = serializers.CharField(help_text="A sentence for a person.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Invalid input only: messages per field.",
    )
    retry_after = serializers.IntegerField(required=False, help_text="429 only: seconds.")
