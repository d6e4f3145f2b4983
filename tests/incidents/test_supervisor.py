"""Supervisors confirm, split, merge, cancel and close incidents; the crew revises the ETR;
every change is an incident event with who and why; stale pages and wrong roles are refused."""

from datetime import timedelta

import pytest

from complaints import clock
from complaints.errors import InvalidInput, MissingField, NotAllowed, StaleCase
from complaints.incidents import (
    incident_assign_crew,
    incident_close,
    incident_confirm,
    incident_fan_out,
    incident_merge,
    incident_restore,
    incident_set_etr,
    incident_split,
    incident_unlink_case,
)
from complaints.models import (
    Case,
    CaseEvent,
    EventKind,
    Incident,
    IncidentEventKind,
    IncidentStatus,
)
from complaints.services import case_transition
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests.incidents.conftest import OTHER_FEEDER, customer_on, report, reports_on_feeder


@pytest.fixture
def incident(world) -> Incident:
    reports_on_feeder(world.unit_a, 3)
    return Incident.objects.get()


def kinds(incident: Incident) -> list[str]:
    return list(incident.events.order_by("created_at", "id").values_list("kind", flat=True))


def test_confirming_records_who_and_the_public_title(world, incident):
    incident_confirm(
        actor=world.actor(world.supervisor_a),
        incident_id=incident.pk,
        title="Gangguan penyulang Cikini",
        expected_version=incident.version,
    )

    incident.refresh_from_db()
    assert (incident.confirmed_by, incident.title) == (
        world.supervisor_a,
        "Gangguan penyulang Cikini",
    )
    event = incident.events.get(kind=IncidentEventKind.CONFIRMED)
    assert event.actor == world.supervisor_a


def test_an_agent_cannot_change_an_incident(world, incident):
    agent = world.actor(world.agent_a)
    with pytest.raises(NotAllowed):
        incident_restore(actor=agent, incident_id=incident.pk)
    with pytest.raises(NotAllowed):
        incident_set_etr(actor=agent, incident_id=incident.pk, etr=clock.now() + timedelta(hours=1))


def test_a_stale_page_is_refused(world, incident):
    supervisor = world.actor(world.supervisor_a)
    incident_confirm(actor=supervisor, incident_id=incident.pk)

    with pytest.raises(StaleCase):
        incident_set_etr(
            actor=supervisor,
            incident_id=incident.pk,
            etr=clock.now() + timedelta(hours=1),
            expected_version=incident.version,
        )


def test_the_crew_revises_the_etr_but_another_technician_cannot(world, incident):
    from tests import factories

    incident_assign_crew(
        actor=world.actor(world.supervisor_a),
        incident_id=incident.pk,
        technician=world.technician_a,
    )
    etr = clock.now() + timedelta(hours=4)

    incident_set_etr(actor=Actor.staff(world.technician_a.user), incident_id=incident.pk, etr=etr)

    incident.refresh_from_db()
    assert incident.etr == etr
    other = factories.make_technician(world.unit_a)
    with pytest.raises(NotAllowed):
        incident_set_etr(
            actor=Actor.staff(other.user), incident_id=incident.pk, etr=etr + timedelta(hours=1)
        )


def test_an_etr_in_the_past_is_refused(world, incident):
    with pytest.raises(InvalidInput):
        incident_set_etr(
            actor=world.actor(world.supervisor_a),
            incident_id=incident.pk,
            etr=clock.now() - timedelta(minutes=5),
        )


def test_split_moves_the_chosen_reports_to_a_new_incident(world, incident):
    first, second, third = incident.cases.order_by("pk")

    new = incident_split(
        actor=world.actor(world.supervisor_a),
        incident_id=incident.pk,
        case_ids=[third.pk],
        note="Trafo lain",
    )

    assert set(incident.cases.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert list(new.cases.values_list("pk", flat=True)) == [third.pk]
    assert (new.split_from_id, new.area_key) == (incident.pk, f"split:{third.pk}")
    assert IncidentEventKind.SPLIT in kinds(incident)
    assert kinds(new) == [IncidentEventKind.SPLIT_FROM]
    moved = CaseEvent.objects.filter(case=third, kind=EventKind.INCIDENT_LINKED).latest("id")
    assert moved.data["incident"] == new.pk
    # New reports of the feeder keep joining the original incident.
    assert report(customer_on(world.unit_a)).incident_id == incident.pk


def test_split_must_leave_a_report_behind(world, incident):
    with pytest.raises(InvalidInput):
        incident_split(
            actor=world.actor(world.supervisor_a),
            incident_id=incident.pk,
            case_ids=list(incident.cases.values_list("pk", flat=True)),
        )


def test_merge_moves_every_report_and_tells_them_the_surviving_etr(world, incident):
    reports_on_feeder(world.unit_a, 3, area_code=OTHER_FEEDER)
    other = Incident.objects.exclude(pk=incident.pk).get()
    supervisor = world.actor(world.supervisor_a)
    incident_set_etr(
        actor=supervisor, incident_id=incident.pk, etr=clock.now() + timedelta(hours=2)
    )
    moved = list(other.cases.values_list("pk", flat=True))

    survivor = incident_merge(
        actor=supervisor, incident_id=other.pk, into_incident_id=incident.pk, note="Satu penyulang"
    )

    other.refresh_from_db()
    assert survivor.pk == incident.pk
    assert (other.status, other.merged_into_id) == (IncidentStatus.MERGED, incident.pk)
    assert incident.cases.count() == 6
    merged_in = incident.events.get(kind=IncidentEventKind.MERGED_IN)
    assert sorted(merged_in.data["cases"]) == sorted(moved)
    assert incident_fan_out(merged_in.pk) == 3
    for case in Case.objects.filter(pk__in=moved):
        assert case.notifications.filter(template="incident_etr").count() == 2


def test_cancelling_an_active_incident_returns_its_reports_to_their_own_handling(
    world, incident, django_capture_on_commit_callbacks
):
    first = incident.cases.order_by("pk").first()
    case_transition(actor=world.actor(world.agent_a), case_id=first.pk, target=CaseStatus.VERIFIED)
    supervisor = world.actor(world.supervisor_a)
    with pytest.raises(MissingField):
        incident_close(actor=supervisor, incident_id=incident.pk)

    incident_close(actor=supervisor, incident_id=incident.pk, reason="Bukan satu gangguan")
    event = incident.events.get(kind=IncidentEventKind.CANCELLED)
    with django_capture_on_commit_callbacks() as callbacks:
        incident_fan_out(event.pk)

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CANCELLED
    assert Case.objects.filter(incident=incident).count() == 0
    assert CaseEvent.objects.filter(kind=EventKind.INCIDENT_UNLINKED).count() == 3
    # The verified one is dispatched on its own again.
    assert any("dispatch_case" in repr(c) for c in callbacks)


def test_closing_a_restored_incident_keeps_its_cases(world, incident):
    supervisor = world.actor(world.supervisor_a)
    incident_restore(actor=supervisor, incident_id=incident.pk)
    incident_fan_out(incident.events.get(kind=IncidentEventKind.RESTORED).pk)

    incident_close(actor=supervisor, incident_id=incident.pk)

    incident.refresh_from_db()
    assert (incident.status, incident.closed_at is not None) == (IncidentStatus.CLOSED, True)
    assert set(incident.cases.values_list("status", flat=True)) == {CaseStatus.RESOLVED}


def test_unlinking_a_report_needs_a_reason_and_is_recorded_on_both_sides(world, incident):
    case = incident.cases.order_by("pk").last()
    supervisor = world.actor(world.supervisor_a)
    with pytest.raises(MissingField):
        incident_unlink_case(actor=supervisor, incident_id=incident.pk, case_id=case.pk, reason="")

    incident_unlink_case(
        actor=supervisor, incident_id=incident.pk, case_id=case.pk, reason="Rumah lain"
    )

    case.refresh_from_db()
    assert case.incident_id is None
    assert IncidentEventKind.CASE_UNLINKED in kinds(incident)
    assert CaseEvent.objects.get(case=case, kind=EventKind.INCIDENT_UNLINKED).note == "Rumah lain"


def test_every_change_is_an_event(world, incident):
    supervisor = world.actor(world.supervisor_a)
    incident_confirm(actor=supervisor, incident_id=incident.pk)
    incident_assign_crew(actor=supervisor, incident_id=incident.pk, technician=world.technician_a)
    incident_set_etr(
        actor=supervisor, incident_id=incident.pk, etr=clock.now() + timedelta(hours=1)
    )
    incident_restore(actor=supervisor, incident_id=incident.pk)
    incident_close(actor=supervisor, incident_id=incident.pk)

    assert kinds(incident) == [
        IncidentEventKind.CREATED,
        IncidentEventKind.CONFIRMED,
        IncidentEventKind.CREW_ASSIGNED,
        IncidentEventKind.ETR_SET,
        IncidentEventKind.RESTORED,
        IncidentEventKind.CLOSED,
    ]
    incident.refresh_from_db()
    assert incident.version == 6
