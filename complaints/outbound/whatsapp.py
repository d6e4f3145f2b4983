"""WhatsApp Cloud API: ``POST {WHATSAPP_API_BASE_URL}/{PHONE_NUMBER_ID}/messages``.

Free text inside the 24-hour customer-service window (the customer wrote to us within the last
24 hours), the event's approved template outside it; a text refused with 131047 ("re-engagement
message", the window had closed) is sent again as the template at once.

Reconciliation rule: the Cloud API has no idempotency key, so a send whose outcome is unknown
(crash or timeout after the request left) is never repeated blindly. Every send carries our
outbox id in ``biz_opaque_callback_data``, which Meta echoes in each status webhook; the
webhook resolves the row through ``notification_status_update(notification_id=…)``. Only when
no status at all arrives within NOTIFY_RECONCILE_SECONDS (Meta reports "sent" for every message
it accepted) is the message taken as never accepted and sent again.
"""

import re

from django.conf import settings

from complaints.models import Channel, Notification
from complaints.notifications import WHATSAPP_REENGAGEMENT_CODE, window_open
from complaints.outbound import http
from complaints.outbound.base import (
    OutcomeUnknown,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)

CALLBACK_PREFIX = "aduan-outbox:"
NO_TEMPLATE = "No approved WhatsApp template for %r outside the 24-hour window."
NO_MESSAGE_ID = "WhatsApp answered without a message id: %s"
# Throughput limits (per number, per pair): wait and retry.
RATE_LIMIT_CODES = frozenset({"130429", "131056", "4", "80007"})
# Meta's own trouble: retry.
TRANSIENT_CODES = frozenset({"1", "2", "131000", "131016", "133004"})


class WindowClosed(PermanentFailure):
    """Free text refused because the customer-service window is closed."""


def configured() -> bool:
    return bool(settings.WHATSAPP_ACCESS_TOKEN and settings.WHATSAPP_PHONE_NUMBER_ID)


def callback_data(notification_id: int) -> str:
    return f"{CALLBACK_PREFIX}{notification_id}"


def notification_id_from_callback_data(value: str | None) -> int | None:
    """Our outbox id from a status webhook's ``biz_opaque_callback_data`` (None if not ours)."""
    if value and value.startswith(CALLBACK_PREFIX) and value[len(CALLBACK_PREFIX) :].isdigit():
        return int(value[len(CALLBACK_PREFIX) :])
    return None


def wa_address(recipient: str) -> str:
    """Cloud API ``to``: digits without "+" for a phone number; a username id as it is."""
    if re.fullmatch(r"\+?[\d\s\-]+", recipient.strip()):
        return re.sub(r"\D", "", recipient)
    return recipient.strip()


def template_name(event: str) -> str:
    return settings.WHATSAPP_TEMPLATES.get(event) or f"aduan_{event}"


class WhatsAppBackend:
    name = "whatsapp"
    retry_safe = False

    def send(self, notification: Notification) -> SendResult:
        context = notification.context or {}
        has_template = notification.case_id is not None and "params" in context
        in_window = window_open(channel=Channel.WHATSAPP, recipient=notification.recipient)
        # A message without a template (a bot reply) goes as text whatever our record of the
        # window says: WhatsApp itself refuses it (131047) when the window is really closed.
        if not context.get("force_template") and (in_window or not has_template):
            try:
                return self._post(notification, self._text(notification), "text")
            except WindowClosed:
                if not has_template:
                    raise
                # Our record of the window was stale: the template is the way.
        return self._post(notification, self._template(notification), "template")

    def _envelope(self, notification: Notification) -> dict:
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": wa_address(notification.recipient),
            "biz_opaque_callback_data": callback_data(notification.pk),
        }

    def _text(self, notification: Notification) -> dict:
        return {
            **self._envelope(notification),
            "type": "text",
            "text": {"preview_url": False, "body": notification.body},
        }

    def _template(self, notification: Notification) -> dict:
        params = (notification.context or {}).get("params")
        if params is None:
            raise PermanentFailure(NO_TEMPLATE % notification.template)
        return {
            **self._envelope(notification),
            "type": "template",
            "template": {
                "name": template_name(notification.template),
                "language": {"code": notification.language, "policy": "deterministic"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "text": value} for value in params],
                    }
                ],
            },
        }

    def _post(self, notification: Notification, payload: dict, kind: str) -> SendResult:
        url = f"{settings.WHATSAPP_API_BASE_URL}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
        response = http.post_json(
            url, payload, headers={"Authorization": f"Bearer {settings.WHATSAPP_ACCESS_TOKEN}"}
        )
        data = response.json()
        if not response.ok:
            error = data.get("error") if isinstance(data, dict) else None
            code = str(error.get("code", "")) if isinstance(error, dict) else ""
            detail = f"WhatsApp HTTP {response.status} error {code}: {response.body[:500]!r}"
            if code == WHATSAPP_REENGAGEMENT_CODE:
                raise WindowClosed(detail)
            if code in RATE_LIMIT_CODES or code in TRANSIENT_CODES:
                raise TemporaryFailure(detail)
            http.raise_for_status(response, "WhatsApp")
        try:
            message_id = data["messages"][0]["id"]
        except (KeyError, IndexError, TypeError):
            # Taken or not, we cannot tell: the status webhook (our id rides along) decides.
            raise OutcomeUnknown(NO_MESSAGE_ID % response.body[:200]) from None
        name = payload["template"]["name"] if kind == "template" else ""
        return SendResult(provider_message_id=message_id, detail=f"{kind}:{name}".rstrip(":"))
