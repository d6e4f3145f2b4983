"""The admin pages of the outage work: lists scoped to the user's units with a fixed number of
queries, the planned-outage schedule kept by supervisors, storm mode switched with a reason."""

from datetime import timedelta

from django.urls import reverse

from complaints import clock
from complaints.models import Incident, PlannedOutage, StormSwitch
from tests.incidents.conftest import OTHER_FEEDER, reports_on_feeder


def test_the_incident_list_shows_the_users_units_only(world, client):
    reports_on_feeder(world.unit_a, 3)
    reports_on_feeder(world.unit_b, 3)
    mine = Incident.objects.get(service_unit=world.unit_a)
    client.force_login(world.supervisor_a)

    response = client.get(reverse("admin:complaints_incident_changelist"))

    assert response.status_code == 200
    shown = [row.pk for row in response.context["cl"].result_list]
    assert shown == [mine.pk]


def test_the_incident_list_costs_the_same_queries_for_one_or_many(
    world, client, django_assert_max_num_queries
):
    client.force_login(world.manager)
    reports_on_feeder(world.unit_a, 3)
    url = reverse("admin:complaints_incident_changelist")
    client.get(url)
    # Session, user, the page of incidents with unit, crew and report count, the paginator's
    # count, the unit filter, and the admin's own bookkeeping: the same for 1 or 3 incidents.
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    reports_on_feeder(world.unit_a, 3, area_code=OTHER_FEEDER)
    reports_on_feeder(world.unit_a, 3, area_code="PNY-CKN-09")
    with django_assert_max_num_queries(12) as many:
        client.get(url)

    assert len(many.captured_queries) == len(one.captured_queries)


def test_a_supervisor_schedules_a_planned_outage_in_the_admin(world, client):
    client.force_login(world.supervisor_a)
    starts = (clock.now() + timedelta(days=1)).astimezone(world.unit_a.tz)

    response = client.post(
        reverse("admin:complaints_plannedoutage_add"),
        {
            "service_unit": world.unit_a.pk,
            "area_codes": "PNY-CKN-01,PNY-CKN-02",
            "areas_text": "Jl. Cikini",
            "starts_at_0": starts.strftime("%Y-%m-%d"),
            "starts_at_1": "08:00:00",
            "ends_at_0": starts.strftime("%Y-%m-%d"),
            "ends_at_1": "12:00:00",
            "reason": "Pemeliharaan gardu",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    planned = PlannedOutage.objects.get()
    assert (planned.area_codes, planned.created_by) == (
        ["PNY-CKN-01", "PNY-CKN-02"],
        world.supervisor_a,
    )
    assert client.get(reverse("admin:complaints_plannedoutage_changelist")).status_code == 200


def test_an_agent_cannot_schedule_planned_outages(world, client):
    client.force_login(world.agent_a)

    assert client.get(reverse("admin:complaints_plannedoutage_add")).status_code == 403


def test_storm_mode_is_switched_on_the_storm_page_with_a_reason(world, client):
    client.force_login(world.supervisor_a)
    url = reverse("admin:complaints_stormswitch_changelist")
    assert client.get(url).status_code == 200

    client.post(url, {"unit": world.unit_a.pk, "on": "1", "reason": "Angin kencang"})
    client.post(url, {"unit": world.unit_b.pk, "on": "1", "reason": "Bukan unit saya"})

    (switch,) = StormSwitch.objects.all()
    assert (switch.service_unit, switch.actor, switch.reason) == (
        world.unit_a,
        world.supervisor_a,
        "Angin kencang",
    )
    assert "Angin kencang" in client.get(url).content.decode()


def test_managers_see_the_figures_pages(world, client):
    client.force_login(world.manager)

    assert client.get(reverse("admin:complaints_tmpcustomermonth_changelist")).status_code == 200
    assert client.get(reverse("admin:complaints_tmpthreshold_changelist")).status_code == 200
    assert client.get(reverse("admin:complaints_incidentevent_changelist")).status_code == 200
