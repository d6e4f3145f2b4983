"""Reads for the app: "Riwayat Pengaduan" (my complaints with their timelines) and the device
tokens a push notice goes to."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from channels_intake.models import AppAccount, AppCase, AppToken, PushDevice
from complaints.models import Case, CaseEvent, EventKind
from complaints.workflow import CaseStatus, customer_label

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
TIMELINE_KINDS = (
    EventKind.CREATED,
    EventKind.STATUS_CHANGED,
    EventKind.MESSAGE,
    EventKind.CUSTOMER_MESSAGE,
)
# Status notes the customer is sent anyway (the notices quote them); others are internal.
CUSTOMER_FACING_NOTES = frozenset(
    {CaseStatus.WAITING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.REJECTED}
)


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str
    status: str
    label: str
    text: str


def account_for_token(key_hash: str) -> AppToken | None:
    """One query: the token with its (verified) account."""
    return (
        AppToken.objects.select_related("account")
        .filter(key_hash=key_hash, account__verified_at__isnull=False)
        .first()
    )


def my_cases(account: AppAccount, *, limit: int = PAGE_SIZE, before: int | None = None):
    """The account's cases, newest first, each with ``timeline_events`` prefetched. Returns
    (cases, next cursor). Two queries: the page (link → case → category, on the
    app_case_newest_first index) and the timeline events of the page's cases."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    links = AppCase.objects.filter(account=account)
    if before is not None:
        links = links.filter(pk__lt=before)
    events = CaseEvent.objects.filter(kind__in=TIMELINE_KINDS).order_by("created_at", "id")
    page = list(
        links.select_related("case__category")
        .prefetch_related(Prefetch("case__events", queryset=events, to_attr="timeline_events"))
        .order_by("-created_at", "-id")[: limit + 1]
    )
    more = len(page) > limit
    page = page[:limit]
    return [link.case for link in page], (page[-1].pk if more else None)


def timeline_of(case: Case) -> list[Entry]:
    events = getattr(case, "timeline_events", None)
    if events is None:
        events = list(case.events.filter(kind__in=TIMELINE_KINDS).order_by("created_at", "id"))
    field_work = case.category.is_field_work
    entries: list[Entry] = []
    for event in events:
        if event.kind in (EventKind.CREATED, EventKind.STATUS_CHANGED):
            if not event.to_status:
                continue
            note = event.note if event.to_status in CUSTOMER_FACING_NOTES else ""
            entries.append(
                Entry(
                    at=event.created_at,
                    kind="status",
                    status=event.to_status,
                    label=customer_label(event.to_status, field_work=field_work),
                    text=note,
                )
            )
        else:
            kind = "message" if event.kind == EventKind.MESSAGE else "customer_message"
            entries.append(
                Entry(at=event.created_at, kind=kind, status="", label="", text=event.note)
            )
    return entries


def push_tokens_for(recipient: str) -> list[str]:
    """Device tokens of the app account a notice is addressed to. App cases carry the account
    id as their reporter contact (ContactKind.APP), so the push backend resolves it here."""
    if not recipient.isdigit():
        return []
    return list(
        PushDevice.objects.filter(account_id=int(recipient))
        .order_by("-updated_at")
        .values_list("token", flat=True)
    )
