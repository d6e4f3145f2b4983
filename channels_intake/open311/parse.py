"""A GeoReport v2 "POST Service Request" form → a frozen ``Open311Request``, or an
``Open311Error`` naming what is wrong (400, or 404 for an unknown service_code). Reads the
category table, writes nothing. The view and the inbox processor parse with the same code."""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from complaints.identifiers import (
    normalize_id_pelanggan,
    normalize_meter_number,
    normalize_phone,
)
from complaints.models import Category

# Attribute codes of every service definition (complaints.models.Customer identifiers).
ATTRIBUTE_IDPEL = "IDPEL"
ATTRIBUTE_METER = "NOMOR_METER"
DESCRIPTION_MAX = 4000
LIMITS = {
    "first_name": 60,
    "last_name": 60,
    "address_string": 1000,
    "address_id": 100,
    "device_id": 100,
    "account_id": 100,
    "email": 254,
    "phone": 30,
    "media_url": 2000,
    "service_code": 40,
    f"attribute[{ATTRIBUTE_IDPEL}]": 20,
    f"attribute[{ATTRIBUTE_METER}]": 20,
}

MISSING_SERVICE_CODE = _("service_code wajib diisi (service_code is required).")
UNKNOWN_SERVICE_CODE = _("service_code tidak dikenal (unknown service_code): %(code)s.")
MISSING_LOCATION = _(
    "Lokasi wajib diisi: lat dan long, address_string, atau address_id "
    "(a location is required: lat+long, address_string or address_id)."
)
HALF_COORDINATE = _("lat dan long harus diisi bersama (lat and long go together).")
BAD_COORDINATE = _("lat/long bukan koordinat yang valid (invalid lat/long).")
TOO_LONG = _("%(field)s terlalu panjang, paling banyak %(limit)s karakter (too long).")
BAD_CHARACTERS = _("%(field)s berisi karakter yang tidak valid (invalid characters).")
BAD_EMAIL = _("email tidak valid (invalid email).")
BAD_MEDIA_URL = _("media_url harus URL http(s) (media_url must be an http(s) URL).")
BAD_FIELD = _("%(field)s: %(message)s")
DEFAULT_DESCRIPTION = _("Laporan melalui Open311: %(service)s.")


class Open311Error(Exception):
    """An error in GeoReport's format: an HTTP status and a description for the user."""

    def __init__(self, status: int, description, code: int | None = None) -> None:
        self.status = status
        self.code = code or status
        self.description = str(description)
        super().__init__(self.description)


@dataclass(frozen=True, kw_only=True)
class Open311Request:
    service_code: str
    description: str
    latitude: float | None = None
    longitude: float | None = None
    address_string: str = ""
    address_id: str = ""
    id_pelanggan: str = ""
    meter_number: str = ""
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""

    @property
    def reporter_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def location_text(self) -> str:
        if self.address_string:
            return self.address_string
        return f"address_id: {self.address_id}" if self.address_id else ""


def _text(form: Mapping, name: str) -> str:
    """One optional text argument; "optional" in GeoReport means empty = absent."""
    value = form.get(name) or ""
    if not isinstance(value, str):
        value = str(value)
    value = value.strip()
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise Open311Error(400, BAD_CHARACTERS % {"field": name})
    limit = LIMITS.get(name)
    if limit is not None and len(value) > limit:
        raise Open311Error(400, TOO_LONG % {"field": name, "limit": limit})
    return value


def _coordinate(form: Mapping, name: str, bound: float) -> float | None:
    text = _text(form, name)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise Open311Error(400, BAD_COORDINATE) from None
    if not math.isfinite(value) or not -bound <= value <= bound:
        raise Open311Error(400, BAD_COORDINATE)
    return value


def _normalized(value: str, normalize, field: str) -> str:
    if not value:
        return ""
    try:
        return normalize(value)
    except ValidationError as exc:
        raise Open311Error(400, BAD_FIELD % {"field": field, "message": exc.messages[0]}) from None


def service_for(code: str) -> Category:
    """The active category a service_code names; Open311Error(404) otherwise."""
    category = Category.objects.filter(code=code, active=True).first() if code else None
    if category is None:
        raise Open311Error(404, UNKNOWN_SERVICE_CODE % {"code": code[:40]})
    return category


def parse_request(form: Mapping) -> Open311Request:
    """Validate a POST Service Request (a QueryDict or any mapping of names to strings)."""
    service_code = _text(form, "service_code")
    if not service_code:
        raise Open311Error(400, MISSING_SERVICE_CODE)
    category = service_for(service_code)
    latitude = _coordinate(form, "lat", 90)
    longitude = _coordinate(form, "long", 180)
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, HALF_COORDINATE)
    address_string = _text(form, "address_string")
    address_id = _text(form, "address_id")
    if latitude is None and not address_string and not address_id:
        raise Open311Error(400, MISSING_LOCATION)

    raw_description = form.get("description") or ""
    description = strip_tags(raw_description if isinstance(raw_description, str) else "")
    description = _text({"description": description}, "description")
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, TOO_LONG % {"field": "description", "limit": DESCRIPTION_MAX})
    if not description:
        description = str(DEFAULT_DESCRIPTION % {"service": category})

    email = _text(form, "email").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, BAD_EMAIL) from None
    media_url = _text(form, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, BAD_MEDIA_URL) from None
    return Open311Request(
        service_code=category.code,
        description=description,
        latitude=latitude,
        longitude=longitude,
        address_string=address_string,
        address_id=address_id,
        id_pelanggan=_normalized(
            _text(form, f"attribute[{ATTRIBUTE_IDPEL}]"),
            normalize_id_pelanggan,
            f"attribute[{ATTRIBUTE_IDPEL}]",
        ),
        meter_number=_normalized(
            _text(form, f"attribute[{ATTRIBUTE_METER}]"),
            normalize_meter_number,
            f"attribute[{ATTRIBUTE_METER}]",
        ),
        email=email,
        phone=_normalized(_text(form, "phone"), normalize_phone, "phone"),
        first_name=_text(form, "first_name"),
        last_name=_text(form, "last_name"),
        device_id=_text(form, "device_id"),
        account_id=_text(form, "account_id"),
        media_url=media_url,
    )
