"""Delivering outbox rows. A row is claimed under a row lock (``pending`` → ``sending``) before
the provider is called, so two workers never send the same notice."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q

from complaints import clock
from complaints.models import Notification, NotificationStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600


class DeliveryError(Exception):
    """The provider refused or could not be reached; the notice may be retried."""


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1)))


def send_local(notification: Notification) -> str:
    """No provider configured: the notice is kept in the outbox (visible in the admin)."""
    return f"local-{notification.pk}"


def deliver(notification_id: int) -> str:
    """Send one notice; returns its status afterwards. Safe to call any number of times."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:
            return "skipped"
        notification.status = NotificationStatus.SENDING
        notification.attempts += 1
        notification.save(update_fields=["status", "attempts"])
    try:
        provider_id = send_local(notification)
    except DeliveryError as exc:
        failed = notification.attempts >= MAX_ATTEMPTS
        notification.status = NotificationStatus.FAILED if failed else NotificationStatus.PENDING
        notification.last_error = str(exc)[:2000]
        notification.next_attempt_at = (
            None if failed else clock.now() + backoff(notification.attempts)
        )
        notification.save(update_fields=["status", "last_error", "next_attempt_at"])
        logger.warning(
            "notification %s failed (attempt %s): %s", notification.pk, notification.attempts, exc
        )
        return notification.status
    notification.status = NotificationStatus.SENT
    notification.provider_message_id = provider_id
    notification.sent_at = clock.now()
    notification.next_attempt_at = None
    notification.save(update_fields=["status", "provider_message_id", "sent_at", "next_attempt_at"])
    return notification.status


def due_notification_ids(*, grace: timedelta, limit: int = 500) -> list[int]:
    """Pending notices whose time has come: a retry is due, or the first task was lost (a
    row older than ``grace`` that was never attempted)."""
    now = clock.now()
    return list(
        Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
        .filter(Q(attempts__gt=0) | Q(created_at__lte=now - grace))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
