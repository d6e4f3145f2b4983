"""The benchmark loader's own arithmetic (bench/load_cases.py), which must agree with the app."""

import importlib.util
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from complaints.sla import add_working_minutes
from staff.models import Holiday
from tests import factories

LOADER = Path(__file__).resolve().parent.parent / "bench" / "load_cases.py"


@pytest.fixture(scope="module")
def loader() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("bench_load_cases", LOADER)
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up in sys.modules while being defined.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.mark.django_db
def test_loader_due_times_skip_national_and_regional_holidays_as_sla_does(loader):
    office = factories.make_unit_tree("BL")
    region = office.parent.parent
    # Thursday 5 and Friday 6 March 2026: a national and a regional holiday.
    Holiday.objects.get_or_create(
        date=date(2026, 3, 5), service_unit=None, defaults={"name": "Libur"}
    )
    Holiday.objects.create(date=date(2026, 3, 6), name="Libur daerah", service_unit=region)
    clock = loader._clock(office)
    assert {date(1970, 1, 1) + timedelta(days=d) for d in clock.holidays} >= {
        date(2026, 3, 5),
        date(2026, 3, 6),
    }
    start = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)  # Tuesday, 07:00 WIB
    for hours in range(0, 96, 5):
        at = start + timedelta(hours=hours, minutes=17)
        for minutes in (15, 60, 240, 480, 960, 2400):
            expected = add_working_minutes(at, minutes, office)
            got = clock.add_working_seconds(int(at.timestamp()), minutes * 60)
            assert got == int(expected.timestamp()), (at, minutes)


def test_survey_answers_are_45_percent_of_cases_and_the_same_on_every_run(loader):
    ids = range(1, 200_001)
    answered = [case_id for case_id in ids if loader.answers_survey(case_id)]
    assert 0.44 < len(answered) / len(ids) < 0.46
    assert answered == [case_id for case_id in ids if loader.answers_survey(case_id)]
