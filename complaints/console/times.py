"""Times as agents read them: in the case's service unit's own timezone, with its label."""

from datetime import datetime

from django.utils.dates import MONTHS_3

from staff.models import ServiceUnit


def unit_time(moment: datetime | None, unit: ServiceUnit) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone(unit.tz)
    # What formats.date_format(local, "d M Y H:i") writes (its "M" is MONTHS_3, title-cased),
    # without parsing the format for each of the two times on every row of a case list.
    month = str(MONTHS_3[local.month]).title()
    return (
        f"{local.day:02d} {month} {local.year:04d} {local.hour:02d}:{local.minute:02d} "
        f"{unit.tz_label}"
    )
