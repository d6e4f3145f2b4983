"""Satisfaction figures on the manager dashboard, from survey answers (complaints.satisfaction)
on the fixed dataset of conftest.py, counted on each unit's local day like the rollups.

|case|unit    |answered (local)   |UTC           |score|fixed|reopens|in D1-D2|
|----|--------|-------------------|--------------|-----|-----|-------|--------|
|1   |A (WIB) |D1 12:00 WIB       |D1 05:00      |5    |yes  |no     |yes     |
|4   |B (WITA)|D2 09:00 WITA      |D2 01:00      |2    |no   |yes    |yes     |
|8   |A (WIB) |D2 23:30 WIB       |D2 16:30      |4    |yes  |no     |yes     |
|9   |B (WITA)|D3 00:30 WITA      |D2 16:30      |1    |no   |no (*) |no      |

(*) answered 8 days after its closing. Cases 8 and 9 are answered at the same instant; only 8's
local day is inside the range.
"""

from datetime import timedelta

import pytest

from complaints import clock
from complaints.satisfaction import record_answer
from complaints.workflow import CaseStatus
from staff.dashboards import selectors
from staff.dashboards.rollups import refresh_rollups
from tests.dashboards.conftest import D1, D2, NOW, WIB, WITA, at, make_case
from tests.dashboards.test_figures import report, rows, summary

pytestmark = pytest.mark.django_db

D3 = D2 + timedelta(days=1)


def answer(case, when, *, score: int, fixed: bool) -> None:
    with clock.travel(when):
        record_answer(case_id=case.pk, score=score, fixed=fixed, channel="web")


@pytest.fixture
def answers(dataset, settings):
    settings.SURVEY_REOPEN_DAYS = 7
    a, b = dataset.world.unit_a, dataset.world.unit_b
    answer(dataset.cases[1], at(D1, 12, 0, WIB), score=5, fixed=True)
    answer(dataset.cases[4], at(D2, 9, 0, WITA), score=2, fixed=False)
    late = make_case(
        b,
        created=at(D1 - timedelta(days=9), 8, 0, WITA),
        resolved=at(D1 - timedelta(days=9), 10, 0, WITA),
        status=CaseStatus.CLOSED,
    )
    same_instant = make_case(
        a,
        created=at(D2, 8, 0, WIB),
        resolved=at(D2, 9, 0, WIB),
        status=CaseStatus.CLOSED,
    )
    answer(same_instant, at(D2, 23, 30, WIB), score=4, fixed=True)
    answer(late, at(D3, 0, 30, WITA), score=1, fixed=False)
    refresh_rollups(full=True, now=NOW)
    return dataset


def test_satisfaction_is_counted_on_each_units_local_day(answers):
    survey = selectors.satisfaction(first_day=D1, last_day=D2, unit_ids=None)

    assert survey.answers == 3
    assert survey.average == pytest.approx(11 / 3)
    assert survey.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}
    assert (survey.fixed, survey.reopened) == (2, 1)
    # D3 alone: only case 9 (WITA).
    assert selectors.satisfaction(first_day=D3, last_day=D3, unit_ids=None).answers == 1


def test_satisfaction_is_one_query(answers, django_assert_num_queries):
    unit_b = frozenset({answers.world.unit_b.pk})
    # The answers per (unit, score) with their fixed and reopened counts, in one aggregate.
    with django_assert_num_queries(1):
        survey = selectors.satisfaction(first_day=D1, last_day=D3, unit_ids=unit_b)

    assert (survey.answers, survey.fixed, survey.reopened) == (2, 0, 1)


def test_the_manager_dashboard_shows_the_satisfaction_figures(answers):
    result = report(answers.world)

    figures = summary(result)
    assert figures["Jawaban survei kepuasan"] == 3
    assert figures["Rata-rata kepuasan (1-5)"] == pytest.approx(11 / 3)
    assert figures["Masalah teratasi menurut pelanggan (%)"] == pytest.approx(200 / 3)
    assert figures["Dibuka kembali lewat survei"] == 1
    assert rows(result, "satisfaction") == [(1, 0), (2, 1), (3, 0), (4, 1), (5, 1)]
    region_a = answers.world.unit_a.parent.parent.name
    region_b = answers.world.unit_b.parent.parent.name
    assert rows(result, "satisfaction_units") == [
        (region_a, 2, 4.5, 100.0, 0),
        (region_b, 1, 2.0, 0.0, 1),
    ]
    (headline,) = [h for h in result.headlines if str(h.label) == "Kepuasan pelanggan"]
    assert headline.value == "3,7"
    assert headline.hint == "3 jawaban survei, 66,7 % teratasi"


def test_a_unit_filter_limits_the_satisfaction_figures(answers):
    result = report(answers.world, unit=answers.world.unit_a)

    assert summary(result)["Jawaban survei kepuasan"] == 2
    assert rows(result, "satisfaction_units") == [(answers.world.unit_a.name, 2, 4.5, 100.0, 0)]
