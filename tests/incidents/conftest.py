"""Outage-incident fixtures: customers on one feeder of unit A, reports from distinct WhatsApp
numbers (so each reporter's notices can be counted), and the rules pinned to known values."""

import itertools
from datetime import timedelta

import pytest

from complaints import clock
from complaints.models import Case, ContactKind, Customer, Notification
from complaints.services import Reporter
from staff.models import ServiceUnit
from tests import factories

FEEDER = "PNY-CKN-01"
OTHER_FEEDER = "PNY-CKN-02"
# Jakarta, and points about 300 m and 5 km away.
HERE = (-6.2000, 106.8000)
NEAR = (-6.2020, 106.8015)
FAR = (-6.2450, 106.8300)

_numbers = itertools.count(100_000)


@pytest.fixture(autouse=True)
def incident_rules(settings):
    settings.INCIDENT_THRESHOLD = 3
    settings.INCIDENT_WINDOW_MINUTES = 60
    settings.INCIDENT_RADIUS_M = 1000
    settings.INCIDENT_STORM_THRESHOLD = 2
    settings.INCIDENT_STORM_WINDOW_MINUTES = 180
    settings.INCIDENT_STORM_RADIUS_M = 3000
    settings.STORM_AUTO_REPORTS = 0
    settings.NOTIFY_QUIET_SECONDS = 0


def phone() -> str:
    return f"+62812{next(_numbers):07d}"


def customer_on(unit: ServiceUnit, area_code: str = FEEDER, **fields) -> Customer:
    return factories.make_customer(unit, area_code=area_code, **fields)


def report(
    customer: Customer | None = None,
    *,
    unit: ServiceUnit | None = None,
    category_code: str = "padam-rumah",
    contact: str | None = None,
    at=None,
    **fields,
) -> Case:
    """One outage report on WhatsApp from its own number."""
    reporter = Reporter(
        name="Pelapor", contact_kind=ContactKind.WHATSAPP, contact=contact or phone()
    )
    if at is not None:
        with clock.travel(at):
            return factories.open_case(
                unit, customer=customer, category_code=category_code, reporter=reporter, **fields
            )
    return factories.open_case(
        unit, customer=customer, category_code=category_code, reporter=reporter, **fields
    )


def reports_on_feeder(unit: ServiceUnit, n: int, area_code: str = FEEDER) -> list[Case]:
    return [report(customer_on(unit, area_code)) for _ in range(n)]


def notices(case: Case, template: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(case=case).order_by("pk")
    if template is not None:
        rows = rows.filter(template=template)
    return list(rows)


def minutes_ago(minutes: int):
    return clock.now() - timedelta(minutes=minutes)
