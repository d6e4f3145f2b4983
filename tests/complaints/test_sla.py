"""SLA due times: field work around the clock, back-office work on the unit's working hours."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaints.models import Category, Priority, WorkType
from complaints.sla import add_working_minutes, due_times
from staff.models import ServiceUnit, UnitTimezone

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")


def _unit(timezone: str = UnitTimezone.WIB, start: time = time(8), end: time = time(16)):
    return ServiceUnit(code="ULP", timezone=timezone, work_start=start, work_end=end)


def _category(work_type: str, response: int, resolution: int) -> Category:
    return Category(
        code="x", work_type=work_type, response_minutes=response, resolution_minutes=resolution
    )


def _wib(*args) -> datetime:
    return datetime(*args, tzinfo=WIB)


# 2 March 2026 is a Monday.
MONDAY = 2


def test_the_calendar_in_these_tests():
    assert _wib(2026, 3, MONDAY).weekday() == 0


def test_field_work_runs_around_the_clock():
    saturday_night = _wib(2026, 3, 7, 23, 0)
    category = _category(WorkType.FIELD, 60, 180)

    response, resolution = due_times(category, Priority.NORMAL, _unit(), saturday_night)

    assert response == _wib(2026, 3, 8, 0, 0)
    assert resolution == _wib(2026, 3, 8, 2, 0)


@pytest.mark.parametrize(
    ("priority", "response_minutes", "resolution_minutes"),
    [
        (Priority.EMERGENCY, 30, 90),
        (Priority.HIGH, 45, 135),
        (Priority.NORMAL, 60, 180),
        (Priority.LOW, 90, 270),
    ],
)
def test_priority_scales_the_category_targets(priority, response_minutes, resolution_minutes):
    start = _wib(2026, 3, MONDAY, 10, 0)

    response, resolution = due_times(_category(WorkType.FIELD, 60, 180), priority, _unit(), start)

    assert response == start + timedelta(minutes=response_minutes)
    assert resolution == start + timedelta(minutes=resolution_minutes)


def test_a_tiny_target_is_never_rounded_to_nothing():
    start = _wib(2026, 3, MONDAY, 10, 0)

    response, resolution = due_times(
        _category(WorkType.FIELD, 1, 1), Priority.EMERGENCY, _unit(), start
    )

    assert response == resolution == start + timedelta(minutes=1)


def test_back_office_work_counts_only_working_hours():
    monday_afternoon = _wib(2026, 3, MONDAY, 15, 0)
    # 2 h response: 1 h today, 1 h tomorrow; 16 h resolution: 1 h today, 8 h Tue, 7 h Wed.
    category = _category(WorkType.BACK_OFFICE, 120, 960)

    response, resolution = due_times(category, Priority.NORMAL, _unit(), monday_afternoon)

    assert response == _wib(2026, 3, 3, 9, 0)
    assert resolution == _wib(2026, 3, 4, 15, 0)


@pytest.mark.parametrize(
    ("timezone", "expected_local"),
    [
        # 07:30 UTC is 14:30 WIB: an hour fits before 16:00.
        (UnitTimezone.WIB, datetime(2026, 3, MONDAY, 15, 30, tzinfo=WIB)),
        # ... 15:30 WITA: half an hour today, half an hour tomorrow morning.
        (UnitTimezone.WITA, datetime(2026, 3, 3, 8, 30, tzinfo=WITA)),
        # ... 16:30 WIT: the office has closed; the hour starts tomorrow at 08:00.
        (UnitTimezone.WIT, datetime(2026, 3, 3, 9, 0, tzinfo=WIT)),
    ],
)
def test_back_office_hours_are_the_units_own_local_hours(timezone, expected_local):
    start = datetime(2026, 3, MONDAY, 7, 30, tzinfo=UTC)

    assert add_working_minutes(start, 60, _unit(timezone)) == expected_local


def test_back_office_due_time_is_reported_in_the_units_timezone():
    due = add_working_minutes(_wib(2026, 3, MONDAY, 9), 60, _unit(UnitTimezone.WITA))

    assert due.tzinfo == WITA


def test_back_office_work_skips_the_weekend():
    friday_afternoon = _wib(2026, 3, 6, 15, 0)

    assert add_working_minutes(friday_afternoon, 120, _unit()) == _wib(2026, 3, 9, 9, 0)


@pytest.mark.parametrize("day", [7, 8])
def test_back_office_work_reported_on_the_weekend_starts_monday_morning(day):
    weekend = _wib(2026, 3, day, 11, 0)

    assert add_working_minutes(weekend, 30, _unit()) == _wib(2026, 3, 9, 8, 30)


def test_back_office_work_reported_before_opening_starts_at_opening():
    assert add_working_minutes(_wib(2026, 3, MONDAY, 6, 0), 30, _unit()) == _wib(
        2026, 3, MONDAY, 8, 30
    )


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        # The last minute of the day still fits today ...
        (_wib(2026, 3, MONDAY, 15, 59), 1, _wib(2026, 3, MONDAY, 16, 0)),
        # ... one more carries over to the next morning.
        (_wib(2026, 3, MONDAY, 15, 59), 2, _wib(2026, 3, 3, 8, 1)),
        # Reported at closing time: nothing is left today.
        (_wib(2026, 3, MONDAY, 16, 0), 1, _wib(2026, 3, 3, 8, 1)),
        (_wib(2026, 3, MONDAY, 23, 59), 1, _wib(2026, 3, 3, 8, 1)),
        # Exactly one working day ends at closing time, not at the next opening.
        (_wib(2026, 3, MONDAY, 8, 0), 480, _wib(2026, 3, MONDAY, 16, 0)),
        (_wib(2026, 3, MONDAY, 8, 0), 481, _wib(2026, 3, 3, 8, 1)),
        # Friday's last minute, then Monday.
        (_wib(2026, 3, 6, 15, 59), 2, _wib(2026, 3, 9, 8, 1)),
    ],
)
def test_back_office_edge_around_end_of_day(start, minutes, due):
    assert add_working_minutes(start, minutes, _unit()) == due


def test_back_office_follows_the_units_configured_hours():
    unit = _unit(start=time(7, 30), end=time(15, 30))

    assert add_working_minutes(_wib(2026, 3, MONDAY, 15, 0), 60, unit) == _wib(2026, 3, 3, 8, 0)


def test_back_office_priority_factor_applies_to_working_minutes():
    start = _wib(2026, 3, MONDAY, 15, 0)
    category = _category(WorkType.BACK_OFFICE, 120, 960)

    response, resolution = due_times(category, Priority.EMERGENCY, _unit(), start)

    assert response == _wib(2026, 3, MONDAY, 16, 0)
    assert resolution == _wib(2026, 3, 3, 15, 0)
