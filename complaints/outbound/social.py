"""Replies to Facebook Messenger and Instagram DMs through Meta's Send API:
``POST {META_API_BASE_URL}/me/messages`` with the Page access token; Meta answers
``{"recipient_id": …, "message_id": "m_…"}``.

Inside the 24-hour window (the customer's last DM, ``note_inbound(channel="social")``) the
reply goes as ``messaging_type: RESPONSE``; outside it as a ``MESSAGE_TAG`` (META_MESSAGE_TAG,
default ACCOUNT_UPDATE). X (Twitter) contacts are not Meta users: refused, not guessed.

A row with ``context["reply_to_comment"]`` answers a public comment instead: Facebook
``POST /{comment-id}/comments``, Instagram ``POST /{comment-id}/replies``, body
``{"message": …}``, answer ``{"id": …}``.

Reconciliation rule: like WhatsApp, the Send API has no idempotency key. Every DM carries our
outbox id in ``message.metadata``, which Meta returns in the message echo webhook; the echo
resolves an unknown row through ``notification_status_update(notification_id=…)``. A public
comment reply has no such echo: an unknown one is sent again only after
NOTIFY_RECONCILE_SECONDS, and then may show twice (the price of never losing it).
"""

from django.conf import settings

from complaints.models import Channel, ContactKind, Notification
from complaints.notifications import window_open
from complaints.outbound import http
from complaints.outbound.base import OutcomeUnknown, PermanentFailure, SendResult

METADATA_PREFIX = "aduan-outbox:"
NOT_META = "Social contact of kind %r cannot be reached through Meta's Send API."
NO_MESSAGE_ID = "Meta Send API answered without a message id: %s"


def configured() -> bool:
    return bool(settings.META_PAGE_ACCESS_TOKEN)


def notification_id_from_metadata(value: str | None) -> int | None:
    if value and value.startswith(METADATA_PREFIX) and value[len(METADATA_PREFIX) :].isdigit():
        return int(value[len(METADATA_PREFIX) :])
    return None


class MetaSendBackend:
    name = "social"
    retry_safe = False

    def send(self, notification: Notification) -> SendResult:
        context = notification.context or {}
        kind = context.get("contact_kind", "")
        if kind not in ("", ContactKind.FACEBOOK, ContactKind.INSTAGRAM):
            raise PermanentFailure(NOT_META % kind)
        if context.get("reply_to_comment"):
            return self._comment_reply(notification, context["reply_to_comment"], kind)
        payload: dict = {
            "recipient": {"id": notification.recipient},
            "message": {
                "text": notification.body,
                "metadata": f"{METADATA_PREFIX}{notification.pk}",
            },
        }
        if window_open(channel=Channel.SOCIAL, recipient=notification.recipient):
            payload["messaging_type"] = "RESPONSE"
        else:
            payload["messaging_type"] = "MESSAGE_TAG"
            payload["tag"] = settings.META_MESSAGE_TAG
        response = http.post_json(
            f"{settings.META_API_BASE_URL}/me/messages",
            payload,
            headers={"Authorization": f"Bearer {settings.META_PAGE_ACCESS_TOKEN}"},
        )
        http.raise_for_status(response, "Meta Send API")
        data = response.json()
        message_id = data.get("message_id") if isinstance(data, dict) else None
        if not message_id:
            raise OutcomeUnknown(NO_MESSAGE_ID % response.body[:200])
        return SendResult(
            provider_message_id=str(message_id), detail=payload["messaging_type"].lower()
        )

    def _comment_reply(self, notification: Notification, comment_id: str, kind: str) -> SendResult:
        edge = "replies" if kind == ContactKind.INSTAGRAM else "comments"
        response = http.post_json(
            f"{settings.META_API_BASE_URL}/{comment_id}/{edge}",
            {"message": notification.body},
            headers={"Authorization": f"Bearer {settings.META_PAGE_ACCESS_TOKEN}"},
        )
        http.raise_for_status(response, "Meta Graph API")
        data = response.json()
        reply_id = data.get("id") if isinstance(data, dict) else None
        if not reply_id:
            raise OutcomeUnknown(NO_MESSAGE_ID % response.body[:200])
        return SendResult(provider_message_id=str(reply_id), detail=f"comment:{edge}")
