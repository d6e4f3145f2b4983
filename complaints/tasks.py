"""Thin Celery tasks: they take ids and call services, and are safe to run twice."""

from datetime import timedelta

from celery import shared_task

from complaints.delivery import deliver, due_notification_ids

# A pending row younger than this probably still has its task in the broker.
REQUEUE_GRACE = timedelta(seconds=60)


@shared_task(name="complaints.tasks.deliver_notification")
def deliver_notification(notification_id: int) -> str:
    return deliver(notification_id)


@shared_task(name="complaints.tasks.requeue_pending_notifications")
def requeue_pending_notifications() -> int:
    ids = due_notification_ids(grace=REQUEUE_GRACE)
    for pk in ids:
        deliver_notification.delay(pk)
    return len(ids)
