"""How the rollups are kept: the recent refresh beat runs every 5 minutes, the daily full
rebuild, the task and the command. Cases here go through the services in time order, as live
traffic does, so their timeline events are what the recent refresh reads."""

from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command

from complaints import clock
from complaints.services import case_transition
from complaints.workflow import CaseStatus
from staff.dashboards.rollups import full_rebuild_due, recent_first_day, refresh_rollups
from staff.models import (
    CaseRollup,
    DashboardRollupRun,
    DurationHistogram,
    RollupKind,
    UnitCustomerCount,
)
from staff.roles import Actor
from staff.tasks import refresh_dashboard_rollups
from tests import factories
from tests.dashboards.conftest import WIB

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[set, set]:
    rollups = set(
        CaseRollup.objects.values_list(
            "period",
            "day",
            "service_unit_id",
            "channel",
            "category_id",
            "received",
            "responded",
            "responded_on_time",
            "response_seconds",
            "resolved",
            "resolved_on_time",
            "resolution_seconds",
        )
    )
    histograms = {
        (row.period, row.day, row.service_unit_id, row.metric, tuple(row.counts))
        for row in DurationHistogram.objects.all()
    }
    return rollups, histograms


def moment(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=WIB)


def open_and_answer(world, at: datetime):
    with clock.travel(at):
        case = factories.open_case(world.unit_a, category_code="tagihan", channel="email")
    with clock.travel(at + timedelta(minutes=10)):
        case_transition(
            actor=Actor.staff(world.agent_a), case_id=case.pk, target=CaseStatus.VERIFIED
        )
    return case


def test_recent_refresh_sees_old_cases_resolved_today_and_matches_a_full_rebuild(world):
    old = open_and_answer(world, moment(1, 9))
    with clock.travel(moment(1, 12)):
        refresh_rollups(full=True)
    with clock.travel(moment(4, 23)):
        refresh_rollups(full=False)

    # Four days later: the old case is resolved, a new one opened and answered.
    with clock.travel(moment(5, 10)):
        case_transition(
            actor=Actor.staff(world.agent_a),
            case_id=old.pk,
            target=CaseStatus.RESOLVED,
            resolution="Tagihan dikoreksi",
        )
    open_and_answer(world, moment(5, 10, 30))
    with clock.travel(moment(5, 11)):
        run = refresh_rollups(full=False)

    assert (run.kind, run.first_day) == (RollupKind.RECENT, date(2026, 3, 4))
    resolved_on_the_5th = CaseRollup.objects.get(period="day", day=date(2026, 3, 5), resolved=1)
    assert resolved_on_the_5th.resolution_seconds == 4 * 86400 + 3600
    recent = snapshot()
    with clock.travel(moment(5, 11)):
        refresh_rollups(full=True)
    assert snapshot() == recent


def test_recent_refresh_leaves_older_days_to_the_full_rebuild(world):
    open_and_answer(world, moment(1, 9))
    with clock.travel(moment(1, 12)):
        refresh_rollups(full=True)
    with clock.travel(moment(4, 23)):
        refresh_rollups(full=False)
    CaseRollup.objects.filter(period="day", day=date(2026, 3, 1)).update(received=99)

    with clock.travel(moment(5, 11)):
        refresh_rollups(full=False)
    assert CaseRollup.objects.get(period="day", day=date(2026, 3, 1)).received == 99

    with clock.travel(moment(5, 11)):
        refresh_rollups(full=True)
    assert CaseRollup.objects.get(period="day", day=date(2026, 3, 1)).received == 1


def test_refreshing_twice_changes_nothing(world):
    open_and_answer(world, moment(2, 9))
    with clock.travel(moment(2, 12)):
        refresh_rollups(full=True)
        first = snapshot()
        refresh_rollups(full=False)
        refresh_rollups(full=False)

    assert snapshot() == first
    assert DashboardRollupRun.objects.count() == 3


def test_full_rebuild_runs_once_a_day_after_one_in_the_morning_jakarta_time(db):
    assert full_rebuild_due(now=moment(5, 10))  # never ran
    DashboardRollupRun.objects.create(kind=RollupKind.FULL, started_at=moment(5, 2))
    DashboardRollupRun.objects.create(kind=RollupKind.RECENT, started_at=moment(5, 23))

    assert not full_rebuild_due(now=moment(5, 23, 55))
    assert not full_rebuild_due(now=moment(6, 0, 59))
    assert full_rebuild_due(now=moment(6, 1, 0))


def test_recent_days_reach_back_to_the_previous_run_when_beat_was_down(db):
    # Normally yesterday, in the westernmost zone (WIB): at 00:30 WIT on the 6th it is still
    # the 5th in WIB, so the window starts on the 4th.
    assert recent_first_day(now=moment(5, 22, 30), previous=None) == date(2026, 3, 4)
    previous = DashboardRollupRun(kind=RollupKind.RECENT, started_at=moment(1, 8))
    assert recent_first_day(now=moment(5, 22, 30), previous=previous) == date(2026, 3, 1)


def test_customers_are_counted_by_the_full_rebuild(world):
    factories.make_customer(world.unit_a)
    factories.make_customer(world.unit_a)
    with clock.travel(moment(5, 2)):
        refresh_rollups(full=True)
    factories.make_customer(world.unit_b)
    with clock.travel(moment(5, 3)):
        refresh_rollups(full=False)

    assert dict(UnitCustomerCount.objects.values_list("service_unit_id", "customers")) == {
        world.unit_a.pk: 2
    }


def test_beat_task_builds_everything_first_then_recent_days(world):
    open_and_answer(world, moment(5, 9))

    with clock.travel(moment(5, 11)):
        assert refresh_dashboard_rollups.apply().get().startswith("full:")
    with clock.travel(moment(5, 11, 5)):
        assert refresh_dashboard_rollups.apply().get().startswith("recent:")
    assert CaseRollup.objects.get(period="day").received == 1


def test_management_command_rebuilds_all_history(world, capsys):
    open_and_answer(world, moment(1, 9))

    call_command("rebuild_dashboards")
    call_command("rebuild_dashboards", "--recent")

    out = capsys.readouterr().out
    assert "full rebuild" in out
    assert "recent rebuild" in out
    assert CaseRollup.objects.get(period="day", day=date(2026, 3, 1)).responded == 1
