"""No provider configured (the ``make run`` default): the notice is kept in the outbox and
read in the admin. Nothing leaves the machine, so there is nothing to reconcile."""

from complaints.models import Notification
from complaints.outbound.base import SendResult


class LocalBackend:
    name = "local"
    retry_safe = True

    def send(self, notification: Notification) -> SendResult:
        return SendResult(provider_message_id=f"local-{notification.pk}")
