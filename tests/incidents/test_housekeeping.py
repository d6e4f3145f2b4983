"""The beat task: one run does storm mode's automatic switch, ends finished planned outages,
re-enqueues lost fan-outs and refreshes the month's figures; a second run finds them fresh."""

from datetime import timedelta

from complaints import clock
from complaints.incident_tasks import outage_housekeeping
from complaints.models import PlannedOutage, StormSwitch, TmpCustomerMonth
from tests.incidents.conftest import FEEDER, customer_on, report


def test_one_run_does_every_chore_and_a_second_finds_them_done(world, settings):
    settings.STORM_AUTO_REPORTS = 2
    now = clock.now()
    PlannedOutage.objects.create(
        service_unit=world.unit_a,
        area_codes=[FEEDER],
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(minutes=30),
        reason="Pemeliharaan",
    )
    report(customer_on(world.unit_a))
    report(customer_on(world.unit_a))
    PlannedOutage.objects.update(ends_at=now - timedelta(minutes=1))

    first = outage_housekeeping()

    assert first.startswith("storm:1 planned:1 fanouts:0")
    assert StormSwitch.objects.get().automatic
    assert TmpCustomerMonth.objects.count() == 0  # planned outages are not gangguan
    assert outage_housekeeping().startswith("storm:0 planned:0 fanouts:0")
