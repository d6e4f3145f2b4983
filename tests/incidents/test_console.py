"""Agent view: the phone-complaint page and the case page show the active incident of the
caller's area with its ETR, and the case page links the caller in one click."""

from datetime import timedelta

import pytest
from django.urls import reverse

from complaints import clock
from complaints.incidents import incident_set_etr
from complaints.models import Incident
from complaints.selectors import outages_for_area
from tests import factories
from tests.incidents.conftest import FEEDER, customer_on, notices, report, reports_on_feeder


@pytest.fixture
def incident(world) -> Incident:
    reports_on_feeder(world.unit_a, 3)
    incident = Incident.objects.get()
    incident_set_etr(
        actor=world.actor(world.supervisor_a),
        incident_id=incident.pk,
        etr=clock.now().replace(second=0, microsecond=0) + timedelta(hours=2),
    )
    incident.refresh_from_db()
    return incident


def test_outages_for_area_lists_the_incident_with_its_etr(world, incident):
    (outage,) = outages_for_area(service_unit_id=world.unit_a.pk, area_code=FEEDER)

    local = incident.etr.astimezone(world.unit_a.tz)
    assert (outage.kind, outage.incident_id, outage.reports) == ("incident", incident.pk, 3)
    assert outage.etr_text.endswith(f"{local:%H:%M} WIB")
    assert incident.code in outage.title
    assert outage.etr_text in outage.title
    assert outages_for_area(service_unit_id=world.unit_b.pk, area_code=FEEDER) == []


def test_the_phone_page_context_shows_the_incident_and_its_etr(world, incident, client):
    customer = customer_on(world.unit_a)
    client.force_login(world.agent_a)

    data = client.get(reverse("admin:complaints_case_phone_customer", args=[customer.pk])).json()

    (outage,) = data["outages"]
    assert outage["kind"] == "incident"
    assert incident.code in outage["title"]
    assert "WIB" in outage["title"]


def test_the_case_page_links_the_caller_in_one_click(world, incident, client):
    caller = report(customer=factories.make_customer(world.unit_a, area_code=FEEDER + "-X"))
    # The caller's own feeder is unknown to the incident: the agent decides.
    caller.customer.area_code = FEEDER
    caller.customer.save(update_fields=["area_code"])
    client.force_login(world.agent_a)
    url = reverse("admin:complaints_case_change", args=[caller.pk])

    html = client.get(url).content.decode()
    assert "Tautkan ke gangguan ini" in html
    assert incident.code in html

    response = client.post(
        reverse("admin:complaints_case_act", args=[caller.pk]),
        {"action": "link_incident", "incident": incident.pk, "version": caller.version},
        follow=True,
    )

    caller.refresh_from_db()
    assert caller.incident_id == incident.pk
    assert incident.code in response.content.decode()
    assert len(notices(caller, "incident_etr")) == 1
    assert "Tautkan ke gangguan ini" not in client.get(url).content.decode()


def test_linking_from_a_stale_page_is_refused(world, incident, client):
    caller = report(customer=factories.make_customer(world.unit_a))
    client.force_login(world.agent_a)

    response = client.post(
        reverse("admin:complaints_case_act", args=[caller.pk]),
        {"action": "link_incident", "incident": incident.pk, "version": caller.version + 1},
        follow=True,
    )

    caller.refresh_from_db()
    assert caller.incident_id is None
    assert "diubah orang lain" in response.content.decode()


def test_the_supervisor_sets_the_etr_on_the_incident_page(world, incident, client):
    client.force_login(world.supervisor_a)
    page = client.get(reverse("admin:complaints_incident_change", args=[incident.pk]))
    assert page.status_code == 200
    assert "Listrik menyala (pulihkan)" in page.content.decode()

    client.post(
        reverse("admin:complaints_incident_act", args=[incident.pk]),
        {"action": "etr", "etr": "2099-01-01T10:30", "version": incident.version, "note": "x"},
    )

    incident.refresh_from_db()
    local = incident.etr.astimezone(world.unit_a.tz)
    assert (local.year, local.hour, local.minute) == (2099, 10, 30)


def test_an_agent_of_another_unit_does_not_see_the_incident(world, incident, client):
    client.force_login(world.agent_b)

    response = client.get(reverse("admin:complaints_incident_change", args=[incident.pk]))

    assert response.status_code == 404


def test_an_agent_cannot_act_on_an_incident(world, incident, client):
    client.force_login(world.agent_a)

    response = client.post(
        reverse("admin:complaints_incident_act", args=[incident.pk]),
        {"action": "restore", "version": incident.version},
    )

    assert response.status_code == 403
