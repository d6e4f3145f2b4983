"""Reads for the supervisor board and the manager dashboard. Each function owns one query and
says which index or rollup serves it; none of them grows with the number of cases in the
range (rollups) or with the history (open cases only, through the open-case indexes)."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)

from complaints.incident_selectors import active_incidents_in, incident_public_title
from complaints.models import Case, Category, SatisfactionAnswer
from complaints.workflow import OPEN_STATES, PAUSED_STATES, TECHNICIAN_STATES
from staff.dashboards.metrics import AGE_BUCKETS, BUCKETS
from staff.dashboards.rollups import monday
from staff.models import (
    DashboardRollupRun,
    ServiceUnit,
    Technician,
    UnitCustomerCount,
)

UnitIds = frozenset[int] | None  # None: every unit
RUNNING_STATES = sorted(OPEN_STATES - PAUSED_STATES)
ROLLUP_SUMS = (
    "received",
    "responded",
    "responded_on_time",
    "response_seconds",
    "resolved",
    "resolved_on_time",
    "resolution_seconds",
)


# --- Service units ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitTree:
    """Every service unit, read once per page: the hierarchy is walked in Python by path."""

    units: dict[int, ServiceUnit]
    by_path: dict[str, ServiceUnit] = field(default_factory=dict)

    def below(self, unit: ServiceUnit) -> frozenset[int]:
        """The unit and everything under it (a region selects all its UP3s and ULPs)."""
        prefix = unit.path + "/"
        return frozenset(
            pk
            for pk, other in self.units.items()
            if other.pk == unit.pk or other.path.startswith(prefix)
        )

    def ancestors(self, unit: ServiceUnit) -> list[ServiceUnit]:
        """From the region down to the unit itself."""
        parts = unit.path.split("/")
        return [self.by_path["/".join(parts[: n + 1])] for n in range(len(parts))]

    def group_of(self, unit_id: int, *, root: ServiceUnit | None, allowed: UnitIds) -> ServiceUnit:
        """The unit that a case of ``unit_id`` is shown under: the child of ``root`` on its
        path (the root itself for the root's own cases), or with no root the topmost unit
        the user may see."""
        chain = self.ancestors(self.units[unit_id])
        if root is not None:
            depth = root.path.count("/") + 1
            return chain[depth] if len(chain) > depth else root
        for unit in chain:
            if allowed is None or unit.pk in allowed:
                return unit
        return chain[-1]


def unit_tree() -> UnitTree:
    # Query: every service unit (hundreds of rows, not cases).
    units = {unit.pk: unit for unit in ServiceUnit.objects.order_by("path")}
    return UnitTree(units=units, by_path={unit.path: unit for unit in units.values()})


def _in_units(queryset: QuerySet, unit_ids: UnitIds, field_name: str = "service_unit_id"):
    if unit_ids is None:
        return queryset
    return queryset.filter(**{f"{field_name}__in": sorted(unit_ids)})


# --- Supervisor board (live) ------------------------------------------------------------------


def _at_risk_from():
    """created + 80 % of the time allowed: from then on a running case is at risk."""
    allowed = ExpressionWrapper(
        F("resolution_due_at") - F("created_at"), output_field=DurationField()
    )
    return ExpressionWrapper(
        F("created_at") + allowed * settings.SLA_AT_RISK_FRACTION, output_field=DateTimeField()
    )


def _unassigned() -> Q:
    # The queue's "Belum ditugaskan" filter: nobody at the desk and no technician.
    return Q(assigned_agent__isnull=True, technician__isnull=True)


def _breached(now: datetime) -> Q:
    return Q(status__in=RUNNING_STATES, resolution_due_at__lte=now)


def _at_risk(now: datetime) -> Q:
    return Q(status__in=RUNNING_STATES, resolution_due_at__gt=now, at_risk_from__lte=now)


def open_case_counts(*, unit_ids: UnitIds, now: datetime) -> dict[str, dict[str, int]]:
    """Open cases per status with how many are unassigned, at risk and breached.
    Query: one aggregate over open cases (index case_status_unit)."""
    rows = (
        _in_units(Case.objects.filter(status__in=sorted(OPEN_STATES)), unit_ids)
        .alias(at_risk_from=_at_risk_from())
        .values("status")
        .annotate(
            total=Count("id"),
            unassigned=Count("id", filter=_unassigned()),
            at_risk=Count("id", filter=_at_risk(now)),
            breached=Count("id", filter=_breached(now)),
        )
        .order_by()
    )
    return {row.pop("status"): row for row in rows}


def _board_cases(unit_ids: UnitIds) -> QuerySet[Case]:
    return _in_units(
        Case.objects.select_related("category", "service_unit", "technician__user", "customer"),
        unit_ids,
    )


def unassigned_cases(*, unit_ids: UnitIds, limit: int) -> list[Case]:
    """Oldest first. Query: open cases of the units (index case_status_unit)."""
    return list(
        _board_cases(unit_ids)
        .filter(_unassigned(), status__in=sorted(OPEN_STATES))
        .order_by("created_at", "id")[:limit]
    )


def at_risk_cases(*, unit_ids: UnitIds, now: datetime, limit: int) -> list[Case]:
    """Closest to breaching first. Query: partial index case_open_unit_due / case_open_due_cover."""
    return list(
        _board_cases(unit_ids)
        .alias(at_risk_from=_at_risk_from())
        .filter(_at_risk(now))
        .order_by("resolution_due_at", "id")[:limit]
    )


def breached_cases(*, unit_ids: UnitIds, now: datetime, limit: int) -> list[Case]:
    """Longest overdue first. Query: partial index case_open_unit_due / case_open_due_cover."""
    return list(
        _board_cases(unit_ids).filter(_breached(now)).order_by("resolution_due_at", "id")[:limit]
    )


def technician_counts(*, unit_ids: UnitIds) -> dict[str, int]:
    """Query: one aggregate over the units' technicians."""
    return _in_units(Technician.objects.all(), unit_ids).aggregate(
        total=Count("id"),
        working=Count("id", filter=Q(on_shift=True)),
        ready=Count("id", filter=Q(on_shift=True, available=True, open_jobs__lt=F("capacity"))),
        jobs=Sum("open_jobs", default=0),
    )


def technicians_with_jobs(*, unit_ids: UnitIds, limit: int) -> list[Technician]:
    """On shift first, busiest first. Queries: the technicians with user and unit; their
    current jobs (one prefetch over index case_technician_status)."""
    jobs = Case.objects.filter(status__in=sorted(TECHNICIAN_STATES)).only(
        "id", "ticket", "status", "technician_id", "created_at"
    )
    return list(
        _in_units(Technician.objects.select_related("user", "service_unit"), unit_ids)
        .prefetch_related(Prefetch("cases", queryset=jobs.order_by("created_at"), to_attr="jobs"))
        .order_by("-on_shift", "-open_jobs", "user__username")[:limit]
    )


@dataclass(frozen=True)
class IncidentSummary:
    title: str
    service_unit: str
    reports: int
    estimated_restoration: datetime | None
    incident_id: int | None = None
    code: str = ""
    status: str = ""  # IncidentStatus: active or partial (nyala bertahap)
    crew: str = ""
    unit: ServiceUnit | None = None  # for showing the ETR in the unit's time


def active_incidents(*, unit_ids: UnitIds, limit: int = 20) -> list[IncidentSummary]:
    """Active outage incidents of the units (newest outage first, at most ``limit``) with
    their report counts, crew and ETR. Query: one, over index incident_status with a
    per-row count of linked cases (complaints.incident_selectors.active_incidents_in)."""
    return [
        IncidentSummary(
            title=incident_public_title(incident),
            service_unit=incident.service_unit.name,
            reports=incident.reports,
            estimated_restoration=incident.etr,
            incident_id=incident.pk,
            code=incident.code,
            status=incident.status,
            crew=str(incident.crew) if incident.crew_id else "",
            unit=incident.service_unit,
        )
        for incident in active_incidents_in(unit_ids=unit_ids, limit=limit)
    ]


# --- Manager dashboard (rollups) --------------------------------------------------------------


def covering_rows(*, first_day: date, last_day: date, weekly: bool) -> tuple[str, list]:
    """A WHERE clause for the rollup rows that add up to exactly [first_day, last_day]. With
    ``weekly``, week rows for the whole weeks inside the range and day rows for the days on
    either side of them (a year reads ~52 week rows per combination instead of 365)."""
    first_week = first_day + timedelta(days=(7 - first_day.weekday()) % 7)
    last_week = monday(last_day + timedelta(days=1)) - timedelta(days=7)
    if not weekly or first_week > last_week:
        return "period = 'day' AND day >= %s AND day <= %s", [first_day, last_day]
    return (
        "((period = 'week' AND day >= %s AND day <= %s) OR (period = 'day' AND "
        "((day >= %s AND day < %s) OR (day > %s AND day <= %s))))",
        [first_week, last_week, first_day, first_week, last_week + timedelta(days=6), last_day],
    )


@dataclass(frozen=True)
class RollupSums:
    """The range's rollup rows summed three ways; each row is a dict of the grouping columns
    and every name in ROLLUP_SUMS. In ``daily``, ``day`` is a week's Monday for week rows."""

    daily: list[dict]  # per (day, the breakdown column)
    by_category: list[dict]
    by_unit: list[dict]


BREAKDOWNS = frozenset({"channel", "category_id", "service_unit_id"})
_SUM_COLUMNS = ", ".join(f"sum({name})::bigint AS {name}" for name in ROLLUP_SUMS)


def rollup_sums(
    *, first_day: date, last_day: date, unit_ids: UnitIds, by: str, weekly: bool = False
) -> RollupSums:
    """Per day (or week) by ``by`` (channel, category_id or service_unit_id), per category
    and per unit. Query: one GROUP BY GROUPING SETS over the range's rows (index: the unique
    (period, day, unit, channel, category) constraint; rows are written in day order)
    instead of three scans of the same rows."""
    if by not in BREAKDOWNS:
        raise ValueError(by)
    where, params = covering_rows(first_day=first_day, last_day=last_day, weekly=weekly)
    sql = (
        "SELECT GROUPING(day) AS no_day, GROUPING(category_id) AS no_category, "  # noqa: S608 - fixed columns
        f"day, {'channel, ' if by == 'channel' else ''}category_id, service_unit_id, "
        f"{_SUM_COLUMNS} FROM staff_caserollup WHERE {where}"
    )
    if unit_ids is not None:
        sql += " AND service_unit_id = ANY(%s)"
        params.append(sorted(unit_ids))
    sql += f" GROUP BY GROUPING SETS ((day, {by}), (category_id), (service_unit_id))"
    sums = RollupSums(daily=[], by_category=[], by_unit=[])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        for values in cursor.fetchall():
            row = dict(zip(names, values, strict=True))
            if not row["no_day"]:
                sums.daily.append(row)
            elif not row["no_category"]:
                sums.by_category.append(row)
            else:
                sums.by_unit.append(row)
    return sums


_HISTOGRAM_SUMS = ", ".join(f"sum(counts[{index}])" for index in range(1, BUCKETS + 1))


def duration_histograms(
    *, first_day: date, last_day: date, unit_ids: UnitIds, weekly: bool = False
) -> dict[tuple[int, str], list[int]]:
    """Summed duration buckets per (service unit, metric) over the range. Query: one pass
    over (periods x units x 2) rows of staff_durationhistogram, summing bucket by bucket
    (column sums are several times faster than unnesting the arrays)."""
    where, params = covering_rows(first_day=first_day, last_day=last_day, weekly=weekly)
    sql = (
        f"SELECT service_unit_id, metric, {_HISTOGRAM_SUMS} "  # noqa: S608 - constant columns
        f"FROM staff_durationhistogram WHERE {where}"
    )
    if unit_ids is not None:
        sql += " AND service_unit_id = ANY(%s)"
        params.append(sorted(unit_ids))
    sql += " GROUP BY service_unit_id, metric"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (row[0], row[1]): [int(count or 0) for count in row[2:]] for row in cursor.fetchall()
        }


def backlog_by_age(*, unit_ids: UnitIds, now: datetime) -> dict[str, int]:
    """Open cases now, by how long they have been open. Live, not rolled up: open cases are
    a small share of the table. Query: one aggregate, an index-only scan of case_status_unit
    (status, unit, created_at): it counts created_at, not id, so no heap page is read."""
    counts = {}
    younger_than_previous: Q | None = None
    for bucket in AGE_BUCKETS:
        condition = Q() if bucket.upper is None else Q(created_at__gt=now - bucket.upper)
        if younger_than_previous is not None:
            condition &= ~younger_than_previous
        counts[bucket.key] = Count("created_at", filter=condition)
        if bucket.upper is not None:
            younger_than_previous = Q(created_at__gt=now - bucket.upper)
    return _in_units(Case.objects.filter(status__in=sorted(OPEN_STATES)), unit_ids).aggregate(
        **counts
    )


def customers_per_unit() -> dict[int, int]:
    """Customers registered on each unit (rolled up once a day). Query: one small table."""
    return dict(UnitCustomerCount.objects.values_list("service_unit_id", "customers"))


def categories() -> dict[int, Category]:
    # Query: the category table (tens of rows).
    return {category.pk: category for category in Category.objects.order_by("sort_order", "code")}


def latest_rollup_run() -> DashboardRollupRun | None:
    # Query: index rollup_run_latest would serve a kind; the table keeps a week of runs.
    return DashboardRollupRun.objects.order_by("-started_at").first()


@dataclass
class UnitSatisfaction:
    answers: int = 0
    score_sum: int = 0
    fixed: int = 0
    reopened: int = 0

    def add(self, *, score: int, answers: int, fixed: int, reopened: int) -> None:
        self.answers += answers
        self.score_sum += score * answers
        self.fixed += fixed
        self.reopened += reopened

    @property
    def average(self) -> float | None:
        return self.score_sum / self.answers if self.answers else None


@dataclass(frozen=True)
class SatisfactionSummary:
    answers: int
    average: float | None
    # Answers per score, 1 (very unhappy) to 5 (very happy).
    distribution: dict[int, int]
    fixed: int = 0  # answers saying the problem is fixed
    reopened: int = 0  # "not fixed" answers that reopened their case
    by_unit: dict[int, UnitSatisfaction] = field(default_factory=dict)


SCORES = (1, 2, 3, 4, 5)


def satisfaction(*, first_day: date, last_day: date, unit_ids: UnitIds) -> SatisfactionSummary:
    """Survey answers (complaints.SatisfactionAnswer) given on the range's local days, per
    score, with the totals and each unit's figures. Query: one aggregate per (unit, score),
    an index-only scan of satisfaction_unit_day (unit, day) or, for every unit,
    satisfaction_day (day); both carry score, fixed and reopened."""
    rows = (
        _in_units(
            SatisfactionAnswer.objects.filter(
                answered_on__gte=first_day, answered_on__lte=last_day
            ),
            unit_ids,
        )
        .values("service_unit_id", "score")
        # Counting a column of the index, not the id: no heap page is read.
        .annotate(
            answers=Count("score"),
            fixed_answers=Count("score", filter=Q(fixed=True)),
            reopened_answers=Count("score", filter=Q(reopened=True)),
        )
        .order_by()
    )
    distribution = dict.fromkeys(SCORES, 0)
    total = UnitSatisfaction()
    by_unit: dict[int, UnitSatisfaction] = {}
    for row in rows:
        counts = {
            "score": row["score"],
            "answers": row["answers"],
            "fixed": row["fixed_answers"],
            "reopened": row["reopened_answers"],
        }
        distribution[row["score"]] += row["answers"]
        total.add(**counts)
        by_unit.setdefault(row["service_unit_id"], UnitSatisfaction()).add(**counts)
    return SatisfactionSummary(
        answers=total.answers,
        average=total.average,
        distribution=distribution,
        fixed=total.fixed,
        reopened=total.reopened,
        by_unit=by_unit,
    )
