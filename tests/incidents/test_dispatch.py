"""One response: an incident gets one crew, not one per report; reports linked to it are never
dispatched on their own."""

import pytest

from complaints.incidents import dispatch_incident, incident_restore
from complaints.models import Case, Incident, IncidentEventKind
from complaints.services import case_assign, case_transition
from complaints.workflow import CaseStatus
from staff.dispatch import dispatch_case
from staff.models import Technician
from tests import factories
from tests.incidents.conftest import reports_on_feeder


@pytest.fixture
def incident(world) -> Incident:
    reports_on_feeder(world.unit_a, 3)
    return Incident.objects.get()


def test_an_incident_is_given_one_crew_once(world, incident):
    crew = dispatch_incident(incident.pk)

    assert crew == world.technician_a
    assert dispatch_incident(incident.pk) is None  # run twice: nothing more
    world.technician_a.refresh_from_db()
    assert world.technician_a.open_jobs == 1
    incident.refresh_from_db()
    assert incident.crew == world.technician_a
    assert incident.events.filter(kind=IncidentEventKind.CREW_ASSIGNED).count() == 1


def test_linked_reports_are_not_dispatched_on_their_own(world, incident):
    agent = world.actor(world.agent_a)
    for case in incident.cases.all():
        case_transition(actor=agent, case_id=case.pk, target=CaseStatus.VERIFIED)

    assert [dispatch_case(case.pk) for case in incident.cases.all()] == [None, None, None]
    assert set(incident.cases.values_list("status", flat=True)) == {CaseStatus.VERIFIED}
    assert Technician.objects.get(pk=world.technician_a.pk).open_jobs == 0


def test_a_technician_already_sent_to_one_report_becomes_the_crew(world, incident):
    other = factories.make_technician(world.unit_a)
    first = incident.cases.order_by("pk").first()
    case_transition(actor=world.actor(world.agent_a), case_id=first.pk, target="verified")
    case_assign(actor=world.actor(world.supervisor_a), case_id=first.pk, technician=other)

    assert dispatch_incident(incident.pk) == other


def test_no_free_technician_is_recorded_once(world, incident):
    Technician.objects.update(on_shift=False)

    assert dispatch_incident(incident.pk) is None
    assert dispatch_incident(incident.pk) is None

    assert incident.events.filter(kind=IncidentEventKind.NO_CREW).count() == 1


def test_restoration_releases_the_crew(world, incident):
    dispatch_incident(incident.pk)

    incident_restore(actor=world.actor(world.supervisor_a), incident_id=incident.pk)

    assert Technician.objects.get(pk=world.technician_a.pk).open_jobs == 0
    assert Case.objects.filter(incident=incident).count() == 3
