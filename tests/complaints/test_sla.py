"""SLA due times: field work around the clock, back-office work on the unit's working hours
and holiday calendar."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from complaints.models import Category, Priority, WorkType
from complaints.sla import WorkingCalendar, add_working_minutes, due_times
from staff.models import Holiday, ServiceUnit, UnitTimezone
from tests import factories

# Holidays are read from the database (national ones are reference data).
pytestmark = pytest.mark.django_db

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


# --- Holidays ---------------------------------------------------------------------------------


def test_back_office_work_skips_national_holidays():
    # Friday 3 April 2026 is Wafat Yesus Kristus (a seeded national holiday).
    thursday_afternoon = _wib(2026, 4, 2, 15, 0)

    assert add_working_minutes(thursday_afternoon, 120, _unit()) == _wib(2026, 4, 6, 9, 0)


def test_back_office_work_skips_consecutive_holidays_and_weekends():
    # Nyepi on Thursday 19 March 2026, then the weekend of Idulfitri (21-22 March).
    wednesday_afternoon = _wib(2026, 3, 18, 15, 0)

    assert add_working_minutes(wednesday_afternoon, 600, _unit()) == _wib(2026, 3, 23, 9, 0)


def test_field_work_ignores_holidays():
    good_friday = _wib(2026, 4, 3, 10, 0)

    response, _ = due_times(
        _category(WorkType.FIELD, 60, 180), Priority.NORMAL, _unit(), good_friday
    )

    assert response == _wib(2026, 4, 3, 11, 0)


def test_a_units_holiday_closes_it_and_the_units_below_but_no_other_unit():
    office_a = factories.make_unit_tree("JKT")
    office_b = factories.make_unit_tree("BDG")
    region_a = ServiceUnit.objects.get(path=office_a.path.split("/")[0])
    Holiday.objects.create(date=date(2026, 3, 3), name="Hari jadi kota", service_unit=region_a)
    monday_afternoon = _wib(2026, 3, MONDAY, 15, 0)

    assert add_working_minutes(monday_afternoon, 120, office_a) == _wib(2026, 3, 4, 9, 0)
    assert add_working_minutes(monday_afternoon, 120, office_b) == _wib(2026, 3, 3, 9, 0)


def test_holidays_are_read_in_one_query_for_a_long_target(django_assert_num_queries):
    # 40 working days: eight weeks, across Nyepi, Idulfitri, Good Friday.
    with django_assert_num_queries(1):
        due = add_working_minutes(_wib(2026, 3, MONDAY, 8, 0), 40 * 480, _unit())

    assert due == _wib(2026, 4, 28, 16, 0)


def test_one_national_holiday_per_day():
    with pytest.raises(IntegrityError), transaction.atomic():
        Holiday.objects.create(date=date(2026, 12, 25), name="Natal (lagi)")


def test_national_holidays_of_2026_and_2027_are_reference_data():
    national = Holiday.objects.filter(service_unit__isnull=True)

    assert national.filter(date__year=2026).count() == 17
    assert national.filter(date__year=2027).count() == 17
    assert national.get(date=date(2026, 8, 17)).name == "Proklamasi Kemerdekaan Republik Indonesia"


def test_working_time_between_two_moments_skips_nights_weekends_and_holidays():
    calendar = WorkingCalendar(_unit())

    # Thursday 2 April 15:00 → Monday 6 April 09:00: 1 h Thursday, Good Friday, weekend, 1 h.
    assert calendar.between(_wib(2026, 4, 2, 15, 0), _wib(2026, 4, 6, 9, 0)) == timedelta(hours=2)
    assert calendar.between(_wib(2026, 4, 6, 9, 0), _wib(2026, 4, 2, 15, 0)) == timedelta()


@pytest.mark.parametrize(
    ("end", "minutes", "start"),
    [
        (_wib(2026, 3, MONDAY, 12, 0), 60, _wib(2026, 3, MONDAY, 11, 0)),
        # Back across the night: an hour before Tuesday 08:30 is Monday 15:30.
        (_wib(2026, 3, 3, 8, 30), 60, _wib(2026, 3, MONDAY, 15, 30)),
        # Back across Good Friday and the weekend.
        (_wib(2026, 4, 6, 9, 0), 120, _wib(2026, 4, 2, 15, 0)),
    ],
)
def test_working_time_counts_back_from_a_due_time(end, minutes, start):
    assert WorkingCalendar(_unit()).subtract(end, timedelta(minutes=minutes)) == start
