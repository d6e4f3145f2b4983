"""Customer notices: who to tell, on which channel, in which words. The outbox row is written
in the caller's transaction; delivery happens in a task after commit."""

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from complaints import clock, effects
from complaints.models import Case, CaseEvent, Channel, ContactKind, Notification
from complaints.workflow import customer_label

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
)


def notice_channel(case: Case) -> str | None:
    if not case.reporter_contact:
        return None
    return CONTACT_CHANNEL.get(case.reporter_contact_kind)


def render_notice(template: str, case: Case, event: CaseEvent, language: str) -> str:
    with translation.override(language):
        context = {
            "case": case,
            "event": event,
            "status_label": customer_label(case.status, field_work=case.category.is_field_work),
            "category": str(case.category),
        }
        return render_to_string(f"notifications/{template}/{language}.txt", context).strip()


def queue_message(
    *,
    channel: str,
    recipient: str,
    body: str,
    idempotency_key: str,
    template: str = "reply",
    language: str = "id",
    case: Case | None = None,
    event: CaseEvent | None = None,
) -> Notification:
    """Write one outbox row (once per idempotency key) and deliver it after commit. Every
    outbound message goes through here: case notices, bot replies, one-time codes."""
    now = clock.now()
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
            "created_at": now,
            "next_attempt_at": now,
        },
    )
    if created:
        from complaints.tasks import deliver_notification

        transaction.on_commit(lambda: deliver_notification.delay(notification.pk))
    return notification


def queue_customer_notice(case: Case, event: CaseEvent, template: str) -> Notification | None:
    """Tell the reporter about ``event`` on their channel; None when the case has no reachable
    reporter or side effects are off."""
    if not effects.enabled():
        return None
    channel = notice_channel(case)
    if channel is None:
        return None
    language = "id"
    return queue_message(
        channel=channel,
        recipient=case.reporter_contact,
        body=render_notice(template, case, event, language),
        idempotency_key=f"case-event:{event.pk}:{template}",
        template=template,
        language=language,
        case=case,
        event=event,
    )
