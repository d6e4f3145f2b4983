"""Opening cases and moving them through the workflow."""

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from complaints import clock, effects
from complaints.errors import (
    ILLEGAL_TRANSITION,
    MERGE_TARGET_INVALID,
    NO_SERVICE_UNIT,
    STALE_CASE,
    IllegalTransition,
    InvalidInput,
    MissingField,
    StaleCase,
)
from complaints.models import (
    Case,
    CaseEvent,
    Channel,
    ContactKind,
    EventKind,
    Notification,
    NotificationStatus,
    Priority,
)
from complaints.services import Reporter, case_merge, case_open, case_transition
from complaints.workflow import TRANSITIONS, CaseStatus
from staff.models import Technician
from staff.roles import Actor, Role
from tests import factories
from tests.complaints.journeys import REASON, RESOLUTION, move, timeline, walk_to

S = CaseStatus
TICKET = re.compile(r"^ADU-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
# Monday 2 March 2026, 10:00 WIB.
MONDAY_10_WIB = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
WHATSAPP_REPORTER = Reporter(
    name="Budi", contact_kind=ContactKind.WHATSAPP, contact="+6281234567890"
)


def _snapshot(case: Case) -> tuple:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.updated_at,
        fresh.technician_id,
        fresh.merged_into_id,
        CaseEvent.objects.filter(case=case).count(),
        Notification.objects.filter(case=case).count(),
    )


# --- case_open ---


def test_opening_a_case_issues_a_ticket_and_records_created(world):
    actor = world.actor(world.agent_a)

    with clock.travel(MONDAY_10_WIB):
        case = factories.open_case(world.unit_a, actor=actor, channel=Channel.CALL_CENTER)

    case.refresh_from_db()
    assert TICKET.fullmatch(case.ticket)
    assert case.status == S.RECEIVED
    assert case.version == 1
    assert case.created_at == case.updated_at == MONDAY_10_WIB
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.from_status, event.to_status) == (EventKind.CREATED, "", S.RECEIVED)
    assert (event.actor, event.actor_label, event.created_at) == (
        world.agent_a,
        "agent_a",
        MONDAY_10_WIB,
    )
    assert event.data == {"channel": "call_center", "category": "padam-rumah", "priority": 2}


@pytest.mark.parametrize(
    ("category_code", "priority"),
    [("padam-rumah", Priority.HIGH), ("tegangan", Priority.NORMAL), ("tagihan", Priority.LOW)],
)
def test_opening_takes_the_priority_from_the_category(world, category_code, priority):
    case = factories.open_case(world.unit_a, category_code=category_code)

    assert case.priority == priority


def test_opening_with_an_explicit_priority_overrides_the_default(world):
    case = factories.open_case(world.unit_a, category_code="tagihan", priority=Priority.HIGH)

    assert case.priority == Priority.HIGH


def test_a_hazard_is_always_an_emergency(world):
    case = factories.open_case(world.unit_a, category_code="bahaya", priority=Priority.LOW)

    assert case.category.is_hazard
    assert case.priority == Priority.EMERGENCY


def test_opening_a_field_case_sets_due_times_around_the_clock(world):
    with clock.travel(MONDAY_10_WIB):
        case = factories.open_case(world.unit_a, category_code="padam-rumah")

    # padam-rumah: 60/180 minutes at priority high (x0.75).
    assert case.response_due_at == MONDAY_10_WIB + timedelta(minutes=45)
    assert case.resolution_due_at == MONDAY_10_WIB + timedelta(minutes=135)


def test_opening_a_back_office_case_sets_due_times_on_the_units_hours(world):
    # 15:00 WITA on a Monday; token: 120/960 working minutes at priority normal.
    at = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
    with clock.travel(at):
        case = factories.open_case(world.unit_b, category_code="token")

    assert case.response_due_at == datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # Tue 09:00 WITA
    assert case.resolution_due_at == datetime(2026, 3, 4, 7, 0, tzinfo=UTC)  # Wed 15:00 WITA


def test_opening_writes_a_pending_notice_to_the_reporter_in_the_outbox(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        case = factories.open_case(world.unit_a, reporter=WHATSAPP_REPORTER)

    created = CaseEvent.objects.get(case=case, kind=EventKind.CREATED)
    notification = Notification.objects.get(case=case)
    assert notification.event == created
    assert notification.idempotency_key == f"case-event:{created.pk}:received"
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 0
    assert (notification.channel, notification.recipient, notification.template) == (
        Channel.WHATSAPP,
        "+6281234567890",
        "received",
    )
    assert case.ticket in notification.body
    # Delivery is queued for after commit, never sent inside the transaction.
    assert len(callbacks) == 1


def test_the_notice_is_written_in_the_same_transaction_as_the_case(world):
    class Abort(Exception):
        pass

    opened = []

    def open_then_fail():
        with transaction.atomic():
            case = factories.open_case(world.unit_a, reporter=WHATSAPP_REPORTER)
            opened.append((case.pk, Notification.objects.filter(case=case).count()))
            raise Abort

    with pytest.raises(Abort):
        open_then_fail()

    [(case_id, notices_inside)] = opened
    assert notices_inside == 1
    assert not Case.objects.filter(pk=case_id).exists()
    assert not Notification.objects.filter(case_id=case_id).exists()


def test_a_phone_reporter_is_answered_by_sms(world):
    reporter = Reporter(name="Siti", contact_kind=ContactKind.PHONE, contact="+6281111111111")

    case = factories.open_case(world.unit_a, channel=Channel.CALL_CENTER, reporter=reporter)

    assert Notification.objects.get(case=case).channel == "sms"


def test_a_reporter_without_contact_gets_no_notice(world, django_capture_on_commit_callbacks):
    customer = factories.make_customer(world.unit_a)

    with django_capture_on_commit_callbacks() as callbacks:
        case = factories.open_case(customer=customer, reporter=Reporter(name="Anonim"))

    assert Notification.objects.filter(case=case).count() == 0
    assert callbacks == []


def test_no_notice_while_side_effects_are_suppressed(world):
    with effects.suppressed():
        case = factories.open_case(world.unit_a, reporter=WHATSAPP_REPORTER)

    assert Notification.objects.filter(case=case).count() == 0


def test_a_customers_case_goes_to_the_customers_unit_and_address(world):
    customer = factories.make_customer(world.unit_b, address="Jl. Sunset Road 7, Kuta")

    case = factories.open_case(customer=customer)

    assert case.service_unit == world.unit_b
    assert case.customer == customer
    assert case.location_text == "Jl. Sunset Road 7, Kuta"


def test_a_report_without_customer_goes_to_the_given_unit(world):
    case = factories.open_case(world.unit_b, location_text="Tiang miring depan pasar")

    assert case.customer is None
    assert case.service_unit == world.unit_b
    assert case.location_text == "Tiang miring depan pasar"


def test_a_report_without_customer_needs_a_service_unit(world):
    with pytest.raises(InvalidInput) as excinfo:
        case_open(
            actor=Actor.system("test"),
            channel=Channel.SOCIAL,
            category=factories.category("bahaya"),
            description="Kabel putus di jalan",
        )

    assert excinfo.value.message == str(NO_SERVICE_UNIT)
    assert Case.objects.count() == 0


@pytest.mark.parametrize("description", ["", "   \n"])
def test_a_case_needs_a_description(world, description):
    with pytest.raises(MissingField) as excinfo:
        factories.open_case(world.unit_a, description=description)

    assert excinfo.value.field == "description"
    assert Case.objects.count() == 0


def test_a_ticket_collision_is_retried_with_a_fresh_number(world, monkeypatch):
    existing = factories.open_case(world.unit_a)
    numbers = iter([existing.ticket, existing.ticket, "ADU-0000-0000"])
    monkeypatch.setattr("complaints.services.new_ticket_number", lambda: next(numbers))

    case = factories.open_case(world.unit_a)

    assert case.ticket == "ADU-0000-0000"
    assert Case.objects.count() == 2


def test_a_ticket_that_keeps_colliding_fails_loudly(world, monkeypatch):
    existing = factories.open_case(world.unit_a)
    monkeypatch.setattr("complaints.services.new_ticket_number", lambda: existing.ticket)

    with pytest.raises(IntegrityError):
        factories.open_case(world.unit_a)

    assert Case.objects.count() == 1


# --- case_transition ---


@pytest.mark.parametrize(
    "transition", TRANSITIONS, ids=[f"{t.source}->{t.target}" for t in TRANSITIONS]
)
def test_each_legal_transition_writes_one_status_changed_event(world, transition):
    supervisor = world.actor(world.supervisor_a)
    # The supervisor may make nearly every move; the few left are the system's.
    if Role.SUPERVISOR in transition.roles:
        actor, user, label = supervisor, world.supervisor_a, "supervisor_a"
    else:
        actor, user, label = Actor.system("incidents"), None, "system:incidents"
    case = walk_to(
        factories.open_case(world.unit_a),
        transition.source,
        actor=supervisor,
        technician=world.technician_a,
    )
    before = timeline(case)
    version = case.version
    survivor = factories.open_case(world.unit_a)

    case = case_transition(
        actor=actor,
        case_id=case.pk,
        target=transition.target,
        reason=REASON,
        resolution=RESOLUTION,
        technician=world.technician_a,
        merged_into=survivor,
    )

    case.refresh_from_db()
    assert case.status == transition.target
    assert case.version == version + 1
    assert timeline(case) == [
        *before,
        (EventKind.STATUS_CHANGED, transition.source, transition.target),
    ]
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.actor, event.actor_label) == (user, label)
    assert event.created_at == case.updated_at


def test_the_event_of_a_system_actor_names_the_system(world):
    case = factories.open_case(world.unit_a)

    move(case, S.VERIFIED, actor=Actor.system("intake"))

    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.actor, event.actor_label) == (None, "system:intake")


def test_the_reason_is_the_events_note(world):
    case = factories.open_case(world.unit_a)

    case_transition(
        actor=world.actor(world.agent_a),
        case_id=case.pk,
        target=S.REJECTED,
        reason="  Bukan wilayah PLN  ",
    )

    assert CaseEvent.objects.filter(case=case).latest("id").note == "Bukan wilayah PLN"


def test_an_illegal_transition_is_refused_and_writes_nothing(world):
    case = factories.open_case(world.unit_a)
    before = _snapshot(case)

    with pytest.raises(IllegalTransition) as excinfo:
        case_transition(actor=world.actor(world.supervisor_a), case_id=case.pk, target=S.CLOSED)

    assert excinfo.value.message == str(ILLEGAL_TRANSITION) % {
        "ticket": case.ticket,
        "source": "received",
        "target": "closed",
    }
    assert case.ticket in excinfo.value.message
    assert _snapshot(case) == before


@pytest.mark.parametrize("terminal", [S.REJECTED, S.CLOSED])
def test_a_finished_case_cannot_be_verified_again(world, terminal):
    supervisor = world.actor(world.supervisor_a)
    case = walk_to(
        factories.open_case(world.unit_a), terminal, actor=supervisor, technician=world.technician_a
    )
    before = _snapshot(case)

    with pytest.raises(IllegalTransition):
        move(case, S.VERIFIED, actor=supervisor)

    assert _snapshot(case) == before


@pytest.mark.parametrize(
    ("source", "target", "field"),
    [
        (S.RECEIVED, S.REJECTED, "reason"),
        (S.RECEIVED, S.WAITING_CUSTOMER, "reason"),
        (S.CLOSED, S.REOPENED, "reason"),
        (S.VERIFIED, S.ASSIGNED, "technician"),
        (S.ON_SITE, S.RESOLVED, "resolution"),
        (S.VERIFIED, S.RESOLVED, "resolution"),
        (S.VERIFIED, S.MERGED, "merged_into"),
    ],
)
def test_a_transition_without_its_required_field_is_refused(world, source, target, field):
    supervisor = world.actor(world.supervisor_a)
    case = walk_to(
        factories.open_case(world.unit_a), source, actor=supervisor, technician=world.technician_a
    )
    before = _snapshot(case)
    open_jobs = Technician.objects.get(pk=world.technician_a.pk).open_jobs

    with pytest.raises(MissingField) as excinfo:
        case_transition(actor=supervisor, case_id=case.pk, target=target, reason="   ")

    assert excinfo.value.field == field
    assert excinfo.value.message == f"Perubahan ini memerlukan isian: {field}."
    assert _snapshot(case) == before
    world.technician_a.refresh_from_db()
    assert world.technician_a.open_jobs == open_jobs


def test_a_stale_version_is_refused_and_the_other_change_stays(world):
    case = factories.open_case(world.unit_a)
    page_version = case.version
    case_transition(
        actor=world.actor(world.agent_a),
        case_id=case.pk,
        target=S.VERIFIED,
        expected_version=page_version,
    )

    with pytest.raises(StaleCase) as excinfo:
        case_transition(
            actor=world.actor(world.supervisor_a),
            case_id=case.pk,
            target=S.REJECTED,
            reason="Duplikat",
            expected_version=page_version,
        )

    assert excinfo.value.message == str(STALE_CASE) % {
        "ticket": case.ticket,
        "expected": 1,
        "current": 2,
    }
    case.refresh_from_db()
    assert (case.status, case.version) == (S.VERIFIED, 2)
    assert timeline(case) == [
        (EventKind.CREATED, "", S.RECEIVED),
        (EventKind.STATUS_CHANGED, S.RECEIVED, S.VERIFIED),
    ]


def test_the_current_version_is_accepted(world):
    case = factories.open_case(world.unit_a)

    case = case_transition(
        actor=world.actor(world.agent_a), case_id=case.pk, target=S.VERIFIED, expected_version=1
    )

    assert case.version == 2


def test_first_response_is_the_first_desk_action(world):
    case = factories.open_case(world.unit_a)
    later = MONDAY_10_WIB + timedelta(minutes=7)

    with clock.travel(later):
        move(case, S.VERIFIED, actor=world.actor(world.agent_a))

    case.refresh_from_db()
    assert case.first_response_at == later


def test_a_system_verification_is_not_a_first_response(world):
    case = factories.open_case(world.unit_a)

    move(case, S.VERIFIED, actor=Actor.system("intake"))

    case.refresh_from_db()
    assert case.first_response_at is None


def test_resolving_and_closing_stamp_their_times(world):
    supervisor = world.actor(world.supervisor_a)
    case = walk_to(
        factories.open_case(world.unit_a),
        S.ON_SITE,
        actor=supervisor,
        technician=world.technician_a,
    )
    resolved_at = MONDAY_10_WIB + timedelta(hours=2)
    closed_at = resolved_at + timedelta(days=1)

    with clock.travel(resolved_at):
        move(case, S.RESOLVED, actor=supervisor)
    with clock.travel(closed_at):
        move(case, S.CLOSED, actor=Actor.customer("whatsapp"))

    case.refresh_from_db()
    assert (case.resolved_at, case.closed_at) == (resolved_at, closed_at)


def test_reopening_gives_a_fresh_resolution_target(world):
    supervisor = world.actor(world.supervisor_a)
    with clock.travel(MONDAY_10_WIB):
        case = walk_to(
            factories.open_case(world.unit_a),
            S.RESOLVED,
            actor=supervisor,
            technician=world.technician_a,
        )
    reopened_at = MONDAY_10_WIB + timedelta(days=3)

    with clock.travel(reopened_at):
        move(case, S.REOPENED, actor=Actor.customer("whatsapp"))

    case.refresh_from_db()
    assert case.resolution_due_at == reopened_at + timedelta(minutes=135)
    assert case.response_due_at == MONDAY_10_WIB + timedelta(minutes=45)


def test_a_transition_with_a_notice_writes_it_to_the_outbox(world):
    case = factories.open_case(world.unit_a, reporter=WHATSAPP_REPORTER)

    move(case, S.VERIFIED, actor=world.actor(world.agent_a))

    event = CaseEvent.objects.filter(case=case).latest("id")
    notification = Notification.objects.get(event=event)
    assert notification.idempotency_key == f"case-event:{event.pk}:verified"
    assert notification.template == "verified"
    assert notification.status == NotificationStatus.PENDING


def test_verifying_a_field_case_dispatches_a_technician_after_commit(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("staff.tasks.dispatch_case.delay", queued.append)
    case = factories.open_case(world.unit_a, reporter=Reporter())

    with django_capture_on_commit_callbacks() as callbacks:
        move(case, S.VERIFIED, actor=world.actor(world.agent_a))
        assert queued == []

    assert len(callbacks) == 1
    callbacks[0]()
    assert queued == [case.pk]


def test_verifying_a_back_office_case_dispatches_nobody(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("staff.tasks.dispatch_case.delay", queued.append)
    case = factories.open_case(world.unit_a, category_code="tagihan", reporter=Reporter())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        move(case, S.VERIFIED, actor=world.actor(world.agent_a))

    assert callbacks == []
    assert queued == []


# --- merging ---


def test_merging_points_at_the_surviving_case_and_records_it_there(world):
    agent = world.actor(world.agent_a)
    survivor = factories.open_case(world.unit_a)
    duplicate = factories.open_case(world.unit_a, reporter=WHATSAPP_REPORTER)

    case_merge(actor=agent, case_id=duplicate.pk, into_case_id=survivor.pk)

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (S.MERGED, survivor)
    changed = CaseEvent.objects.filter(case=duplicate).latest("id")
    assert changed.data == {"merged_into": survivor.pk, "merged_into_ticket": survivor.ticket}
    merged_in = CaseEvent.objects.filter(case=survivor).latest("id")
    assert (merged_in.kind, merged_in.actor) == (EventKind.MERGED_IN, world.agent_a)
    assert merged_in.data == {"case": duplicate.pk, "ticket": duplicate.ticket}
    # The reporter of the duplicate is told the surviving ticket.
    notice = Notification.objects.get(event=changed)
    assert notice.template == "merged"
    assert survivor.ticket in notice.body


@pytest.mark.parametrize("target_status", [S.REJECTED, S.CLOSED, S.RESOLVED])
def test_merging_into_a_case_that_is_not_open_is_refused(world, target_status):
    supervisor = world.actor(world.supervisor_a)
    target = walk_to(
        factories.open_case(world.unit_a),
        target_status,
        actor=supervisor,
        technician=world.technician_a,
    )
    duplicate = factories.open_case(world.unit_a)
    before = _snapshot(duplicate), _snapshot(target)

    with pytest.raises(InvalidInput) as excinfo:
        case_merge(actor=supervisor, case_id=duplicate.pk, into_case_id=target.pk)

    assert excinfo.value.message == str(MERGE_TARGET_INVALID)
    assert (_snapshot(duplicate), _snapshot(target)) == before


def test_merging_into_a_merged_case_is_refused(world):
    agent = world.actor(world.agent_a)
    survivor = factories.open_case(world.unit_a)
    first = factories.open_case(world.unit_a)
    second = factories.open_case(world.unit_a)
    case_merge(actor=agent, case_id=first.pk, into_case_id=survivor.pk)

    with pytest.raises(InvalidInput):
        case_merge(actor=agent, case_id=second.pk, into_case_id=first.pk)

    second.refresh_from_db()
    assert (second.status, second.merged_into) == (S.RECEIVED, None)


def test_a_case_cannot_be_merged_into_itself(world):
    case = factories.open_case(world.unit_a)
    before = _snapshot(case)

    with pytest.raises(InvalidInput):
        case_merge(actor=world.actor(world.agent_a), case_id=case.pk, into_case_id=case.pk)

    assert _snapshot(case) == before


def test_a_merged_case_is_final(world):
    agent = world.actor(world.agent_a)
    survivor = factories.open_case(world.unit_a)
    duplicate = factories.open_case(world.unit_a)
    case_merge(actor=agent, case_id=duplicate.pk, into_case_id=survivor.pk)

    with pytest.raises(IllegalTransition):
        move(duplicate, S.VERIFIED, actor=agent)


@pytest.mark.django_db(transaction=True)
def test_a_case_being_changed_does_not_block_new_reports_of_its_category(world):
    # The row lock of a change covers the case only. Locking its category row too would make
    # every new case of that category (whose foreign key check takes a share lock on it) wait
    # for each open transaction changing one, e.g. an incident restoring hundreds of reports.
    from complaints.services import _lock_case

    case = factories.open_case(world.unit_a)
    locked, release = threading.Event(), threading.Event()

    def change() -> None:
        try:
            with transaction.atomic():
                _lock_case(case.pk, None)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=change)
    holder.start()
    assert locked.wait(10)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        other = factories.open_case(world.unit_a, category_code=case.category.code)
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert other.category_id == case.category_id
