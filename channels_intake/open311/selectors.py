"""Reads of the Open311 endpoints. Only cases reported through Open311 are public here: the
GET endpoints need no key (the spec's rule), and a complaint made by phone or WhatsApp is
nobody else's business."""

from datetime import datetime, timedelta

from django.db.models import QuerySet

from channels_intake.models import InboundMessage
from complaints import clock
from complaints.models import Case, Category, Channel
from complaints.tickets import normalize_ticket_number
from complaints.workflow import OPEN_STATES

# GeoReport: "90 days or 1000 requests, whichever is smaller".
DEFAULT_SPAN = timedelta(days=90)
MAX_SPAN = timedelta(days=90)
MAX_REQUESTS = 1000
MAX_IDS = 100
CHANNEL = Channel.OPEN311


def services() -> list[Category]:
    return list(Category.objects.filter(active=True).order_by("sort_order", "code"))


def _public_cases() -> QuerySet[Case]:
    return Case.objects.filter(channel=CHANNEL).select_related("category", "service_unit")


def request_by_ticket(text: str) -> Case | None:
    ticket = normalize_ticket_number(text)
    return _public_cases().filter(ticket=ticket).first() if ticket else None


def requests_by_tickets(texts: list[str]) -> list[Case]:
    tickets = {t for t in (normalize_ticket_number(text) for text in texts[:MAX_IDS]) if t}
    if not tickets:
        return []
    return list(_public_cases().filter(ticket__in=tickets).order_by("-created_at", "-id"))


def requests_between(
    *,
    start: datetime | None,
    end: datetime | None,
    service_codes: list[str],
    statuses: set[str],
    limit: int = MAX_REQUESTS,
    offset: int = 0,
) -> list[Case]:
    """Open311 cases created in [start, end) (default: the last 90 days), newest first, on
    the case_newest_first index."""
    end = end or clock.now()
    start = start or end - DEFAULT_SPAN
    cases = _public_cases().filter(created_at__gte=start, created_at__lt=end)
    if service_codes:
        cases = cases.filter(category__code__in=service_codes)
    if statuses == {"open"}:
        cases = cases.filter(status__in=sorted(OPEN_STATES))
    elif statuses == {"closed"}:
        cases = cases.exclude(status__in=sorted(OPEN_STATES))
    return list(cases.order_by("-created_at", "-id")[offset : offset + limit])


def inbox_row_for_token(token: str) -> InboundMessage | None:
    if not token or len(token) > 64:
        return None
    return (
        InboundMessage.objects.filter(channel=CHANNEL, provider_message_id=token)
        .select_related("case")
        .first()
    )
