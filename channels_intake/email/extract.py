"""Customer identifiers written in free text: "ID Pelanggan 5300 1234 5678", "No. meter:
14123456789", "HP 0812-3456-7890", and ticket numbers. Pure functions.

A labelled number wins over a bare one. Bare numbers are read by length (12 digits → ID
pelanggan, 11 → meter) only when they do not look like a phone number (08…, 62…), because an
11- or 12-digit string starting with 08 is far more often a phone (channel-protocols §6.1)."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from complaints.identifiers import ID_PELANGGAN_LENGTH, METER_NUMBER_LENGTH, normalize_phone
from complaints.tickets import normalize_ticket_number

_NUMBER = r"(\+?[0-9][0-9 .\-]{6,22}[0-9])"
_SEP = r"\s*(?:[:=#]|\.|-|adalah|is)?\s*"
_ID_LABEL = re.compile(
    r"\b(?:id[\s._-]*pel(?:anggan)?|idpel|id[\s._-]*pln|no(?:mor|\.)?[\s._-]*pelanggan|"
    r"customer[\s._-]*(?:id|number|no\.?))" + _SEP + _NUMBER,
    re.IGNORECASE,
)
_METER_LABEL = re.compile(
    r"\b(?:no(?:mor|\.)?[\s._-]*)?(?:meter|kwh[\s._-]*meter|kwh|mtr)"
    r"(?:[\s._-]*(?:no(?:mor|\.)?|number))?" + _SEP + _NUMBER,
    re.IGNORECASE,
)
_PHONE_LABEL = re.compile(
    r"\b(?:no(?:mor|\.)?[\s._-]*)?(?:telp|telepon|tlp|hp|handphone|ponsel|wa|whatsapp|phone|"
    r"mobile|kontak|contact|tel)\b" + _SEP + _NUMBER,
    re.IGNORECASE,
)
_BARE_DIGITS = re.compile(r"(?<![0-9A-Za-z+])([0-9]{11,12})(?![0-9A-Za-z])")
_BARE_PHONE = re.compile(r"(?<![0-9A-Za-z])((?:\+62|62|0)8[0-9][0-9 .\-]{6,16}[0-9])(?![0-9])")
_TICKET = re.compile(r"\bADU[\s\-_]*([0-9A-Z]{4})[\s\-_]*([0-9A-Z]{4})\b", re.IGNORECASE)
# Search at most this much text: a pasted log or a long quoted thread adds nothing.
MAX_SCAN_CHARS = 20_000


@dataclass(frozen=True)
class FoundIdentifiers:
    id_pelanggan: str = ""
    meter_number: str = ""
    phone: str = ""  # E.164


def _digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value)


def _looks_like_phone(digits: str) -> bool:
    return digits.startswith(("08", "628"))


def _phone(value: str) -> str:
    try:
        return normalize_phone(value)
    except ValidationError:
        return ""


def find_identifiers(*texts: str) -> FoundIdentifiers:
    """The first ID pelanggan, meter number and phone found in ``texts`` (in order)."""
    text = "\n".join(t for t in texts if t)[:MAX_SCAN_CHARS]
    id_pelanggan = meter = phone = ""
    for match in _ID_LABEL.finditer(text):
        digits = _digits(match.group(1))
        if len(digits) == ID_PELANGGAN_LENGTH:
            id_pelanggan = digits
            break
    for match in _METER_LABEL.finditer(text):
        digits = _digits(match.group(1))
        if len(digits) == METER_NUMBER_LENGTH:
            meter = digits
            break
    for match in _PHONE_LABEL.finditer(text):
        phone = _phone(match.group(1))
        if phone:
            break
    if not id_pelanggan or not meter:
        for match in _BARE_DIGITS.finditer(text):
            digits = match.group(1)
            if _looks_like_phone(digits) or digits in (id_pelanggan, meter):
                continue
            if not id_pelanggan and len(digits) == ID_PELANGGAN_LENGTH:
                id_pelanggan = digits
            elif not meter and len(digits) == METER_NUMBER_LENGTH:
                meter = digits
    if not phone:
        for match in _BARE_PHONE.finditer(text):
            phone = _phone(match.group(1))
            if phone:
                break
    return FoundIdentifiers(id_pelanggan=id_pelanggan, meter_number=meter, phone=phone)


def find_tickets(text: str) -> tuple[str, ...]:
    """Valid ticket numbers (check symbol verified) in the order they appear, without repeats."""
    found: list[str] = []
    for match in _TICKET.finditer(text[:MAX_SCAN_CHARS]):
        ticket = normalize_ticket_number(match.group(1) + match.group(2))
        if ticket and ticket not in found:
            found.append(ticket)
    return tuple(found)
