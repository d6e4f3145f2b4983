"""The one normalized intake call. Every channel (WhatsApp, social, e-mail, web form, app, call
center) turns its wire format into an ``IntakeRequest`` and calls ``intake_submit``; this module
decides who the customer is, whether the message continues an open case, and opens the case.

Rules, in order:

1. Inputs are normalized and validated first (ID pelanggan 12 digits, meter 11 digits, phone to
   E.164, e-mail lower-case, attachments by their bytes); a bad input raises ``IntakeRejected``
   naming the field, before anything is written.
2. The customer is the one with the given ID pelanggan, else the given meter number; only when
   the reporter gave neither is a known contact (phone, WhatsApp, e-mail, social id) used. A
   number that matches nobody opens the case without a customer and leaves an internal note.
3. A quoted ticket number (``ticket``, or one written in the description) of an *open* case
   whose reporter or customer is the sender adds the message (and attachments) to that case
   instead of opening a new one; a case waiting for the customer goes back to work. A ticket
   of someone else, or of a finished case, opens a new case with a note naming the old one
   (PLN opens a new complaint when a customer says a resolved one is not fixed).
4. The case opens through ``complaints.services.case_open`` (ticket, SLA, event, receipt
   notice), attachments through ``case_attach``; a contact not yet known for the customer is
   recorded, so the next message on that channel finds them.

Everything runs in one transaction: a failure leaves nothing half-done.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from complaints.attachments import inspect_attachment
from complaints.errors import InvalidInput
from complaints.identifiers import (
    normalize_id_pelanggan,
    normalize_meter_number,
    normalize_phone,
)
from complaints.models import (
    Case,
    CaseEvent,
    Category,
    ContactKind,
    Customer,
    CustomerContact,
)
from complaints.services import (
    Reporter,
    case_add_customer_message,
    case_add_note,
    case_attach,
    case_open,
    case_transition,
)
from complaints.tickets import normalize_ticket_number
from complaints.workflow import CaseStatus, customer_label
from staff.models import ServiceUnit, UnitKind
from staff.roles import Actor, Role

# The category of a complaint that names none ("Kualitas pelayanan": triaged by an agent).
DEFAULT_CATEGORY = "layanan"
MAX_ATTACHMENTS = 10
# How far a merged case is followed to the case that survived it.
MAX_MERGE_HOPS = 5

UNKNOWN_CATEGORY = _("Kategori pengaduan tidak dikenal: %(code)s.")
UNKNOWN_CONTACT_KIND = _("Jenis kontak tidak dikenal: %(kind)s.")
INVALID_EMAIL = _("Alamat email tidak valid.")
INVALID_CONTACT = _("Kontak tidak valid.")
TOO_MANY_ATTACHMENTS = _("Paling banyak %(limit)s lampiran per pengaduan.")
NO_FALLBACK_UNIT = _(
    "Belum ada unit layanan yang menampung pengaduan tanpa pelanggan terdaftar "
    "(atur INTAKE_FALLBACK_UNIT)."
)
UNKNOWN_ID_NOTE = _(
    "Pelapor menyebut ID pelanggan %(value)s, tetapi nomor itu tidak ada di data pelanggan."
)
UNKNOWN_METER_NOTE = _(
    "Pelapor menyebut nomor meter %(value)s, tetapi nomor itu tidak ada di data pelanggan."
)
QUOTED_TICKET_NOTE = _("Pelapor menyebut pengaduan %(ticket)s (status: %(status)s).")

# "ADU-7K3M-9Q2X", "adu 7k3m 9q2x", "ADU7K3M9Q2X": the check symbol rejects near misses.
_TICKET_IN_TEXT = re.compile(r"\bADU[\s\-_]*([0-9A-Z]{4})[\s\-_]*([0-9A-Z]{4})\b", re.IGNORECASE)
_PHONE_LIKE = re.compile(r"^\+?[0-9][0-9\s.\-()]{5,}$")
# Kinds whose values are phone numbers: a customer known by one is found by the other.
PHONE_KINDS = (ContactKind.PHONE, ContactKind.WHATSAPP)


class IntakeRejected(InvalidInput):
    """The request cannot become a case as given; ``field`` names the input to correct
    (``id_pelanggan``, ``meter_number``, ``contact``, ``category_code``, ``attachments``,
    ``description``, ``service_unit_id``)."""

    code = "intake_rejected"

    def __init__(self, message: Any, *, field: str = "", **params: Any) -> None:
        self.field = field
        super().__init__(message, **params)


@dataclass(frozen=True)
class IntakeAttachment:
    content: bytes
    name: str = ""


@dataclass(frozen=True, kw_only=True)
class IntakeRequest:
    """A complaint (or a follow-up) as any channel received it; values as the customer gave
    them (normalized here). Keyword-only, so fields can be added without breaking callers."""

    channel: str  # complaints.models.Channel value: where the case came from
    description: str
    category_code: str = ""  # "" → DEFAULT_CATEGORY
    id_pelanggan: str = ""
    meter_number: str = ""
    reporter_name: str = ""
    contact_kind: str = ""  # complaints.models.ContactKind value
    contact: str = ""  # phone, WhatsApp id/BSUID, e-mail, social id, app account
    language: str = ""  # "id" / "en" for the notices; "" = default
    location_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    attachments: tuple[IntakeAttachment, ...] = ()
    ticket: str = ""  # a ticket number the customer quoted (subject, reply, form field)
    # Where it came from, for the timeline: inbox channel and the provider's message id.
    provider: str = ""
    provider_message_id: str = ""
    service_unit_id: int | None = None  # an agent's choice; else the customer's unit
    priority: int | None = None
    # False when the contact must not be remembered for the customer (a reporter who is
    # clearly not the customer, e.g. a neighbour on the call-center form).
    remember_contact: bool = True


@dataclass(frozen=True)
class IntakeResult:
    case: Case
    created: bool  # False: the message was added to the open case it quoted
    customer: Customer | None
    # The follow-up's customer-message event (None when a case was opened).
    event: CaseEvent | None = None


# First match wins, so the dangerous and the specific come before the general.
_CATEGORY_WORDS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (code, re.compile(pattern, re.IGNORECASE))
    for code, pattern in (
        (
            "bahaya",
            r"\b(kabel\b.{0,20}\b(putus|menjuntai|terkelupas)|"
            r"tiang\b.{0,20}\b(roboh|miring|tumbang|patah)|percikan|korslet|konslet|"
            r"korsleting|terbakar|kebakaran|kesetrum|tersengat|bahaya)\b",
        ),
        ("token", r"\b(token|pulsa listrik|prabayar)\b"),
        ("tagihan", r"\b(tagihan|rekening|pascabayar|bayar|denda)\b"),
        ("tegangan", r"\b(kedip|berkedip|tegangan|voltase|naik turun|redup)\b"),
        ("meter", r"\b(kwh|meteran|meter rusak|periksa)\b"),
        (
            "padam-area",
            r"\b(padam meluas|satu (kampung|komplek|kompleks|rt|rw|desa|gang|jalan)|"
            r"se(kampung|komplek|rt|rw|desa))\b",
        ),
        ("padam-rumah", r"\b(padam|mati lampu|listrik mati|mati listrik|gelap|byar ?pet)\b"),
    )
)


def guess_category_code(text: str) -> str:
    """A category for free text that names none (a public comment, an e-mail): a keyword
    guess for triage, which an agent corrects. Unknown → DEFAULT_CATEGORY."""
    for code, pattern in _CATEGORY_WORDS:
        if pattern.search(text or ""):
            return code
    return DEFAULT_CATEGORY


def find_quoted_ticket(text: str) -> str | None:
    """The first valid ticket number written in ``text`` (canonical form), or None."""
    for match in _TICKET_IN_TEXT.finditer(text or ""):
        ticket = normalize_ticket_number(match.group(1) + match.group(2))
        if ticket:
            return ticket
    return None


def normalize_contact(kind: str, value: str) -> str:
    """The stored spelling of a contact: E.164 phones, lower-case e-mail, WhatsApp numbers as
    E.164 (a BSUID — a WhatsApp user id without a phone — as given), social ids as given.
    Raises IntakeRejected(field="contact")."""
    value = (value or "").strip()
    if kind not in ContactKind.values:
        raise IntakeRejected(UNKNOWN_CONTACT_KIND, field="contact", kind=kind)
    if not value:
        raise IntakeRejected(INVALID_CONTACT, field="contact")
    if kind == ContactKind.PHONE:
        return _phone(value)
    if kind == ContactKind.WHATSAPP:
        if _PHONE_LIKE.match(value):
            return whatsapp_phone(value)
        return value[:254]
    if kind == ContactKind.EMAIL:
        value = value.lower()
        try:
            validate_email(value)
        except ValidationError:
            raise IntakeRejected(INVALID_EMAIL, field="contact") from None
        return value
    return value[:254]


def whatsapp_phone(value: str) -> str:
    """A WhatsApp number (``6281234567890``, no plus) in E.164. WhatsApp has already verified
    it is a phone; a number our metadata does not know (new ranges) is kept as digits."""
    digits = re.sub(r"[^0-9]", "", value)
    try:
        return normalize_phone("+" + digits)
    except ValidationError:
        if 8 <= len(digits) <= 15:
            return "+" + digits
        raise IntakeRejected(INVALID_CONTACT, field="contact") from None


def _phone(value: str) -> str:
    try:
        return normalize_phone(value)
    except ValidationError as exc:
        raise IntakeRejected(exc.messages[0], field="contact") from None


def _identifier(value: str, normalize, field: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return normalize(value)
    except ValidationError as exc:
        raise IntakeRejected(exc.messages[0], field=field) from None


def find_customer(
    *,
    id_pelanggan: str = "",
    meter_number: str = "",
    contact_kind: str = "",
    contact: str = "",
) -> Customer | None:
    """The customer an intake is about (values already normalized). An identifier the
    reporter gave decides alone; a known contact is used only when none was given."""
    if id_pelanggan:
        return (
            Customer.objects.select_related("service_unit")
            .filter(id_pelanggan=id_pelanggan)
            .first()
        )
    if meter_number:
        return (
            Customer.objects.select_related("service_unit")
            .filter(meter_number=meter_number)
            .first()
        )
    if contact_kind and contact:
        return customer_by_contact(contact_kind, contact)
    return None


def customer_by_contact(kind: str, value: str) -> Customer | None:
    kinds = PHONE_KINDS if kind in PHONE_KINDS and value.startswith("+") else (kind,)
    link = (
        CustomerContact.objects.select_related("customer__service_unit")
        .filter(kind__in=kinds, value=value)
        .order_by("pk")
        .first()
    )
    return link.customer if link else None


def record_contact(customer: Customer, kind: str, value: str) -> None:
    """Remember ``value`` as a way to reach ``customer``. A contact already known for another
    customer stays theirs: one reporter's word does not move it."""
    CustomerContact.objects.bulk_create(
        [CustomerContact(customer=customer, kind=kind, value=value)], ignore_conflicts=True
    )


def fallback_service_unit() -> ServiceUnit:
    """Where a case without a known customer goes for triage: INTAKE_FALLBACK_UNIT (a unit
    code), else the first region."""
    code = getattr(settings, "INTAKE_FALLBACK_UNIT", "")
    units = ServiceUnit.objects.all()
    unit = (
        units.filter(code=code).first()
        if code
        else units.filter(kind=UnitKind.REGION).order_by("path").first()
    )
    if unit is None:
        raise IntakeRejected(NO_FALLBACK_UNIT, field="service_unit_id")
    return unit


def quoted_case(ticket: str) -> Case | None:
    """The case a ticket names, following merges to the case that survived."""
    case = Case.objects.select_related("customer", "category").filter(ticket=ticket).first()
    hops = 0
    while case is not None and case.merged_into_id and hops < MAX_MERGE_HOPS:
        case = Case.objects.select_related("customer", "category").get(pk=case.merged_into_id)
        hops += 1
    return case


def is_reporter_of(
    case: Case,
    *,
    contact_kind: str = "",
    contact: str = "",
    customer: Customer | None = None,
) -> bool:
    """May this sender add to ``case``? Only its reporter or its customer (osTicket's rule:
    a ticket number alone must not let a stranger write into someone else's case)."""
    if customer is not None and case.customer_id == customer.pk:
        return True
    if not contact:
        return False
    if case.reporter_contact == contact and (
        case.reporter_contact_kind == contact_kind
        or {case.reporter_contact_kind, contact_kind} <= set(PHONE_KINDS)
    ):
        return True
    if case.customer_id is None:
        return False
    kinds = PHONE_KINDS if contact_kind in PHONE_KINDS else (contact_kind,)
    return CustomerContact.objects.filter(
        customer_id=case.customer_id, kind__in=kinds, value=contact
    ).exists()


def _category(code: str) -> Category:
    code = code or DEFAULT_CATEGORY
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        raise IntakeRejected(UNKNOWN_CATEGORY, field="category_code", code=code)
    return category


def _check_attachments(attachments: tuple[IntakeAttachment, ...]) -> None:
    if len(attachments) > MAX_ATTACHMENTS:
        raise IntakeRejected(TOO_MANY_ATTACHMENTS, field="attachments", limit=MAX_ATTACHMENTS)
    for attachment in attachments:
        try:
            inspect_attachment(attachment.content)
        except InvalidInput as exc:
            raise IntakeRejected(exc.message, field="attachments") from None


def _event_data(request: IntakeRequest) -> dict:
    data = {"channel": request.channel}
    if request.provider:
        data["provider"] = request.provider
    if request.provider_message_id:
        data["provider_message_id"] = request.provider_message_id[:255]
    return data


@transaction.atomic
def intake_submit(request: IntakeRequest, *, actor: Actor | None = None) -> IntakeResult:
    """Open a case for ``request``, or add it to the open case it quotes. ``actor`` defaults to
    the customer on ``request.channel``; an agent filing for a caller passes theirs."""
    actor = actor or Actor.customer(request.channel)
    contact = normalize_contact(request.contact_kind, request.contact) if request.contact else ""
    contact_kind = request.contact_kind if contact else ""
    id_pelanggan = _identifier(request.id_pelanggan, normalize_id_pelanggan, "id_pelanggan")
    meter_number = _identifier(request.meter_number, normalize_meter_number, "meter_number")
    _check_attachments(request.attachments)
    customer = find_customer(
        id_pelanggan=id_pelanggan,
        meter_number=meter_number,
        contact_kind=contact_kind,
        contact=contact,
    )

    ticket = (
        normalize_ticket_number(request.ticket)
        if request.ticket
        else find_quoted_ticket(request.description)
    )
    quoted = quoted_case(ticket) if ticket else None
    if quoted is not None and quoted.is_open:
        staff = bool(actor.roles & {Role.AGENT, Role.SUPERVISOR})
        if staff or is_reporter_of(
            quoted, contact_kind=contact_kind, contact=contact, customer=customer
        ):
            return _follow_up(quoted, request, actor, customer)

    unit = None
    if request.service_unit_id is not None:
        unit = ServiceUnit.objects.filter(pk=request.service_unit_id).first()
        if unit is None:
            raise IntakeRejected(NO_FALLBACK_UNIT, field="service_unit_id")
    elif customer is None:
        unit = fallback_service_unit()
    case = case_open(
        actor=actor,
        channel=request.channel,
        category=_category(request.category_code),
        description=request.description,
        customer=customer,
        service_unit=unit,
        reporter=Reporter(
            name=request.reporter_name.strip()[:120],
            contact_kind=contact_kind,
            contact=contact,
            language=request.language,
        ),
        location_text=request.location_text.strip(),
        latitude=request.latitude,
        longitude=request.longitude,
        priority=request.priority,
    )
    for attachment in request.attachments:
        case_attach(actor=actor, case_id=case.pk, content=attachment.content, name=attachment.name)

    notes = []
    if customer is None and id_pelanggan:
        notes.append(UNKNOWN_ID_NOTE % {"value": id_pelanggan})
    elif customer is None and meter_number:
        notes.append(UNKNOWN_METER_NOTE % {"value": meter_number})
    if quoted is not None:
        label = customer_label(quoted.status, field_work=quoted.category.is_field_work)
        notes.append(QUOTED_TICKET_NOTE % {"ticket": quoted.ticket, "status": label})
    if notes:
        case_add_note(actor=Actor.system("intake"), case_id=case.pk, note="\n".join(notes))
    if customer is not None and contact and request.remember_contact:
        record_contact(customer, contact_kind, contact)
    case.refresh_from_db()
    return IntakeResult(case=case, created=True, customer=customer)


def _follow_up(
    case: Case, request: IntakeRequest, actor: Actor, customer: Customer | None
) -> IntakeResult:
    event = case_add_customer_message(
        actor=actor,
        case_id=case.pk,
        text=request.description,
        data=_event_data(request),
    )
    for attachment in request.attachments:
        case_attach(actor=actor, case_id=case.pk, content=attachment.content, name=attachment.name)
    # The customer answered what we were waiting for: the case goes back to work.
    if case.status == CaseStatus.WAITING_CUSTOMER:
        case_transition(actor=actor, case_id=case.pk, target=CaseStatus.VERIFIED)
    case.refresh_from_db()
    return IntakeResult(case=case, created=False, customer=customer or case.customer, event=event)
