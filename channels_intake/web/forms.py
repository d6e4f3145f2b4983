"""The public complaint form and the status lookup form. The complaint form is also the
parser of a stored web submission: the same rules run when the row is processed."""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from channels_intake.intake import IntakeAttachment, IntakeRequest
from complaints.attachments import inspect_attachment
from complaints.errors import InvalidInput
from complaints.identifiers import normalize_id_pelanggan, normalize_meter_number, normalize_phone
from complaints.models import Category, Channel, ContactKind
from complaints.tickets import normalize_ticket_number

NEED_ID_OR_METER = _("Isi ID pelanggan atau nomor meter (salah satu cukup).")
NEED_PHONE_OR_EMAIL = _("Isi nomor telepon atau email agar kami bisa mengabari Anda.")
HONEYPOT_FILLED = _("Formulir tidak dapat diproses.")
INVALID_TICKET = _(
    "Nomor tiket tidak valid. Bentuknya ADU-XXXX-XXXX; periksa lagi huruf dan angkanya."
)
INVALID_LAST4 = _("Masukkan tepat 4 angka terakhir nomor telepon pelapor.")


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return str(obj)  # the category's name in the active language


@dataclass(frozen=True)
class WebComplaint:
    """A validated web complaint, ready for intake."""

    category_code: str
    id_pelanggan: str
    meter_number: str
    name: str
    address: str
    phone: str
    email: str
    description: str
    photo: bytes
    photo_name: str
    language: str

    def intake_request(self, *, provider_message_id: str) -> IntakeRequest:
        # The phone is the contact when both are given: notices go by SMS, and the status
        # page unlocks details with the phone's last four digits.
        kind, contact = (
            (ContactKind.PHONE, self.phone) if self.phone else (ContactKind.EMAIL, self.email)
        )
        attachments = (
            (IntakeAttachment(content=self.photo, name=self.photo_name),) if self.photo else ()
        )
        return IntakeRequest(
            channel=Channel.WEB,
            description=self.description,
            category_code=self.category_code,
            id_pelanggan=self.id_pelanggan,
            meter_number=self.meter_number,
            reporter_name=self.name,
            contact_kind=kind,
            contact=contact,
            language=self.language,
            location_text=self.address,
            attachments=attachments,
            provider=Channel.WEB,
            provider_message_id=provider_message_id,
        )


class ComplaintForm(forms.Form):
    category = CategoryChoiceField(
        label=_("Jenis pengaduan"),
        queryset=Category.objects.filter(active=True),
        to_field_name="code",
        empty_label=_("— pilih —"),
    )
    id_pelanggan = forms.CharField(
        label=_("ID pelanggan"),
        required=False,
        max_length=20,
        help_text=_("12 angka, tertera di rekening atau struk token."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    meter_number = forms.CharField(
        label=_("Nomor meter"),
        required=False,
        max_length=20,
        help_text=_("11 angka, tertera pada kWh meter."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Nama lengkap"), max_length=120)
    address = forms.CharField(
        label=_("Alamat lokasi gangguan"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    phone = forms.CharField(
        label=_("Nomor telepon / WhatsApp"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    description = forms.CharField(
        label=_("Uraian pengaduan"),
        min_length=10,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Apa yang terjadi, sejak kapan, dan apakah tetangga juga mengalami."),
    )
    photo = forms.FileField(
        label=_("Foto"),
        required=False,
        help_text=_("JPEG, PNG, WebP atau PDF, maksimal 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )
    # A double click or a reload posts the same id: the inbox keeps one row, one case.
    submission_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    # Invisible to people; bots fill every field.
    website = forms.CharField(required=False, max_length=200, label=_("Jangan diisi"))

    def clean_id_pelanggan(self) -> str:
        value = self.cleaned_data["id_pelanggan"].strip()
        return normalize_id_pelanggan(value) if value else ""

    def clean_meter_number(self) -> str:
        value = self.cleaned_data["meter_number"].strip()
        return normalize_meter_number(value) if value else ""

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"].strip()
        return normalize_phone(value) if value else ""

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_photo(self) -> tuple[bytes, str]:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return b"", ""
        content = upload.read()
        try:
            inspect_attachment(content)
        except InvalidInput as exc:
            raise ValidationError(exc.message, code="photo") from None
        return content, (upload.name or "")[:200]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("website"):
            raise ValidationError(HONEYPOT_FILLED, code="honeypot")
        category = data.get("category")
        # A passer-by reporting a fallen pole has no ID pelanggan to give.
        needs_id = category is None or not category.is_hazard
        id_fields_ok = "id_pelanggan" in data and "meter_number" in data
        if needs_id and id_fields_ok and not (data["id_pelanggan"] or data["meter_number"]):
            self.add_error("id_pelanggan", ValidationError(NEED_ID_OR_METER, code="required"))
        contact_ok = "phone" in data and "email" in data
        if contact_ok and not (data["phone"] or data["email"]):
            self.add_error("phone", ValidationError(NEED_PHONE_OR_EMAIL, code="required"))
        return data

    def complaint(self, *, language: str) -> WebComplaint:
        data = self.cleaned_data
        photo, photo_name = data.get("photo") or (b"", "")
        return WebComplaint(
            category_code=data["category"].code,
            id_pelanggan=data["id_pelanggan"],
            meter_number=data["meter_number"],
            name=data["name"].strip(),
            address=data["address"].strip(),
            phone=data["phone"],
            email=data["email"],
            description=data["description"].strip(),
            photo=photo,
            photo_name=photo_name,
            language=language,
        )


class StatusLookupForm(forms.Form):
    ticket = forms.CharField(label=_("Nomor tiket"), max_length=40)
    last4 = forms.CharField(
        label=_("4 angka terakhir nomor telepon pelapor"),
        required=False,
        max_length=4,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}
        ),
    )

    def clean_ticket(self) -> str:
        ticket = normalize_ticket_number(self.cleaned_data["ticket"])
        if ticket is None:
            raise ValidationError(INVALID_TICKET, code="invalid_ticket")
        return ticket

    def clean_last4(self) -> str:
        value = self.cleaned_data["last4"].strip()
        if value and not (len(value) == 4 and value.isascii() and value.isdigit()):
            raise ValidationError(INVALID_LAST4, code="invalid_last4")
        return value
