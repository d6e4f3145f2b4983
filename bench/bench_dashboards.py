"""Time the supervisor board and the manager dashboard against the bench database (1M cases
loaded by bench/load_cases.py) and record the figures in bench/RESULTS.md.

    .venv/bin/python bench/bench_dashboards.py [--runs 15] [--warmup 2] [--region JAYA]
        [--database-url postgres://postgres@127.0.0.1:5432/aduan_bench] [--no-rebuild]

What it does, in order:

1. ``migrate`` (the rollup tables), then a full rollup rebuild, timed (what the daily
   01:00 run and ``manage.py rebuild_dashboards`` cost at this size).
2. The recent refresh beat runs every 5 minutes, timed twice: as beat runs it here, and with a
   window holding two days of timeline events (the loader writes events out of time order, so
   the first figure alone would understate the work of live traffic). The second one runs in a
   transaction that is rolled back.
3. Each page through django.test.Client in this process with DEBUG off (server time, as in
   perf-reliability.md section 1.2): p50/p95/max of ``--runs`` requests after ``--warmup``,
   the SQL queries per page, and EXPLAIN ANALYZE of each query, flagging any Seq Scan on the
   case, event or customer table.

Writes nothing to the complaint tables: the personas are users prefixed ``dash.``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/aduan_bench"
RESULTS = REPO / "bench" / "RESULTS.md"
SECTION = "dashboards-1M"
JSON_OUT = REPO / "bench" / "results" / "dashboards-1000k.json"
BIG_TABLES = ("complaints_case", "complaints_caseevent", "complaints_customer")
TARGET_MS = 500.0


def say(text: str) -> None:
    """Progress on stdout (this is a command-line tool)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--region", default="JAYA", help="the supervisor's region (unit code)")
    parser.add_argument("--no-rebuild", action="store_true", help="keep the rollups as they are")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/RESULTS.md")
    return parser.parse_args()


def setup_django(url: str) -> None:
    sys.path.insert(0, str(REPO))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_DEBUG"] = "0"  # production behaviour: no query log, cached templates
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()


# --- Rollups --------------------------------------------------------------------------------------


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def cpu_seconds(pid: int) -> float:
    """CPU time of this process plus its PostgreSQL backend (/proc/<pid>/schedstat, ns). On a
    machine shared with other work, wall time says how busy the machine was; this says what
    the page itself costs: with a core free, its wall time is about this."""
    on_cpu_ns = int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    return time.process_time() + on_cpu_ns / 1e9


@dataclass
class RollupFigures:
    full_s: float = 0.0
    full_cpu_s: float = 0.0
    full_rows: int = 0
    recent_s: float = 0.0
    recent_cpu_s: float = 0.0
    recent_rows: int = 0
    recent_window_s: float = 0.0
    recent_window_cpu_s: float = 0.0
    recent_window_rows: int = 0
    window_events: int = 0
    rollup_rows: int = 0
    histogram_rows: int = 0
    rollup_mb: float = 0.0


def time_rollups(*, rebuild: bool) -> RollupFigures:
    from django.db import connection, transaction

    from complaints import clock
    from staff.dashboards import rollups
    from staff.models import CaseRollup, DurationHistogram

    figures = RollupFigures()
    pid = backend_pid()
    if rebuild:
        started, cpu = time.perf_counter(), cpu_seconds(pid)
        run = rollups.refresh_rollups(full=True)
        figures.full_s, figures.full_rows = time.perf_counter() - started, run.rows
        figures.full_cpu_s = cpu_seconds(pid) - cpu
        say(f"full rebuild: {run.rows:,} rows in {figures.full_s:.1f} s")
    started, cpu = time.perf_counter(), cpu_seconds(pid)
    run = rollups.refresh_rollups(full=False)
    figures.recent_s, figures.recent_rows = time.perf_counter() - started, run.rows
    figures.recent_cpu_s = cpu_seconds(pid) - cpu
    say(f"recent refresh (as beat): {run.rows:,} rows in {figures.recent_s:.2f} s")

    # Two days of live traffic: the newest events, as many as two average days hold.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), max(id), min(created_at), max(created_at) FROM complaints_caseevent"
        )
        events, max_id, first, last = cursor.fetchone()
    per_two_days = int(events / max((last - first).total_seconds() / 86400, 1) * 2)
    figures.window_events = per_two_days
    now = clock.now()
    first_day = rollups.recent_first_day(now=now, previous=None)
    params = {"bound": rollups.start_of_local_day(first_day), "after_event": max_id - per_two_days}
    with transaction.atomic(), connection.cursor() as cursor:
        started, cpu = time.perf_counter(), cpu_seconds(pid)
        figures.recent_window_rows = rollups._rebuild(cursor, first_day=first_day, params=params)
        figures.recent_window_s = time.perf_counter() - started
        figures.recent_window_cpu_s = cpu_seconds(pid) - cpu
        transaction.set_rollback(True)
    say(
        f"recent refresh with {per_two_days:,} events in the window: "
        f"{figures.recent_window_rows:,} rows in {figures.recent_window_s:.2f} s"
    )
    figures.rollup_rows = CaseRollup.objects.count()
    figures.histogram_rows = DurationHistogram.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (pg_total_relation_size('staff_caserollup')"
            " + pg_total_relation_size('staff_durationhistogram')) / 1048576.0"
        )
        figures.rollup_mb = float(cursor.fetchone()[0])
    return figures


# --- Pages ----------------------------------------------------------------------------------------


def personas(region_code: str):
    from django.contrib.auth.models import Group, User

    from staff.models import ServiceUnit, StaffMember
    from staff.roles import Role

    region = ServiceUnit.objects.get(code=region_code)

    def user(username: str, role: Role, units=()) -> User:
        person, _ = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        person.groups.set([Group.objects.get(name=role.value)])
        if units:
            member, _ = StaffMember.objects.get_or_create(user=person)
            member.service_units.set(units)
        return person

    manager = user("dash.manager", Role.MANAGER)
    supervisor = user(f"dash.supervisor.{region_code.lower()}", Role.SUPERVISOR, [region])
    return region, manager, supervisor


@dataclass
class Page:
    persona: str
    name: str
    url: str


@dataclass
class Result:
    persona: str
    page: str
    url: str
    status: int
    p50: float
    p95: float
    max: float
    cpu: float  # mean CPU ms per request: this process plus its PostgreSQL backend
    queries: int
    slowest_sql_ms: float
    seq_scans: list[str] = field(default_factory=list)


def build_pages(region) -> list[Page]:
    from django.urls import reverse

    board, manager = reverse("dashboards:board"), reverse("dashboards:manager")
    today = datetime.now(UTC).date()

    def window(days: int) -> str:
        return f"start={(today - timedelta(days=days - 1)).isoformat()}&end={today.isoformat()}"

    return [
        Page("supervisor", f"board ({region.code} region)", board),
        Page("supervisor", "board refresh fragment", f"{board}?fragment=1"),
        Page("manager", "board, all units", board),
        Page("manager", "dashboard, default (last 30 days)", manager),
        Page("manager", "dashboard, 90 days", f"{manager}?{window(90)}"),
        Page("manager", "dashboard, 365 days (weekly)", f"{manager}?{window(365)}"),
        Page(
            "manager", f"dashboard, {region.code}, by unit", f"{manager}?unit={region.pk}&by=unit"
        ),
        Page("supervisor", "dashboard, own region, 30 days", manager),
        Page("manager", "CSV: daily, 365 days", f"{manager}?{window(365)}&format=csv&table=daily"),
        Page(
            "manager",
            "CSV: satisfaction by unit, 365 days",
            f"{manager}?{window(365)}&format=csv&table=satisfaction_units",
        ),
    ]


def explain(sql: str) -> tuple[float, list[str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    seq_scans: list[str] = []

    def walk(node: dict) -> None:
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
            seq_scans.append(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return float(plan[0]["Execution Time"]), seq_scans


def measure(client, page: Page, runs: int, warmup: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        client.get(page.url, secure=True)
    times = []
    pid = backend_pid()
    cpu_started = cpu_seconds(pid)
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(page.url, secure=True)
        times.append((time.perf_counter() - started) * 1000)
    cpu = (cpu_seconds(pid) - cpu_started) * 1000 / runs
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url, secure=True)
    slowest, scans = 0.0, []
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        ms, seq = explain(sql)
        slowest = max(slowest, ms)
        scans += seq
    times.sort()
    return Result(
        persona=page.persona,
        page=page.name,
        url=page.url,
        status=response.status_code,
        p50=statistics.median(times),
        p95=times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        max=times[-1],
        cpu=cpu,
        queries=len(captured.captured_queries),
        slowest_sql_ms=slowest,
        seq_scans=sorted(set(scans)),
    )


# --- Report ---------------------------------------------------------------------------------------


def render(figures: RollupFigures, results: list[Result], env: dict) -> str:
    clean = all(r.status == 200 and not r.seq_scans for r in results)
    wall = "under" if all(r.p95 < TARGET_MS for r in results) else "NOT all under"
    cpu = "under" if all(r.cpu < TARGET_MS for r in results) else "NOT all under"
    lines = [
        f"Run {env['when']} (`{env['command']}`) on {env['cases']:,} cases / "
        f"{env['events']:,} events ({env['open']:,} open), {env['answers']:,} satisfaction "
        f"survey answers, {env['incidents']} active incidents with {env['linked']} reports; "
        f"{env['cpus']} cores shared with other work: load average "
        f"{env['load_before']:.1f} before, {env['load_after']:.1f} after (one process gets "
        "a fraction of a core when it is above 2). Target: each page under "
        f"{TARGET_MS:.0f} ms. Wall p95 {wall} it; CPU per request (the page's own cost, "
        f"Django + PostgreSQL) {cpu} it; "
        f"{'every page 200 with no' if clean else 'NOT every page 200 / some'} Seq Scan "
        "on the case, event or customer tables.",
        "",
        "Rollups (pre-aggregated, maintained by Celery beat). Staleness: today's and "
        "yesterday's figures at most 5 minutes + the recent run's time old; older days are "
        "exact except a re-resolved case's earlier day, corrected by the daily full rebuild "
        "(at most a day). Open-case figures (board, backlog) are live.",
        "",
        "| what | wall | CPU (DB + Python) | rows written |",
        "|---|---|---|---|",
        f"| full rebuild (daily after 01:00 WIB; `manage.py rebuild_dashboards`) | "
        f"{figures.full_s:.1f} s | {figures.full_cpu_s:.1f} s | {figures.full_rows:,} |",
        f"| recent refresh as beat runs it here (every 5 min) | {figures.recent_s:.2f} s | "
        f"{figures.recent_cpu_s:.2f} s | {figures.recent_rows:,} |",
        f"| recent refresh with two days of live events ({figures.window_events:,}) in the "
        f"window | {figures.recent_window_s:.2f} s | {figures.recent_window_cpu_s:.2f} s | "
        f"{figures.recent_window_rows:,} |",
        "",
        f"Rollup tables: {figures.rollup_rows:,} rows (day and week x unit x channel x "
        f"category) + {figures.histogram_rows:,} duration histograms (day and week x unit x "
        f"metric), {figures.rollup_mb:.0f} MB on disk with indexes (including free space left "
        "by earlier rebuilds, which the next one reuses).",
        "",
        "Pages (Django test client in process, DEBUG off; ms):",
        "",
        "| persona | page | wall p50 | wall p95 | max | CPU/request | SQL queries "
        "| slowest query (EXPLAIN ANALYZE) | Seq Scan on big tables |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.persona} | {r.page} | {r.p50:.0f} | **{r.p95:.0f}** | {r.max:.0f} | "
            f"**{r.cpu:.0f}** | {r.queries} | {r.slowest_sql_ms:.1f} ms | "
            f"{', '.join(r.seq_scans) or 'none'} |"
        )
    return "\n".join(lines)


def replace_section(path: Path, name: str, body: str) -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        heading = (
            "## Supervisor board and manager dashboard at 1M cases (`bench/bench_dashboards.py`)"
        )
        text = text.rstrip("\n") + f"\n\n{heading}\n\n{block}\n"
    path.write_text(text)


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from complaints.models import ACTIVE_INCIDENT_STATES
    from complaints.workflow import OPEN_STATES

    # The schema the code expects (the rollup tables, and whatever the other apps added since
    # the data was loaded), as bench/bench_admin.py does.
    call_command("migrate", interactive=False, verbosity=0)
    load_before = os.getloadavg()[0]
    figures = time_rollups(rebuild=not args.no_rebuild)
    region, manager, supervisor = personas(args.region)
    clients = {}
    for name, user in (("manager", manager), ("supervisor", supervisor)):
        clients[name] = Client()
        clients[name].force_login(user)
    results = []
    for page in build_pages(region):
        result = measure(clients[page.persona], page, args.runs, args.warmup)
        results.append(result)
        say(
            f"{page.persona:10} {page.name:38} p50 {result.p50:6.0f} ms  p95 {result.p95:6.0f} ms"
            f"  cpu {result.cpu:5.0f} ms  {result.queries} queries"
            f"  seq scans: {', '.join(result.seq_scans) or 'none'}"
        )
    active = [status.value for status in ACTIVE_INCIDENT_STATES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM complaints_case),"
            " (SELECT count(*) FROM complaints_caseevent),"
            " (SELECT count(*) FROM complaints_case WHERE status = ANY(%s)),"
            " (SELECT count(*) FROM complaints_satisfactionanswer),"
            " (SELECT count(*) FROM complaints_incident WHERE status = ANY(%s)),"
            " (SELECT count(*) FROM complaints_case c JOIN complaints_incident i"
            "   ON i.id = c.incident_id WHERE i.status = ANY(%s))",
            [sorted(OPEN_STATES), active, active],
        )
        cases, events, open_cases, answers, incidents, linked = cursor.fetchone()
    env = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["bench/bench_dashboards.py", *sys.argv[1:]]),
        "answers": answers,
        "incidents": incidents,
        "linked": linked,
        "cases": cases,
        "events": events,
        "open": open_cases,
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }
    JSON_OUT.parent.mkdir(parents=True, exist_ok=True)
    JSON_OUT.write_text(
        json.dumps(
            {"env": env, "rollups": asdict(figures), "pages": [asdict(r) for r in results]},
            indent=2,
        )
    )
    if not args.no_record:
        replace_section(RESULTS, SECTION, render(figures, results, env))
        say(f"recorded in {RESULTS.relative_to(REPO)} ({SECTION}) and {JSON_OUT.name}")


if __name__ == "__main__":
    main()
