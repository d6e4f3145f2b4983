"""The SLA clock on real cases: pauses while waiting for the customer, the figures stored per
case, and the beat task that announces "at risk" and "breached" once each."""

import importlib
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from complaints import clock, tasks
from complaints.incidents import storm_switch
from complaints.models import Case, CaseEvent, EventKind, Notification, Priority, SlaAlert
from complaints.services import case_add_note, case_change_priority, case_transition
from complaints.sla import sla_sweep
from complaints.workflow import CaseStatus
from config.celery import app as celery_app
from staff.roles import Actor
from tests import factories
from tests.complaints.journeys import RESOLUTION

S = CaseStatus
WIB = ZoneInfo("Asia/Jakarta")
SYSTEM = Actor.system("test")
CUSTOMER = Actor.customer("whatsapp")
# Monday 2 March 2026, 10:00 WIB.
T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


@pytest.fixture
def supervisor(world):
    world.supervisor_a.email = "supervisor.a@pln.example"
    world.supervisor_a.save(update_fields=["email"])
    return world.supervisor_a


def open_field_case(world, when: datetime = T0) -> Case:
    # "padam-rumah" at its default priority (high): 45 min response, 135 min resolution.
    with clock.travel(when):
        case = factories.open_case(world.unit_a)
    assert (case.response_due_at, case.resolution_due_at) == (
        when + timedelta(minutes=45),
        when + timedelta(minutes=135),
    )
    return case


def transition(case: Case, target: str, when: datetime, actor: Actor, **fields) -> Case:
    with clock.travel(when):
        return case_transition(actor=actor, case_id=case.pk, target=target, **fields)


def respond(world, case: Case, when: datetime) -> None:
    with clock.travel(when):
        case_add_note(
            actor=world.actor(world.agent_a), case_id=case.pk, note="Kami cek.", to_customer=True
        )


def sweep(when: datetime) -> int:
    with clock.travel(when):
        return sla_sweep()


def sla_events(case: Case) -> list[tuple[str, str]]:
    return list(
        CaseEvent.objects.filter(
            case=case, kind__in=[EventKind.SLA_AT_RISK, EventKind.SLA_BREACHED]
        )
        .order_by("id")
        .values_list("kind", "data__target")
    )


def staff_notices() -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(template__startswith="staff_sla_")
        .order_by("id")
        .values_list("template", "recipient")
    )


# --- Pauses --------------------------------------------------------------------------------------


def test_waiting_for_the_customer_stops_the_clock_and_resuming_moves_the_due_times(world):
    case = open_field_case(world)
    case = transition(case, S.WAITING_CUSTOMER, at(5), SYSTEM, reason="Alamat belum jelas")

    assert (case.sla_paused_at, case.sla_check_at) == (at(5), None)

    case = transition(case, S.VERIFIED, at(65), CUSTOMER)

    case.refresh_from_db()
    assert case.sla_paused_at is None
    assert case.sla_paused_seconds == 3600
    # Field work: an hour of wall time.
    assert case.response_due_at == at(45 + 60)
    assert case.resolution_due_at == at(135 + 60)
    # Next: the response is at risk when a fifth of its 45 minutes is left.
    assert case.sla_check_at == at(45 + 60 - 9)


def test_a_response_given_before_the_pause_keeps_its_due_time(world):
    case = open_field_case(world)
    # An agent asking the customer for data is the first response.
    case = transition(
        case, S.WAITING_CUSTOMER, at(5), world.actor(world.agent_a), reason="Alamat belum jelas"
    )
    case = transition(case, S.VERIFIED, at(65), CUSTOMER)

    case.refresh_from_db()
    assert case.response_due_at == at(45)
    assert case.resolution_due_at == at(135 + 60)


def test_back_office_pauses_move_due_times_by_working_time_only(world):
    # "token" (back office, normal): 120 min response, 960 min resolution, working hours.
    with clock.travel(_wib(2026, 3, 2, 15, 0)):
        case = factories.open_case(world.unit_a, category_code="token")
    assert case.response_due_at == _wib(2026, 3, 3, 9, 0)
    assert case.resolution_due_at == _wib(2026, 3, 4, 15, 0)

    case = transition(case, S.WAITING_CUSTOMER, _wib(2026, 3, 2, 15, 30), SYSTEM, reason="Data")
    case = transition(case, S.VERIFIED, _wib(2026, 3, 3, 9, 0), CUSTOMER)

    case.refresh_from_db()
    # Paused 17.5 h of wall time, of which 1.5 h working time (15:30-16:00, 08:00-09:00).
    assert case.sla_paused_seconds == 17.5 * 3600
    assert case.response_due_at == _wib(2026, 3, 3, 10, 30)
    assert case.resolution_due_at == _wib(2026, 3, 5, 8, 30)


def test_a_priority_change_keeps_the_time_the_clock_stood_still(world):
    case = open_field_case(world)
    case = transition(case, S.WAITING_CUSTOMER, at(5), SYSTEM, reason="Alamat belum jelas")
    case = transition(case, S.VERIFIED, at(65), CUSTOMER)

    with clock.travel(at(70)):
        case_change_priority(
            actor=world.actor(world.agent_a), case_id=case.pk, priority=Priority.EMERGENCY
        )

    case.refresh_from_db()
    # Emergency: 30 / 90 minutes, plus the hour paused.
    assert case.response_due_at == at(30 + 60)
    assert case.resolution_due_at == at(90 + 60)


# --- Figures ---------------------------------------------------------------------------------


def test_figures_count_clock_time_and_whether_the_target_was_missed(world):
    case = open_field_case(world)
    case = transition(case, S.WAITING_CUSTOMER, at(5), SYSTEM, reason="Alamat belum jelas")
    case = transition(case, S.VERIFIED, at(35), CUSTOMER)
    respond(world, case, at(45))

    case.refresh_from_db()
    assert (case.response_seconds, case.response_breached) == (15 * 60, False)
    assert (case.resolution_seconds, case.resolution_breached) == (None, None)

    supervisor = world.actor(world.supervisor_a)
    for target, minute in ((S.ASSIGNED, 50), (S.DISPATCHED, 60), (S.ON_SITE, 90)):
        case = transition(case, target, at(minute), supervisor, technician=world.technician_a)
    case = transition(case, S.RESOLVED, at(200), supervisor, resolution=RESOLUTION)

    case.refresh_from_db()
    # Due at 135 + 30 paused = 165 minutes; resolved at 200 minutes, 30 of them paused.
    assert (case.resolution_seconds, case.resolution_breached) == (170 * 60, True)
    assert case.sla_check_at is None


def test_a_response_given_while_waiting_for_the_customer_does_not_count_the_pause(world):
    case = open_field_case(world)
    transition(case, S.WAITING_CUSTOMER, at(5), SYSTEM, reason="Alamat belum jelas")
    respond(world, case, at(100))

    case.refresh_from_db()
    assert (case.response_seconds, case.response_breached) == (5 * 60, False)


def test_a_late_response_is_recorded_as_breached(world):
    case = open_field_case(world)
    respond(world, case, at(50))

    case.refresh_from_db()
    assert (case.response_seconds, case.response_breached) == (50 * 60, True)


def test_a_reopened_case_keeps_its_breach_and_does_not_count_the_time_it_was_resolved(world):
    case = open_field_case(world)
    supervisor = world.actor(world.supervisor_a)
    for target, minute in ((S.VERIFIED, 1), (S.ASSIGNED, 2), (S.DISPATCHED, 3), (S.ON_SITE, 4)):
        case = transition(case, target, at(minute), supervisor, technician=world.technician_a)
    case = transition(case, S.RESOLVED, at(150), supervisor, resolution=RESOLUTION)
    assert (case.resolution_seconds, case.resolution_breached) == (150 * 60, True)

    case = transition(case, S.REOPENED, at(300), CUSTOMER, reason="Masih padam")
    case.refresh_from_db()
    assert (case.resolution_seconds, case.resolution_breached) == (None, True)
    assert case.sla_paused_seconds == 150 * 60
    assert case.resolution_alert == SlaAlert.NONE
    # A fresh 135 minutes from the reopening.
    assert case.resolution_due_at == at(300 + 135)

    case = transition(case, S.ASSIGNED, at(310), supervisor, technician=world.technician_a)
    case = transition(case, S.DISPATCHED, at(311), supervisor)
    case = transition(case, S.ON_SITE, at(312), supervisor)
    case = transition(case, S.RESOLVED, at(320), supervisor, resolution=RESOLUTION)

    case.refresh_from_db()
    # 150 minutes to the first resolution, 20 more after the reopening.
    assert (case.resolution_seconds, case.resolution_breached) == (170 * 60, True)


# --- The beat task ---------------------------------------------------------------------------


def test_at_risk_then_breached_are_announced_once_each(world, supervisor):
    case = open_field_case(world)
    respond(world, case, at(1))

    # The resolution target (135 min) is at risk from 108 minutes on.
    assert sweep(at(107)) == 0
    assert sweep(at(108)) == 1
    assert sweep(at(109)) == 0
    assert sweep(at(134)) == 0
    assert sweep(at(135)) == 1
    assert sweep(at(136)) == 0
    assert sweep(at(10_000)) == 0

    assert sla_events(case) == [
        (EventKind.SLA_AT_RISK, "resolution"),
        (EventKind.SLA_BREACHED, "resolution"),
    ]
    assert staff_notices() == [
        ("staff_sla_at_risk", supervisor.email),
        ("staff_sla_breached", supervisor.email),
    ]
    case.refresh_from_db()
    assert (case.response_alert, case.resolution_alert, case.sla_check_at) == (
        SlaAlert.NONE,
        SlaAlert.BREACHED,
        None,
    )


def test_the_supervisors_notice_names_the_target_and_the_local_due_time(world, supervisor):
    case = open_field_case(world)
    respond(world, case, at(1))
    sweep(at(135))

    event = CaseEvent.objects.get(case=case, kind=EventKind.SLA_BREACHED)
    assert event.actor_label == "system:sla"
    assert event.data["due_label"] == "02-03-2026 12:15 WIB"
    notice = Notification.objects.get(template="staff_sla_breached")
    assert notice.context["subject"] == f"[#{case.ticket}] SLA terlampaui — {world.unit_a}"
    assert "melewati batas target penyelesaian (02-03-2026 12:15 WIB)" in notice.body


def test_a_late_run_announces_only_the_highest_threshold_of_each_target(world, supervisor):
    case = open_field_case(world)

    assert sweep(at(500)) == 2

    assert sla_events(case) == [
        (EventKind.SLA_BREACHED, "response"),
        (EventKind.SLA_BREACHED, "resolution"),
    ]
    assert len(staff_notices()) == 2


def test_an_unanswered_case_is_at_risk_of_missing_its_response(world, supervisor):
    case = open_field_case(world)

    # 45 minutes to respond: at risk from 36.
    assert sweep(at(36)) == 1
    respond(world, case, at(40))
    # Answered: the response target is done; nothing more until the resolution is at risk.
    assert sweep(at(50)) == 0

    assert sla_events(case) == [(EventKind.SLA_AT_RISK, "response")]


def test_a_paused_case_is_not_announced(world, supervisor):
    case = open_field_case(world)
    transition(case, S.WAITING_CUSTOMER, at(5), SYSTEM, reason="Alamat belum jelas")

    assert sweep(at(10_000)) == 0
    assert sla_events(case) == []


def test_back_office_risk_counts_working_time_left(world, supervisor):
    # "token": opened Monday 10:00, resolution due Wednesday 10:00 (16 working hours); at risk
    # with 192 working minutes left: Tuesday 14:48.
    with clock.travel(_wib(2026, 3, 2, 10, 0)):
        case = factories.open_case(world.unit_a, category_code="token")
    respond(world, case, _wib(2026, 3, 2, 10, 5))

    assert sweep(_wib(2026, 3, 3, 14, 47)) == 0
    assert sweep(_wib(2026, 3, 3, 14, 48)) == 1
    assert sla_events(case) == [(EventKind.SLA_AT_RISK, "resolution")]


def test_a_storm_stops_the_back_office_clock_so_its_old_thresholds_are_not_announced(
    world, supervisor
):
    # "token" (back office, normal): opened Monday 10:00, resolution due Wednesday 10:00, at
    # risk from Tuesday 14:48. A storm from Tuesday 09:00 to Wednesday 12:00 (27 hours) stops
    # its clock: its due time moves to Thursday 13:00, at risk from Thursday 09:48.
    with clock.travel(_wib(2026, 3, 2, 10, 0)):
        case = factories.open_case(world.unit_a, category_code="token")
    respond(world, case, _wib(2026, 3, 2, 10, 5))
    supervisor_actor = world.actor(world.supervisor_a)
    with clock.travel(_wib(2026, 3, 3, 9, 0)):
        storm_switch(
            actor=supervisor_actor, service_unit_id=world.unit_a.pk, on=True, reason="Badai"
        )

    assert sweep(_wib(2026, 3, 3, 14, 48)) == 0
    assert sweep(_wib(2026, 3, 4, 11, 0)) == 0
    assert (sla_events(case), staff_notices()) == ([], [])

    with clock.travel(_wib(2026, 3, 4, 12, 0)):
        storm_switch(
            actor=supervisor_actor, service_unit_id=world.unit_a.pk, on=False, reason="Reda"
        )
    case.refresh_from_db()
    assert case.resolution_due_at == _wib(2026, 3, 5, 13, 0)

    assert sweep(_wib(2026, 3, 4, 12, 5)) == 0
    assert sweep(_wib(2026, 3, 5, 9, 47)) == 0
    assert sweep(_wib(2026, 3, 5, 9, 48)) == 1
    assert sla_events(case) == [(EventKind.SLA_AT_RISK, "resolution")]
    assert staff_notices() == [("staff_sla_at_risk", supervisor.email)]


def test_a_lower_priority_rearms_a_threshold_the_new_target_has_not_reached(world, supervisor):
    case = open_field_case(world)
    respond(world, case, at(1))
    assert sweep(at(110)) == 1

    with clock.travel(at(111)):
        case_change_priority(
            actor=world.actor(world.agent_a), case_id=case.pk, priority=Priority.LOW
        )
    # Low: 270 minutes, at risk from 216.
    assert sweep(at(215)) == 0
    assert sweep(at(216)) == 1

    assert sla_events(case) == [
        (EventKind.SLA_AT_RISK, "resolution"),
        (EventKind.SLA_AT_RISK, "resolution"),
    ]


def test_a_higher_priority_does_not_announce_a_passed_threshold_twice(world, supervisor):
    case = open_field_case(world)
    respond(world, case, at(1))
    assert sweep(at(110)) == 1

    with clock.travel(at(111)):
        case_change_priority(
            actor=world.actor(world.agent_a), case_id=case.pk, priority=Priority.EMERGENCY
        )
    # Emergency: 90 minutes, already past: only the breach is new.
    assert sweep(at(112)) == 1

    assert sla_events(case) == [
        (EventKind.SLA_AT_RISK, "resolution"),
        (EventKind.SLA_BREACHED, "resolution"),
    ]


def test_a_priority_change_while_paused_keeps_what_was_announced(world, supervisor):
    case = open_field_case(world)
    respond(world, case, at(1))
    assert sweep(at(110)) == 1
    case = transition(case, S.WAITING_CUSTOMER, at(111), SYSTEM, reason="Alamat belum jelas")
    with clock.travel(at(112)):
        case_change_priority(
            actor=world.actor(world.agent_a), case_id=case.pk, priority=Priority.EMERGENCY
        )
    transition(case, S.VERIFIED, at(171), CUSTOMER)

    # Emergency: due 90 minutes after opening, plus the hour paused.
    assert sweep(at(149)) == 0
    assert sweep(at(150)) == 1
    assert sla_events(case) == [
        (EventKind.SLA_AT_RISK, "resolution"),
        (EventKind.SLA_BREACHED, "resolution"),
    ]


def test_the_sweep_is_batch_limited_oldest_first(world):
    cases = [open_field_case(world, at(n)) for n in range(3)]

    with clock.travel(at(500)):
        assert sla_sweep(limit=2) == 4

    assert [len(sla_events(case)) for case in cases] == [2, 2, 0]


def test_the_beat_runs_the_sweep_every_minute_on_the_periodic_queue(world, supervisor):
    entry = celery_app.conf.beat_schedule["sla-sweep"]
    assert (entry["task"], entry["schedule"]) == (tasks.sla_sweep.name, 60.0)
    assert entry["options"] == {"queue": "periodic", "expires": 55}

    case = open_field_case(world)
    with clock.travel(at(500)):
        assert tasks.sla_sweep() == 2
    assert len(sla_events(case)) == 2


def test_the_sweep_query_reads_the_partial_index(db):
    now = T0
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        query = (
            Case.objects.filter(sla_check_at__isnull=False, sla_check_at__lte=now)
            .order_by("sla_check_at")
            .values_list("pk", flat=True)[:500]
        )
        plan = query.explain()

    assert "case_sla_check_due" in plan


# --- Concurrency (real transactions) -----------------------------------------------------------


def _in_thread(function, *args):
    result: list = []

    def run():
        try:
            result.append(function(*args))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_announce_each_threshold_once(world, supervisor):
    case = open_field_case(world)
    respond(world, case, at(1))
    barrier = threading.Barrier(2)

    def run() -> int:
        barrier.wait()
        return sweep(at(200))

    runs = [_in_thread(run) for _ in range(2)]
    for thread, _ in runs:
        thread.join()

    assert sum(result[0] for _, result in runs) == 1
    assert sla_events(case) == [(EventKind.SLA_BREACHED, "resolution")]
    assert len(staff_notices()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_case_locked_by_a_service_is_skipped_and_announced_by_the_next_run(world, supervisor):
    case = open_field_case(world)
    respond(world, case, at(1))
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with transaction.atomic():
            Case.objects.select_for_update().get(pk=case.pk)
            locked.set()
            release.wait(10)

    holder, _ = _in_thread(hold_lock)
    locked.wait(10)
    try:
        assert sweep(at(200)) == 0
    finally:
        release.set()
        holder.join()

    assert sweep(at(201)) == 1
    assert sla_events(case) == [(EventKind.SLA_BREACHED, "resolution")]


# --- The migration's first schedule for cases already open ----------------------------------


def test_the_migration_schedules_open_cases_and_records_old_breaches_silently(world):
    migration = importlib.import_module("complaints.migrations.0013_sla_clock")
    old = open_field_case(world)
    waiting = transition(
        open_field_case(world), S.WAITING_CUSTOMER, at(5), SYSTEM, reason="Alamat belum jelas"
    )
    recent = factories.open_case(world.unit_a)
    Case.objects.update(sla_check_at=None, sla_paused_at=None)

    with connection.cursor() as cursor:
        cursor.execute(migration.PAUSE_STARTS)
        cursor.execute(migration.FIRST_CHECKS)

    old.refresh_from_db()
    waiting.refresh_from_db()
    recent.refresh_from_db()
    assert (old.response_alert, old.resolution_alert, old.sla_check_at) == (
        SlaAlert.BREACHED,
        SlaAlert.BREACHED,
        None,
    )
    assert (waiting.sla_paused_at, waiting.sla_check_at) == (at(5), None)
    # Opened now: first checked at 80 % of the 45 response minutes.
    assert (recent.response_alert, recent.sla_check_at) == (
        SlaAlert.NONE,
        recent.created_at + timedelta(minutes=36),
    )
    assert CaseEvent.objects.filter(kind__startswith="sla_").count() == 0
