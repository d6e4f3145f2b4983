"""The service that maintains the dashboard rollups (the only writer of CaseRollup,
DurationHistogram, UnitCustomerCount and DashboardRollupRun).

Two kinds of run, both idempotent (delete and re-insert in one transaction, serialised by an
advisory lock, so a task that runs twice or beside the management command is harmless):

- recent (every 5 minutes from beat): rebuilds the local days from yesterday on (further back
  when the previous run is older). First responses and resolutions happen "now", so they land
  on those days; the cases involved are found through indexes only: cases created since the
  start of those days, and cases with a timeline event since then (every change of a case
  writes one). The event id bound is found by walking the event primary key backwards from the
  newest event, which relies on ids growing with time, true for live traffic.
- full (the first refresh after 01:00 WIB each day, ``manage.py rebuild_dashboards``, or when
  no full run exists): rebuilds every day from the case table and recounts customers per unit.
  It repairs what a recent run cannot see: a re-resolved case leaving its earlier resolution
  day, or history loaded with back-dated timestamps.

Every run also rebuilds the week rows (Monday to Sunday) of the weeks it touched, summed from
the day rows: ranges longer than two months read whole weeks from them and only the days at
either end from the day rows.

So the daily figures are at most one beat interval (5 minutes) plus the run time old, and
older days may lag by up to a day for cases that were reopened. Open-case figures (the
backlog, the supervisor board) are not rolled up: they are read live.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from complaints import clock
from staff.dashboards.metrics import BUCKETS, DURATION_EDGES_SECONDS
from staff.models import DashboardRollupRun, RollupKind, UnitTimezone

# pg_advisory_xact_lock key: one refresh at a time, whoever starts it.
LOCK_KEY = 7_202_611
# The daily full rebuild happens on the first refresh after this hour, Jakarta time.
FULL_REBUILD_AT = time(1, 0)
FULL_REBUILD_ZONE = ZoneInfo("Asia/Jakarta")
# Rebuilt by every recent run: today and yesterday, in every unit's timezone.
RECENT_DAYS = 2
# Events written this long before the window still count: covers app clocks a little behind
# the database and transactions that take their timestamp before they insert.
EVENT_CLOCK_MARGIN = timedelta(minutes=10)
RUN_HISTORY = timedelta(days=7)
ZONES = tuple(ZoneInfo(tz) for tz in UnitTimezone.values)

RESOLVED_STATES = ("resolved", "closed")

# The cases that feed a rebuild: one row per case, with its unit's timezone.
_CASES_ALL = """
    SELECT c.id, c.service_unit_id, c.channel, c.category_id, c.status, u.timezone AS tz,
           c.created_at, c.first_response_at, c.response_due_at, c.resolved_at,
           c.resolution_due_at,
           -- The figures complaints.sla stores (clock time, breach) where the case has them;
           -- cases answered or resolved before they existed fall back to wall time.
           coalesce(c.response_seconds,
                    greatest(0, extract(epoch FROM c.first_response_at - c.created_at))
           )::bigint AS response_clock,
           coalesce(NOT c.response_breached,
                    c.response_due_at IS NULL OR c.first_response_at <= c.response_due_at
           ) AS response_on_time,
           coalesce(c.resolution_seconds,
                    greatest(0, extract(epoch FROM c.resolved_at - c.created_at))
           )::bigint AS resolution_clock,
           coalesce(NOT c.resolution_breached,
                    c.resolution_due_at IS NULL OR c.resolved_at <= c.resolution_due_at
           ) AS resolution_on_time
    FROM complaints_case c
    JOIN staff_serviceunit u ON u.id = c.service_unit_id
"""
# Recent runs: cases created in the window (created_at index) and cases touched by an event
# in the window (event primary key range).
_CASES_RECENT = (
    _CASES_ALL  # noqa: S608 - constant SQL, parameters are bound
    + """
    WHERE c.id IN (
        SELECT id FROM complaints_case WHERE created_at >= %(bound)s
        UNION
        SELECT case_id FROM complaints_caseevent WHERE id > %(after_event)s
    )
"""
)

_INSERT_ROLLUP = """
    WITH cases AS ({cases}),
    facts AS (
        SELECT (created_at AT TIME ZONE tz)::date AS day, service_unit_id, channel, category_id,
               1 AS received, 0 AS responded, 0 AS responded_on_time,
               0::bigint AS response_seconds, 0 AS resolved, 0 AS resolved_on_time,
               0::bigint AS resolution_seconds
        FROM cases
        UNION ALL
        SELECT (first_response_at AT TIME ZONE tz)::date, service_unit_id, channel, category_id,
               0, 1, response_on_time::int, response_clock, 0, 0, 0
        FROM cases
        WHERE first_response_at IS NOT NULL
        UNION ALL
        SELECT (resolved_at AT TIME ZONE tz)::date, service_unit_id, channel, category_id,
               0, 0, 0, 0, 1, resolution_on_time::int, resolution_clock
        FROM cases
        WHERE resolved_at IS NOT NULL AND status = ANY(%(resolved_states)s)
    )
    INSERT INTO staff_caserollup (
        period, day, service_unit_id, channel, category_id, received, responded,
        responded_on_time, response_seconds, resolved, resolved_on_time, resolution_seconds
    )
    SELECT 'day', day, service_unit_id, channel, category_id, sum(received), sum(responded),
           sum(responded_on_time), sum(response_seconds), sum(resolved), sum(resolved_on_time),
           sum(resolution_seconds)
    FROM facts
    WHERE day >= %(first_day)s
    GROUP BY day, service_unit_id, channel, category_id
    -- Written in day order, so a range of days sits on few pages, not across the table.
    ORDER BY day, service_unit_id, channel, category_id
"""

# width_bucket against the lower edges gives 1 for [0, first edge) ... BUCKETS for the last
# (open) bucket and 0 for a negative duration, which is counted as zero.
_BUCKET_COUNTS = ",\n".join(
    "count(*) FILTER (WHERE bucket <= 1)::int"
    if index == 1
    else f"count(*) FILTER (WHERE bucket = {index})::int"
    for index in range(1, BUCKETS + 1)
)
_INSERT_HISTOGRAMS = """
    WITH cases AS ({cases}),
    durations AS (
        SELECT (first_response_at AT TIME ZONE tz)::date AS day, service_unit_id,
               'first_response' AS metric,
               width_bucket(response_clock::float8, %(edges)s::float8[]) AS bucket
        FROM cases
        WHERE first_response_at IS NOT NULL
        UNION ALL
        SELECT (resolved_at AT TIME ZONE tz)::date, service_unit_id, 'resolution',
               width_bucket(resolution_clock::float8, %(edges)s::float8[])
        FROM cases
        WHERE resolved_at IS NOT NULL AND status = ANY(%(resolved_states)s)
    )
    INSERT INTO staff_durationhistogram (period, day, service_unit_id, metric, counts)
    SELECT 'day', day, service_unit_id, metric, ARRAY[{buckets}]
    FROM durations
    WHERE day >= %(first_day)s
    GROUP BY day, service_unit_id, metric
    ORDER BY day, service_unit_id, metric
"""

# Week rows (Monday's date) summed from the day rows of the weeks from %(first_week)s on.
_INSERT_WEEKS = """
    INSERT INTO staff_caserollup (
        period, day, service_unit_id, channel, category_id, received, responded,
        responded_on_time, response_seconds, resolved, resolved_on_time, resolution_seconds
    )
    SELECT 'week', date_trunc('week', day)::date AS week, service_unit_id, channel, category_id,
           sum(received), sum(responded), sum(responded_on_time), sum(response_seconds),
           sum(resolved), sum(resolved_on_time), sum(resolution_seconds)
    FROM staff_caserollup
    WHERE period = 'day' AND day >= %(first_week)s
    GROUP BY week, service_unit_id, channel, category_id
    ORDER BY week, service_unit_id, channel, category_id
"""
_INSERT_HISTOGRAM_WEEKS = """
    INSERT INTO staff_durationhistogram (period, day, service_unit_id, metric, counts)
    SELECT 'week', date_trunc('week', day)::date AS week, service_unit_id, metric,
           ARRAY[{bucket_sums}]
    FROM staff_durationhistogram
    WHERE period = 'day' AND day >= %(first_week)s
    GROUP BY week, service_unit_id, metric
    ORDER BY week, service_unit_id, metric
"""
_BUCKET_SUMS = ", ".join(f"sum(counts[{index}])::int" for index in range(1, BUCKETS + 1))

_COUNT_CUSTOMERS = """
    INSERT INTO staff_unitcustomercount (service_unit_id, customers, counted_at)
    SELECT service_unit_id, count(*), %(now)s FROM complaints_customer GROUP BY service_unit_id
"""

# The newest event written before the window: every event of the window has a larger id.
# Walks the primary key backwards through the window's events only.
_EVENT_BEFORE = """
    SELECT id FROM complaints_caseevent WHERE created_at < %(before)s ORDER BY id DESC LIMIT 1
"""


def refresh_rollups(*, full: bool | None = None, now: datetime | None = None) -> DashboardRollupRun:
    """Bring the rollups up to date; ``full=None`` lets the schedule decide (see module doc)."""
    now = now or clock.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        previous = DashboardRollupRun.objects.order_by("-started_at").first()
        if full is None:
            full = full_rebuild_due(now=now)
        if full:
            rows = _rebuild(cursor, first_day=None, params={})
            cursor.execute("DELETE FROM staff_unitcustomercount")
            cursor.execute(_COUNT_CUSTOMERS, {"now": now})
            first_day = None
        else:
            first_day = recent_first_day(now=now, previous=previous)
            bound = start_of_local_day(first_day)
            cursor.execute(_EVENT_BEFORE, {"before": bound - EVENT_CLOCK_MARGIN})
            found = cursor.fetchone()
            params = {"bound": bound, "after_event": found[0] if found else 0}
            rows = _rebuild(cursor, first_day=first_day, params=params)
        DashboardRollupRun.objects.filter(started_at__lt=now - RUN_HISTORY).delete()
        run = DashboardRollupRun.objects.create(
            kind=RollupKind.FULL if full else RollupKind.RECENT,
            started_at=now,
            finished_at=max(now, clock.now()),
            first_day=first_day,
            rows=rows,
        )
    if full and not connection.in_atomic_block:
        # A full run leaves every old row dead: reclaim them now rather than at autovacuum's
        # leisure, so the tables stay their own size and index-only scans stay possible.
        # (VACUUM cannot run inside a transaction; a caller's transaction leaves it to
        # autovacuum.)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) staff_caserollup, staff_durationhistogram")
    return run


def _rebuild(cursor, *, first_day: date | None, params: dict) -> int:
    """Day rows from ``first_day`` on (all when None), then the week rows they add up to."""
    first_week = monday(first_day) if first_day else date.min
    params = {
        **params,
        "first_day": first_day or date.min,
        "first_week": first_week,
        "resolved_states": list(RESOLVED_STATES),
        "edges": list(DURATION_EDGES_SECONDS),
    }
    cases = _CASES_ALL if first_day is None else _CASES_RECENT
    # A full rebuild groups a million cases into a few hundred thousand rows: with the default
    # 4 MB the hash aggregate spills to disk and takes a third longer.
    cursor.execute("SET LOCAL work_mem = '64MB'")
    for table in ("staff_caserollup", "staff_durationhistogram"):
        cursor.execute(
            f"DELETE FROM {table} WHERE (period = 'day' AND day >= %(first_day)s)"  # noqa: S608
            " OR (period = 'week' AND day >= %(first_week)s)",
            params,
        )
    rows = 0
    for sql in (
        _INSERT_ROLLUP.format(cases=cases),
        _INSERT_HISTOGRAMS.format(cases=cases, buckets=_BUCKET_COUNTS),
        _INSERT_WEEKS,
        _INSERT_HISTOGRAM_WEEKS.format(bucket_sums=_BUCKET_SUMS),
    ):
        cursor.execute(sql, params)
        rows += cursor.rowcount
    if first_day is None:
        # Every row is new: without fresh statistics the planner guesses a range of days
        # holds a handful of rows. (Recent runs change too little to matter.)
        cursor.execute("ANALYZE staff_caserollup, staff_durationhistogram")
    return rows


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def full_rebuild_due(*, now: datetime) -> bool:
    """No full run yet, or none since the last 01:00 in Jakarta."""
    last_full = (
        DashboardRollupRun.objects.filter(kind=RollupKind.FULL)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    if last_full is None:
        return True
    local = now.astimezone(FULL_REBUILD_ZONE)
    cutoff = datetime.combine(local.date(), FULL_REBUILD_AT, tzinfo=FULL_REBUILD_ZONE)
    if local < cutoff:
        cutoff -= timedelta(days=1)
    return last_full < cutoff


def recent_first_day(*, now: datetime, previous: DashboardRollupRun | None) -> date:
    """Yesterday in the westernmost zone, or the day of the previous run if that is earlier
    (beat was down): no day is left behind."""
    since = now - timedelta(days=RECENT_DAYS - 1)
    if previous is not None:
        since = min(since, previous.started_at)
    return min(since.astimezone(zone).date() for zone in ZONES)


def start_of_local_day(day: date) -> datetime:
    """The first instant that belongs to ``day`` in any unit's timezone (WIT's midnight)."""
    return min(datetime.combine(day, time(0), tzinfo=zone) for zone in ZONES)
