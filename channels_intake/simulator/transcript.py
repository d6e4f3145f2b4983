"""The simulator's chat view: what this session sent (read back from the inbox) next to what
the outbox holds for the same customer, oldest first."""

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from channels_intake.intake import whatsapp_phone
from channels_intake.models import InboundMessage, InboundStatus
from complaints.models import Case, Channel, Notification

MAX_OUTBOX = 200
# Which outbox channel carries the replies of each simulator channel.
OUTBOX_CHANNEL = {
    "whatsapp": Channel.WHATSAPP,
    "facebook": Channel.SOCIAL,
    "instagram": Channel.SOCIAL,
    "email": Channel.EMAIL,
}


@dataclass(frozen=True)
class Bubble:
    outgoing: bool  # True: from the customer (the simulator); False: from Aduan
    text: str
    at: datetime
    status: str = ""
    error: str = ""
    ticket: str = ""
    case_url: str = ""
    image: bool = False
    public: bool = False  # a public comment, or a public reply to one
    row_url: str = ""  # the inbox row / outbox row in the admin


def now_iso() -> str:
    return timezone.now().isoformat()


def _entries(state: dict, channel: str | None = None) -> list[dict]:
    return [e for e in state.get("sent", []) if channel is None or e.get("channel") == channel]


def _rows(entries: list[dict]) -> dict[tuple[str, str], InboundMessage]:
    keys = {(e["inbox_channel"], e["key"]) for e in entries}
    if not keys:
        return {}
    rows = InboundMessage.objects.select_related("case").filter(
        channel__in={channel for channel, _ in keys},
        provider_message_id__in={key for _, key in keys},
    )
    return {(row.channel, row.provider_message_id): row for row in rows}


def _case_url(case: Case) -> str:
    return reverse("admin:complaints_case_change", args=[case.pk])


def _recipients(state: dict, channel: str) -> set[str]:
    persona = state.get("persona", {})
    recipients: set[str] = set()
    if channel == "whatsapp" and persona.get("whatsapp"):
        recipients.add(whatsapp_phone(persona["whatsapp"]))
    elif channel in ("facebook", "instagram") and persona.get(channel):
        recipients.add(persona[channel])
    elif channel == "email":
        recipients |= {e.get("sender", "").lower() for e in _entries(state, "email")}
        if persona.get("email"):
            recipients.add(persona["email"].lower())
    recipients |= {e["comment_id"] for e in _entries(state, channel) if e.get("comment_id")}
    return recipients - {""}


def chat(state: dict, channel: str) -> list[Bubble]:
    entries = _entries(state, channel)
    rows = _rows(entries)
    bubbles = []
    for entry in entries:
        row = rows.get((entry["inbox_channel"], entry["key"]))
        case = row.case if row else None
        bubbles.append(
            Bubble(
                outgoing=True,
                text=entry.get("text", ""),
                at=parse_datetime(entry["at"]) or timezone.now(),
                status=row.get_status_display() if row else "",
                error=row.error if row else "",
                ticket=case.ticket if case else "",
                case_url=_case_url(case) if case else "",
                image=bool(entry.get("image")),
                public=entry.get("kind") == "comment",
                row_url=reverse("admin:channels_intake_inboundmessage_change", args=[row.pk])
                if row
                else "",
            )
        )
    recipients = _recipients(state, channel)
    if recipients:
        outbox = (
            Notification.objects.select_related("case")
            .filter(channel=OUTBOX_CHANNEL[channel], recipient__in=recipients)
            .order_by("-created_at", "-id")[:MAX_OUTBOX]
        )
        for notice in outbox:
            bubbles.append(
                Bubble(
                    outgoing=False,
                    text=notice.body,
                    at=notice.created_at,
                    status=notice.get_status_display(),
                    error=notice.last_error,
                    ticket=notice.case.ticket if notice.case else "",
                    case_url=_case_url(notice.case) if notice.case else "",
                    public=bool((notice.context or {}).get("public")),
                    row_url=reverse("admin:complaints_notification_change", args=[notice.pk]),
                )
            )
    return sorted(bubbles, key=lambda bubble: bubble.at)


def cases(state: dict) -> list[Case]:
    """The cases this session's messages opened or joined, newest first."""
    rows = _rows(_entries(state))
    seen: dict[int, Case] = {}
    for row in rows.values():
        if row.case is not None:
            seen[row.case.pk] = row.case
    found = sorted(seen.values(), key=lambda case: case.created_at, reverse=True)
    for case in found:
        case.admin_url = _case_url(case)
    return found


def waiting_ids(state: dict) -> list[int]:
    """Stored deliveries of this session that no worker has processed yet."""
    ids = [e["row_id"] for e in _entries(state) if e.get("row_id")]
    return list(
        InboundMessage.objects.filter(pk__in=ids, status=InboundStatus.RECEIVED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class Thread:
    channel: str
    recipient: str
    bubbles: list[Bubble]


def outbox_threads(limit: int = MAX_OUTBOX) -> list[Thread]:
    """The newest outbox rows as chat threads, one per (channel, recipient), newest thread
    first: what each customer has been told, readable at a glance."""
    rows = Notification.objects.select_related("case").order_by("-created_at", "-id")[:limit]
    threads: dict[tuple[str, str], list[Bubble]] = {}
    for notice in rows:
        threads.setdefault((notice.channel, notice.recipient), []).append(
            Bubble(
                outgoing=False,
                text=notice.body,
                at=notice.created_at,
                status=notice.get_status_display(),
                error=notice.last_error,
                ticket=notice.case.ticket if notice.case else "",
                case_url=_case_url(notice.case) if notice.case else "",
                public=bool((notice.context or {}).get("public")),
                row_url=reverse("admin:complaints_notification_change", args=[notice.pk]),
            )
        )
    return [
        Thread(channel=channel, recipient=recipient, bubbles=sorted(bubbles, key=lambda b: b.at))
        for (channel, recipient), bubbles in threads.items()
    ]
