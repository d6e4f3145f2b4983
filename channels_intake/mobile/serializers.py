"""Input and output of the app API. Inputs normalize what customers type (spaces in an ID
pelanggan, 08… phones) and refuse what intake would refuse, so a 422 names the field."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from channels_intake.intake import MAX_ATTACHMENTS
from channels_intake.mobile.selectors import MAX_PAGE_SIZE, PAGE_SIZE, timeline_of
from channels_intake.models import AppAccount, PushPlatform
from complaints.attachments import inspect_attachment
from complaints.errors import InvalidInput
from complaints.identifiers import normalize_id_pelanggan, normalize_meter_number, normalize_phone
from complaints.models import Case, Category, Language
from complaints.tickets import normalize_ticket_number
from complaints.workflow import customer_label

UNKNOWN_CATEGORY = _("Kategori tidak dikenal.")
INVALID_TICKET = _("Nomor tiket tidak valid (bentuknya ADU-XXXX-XXXX).")
CODE_FORMAT = _("Kode terdiri dari 6 angka.")
TOO_MANY_PHOTOS = _("Paling banyak %(limit)s foto.")


def _django_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.messages)


class PhoneField(serializers.CharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=30, **kwargs)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        try:
            return normalize_phone(value)
        except DjangoValidationError as exc:
            raise _django_error(exc) from None


class IdPelangganField(serializers.CharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=20, **kwargs)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if not value:
            return ""
        try:
            return normalize_id_pelanggan(value)
        except DjangoValidationError as exc:
            raise _django_error(exc) from None


class MeterNumberField(serializers.CharField):
    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=20, **kwargs)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        if not value:
            return ""
        try:
            return normalize_meter_number(value)
        except DjangoValidationError as exc:
            raise _django_error(exc) from None


# --- Accounts ------------------------------------------------------------------------------


class RegisterInput(serializers.Serializer):
    id_pelanggan = IdPelangganField()
    name = serializers.CharField(max_length=120)
    email = serializers.EmailField(max_length=254)
    phone = PhoneField()
    language = serializers.ChoiceField(choices=Language.choices, default=Language.INDONESIAN)

    def validate_email(self, value: str) -> str:
        return value.lower()


class PhoneInput(serializers.Serializer):
    phone = PhoneField()


class VerifyInput(serializers.Serializer):
    phone = PhoneField()
    code = serializers.RegexField(r"^[0-9]{6}$", error_messages={"invalid": CODE_FORMAT})


class CodeSentOutput(serializers.Serializer):
    phone = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="seconds")


class AccountOutput(serializers.ModelSerializer):
    customer_found = serializers.SerializerMethodField()

    class Meta:
        model = AppAccount
        fields = ["id", "id_pelanggan", "name", "email", "phone", "language", "customer_found"]

    def get_customer_found(self, account: AppAccount) -> bool:
        return account.customer_id is not None


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()
    account = AccountOutput()


# --- Complaints ----------------------------------------------------------------------------


class ComplaintInput(serializers.Serializer):
    category = serializers.SlugField(max_length=40)
    description = serializers.CharField(min_length=10, max_length=4000)
    id_pelanggan = IdPelangganField(required=False, allow_blank=True, default="")
    meter_number = MeterNumberField(required=False, allow_blank=True, default="")
    location_text = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500
    )
    latitude = serializers.FloatField(required=False, min_value=-90, max_value=90, default=None)
    longitude = serializers.FloatField(required=False, min_value=-180, max_value=180, default=None)
    ticket = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        default=list,
    )

    def validate_category(self, value: str) -> str:
        if not Category.objects.filter(code=value, active=True).exists():
            raise serializers.ValidationError(UNKNOWN_CATEGORY)
        return value

    def validate_ticket(self, value: str) -> str:
        if not value.strip():
            return ""
        ticket = normalize_ticket_number(value)
        if ticket is None:
            raise serializers.ValidationError(INVALID_TICKET)
        return ticket

    def validate_photos(self, files: list) -> list[tuple[bytes, str]]:
        if len(files) > MAX_ATTACHMENTS:
            raise serializers.ValidationError(TOO_MANY_PHOTOS % {"limit": MAX_ATTACHMENTS})
        photos = []
        for upload in files:
            content = upload.read()
            try:
                inspect_attachment(content)
            except InvalidInput as exc:
                raise serializers.ValidationError(exc.message) from None
            photos.append((content, (upload.name or "")[:200]))
        return photos


class TimelineEntry(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()  # "status", "message" (from PLN), "customer_message"
    status = serializers.CharField(allow_blank=True)
    label = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)


class ComplaintOutput(serializers.Serializer):
    ticket = serializers.CharField()
    category = serializers.CharField(source="category.code")
    category_name = serializers.SerializerMethodField()
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField()
    is_open = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_category_name(self, case: Case) -> str:
        return str(case.category)

    def get_status_label(self, case: Case) -> str:
        return customer_label(case.status, field_work=case.category.is_field_work)


class ComplaintWithTimelineOutput(ComplaintOutput):
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(TimelineEntry(many=True))
    def get_timeline(self, case: Case) -> list[dict]:
        return TimelineEntry(timeline_of(case), many=True).data


class ComplaintPageOutput(serializers.Serializer):
    results = ComplaintWithTimelineOutput(many=True)
    next_cursor = serializers.IntegerField(allow_null=True)


class ListQuery(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE)
    cursor = serializers.IntegerField(min_value=1, required=False, default=None)


class StoredOutput(serializers.Serializer):
    reference = serializers.IntegerField()
    detail = serializers.CharField()


class SubmittedOutput(serializers.Serializer):
    reference = serializers.IntegerField()
    complaint = ComplaintOutput(allow_null=True)
    added_to_existing = serializers.BooleanField()


class PushTokenInput(serializers.Serializer):
    token = serializers.CharField(max_length=512)
    platform = serializers.ChoiceField(choices=PushPlatform.choices)
