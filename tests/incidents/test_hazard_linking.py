"""Issue 5 beside issue 6: a hazard reported in an area with an active outage incident is not
swallowed by it — it is dispatched on its own, as the emergency it is."""

from complaints.models import Case, CaseEvent, EventKind, Incident, Priority
from complaints.workflow import CaseStatus
from tests.incidents.conftest import customer_on, notices, report, reports_on_feeder


def test_a_hazard_in_an_outage_area_is_not_linked_to_the_incident(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    monkeypatch.setattr("staff.tasks.dispatch_case.delay", queued.append)
    monkeypatch.setattr("complaints.tasks.kick_delivery", lambda *args, **kwargs: None)
    reports_on_feeder(world.unit_a, 3)
    incident = Incident.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        hazard = report(
            customer_on(world.unit_a), description="Listrik padam, tiang roboh kabel menjuntai"
        )
    ordinary = report(customer_on(world.unit_a))

    hazard.refresh_from_db()
    assert (hazard.incident_id, hazard.category.code, hazard.priority, hazard.status) == (
        None,
        "bahaya",
        Priority.EMERGENCY,
        CaseStatus.VERIFIED,
    )
    assert queued == [hazard.pk]
    assert not CaseEvent.objects.filter(case=hazard, kind=EventKind.INCIDENT_LINKED).exists()
    assert [n.template for n in notices(hazard)] == ["received", "hazard_safety", "verified"]
    # The area's outage goes on: the next plain report joins it.
    assert Case.objects.get(pk=ordinary.pk).incident_id == incident.pk
