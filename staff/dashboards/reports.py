"""The two pages' figures, assembled from the selectors into tables and charts. No queries of
its own: each page's query count is the selectors' and stays fixed as the data grows."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from complaints.console.times import unit_time
from complaints.models import Case, Channel, IncidentStatus
from complaints.selectors import SLA_LABELS, sla_state
from complaints.workflow import OPEN_STATES, CaseStatus
from staff.dashboards import charts, selectors
from staff.dashboards.charts import Chart, Series
from staff.dashboards.metrics import (
    AGE_BUCKETS,
    BUCKETS,
    MEDIAN,
    P90,
    add_counts,
    compliance,
    format_minutes,
    format_number,
    format_percent,
    per_thousand,
    percentile,
)
from staff.dashboards.rollups import monday
from staff.dashboards.selectors import UnitIds, UnitTree
from staff.dashboards.tables import Column, Kind, Link, Table, Value, date_text
from staff.models import DashboardRollupRun, DurationMetric, ServiceUnit, Technician

# The workflow's order, so the board reads like the case's life.
OPEN_ORDER = [status for status in CaseStatus if status in OPEN_STATES]
BOARD_LIST_LIMIT = 10
TECHNICIAN_LIMIT = 100
BOARD_INCIDENT_LIMIT = 20
TOP_AREAS = 10
MAX_SERIES = 9  # more than this and the smallest are summed as "other"
WEEKLY_AFTER_DAYS = 62  # longer ranges are charted by week
# Beat refreshes every 5 minutes: older than this, something is wrong and the page says so.
STALE_AFTER = timedelta(minutes=20)


class By:
    CHANNEL = "channel"
    CATEGORY = "category"
    UNIT = "unit"


BY_FIELD = {By.CHANNEL: "channel", By.CATEGORY: "category_id", By.UNIT: "service_unit_id"}


def case_link(case: Case) -> Link:
    return Link(case.ticket, reverse("admin:complaints_case_change", args=[case.pk]))


def queue_url(**params) -> str:
    return f"{reverse('admin:complaints_case_changelist')}?{urlencode(params)}"


# --- Supervisor board -------------------------------------------------------------------------


@dataclass
class Headline:
    label: str
    value: str
    hint: str = ""
    tone: str = ""  # "", "warn" or "bad"
    url: str = ""


@dataclass
class SupervisorBoard:
    headlines: list[Headline]
    status_chart: Chart
    tables: list[Table]
    generated_at: datetime

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def supervisor_board(
    *, unit_ids: UnitIds, root: ServiceUnit | None, now: datetime
) -> SupervisorBoard:
    counts = selectors.open_case_counts(unit_ids=unit_ids, now=now)
    unassigned = selectors.unassigned_cases(unit_ids=unit_ids, limit=BOARD_LIST_LIMIT)
    at_risk = selectors.at_risk_cases(unit_ids=unit_ids, now=now, limit=BOARD_LIST_LIMIT)
    breached = selectors.breached_cases(unit_ids=unit_ids, now=now, limit=BOARD_LIST_LIMIT)
    crew = selectors.technician_counts(unit_ids=unit_ids)
    technicians = selectors.technicians_with_jobs(unit_ids=unit_ids, limit=TECHNICIAN_LIMIT)
    incidents = selectors.active_incidents(unit_ids=unit_ids, limit=BOARD_INCIDENT_LIMIT)
    labels = status_labels()

    zero = {"total": 0, "unassigned": 0, "at_risk": 0, "breached": 0}
    per_status = [(status, counts.get(status, zero)) for status in OPEN_ORDER]
    total = {key: sum(row[key] for _, row in per_status) for key in zero}
    unit_param = {"unit": root.pk} if root else {}

    status_table = Table(
        key="status",
        title=_("Pengaduan terbuka per status"),
        columns=[
            Column("status", _("Status")),
            Column("open", _("Terbuka"), Kind.INT),
            Column("unassigned", _("Belum ditugaskan"), Kind.INT),
            Column("at_risk", _("Berisiko"), Kind.INT),
            Column("breached", _("Terlampaui"), Kind.INT),
        ],
        rows=[
            *[
                (
                    Link(str(status.label), queue_url(queue=status.value, **unit_param)),
                    row["total"],
                    row["unassigned"],
                    row["at_risk"],
                    row["breached"],
                )
                for status, row in per_status
            ],
            (_("Jumlah"), total["total"], total["unassigned"], total["at_risk"], total["breached"]),
        ],
    )
    status_chart = charts.horizontal_bars(
        title=_("Pengaduan terbuka per status"),
        items=[
            (str(status.label), row["total"], format_number(row["total"]))
            for status, row in per_status
        ],
        empty_text=_("Tidak ada pengaduan terbuka."),
    )
    headlines = [
        Headline(_("Terbuka"), format_number(total["total"]), url=queue_url(**unit_param)),
        Headline(
            _("Belum ditugaskan"),
            format_number(total["unassigned"]),
            tone="warn" if total["unassigned"] else "",
            url=queue_url(owner="none", **unit_param),
        ),
        Headline(
            _("Berisiko"),
            format_number(total["at_risk"]),
            hint=_("sudah lewat 80 % waktu penyelesaian"),
            tone="warn" if total["at_risk"] else "",
            url=queue_url(sla="at_risk", **unit_param),
        ),
        Headline(
            _("Terlampaui"),
            format_number(total["breached"]),
            hint=_("lewat batas penyelesaian"),
            tone="bad" if total["breached"] else "",
            url=queue_url(sla="breached", **unit_param),
        ),
        Headline(
            _("Teknisi bertugas"),
            f"{format_number(crew['working'])} / {format_number(crew['total'])}",
            hint=_("%(ready)s siap menerima tugas") % {"ready": format_number(crew["ready"])},
        ),
    ]
    tables = [
        status_table,
        _case_list(
            key="breached",
            title=_("Terlampaui (terlama dulu)"),
            cases=breached,
            total=total["breached"],
            now=now,
            clock_label=_("Terlambat"),
            clock=lambda case: (now - case.resolution_due_at).total_seconds() / 60,
            empty_text=_("Tidak ada pengaduan yang melewati batas."),
            more_url=queue_url(sla="breached", **unit_param),
            labels=labels,
        ),
        _case_list(
            key="at_risk",
            title=_("Berisiko (paling dekat batas dulu)"),
            cases=at_risk,
            total=total["at_risk"],
            now=now,
            clock_label=_("Sisa waktu"),
            clock=lambda case: (case.resolution_due_at - now).total_seconds() / 60,
            empty_text=_("Tidak ada pengaduan berisiko."),
            more_url=queue_url(sla="at_risk", **unit_param),
            labels=labels,
        ),
        _case_list(
            key="unassigned",
            title=_("Belum ditugaskan (terlama dulu)"),
            cases=unassigned,
            total=total["unassigned"],
            now=now,
            clock_label=_("Umur"),
            clock=lambda case: (now - case.created_at).total_seconds() / 60,
            empty_text=_("Semua pengaduan terbuka sudah ada penanggung jawabnya."),
            more_url=queue_url(owner="none", **unit_param),
            labels=labels,
        ),
        _technician_table(technicians, total=crew["total"], now=now, labels=labels),
        _incident_table(incidents),
    ]
    return SupervisorBoard(
        headlines=headlines, status_chart=status_chart, tables=tables, generated_at=now
    )


def _incident_table(incidents: Sequence[selectors.IncidentSummary]) -> Table:
    """Active outage incidents (issue 6): each links to its console page; the ETR in the
    incident's unit time, "—" until one is set."""
    statuses = dict(IncidentStatus.choices)
    full = len(incidents) >= BOARD_INCIDENT_LIMIT
    return Table(
        key="incidents",
        title=_("Insiden gangguan aktif"),
        columns=[
            Column("incident", _("Insiden")),
            Column("unit", _("Unit")),
            Column("status", _("Status")),
            Column("reports", _("Laporan"), Kind.INT),
            Column("crew", _("Regu")),
            Column("etr", _("Estimasi nyala"), Kind.WHEN),
        ],
        rows=[
            (
                Link(
                    f"{i.code} {i.title}",
                    reverse("admin:complaints_incident_change", args=[i.incident_id]),
                ),
                i.service_unit,
                str(statuses.get(i.status, i.status)),
                i.reports,
                i.crew or "—",
                unit_time(i.estimated_restoration, i.unit) if i.unit else None,
            )
            for i in incidents
        ],
        empty_text=_("Tidak ada gangguan aktif di unit Anda."),
        more_url=reverse("admin:complaints_incident_changelist") if full else "",
        more_text=_("Semua gangguan di daftar gangguan") if full else "",
    )


def _case_list(
    *,
    key: str,
    title: str,
    cases: Sequence[Case],
    total: int,
    now: datetime,
    clock_label: str,
    clock: Callable[[Case], float],
    empty_text: str,
    more_url: str,
    labels: dict[str, str],
) -> Table:
    more = total - len(cases)
    return Table(
        key=key,
        title=f"{title} · {format_number(total)}",
        columns=[
            Column("ticket", _("Tiket"), Kind.CODE),
            Column("category", _("Kategori")),
            Column("unit", _("Unit")),
            Column("status", _("Status")),
            Column("sla", _("SLA")),
            Column("created", _("Dibuat"), Kind.WHEN),
            Column("due", _("Batas penyelesaian"), Kind.WHEN),
            Column("clock", clock_label, Kind.MINUTES),
        ],
        rows=[
            (
                case_link(case),
                str(case.category),
                case.service_unit.name,
                labels[case.status],
                str(SLA_LABELS[sla_state(case, now=now)]),
                unit_time(case.created_at, case.service_unit),
                unit_time(case.resolution_due_at, case.service_unit),
                clock(case) if case.resolution_due_at or key == "unassigned" else None,
            )
            for case in cases
        ],
        empty_text=empty_text,
        more_url=more_url if more > 0 else "",
        more_text=_("%(n)s lainnya di antrean") % {"n": format_number(more)} if more > 0 else "",
    )


def status_labels() -> dict[str, str]:
    """Status labels, translated once per page: get_status_display() rebuilds and hashes
    the lazy choices on every call (a millisecond each, hundreds of rows)."""
    return {value: str(label) for value, label in CaseStatus.choices}


JOBS_SHOWN = 3


def _jobs_text(jobs: Sequence[Case], labels: dict[str, str]) -> str:
    shown = ", ".join(f"{job.ticket} ({labels[job.status]})" for job in jobs[:JOBS_SHOWN])
    if len(jobs) > JOBS_SHOWN:
        shown += " " + _("+%(n)s lagi") % {"n": len(jobs) - JOBS_SHOWN}
    return shown


def technician_state(technician: Technician) -> str:
    if not technician.on_shift:
        return _("Tidak bertugas")
    if not technician.available:
        return _("Tidak tersedia")
    if technician.open_jobs >= technician.capacity:
        return _("Penuh")
    if technician.open_jobs:
        return _("Sibuk")
    return _("Siap")


def _technician_table(
    technicians: Sequence[Technician], *, total: int, now: datetime, labels: dict[str, str]
) -> Table:
    rows = []
    for technician in technicians:
        seen = (
            (now - technician.position_at).total_seconds() / 60 if technician.position_at else None
        )
        rows.append(
            (
                str(technician),
                technician.service_unit.name,
                technician_state(technician),
                technician.open_jobs,
                technician.capacity,
                _jobs_text(technician.jobs, labels),
                seen,
            )
        )
    more = total - len(technicians)
    return Table(
        key="technicians",
        title=_("Teknisi: keadaan dan beban kerja"),
        columns=[
            Column("name", _("Nama")),
            Column("unit", _("Unit")),
            Column("state", _("Keadaan")),
            Column("open_jobs", _("Tugas terbuka"), Kind.INT),
            Column("capacity", _("Kapasitas"), Kind.INT),
            Column("jobs", _("Pekerjaan aktif")),
            Column("position", _("Posisi terakhir (lalu)"), Kind.MINUTES),
        ],
        rows=rows,
        empty_text=_("Belum ada teknisi di unit ini."),
        more_text=_("%(n)s teknisi lain tidak ditampilkan") % {"n": format_number(more)}
        if more > 0
        else "",
    )


# --- Manager dashboard ------------------------------------------------------------------------


@dataclass
class Section:
    key: str
    title: str
    chart: Chart | None
    table: Table
    note: str = ""
    collapsed: bool = False


@dataclass
class ManagerReport:
    first_day: date
    last_day: date
    weekly: bool
    headlines: list[Headline]
    sections: list[Section]
    run: DashboardRollupRun | None
    generated_at: datetime
    tables: list[Table] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return self.run is None or self.generated_at - self.run.started_at > STALE_AFTER

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)


def _period_of(day: date, weekly: bool) -> date:
    return monday(day) if weekly else day


def _periods(first_day: date, last_day: date, weekly: bool) -> list[date]:
    periods = []
    day = first_day
    while day <= last_day:
        period = _period_of(day, weekly)
        if not periods or periods[-1] != period:
            periods.append(period)
        day += timedelta(days=1)
    return periods


def _sum_rows(rows: Sequence[dict]) -> dict[str, int]:
    return {name: sum(row[name] or 0 for row in rows) for name in selectors.ROLLUP_SUMS}


def manager_report(
    *,
    first_day: date,
    last_day: date,
    unit_ids: UnitIds,
    allowed: UnitIds,
    root: ServiceUnit | None,
    tree: UnitTree,
    by: str,
    now: datetime,
) -> ManagerReport:
    weekly = (last_day - first_day).days + 1 > WEEKLY_AFTER_DAYS
    window = {"first_day": first_day, "last_day": last_day, "unit_ids": unit_ids}
    sums = selectors.rollup_sums(**window, by=BY_FIELD[by], weekly=weekly)
    daily, per_category, per_unit = sums.daily, sums.by_category, sums.by_unit
    histograms = selectors.duration_histograms(**window, weekly=weekly)
    backlog = selectors.backlog_by_age(unit_ids=unit_ids, now=now)
    customers = selectors.customers_per_unit()
    categories = selectors.categories()
    run = selectors.latest_rollup_run()
    survey = selectors.satisfaction(**window)
    periods = _periods(first_day, last_day, weekly)
    totals = _sum_rows(per_unit)

    def group(unit_id: int) -> ServiceUnit:
        return tree.group_of(unit_id, root=root, allowed=allowed)

    first_response = [0] * BUCKETS
    resolution = [0] * BUCKETS
    group_hist: dict[int, list[int]] = defaultdict(lambda: [0] * BUCKETS)
    for (unit_id, metric), counts in histograms.items():
        if metric == DurationMetric.FIRST_RESPONSE:
            add_counts(first_response, counts)
        else:
            add_counts(resolution, counts)
            add_counts(group_hist[group(unit_id).pk], counts)

    fr_compliance = compliance(totals["responded_on_time"], totals["responded"])
    res_compliance = compliance(totals["resolved_on_time"], totals["resolved"])
    backlog_total = sum(backlog.values())
    headlines = [
        Headline(_("Pengaduan diterima"), format_number(totals["received"])),
        Headline(
            _("SLA respons pertama"),
            format_percent(fr_compliance),
            hint=_("%(n)s respons pertama") % {"n": format_number(totals["responded"])},
        ),
        Headline(
            _("Respons pertama: median / P90"),
            f"{format_minutes(percentile(first_response, MEDIAN))} / "
            f"{format_minutes(percentile(first_response, P90))}",
        ),
        Headline(
            _("SLA penyelesaian"),
            format_percent(res_compliance),
            hint=_("%(n)s diselesaikan") % {"n": format_number(totals["resolved"])},
        ),
        Headline(
            _("Penyelesaian: median / P90"),
            f"{format_minutes(percentile(resolution, MEDIAN))} / "
            f"{format_minutes(percentile(resolution, P90))}",
        ),
        Headline(_("Backlog terbuka saat ini"), format_number(backlog_total)),
        Headline(
            _("Kepuasan pelanggan"),
            format_number(survey.average, 1) if survey.average is not None else "—",
            hint=_("%(n)s jawaban survei, %(fixed)s teratasi")
            % {
                "n": format_number(survey.answers),
                "fixed": format_percent(compliance(survey.fixed, survey.answers)),
            }
            if survey.answers
            else _("%(n)s jawaban survei") % {"n": format_number(survey.answers)},
        ),
    ]

    count, percent, minutes = Kind.INT, Kind.PERCENT, Kind.MINUTES
    summary = Table(
        key="summary",
        title=_("Ringkasan"),
        columns=[Column("metric", _("Ukuran")), Column("value", _("Nilai"), Kind.DECIMAL)],
        rows=[
            (_("Pengaduan diterima"), Value(totals["received"], count)),
            (_("Respons pertama"), Value(totals["responded"], count)),
            (_("Respons pertama tepat waktu"), Value(totals["responded_on_time"], count)),
            (_("SLA respons pertama (%)"), Value(fr_compliance, percent)),
            (
                _("Median respons pertama (menit)"),
                Value(percentile(first_response, MEDIAN), minutes),
            ),
            (_("P90 respons pertama (menit)"), Value(percentile(first_response, P90), minutes)),
            (_("Diselesaikan"), Value(totals["resolved"], count)),
            (_("Diselesaikan tepat waktu"), Value(totals["resolved_on_time"], count)),
            (_("SLA penyelesaian (%)"), Value(res_compliance, percent)),
            (_("Median penyelesaian (menit)"), Value(percentile(resolution, MEDIAN), minutes)),
            (_("P90 penyelesaian (menit)"), Value(percentile(resolution, P90), minutes)),
            (_("Backlog terbuka saat ini"), Value(backlog_total, count)),
            (_("Jawaban survei kepuasan"), Value(survey.answers, count)),
            (_("Rata-rata kepuasan (1-5)"), Value(survey.average, Kind.DECIMAL)),
            (
                _("Masalah teratasi menurut pelanggan (%)"),
                Value(compliance(survey.fixed, survey.answers), percent),
            ),
            (_("Dibuka kembali lewat survei"), Value(survey.reopened, count)),
        ],
    )

    sections = [
        _daily_section(
            daily, periods=periods, weekly=weekly, by=by, categories=categories, group=group
        ),
        _sla_section(daily, periods=periods, weekly=weekly),
        _category_section(per_category, categories=categories, total=totals["received"]),
        _backlog_section(backlog),
        _unit_section(
            per_unit,
            group=group,
            group_hist=group_hist,
            customers=customers,
            tree=tree,
            unit_ids=unit_ids,
        ),
        _top_areas_section(per_unit, customers=customers, tree=tree, unit_ids=unit_ids),
        _satisfaction_section(survey),
        _satisfaction_unit_section(survey, group=group, tree=tree),
    ]
    tables = [summary, *(section.table for section in sections)]
    return ManagerReport(
        first_day=first_day,
        last_day=last_day,
        weekly=weekly,
        headlines=headlines,
        sections=sections,
        run=run,
        generated_at=now,
        tables=tables,
    )


def _period_labels(periods: Sequence[date], weekly: bool) -> tuple[list[str], list[str]]:
    short = [date_text(p, "j/n") for p in periods]
    if weekly:
        long = [_("Minggu mulai %(day)s") % {"day": date_text(p)} for p in periods]
    else:
        long = [date_text(p) for p in periods]
    return short, long


def _top_series(totals: dict, names: dict, order: Sequence) -> list[tuple[str, list]]:
    """Keys with data in ``order``; beyond MAX_SERIES the smallest are summed as "other"."""
    keys = [key for key in order if totals.get(key)]
    if len(keys) <= MAX_SERIES:
        return [(str(names[key]), [key]) for key in keys]
    biggest = sorted(keys, key=lambda key: -totals[key])[: MAX_SERIES - 1]
    kept = [key for key in keys if key in biggest]
    rest = [key for key in keys if key not in biggest]
    return [(str(names[key]), [key]) for key in kept] + [(_("Lainnya"), rest)]


def _daily_section(daily, *, periods, weekly, by, categories, group) -> Section:
    field_name = BY_FIELD[by]
    cells: dict[tuple[date, object], int] = defaultdict(int)
    series_totals: dict[object, int] = defaultdict(int)
    for row in daily:
        key = row[field_name]
        if by == By.UNIT:
            key = group(key).pk
        cells[(_period_of(row["day"], weekly), key)] += row["received"]
        series_totals[key] += row["received"]
    per_period = defaultdict(lambda: dict.fromkeys(selectors.ROLLUP_SUMS, 0))
    for row in daily:
        target = per_period[_period_of(row["day"], weekly)]
        for name in selectors.ROLLUP_SUMS:
            target[name] += row[name] or 0

    if by == By.CHANNEL:
        names, order = dict(Channel.choices), Channel.values
        names.update({key: key for key in series_totals if key not in names})
        order = [*order, *sorted(k for k in series_totals if k not in Channel.values)]
        dimension = _("kanal")
    elif by == By.CATEGORY:
        names, order = categories, list(categories)
        dimension = _("kategori")
    else:
        groups = {group(key) for key in series_totals}
        names = {unit.pk: unit.name for unit in groups}
        order = [unit.pk for unit in sorted(groups, key=lambda unit: unit.path)]
        dimension = _("unit")
    series_keys = _top_series(series_totals, names, order)

    short, long = _period_labels(periods, weekly)
    series = [
        Series(
            name, [sum(cells[(p, key)] for key in keys) for p in periods], _series_color(i, name)
        )
        for i, (name, keys) in enumerate(series_keys)
    ]
    title = (
        _("Pengaduan per minggu menurut %(dim)s")
        if weekly
        else _("Pengaduan per hari menurut %(dim)s")
    ) % {"dim": dimension}
    chart = charts.stacked_bars(
        title=title,
        labels=short,
        long_labels=long,
        series=series,
        empty_text=_("Tidak ada pengaduan pada rentang ini."),
    )
    table = Table(
        key="daily",
        title=title,
        columns=[
            Column("period", _("Minggu mulai") if weekly else _("Hari"), Kind.DATE),
            *[Column(f"s{i}", s.name, Kind.INT) for i, s in enumerate(series)],
            Column("received", _("Jumlah diterima"), Kind.INT),
            Column("resolved", _("Diselesaikan"), Kind.INT),
            Column("sla", _("SLA penyelesaian"), Kind.PERCENT),
        ],
        rows=[
            (
                p,
                *[s.values[i] for s in series],
                per_period[p]["received"],
                per_period[p]["resolved"],
                compliance(per_period[p]["resolved_on_time"], per_period[p]["resolved"]),
            )
            for i, p in enumerate(periods)
        ],
    )
    return Section("daily", title, chart, table, collapsed=True)


def _series_color(index: int, name: str) -> str:
    return charts.OTHER_COLOR if name == _("Lainnya") else charts.color(index)


def _sla_section(daily, *, periods, weekly) -> Section:
    sums = defaultdict(lambda: defaultdict(int))
    for row in daily:
        target = sums[_period_of(row["day"], weekly)]
        for name in ("responded", "responded_on_time", "resolved", "resolved_on_time"):
            target[name] += row[name] or 0
    first = [compliance(sums[p]["responded_on_time"], sums[p]["responded"]) for p in periods]
    resolved = [compliance(sums[p]["resolved_on_time"], sums[p]["resolved"]) for p in periods]
    short, long = _period_labels(periods, weekly)
    title = _("Kepatuhan SLA per minggu") if weekly else _("Kepatuhan SLA per hari")
    chart = charts.lines(
        title=title,
        labels=short,
        long_labels=long,
        series=[
            Series(_("Respons pertama"), first, charts.color(0)),
            Series(_("Penyelesaian"), resolved, charts.color(1)),
        ],
        y_max=100,
        fmt=lambda value: f"{value:.0f} %",
        empty_text=_("Belum ada respons atau penyelesaian pada rentang ini."),
    )
    table = Table(
        key="sla",
        title=title,
        columns=[
            Column("period", _("Minggu mulai") if weekly else _("Hari"), Kind.DATE),
            Column("responded", _("Respons pertama"), Kind.INT),
            Column("responded_on_time", _("Tepat waktu"), Kind.INT),
            Column("first_sla", _("SLA respons"), Kind.PERCENT),
            Column("resolved", _("Diselesaikan"), Kind.INT),
            Column("resolved_on_time", _("Tepat waktu"), Kind.INT),
            Column("resolution_sla", _("SLA penyelesaian"), Kind.PERCENT),
        ],
        rows=[
            (
                p,
                sums[p]["responded"],
                sums[p]["responded_on_time"],
                first[i],
                sums[p]["resolved"],
                sums[p]["resolved_on_time"],
                resolved[i],
            )
            for i, p in enumerate(periods)
        ],
    )
    note = _(
        "Tepat waktu: respons pertama paling lambat batas respons, penyelesaian paling lambat "
        "batas penyelesaian; dihitung pada hari respons atau penyelesaian terjadi."
    )
    return Section("sla", title, chart, table, note=note, collapsed=True)


def _category_section(per_category, *, categories, total: int) -> Section:
    rows = sorted(per_category, key=lambda row: (-row["received"], row["category_id"]))
    table = Table(
        key="categories",
        title=_("Pengaduan menurut kategori"),
        columns=[
            Column("category", _("Kategori")),
            Column("received", _("Diterima"), Kind.INT),
            Column("share", _("Porsi"), Kind.PERCENT),
            Column("resolved", _("Diselesaikan"), Kind.INT),
            Column("sla", _("SLA penyelesaian"), Kind.PERCENT),
        ],
        rows=[
            (
                str(categories[row["category_id"]]),
                row["received"],
                compliance(row["received"], total),
                row["resolved"],
                compliance(row["resolved_on_time"], row["resolved"]),
            )
            for row in rows
        ],
        empty_text=_("Tidak ada data."),
    )
    chart = charts.horizontal_bars(
        title=table.title,
        items=[(r[0], r[1], format_number(r[1])) for r in table.rows if r[1]],
        empty_text=_("Tidak ada pengaduan pada rentang ini."),
        bar_color=charts.color(0),
    )
    return Section("categories", table.title, chart, table)


def _unit_section(
    per_unit, *, group, group_hist, customers, tree: UnitTree, unit_ids: UnitIds
) -> Section:
    grouped: dict[int, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(selectors.ROLLUP_SUMS, 0)
    )
    for row in per_unit:
        target = grouped[group(row["service_unit_id"]).pk]
        for name in selectors.ROLLUP_SUMS:
            target[name] += row[name] or 0
    group_customers: dict[int, int] = defaultdict(int)
    for unit_id, count in customers.items():
        in_scope = unit_id in tree.units and (unit_ids is None or unit_id in unit_ids)
        if in_scope and group(unit_id).pk in grouped:
            group_customers[group(unit_id).pk] += count
    order = sorted(grouped, key=lambda pk: (-grouped[pk]["received"], tree.units[pk].path))
    rows = []
    for pk in order:
        sums = grouped[pk]
        hist = group_hist.get(pk, [0] * BUCKETS)
        rows.append(
            (
                tree.units[pk].name,
                sums["received"],
                compliance(sums["responded_on_time"], sums["responded"]),
                sums["resolved"],
                compliance(sums["resolved_on_time"], sums["resolved"]),
                percentile(hist, MEDIAN),
                percentile(hist, P90),
                group_customers.get(pk, 0),
                per_thousand(sums["received"], group_customers.get(pk, 0)),
            )
        )
    table = Table(
        key="units",
        title=_("Pengaduan menurut unit layanan"),
        columns=[
            Column("unit", _("Unit")),
            Column("received", _("Diterima"), Kind.INT),
            Column("first_sla", _("SLA respons"), Kind.PERCENT),
            Column("resolved", _("Diselesaikan"), Kind.INT),
            Column("resolution_sla", _("SLA penyelesaian"), Kind.PERCENT),
            Column("median", _("Median penyelesaian"), Kind.MINUTES),
            Column("p90", _("P90 penyelesaian"), Kind.MINUTES),
            Column("customers", _("Pelanggan"), Kind.INT),
            Column("per_1000", _("Per 1.000 pelanggan"), Kind.DECIMAL),
        ],
        rows=rows,
        empty_text=_("Tidak ada data."),
    )
    chart = charts.horizontal_bars(
        title=table.title,
        items=[(r[0], r[1], format_number(r[1])) for r in rows if r[1]],
        empty_text=_("Tidak ada pengaduan pada rentang ini."),
        bar_color=charts.color(3),
    )
    return Section("units", table.title, chart, table)


def _backlog_section(backlog: dict[str, int]) -> Section:
    table = Table(
        key="backlog",
        title=_("Backlog menurut umur (saat ini)"),
        columns=[Column("age", _("Umur")), Column("open", _("Pengaduan terbuka"), Kind.INT)],
        rows=[(str(bucket.label), backlog[bucket.key]) for bucket in AGE_BUCKETS],
    )
    chart = charts.horizontal_bars(
        title=table.title,
        items=[(label, count, format_number(count)) for label, count in table.rows],
        empty_text=_("Tidak ada pengaduan terbuka."),
        bar_color=charts.color(2),
    )
    note = _("Langsung dari antrean (tidak bergantung rentang tanggal).")
    return Section("backlog", table.title, chart, table, note=note)


def _top_areas_section(per_unit, *, customers, tree: UnitTree, unit_ids: UnitIds) -> Section:
    received = defaultdict(int)
    for row in per_unit:
        received[row["service_unit_id"]] += row["received"]
    candidates = [
        (unit_id, count)
        for unit_id, count in customers.items()
        if count > 0 and unit_id in tree.units and (unit_ids is None or unit_id in unit_ids)
    ]
    ranked = sorted(
        candidates,
        key=lambda item: (
            -(per_thousand(received[item[0]], item[1]) or 0),
            tree.units[item[0]].path,
        ),
    )[:TOP_AREAS]
    table = Table(
        key="top_areas",
        title=_("Area teratas: pengaduan per 1.000 pelanggan"),
        columns=[
            Column("unit", _("Unit")),
            Column("customers", _("Pelanggan"), Kind.INT),
            Column("received", _("Diterima"), Kind.INT),
            Column("per_1000", _("Per 1.000 pelanggan"), Kind.DECIMAL),
        ],
        rows=[
            (
                tree.units[unit_id].name,
                count,
                received[unit_id],
                per_thousand(received[unit_id], count),
            )
            for unit_id, count in ranked
        ],
        empty_text=_("Jumlah pelanggan per unit belum dihitung."),
    )
    chart = charts.horizontal_bars(
        title=table.title,
        items=[(r[0], r[3], format_number(r[3], 1)) for r in table.rows],
        empty_text=_("Tidak ada pengaduan pada rentang ini."),
        bar_color=charts.color(4),
    )
    note = _("Pelanggan dan pengaduan yang tercatat langsung pada unit tersebut.")
    return Section("top_areas", table.title, chart, table, note=note)


def _satisfaction_section(survey: selectors.SatisfactionSummary) -> Section:
    table = Table(
        key="satisfaction",
        title=_("Kepuasan pelanggan"),
        columns=[
            Column("score", _("Nilai (1-5)"), Kind.INT),
            Column("answers", _("Jawaban"), Kind.INT),
        ],
        rows=[(score, count) for score, count in survey.distribution.items()]
        if survey.answers
        else [],
        empty_text=_("Belum ada jawaban survei kepuasan."),
    )
    chart = None
    if survey.answers:
        chart = charts.horizontal_bars(
            title=table.title,
            items=[(str(score), count, format_number(count)) for score, count in table.rows],
            empty_text=table.empty_text,
            bar_color=charts.color(5),
        )
    note = _(
        "Survei kepuasan dikirim saat pengaduan ditutup (tautan, atau balasan angka di "
        "WhatsApp); dihitung menurut hari jawaban."
    )
    return Section("satisfaction", table.title, chart, table, note=note)


def _satisfaction_unit_section(
    survey: selectors.SatisfactionSummary, *, group, tree: UnitTree
) -> Section:
    grouped: dict[int, selectors.UnitSatisfaction] = defaultdict(selectors.UnitSatisfaction)
    for unit_id, figures in survey.by_unit.items():
        target = grouped[group(unit_id).pk]
        target.answers += figures.answers
        target.score_sum += figures.score_sum
        target.fixed += figures.fixed
        target.reopened += figures.reopened
    order = sorted(grouped, key=lambda pk: (-grouped[pk].answers, tree.units[pk].path))
    table = Table(
        key="satisfaction_units",
        title=_("Kepuasan menurut unit layanan"),
        columns=[
            Column("unit", _("Unit")),
            Column("answers", _("Jawaban"), Kind.INT),
            Column("average", _("Rata-rata (1-5)"), Kind.DECIMAL),
            Column("fixed", _("Teratasi"), Kind.PERCENT),
            Column("reopened", _("Dibuka kembali"), Kind.INT),
        ],
        rows=[
            (
                tree.units[pk].name,
                grouped[pk].answers,
                grouped[pk].average,
                compliance(grouped[pk].fixed, grouped[pk].answers),
                grouped[pk].reopened,
            )
            for pk in order
        ],
        empty_text=_("Belum ada jawaban survei kepuasan."),
    )
    chart = None
    if table.rows:
        chart = charts.horizontal_bars(
            title=_("Rata-rata kepuasan menurut unit (1-5)"),
            items=[(row[0], row[2], format_number(row[2], 1)) for row in table.rows],
            empty_text=table.empty_text,
            bar_color=charts.color(5),
        )
    note = _('Teratasi: jawaban "masalah sudah teratasi" dari semua jawaban unit itu.')
    return Section("satisfaction_units", table.title, chart, table, note=note)
