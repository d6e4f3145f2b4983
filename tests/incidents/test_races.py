"""Hundreds of reports of one feeder at once: one incident, every report linked, nothing lost;
an ETR change racing with arriving reports tells every reporter exactly once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection

from complaints import clock
from complaints.incidents import incident_fan_out, incident_set_etr
from complaints.models import Case, Incident, Notification
from staff.roles import Actor, Role
from tests import factories
from tests.incidents.conftest import FEEDER, customer_on, report
from tests.reference_data import ensure_reference_data

REPORTS = 100
THREADS = 10


@pytest.fixture
def committed(transactional_db):
    ensure_reference_data()
    unit = factories.make_unit_tree()
    customers = [customer_on(unit) for _ in range(REPORTS)]
    supervisor = factories.make_user(Role.SUPERVISOR, units=[unit])
    return unit, customers, supervisor


def _in_threads(work, items):
    barrier = threading.Barrier(THREADS)

    def run(chunk):
        try:
            barrier.wait(timeout=30)
            return [work(item) for item in chunk]
        finally:
            connection.close()

    chunks = [items[n::THREADS] for n in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        return [r for result in pool.map(run, chunks) for r in result]


def test_parallel_reports_of_one_feeder_make_one_incident_holding_all(committed):
    _unit, customers, _ = committed

    opened = _in_threads(lambda customer: report(customer).pk, customers)

    assert len(opened) == len(set(opened)) == REPORTS
    incident = Incident.objects.get()
    assert incident.area_key == f"feeder:{FEEDER}"
    assert set(incident.cases.values_list("pk", flat=True)) == set(opened)
    # Every reporter told once that the outage is known.
    told = Notification.objects.filter(template="incident_etr").values_list("case_id", flat=True)
    assert sorted(told) == sorted(opened)


def test_an_etr_change_racing_with_new_reports_reaches_everyone_exactly_once(committed):
    unit, customers, supervisor = committed
    first = [report(customer) for customer in customers[:3]]
    incident = Incident.objects.get()
    etr = clock.now() + timedelta(hours=2)

    def work(item):
        if item == "etr":
            incident_set_etr(actor=Actor.staff(supervisor), incident_id=incident.pk, etr=etr)
            return None
        return report(item).pk

    _in_threads(work, [*customers[3:], "etr"])
    event = incident.events.get(kind="etr_set")
    incident_fan_out(event.pk)

    etr_text = f"{etr.astimezone(unit.tz):%H:%M}"
    for case in Case.objects.filter(incident=incident):
        bodies = [n.body for n in Notification.objects.filter(case=case, template="incident_etr")]
        assert sum(etr_text in body for body in bodies) == 1, (case.ticket, bodies)
    assert {c.pk for c in first} <= set(incident.cases.values_list("pk", flat=True))
    assert incident.cases.count() == REPORTS
