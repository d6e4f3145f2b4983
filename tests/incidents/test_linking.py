"""Reports of one outage become one incident: same unit and feeder (else within a radius of the
first report) within the window, once the threshold is reached; later reports link on arrival
and their reporters are told the outage is known, with the ETR."""

from datetime import timedelta

from complaints import clock
from complaints.incidents import incident_set_etr
from complaints.models import (
    Case,
    CaseEvent,
    EventKind,
    Incident,
    IncidentEvent,
    IncidentEventKind,
    IncidentStatus,
    NotificationStatus,
)
from staff.roles import Actor
from tests import factories
from tests.incidents.conftest import (
    FAR,
    FEEDER,
    HERE,
    NEAR,
    OTHER_FEEDER,
    customer_on,
    minutes_ago,
    notices,
    report,
    reports_on_feeder,
)


def test_reports_below_the_threshold_stay_unlinked(world):
    cases = reports_on_feeder(world.unit_a, 2)

    assert Incident.objects.count() == 0
    assert [Case.objects.get(pk=c.pk).incident_id for c in cases] == [None, None]


def test_the_report_that_reaches_the_threshold_links_all_of_them(world):
    first, second, third = reports_on_feeder(world.unit_a, 3)

    incident = Incident.objects.get()
    assert (incident.status, incident.area_key, incident.service_unit_id) == (
        IncidentStatus.ACTIVE,
        f"feeder:{FEEDER}",
        world.unit_a.pk,
    )
    assert third.incident_id == incident.pk
    assert set(incident.cases.values_list("pk", flat=True)) == {first.pk, second.pk, third.pk}
    assert incident.started_at == Case.objects.get(pk=first.pk).created_at
    created = IncidentEvent.objects.get(incident=incident, kind=IncidentEventKind.CREATED)
    assert created.data["reports"] == [first.pk, second.pk, third.pk]
    for case in (first, second, third):
        linked = CaseEvent.objects.get(case=case, kind=EventKind.INCIDENT_LINKED)
        assert linked.data == {"incident": incident.pk, "code": incident.code, "automatic": True}


def test_a_later_report_is_linked_on_arrival_and_told_the_etr(world):
    reports_on_feeder(world.unit_a, 3)
    incident = Incident.objects.get()
    etr = clock.now() + timedelta(hours=2)
    incident_set_etr(actor=world.actor(world.supervisor_a), incident_id=incident.pk, etr=etr)

    late = report(customer_on(world.unit_a))

    assert late.incident_id == incident.pk
    (known,) = notices(late, "incident_etr")
    assert late.ticket in known.body
    local = etr.astimezone(world.unit_a.tz)
    assert f"{local:%H:%M} WIB" in known.body
    assert "tidak perlu melapor ulang" in known.body
    # Outside storm mode the receipt with the ticket goes too.
    assert [n.status for n in notices(late, "received")] == [NotificationStatus.PENDING]


def test_every_reporter_is_told_the_outage_is_known_once(world):
    cases = reports_on_feeder(world.unit_a, 4)

    for case in cases:
        assert len(notices(case, "incident_etr")) == 1


def test_reports_older_than_the_window_do_not_count(world):
    report(customer_on(world.unit_a), at=minutes_ago(90))
    report(customer_on(world.unit_a), at=minutes_ago(70))
    report(customer_on(world.unit_a))

    assert Incident.objects.count() == 0


def test_another_feeder_or_another_unit_is_another_area(world):
    reports_on_feeder(world.unit_a, 2)
    report(customer_on(world.unit_a, OTHER_FEEDER))
    report(customer_on(world.unit_b, FEEDER))

    assert Incident.objects.count() == 0


def test_reports_of_other_categories_are_never_grouped(world):
    for _ in range(3):
        report(customer_on(world.unit_a), category_code="tegangan")

    assert Incident.objects.count() == 0


def test_area_outage_and_home_outage_reports_group_together(world):
    report(customer_on(world.unit_a), category_code="padam-area")
    report(customer_on(world.unit_a), category_code="padam-rumah")
    report(customer_on(world.unit_a), category_code="padam-area")

    assert Incident.objects.get().cases.count() == 3


def test_reports_without_a_feeder_group_by_distance_from_the_first(world):
    first = report(unit=world.unit_a, latitude=HERE[0], longitude=HERE[1])
    report(unit=world.unit_a, latitude=NEAR[0], longitude=NEAR[1])
    report(unit=world.unit_a, latitude=FAR[0], longitude=FAR[1])
    assert Incident.objects.count() == 0

    third = report(customer_on(world.unit_a, "", latitude=NEAR[0], longitude=NEAR[1]))

    incident = Incident.objects.get()
    assert (incident.area_key, incident.latitude, incident.longitude) == (
        f"geo:{first.pk}",
        HERE[0],
        HERE[1],
    )
    assert incident.cases.count() == 3
    assert third.incident_id == incident.pk
    far = report(unit=world.unit_a, latitude=FAR[0], longitude=FAR[1])
    assert far.incident_id is None


def test_a_report_without_feeder_or_location_is_left_alone(world):
    for _ in range(3):
        report(unit=world.unit_a)

    assert Incident.objects.count() == 0


def test_a_closed_report_does_not_count_towards_the_threshold(world):
    from complaints.services import case_transition

    old = report(customer_on(world.unit_a))
    case_transition(
        actor=world.actor(world.agent_a), case_id=old.pk, target="rejected", reason="Salah lapor"
    )
    reports_on_feeder(world.unit_a, 2)

    assert Incident.objects.count() == 0


def test_a_new_incident_queues_one_dispatch_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        reports_on_feeder(world.unit_a, 3)

    dispatches = [c for c in callbacks if "dispatch_incident" in repr(c)]
    assert len(dispatches) == 1


def test_agent_links_a_caller_in_one_click_and_the_caller_hears_the_etr(world):
    reports_on_feeder(world.unit_a, 3)
    incident = Incident.objects.get()
    incident_set_etr(
        actor=world.actor(world.supervisor_a),
        incident_id=incident.pk,
        etr=clock.now() + timedelta(hours=3),
    )
    # A caller whose customer record has no feeder yet.
    caller = report(customer=factories.make_customer(world.unit_a))
    assert caller.incident_id is None

    from complaints.incidents import incident_link_case

    incident_link_case(
        actor=Actor.staff(world.agent_a),
        case_id=caller.pk,
        incident_id=incident.pk,
        expected_version=caller.version,
    )

    caller.refresh_from_db()
    assert caller.incident_id == incident.pk
    assert len(notices(caller, "incident_etr")) == 1
    linked = IncidentEvent.objects.get(incident=incident, kind=IncidentEventKind.CASE_LINKED)
    assert (linked.actor, linked.data["ticket"]) == (world.agent_a, caller.ticket)


def test_one_household_reporting_on_several_channels_is_not_an_area_outage(world):
    customer = customer_on(world.unit_a)
    for channel in ("whatsapp", "web", "app"):
        report(customer, channel=channel)

    assert Incident.objects.count() == 0
    report(customer_on(world.unit_a))
    report(customer_on(world.unit_a))
    assert Incident.objects.get().cases.count() == 5
