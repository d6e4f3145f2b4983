"""Times as agents read them: in the case's service unit's own timezone, with its label."""

from datetime import datetime

from django.utils import formats

from staff.models import ServiceUnit


def unit_time(moment: datetime | None, unit: ServiceUnit) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(unit.tz)
    return f"{formats.date_format(local, 'd M Y H:i')} {unit.tz_label}"
