"""Planned outages: a schedule in the admin, listed on the public page and in the bot's
"informasi pemadaman"; a complaint inside a planned window is answered with the schedule and
linked (no crew is sent); the system restores it when the schedule ends."""

from datetime import timedelta

import pytest
from django.urls import reverse

from channels_intake.bot.outages import OutageKind, outage_notices_for
from complaints import clock
from complaints.incident_selectors import public_planned_outages
from complaints.incidents import dispatch_incident, restore_finished_planned_outages
from complaints.models import (
    Incident,
    IncidentKind,
    IncidentStatus,
    NotificationStatus,
    PlannedOutage,
)
from tests.incidents.conftest import FEEDER, OTHER_FEEDER, customer_on, notices, report


@pytest.fixture
def planned(world) -> PlannedOutage:
    now = clock.now()
    return PlannedOutage.objects.create(
        service_unit=world.unit_a.parent,  # the UP3: covers its ULPs
        area_codes=[FEEDER],
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        reason="Pemeliharaan jaringan",
        areas_text="Jl. Cikini Raya",
    )


def test_a_complaint_inside_the_window_is_answered_with_the_schedule_and_linked(world, planned):
    case = report(customer_on(world.unit_a))

    incident = Incident.objects.get()
    assert (incident.kind, incident.planned_outage_id, case.incident_id) == (
        IncidentKind.PLANNED,
        planned.pk,
        incident.pk,
    )
    (answer,) = notices(case, "planned_outage")
    assert "Pemeliharaan jaringan" in answer.body
    local_end = planned.ends_at.astimezone(world.unit_a.tz)
    assert f"{local_end:%H:%M} WIB" in answer.body
    # The schedule answers the complaint; its plain receipt is not sent as well.
    assert notices(case, "received")[0].status == NotificationStatus.SUPERSEDED
    assert dispatch_incident(incident.pk) is None
    second = report(customer_on(world.unit_a))
    assert second.incident_id == incident.pk


def test_a_complaint_of_another_feeder_or_outside_the_window_is_not_the_planned_outage(
    world, planned
):
    assert report(customer_on(world.unit_a, OTHER_FEEDER)).incident_id is None
    PlannedOutage.objects.filter(pk=planned.pk).update(
        starts_at=clock.now() + timedelta(hours=1), ends_at=clock.now() + timedelta(hours=2)
    )
    assert report(customer_on(world.unit_a)).incident_id is None


def test_the_bot_answers_informasi_pemadaman_with_planned_and_active_outages(world, planned):
    customer = customer_on(world.unit_a)
    for _ in range(3):
        report(customer_on(world.unit_a, OTHER_FEEDER))
    neighbour = customer_on(world.unit_a, OTHER_FEEDER)

    mine = outage_notices_for(customer, at=clock.now())
    theirs = outage_notices_for(neighbour, at=clock.now())

    assert [(n.kind, n.ends_at) for n in mine] == [(OutageKind.PLANNED, planned.ends_at)]
    assert "Pemeliharaan jaringan" in mine[0].description
    assert [n.kind for n in theirs] == [OutageKind.INCIDENT]
    assert OTHER_FEEDER in theirs[0].description


def test_the_public_page_lists_upcoming_planned_outages(world, planned, client):
    PlannedOutage.objects.create(
        service_unit=world.unit_b,
        starts_at=clock.now() + timedelta(days=30),
        ends_at=clock.now() + timedelta(days=30, hours=2),
        reason="Terlalu jauh ke depan",
    )

    response = client.get(reverse("pemadaman:list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Pemeliharaan jaringan" in html
    assert "Jl. Cikini Raya" in html
    assert "Terlalu jauh ke depan" not in html
    assert [p.pk for p in public_planned_outages(unit_id=world.unit_a.pk)] == [planned.pk]


def test_the_public_page_query_count_does_not_grow_with_rows(
    world, planned, client, django_assert_num_queries
):
    for n in range(5):
        PlannedOutage.objects.create(
            service_unit=world.unit_a,
            starts_at=clock.now() + timedelta(days=1, hours=n),
            ends_at=clock.now() + timedelta(days=1, hours=n + 1),
            reason=f"Pekerjaan {n}",
        )
    # 1 planned outages with their units, 2 active incidents with their units, 3 the units
    # of the filter.
    with django_assert_num_queries(3):
        client.get(reverse("pemadaman:list"))


def test_the_system_restores_a_planned_incident_when_its_schedule_ends(world, planned):
    report(customer_on(world.unit_a))
    PlannedOutage.objects.filter(pk=planned.pk).update(ends_at=clock.now() - timedelta(minutes=1))

    restored = restore_finished_planned_outages()

    assert [i.status for i in restored] == [IncidentStatus.RESTORED]
