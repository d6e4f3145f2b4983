"""SLA due times. Field work runs around the clock; back-office work on the service unit's
working hours (Monday to Friday, local time)."""

from datetime import datetime, timedelta

from complaints.models import Category, WorkType
from staff.models import ServiceUnit

# Urgent cases get a share of the category's target (a hazard at priority 1 cannot wait as
# long as a routine report of the same category).
PRIORITY_FACTOR = {1: 0.5, 2: 0.75, 3: 1.0, 4: 1.5}


def add_working_minutes(start: datetime, minutes: int, unit: ServiceUnit) -> datetime:
    tz = unit.tz
    local = start.astimezone(tz)
    remaining = timedelta(minutes=minutes)
    while True:
        day_start = local.replace(
            hour=unit.work_start.hour, minute=unit.work_start.minute, second=0, microsecond=0
        )
        day_end = local.replace(
            hour=unit.work_end.hour, minute=unit.work_end.minute, second=0, microsecond=0
        )
        if local.weekday() >= 5 or local >= day_end:
            local = (day_start + timedelta(days=1)).replace(hour=0, minute=0)
            continue
        local = max(local, day_start)
        available = day_end - local
        if remaining <= available:
            return local + remaining
        remaining -= available
        local = day_end


def due_times(
    category: Category, priority: int, unit: ServiceUnit, start: datetime
) -> tuple[datetime, datetime]:
    factor = PRIORITY_FACTOR.get(priority, 1.0)
    response = max(1, round(category.response_minutes * factor))
    resolution = max(response, round(category.resolution_minutes * factor))
    if category.work_type == WorkType.BACK_OFFICE:
        return (
            add_working_minutes(start, response, unit),
            add_working_minutes(start, resolution, unit),
        )
    return start + timedelta(minutes=response), start + timedelta(minutes=resolution)
