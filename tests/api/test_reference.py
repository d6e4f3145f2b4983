"""/api/v1/customers, categories, service-units, technicians, incidents, planned-outages."""

from datetime import timedelta

import pytest

from complaints import clock
from complaints.models import PlannedOutage
from tests import factories
from tests.api.conftest import make_incident


def results(response) -> list[dict]:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


# --- Customers -------------------------------------------------------------------------------


@pytest.fixture
def siti(world):
    customer = factories.make_customer(
        world.unit_a, id_pelanggan="541100000001", meter_number="14100000001", name="Siti Aminah"
    )
    factories.add_contact(customer, "phone", "+6281299990000")
    return customer


@pytest.mark.parametrize(
    "query", ["541100000001", "5411 0000 0001", "14100000001", "0812-9999-0000", "aminah"]
)
def test_customer_lookup_by_id_pelanggan_meter_phone_or_name(agent_a, siti, query):
    response = agent_a.get("/api/v1/customers", {"q": query})
    assert response.status_code == 200
    assert [row["id_pelanggan"] for row in response.json()] == ["541100000001"]


def test_customer_of_another_unit_is_not_found(agent_b, siti):
    assert agent_b.get("/api/v1/customers", {"q": "541100000001"}).json() == []
    assert agent_b.get(f"/api/v1/customers/{siti.pk}").status_code == 404


def test_customer_detail_has_contacts_and_open_cases(agent_a, siti):
    case = factories.open_case(customer=siti, category_code="meter")
    body = agent_a.get(f"/api/v1/customers/{siti.pk}").json()
    assert body["contacts"] == [{"kind": "phone", "value": "+6281299990000"}]
    assert [row["ticket"] for row in body["open_cases"]] == [case.ticket]


def test_customer_lookup_needs_a_query(agent_a):
    response = agent_a.get("/api/v1/customers")
    assert response.status_code == 422
    assert "q" in response.json()["fields"]


# --- Categories, units, technicians ----------------------------------------------------------


def test_categories_are_the_active_ones_in_order(agent_a):
    body = agent_a.get("/api/v1/categories").json()
    codes = [row["code"] for row in body]
    assert codes[0] == "bahaya"
    assert {"padam-rumah", "tagihan", "meter"} <= set(codes)
    assert body[0]["name"] == body[0]["name_id"]


def test_service_units_are_the_users_and_those_below(agent_a, manager, world):
    mine = {row["id"] for row in results(agent_a.get("/api/v1/service-units"))}
    assert mine == {world.unit_a.pk}
    everyone = {row["id"] for row in results(manager.get("/api/v1/service-units"))}
    assert {world.unit_a.pk, world.unit_b.pk} <= everyone


def test_technicians_of_the_users_units_with_filters(agent_a, world):
    factories.make_technician(world.unit_b)
    off_shift = factories.make_technician(world.unit_a, on_shift=False, skills=("meter",))
    ids = {row["id"] for row in results(agent_a.get("/api/v1/technicians"))}
    assert ids == {world.technician_a.pk, off_shift.pk}
    on_shift = results(agent_a.get("/api/v1/technicians", {"on_shift": "true"}))
    assert [row["id"] for row in on_shift] == [world.technician_a.pk]
    distribution = results(agent_a.get("/api/v1/technicians", {"skill": "distribution"}))
    assert [row["id"] for row in distribution] == [world.technician_a.pk]


def test_technician_list_query_count_is_constant(agent_a, world, django_assert_num_queries):
    agent_a.get("/api/v1/technicians")
    # token+user, roles, units, throttle counter, the page (technician with user joined).
    with django_assert_num_queries(5):
        assert len(results(agent_a.get("/api/v1/technicians"))) == 1
    for _ in range(5):
        factories.make_technician(world.unit_a)
    with django_assert_num_queries(5):
        assert len(results(agent_a.get("/api/v1/technicians"))) == 6


# --- Incidents and planned outages -----------------------------------------------------------


def test_incidents_of_the_users_units(agent_a, agent_b, world):
    incident = make_incident(world.unit_a)
    make_incident(world.unit_b)
    rows = results(agent_a.get("/api/v1/incidents"))
    assert [row["code"] for row in rows] == [incident.code]
    assert rows[0]["status"] == "active"
    assert agent_b.get(f"/api/v1/incidents/{incident.pk}").status_code == 404


def test_incident_detail_has_counts_and_timeline(agent_a, world):
    incident = make_incident(world.unit_a)
    body = agent_a.get(f"/api/v1/incidents/{incident.pk}").json()
    assert body["code"] == incident.code
    assert body["case_counts"] == {}
    assert body["timeline"] == []


def test_incident_list_filters_and_query_count(agent_a, world, django_assert_num_queries):
    make_incident(world.unit_a, area_code="A1")
    agent_a.get("/api/v1/incidents")
    # token+user, roles, units, throttle counter, the page (incident with unit joined).
    with django_assert_num_queries(5):
        assert len(results(agent_a.get("/api/v1/incidents", {"status": "active"}))) == 1
    for n in range(4):
        make_incident(world.unit_a, area_code=f"B{n}")
    with django_assert_num_queries(5):
        assert len(results(agent_a.get("/api/v1/incidents"))) == 5
    assert results(agent_a.get("/api/v1/incidents", {"status": "closed"})) == []


def test_planned_outages_ahead(agent_a, world):
    now = clock.now()
    soon = PlannedOutage.objects.create(
        service_unit=world.unit_a,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=4),
        reason="Pemeliharaan jaringan",
    )
    PlannedOutage.objects.create(
        service_unit=world.unit_a,
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=4),
        reason="Nanti",
    )
    rows = agent_a.get("/api/v1/planned-outages").json()
    assert [row["id"] for row in rows] == [soon.pk]
    assert agent_a.get("/api/v1/planned-outages", {"ahead_days": 0}).json() == []
    assert agent_a.get("/api/v1/planned-outages", {"ahead_days": 99}).status_code == 422
