"""The Celery app. Delivery is at-least-once: every task is safe to run twice."""

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

QUEUES = ("intake", "notify", "dispatch", "periodic")

app = Celery("aduan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A task is acknowledged only after it ran, and re-queued when its worker dies mid-task:
    # a lost notification is worse than a repeated (idempotent) one.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_queues=[Queue(name) for name in QUEUES],
    task_default_queue="periodic",
    task_routes={
        "channels_intake.tasks.*": {"queue": "intake"},
        "complaints.tasks.deliver_*": {"queue": "notify"},
        "staff.tasks.dispatch_*": {"queue": "dispatch"},
    },
    task_ignore_result=True,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    timezone="UTC",
    beat_schedule={
        "requeue-pending-notifications": {
            "task": "complaints.tasks.requeue_pending_notifications",
            "schedule": 60.0,
            "options": {"queue": "periodic"},
        },
    },
)
app.autodiscover_tasks()
