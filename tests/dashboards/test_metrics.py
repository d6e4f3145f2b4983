"""The pieces without a database: duration buckets and the percentile estimate, display
formats, and the SVG charts."""

import math
import random

import pytest
from django.utils import translation

from staff.dashboards import charts
from staff.dashboards.metrics import (
    BUCKETS,
    DURATION_EDGES_MINUTES,
    bucket_of,
    compliance,
    format_minutes,
    per_thousand,
    percentile,
)


def histogram(minutes: list[float]) -> list[int]:
    counts = [0] * BUCKETS
    for value in minutes:
        counts[bucket_of(value)] += 1
    return counts


def test_bucket_edges_grow_and_start_at_zero():
    assert DURATION_EDGES_MINUTES[0] == 0
    assert list(DURATION_EDGES_MINUTES) == sorted(set(DURATION_EDGES_MINUTES))
    assert bucket_of(-5) == 0
    assert bucket_of(0.5) == 0
    assert bucket_of(10) == DURATION_EDGES_MINUTES.index(10)
    assert bucket_of(10**9) == BUCKETS - 1


def test_percentile_interpolates_inside_the_bucket_holding_the_rank():
    # 5, 10, 20, 35, 40 min: the median's rank 2.5 falls in [20, 25) after 2 values.
    counts = histogram([5, 10, 20, 35, 40])
    assert percentile(counts, 0.5) == 22.5
    assert percentile(counts, 0.9) == 42.5
    assert percentile([0] * BUCKETS, 0.5) is None
    # The open-ended last bucket reports its lower edge (90 days).
    assert percentile(histogram([200_000]), 0.5) == 129600.0


@pytest.mark.parametrize("seed", range(5))
def test_estimate_lies_in_the_bucket_of_the_exact_nearest_rank_value(seed):
    rng = random.Random(seed)
    minutes = [rng.lognormvariate(4, 1.5) for _ in range(rng.randint(1, 400))]
    counts = histogram(minutes)
    for q in (0.5, 0.9):
        rank = math.ceil(round(q * len(minutes), 9))  # nearest rank, 1-based
        exact = sorted(minutes)[rank - 1]
        index = bucket_of(exact)
        upper = DURATION_EDGES_MINUTES[index + 1] if index + 1 < BUCKETS else float("inf")
        assert DURATION_EDGES_MINUTES[index] <= percentile(counts, q) <= upper


def test_compliance_and_rates_have_no_figure_without_a_denominator():
    assert compliance(3, 4) == 75.0
    assert compliance(0, 0) is None
    assert per_thousand(5, 2000) == 2.5
    assert per_thousand(5, 0) is None


@pytest.mark.parametrize(
    ("minutes", "indonesian", "english"),
    [
        (None, "—", "—"),
        (0.4, "< 1 mnt", "< 1 min"),
        (22.5, "22 mnt", "22 min"),
        (95, "1 j 35 mnt", "1 h 35 min"),
        (120, "2 j", "2 h"),
        (3 * 1440 + 23.6 * 60, "4 hr", "4 d"),
        (2 * 1440 + 300, "2 hr 5 j", "2 d 5 h"),
    ],
)
def test_durations_read_naturally_in_both_languages(minutes, indonesian, english):
    with translation.override("id"):
        assert format_minutes(minutes) == indonesian
    with translation.override("en"):
        assert format_minutes(minutes) == english


def test_stacked_bars_draw_one_rect_per_non_zero_value_and_escape_labels():
    chart = charts.stacked_bars(
        title="Per hari",
        labels=["1/3", "2/3"],
        long_labels=["Sen, 01 Mar", "Sel, 02 Mar"],
        series=[
            charts.Series("<script>alert(1)</script>", [2, 0], "#000"),
            charts.Series("Web", [1, 3], "#111"),
        ],
        empty_text="kosong",
    )

    assert chart.svg.count("<rect") == 3
    assert "<script>" not in chart.svg
    assert "&lt;script&gt;" in chart.svg
    assert chart.legend[1] == ("Web", "#111")


def test_charts_without_data_say_so():
    chart = charts.horizontal_bars(title="t", items=[("a", 0, "0")], empty_text="Tidak ada data")
    assert chart.empty
    assert "Tidak ada data" in chart.svg
    assert "<rect" not in chart.svg


def test_lines_break_where_there_is_no_value():
    chart = charts.lines(
        title="SLA",
        labels=["1", "2", "3", "4"],
        long_labels=["1", "2", "3", "4"],
        series=[charts.Series("a", [50, 60, None, 70], "#000")],
        y_max=100,
        fmt=str,
        empty_text="-",
    )
    assert chart.svg.count("<polyline") == 1  # 50-60 joined; 70 stands alone
    assert chart.svg.count("<circle") == 3


@pytest.mark.parametrize(
    ("value", "expected"), [(3, (3, 1)), (47, (60, 20)), (960, (1000, 250)), (0, (1.0, 0.25))]
)
def test_axis_maximum_is_a_round_number(value, expected):
    assert charts.nice_ceiling(value) == expected
