"""Service-quality figures (TMP): per customer and month — outages counted once per incident,
their duration (follow-ups continue the outage), response time — flagged against the unit's
levels, summed per unit, and exported as CSV for managers."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import clock
from complaints.incidents import (
    incident_assign_crew,
    incident_fan_out,
    incident_restore,
    restoration_answer,
)
from complaints.models import (
    Incident,
    IncidentEventKind,
    PlannedOutage,
    TmpCustomerMonth,
    TmpThreshold,
)
from complaints.services import case_transition
from complaints.tmp import current_month, levels_by_unit, refresh_month, unit_figures
from tests.incidents.conftest import customer_on, report


@pytest.fixture
def month():
    # The tests place their reports hours before "now": in the middle of the month they are
    # all in it, where in the first hours of a month (WIB) they fell in the month before.
    with clock.travel(timezone.now().replace(day=15, hour=5)):
        yield current_month()


def restore_all(world):
    supervisor = world.actor(world.supervisor_a)
    for incident in Incident.objects.filter(status="active"):
        incident_restore(actor=supervisor, incident_id=incident.pk)
        incident_fan_out(incident.events.get(kind=IncidentEventKind.RESTORED).pk)


def test_a_customer_reporting_twice_in_one_incident_has_one_outage(world, month):
    start = clock.now() - timedelta(hours=3)
    customer = customer_on(world.unit_a)
    with clock.travel(start):
        report(customer)
        report(customer)
        report(customer_on(world.unit_a))
        report(customer_on(world.unit_a))
    incident = Incident.objects.get()
    with clock.travel(start + timedelta(minutes=30)):
        incident_assign_crew(
            actor=world.actor(world.supervisor_a),
            incident_id=incident.pk,
            technician=world.technician_a,
        )
    with clock.travel(start + timedelta(hours=2)):
        restore_all(world)

    refresh_month(month)

    row = TmpCustomerMonth.objects.get(customer=customer)
    assert (row.outage_count, row.outage_minutes) == (1, 120)
    assert (row.responses, row.response_minutes_max) == (2, 30)


def test_a_still_off_follow_up_continues_the_same_outage(world, month):
    start = clock.now() - timedelta(hours=5)
    customer = customer_on(world.unit_a)
    with clock.travel(start):
        case = report(customer)
        report(customer_on(world.unit_a))
        report(customer_on(world.unit_a))
    with clock.travel(start + timedelta(hours=1)):
        restore_all(world)
        follow_up = restoration_answer(case=case, still_off=True, channel="whatsapp")
    with clock.travel(start + timedelta(hours=3)):
        case_transition(actor=world.actor(world.agent_a), case_id=follow_up.pk, target="verified")
        case_transition(
            actor=world.actor(world.agent_a),
            case_id=follow_up.pk,
            target="resolved",
            resolution="Sambungan rumah diperbaiki",
        )

    refresh_month(month)

    row = TmpCustomerMonth.objects.get(customer=customer)
    assert (row.outage_count, row.outage_minutes) == (1, 180)


def test_customers_over_the_units_levels_are_flagged(world, month):
    TmpThreshold.objects.create(
        service_unit=world.unit_a.parent,
        max_response_minutes=60,
        max_outage_minutes=90,
        max_outage_count=1,
    )
    customer = customer_on(world.unit_a, "")
    start = clock.now() - timedelta(hours=6)
    for hours in (0, 3):
        with clock.travel(start + timedelta(hours=hours)):
            case = report(customer)
        with clock.travel(start + timedelta(hours=hours, minutes=70)):
            case_transition(actor=world.actor(world.agent_a), case_id=case.pk, target="verified")
        with clock.travel(start + timedelta(hours=hours, minutes=100)):
            case_transition(
                actor=world.actor(world.agent_a),
                case_id=case.pk,
                target="resolved",
                resolution="Selesai",
            )

    refresh_month(month)

    row = TmpCustomerMonth.objects.get(customer=customer)
    assert (row.outage_count, row.outage_minutes, row.response_minutes_max) == (2, 200, 70)
    assert (row.exceeds_count, row.exceeds_duration, row.exceeds_response) == (True, True, True)
    assert levels_by_unit([world.unit_b])[world.unit_b.pk].max_outage_count == 4
    (figures,) = unit_figures(month=month, unit_ids=None)
    assert (figures.customers, figures.outages, figures.eligible) == (1, 2, 1)


def test_a_slow_response_alone_is_flagged_but_earns_no_compensation(world, month, client):
    # Permen ESDM 27/2017 Pasal 6 (18/2019): compensation for outage duration and count only.
    TmpThreshold.objects.create(
        max_response_minutes=30, max_outage_minutes=10_000, max_outage_count=10
    )
    customer = customer_on(world.unit_a, "")
    start = clock.now() - timedelta(hours=3)
    with clock.travel(start):
        case = report(customer)
    with clock.travel(start + timedelta(minutes=45)):
        case_transition(actor=world.actor(world.agent_a), case_id=case.pk, target="verified")

    refresh_month(month)

    row = TmpCustomerMonth.objects.get(customer=customer)
    assert (row.exceeds_response, row.exceeds_duration, row.exceeds_count) == (True, False, False)
    assert row.eligible is False
    (figures,) = unit_figures(month=month, unit_ids=None)
    assert (figures.exceeds_response, figures.eligible) == (1, 0)
    client.force_login(world.manager)
    changelist = reverse("admin:complaints_tmpcustomermonth_changelist")
    page = client.get(changelist, {"month": f"{month:%Y-%m-%d}", "eligible": "1"})
    assert list(page.context["cl"].result_list) == []


def test_an_outage_one_minute_over_the_level_is_eligible(world, month):
    # 18/2019 dropped the 10 % tolerance of 27/2017: above the level is enough.
    TmpThreshold.objects.create(max_response_minutes=600, max_outage_minutes=60, max_outage_count=9)
    customer = customer_on(world.unit_a, "")
    start = clock.now() - timedelta(hours=2)
    with clock.travel(start):
        case = report(customer)
    with clock.travel(start + timedelta(minutes=1)):
        case_transition(actor=world.actor(world.agent_a), case_id=case.pk, target="verified")
    with clock.travel(start + timedelta(minutes=61)):
        case_transition(
            actor=world.actor(world.agent_a), case_id=case.pk, target="resolved", resolution="ok"
        )

    refresh_month(month)

    row = TmpCustomerMonth.objects.get(customer=customer)
    assert (row.outage_minutes, row.exceeds_duration, row.eligible) == (61, True, True)


def test_default_levels_are_the_documented_examples(world):
    levels = levels_by_unit([world.unit_a])[world.unit_a.pk]

    assert (levels.max_response_minutes, levels.max_outage_minutes, levels.max_outage_count) == (
        60,
        300,
        4,
    )


def test_planned_outages_are_not_counted(world, month):
    now = clock.now()
    PlannedOutage.objects.create(
        service_unit=world.unit_a,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
        reason="Pemeliharaan",
    )
    report(customer_on(world.unit_a))

    assert refresh_month(month) == 0


def test_managers_export_the_flagged_customers_as_csv(world, month, client):
    TmpThreshold.objects.create(max_response_minutes=1, max_outage_minutes=1, max_outage_count=0)
    flagged = customer_on(world.unit_a, "")
    with clock.travel(clock.now() - timedelta(hours=1)):
        report(flagged)
    refresh_month(month)
    client.force_login(world.manager)

    response = client.get(
        reverse("admin:complaints_tmpcustomermonth_export") + f"?month={month:%Y-%m}&flagged=1"
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["bulan", "unit layanan", "ID pelanggan"]
    assert [r[2] for r in rows[1:]] == [flagged.id_pelanggan]
    summary = client.get(reverse("admin:complaints_tmpcustomermonth_summary"))
    assert summary.status_code == 200
    assert world.unit_a.code in summary.content.decode()


def test_agents_cannot_read_the_figures(world, client):
    client.force_login(world.agent_a)

    assert client.get(reverse("admin:complaints_tmpcustomermonth_export")).status_code == 403
