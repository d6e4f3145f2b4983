"""Service-quality figures (Tingkat Mutu Pelayanan, TMP).

Indonesia's regulator (Permen ESDM 27/2017 as amended by 18/2019) sets, per distribution unit,
levels a customer's service must meet; among them the speed of responding to outage complaints
(*kecepatan menanggapi pengaduan gangguan*), the outage duration per customer per month (*lama
gangguan*) and the number of outages per customer per month (*jumlah gangguan*). A customer
whose month exceeds a level is eligible for compensation, and the unit's figures are reported.
The levels differ by unit and change by decree, so they are data (``TmpThreshold``), not code.

What the regulation fixes, and what it leaves to the decrees (sources: Permen ESDM 27/2017
Pasal 2 and 6, as amended by 18/2019):

- units: *lama gangguan* hours/month/customer, *jumlah gangguan* times/month/customer,
  *kecepatan menanggapi pengaduan gangguan* hours; the numbers are set per unit each year by
  the Director General of Electricity (Kepdirjen) and announced each quarter;
- compensation (a reduction of next month's bill) is owed when a month is *above* the level —
  18/2019 dropped the 10 % tolerance of 27/2017, so a flag here is ``figure > level`` — and
  only for the indicators of Pasal 6, which include outage duration and count but not the
  response time: ``exceeds_response`` is flagged and reported, but only duration or count
  makes a customer *eligible* (``ELIGIBLE``, ``TmpCustomerMonth.eligible``);
- the defaults (settings ``TMP_MAX_*``) are published example values, documented there.

How a customer's month is counted here (``refresh_month``):

- an *outage* is one incident the customer reported (however many of their reports it has), or
  one report of theirs not in an incident, together with the follow-ups "listrik masih padam"
  opened after it was restored (a nested outage continues the same outage);
- it counts in the local month (the unit's zone) in which it started; it lasts from the
  incident's start (else the report) to the last restoration among its reports, or until now
  while it goes on;
- announced planned outages are not *gangguan* and are left out; merged and rejected reports
  are not outages;
- the response to a report is its first response (an agent's, or a technician assigned), or
  the assignment of its incident's crew when earlier; a report not answered yet counts with the
  time it has waited so far.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum

from complaints import clock
from complaints.models import (
    Case,
    IncidentKind,
    TmpCustomerMonth,
    TmpThreshold,
)
from complaints.workflow import CaseStatus
from staff.models import ServiceUnit, UnitTimezone

NOT_OUTAGES = (CaseStatus.MERGED, CaseStatus.REJECTED)
DEFAULT_TIMEZONE = UnitTimezone.WIB


@dataclass(frozen=True)
class Levels:
    max_response_minutes: int
    max_outage_minutes: int
    max_outage_count: int


def default_levels() -> Levels:
    """Used when no TmpThreshold row applies (settings TMP_MAX_*: 60 min, 300 min, 4, the
    published examples documented in config/settings.py). Set the unit's decreed values in
    the admin; these defaults only keep the flags meaningful until then."""
    return Levels(
        max_response_minutes=getattr(settings, "TMP_MAX_RESPONSE_MINUTES", 60),
        max_outage_minutes=getattr(settings, "TMP_MAX_OUTAGE_MINUTES", 300),
        max_outage_count=getattr(settings, "TMP_MAX_OUTAGE_COUNT", 4),
    )


def levels_by_unit(units: list[ServiceUnit]) -> dict[int, Levels]:
    """Each unit's levels: its own row, else its nearest parent's, else the default row (no
    unit), else ``default_levels()``. One query."""
    rows = {row.service_unit_id: row for row in TmpThreshold.objects.all()}
    fallback = rows.get(None)
    base = _levels(fallback) if fallback else default_levels()
    by_path = {unit.path: unit.pk for unit in ServiceUnit.objects.only("pk", "path")}
    result = {}
    for unit in units:
        levels = base
        parts = unit.path.split("/")
        for n in range(len(parts), 0, -1):
            row = rows.get(by_path.get("/".join(parts[:n])))
            if row is not None:
                levels = _levels(row)
                break
        result[unit.pk] = levels
    return result


def _levels(row: TmpThreshold) -> Levels:
    return Levels(row.max_response_minutes, row.max_outage_minutes, row.max_outage_count)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_bounds(month: date, timezone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(timezone)
    start = datetime(month.year, month.month, 1, tzinfo=tz)
    end_month = next_month(month)
    return start, datetime(end_month.year, end_month.month, 1, tzinfo=tz)


@dataclass
class _Outage:
    start: datetime
    end: datetime | None = None
    ongoing: bool = False
    case_ids: list[int] = field(default_factory=list)


@dataclass
class _CustomerMonth:
    unit_id: int
    outages: dict[str, _Outage] = field(default_factory=dict)
    responses: list[int] = field(default_factory=list)


def _minutes(delta: timedelta) -> int:
    return max(0, round(delta.total_seconds() / 60))


def _outage_cases(start: datetime, end: datetime, unit_ids: list[int]) -> QuerySet[Case]:
    return (
        Case.objects.filter(
            category__is_outage=True,
            customer__isnull=False,
            service_unit_id__in=unit_ids,
        )
        .exclude(status__in=NOT_OUTAGES)
        .exclude(incident__kind=IncidentKind.PLANNED)
        .filter(
            # Started this month, or a follow-up of one that did.
            Q(created_at__gte=start, created_at__lt=end)
            | Q(follow_up_of__created_at__gte=start, follow_up_of__created_at__lt=end)
        )
    )


def compute_month(month: date, *, at: datetime | None = None) -> list[TmpCustomerMonth]:
    """The figures of every customer with an outage report in ``month`` (unsaved rows)."""
    at = at or clock.now()
    units = list(ServiceUnit.objects.only("pk", "path", "timezone"))
    levels = levels_by_unit(units)
    by_zone: dict[str, list[int]] = defaultdict(list)
    for unit in units:
        by_zone[unit.timezone].append(unit.pk)
    customers: dict[int, _CustomerMonth] = {}
    for timezone, unit_ids in by_zone.items():
        start, end = month_bounds(month, timezone)
        rows = (
            _outage_cases(start, end, unit_ids)
            .values_list(
                "pk",
                "customer_id",
                "service_unit_id",
                "status",
                "created_at",
                "first_response_at",
                "resolved_at",
                "follow_up_of_id",
                "incident_id",
                "incident__started_at",
                "incident__restored_at",
                "incident__crew_assigned_at",
            )
            .order_by("created_at", "pk")
        )
        roots: dict[int, str] = {}
        for (
            pk,
            customer_id,
            unit_id,
            status,
            created_at,
            first_response_at,
            resolved_at,
            follow_up_of_id,
            incident_id,
            incident_started,
            incident_restored,
            crew_assigned,
        ) in rows.iterator(chunk_size=2000):
            figures = customers.setdefault(customer_id, _CustomerMonth(unit_id=unit_id))
            # One outage per incident, and a follow-up continues its root's outage.
            key = roots.get(follow_up_of_id) if follow_up_of_id else None
            key = key or (f"incident:{incident_id}" if incident_id else f"case:{pk}")
            roots[pk] = key
            outage = figures.outages.get(key)
            begun = incident_started or created_at
            if outage is None:
                outage = figures.outages[key] = _Outage(start=min(begun, created_at))
            outage.case_ids.append(pk)
            ended = resolved_at or incident_restored
            if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and ended:
                outage.end = max(outage.end, ended) if outage.end else ended
            else:
                outage.ongoing = True
            responded = [t for t in (first_response_at, crew_assigned) if t is not None]
            answered = min(responded) if responded else at
            figures.responses.append(_minutes(answered - created_at))
    result = []
    for customer_id, figures in customers.items():
        unit_levels = levels[figures.unit_id]
        minutes = sum(
            _minutes((at if o.ongoing or o.end is None else o.end) - o.start)
            for o in figures.outages.values()
        )
        count = len(figures.outages)
        slowest = max(figures.responses, default=0)
        result.append(
            TmpCustomerMonth(
                month=month,
                customer_id=customer_id,
                service_unit_id=figures.unit_id,
                outage_count=count,
                outage_minutes=minutes,
                responses=len(figures.responses),
                response_minutes_total=sum(figures.responses),
                response_minutes_max=slowest,
                exceeds_response=slowest > unit_levels.max_response_minutes,
                exceeds_duration=minutes > unit_levels.max_outage_minutes,
                exceeds_count=count > unit_levels.max_outage_count,
                computed_at=at,
            )
        )
    return result


@transaction.atomic
def refresh_month(month: date, *, at: datetime | None = None) -> int:
    """Rebuild the month's rows from cases and incidents (derived data: replaced whole). One
    refresh at a time (advisory lock); readers see the old rows until commit."""
    month = month_start(month)
    key = int.from_bytes(
        hashlib.blake2b(f"tmp:{month:%Y-%m}".encode(), digest_size=8).digest(), "big", signed=True
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    rows = compute_month(month, at=at)
    TmpCustomerMonth.objects.filter(month=month).delete()
    TmpCustomerMonth.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def current_month(at: datetime | None = None) -> date:
    at = at or clock.now()
    return at.astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date().replace(day=1)


def refresh_if_stale(*, max_age: timedelta, at: datetime | None = None) -> int | None:
    """Refresh the current month (and, on the 1st, the one before) when its figures are older
    than ``max_age``; None when they were fresh."""
    at = at or clock.now()
    month = current_month(at)
    last = TmpCustomerMonth.objects.filter(month=month).aggregate(at=Max("computed_at"))["at"]
    if last is not None and at - last < max_age:
        return None
    refreshed = refresh_month(month, at=at)
    if at.astimezone(ZoneInfo(DEFAULT_TIMEZONE)).day == 1:
        refreshed += refresh_month(month_start(month - timedelta(days=1)), at=at)
    return refreshed


# --- Reads (managers' page and export) -------------------------------------------------------


def flagged(queryset: QuerySet[TmpCustomerMonth]) -> QuerySet[TmpCustomerMonth]:
    """Months above any level (the response time included): what managers review."""
    return queryset.filter(
        Q(exceeds_response=True) | Q(exceeds_duration=True) | Q(exceeds_count=True)
    )


# Permen ESDM 27/2017 Pasal 6 (as amended by 18/2019): compensation for duration and count.
ELIGIBLE = Q(exceeds_duration=True) | Q(exceeds_count=True)


@dataclass(frozen=True)
class UnitFigures:
    service_unit_id: int
    unit: str
    customers: int
    outages: int
    outage_minutes: int
    responses: int
    response_minutes_avg: float | None
    exceeds_response: int
    exceeds_duration: int
    exceeds_count: int
    eligible: int


def unit_figures(*, month: date, unit_ids: frozenset[int] | None) -> list[UnitFigures]:
    """Per unit: customers with outages, their outages and minutes, response average, and how
    many customers exceed each level and how many are eligible for compensation (duration or
    count; the response time is no compensation indicator). One grouped query on the month
    index."""
    rows = TmpCustomerMonth.objects.filter(month=month_start(month))
    if unit_ids is not None:
        rows = rows.filter(service_unit_id__in=unit_ids)
    grouped = (
        rows.values("service_unit_id", "service_unit__code", "service_unit__name")
        .annotate(
            customers=Count("pk"),
            outages=Sum("outage_count"),
            outage_minutes=Sum("outage_minutes"),
            responses=Sum("responses"),
            response_total=Sum("response_minutes_total"),
            n_response=Count("pk", filter=Q(exceeds_response=True)),
            n_duration=Count("pk", filter=Q(exceeds_duration=True)),
            n_count=Count("pk", filter=Q(exceeds_count=True)),
            n_eligible=Count("pk", filter=ELIGIBLE),
        )
        .order_by("service_unit__code")
    )
    return [
        UnitFigures(
            service_unit_id=row["service_unit_id"],
            unit=f"{row['service_unit__code']} {row['service_unit__name']}",
            customers=row["customers"],
            outages=row["outages"] or 0,
            outage_minutes=row["outage_minutes"] or 0,
            responses=row["responses"] or 0,
            response_minutes_avg=(
                round(row["response_total"] / row["responses"], 1) if row["responses"] else None
            ),
            exceeds_response=row["n_response"],
            exceeds_duration=row["n_duration"],
            exceeds_count=row["n_count"],
            eligible=row["n_eligible"],
        )
        for row in grouped
    ]
