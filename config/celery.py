"""The Celery app. Delivery is at-least-once: every task is safe to run twice."""

import os

from celery import Celery
from kombu import Exchange, Queue

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
    # One direct exchange per queue, so a queue's binding says where its messages come from.
    task_queues=[Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES],
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
        "requeue-unprocessed-inbound": {
            "task": "channels_intake.tasks.requeue_unprocessed_inbound",
            "schedule": 60.0,
            "options": {"queue": "periodic"},
        },
        # Dashboard rollups (staff.dashboards.rollups): recent days, and the full rebuild
        # once a day after 01:00 WIB. Figures are at most this interval (+ run time) old.
        "refresh-dashboard-rollups": {
            "task": "staff.tasks.refresh_dashboard_rollups",
            "schedule": 300.0,
            "options": {"queue": "periodic", "expires": 290},
        },
        # SLA thresholds (complaints.sla): at most a minute late; a run that waited longer
        # than its interval is dropped, the next one picks up where it would have.
        "sla-sweep": {
            "task": "complaints.tasks.sla_sweep",
            "schedule": 60.0,
            "options": {"queue": "periodic", "expires": 55},
        },
        "requeue-pending-notifications": {
            "task": "complaints.tasks.requeue_pending_notifications",
            "schedule": 60.0,
            "options": {"queue": "periodic"},
        },
        # Outage incidents (issue 6): storm mode's automatic switch, planned outages that
        # ended, lost fan-outs and dispatches, service-quality (TMP) figures.
        "outage-housekeeping": {
            "task": "complaints.incident_tasks.outage_housekeeping",
            "schedule": 60.0,
            "options": {"queue": "periodic", "expires": 55},
        },
    },
)
app.autodiscover_tasks()
# Issue 6: the outage-incident tasks live beside complaints/tasks.py.
app.autodiscover_tasks(["complaints"], related_name="incident_tasks")
