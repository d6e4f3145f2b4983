"""The Celery app against a real broker and a real worker process.

Tests that touch the database commit for real (the ``committed_db`` fixture): the worker is
another process and only sees committed rows, and ``on_commit`` callbacks only run when a
transaction really commits.
"""

import pytest
from django.db import transaction

from complaints import effects
from complaints.models import Case, Notification, NotificationStatus
from complaints.services import case_transition
from complaints.workflow import CaseStatus
from config.celery import QUEUES, app
from staff.models import Technician
from staff.roles import Actor
from tests import factories
from tests.integration.worker import WorkerLauncher, queue_depths, wait_until

pytestmark = pytest.mark.integration

TASK_TIMEOUT = 60.0
# The solo pool starts and stops seconds faster than prefork; crash tests use prefork.
POOL = "solo"
SYSTEM = Actor.system("test")


class Rollback(Exception):
    """Raised inside an atomic block to roll it back."""


def route_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_celery_app_acks_late_and_requeues_work_of_a_lost_worker():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert [queue.name for queue in app.conf.task_queues] == [
        "intake",
        "notify",
        "dispatch",
        "periodic",
    ]
    assert QUEUES == ("intake", "notify", "dispatch", "periodic")


def test_celery_app_routes_each_task_family_to_its_queue():
    assert route_of("complaints.tasks.deliver_notification") == "notify"
    assert route_of("staff.tasks.dispatch_case") == "dispatch"
    assert route_of("channels_intake.tasks.process_inbound") == "intake"
    assert route_of("complaints.tasks.requeue_pending_notifications") == "periodic"


def test_rolled_back_transition_enqueues_nothing(committed_db, empty_queues):
    unit = factories.make_unit_tree()
    factories.make_technician(unit)
    with effects.suppressed():
        case = factories.open_case(unit)

    written_before_rollback: list[int] = []

    def verify_then_roll_back() -> None:
        with transaction.atomic():
            case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)
            written_before_rollback.append(Notification.objects.filter(case=case).count())
            raise Rollback

    with pytest.raises(Rollback):
        verify_then_roll_back()

    assert written_before_rollback == [1]
    assert queue_depths() == dict.fromkeys(QUEUES, 0)
    assert Notification.objects.filter(case=case).exists() is False
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECEIVED


def test_committed_transition_is_delivered_by_a_real_worker(
    celery_worker_process: WorkerLauncher,
):
    customer = factories.make_customer(factories.make_unit_tree())
    # Opened quietly, so the verification notice is the only one (nothing to coalesce with);
    # a back-office category, so nothing is dispatched.
    with effects.suppressed():
        case = factories.open_case(customer=customer, category_code="token")
    case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)

    notification = Notification.objects.get(case=case)
    assert (notification.template, notification.channel, notification.recipient) == (
        "verified",
        "whatsapp",
        "+6281234567890",
    )
    assert notification.status == NotificationStatus.PENDING
    assert queue_depths() == {"intake": 0, "notify": 1, "dispatch": 0, "periodic": 0}

    worker = celery_worker_process.start(pool=POOL)

    def sent() -> bool:
        notification.refresh_from_db()
        return notification.status == NotificationStatus.SENT

    assert wait_until(sent, timeout=TASK_TIMEOUT), worker.log_tail()
    assert notification.attempts == 1
    assert notification.sent_at is not None
    assert queue_depths() == dict.fromkeys(QUEUES, 0)


def test_verified_field_case_is_assigned_by_a_real_worker(
    celery_worker_process: WorkerLauncher,
):
    unit = factories.make_unit_tree()
    technician = factories.make_technician(unit, skills=["distribution"], capacity=2)
    with effects.suppressed():
        # Field work dispatched case by case (an outage report may join an incident instead).
        case = factories.open_case(unit, category_code="tegangan")
    case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)

    assert queue_depths() == {"intake": 0, "notify": 1, "dispatch": 1, "periodic": 0}

    worker = celery_worker_process.start(pool=POOL)

    def assigned() -> bool:
        return Case.objects.get(pk=case.pk).status == CaseStatus.ASSIGNED

    assert wait_until(assigned, timeout=TASK_TIMEOUT), worker.log_tail()
    case.refresh_from_db()
    assert case.technician_id == technician.pk
    assert Technician.objects.get(pk=technician.pk).open_jobs == 1
    # The worker wrote the assignment notice in the same transaction as the assignment.
    assert sorted(Notification.objects.filter(case=case).values_list("template", flat=True)) == [
        "assigned",
        "verified",
    ]
    assert queue_depths()["dispatch"] == 0
