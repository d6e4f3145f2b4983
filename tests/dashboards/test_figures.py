"""Every figure of the manager dashboard on the fixed dataset of conftest.py, worked out by hand
(the working is in the comments), plus the edges: no data, one case, WITA midnight."""

from datetime import date, timedelta

import pytest

from complaints.workflow import CaseStatus
from staff.dashboards import reports, selectors
from staff.dashboards.rollups import refresh_rollups
from staff.models import CaseRollup, DurationHistogram, DurationMetric
from tests.dashboards.conftest import D1, D2, NOW, WIB, WITA, at, make_case

pytestmark = pytest.mark.django_db


def rollup_rows() -> set[tuple]:
    return set(
        CaseRollup.objects.filter(period="day").values_list(
            "day",
            "service_unit_id",
            "channel",
            "category__code",
            "received",
            "responded",
            "responded_on_time",
            "response_seconds",
            "resolved",
            "resolved_on_time",
            "resolution_seconds",
        )
    )


def report(world, *, first_day=D1, last_day=D2, unit=None, by=reports.By.CHANNEL):
    tree = selectors.unit_tree()
    allowed = None
    unit_ids = None if unit is None else tree.below(unit)
    return reports.manager_report(
        first_day=first_day,
        last_day=last_day,
        unit_ids=unit_ids,
        allowed=allowed,
        root=unit,
        tree=tree,
        by=by,
        now=NOW,
    )


def rows(report_, key: str) -> list[tuple]:
    table = report_.table(key)
    return [tuple(getattr(cell, "raw", cell) for cell in row) for row in table.rows]


def summary(report_) -> dict:
    return {str(label): value for label, value in rows(report_, "summary")}


def test_rollup_rows_count_each_case_on_the_local_days_of_its_unit(dataset):
    a, b = dataset.world.unit_a.pk, dataset.world.unit_b.pk
    refresh_rollups(full=True, now=NOW)

    # (day, unit, channel, category, received, responded, on time, seconds, resolved, on time,
    # seconds). Case 2 answered after its 09:30 target and resolved after its 12:00 target.
    assert rollup_rows() == {
        (D1, a, "whatsapp", "padam-rumah", 1, 1, 1, 10 * 60, 1, 1, 90 * 60),  # case 1
        (D1, a, "call_center", "padam-rumah", 1, 1, 0, 40 * 60, 1, 0, 240 * 60),  # case 2
        (D1, a, "whatsapp", "tagihan", 1, 1, 1, 20 * 60, 0, 0, 0),  # case 3
        (D1, b, "web", "padam-rumah", 1, 0, 0, 0, 0, 0, 0),  # case 4 received 23:30 WITA
        (D2, b, "web", "padam-rumah", 0, 1, 1, 35 * 60, 1, 1, 60 * 60),  # case 4 after midnight
        (D2, b, "whatsapp", "padam-rumah", 1, 0, 0, 0, 0, 0, 0),  # case 5
        (D2, a, "web", "tagihan", 1, 1, 1, 5 * 60, 0, 0, 0),  # case 7 (rejected)
    }


def test_a_case_created_just_after_midnight_wita_counts_on_that_day_not_the_utc_one(dataset):
    case = dataset.cases[5]
    # 00:15 WITA on the 3rd is 16:15 UTC (and 23:15 WIB) on the 2nd.
    assert case.created_at.astimezone(WITA).date() == D2
    assert case.created_at.date() == D1  # UTC
    refresh_rollups(full=True, now=NOW)

    b_rows = CaseRollup.objects.filter(
        period="day", service_unit=dataset.world.unit_b, channel="whatsapp"
    )
    assert list(b_rows.values_list("day", "received")) == [(D2, 1)]


def test_a_case_created_before_midnight_wita_and_resolved_after_counts_on_both_days(dataset):
    refresh_rollups(full=True, now=NOW)
    region_b = dataset.world.unit_b.parent.parent.name

    first = {row[0]: row for row in rows(report(dataset.world, last_day=D1), "units")}
    second = {row[0]: row for row in rows(report(dataset.world, first_day=D2), "units")}

    # Columns: received, first response SLA, resolved, resolution SLA.
    # D1 in unit B: case 4 received (23:30 WITA, 15:30 UTC); nothing answered or resolved yet.
    assert first[region_b][1:5] == (1, None, 0, None)
    # D2 in unit B: case 5 received; case 4 answered (35 min) and resolved (60 min) on time.
    assert second[region_b][1:5] == (1, 100.0, 1, 100.0)


def test_summary_of_both_days_by_hand(dataset):
    refresh_rollups(full=True, now=NOW)

    figures = summary(report(dataset.world))

    assert figures == {
        "Pengaduan diterima": 6,  # cases 1, 2, 3, 4, 5, 7
        "Respons pertama": 5,  # 1, 2, 3, 4, 7
        "Respons pertama tepat waktu": 4,  # all but case 2
        "SLA respons pertama (%)": 80.0,  # 4 / 5
        # First responses 5, 10, 20, 35, 40 min in buckets [5,6) [10,12) [20,25) [35,40)
        # [40,45). Median: rank 0.5 x 5 = 2.5 falls in [20,25), past 2 below it:
        # 20 + 5 x (2.5 - 2) / 1 = 22.5. P90: rank 4.5 in [40,45): 40 + 5 x 0.5 = 42.5.
        "Median respons pertama (menit)": 22.5,
        "P90 respons pertama (menit)": 42.5,
        "Diselesaikan": 3,  # 1, 2, 4 (case 3 is open, 7 rejected)
        "Diselesaikan tepat waktu": 2,  # 1 and 4
        "SLA penyelesaian (%)": pytest.approx(200 / 3),
        # Resolutions 60, 90, 240 min in [60,70) [90,100) [240,270). Median: rank 1.5 in
        # [90,100): 90 + 10 x 0.5 = 95. P90: rank 2.7 in [240,270): 240 + 30 x 0.7 = 261.
        "Median penyelesaian (menit)": 95.0,
        "P90 penyelesaian (menit)": pytest.approx(261.0),
        # Open now (D2 12:00 WIB): case 3 and case 5.
        "Backlog terbuka saat ini": 2,
        "Jawaban survei kepuasan": 0,
        "Rata-rata kepuasan (1-5)": None,
        "Masalah teratasi menurut pelanggan (%)": None,
        "Dibuka kembali lewat survei": 0,
    }


def test_second_day_only(dataset):
    refresh_rollups(full=True, now=NOW)

    figures = summary(report(dataset.world, first_day=D2, last_day=D2))

    assert figures["Pengaduan diterima"] == 2  # case 5 (WITA) and case 7
    assert figures["Respons pertama"] == 2  # case 4 at 00:05 WITA and case 7
    assert figures["SLA respons pertama (%)"] == 100.0
    assert figures["Diselesaikan"] == 1  # case 4 at 00:30 WITA
    assert figures["SLA penyelesaian (%)"] == 100.0
    # One resolution of 60 min in [60,70): median rank 0.5 -> 65, P90 rank 0.9 -> 69.
    assert figures["Median penyelesaian (menit)"] == 65.0
    assert figures["P90 penyelesaian (menit)"] == 69.0


def test_daily_table_by_channel_category_and_unit(dataset):
    refresh_rollups(full=True, now=NOW)

    by_channel = report(dataset.world)
    table = by_channel.table("daily")
    names = [str(c.label) for c in table.columns]
    # Series in the order of the Channel choices, only those with complaints.
    assert names == [
        "Hari",
        "WhatsApp",
        "Call center 123",
        "Formulir web",
        "Jumlah diterima",
        "Diselesaikan",
        "SLA penyelesaian",
    ]
    assert rows(by_channel, "daily") == [
        (D1, 2, 1, 1, 4, 2, 50.0),  # cases 1, 3 | 2 | 4; resolved 1 (on time) and 2 (late)
        (D2, 1, 0, 1, 2, 1, 100.0),  # case 5 | - | 7; resolved 4
    ]

    by_category = report(dataset.world, by=reports.By.CATEGORY)
    assert rows(by_category, "daily") == [(D1, 3, 1, 4, 2, 50.0), (D2, 1, 1, 2, 1, 100.0)]

    by_unit = report(dataset.world, by=reports.By.UNIT)
    # Without a unit filter, a manager's cases are grouped by region, in the order of the
    # unit tree (paths: "BAL..." before "JKT...").
    assert [str(c.label) for c in by_unit.table("daily").columns][1:3] == [
        dataset.world.unit_b.parent.parent.name,
        dataset.world.unit_a.parent.parent.name,
    ]
    assert rows(by_unit, "daily") == [(D1, 1, 3, 4, 2, 50.0), (D2, 1, 1, 2, 1, 100.0)]


def test_sla_table_per_day(dataset):
    refresh_rollups(full=True, now=NOW)

    assert rows(report(dataset.world), "sla") == [
        # D1: first responses 1, 2 (late), 3; resolutions 1, 2 (late).
        (D1, 3, 2, pytest.approx(200 / 3), 2, 1, 50.0),
        # D2: first responses 4 (WITA), 7; resolution 4.
        (D2, 2, 2, 100.0, 1, 1, 100.0),
    ]


def test_categories_table(dataset):
    refresh_rollups(full=True, now=NOW)

    assert rows(report(dataset.world), "categories") == [
        # received, share of 6, resolved, resolution SLA
        ("Listrik padam (rumah)", 4, pytest.approx(400 / 6), 3, pytest.approx(200 / 3)),
        ("Tagihan / rekening listrik", 2, pytest.approx(200 / 6), 0, None),
    ]


def test_units_table_and_top_areas_per_thousand_customers(dataset):
    refresh_rollups(full=True, now=NOW)
    region_a = dataset.world.unit_a.parent.parent.name
    region_b = dataset.world.unit_b.parent.parent.name

    assert rows(report(dataset.world), "units") == [
        # Region A: cases 1, 2, 3, 7; first responses 1, 2 (late), 3, 7 -> 75 %; resolved 1
        # (90 min, on time) and 2 (240 min, late) -> 50 %. Median: rank 1 in [90,100) ->
        # 90 + 10 x 1/1 = 100; P90: rank 1.8 in [240,270) -> 240 + 30 x 0.8 = 264.
        # 8 customers: 4 / 8 x 1000 = 500.
        (region_a, 4, 75.0, 2, 50.0, 100.0, pytest.approx(264.0), 8, 500.0),
        # Region B: cases 4, 5; case 4 answered and resolved on time (60 min: 65 / 69).
        # 2 customers: 2 / 2 x 1000 = 1000.
        (region_b, 2, 100.0, 1, 100.0, 65.0, 69.0, 2, 1000.0),
    ]
    assert rows(report(dataset.world), "top_areas") == [
        (dataset.world.unit_b.name, 2, 2, 1000.0),
        (dataset.world.unit_a.name, 8, 4, 500.0),
    ]


def test_unit_filter_selects_a_region_and_everything_below_it(dataset):
    refresh_rollups(full=True, now=NOW)
    region_a = dataset.world.unit_a.parent.parent

    filtered = report(dataset.world, unit=region_a)

    assert summary(filtered)["Pengaduan diterima"] == 4
    assert summary(filtered)["Backlog terbuka saat ini"] == 1  # case 3
    # Under a region, units are grouped by its UP3s.
    assert [row[0] for row in rows(filtered, "units")] == [dataset.world.unit_a.parent.name]
    assert [row[0] for row in rows(filtered, "top_areas")] == [dataset.world.unit_a.name]


def test_backlog_by_age_is_read_live(dataset):
    refresh_rollups(full=True, now=NOW)

    # At D2 12:00 WIB: case 3 has been open 26 h (1-3 days), case 5 12 h 45 min (4-24 h).
    assert rows(report(dataset.world), "backlog") == [
        ("< 4 jam", 0),
        ("4-24 jam", 1),
        ("1-3 hari", 1),
        ("3-7 hari", 0),
        ("7-30 hari", 0),
        ("> 30 hari", 0),
    ]
    # Live: a case opened a minute ago shows without any rollup refresh.
    make_case(dataset.world.unit_a, created=NOW - timedelta(minutes=1))
    assert rows(report(dataset.world), "backlog")[0] == ("< 4 jam", 1)


def test_satisfaction_is_empty_until_survey_answers_exist(dataset):
    refresh_rollups(full=True, now=NOW)

    result = report(dataset.world)

    assert result.table("satisfaction").rows == []
    assert str(result.table("satisfaction").empty_text) == "Belum ada jawaban survei kepuasan."


def test_no_data_gives_empty_figures_not_zero_percent(world):
    refresh_rollups(full=True, now=NOW)

    result = report(world)

    figures = summary(result)
    assert figures["Pengaduan diterima"] == 0
    assert figures["SLA respons pertama (%)"] is None
    assert figures["Median penyelesaian (menit)"] is None
    assert rows(result, "daily") == [(D1, 0, 0, None), (D2, 0, 0, None)]
    assert rows(result, "categories") == []
    assert rows(result, "units") == []
    assert all(section.chart is None or section.chart.empty for section in result.sections[:3])


def test_one_case(world):
    make_case(
        world.unit_b,
        created=at(D1, 10, 0, WITA),
        first_response=at(D1, 10, 3, WITA),
        response_due=at(D1, 10, 2, WITA),
        resolved=at(D1, 12, 0, WITA),
        resolution_due=at(D1, 14, 0, WITA),
        status=CaseStatus.RESOLVED,
    )
    refresh_rollups(full=True, now=NOW)

    figures = summary(report(world))

    assert figures["Pengaduan diterima"] == 1
    assert figures["SLA respons pertama (%)"] == 0.0  # 3 min against a 2-min target
    assert figures["SLA penyelesaian (%)"] == 100.0
    # 3 min alone in [3,4): median 3.5, P90 3.9. 120 min in [120,135): 127.5 and 133.5.
    assert figures["Median respons pertama (menit)"] == 3.5
    assert figures["P90 respons pertama (menit)"] == pytest.approx(3.9)
    assert figures["Median penyelesaian (menit)"] == 127.5
    assert figures["P90 penyelesaian (menit)"] == pytest.approx(133.5)


def test_reopened_case_leaves_the_resolution_figures(dataset):
    from complaints.models import Case

    Case.objects.filter(pk=dataset.cases[2].pk).update(status=CaseStatus.REOPENED)
    refresh_rollups(full=True, now=NOW)

    figures = summary(report(dataset.world))

    assert figures["Diselesaikan"] == 2  # cases 1 and 4
    assert figures["SLA penyelesaian (%)"] == 100.0


def test_long_ranges_are_charted_by_week(dataset):
    refresh_rollups(full=True, now=NOW)

    result = report(dataset.world, first_day=D1 - timedelta(days=89), last_day=D2)

    assert result.weekly
    daily = rows(result, "daily")
    # D1 (Monday 2 March) and D2 fall in the week that starts on D1.
    assert daily[-1][0] == D1
    assert daily[-1][-3:] == (6, 3, pytest.approx(200 / 3))


def test_histograms_hold_every_duration(dataset):
    refresh_rollups(full=True, now=NOW)

    counts = {
        (row.day, row.service_unit_id, row.metric): sum(row.counts)
        for row in DurationHistogram.objects.filter(period="day")
    }
    a, b = dataset.world.unit_a.pk, dataset.world.unit_b.pk
    assert counts == {
        (D1, a, DurationMetric.FIRST_RESPONSE): 3,
        (D1, a, DurationMetric.RESOLUTION): 2,
        (D2, a, DurationMetric.FIRST_RESPONSE): 1,
        (D2, b, DurationMetric.FIRST_RESPONSE): 1,
        (D2, b, DurationMetric.RESOLUTION): 1,
    }


def test_wib_and_wit_days_too(world):
    """The same instant, 16:30 UTC, is the 2nd in WIB (23:30) and the 3rd in WIT (01:30)."""
    from staff.models import UnitTimezone
    from tests import factories

    papua = factories.make_unit_tree("PAP", UnitTimezone.WIT)
    instant = at(D1, 23, 30, WIB)
    make_case(world.unit_a, created=instant)
    make_case(papua, created=instant)
    refresh_rollups(full=True, now=NOW)

    days = dict(CaseRollup.objects.filter(period="day").values_list("service_unit_id", "day"))
    assert days == {world.unit_a.pk: D1, papua.pk: D2}


def test_week_rows_add_up_the_day_rows_of_their_week(dataset):
    refresh_rollups(full=True, now=NOW)

    # D1 is a Monday: D1 and D2 make the week row dated D1.
    week = CaseRollup.objects.filter(period="week", day=D1)
    assert sum(week.values_list("received", flat=True)) == 6
    assert sum(week.values_list("resolved", flat=True)) == 3
    assert not CaseRollup.objects.filter(period="week").exclude(day=D1).exists()
    histograms = DurationHistogram.objects.filter(period="week", day=D1, metric="resolution")
    assert sum(sum(row.counts) for row in histograms) == 3


@pytest.mark.parametrize(
    ("first_day", "last_day", "where_weeks"),
    [
        # Wednesday to Thursday two weeks later: one whole week, days on both sides.
        (date(2026, 2, 25), date(2026, 3, 12), [date(2026, 3, 2), date(2026, 3, 2)]),
        # Monday to Sunday: whole weeks only.
        (date(2026, 3, 2), date(2026, 3, 15), [date(2026, 3, 2), date(2026, 3, 9)]),
        # No whole week inside: day rows only.
        (date(2026, 3, 3), date(2026, 3, 8), None),
    ],
)
def test_long_ranges_read_week_rows_for_whole_weeks_and_day_rows_around_them(
    first_day, last_day, where_weeks
):
    _, params = selectors.covering_rows(first_day=first_day, last_day=last_day, weekly=True)
    if where_weeks is None:
        assert params == [first_day, last_day]
    else:
        assert params[:2] == where_weeks


def test_weekly_reading_gives_the_same_figures_as_day_rows(dataset):
    a = dataset.world.unit_a
    for n in range(12):  # more cases over three weeks, answered and resolved
        created = at(D1 + timedelta(days=n * 2 - 9), 9, 0, WIB)
        make_case(
            a,
            created=created,
            first_response=created + timedelta(minutes=3 * n + 1),
            response_due=created + timedelta(minutes=20),
            resolved=created + timedelta(hours=n + 1),
            resolution_due=created + timedelta(hours=6),
            status=CaseStatus.CLOSED,
        )
    refresh_rollups(full=True, now=NOW)
    window = {"first_day": D1 - timedelta(days=12), "last_day": D2 + timedelta(days=9)}

    by_days = selectors.rollup_sums(**window, unit_ids=None, by="channel", weekly=False)
    by_weeks = selectors.rollup_sums(**window, unit_ids=None, by="channel", weekly=True)
    assert by_days.by_unit == by_weeks.by_unit
    assert by_days.by_category == by_weeks.by_category
    assert len(by_weeks.daily) < len(by_days.daily)
    assert selectors.duration_histograms(**window, unit_ids=None) == (
        selectors.duration_histograms(**window, unit_ids=None, weekly=True)
    )
