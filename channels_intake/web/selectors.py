"""What the public status page may show. ``public_status`` carries no personal data at all
(no name, contact, address, description or staff note): a ticket number is easy to pass on.
``reporter_details`` is only called once the reporter's phone has been checked."""

import hmac
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from channels_intake.models import AppAccount
from complaints.models import Case, CaseEvent, ContactKind, EventKind
from complaints.workflow import OPEN_STATES, CaseStatus, customer_label

# Notes the customer was sent anyway (the notice templates quote them): safe to show the
# verified reporter. Other status-change notes are internal.
_CUSTOMER_FACING_NOTES = frozenset(
    {CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.REJECTED}
)


@dataclass(frozen=True)
class PublicEvent:
    at: datetime  # local time of the case's service unit
    label: str


@dataclass(frozen=True)
class PublicStatus:
    case_id: int
    ticket: str
    category: str
    status_label: str
    is_open: bool
    created_at: datetime
    timezone_label: str
    merged_into_ticket: str
    timeline: tuple[PublicEvent, ...]


@dataclass(frozen=True)
class Exchange:
    at: datetime
    from_customer: bool
    text: str


@dataclass(frozen=True)
class ReporterDetails:
    reporter_name: str
    location_text: str
    description: str
    exchanges: tuple[Exchange, ...]


def _case(ticket: str) -> Case | None:
    return (
        Case.objects.select_related("category", "service_unit", "merged_into")
        .filter(ticket=ticket)
        .first()
    )


def public_status(ticket: str) -> PublicStatus | None:
    """Status and milestones of a case, by its canonical ticket number. Two queries: the case
    (with category, unit and merge target), then its status events."""
    case = _case(ticket)
    if case is None:
        return None
    tz = case.service_unit.tz
    field_work = case.category.is_field_work
    timeline: list[PublicEvent] = []
    events = (
        case.events.filter(kind__in=[EventKind.CREATED, EventKind.STATUS_CHANGED])
        .exclude(to_status="")
        .order_by("created_at", "id")
        .values_list("created_at", "to_status")
    )
    for at, status in events:
        label = customer_label(status, field_work=field_work)
        # "received" and "verified" both read "Lapor": show the milestone once.
        if timeline and timeline[-1].label == label:
            continue
        timeline.append(PublicEvent(at=timezone.localtime(at, tz), label=label))
    return PublicStatus(
        case_id=case.pk,
        ticket=case.ticket,
        category=str(case.category),
        status_label=customer_label(case.status, field_work=field_work),
        is_open=case.status in OPEN_STATES,
        created_at=timezone.localtime(case.created_at, tz),
        timezone_label=case.service_unit.tz_label,
        merged_into_ticket=case.merged_into.ticket if case.merged_into_id else "",
        timeline=tuple(reversed(timeline)),
    )


def reporter_phone(case: Case) -> str:
    """The reporter's phone in E.164, or "" when they reported without one."""
    if case.reporter_contact_kind in (ContactKind.PHONE, ContactKind.WHATSAPP):
        return case.reporter_contact if case.reporter_contact.startswith("+") else ""
    if case.reporter_contact_kind == ContactKind.APP and case.reporter_contact.isdigit():
        account = AppAccount.objects.filter(pk=int(case.reporter_contact)).first()
        return account.phone if account else ""
    return ""


def phone_check(case_id: int, last4: str) -> bool | None:
    """True when ``last4`` ends the reporter's phone; None when the case has no phone to
    check against."""
    case = Case.objects.filter(pk=case_id).only("reporter_contact", "reporter_contact_kind").first()
    phone = reporter_phone(case) if case else ""
    if len(phone) < 4:
        return None
    return hmac.compare_digest(phone[-4:].encode(), last4.encode())


def reporter_details(case_id: int) -> ReporterDetails:
    case = Case.objects.select_related("service_unit").get(pk=case_id)
    tz = case.service_unit.tz
    exchanges: list[Exchange] = []
    events: list[CaseEvent] = list(
        case.events.filter(
            kind__in=[EventKind.MESSAGE, EventKind.CUSTOMER_MESSAGE, EventKind.STATUS_CHANGED]
        ).order_by("created_at", "id")
    )
    for event in events:
        if event.kind == EventKind.STATUS_CHANGED and (
            event.to_status not in _CUSTOMER_FACING_NOTES or not event.note
        ):
            continue
        exchanges.append(
            Exchange(
                at=timezone.localtime(event.created_at, tz),
                from_customer=event.kind == EventKind.CUSTOMER_MESSAGE,
                text=event.note,
            )
        )
    return ReporterDetails(
        reporter_name=case.reporter_name,
        location_text=case.location_text,
        description=case.description,
        exchanges=tuple(reversed(exchanges)),
    )
