import re
import secrets

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Conversation channels the simulator shows (and "email" when that channel is installed).
CHANNELS = {
    "whatsapp": _("WhatsApp"),
    "facebook": _("Facebook"),
    "instagram": _("Instagram"),
    "email": _("Email"),
}
DM_CHANNELS = [(key, CHANNELS[key]) for key in ("whatsapp", "facebook", "instagram")]
TEXT_OR_IMAGE = _("Tulis pesan atau pilih foto.")
BAD_WHATSAPP = _("Nomor WhatsApp: angka saja, misalnya 6281234567890.")
TOO_LARGE = _("Foto terlalu besar (maksimal %(limit)s bita).")


class PersonaForm(forms.Form):
    """Who the simulated customer is on each channel."""

    name = forms.CharField(label=_("Nama profil"), max_length=120)
    whatsapp = forms.CharField(label=_("Nomor WhatsApp"), max_length=20)
    facebook = forms.CharField(label=_("ID Facebook (PSID)"), max_length=40)
    instagram = forms.CharField(label=_("ID Instagram (IGSID)"), max_length=40)
    email = forms.EmailField(label=_("Email"))

    @staticmethod
    def defaults() -> dict:
        number = "62812" + "".join(str(secrets.randbelow(10)) for _ in range(8))
        return {
            "name": "Budi Santoso",
            "whatsapp": number,
            "facebook": str(7_000_000_000_000_000 + secrets.randbelow(10**15)),
            "instagram": str(17_840_000_000_000_000 + secrets.randbelow(10**15)),
            "email": f"budi.{number[-4:]}@example.com",
        }

    def clean_whatsapp(self) -> str:
        # As WhatsApp sends it: digits, country code, no plus ("0812…" is read as Indonesian).
        digits = re.sub(r"[^0-9]", "", self.cleaned_data["whatsapp"])
        if digits.startswith("0"):
            digits = "62" + digits[1:]
        if not 8 <= len(digits) <= 15:
            raise forms.ValidationError(BAD_WHATSAPP)
        return digits


class MessageForm(forms.Form):
    channel = forms.ChoiceField(choices=DM_CHANNELS, widget=forms.HiddenInput)
    text = forms.CharField(label=_("Pesan"), max_length=4096, required=False)
    # Any file: the channel decides what it accepts, from the bytes, as with a real customer.
    image = forms.FileField(label=_("Foto"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("text") and not data.get("image"):
            raise forms.ValidationError(TEXT_OR_IMAGE)
        image = data.get("image")
        if image and image.size > settings.ATTACHMENT_MAX_BYTES:
            raise forms.ValidationError(TOO_LARGE, params={"limit": settings.ATTACHMENT_MAX_BYTES})
        return data


class CommentForm(forms.Form):
    author_name = forms.CharField(label=_("Nama akun"), max_length=120)
    text = forms.CharField(label=_("Komentar"), max_length=2000, widget=forms.Textarea)


class EmailForm(forms.Form):
    sender = forms.EmailField(label=_("Dari"))
    name = forms.CharField(label=_("Nama"), max_length=120, required=False)
    subject = forms.CharField(label=_("Subjek"), max_length=200)
    text = forms.CharField(label=_("Isi"), widget=forms.Textarea)
