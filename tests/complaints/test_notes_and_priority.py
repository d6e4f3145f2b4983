"""Notes, messages to the customer, and priority changes."""

from datetime import UTC, datetime, timedelta

import pytest

from complaints import clock
from complaints.errors import EMPTY_TEXT, IllegalTransition, InvalidInput, StaleCase
from complaints.models import Case, CaseEvent, EventKind, Notification, Priority
from complaints.services import case_add_note, case_change_priority
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests import factories
from tests.complaints.journeys import move, timeline, walk_to

S = CaseStatus
# Monday 2 March 2026, 10:00 WIB.
OPENED_AT = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def case(world):
    with clock.travel(OPENED_AT):
        return factories.open_case(world.unit_a)


def test_an_internal_note_is_recorded_and_not_sent(world, case):
    later = OPENED_AT + timedelta(minutes=5)

    with clock.travel(later):
        event = case_add_note(
            actor=world.actor(world.agent_a), case_id=case.pk, note="  Pelanggan marah  "
        )

    case.refresh_from_db()
    assert (event.kind, event.note, event.actor) == (
        EventKind.NOTE,
        "Pelanggan marah",
        world.agent_a,
    )
    assert Notification.objects.filter(event=event).count() == 0
    assert case.first_response_at is None
    assert (case.version, case.updated_at) == (2, later)


def test_a_message_to_the_customer_is_sent_and_is_the_first_response(world, case):
    later = OPENED_AT + timedelta(minutes=5)

    with clock.travel(later):
        event = case_add_note(
            actor=world.actor(world.agent_a),
            case_id=case.pk,
            note="Petugas kami segera menuju lokasi.",
            to_customer=True,
        )

    case.refresh_from_db()
    assert event.kind == EventKind.MESSAGE
    notice = Notification.objects.get(event=event)
    assert notice.template == "message"
    assert notice.idempotency_key == f"case-event:{event.pk}:message"
    assert notice.recipient == case.reporter_contact
    assert "Petugas kami segera menuju lokasi." in notice.body
    assert case.first_response_at == later
    assert case.version == 2


def test_a_later_message_keeps_the_first_response_time(world, case):
    agent = world.actor(world.agent_a)
    with clock.travel(OPENED_AT + timedelta(minutes=5)):
        case_add_note(actor=agent, case_id=case.pk, note="Pesan pertama", to_customer=True)
    with clock.travel(OPENED_AT + timedelta(minutes=50)):
        case_add_note(actor=agent, case_id=case.pk, note="Pesan kedua", to_customer=True)

    case.refresh_from_db()
    assert case.first_response_at == OPENED_AT + timedelta(minutes=5)
    assert case.version == 3


def test_a_technicians_message_is_not_the_desks_first_response(world, case):
    event = case_add_note(
        actor=world.actor(world.technician_a.user),
        case_id=case.pk,
        note="Saya sudah di jalan",
        to_customer=True,
    )

    case.refresh_from_db()
    assert event.kind == EventKind.MESSAGE
    assert case.first_response_at is None


@pytest.mark.parametrize("note", ["", "  \n\t "])
def test_an_empty_note_is_refused(world, case, note):
    with pytest.raises(InvalidInput) as excinfo:
        case_add_note(actor=world.actor(world.agent_a), case_id=case.pk, note=note)

    assert excinfo.value.message == str(EMPTY_TEXT)
    case.refresh_from_db()
    assert case.version == 1
    assert timeline(case) == [(EventKind.CREATED, "", S.RECEIVED)]


def test_a_note_on_a_stale_page_is_refused(world, case):
    case_add_note(actor=world.actor(world.agent_a), case_id=case.pk, note="Pertama")

    with pytest.raises(StaleCase):
        case_add_note(
            actor=world.actor(world.supervisor_a),
            case_id=case.pk,
            note="Kedua",
            expected_version=1,
        )

    assert list(CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).values_list("note")) == [
        ("Pertama",)
    ]


def test_a_closed_case_still_takes_notes(world, case):
    supervisor = world.actor(world.supervisor_a)
    walk_to(case, S.CLOSED, actor=supervisor, technician=world.technician_a)

    event = case_add_note(actor=supervisor, case_id=case.pk, note="Survei tidak dijawab")

    assert event.kind == EventKind.NOTE


def test_raising_the_priority_recomputes_due_times_from_opening(world, case):
    assert case.priority == Priority.HIGH
    later = OPENED_AT + timedelta(minutes=20)

    with clock.travel(later):
        case_change_priority(
            actor=world.actor(world.agent_a),
            case_id=case.pk,
            priority=Priority.EMERGENCY,
            note="Ada pasien di rumah",
        )

    case.refresh_from_db()
    # padam-rumah 60/180 minutes, at emergency x0.5, counted from when it was reported.
    assert case.priority == Priority.EMERGENCY
    assert case.response_due_at == OPENED_AT + timedelta(minutes=30)
    assert case.resolution_due_at == OPENED_AT + timedelta(minutes=90)
    assert (case.version, case.updated_at) == (2, later)
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.kind, event.note, event.data) == (
        EventKind.PRIORITY_CHANGED,
        "Ada pasien di rumah",
        {"from": Priority.HIGH, "to": Priority.EMERGENCY},
    )


def test_lowering_the_priority_extends_the_due_times(world, case):
    case_change_priority(actor=world.actor(world.agent_a), case_id=case.pk, priority=Priority.LOW)

    case.refresh_from_db()
    assert case.response_due_at == OPENED_AT + timedelta(minutes=90)
    assert case.resolution_due_at == OPENED_AT + timedelta(minutes=270)


def test_changing_the_priority_of_a_reopened_case_keeps_the_fresh_resolution_target(world, case):
    supervisor = world.actor(world.supervisor_a)
    with clock.travel(OPENED_AT + timedelta(hours=1)):
        walk_to(case, S.RESOLVED, actor=supervisor, technician=world.technician_a)
    reopened_at = OPENED_AT + timedelta(days=2)
    with clock.travel(reopened_at):
        move(case, S.REOPENED, actor=Actor.customer("whatsapp"))

    with clock.travel(reopened_at + timedelta(minutes=10)):
        case_change_priority(actor=supervisor, case_id=case.pk, priority=Priority.EMERGENCY)

    case.refresh_from_db()
    # Response is measured from the report; the new work's resolution from the reopening.
    assert case.response_due_at == OPENED_AT + timedelta(minutes=30)
    assert case.resolution_due_at == reopened_at + timedelta(minutes=90)


def test_setting_the_same_priority_changes_nothing(world, case):
    case_change_priority(actor=world.actor(world.agent_a), case_id=case.pk, priority=Priority.HIGH)

    case.refresh_from_db()
    assert case.version == 1
    assert timeline(case) == [(EventKind.CREATED, "", S.RECEIVED)]


@pytest.mark.parametrize("status", [S.RESOLVED, S.CLOSED, S.REJECTED])
def test_the_priority_of_a_case_no_longer_open_is_fixed(world, case, status):
    supervisor = world.actor(world.supervisor_a)
    walk_to(case, status, actor=supervisor, technician=world.technician_a)
    version = Case.objects.get(pk=case.pk).version

    with pytest.raises(IllegalTransition):
        case_change_priority(actor=supervisor, case_id=case.pk, priority=Priority.LOW)

    case.refresh_from_db()
    assert (case.priority, case.version) == (Priority.HIGH, version)
