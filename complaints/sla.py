"""The SLA clock: due times, pauses, the figures kept per case, and the beat task that announces
thresholds.

Targets are the category's response and resolution minutes, scaled by priority. Field work runs
around the clock; back-office work on the service unit's working hours (Monday to Friday, local
time), skipping national holidays and the holidays of the unit or a unit above it
(staff.models.Holiday). The clock stands still while the case waits for the customer: leaving
``waiting_customer`` moves the due times forward by the paused working time (wall time for field
work). A running case is "at risk" once 80 % of a target is used (SLA_AT_RISK_FRACTION: the
time left is a fifth of the target, counted as the target is) and "breached" at the due time;
``sla_sweep`` writes one event and one supervisors' notice per threshold.

Services call ``update_clock`` / ``retarget`` inside their transaction; ``sla_sweep`` is the only
other writer of the SLA columns (never of the case's state or version)."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from complaints import clock, events, staff_notices
from complaints.models import Case, Category, Priority, SlaAlert, WorkType
from complaints.workflow import OPEN_STATES, PAUSED_STATES, CaseStatus
from staff.models import Holiday, ServiceUnit
from staff.roles import Actor
from staff.unit_tree import paths_at_and_above

logger = logging.getLogger(__name__)

# Urgent cases get a share of the category's target (a hazard at priority 1 cannot wait as
# long as a routine report of the same category).
PRIORITY_FACTOR = {1: 0.5, 2: 0.75, 3: 1.0, 4: 1.5}

RUNNING_STATES = OPEN_STATES - PAUSED_STATES
RESPONSE = "response"
RESOLUTION = "resolution"
TARGETS = (RESPONSE, RESOLUTION)
TARGET_LABELS = {RESPONSE: _("respons"), RESOLUTION: _("penyelesaian")}
SLA_ALERT_NOTE = _("Target %(target)s, batas %(due)s.")
# Cases looked at per run of the beat task; the rest wait a minute (the oldest first).
SWEEP_BATCH = 500
# Holidays are read for this many days from the first day a walk needs (one query covers any
# realistic target); a walk beyond it reads the next stretch.
HOLIDAY_HORIZON_DAYS = 400
# A case whose clock a storm stopped is looked at again this much later (the storm's end moves
# its due times: complaints.incidents._shift_paused_sla). Not every run: thousands of stopped
# cases would take the whole batch from the running ones.
STORM_RECHECK = timedelta(minutes=15)
SYSTEM = Actor.system("sla")


# --- Working calendar ---------------------------------------------------------------------


def holidays_between(unit: ServiceUnit, first: date, last: date) -> frozenset[date]:
    """Days in [first, last] on which ``unit`` is closed: national holidays and those of the
    unit or a unit above it (the materialized path names them), in one query."""
    return frozenset(
        Holiday.objects.filter(
            Q(service_unit__isnull=True) | Q(service_unit__path__in=paths_at_and_above(unit.path)),
            date__range=(first, last),
        ).values_list("date", flat=True)
    )


class WorkingCalendar:
    """A unit's working hours and holidays. Holidays are read once for a stretch of days (not
    once per day walked); reuse one calendar for many computations on the same unit."""

    def __init__(self, unit: ServiceUnit) -> None:
        self.unit = unit
        self.tz: ZoneInfo = unit.tz
        self.work_start: time = unit.work_start
        self.work_end: time = unit.work_end
        self._loaded: tuple[date, date] | None = None
        self._holidays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        if self._loaded is None or not self._loaded[0] <= day <= self._loaded[1]:
            first, last = day - timedelta(days=31), day + timedelta(days=HOLIDAY_HORIZON_DAYS)
            self._holidays = holidays_between(self.unit, first, last)
            self._loaded = (first, last)
        return day not in self._holidays

    def _day_bounds(self, local: datetime) -> tuple[datetime, datetime]:
        start = local.replace(
            hour=self.work_start.hour, minute=self.work_start.minute, second=0, microsecond=0
        )
        end = local.replace(
            hour=self.work_end.hour, minute=self.work_end.minute, second=0, microsecond=0
        )
        return start, end

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The moment ``amount`` of working time after ``start`` (in the unit's timezone)."""
        local = start.astimezone(self.tz)
        remaining = amount
        while True:
            day_start, day_end = self._day_bounds(local)
            if not self.is_working_day(local.date()) or local >= day_end:
                local = (day_start + timedelta(days=1)).replace(hour=0, minute=0)
                continue
            local = max(local, day_start)
            available = day_end - local
            if remaining <= available:
                return local + remaining
            remaining -= available
            local = day_end

    def subtract(self, end: datetime, amount: timedelta) -> datetime:
        """The moment ``amount`` of working time before ``end``."""
        local = end.astimezone(self.tz)
        remaining = amount
        while True:
            day_start, day_end = self._day_bounds(local)
            if not self.is_working_day(local.date()) or local <= day_start:
                previous = day_start - timedelta(days=1)
                local = previous.replace(hour=self.work_end.hour, minute=self.work_end.minute)
                continue
            local = min(local, day_end)
            available = local - day_start
            if remaining <= available:
                return local - remaining
            remaining -= available
            local = day_start

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time from ``start`` to ``end`` (zero when ``end`` is not later)."""
        total = timedelta()
        if end <= start:
            return total
        local, end_local = start.astimezone(self.tz), end.astimezone(self.tz)
        day = local
        while day.date() <= end_local.date():
            if self.is_working_day(day.date()):
                day_start, day_end = self._day_bounds(day)
                begin, finish = max(day_start, local), min(day_end, end_local)
                if finish > begin:
                    total += finish - begin
            day = (day + timedelta(days=1)).replace(hour=0, minute=0)
        return total


def add_working_minutes(start: datetime, minutes: int, unit: ServiceUnit) -> datetime:
    return WorkingCalendar(unit).add(start, timedelta(minutes=minutes))


# --- Targets and due times -----------------------------------------------------------------


def target_minutes(category: Category, priority: int) -> tuple[int, int]:
    """(response, resolution) minutes for a case of ``category`` at ``priority``."""
    factor = PRIORITY_FACTOR.get(priority, 1.0)
    response = max(1, round(category.response_minutes * factor))
    resolution = max(response, round(category.resolution_minutes * factor))
    return response, resolution


def due_times(
    category: Category,
    priority: int,
    unit: ServiceUnit,
    start: datetime,
    calendar: WorkingCalendar | None = None,
) -> tuple[datetime, datetime]:
    response, resolution = target_minutes(category, priority)
    if category.work_type == WorkType.BACK_OFFICE:
        calendar = calendar or WorkingCalendar(unit)
        return (
            calendar.add(start, timedelta(minutes=response)),
            calendar.add(start, timedelta(minutes=resolution)),
        )
    return start + timedelta(minutes=response), start + timedelta(minutes=resolution)


def _is_back_office(case: Case) -> bool:
    return case.category.work_type == WorkType.BACK_OFFICE


def _move(due: datetime, amount: timedelta, calendar: WorkingCalendar | None) -> datetime:
    """``due`` moved by ``amount`` of the case's clock (working time for back-office work)."""
    if not amount:
        return due
    if calendar is None:
        return due + amount
    if amount > timedelta():
        return calendar.add(due, amount)
    return calendar.subtract(due, -amount)


def _calendar(case: Case) -> WorkingCalendar | None:
    return WorkingCalendar(case.service_unit) if _is_back_office(case) else None


# --- Thresholds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    target: str
    level: SlaAlert
    moment: datetime
    due: datetime


def _pending_thresholds(
    case: Case, calendar: WorkingCalendar | None, *, running_only: bool = True
) -> list[Threshold]:
    """The thresholds of a running case not yet announced, with the moment each falls due."""
    if running_only and case.status not in RUNNING_STATES:
        return []
    minutes = dict(zip(TARGETS, target_minutes(case.category, case.priority), strict=True))
    pending = []
    for target in TARGETS:
        due = getattr(case, f"{target}_due_at")
        announced = getattr(case, f"{target}_alert")
        if due is None or announced >= SlaAlert.BREACHED:
            continue
        if target == RESPONSE and case.first_response_at is not None:
            continue
        if announced < SlaAlert.AT_RISK:
            left = timedelta(minutes=minutes[target] * (1 - settings.SLA_AT_RISK_FRACTION))
            at_risk = _move(due, -left, calendar)
            pending.append(Threshold(target, SlaAlert.AT_RISK, at_risk, due))
        pending.append(Threshold(target, SlaAlert.BREACHED, due, due))
    return pending


def _next_check(case: Case, calendar: WorkingCalendar | None) -> datetime | None:
    return min((t.moment for t in _pending_thresholds(case, calendar)), default=None)


# --- Called by services, inside their transaction -----------------------------------------


def update_clock(case: Case, *, at: datetime, source: str | None = None) -> list[str]:
    """Bring the SLA columns up to date after a service changed ``case`` (from ``source`` when
    the status moved). Returns the fields it set, for the service's ``save``."""
    calendar = _calendar(case)
    changed = ["sla_check_at"]
    status = case.status
    if source is not None and source != status:
        if status in PAUSED_STATES and source not in PAUSED_STATES:
            case.sla_paused_at = at
            changed.append("sla_paused_at")
        elif source in PAUSED_STATES and status not in PAUSED_STATES:
            changed += _resume(case, at, calendar)
        if status == CaseStatus.REOPENED:
            changed += _reopen(case, at)
        if status == CaseStatus.RESOLVED:
            changed += _record_resolution(case, at)
    if case.first_response_at is not None and case.response_seconds is None:
        changed += _record_first_response(case, case.first_response_at, calendar)
    case.sla_check_at = _next_check(case, calendar)
    return changed


def retarget(case: Case, *, previous_priority: int, at: datetime) -> list[str]:
    """A new priority: each due time moves by the difference between the two targets (so pauses
    and storm stops already applied are kept). Thresholds are re-armed: one the new target has
    not reached is announced again when it is; one it has passed and that was announced is not
    announced twice."""
    calendar = _calendar(case)
    old = target_minutes(case.category, previous_priority)
    new = target_minutes(case.category, case.priority)
    announced = {target: getattr(case, f"{target}_alert") for target in TARGETS}
    for target, before, after in zip(TARGETS, old, new, strict=True):
        due = getattr(case, f"{target}_due_at")
        if due is not None:
            setattr(
                case, f"{target}_due_at", _move(due, timedelta(minutes=after - before), calendar)
            )
        setattr(case, f"{target}_alert", SlaAlert.NONE)
    # (Also while paused: what was announced before the pause stays announced.)
    for threshold in _pending_thresholds(case, calendar, running_only=False):
        if threshold.moment <= at and announced[threshold.target] >= threshold.level:
            current = getattr(case, f"{threshold.target}_alert")
            setattr(case, f"{threshold.target}_alert", max(current, threshold.level))
    case.sla_check_at = _next_check(case, calendar)
    return [
        "response_due_at",
        "resolution_due_at",
        "response_alert",
        "resolution_alert",
        "sla_check_at",
    ]


def _resume(case: Case, at: datetime, calendar: WorkingCalendar | None) -> list[str]:
    started = case.sla_paused_at
    if started is None:
        return []
    case.sla_paused_at = None
    wall = max(at - started, timedelta())
    case.sla_paused_seconds += int(wall.total_seconds())
    shift = calendar.between(started, at) if calendar else wall
    if case.first_response_at is None and case.response_due_at is not None:
        case.response_due_at = _move(case.response_due_at, shift, calendar)
    if case.resolution_due_at is not None:
        case.resolution_due_at = _move(case.resolution_due_at, shift, calendar)
    return ["sla_paused_at", "sla_paused_seconds", "response_due_at", "resolution_due_at"]


def _reopen(case: Case, at: datetime) -> list[str]:
    # The clock stood still while the case was resolved; the new resolution target (set by
    # the service) is announced afresh. A breach of the earlier resolution stays recorded.
    if case.resolved_at is not None:
        case.sla_paused_seconds += int(max(at - case.resolved_at, timedelta()).total_seconds())
    case.resolution_seconds = None
    case.resolution_breached = True if case.resolution_breached else None
    case.resolution_alert = SlaAlert.NONE
    return ["sla_paused_seconds", "resolution_seconds", "resolution_breached", "resolution_alert"]


def _clock_seconds(case: Case, at: datetime) -> int:
    paused = case.sla_paused_seconds
    if case.sla_paused_at is not None:
        paused += int(max(at - case.sla_paused_at, timedelta()).total_seconds())
    return max(0, int((at - case.created_at).total_seconds()) - paused)


def _record_first_response(case: Case, at: datetime, calendar: WorkingCalendar | None) -> list[str]:
    case.response_seconds = _clock_seconds(case, at)
    due = case.response_due_at
    if due is not None and case.sla_paused_at is not None:
        # Answered while waiting for the customer: the pause so far counts as on resume.
        paused = calendar.between(case.sla_paused_at, at) if calendar else at - case.sla_paused_at
        due = _move(due, max(paused, timedelta()), calendar)
    case.response_breached = due is not None and at > due
    return ["response_seconds", "response_breached"]


def _record_resolution(case: Case, at: datetime) -> list[str]:
    case.resolution_seconds = _clock_seconds(case, at)
    late = case.resolution_due_at is not None and at > case.resolution_due_at
    case.resolution_breached = bool(case.resolution_breached) or late
    return ["resolution_seconds", "resolution_breached"]


# --- The beat task ------------------------------------------------------------------------


def sla_sweep(*, limit: int = SWEEP_BATCH) -> int:
    """Announce the thresholds that have come: for each case and target, the highest level
    crossed (a late run that finds a case already breached does not announce "at risk" too).
    Returns the number of announcements. Safe to run twice and concurrently: each case is
    handled under its row lock (locked rows are skipped: the holder or the next run does them),
    and a level is written only if it is higher than the one stored."""
    now = clock.now()
    ids = list(_checks_due(now)[:limit])
    calendars: dict[int, WorkingCalendar] = {}
    storms: dict[int, bool] = {}
    return sum(_check_case(pk, now, calendars, storms=storms) for pk in ids)


def sla_settle_history() -> int:
    """Record every threshold already passed as announced, without events or notices: for
    history loaded in bulk (the demo), whose breaches did not happen now and must not mail
    the supervisors at the first beat. Returns the number of thresholds settled."""
    now = clock.now()
    ids = list(_checks_due(now))
    calendars: dict[int, WorkingCalendar] = {}
    return sum(_check_case(pk, now, calendars, announce=False) for pk in ids)


def _checks_due(now: datetime):
    """Ids of the cases whose next SLA check has come, the earliest first. Served by
    case_sla_check_due: a range scan of the partial index on sla_check_at (running cases with
    something left to announce)."""
    return (
        Case.objects.filter(sla_check_at__isnull=False, sla_check_at__lte=now)
        .order_by("sla_check_at")
        .values_list("pk", flat=True)
    )


def _storm_stopped(case: Case, storms: dict[int, bool]) -> bool:
    """Whether a storm (in the case's unit or one above it) stops this case's clock: the
    non-urgent back-office cases complaints.incidents._shift_paused_sla moves when it ends.
    ``storms`` keeps the answer per unit for one run."""
    if not _is_back_office(case) or case.priority < Priority.NORMAL:
        return False
    if case.service_unit_id not in storms:
        from complaints.incidents import storm_state

        storms[case.service_unit_id] = storm_state(case.service_unit) is not None
    return storms[case.service_unit_id]


@transaction.atomic
def _check_case(
    pk: int,
    now: datetime,
    calendars: dict[int, WorkingCalendar],
    *,
    announce: bool = True,
    storms: dict[int, bool] | None = None,
) -> int:
    case = (
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("category", "service_unit")
        .filter(pk=pk, sla_check_at__lte=now)
        .first()
    )
    if case is None:
        # Another run holds it or has done it, or a service rescheduled it.
        return 0
    if storms is not None and _storm_stopped(case, storms):
        # Its clock stands still while the storm lasts and its due times move when it ends:
        # a threshold of the old due times would be announced for time that does not count.
        case.sla_check_at = now + STORM_RECHECK
        case.save(update_fields=["sla_check_at"])
        return 0
    calendar = None
    if _is_back_office(case):
        calendar = calendars.setdefault(case.service_unit_id, WorkingCalendar(case.service_unit))
    crossed: dict[str, Threshold] = {}
    for threshold in _pending_thresholds(case, calendar):
        if threshold.moment <= now and (
            threshold.target not in crossed or threshold.level > crossed[threshold.target].level
        ):
            crossed[threshold.target] = threshold
    for threshold in crossed.values():
        setattr(case, f"{threshold.target}_alert", threshold.level)
        if announce:
            _announce(case, threshold, now)
    case.sla_check_at = _next_check(case, calendar)
    case.save(update_fields=["response_alert", "resolution_alert", "sla_check_at"])
    return len(crossed)


def _announce(case: Case, threshold: Threshold, at: datetime) -> None:
    unit = case.service_unit
    due_label = f"{threshold.due.astimezone(unit.tz):%d-%m-%Y %H:%M} {unit.tz_label}"
    with translation.override(settings.LANGUAGE_CODE):
        note = str(SLA_ALERT_NOTE % {"target": TARGET_LABELS[threshold.target], "due": due_label})
    data = {"target": threshold.target, "due": threshold.due.isoformat(), "due_label": due_label}
    if threshold.level == SlaAlert.BREACHED:
        event = events.record_sla_breached(case, SYSTEM, at, note=note, data=data)
        alert = "sla_breached"
    else:
        event = events.record_sla_at_risk(case, SYSTEM, at, note=note, data=data)
        alert = "sla_at_risk"
    staff_notices.notify_supervisors(case=case, event=event, alert=alert)
