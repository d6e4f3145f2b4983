"""Times on the console: in the case's unit's zone with its label, written as Django's
date_format would write them in the reader's language."""

from datetime import UTC, datetime

import pytest
from django.utils import formats, translation

from complaints.console.times import unit_time
from staff.models import ServiceUnit


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(("zone", "label"), [("Asia/Jakarta", "WIB"), ("Asia/Jayapura", "WIT")])
def test_unit_time_writes_what_date_format_writes(language, zone, label):
    unit = ServiceUnit(code="X", name="X", timezone=zone)
    with translation.override(language):
        for month in range(1, 13):
            # 20:05 UTC on the 20th is the 21st in Jakarta and in Jayapura.
            moment = datetime(2026, month, 20, 20, 5, tzinfo=UTC)
            local = moment.astimezone(unit.tz)
            expected = f"{formats.date_format(local, 'd M Y H:i')} {label}"
            assert unit_time(moment, unit) == expected
            assert unit_time(moment, unit).startswith("21 ")
    assert unit_time(None, unit) == "—"


def test_a_month_is_in_the_readers_language():
    unit = ServiceUnit(code="X", name="X", timezone="Asia/Makassar")
    moment = datetime(2026, 8, 17, 1, 0, tzinfo=UTC)
    with translation.override("id"):
        assert unit_time(moment, unit) == "17 Agu 2026 09:00 WITA"
    with translation.override("en"):
        assert unit_time(moment, unit) == "17 Aug 2026 09:00 WITA"
