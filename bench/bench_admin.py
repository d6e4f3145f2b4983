"""Time the agent console (the Django admin) against the bench database, as a superuser and as
an agent scoped to one region, and record the figures in bench/RESULTS.md.

    .venv/bin/python bench/bench_admin.py [--runs 20] [--warmup 3] [--region JAYA]
        [--database-url postgres://postgres@127.0.0.1:5432/aduan_bench] [--no-migrate]

Requests go through django.test.Client in this process with DEBUG off (no HTTP server: the
figures are the Django + PostgreSQL server time, as in perf-reliability.md §1.2). For every
page: p50/p95 of ``--runs`` timed requests after ``--warmup`` untimed ones, CPU time per
request, the SQL queries of the first request and EXPLAIN (ANALYZE, BUFFERS) of each of its
SELECTs; the slowest one's plan is kept and any Seq Scan on a big table is flagged.

Pages are discovered from the admin as it is at run time (the console is being built), so a
filter or endpoint that does not exist is skipped rather than failing the run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/aduan_bench"
RESULTS = REPO / "bench" / "RESULTS.md"
BIG_TABLES = frozenset({"complaints_case", "complaints_caseevent", "complaints_customer"})
# Targets from issue 3: p95 at 10M cases, SQL queries per page, search p95.
PAGE_P95_MS = 100.0
SEARCH_P95_MS = 50.0
MAX_QUERIES = 6
PLAN_FROM_MS = 5.0  # RESULTS.md shows the slowest query's plan from this many ms
PLAN_LINES = 24
SLOW_PAGE_S = 1.0
SLOW_PAGE_RUNS = 3
VERY_SLOW_PAGE_S = 15.0
PG_SETTINGS = (
    "shared_buffers",
    "effective_cache_size",
    "work_mem",
    "maintenance_work_mem",
    "random_page_cost",
    "jit",
    "max_parallel_workers_per_gather",
    "synchronous_commit",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")
    parser.add_argument("--region", default="JAYA", help="service unit code of the agent's region")
    parser.add_argument("--no-migrate", action="store_true", help="skip migrate before timing")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument("--only", help="run only pages whose name contains this text")
    parser.add_argument(
        "--fragments",
        type=int,
        default=40,
        help="name fragments of the name-search sweep (0: no sweep)",
    )
    parser.add_argument(
        "--fragment-runs", type=int, default=5, help="timed requests per fragment in the sweep"
    )
    return parser.parse_args()


def say(text: str) -> None:
    """Progress on stdout (this is a command-line tool)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


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

    # Not setup_test_environment(): it instruments template rendering so the test client can
    # keep every context, which would be timed too. The client only needs its host allowed.
    # Static URLs without a collectstatic manifest: a dict lookup less per {% static %}.
    override_settings(
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ).enable()


# --- Personas and sample values -----------------------------------------------------------------


@dataclass
class Samples:
    region_id: int
    office_id: int
    ticket: str
    case_id: int
    customer_id: int
    id_pelanggan: str
    phone_local: str
    name_fragment: str


def personas(region_code: str):
    from django.contrib.auth.models import Group, User

    from staff.models import ServiceUnit, StaffMember
    from staff.roles import Role

    region = ServiceUnit.objects.get(code=region_code)
    superuser, _ = User.objects.get_or_create(
        username="bench.superuser", defaults={"is_staff": True, "is_superuser": True}
    )
    agent, created = User.objects.get_or_create(
        username=f"bench.agent.{region_code.lower()}1", defaults={"is_staff": True}
    )
    if created or not agent.groups.exists():
        agent.groups.add(Group.objects.get(name=Role.AGENT.value))
        member, _ = StaffMember.objects.get_or_create(user=agent)
        member.service_units.add(region)
    return region, [("superuser", superuser), (f"agent {region_code}", agent)]


def pick_samples(region) -> Samples:
    """Values an agent of the region would type, taken from the data: a case with a full
    timeline, its customer's ID pelanggan and phone, a piece of the customer's name."""
    from complaints.models import Case, CustomerContact
    from staff.models import ServiceUnit

    units = ServiceUnit.objects.filter(path__startswith=region.path + "/", kind="office")
    office = units.order_by("path").first()
    case = (
        Case.objects.filter(
            service_unit__in=units,
            status="closed",
            customer__isnull=False,
            customer__contacts__kind="phone",
        )
        .select_related("customer")
        .order_by("-id")[500:501]
        .get()
    )
    phone = CustomerContact.objects.filter(customer=case.customer, kind="phone").first().value
    return Samples(
        region_id=region.pk,
        office_id=office.pk,
        ticket=case.ticket,
        case_id=case.pk,
        customer_id=case.customer_id,
        id_pelanggan=case.customer.id_pelanggan,
        phone_local="0" + phone.removeprefix("+62"),  # as a caller reads it out
        name_fragment=name_fragment(case.customer.name),
    )


def name_fragment(name: str) -> str:
    """What an agent types of a name they heard: five letters from the middle of its longest
    word (a fragment, not a whole word)."""
    word = max(name.split(), key=len)
    start = max(0, len(word) // 2 - 2)
    return word[start : start + 5].lower()


def pick_fragments(region, count: int) -> list[str]:
    """``count`` different fragments of the names of the region's customers, spread evenly
    over them by id (the same ones on every run of the same data), the common "ana" first."""
    from django.db.models import Max, Min

    from complaints.models import Customer

    customers = Customer.objects.filter(service_unit__path__startswith=region.path + "/")
    bounds = customers.aggregate(low=Min("id"), high=Max("id"))
    fragments = [COMMON_NAME_FRAGMENT]
    if bounds["low"] is None or count <= 1:
        return fragments[:count]
    step = max(1, (bounds["high"] - bounds["low"]) // (count * 2))
    for start in range(bounds["low"], bounds["high"] + 1, step):
        name = customers.filter(id__gte=start).order_by("id").values_list("name", flat=True)[:1]
        fragment = name_fragment(name[0]) if name else ""
        if len(fragment) >= 3 and fragment not in fragments:
            fragments.append(fragment)
        if len(fragments) == count:
            break
    return fragments


# --- Pages ----------------------------------------------------------------------------------------

COMMON_NAME_FRAGMENT = "ana"


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    search: bool = False


def case_filter_params() -> set[str]:
    """The query-string parameters the case changelist's filters answer to right now."""
    from django.contrib import admin
    from django.contrib.admin import SimpleListFilter

    from complaints.models import Case

    model_admin = admin.site._registry[Case]
    names: set[str] = set()
    for spec in model_admin.list_filter:
        if isinstance(spec, type) and issubclass(spec, SimpleListFilter):
            names.add(spec.parameter_name)
            continue
        field_name = spec[0] if isinstance(spec, tuple) else spec
        if not isinstance(field_name, str):
            continue
        model_field = Case._meta.get_field(field_name)
        names.add(f"{field_name}__id__exact" if model_field.is_relation else f"{field_name}__exact")
    return names


def deepest_page(region_id: int) -> int:
    """The last page of the region's open queue, the shortest list both personas page through
    (at 1M it holds fewer cases than the cap), and never past the cap's last page."""
    from django.contrib import admin

    from complaints.models import Case
    from complaints.paginators import CAPPED_COUNT
    from complaints.selectors import filter_cases_by_unit
    from complaints.workflow import OPEN_STATES

    open_cases = filter_cases_by_unit(
        Case.objects.filter(status__in=sorted(OPEN_STATES)), region_id
    )
    shown = min(open_cases[: CAPPED_COUNT + 1].count(), CAPPED_COUNT)
    return max(1, shown // admin.site.get_model_admin(Case).list_per_page)


def build_pages(s: Samples) -> list[Page]:
    from django.urls import NoReverseMatch, reverse

    def url(name: str, *args, query: dict | None = None) -> str | None:
        try:
            path = reverse(f"admin:{name}", args=args)
        except NoReverseMatch:
            return None
        return f"{path}?{urlencode(query)}" if query else path

    exposed = case_filter_params()

    def param(*candidates: str) -> str:
        # The first candidate the admin exposes; else the plain field lookup, which the
        # changelist also accepts for a model field.
        return next((c for c in candidates if c in exposed), candidates[-1])

    status, unit = param("queue", "status__exact"), param("unit", "service_unit__id__exact")
    cases = "complaints_case_changelist"
    # The deepest page a list has: a filtered count stops at the cap (the list then says
    # "more than"), and a page past the last answers 302 to the first page, as intended.
    deep = deepest_page(s.region_id)
    pages = [
        Page("case list: default", url(cases)),
        Page("case list: status=verified", url(cases, query={status: "verified"})),
        Page("case list: unit=one ULP", url(cases, query={unit: s.office_id})),
        Page(
            "case list: channel=whatsapp", url(cases, query={param("channel__exact"): "whatsapp"})
        ),
        Page("case list: priority=1", url(cases, query={param("priority__exact"): 1})),
        Page("case list: search ticket", url(cases, query={"q": s.ticket}), search=True),
        Page(
            "case list: search ID pelanggan", url(cases, query={"q": s.id_pelanggan}), search=True
        ),
        Page("case list: search phone", url(cases, query={"q": s.phone_local}), search=True),
        Page("case list: search name", url(cases, query={"q": s.name_fragment}), search=True),
        # A fragment the loader's name lists make common (6.5 % of the customers at 10M): the
        # planner walks the list instead of looking the fragment up (selectors.search_cases).
        Page(
            "case list: search common name",
            url(cases, query={"q": COMMON_NAME_FRAGMENT}),
            search=True,
        ),
        Page(f"case list: deep page p={deep}", url(cases, query={"p": deep})),
    ]
    if "queue" in exposed:
        pages += [
            Page("case list: all cases", url(cases, query={"queue": "all"})),
            Page(f"case list: all, deep p={deep}", url(cases, query={"queue": "all", "p": deep})),
            Page(
                "case list: all, search name",
                url(cases, query={"queue": "all", "q": s.name_fragment}),
                search=True,
            ),
            Page("case list: region queue", url(cases, query={unit: s.region_id})),
        ]
    if "sla" in exposed:
        pages.append(Page("case list: sla=at_risk", url(cases, query={"sla": "at_risk"})))
    if "owner" in exposed:
        pages.append(Page("case list: owner=me", url(cases, query={"owner": "me"})))
    customers = "complaints_customer_changelist"
    pages += [
        Page("case page (change view)", url("complaints_case_change", s.case_id)),
        Page("phone complaint form", url("complaints_case_phone")),
        Page(
            "phone: customer search (ID pel.)",
            url("complaints_case_phone_customers", query={"q": s.id_pelanggan[:6]}),
            search=True,
        ),
        Page(
            "phone: customer search (phone)",
            url("complaints_case_phone_customers", query={"q": s.phone_local}),
            search=True,
        ),
        Page(
            "phone: customer search (name)",
            url("complaints_case_phone_customers", query={"q": s.name_fragment}),
            search=True,
        ),
        Page("phone: customer context", url("complaints_case_phone_customer", s.customer_id)),
        Page(
            "autocomplete: case.customer",
            url_autocomplete("case", "customer", s.name_fragment),
            search=True,
        ),
        Page("customer list: default", url(customers)),
        Page(
            "customer list: search ID pel.",
            url(customers, query={"q": s.id_pelanggan}),
            search=True,
        ),
        Page(
            "customer list: search name",
            url(customers, query={"q": s.name_fragment}),
            search=True,
        ),
        Page("case events list", url("complaints_caseevent_changelist")),
    ]
    return [p for p in pages if p.url]


def url_autocomplete(model: str, field_name: str, term: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("admin:autocomplete")
    except NoReverseMatch:
        return None
    query = {"app_label": "complaints", "model_name": model, "field_name": field_name}
    return f"{path}?{urlencode({**query, 'term': term})}"


# --- Measuring ------------------------------------------------------------------------------------


@dataclass
class QueryPlan:
    sql: str
    ms: float
    seq_scans: list[str]
    nodes: list[str]
    text: str = ""


@dataclass
class Result:
    persona: str
    page: str
    url: str
    search: bool
    status: int
    p50: float
    p95: float
    max: float
    cpu: float  # mean CPU ms per request, Django process + its PostgreSQL backend
    queries: int
    sql: list[tuple[float, str]] = field(default_factory=list)  # (EXPLAIN ANALYZE ms, SQL)
    slowest: QueryPlan | None = None
    seq_scans: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def target(self) -> float:
        return SEARCH_P95_MS if self.search else PAGE_P95_MS

    @property
    def problems(self) -> list[str]:
        found = []
        if self.status != 200:
            found.append(f"HTTP {self.status}")
        if self.p95 > self.target:
            found.append(f"p95 {self.p95:.0f} ms > {self.target:.0f}")
        if self.queries > MAX_QUERIES:
            found.append(f"{self.queries} queries > {MAX_QUERIES}")
        found += [f"Seq Scan on {t}" for t in self.seq_scans]
        return found


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 runs is the 19th fastest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def cpu_seconds(backend_pid: int) -> float:
    """CPU time of this process plus its PostgreSQL backend (/proc/<pid>/schedstat counts
    nanoseconds on a CPU). Unlike wall time it does not grow when other work on a shared
    machine keeps the CPUs busy, so it tells load from slowness."""
    on_cpu_ns = int(Path(f"/proc/{backend_pid}/schedstat").read_text().split()[0])
    return time.process_time() + on_cpu_ns / 1e9


def measure(client, persona: str, page: Page, runs: int, warmup: int, explain) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.ensure_connection()  # the test client keeps this connection open
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend_pid = cursor.fetchone()[0]
    # The first request is the one whose queries are counted and explained; for a page too
    # slow to repeat it is also the only timing.
    cpu_started = cpu_seconds(backend_pid)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(page.url, secure=True)
        first = time.perf_counter() - started
    # Copied now: the next request's request_started signal empties the connection's log.
    queries = list(captured.captured_queries)
    cpu_first = (cpu_seconds(backend_pid) - cpu_started) * 1000
    note, analyze = "", True
    if first > VERY_SLOW_PAGE_S:
        runs, warmup, analyze = 0, 0, False
        note = "timed once, too slow to repeat; plans estimated, not analyzed"
    elif first > SLOW_PAGE_S:
        runs = min(runs, SLOW_PAGE_RUNS)  # a page that takes seconds is a finding already
        note = f"{runs} runs (slow page)"
    for _ in range(warmup - 1):
        response = client.get(page.url, secure=True)
    timings = [first * 1000]
    cpu = cpu_first
    if runs:
        timings = []
        cpu_started = cpu_seconds(backend_pid)
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(page.url, secure=True)
            timings.append((time.perf_counter() - started) * 1000)
        cpu = (cpu_seconds(backend_pid) - cpu_started) * 1000 / runs
    if response.status_code in (301, 302):
        note = f"redirects to {response.get('Location')}"
    all_plans = [explain(q["sql"], analyze=analyze, seconds=float(q["time"])) for q in queries]
    sql = [
        (plan.ms if plan else float(q["time"]) * 1000, " ".join(q["sql"].split()))
        for q, plan in zip(queries, all_plans, strict=True)
    ]
    plans = [p for p in all_plans if p is not None]
    slowest = max(plans, key=lambda p: p.ms, default=None)
    if slowest is not None:
        text_plan = explain(slowest.sql, analyze=analyze, text=True)
        slowest.text = text_plan.text if text_plan else ""
    seq = sorted({t for p in plans for t in p.seq_scans})
    return Result(
        persona=persona,
        page=page.name,
        url=page.url,
        search=page.search,
        status=response.status_code,
        p50=statistics.median(timings),
        p95=percentile(timings, 0.95),
        max=max(timings),
        cpu=cpu,
        queries=len(queries),
        sql=sql,
        slowest=slowest,
        seq_scans=seq,
        note=note,
    )


@dataclass
class SweepResult:
    """One persona's name search in one list over many fragments: each fragment's median page
    time, and the plan of the slowest fragment's slowest query."""

    persona: str
    listed: str
    timings: dict[str, float]  # fragment -> median page ms
    queries: int  # most queries any fragment's page took
    statuses: list[int]
    slowest: QueryPlan | None = None

    @property
    def worst(self) -> str:
        return max(self.timings, key=self.timings.get)

    @property
    def over(self) -> list[str]:
        return [f for f, ms in self.timings.items() if ms > SEARCH_P95_MS]


def sweep_fragments(client, persona: str, fragments: list[str], runs: int, explain):
    """The case list searched for every fragment, in the open queue and over all cases: what
    the page costs for whatever an agent types, not for one sample (a planner choice can be
    fine for one fragment and poor for another)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    path = reverse("admin:complaints_case_changelist")
    results = []
    for listed, extra in (("open queue", {}), ("all cases", {"queue": "all"})):
        timings: dict[str, float] = {}
        queries, statuses, captured_of = 0, [], {}
        for fragment in fragments:
            url = f"{path}?{urlencode({**extra, 'q': fragment})}"
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, secure=True)  # warm-up, and the queries
            captured_of[fragment] = list(captured.captured_queries)
            queries = max(queries, len(captured_of[fragment]))
            statuses.append(response.status_code)
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                client.get(url, secure=True)
                times.append((time.perf_counter() - started) * 1000)
            timings[fragment] = statistics.median(times)
        result = SweepResult(persona, listed, timings, queries, sorted(set(statuses)))
        plans = [explain(q["sql"]) for q in captured_of[result.worst]]
        slowest = max((p for p in plans if p), key=lambda p: p.ms, default=None)
        if slowest is not None:
            slowest.text = (explain(slowest.sql, text=True) or slowest).text
        result.slowest = slowest
        results.append(result)
        say(
            f"{persona:>12} | name sweep, {listed:<10} | {len(fragments)} fragments | p50 "
            f"{statistics.median(timings.values()):6.1f} | p95 "
            f"{percentile(list(timings.values()), 0.95):6.1f} | max {timings[result.worst]:6.1f} "
            f"({result.worst}) | over {SEARCH_P95_MS:.0f} ms: {', '.join(result.over) or 0}"
        )
    return results


def render_sweep(env: dict, sweeps: list[SweepResult], args: argparse.Namespace) -> str:
    fragments = list(sweeps[0].timings) if sweeps else []
    lines = [
        f"Run {env['when']} against commit `{env['commit']}`.",
        "",
        f"Command: `.venv/bin/python bench/bench_admin.py --region {args.region} --fragments "
        f"{args.fragments} --fragment-runs {args.fragment_runs}` (the same run as the page table). "
        f"The case list searched for {len(fragments)} name fragments: five letters from the "
        "middle of the longest word of customers' names spread over the region's customers "
        'by id, and the common "ana". For each fragment one untimed request, then the median '
        f"of {args.fragment_runs} timed ones; the table gives the spread of those medians "
        "over the fragments, in the open queue and over all cases.",
        "",
        f"Fragments: {', '.join(f'`{f}`' for f in fragments)}.",
        "",
        f"| persona | list | fragments | p50 ms | p95 ms | max ms (fragment) | over "
        f"{SEARCH_P95_MS:.0f} ms | queries | HTTP |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sweeps:
        values = list(r.timings.values())
        lines.append(
            f"| {r.persona} | {r.listed} | {len(values)} | {statistics.median(values):.1f} "
            f"| {percentile(values, 0.95):.1f} | {r.timings[r.worst]:.1f} (`{r.worst}`) "
            f"| {len(r.over)}{' (' + ', '.join(r.over) + ')' if r.over else ''} | {r.queries} "
            f"| {', '.join(map(str, r.statuses))} |"
        )
    lines += ["", "<details><summary>The slowest fragment's slowest query, per row</summary>", ""]
    for r in sweeps:
        if r.slowest is None:
            continue
        # From the page's id subquery (its LIMIT) down: the joins above it are the same for
        # every fragment; the scan that chose the rows is what differs.
        text = r.slowest.text.splitlines()
        start = max((i for i, line in enumerate(text) if "->  Limit" in line), default=0)
        plan = "\n".join(text[start : start + PLAN_LINES])
        lines += [
            f"**{r.persona} — {r.listed} — `{r.worst}`** ({r.slowest.ms:.1f} ms; plan from the "
            "page's id subquery down)",
            "",
            "```sql",
            short_sql(r.slowest.sql),
            "```",
            "```",
            plan,
            "```",
            "",
        ]
    lines.append("</details>")
    return "\n".join(lines)


def app_connection_options() -> dict:
    """The session settings the app's connections start with (config.settings: jit=off), so
    EXPLAIN and the recorded settings see what the pages run with."""
    from django.conf import settings

    options = settings.DATABASES["default"].get("OPTIONS", {}).get("options")
    return {"options": options} if options else {}


def make_explainer(url: str):
    """EXPLAIN on a connection of its own, so the timed connection's state is untouched."""
    import psycopg

    conn = psycopg.connect(url, autocommit=True, **app_connection_options())
    conn.execute("SET statement_timeout = '120s'")

    def explain(
        query: str, *, analyze: bool = True, text: bool = False, seconds: float = 0.0
    ) -> QueryPlan | None:
        stripped = query.lstrip()
        if not stripped.upper().startswith(("SELECT", "WITH")):
            return None
        options = "ANALYZE, BUFFERS" if analyze else "COSTS"
        try:
            if text:
                rows = conn.execute(f"EXPLAIN ({options}) {stripped}").fetchall()
                return QueryPlan(query, 0.0, [], [], "\n".join(r[0] for r in rows))
            (plan,) = conn.execute(f"EXPLAIN ({options}, FORMAT JSON) {stripped}").fetchone()
        except psycopg.errors.QueryCanceled:
            return QueryPlan(query, seconds * 1000, [], ["EXPLAIN timed out"])
        root = plan[0]
        nodes: list[str] = []
        seq: list[str] = []

        def walk(node: dict) -> None:
            relation = node.get("Relation Name")
            label = node["Node Type"] + (f" on {relation}" if relation else "")
            if node.get("Index Name"):
                label += f" using {node['Index Name']}"
            rows = node.get("Actual Rows", node.get("Plan Rows"))
            nodes.append(f"{label} (rows {rows})")
            if node["Node Type"] == "Seq Scan" and relation in BIG_TABLES:
                seq.append(relation)
            for child in node.get("Plans", []):
                walk(child)

        walk(root["Plan"])
        # Without ANALYZE the time is the one the captured request measured.
        ms = float(root["Execution Time"]) if analyze else seconds * 1000
        return QueryPlan(query, ms, seq, nodes)

    return explain, conn


# --- Reporting ------------------------------------------------------------------------------------


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def environment(url: str) -> dict:
    import psycopg

    with psycopg.connect(url, **app_connection_options()) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        pg = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]  # names are constants above
            for name in PG_SETTINGS
        }
        tables = {
            name: (int(rows), size)
            for name, rows, size in conn.execute("""
                SELECT relname, reltuples, pg_size_pretty(pg_total_relation_size(oid))
                  FROM pg_class
                 WHERE relname IN ('complaints_case', 'complaints_caseevent',
                                   'complaints_customer', 'complaints_customercontact')
                 ORDER BY relname
            """)
        }
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    dirty = [
        line[3:]
        for line in git("status", "--porcelain").splitlines()
        if line[3:].startswith(("complaints/", "staff/", "config/", "templates/"))
    ]
    return {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": git("log", "-1", "--format=%h %s"),
        "uncommitted": dirty,
        "nproc": os.cpu_count(),
        "ram_gb": round(int(meminfo) / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgres": version,
        "pg_settings": pg,
        "tables": tables,
    }


def scale_label(cases: int) -> str:
    if cases >= 950_000:  # reltuples is an estimate: 999,975 is "1M"
        return f"{round(cases / 1_000_000)}M"
    return f"{round(cases / 1000)}k"


def render(env: dict, results: list[Result], args: argparse.Namespace, load: tuple) -> str:
    lines = [
        f"Run {env['when']} against commit `{env['commit']}`"
        + (
            f" plus uncommitted changes in {len(env['uncommitted'])} files of the apps"
            f" ({', '.join(f'`{f}`' for f in env['uncommitted'][:6])}"
            + (", …" if len(env["uncommitted"]) > 6 else "")
            + ")"
            if env["uncommitted"]
            else ""
        )
        + ".",
        "",
        f"Command: `.venv/bin/python bench/bench_admin.py --runs {args.runs} --warmup "
        f"{args.warmup} --region {args.region}` (in-process Django test client, DEBUG off, warm "
        "cache, one user at a time; times are server time without HTTP).",
        "",
        f"Machine: {env['nproc']} CPUs ({env['cpu']}), {env['ram_gb']} GB RAM, Python "
        f"{env['python']}, PostgreSQL {env['postgres']} ("
        + ", ".join(f"{k}={v}" for k, v in env["pg_settings"].items())
        + f"). Load average before/after: {load[0]:.1f} / {load[1]:.1f} (the machine is shared "
        "with other work; figures taken under load are pessimistic).",
        "",
        "Data: "
        + ", ".join(
            f"{name} {rows:,} rows ({size})" for name, (rows, size) in env["tables"].items()
        )
        + ".",
        "",
        f"Targets: p95 ≤ {PAGE_P95_MS:.0f} ms per page, ≤ {SEARCH_P95_MS:.0f} ms for searches, "
        f"≤ {MAX_QUERIES} SQL queries per page, no Seq Scan on "
        + ", ".join(sorted(BIG_TABLES))
        + ". ✗ marks a miss.",
        "",
        "CPU ms is the mean CPU time per request of the Django process plus its PostgreSQL "
        "backend: what the page costs on an idle machine, whatever else runs here.",
        "",
        "| persona | page | HTTP | p50 ms | p95 ms | CPU ms | queries | slowest SQL ms "
        "| Seq Scan on big table | |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        slow = f"{r.slowest.ms:.1f}" if r.slowest else "-"
        mark = "✗ " + "; ".join(r.problems) if r.problems else "✓"
        lines.append(
            f"| {r.persona} | {r.page} | {r.status} | {r.p50:.1f} | {r.p95:.1f} | {r.cpu:.1f} "
            f"| {r.queries} | {slow} | {', '.join(r.seq_scans) or '-'} | {mark} |"
        )
    lines += ["", "<details><summary>URLs, and the plan of each page's slowest query</summary>", ""]
    for r in results:
        lines.append(f"**{r.persona} — {r.page}** `{r.url}`" + (f" ({r.note})" if r.note else ""))
        # Plans only where the database is the problem; every query is in the JSON file.
        if r.slowest and (r.slowest.ms >= PLAN_FROM_MS or r.seq_scans):
            sql_text = short_sql(r.slowest.sql)
            plan = "\n".join(r.slowest.text.splitlines()[:PLAN_LINES])
            lines += ["", "```sql", sql_text, "```", "```", plan, "```", ""]
        else:
            lines.append("")
    lines.append("</details>")
    return "\n".join(lines)


def short_sql(sql: str, limit: int = 900) -> str:
    """The query without its column list (the FROM, WHERE and ORDER BY are what matter)."""
    text = " ".join(sql.split())
    head, sep, rest = text.partition(" FROM ")
    if sep and head.startswith("SELECT ") and len(head) > 80:
        text = f"SELECT … FROM {rest}"  # noqa: S608 (shown in RESULTS.md, never executed)
    return text if len(text) <= limit else text[:limit] + " …"


def replace_section(path: Path, name: str, body: str) -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    path.write_text(text)


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.test import Client

    if not args.no_migrate:
        # The console's indexes arrive as migrations: time the schema the code expects.
        call_command("migrate", interactive=False, verbosity=0)
    region, users = personas(args.region)
    samples = pick_samples(region)
    say(f"samples: {samples}")
    pages = [p for p in build_pages(samples) if not args.only or args.only in p.name]
    explain, explain_conn = make_explainer(args.database_url)
    load_before = os.getloadavg()[0]
    results: list[Result] = []
    sweeps: list[SweepResult] = []
    fragments = pick_fragments(region, args.fragments)
    try:
        for persona, user in users:
            client = Client()
            client.force_login(user)
            for page in pages:
                result = measure(client, persona, page, args.runs, args.warmup, explain)
                results.append(result)
                say(
                    f"{persona:>12} | {page.name:<36} | {result.status} | p50 {result.p50:7.1f}"
                    f" | p95 {result.p95:7.1f} | cpu {result.cpu:6.1f} | q {result.queries:2d} | "
                    + ("; ".join(result.problems) or "ok")
                )
            if fragments:
                sweeps += sweep_fragments(client, persona, fragments, args.fragment_runs, explain)
    finally:
        explain_conn.close()
    load_after = os.getloadavg()[0]
    env = environment(args.database_url)
    cases = env["tables"].get("complaints_case", (0, ""))[0]
    label = scale_label(cases)
    out = REPO / "bench" / "results" / f"admin-{label}.json"
    # Only a full, recorded run replaces the last one's raw numbers: a subset (--only) or a
    # trial (--no-record) would leave a JSON file that no longer matches RESULTS.md.
    if not args.no_record and not args.only:
        out.parent.mkdir(exist_ok=True)
        out.write_text(
            json.dumps(
                {
                    "environment": env,
                    "load": [load_before, load_after],
                    "results": [asdict(r) | {"problems": r.problems} for r in results],
                    "name_search_sweep": [asdict(r) for r in sweeps],
                },
                indent=2,
            )
            + "\n"
        )
        replace_section(
            RESULTS, f"admin-{label}", render(env, results, args, (load_before, load_after))
        )
        if sweeps:
            replace_section(RESULTS, f"name-search-{label}", render_sweep(env, sweeps, args))
        say(f"recorded in {RESULTS.relative_to(REPO)} (section admin-{label}) and {out.name}")
    misses = [r for r in results if r.problems]
    say(f"{len(results) - len(misses)}/{len(results)} pages within target")


if __name__ == "__main__":
    main()
