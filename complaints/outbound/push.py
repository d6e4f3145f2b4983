"""Push to the mobile app in the FCM HTTP v1 shape: ``POST {FCM_API_URL}`` (the project's
``…/v1/projects/<id>/messages:send``) with ``Authorization: Bearer {FCM_ACCESS_TOKEN}``;
FCM answers ``{"name": "projects/<id>/messages/<id>"}``, kept as the provider id. The
recipient is the customer's app account; the notice goes to every device token that account
registered (``channels_intake.mobile.selectors.push_tokens_for``).

Reconciliation rule: FCM has no idempotency key, but every push of one outbox row carries the
same collapse key, notification tag and APNs collapse id, so a repeat replaces the first on
the device instead of showing twice; a send whose outcome is unknown is retried.
"""

from django.conf import settings

from complaints.models import Notification
from complaints.outbound import http
from complaints.outbound.base import (
    OutcomeUnknown,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)

NO_NAME = "FCM answered without a message name: %s"
NO_DEVICE = "The app account has no registered device."
# FCM v1 error codes: the token is gone, or the request is wrong → never retry.
PERMANENT_ERRORS = frozenset({"UNREGISTERED", "INVALID_ARGUMENT", "SENDER_ID_MISMATCH"})


def configured() -> bool:
    return bool(settings.FCM_API_URL and settings.FCM_ACCESS_TOKEN)


def collapse_id(notification: Notification) -> str:
    return f"aduan-{notification.pk}"


def device_tokens(notification: Notification) -> list[str]:
    """An app account id resolves to its registered devices; anything else is taken as a
    device token given directly."""
    from channels_intake.mobile.selectors import push_tokens_for

    recipient = notification.recipient
    return push_tokens_for(recipient) if recipient.isdigit() else [recipient]


def fcm_message(notification: Notification, token: str) -> dict:
    context = notification.context or {}
    tag = collapse_id(notification)
    # FCM "data" is a string → string map; anything else is a 400.
    data = {
        "notification_id": str(notification.pk),
        "event": notification.template,
        "ticket": str(context.get("ticket", "")),
    }
    return {
        "message": {
            "token": token,
            "notification": {
                "title": context.get("title") or context.get("ticket") or "PLN",
                "body": notification.body,
            },
            "data": data,
            "android": {"priority": "high", "collapse_key": tag, "notification": {"tag": tag}},
            "apns": {"headers": {"apns-collapse-id": tag, "apns-priority": "10"}},
        }
    }


class FcmBackend:
    name = "push"
    retry_safe = True

    def send(self, notification: Notification) -> SendResult:
        tokens = device_tokens(notification)
        if not tokens:
            raise PermanentFailure(NO_DEVICE)
        # One FCM v1 request per device; a retry repeats them all, which the collapse key
        # turns into a replacement on devices that already have it.
        names = [self._send_one(notification, token) for token in tokens]
        return SendResult(provider_message_id=" ".join(names)[:200])

    def _send_one(self, notification: Notification, token: str) -> str:
        response = http.post_json(
            settings.FCM_API_URL,
            fcm_message(notification, token),
            headers={"Authorization": f"Bearer {settings.FCM_ACCESS_TOKEN}"},
        )
        data = response.json() if isinstance(response.json(), dict) else {}
        if not response.ok:
            error = data.get("error") or {}
            codes = {error.get("status", "")} if isinstance(error, dict) else set()
            for detail in error.get("details", []) if isinstance(error, dict) else []:
                if isinstance(detail, dict):
                    codes.add(detail.get("errorCode", ""))
            message = f"FCM HTTP {response.status} {sorted(c for c in codes if c)}"
            if codes & PERMANENT_ERRORS:
                raise PermanentFailure(message)
            if response.status in (429, 500, 503):
                raise TemporaryFailure(message)
            http.raise_for_status(response, "FCM")
        name = data.get("name")
        if not name:
            raise OutcomeUnknown(NO_NAME % response.body[:200])
        return str(name)
