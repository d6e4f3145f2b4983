"""Customer identifiers and contacts: validation and normalization shared by every channel."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ID_PELANGGAN_LENGTH = 12
METER_NUMBER_LENGTH = 11
DEFAULT_PHONE_REGION = "ID"

INVALID_ID_PELANGGAN = _("ID pelanggan harus 12 angka (tertera di rekening atau struk token).")
INVALID_METER_NUMBER = _("Nomor meter harus 11 angka (tertera pada kWh meter).")
INVALID_PHONE = _("Nomor telepon tidak valid. Contoh: 0812-1234-5678 atau +62 812 1234 5678.")

_SEPARATORS = re.compile(r"[\s.\-]")


def _digits(value: str) -> str:
    return _SEPARATORS.sub("", value or "")


# ASCII digits only ([0-9], not \d, which in Python also matches Arabic-Indic or full-width
# digits): the database constraints accept nothing else.
def validate_id_pelanggan(value: str) -> None:
    if not re.fullmatch(rf"[0-9]{{{ID_PELANGGAN_LENGTH}}}", value or ""):
        raise ValidationError(INVALID_ID_PELANGGAN, code="invalid_id_pelanggan")


def validate_meter_number(value: str) -> None:
    if not re.fullmatch(rf"[0-9]{{{METER_NUMBER_LENGTH}}}", value or ""):
        raise ValidationError(INVALID_METER_NUMBER, code="invalid_meter_number")


def normalize_id_pelanggan(value: str) -> str:
    """Strip spaces and dashes people type, then validate."""
    digits = _digits(value)
    validate_id_pelanggan(digits)
    return digits


def normalize_meter_number(value: str) -> str:
    digits = _digits(value)
    validate_meter_number(digits)
    return digits


def normalize_phone(value: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """E.164 form of a phone number; Indonesian local forms (08…, 62…) are understood."""
    raw = (value or "").strip()
    if raw.isdigit() and raw.startswith("62"):
        raw = "+" + raw  # WhatsApp and SMS gateways send 62812… without the plus
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(INVALID_PHONE, code="invalid_phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALID_PHONE, code="invalid_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
