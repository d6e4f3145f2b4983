"""Customer notices: who to tell, on which channel, in which words, and when.

The outbox row is written in the caller's transaction; delivery happens in a task after commit
(complaints.delivery). This module also keeps the two facts the providers report back to us:
when a customer last wrote on a channel (the 24-hour window) and what became of each notice
(``notification_status_update``, called by the provider callbacks).
"""

import logging
import re
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.dateparse import parse_datetime

from complaints import clock, effects
from complaints.models import (
    Case,
    CaseEvent,
    Channel,
    ChannelWindow,
    ContactKind,
    Language,
    Notification,
    NotificationStatus,
)
from complaints.workflow import customer_label

logger = logging.getLogger(__name__)

# A reporter's contact decides where a notice can go when the original channel cannot carry
# it (a phone call cannot be answered later: the caller gets an SMS).
CONTACT_CHANNEL = {
    ContactKind.WHATSAPP: Channel.WHATSAPP,
    ContactKind.EMAIL: Channel.EMAIL,
    ContactKind.APP: Channel.MOBILE_APP,
    ContactKind.FACEBOOK: Channel.SOCIAL,
    ContactKind.INSTAGRAM: Channel.SOCIAL,
    ContactKind.X: Channel.SOCIAL,
    ContactKind.PHONE: "sms",
}
# One text per event and language: templates/notifications/<event>/<language>.txt.
TEMPLATES = (
    "received",
    "verified",
    "waiting_customer",
    "assigned",
    "dispatched",
    "on_site",
    "resolved",
    "closed",
    "reopened",
    "rejected",
    "merged",
    "message",
    "incident_etr",
    "incident_restored",
    # Issue 6 (complaints.incidents): nyala bertahap, a complaint inside a planned outage, and
    # "Listrik sudah menyala? 1 Ya / 2 Tidak" after an outage case is restored on its own.
    "incident_partial",
    "planned_outage",
    "restoration_check",
    # Issue 5 (complaints.hazard): what to do, and not do, near a fallen pole or a live wire.
    "hazard_safety",
)
LANGUAGES = tuple(Language.values)
DEFAULT_LANGUAGE = Language.INDONESIAN
# Sent at once and never replaced: the ticket number, and the conversation itself (an agent's
# words, a question the customer is to answer must not be swallowed by a later status
# update). Every other notice is a status update: within the quiet period after the last
# notice, the newest one waits for the period to end and replaces any update still waiting.
IMMEDIATE_TEMPLATES = frozenset(
    {
        "received",
        "message",
        "waiting_customer",
        "incident_restored",
        "restoration_check",
        # Safety advice cannot wait for a quiet period, nor be replaced by a status update.
        "hazard_safety",
    }
)
STATUS_UPDATES = frozenset(TEMPLATES) - IMMEDIATE_TEMPLATES
# Progress notices of a report that storm mode holds while its incident speaks for it
# (``storm_hold``); ``context[HELD_KEY]`` marks the held outbox row.
STORM_HELD_TEMPLATES = frozenset({"verified", "assigned", "dispatched", "on_site", "resolved"})
HELD_KEY = "held"
# Body parameters of the approved WhatsApp template of each event, in order ({{1}}, {{2}}…).
TEMPLATE_PARAMETERS: dict[str, tuple[str, ...]] = {
    "received": ("ticket", "category"),
    "verified": ("ticket",),
    "waiting_customer": ("ticket", "note"),
    "assigned": ("ticket",),
    "dispatched": ("ticket", "eta"),
    "on_site": ("ticket",),
    "resolved": ("ticket",),
    "closed": ("ticket", "survey_url"),
    "reopened": ("ticket",),
    "rejected": ("ticket", "note"),
    "merged": ("ticket", "merged_into_ticket"),
    "message": ("ticket", "note"),
    "incident_etr": ("ticket", "etr"),
    "incident_restored": ("ticket",),
    "incident_partial": ("ticket", "etr"),
    "planned_outage": ("ticket", "etr"),
    "restoration_check": ("ticket",),
    "hazard_safety": ("ticket",),
}
# Short texts around a notice: the e-mail subject and the push title.
SUBJECT_TEMPLATE = "_subject"
TITLE_TEMPLATE = "_title"
SURVEY_SALT = "aduan.survey"
SURVEY_PATH = "/survey/{token}/"
# WhatsApp and Messenger: free text within 24 hours of the customer's last message. The margin
# keeps a send that leaves just before the deadline from arriving just after it.
SERVICE_WINDOW = timedelta(hours=24)
SERVICE_WINDOW_MARGIN = timedelta(minutes=10)
# WhatsApp's "re-engagement message" error: free text was sent outside the window.
WHATSAPP_REENGAGEMENT_CODE = "131047"

UNKNOWN_PROVIDER_STATUS = "Unknown provider status %r"
RESENT_AS_TEMPLATE = "WhatsApp refused free text outside the 24-hour window; resent as template."


# --- Where and in which words -----------------------------------------------------------


def notice_channel(case: Case) -> str | None:
    if not case.reporter_contact:
        return None
    return CONTACT_CHANNEL.get(case.reporter_contact_kind)


def notice_language(case: Case) -> str:
    language = case.reporter_language or DEFAULT_LANGUAGE
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def survey_token(case: Case) -> str:
    """A signed, URL-safe token naming the case; the survey page verifies it."""
    return signing.dumps({"case": case.pk}, salt=SURVEY_SALT, compress=True)


def survey_case_id(token: str, *, max_age: timedelta | None = None) -> int | None:
    """The case a survey token was issued for, or None when it was tampered with or expired."""
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    case_id = data.get("case") if isinstance(data, dict) else None
    return case_id if isinstance(case_id, int) else None


def survey_url(case: Case) -> str:
    return settings.PUBLIC_BASE_URL + SURVEY_PATH.format(token=survey_token(case))


def _local_time(value: str | None, case: Case) -> str:
    """An ISO time from event data as the customer reads it: in the unit's zone, with its
    label ("5 Mar 2026 14:30 WIB")."""
    moment = parse_datetime(value) if value else None
    if moment is None:
        return ""
    unit = case.service_unit
    local = moment.astimezone(ZoneInfo(unit.timezone))
    return f"{formats.date_format(local, 'j M Y H:i')} {unit.get_timezone_display()}"


def notice_context(template: str, case: Case, event: CaseEvent, language: str) -> dict:
    """Everything a notice text (and a WhatsApp template's parameters) may use."""
    with translation.override(language):
        data = event.data or {}
        context = {
            "case": case,
            "event": event,
            "ticket": case.ticket,
            "status_label": customer_label(case.status, field_work=case.category.is_field_work),
            "category": str(case.category),
            "note": event.note,
            "eta": _local_time(data.get("eta"), case),
            "etr": _local_time(data.get("etr"), case),
            "merged_into_ticket": data.get("merged_into_ticket", ""),
            "survey_url": survey_url(case) if template == "closed" else "",
        }
    return context


def render_notice(template: str, case: Case, event: CaseEvent, language: str) -> str:
    return _render(template, language, notice_context(template, case, event, language))


def _render(name: str, language: str, context: dict) -> str:
    with translation.override(language):
        return render_to_string(f"notifications/{name}/{language}.txt", context).strip()


def template_parameters(template: str, context: dict) -> list[str]:
    """WhatsApp template body parameters. Meta refuses empty ones and ones with newlines,
    tabs or more than four spaces in a row."""
    values = []
    for name in TEMPLATE_PARAMETERS.get(template, ("ticket",)):
        text = re.sub(r"\s+", " ", str(context.get(name) or "")).strip()
        values.append(text or "-")
    return values


# --- Writing the outbox -------------------------------------------------------------------


def queue_message(
    *,
    channel: str,
    recipient: str,
    body: str,
    idempotency_key: str,
    template: str = "reply",
    language: str = DEFAULT_LANGUAGE,
    case: Case | None = None,
    event: CaseEvent | None = None,
    context: dict | None = None,
    deliver_at: datetime | None = None,
    held: dict | None = None,
) -> Notification:
    """Write one outbox row (once per idempotency key) and deliver it after commit. Every
    outbound message goes through here: case notices, bot replies, one-time codes. A ``held``
    row (storm mode, see ``storm_hold``) is written without a time to send: no worker or
    sweep takes it until it is released or superseded."""
    now = clock.now()
    due = max(now, deliver_at) if deliver_at else now
    if held:
        context = {**(context or {}), HELD_KEY: held}
    notification, created = Notification.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "case": case,
            "event": event,
            "channel": channel,
            "recipient": recipient,
            "language": language,
            "template": template,
            "body": body,
            "context": context or {},
            "created_at": now,
            "next_attempt_at": None if held else due,
        },
    )
    if created and not held:
        from complaints.tasks import kick_delivery

        # robust: the row is committed whatever happens to the broker; a failed publish is
        # logged and the requeue sweep sends it later.
        transaction.on_commit(partial(kick_delivery, notification.pk, due_at=due), robust=True)
    return notification


def queue_customer_notice(case: Case, event: CaseEvent, template: str) -> Notification | None:
    """Tell the reporter about ``event`` on their channel, in their language; None when the
    case has no reachable reporter or side effects are off.

    Status updates are coalesced: within NOTIFY_QUIET_SECONDS of the last notice to this
    reporter about this case, the new one waits for the period to end and replaces any update
    still waiting, so the customer gets the newest state once. Callers hold the case row lock
    (services lock it), which keeps two notices of one case from racing here."""
    if not effects.enabled():
        return None
    channel = notice_channel(case)
    if channel is None:
        return None
    idempotency_key = f"case-event:{event.pk}:{template}"
    existing = Notification.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    language = notice_language(case)
    context = notice_context(template, case, event, language)
    body = _render(template, language, context)
    extra = {
        "ticket": case.ticket,
        "params": template_parameters(template, context),
        # The ticket in brackets lets e-mail intake thread a reply without In-Reply-To.
        "subject": _render(SUBJECT_TEMPLATE, language, context),
        "title": _render(TITLE_TEMPLATE, language, context),
        "contact_kind": case.reporter_contact_kind,
    }
    recipient = case.reporter_contact
    deliver_at, waiting = _schedule(case, channel, recipient, template)
    held = storm_hold(case, template)
    notification = queue_message(
        channel=channel,
        recipient=recipient,
        body=body,
        idempotency_key=idempotency_key,
        template=template,
        language=language,
        case=case,
        event=event,
        context=extra,
        deliver_at=deliver_at,
        held=held,
    )
    if waiting:
        Notification.objects.filter(pk__in=[row.pk for row in waiting]).update(
            status=NotificationStatus.SUPERSEDED, superseded_by=notification, next_attempt_at=None
        )
    return notification


def storm_hold(case: Case, template: str) -> dict | None:
    """Issue 6, storm mode: while the case's unit (or one above it) is in storm mode, the
    progress notices of a report linked to an incident are held — the incident's own notices
    (known outage with the ticket and ETR, nyala bertahap, restored with the restoration
    check) speak for every report, and thousands of "verified"/"dispatched" texts would bury
    them. Returns what the held row records (the storm switch and the incident), or None.

    Nothing is lost: the next incident-level notice to that case supersedes the held one
    (complaints.incidents._notify: it says more), and whatever is still held when the storm
    ends is sent then (complaints.incidents.release_held_notices). Receipts, agents'
    messages, questions to the customer and the incident-level notices are never held."""
    if template not in STORM_HELD_TEMPLATES or case.incident_id is None:
        return None
    from complaints.incidents import storm_state

    switch = storm_state(case.service_unit)
    if switch is None:
        return None
    return {"storm": switch.pk, "incident": case.incident_id}


def _schedule(
    case: Case, channel: str, recipient: str, template: str
) -> tuple[datetime | None, list[Notification]]:
    """When a new notice may go, and which waiting updates it replaces."""
    if template not in STATUS_UPDATES:
        return None, []
    rows = Notification.objects.filter(case=case, channel=channel, recipient=recipient)
    # Locked, and re-checked after the lock: a worker that claimed one meanwhile has made it
    # "sending", and a notice in flight is not replaced. Only status updates are replaced,
    # never the conversation (bot replies, agents' messages) that shares the case.
    waiting = list(
        rows.select_for_update().filter(
            status=NotificationStatus.PENDING, template__in=STATUS_UPDATES
        )
    )
    last = (
        rows.exclude(status__in=[NotificationStatus.SUPERSEDED, NotificationStatus.FAILED])
        .exclude(pk__in=[row.pk for row in waiting])
        .aggregate(
            at=Max(Coalesce("sent_at", "claimed_at", "next_attempt_at", "created_at")),
        )["at"]
    )
    quiet = timedelta(seconds=settings.NOTIFY_QUIET_SECONDS)
    if last is None or quiet <= timedelta(0):
        return None, waiting
    return last + quiet, waiting


# --- What the providers tell us -----------------------------------------------------------


def _address(channel: str, value: str) -> str:
    """One spelling per address: WhatsApp sends "6281…" where we store "+6281…"."""
    value = value.strip()
    if channel == Channel.WHATSAPP and re.fullmatch(r"\+?[\d\s\-]+", value):
        return re.sub(r"\D", "", value)
    return value


def note_inbound(*, channel: str, sender: str, at: datetime) -> None:
    """Record that ``sender`` wrote to us on ``channel`` at ``at`` (the intake calls this for
    every inbound message). Only moves forward: a late, older message changes nothing."""
    recipient = _address(channel, sender)
    ChannelWindow.objects.bulk_create(
        [ChannelWindow(channel=channel, recipient=recipient, last_inbound_at=at)],
        ignore_conflicts=True,
    )
    ChannelWindow.objects.filter(
        channel=channel, recipient=recipient, last_inbound_at__lt=at
    ).update(last_inbound_at=at)


def window_open(*, channel: str, recipient: str, at: datetime | None = None) -> bool:
    """May we send free text to ``recipient`` now (the 24-hour customer-service window)?"""
    at = at or clock.now()
    last = (
        ChannelWindow.objects.filter(channel=channel, recipient=_address(channel, recipient))
        .values_list("last_inbound_at", flat=True)
        .first()
    )
    return last is not None and at < last + SERVICE_WINDOW - SERVICE_WINDOW_MARGIN


S = NotificationStatus
# Provider vocabularies (WhatsApp statuses, SMS delivery reports, Messenger echoes) → ours.
PROVIDER_STATUS = {
    "accepted": S.SENT,
    "queued": S.SENT,
    "submitted": S.SENT,
    "sending": S.SENT,
    "sent": S.SENT,
    "delivered": S.DELIVERED,
    "read": S.READ,
    "failed": S.FAILED,
    "undelivered": S.FAILED,
    "rejected": S.FAILED,
    "expired": S.FAILED,
}
# Forward only. "unknown" ranks with "sending": a callback is exactly what resolves it.
RANK = {S.PENDING: 0, S.SENDING: 1, S.UNKNOWN: 1, S.SENT: 2, S.DELIVERED: 3, S.READ: 4}


@transaction.atomic
def notification_status_update(
    *,
    channel: str,
    status: str,
    provider_message_id: str | None = None,
    notification_id: int | None = None,
    error: str = "",
    at: datetime | None = None,
) -> Notification | None:
    """Apply a provider's report about one notice; returns the row, or None when it is not
    ours or the status means nothing to us (WhatsApp "deleted", "warning").

    Reports arrive late, twice and out of order ("delivered" after "read", "delivered" after
    "failed"), so the status only moves forward: a repeat or an older report changes nothing,
    and only "delivered"/"read" may overrule "failed". ``notification_id`` (WhatsApp's
    ``biz_opaque_callback_data``, Messenger's echo metadata, the SMS gateway's client
    reference) finds a row even when its send crashed before the provider's id was stored."""
    target = PROVIDER_STATUS.get(status.strip().lower())
    if target is None:
        logger.info(UNKNOWN_PROVIDER_STATUS, status)
        return None
    at = at or clock.now()
    rows = Notification.objects.select_for_update()
    notification = None
    if notification_id is not None:
        notification = rows.filter(pk=notification_id, channel=channel).first()
    if notification is None and provider_message_id:
        notification = rows.filter(channel=channel, provider_message_id=provider_message_id).first()
    if notification is None or notification.status == S.SUPERSEDED:
        return notification
    changed: list[str] = []
    if provider_message_id and not notification.provider_message_id:
        notification.provider_message_id = provider_message_id
        changed.append("provider_message_id")
    current = notification.status
    if target == S.FAILED:
        if current in (S.DELIVERED, S.READ, S.FAILED):
            pass
        elif _resend_as_template(notification, error):
            changed += ["status", "context", "next_attempt_at", "last_error"]
        else:
            notification.status = S.FAILED
            notification.last_error = error or status
            notification.next_attempt_at = None
            changed += ["status", "last_error", "next_attempt_at"]
    elif (current == S.FAILED and target in (S.DELIVERED, S.READ)) or (
        current != S.FAILED and RANK[target] > RANK[current]
    ):
        notification.status = target
        notification.next_attempt_at = None
        changed += ["status", "next_attempt_at"]
        if current in (S.UNKNOWN, S.FAILED):
            # It reached the customer after all; the error no longer describes the row.
            notification.last_error = ""
            changed.append("last_error")
    if notification.status in (S.SENT, S.DELIVERED, S.READ) and notification.sent_at is None:
        notification.sent_at = at
        changed.append("sent_at")
    # "read" implies "delivered": WhatsApp may skip the delivered report.
    if notification.status in (S.DELIVERED, S.READ) and notification.delivered_at is None:
        notification.delivered_at = at
        changed.append("delivered_at")
    if notification.status == S.READ and notification.read_at is None:
        notification.read_at = at
        changed.append("read_at")
    if changed:
        notification.save(update_fields=sorted(set(changed)))
    return notification


def _resend_as_template(notification: Notification, error: str) -> bool:
    """Free text that WhatsApp refused for the closed window never reached the customer: send
    the event's approved template instead (once)."""
    if (
        notification.channel != Channel.WHATSAPP
        or WHATSAPP_REENGAGEMENT_CODE not in error
        or notification.context.get("force_template")
    ):
        return False
    from complaints.tasks import kick_delivery

    now = clock.now()
    notification.context = {**notification.context, "force_template": True}
    notification.status = S.PENDING
    notification.next_attempt_at = now
    notification.last_error = RESENT_AS_TEMPLATE
    transaction.on_commit(partial(kick_delivery, notification.pk, due_at=now), robust=True)
    return True


@transaction.atomic
def notification_retry(*, notification_ids: list[int]) -> int:
    """Send failed notices again (an agent's decision in the admin); returns how many."""
    from complaints.tasks import kick_delivery

    now = clock.now()
    ids = list(
        Notification.objects.select_for_update()
        .filter(pk__in=notification_ids, status=S.FAILED)
        .values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=ids).update(
        status=S.PENDING, attempts=0, next_attempt_at=now
    )
    for pk in ids:
        transaction.on_commit(partial(kick_delivery, pk, due_at=now), robust=True)
    return len(ids)
