"""Thin Celery tasks: they take ids and call services, and are safe to run twice."""

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings

from complaints import clock
from complaints.delivery import deliver, due_notification_ids, reconcile_in_flight

logger = logging.getLogger(__name__)

# A countdown lives in the worker as an unacknowledged message: Redis re-delivers it after
# the visibility timeout, so only short waits ride on a countdown; longer ones (a quiet period,
# a long backoff) are picked up by the requeue sweep from the row's next_attempt_at.
MAX_COUNTDOWN_SECONDS = 300


@shared_task(name="complaints.tasks.deliver_notification")
def deliver_notification(notification_id: int) -> str:
    return deliver(notification_id)


@shared_task(name="complaints.tasks.requeue_pending_notifications")
def requeue_pending_notifications() -> int:
    """The beat sweep: resolve sends a crash left open, then re-enqueue every due notice whose
    task was lost. A notice is delayed by a broker outage or a dead worker, never lost."""
    report = reconcile_in_flight()
    for pk in report.retried + report.resent:
        deliver_notification.delay(pk)
    grace = timedelta(seconds=settings.NOTIFY_REQUEUE_GRACE_SECONDS)
    ids = due_notification_ids(grace=grace)
    for pk in ids:
        deliver_notification.delay(pk)
    return len(ids) + len(report.retried) + len(report.resent)


@shared_task(name="complaints.tasks.sla_sweep")
def sla_sweep() -> int:
    """The beat task (every minute): announce SLA thresholds that have come (complaints.sla)."""
    from complaints.sla import sla_sweep as sweep

    return sweep()


def max_countdown() -> int:
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    return min(MAX_COUNTDOWN_SECONDS, visibility // 2) if visibility else MAX_COUNTDOWN_SECONDS


def kick_delivery(notification_id: int, *, due_at: datetime | None = None) -> None:
    """Enqueue the delivery of one row for when it is due. Never raises: the row is in the
    database, and the requeue sweep sends whatever a failed publish left behind."""
    delay = (due_at - clock.now()).total_seconds() if due_at else 0
    if delay > max_countdown():
        return
    try:
        if delay > 0:
            deliver_notification.apply_async((notification_id,), countdown=delay)
        else:
            deliver_notification.delay(notification_id)
    except Exception:
        logger.exception("could not enqueue notification %s; the sweep will", notification_id)
