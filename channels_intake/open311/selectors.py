"""Reads of the Open311 endpoints. Only cases reported through Open311 are public here: the
GET endpoints need no key (the spec's rule), and a complaint made by phone or WhatsApp is
nobody else's business."""

from datetime import datetime, timedelta
from urllib.parse import unquote_plus

from django.db.models import F, Func, QuerySet, TextField, Value

from channels_intake.models import InboundMessage
from complaints import clock
from complaints.models import Case, CaseEvent, Category, Channel, EventKind
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
    the case_newest_names index."""
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


def request_updates_between(
    *, start: datetime, end: datetime, limit: int = MAX_REQUESTS
) -> list[CaseEvent]:
    """Status changes of Open311 cases in [start, end), oldest first (a client resumes after
    the last one it saw). The Open311 cases changed since ``start`` first (case_updated_at:
    only they can have a change in the window), then their timelines (case_event_timeline),
    so the work follows the Open311 reports touched, not every case event of the period."""
    touched = Case.objects.filter(channel=CHANNEL, updated_at__gte=start).values("pk")
    return list(
        CaseEvent.objects.filter(
            case__in=touched,
            kind=EventKind.STATUS_CHANGED,
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("case__category")
        .order_by("created_at", "id")[:limit]
    )


# A report's media_url is kept only in its raw inbox row (the back office does not download
# what a URL from outside points to; agents open it from the case's description). The row is
# the urlencoded form open311_submit stored (ASCII); the database picks the one argument out,
# so a page of 1000 requests does not load 1000 raw bodies.
_MEDIA_URL_ARGUMENT = Func(
    Func(F("body"), Value("escape"), function="encode", output_field=TextField()),
    Value("(?:^|&)media_url=([^&]*)"),
    function="substring",  # substring(text, pattern): the pattern's first group
    output_field=TextField(),
)


def media_urls(cases: list[Case]) -> dict[int, str]:
    """case id → the media_url its Open311 report came with (cases without one are absent)."""
    if not cases:
        return {}
    rows = (
        InboundMessage.objects.filter(channel=CHANNEL, case__in=[case.pk for case in cases])
        .annotate(media_url=_MEDIA_URL_ARGUMENT)
        .values_list("case_id", "media_url")
    )
    urls = {case_id: unquote_plus(media_url) for case_id, media_url in rows if media_url}
    # parse_request accepted only http(s) URLs; a row stored otherwise is not echoed.
    return {k: url for k, url in urls.items() if url.startswith(("https://", "http://"))}


def inbox_row_for_token(token: str) -> InboundMessage | None:
    if not token or len(token) > 64:
        return None
    return (
        InboundMessage.objects.filter(channel=CHANNEL, provider_message_id=token)
        .select_related("case")
        .first()
    )
