"""Menu 4, "informasi pemadaman": what the bot knows about outages in a customer's area.

ONE selector, ``outage_notices_for``: planned outages covering the customer's feeder/area now
or soon, and the active incidents of that area with their estimated restoration time (issue 6,
read from complaints.incident_selectors). The bot's wording of each notice is in texts.py.
"""

from dataclasses import dataclass
from datetime import datetime

from complaints.models import Customer


class OutageKind:
    PLANNED = "planned"
    INCIDENT = "incident"


@dataclass(frozen=True)
class OutageNotice:
    kind: str  # OutageKind
    description: str  # what customers may read (no personal data)
    starts_at: datetime | None = None
    ends_at: datetime | None = None  # planned end, or estimated restoration of an incident


def outage_notices_for(customer: Customer, *, at: datetime) -> list[OutageNotice]:
    """Planned outages and active incidents affecting ``customer``'s area at ``at`` (and
    planned ones starting within the coming days), soonest first. Filled by issue 6:
    complaints.incident_selectors.customer_outages owns the query."""
    from complaints.incident_selectors import customer_outages

    return [
        OutageNotice(
            kind=OutageKind.PLANNED if row.kind == "planned" else OutageKind.INCIDENT,
            description=row.description,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
        )
        for row in customer_outages(unit=customer.service_unit, area_code=customer.area_code, at=at)
    ]
