"""A small fixed dataset whose every figure is worked out by hand in the tests.

Unit A is an office in WIB (UTC+7), unit B an office in WITA (UTC+8). D1 is 2 March 2026,
D2 the 3rd. "Now" is D2 12:00 WIB.

|#|unit|channel    |category   |created      |first response (due)|resolved (due)  |status  |
|-|----|-----------|-----------|-------------|--------------------|----------------|--------|
|1|A   |whatsapp   |padam-rumah|D1 08:00 WIB |08:10 (08:30)       |09:30 (10:00)   |closed  |
|2|A   |call_center|padam-rumah|D1 09:00 WIB |09:40 (09:30)       |13:00 (12:00)   |resolved|
|3|A   |whatsapp   |tagihan    |D1 10:00 WIB |10:20 (11:00)       |-               |verified|
|4|B   |web        |padam-rumah|D1 23:30 WITA|D2 00:05 (00:30)    |D2 00:30 (01:30)|closed  |
|5|B   |whatsapp   |padam-rumah|D2 00:15 WITA|-                   |-               |received|
|7|A   |web        |tagihan    |D2 07:00 WIB |07:05 (08:00)       |-               |rejected|

Case 4 spans midnight in WITA: received on D1, answered and resolved on D2. Case 5 was
created at 16:15 UTC (23:15 WIB) on D1, but it is D2 in its own unit (WITA).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaints import clock
from complaints.models import Case
from complaints.workflow import CaseStatus
from tests import factories

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
D1 = date(2026, 3, 2)
D2 = date(2026, 3, 3)
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=WIB)


def at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def make_case(
    unit,
    *,
    created: datetime,
    channel: str = "whatsapp",
    category_code: str = "padam-rumah",
    status: str = CaseStatus.RECEIVED,
    first_response: datetime | None = None,
    response_due: datetime | None = None,
    resolved: datetime | None = None,
    resolution_due: datetime | None = None,
) -> Case:
    """A case opened through the service at ``created``, then given exactly the timestamps
    the table above says (the figures must not depend on the SLA calendar)."""
    with clock.travel(created):
        case = factories.open_case(unit, channel=channel, category_code=category_code)
    fields = {
        "status": status,
        "created_at": created,
        "first_response_at": first_response,
        "resolved_at": resolved,
        "closed_at": resolved + timedelta(hours=1) if status == CaseStatus.CLOSED else None,
    }
    if response_due is not None:
        fields["response_due_at"] = response_due
    fields["resolution_due_at"] = resolution_due or created + timedelta(days=3)
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


@dataclass
class Dataset:
    world: object
    cases: dict[int, Case]


@pytest.fixture
def dataset(world) -> Dataset:
    a, b = world.unit_a, world.unit_b
    cases = {
        1: make_case(
            a,
            created=at(D1, 8, 0, WIB),
            first_response=at(D1, 8, 10, WIB),
            response_due=at(D1, 8, 30, WIB),
            resolved=at(D1, 9, 30, WIB),
            resolution_due=at(D1, 10, 0, WIB),
            status=CaseStatus.CLOSED,
        ),
        2: make_case(
            a,
            created=at(D1, 9, 0, WIB),
            channel="call_center",
            first_response=at(D1, 9, 40, WIB),
            response_due=at(D1, 9, 30, WIB),
            resolved=at(D1, 13, 0, WIB),
            resolution_due=at(D1, 12, 0, WIB),
            status=CaseStatus.RESOLVED,
        ),
        3: make_case(
            a,
            created=at(D1, 10, 0, WIB),
            category_code="tagihan",
            first_response=at(D1, 10, 20, WIB),
            response_due=at(D1, 11, 0, WIB),
            status=CaseStatus.VERIFIED,
        ),
        4: make_case(
            b,
            created=at(D1, 23, 30, WITA),
            channel="web",
            first_response=at(D2, 0, 5, WITA),
            response_due=at(D2, 0, 30, WITA),
            resolved=at(D2, 0, 30, WITA),
            resolution_due=at(D2, 1, 30, WITA),
            status=CaseStatus.CLOSED,
        ),
        5: make_case(b, created=at(D2, 0, 15, WITA)),
        7: make_case(
            a,
            created=at(D2, 7, 0, WIB),
            channel="web",
            category_code="tagihan",
            first_response=at(D2, 7, 5, WIB),
            response_due=at(D2, 8, 0, WIB),
            status=CaseStatus.REJECTED,
        ),
    }
    for _ in range(8):
        factories.make_customer(a)
    for _ in range(2):
        factories.make_customer(b)
    return Dataset(world=world, cases=cases)
