"""Integrators' webhooks (complaints.webhooks): POST the stored JSON body to the subscription's
URL, signed for this attempt with its secret.

Reconciliation rule: every attempt of one outbox row carries the same ``X-Aduan-Delivery`` id,
and receivers are told to de-duplicate on it (the usual at-least-once webhook contract), so a
send whose outcome is unknown is simply retried."""

from complaints import clock
from complaints.models import Notification, WebhookSubscription
from complaints.outbound import http
from complaints.outbound.base import PermanentFailure, SendResult

SUBSCRIPTION_GONE = "Webhook subscription %s was deleted or deactivated."


def configured() -> bool:
    # A webhook row exists only because someone subscribed: its URL is the configuration.
    return True


class WebhookBackend:
    name = "webhook"
    retry_safe = True

    def send(self, notification: Notification) -> SendResult:
        from complaints.webhooks import (
            DELIVERY_HEADER,
            EVENT_HEADER,
            SIGNATURE_HEADER,
            TIMESTAMP_HEADER,
            sign,
        )

        subscription = (
            WebhookSubscription.objects.filter(pk=int(notification.recipient), active=True).first()
            if notification.recipient.isdigit()
            else None
        )
        if subscription is None:
            raise PermanentFailure(SUBSCRIPTION_GONE % notification.recipient)
        body = notification.body.encode()
        # Signed per attempt: a retry an hour later still passes the receiver's freshness check.
        timestamp = str(int(clock.now().timestamp()))
        headers = {
            EVENT_HEADER: notification.context.get("event", ""),
            DELIVERY_HEADER: str(notification.pk),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(subscription.secret, timestamp, body),
        }
        response = http.post(
            subscription.url, body, content_type="application/json", headers=headers
        )
        http.raise_for_status(response, "webhook")
        return SendResult(provider_message_id=f"webhook-{notification.pk}")
