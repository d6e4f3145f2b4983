"""The two pages over HTTP: who lands where, who may see what, CSV export of every table, the
board's self-refresh fragment, both languages, and query counts that do not grow."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import clock
from complaints.console.times import unit_time
from complaints.incidents import incident_restore, incident_set_etr
from complaints.models import Case, Incident, IncidentStatus
from complaints.workflow import CaseStatus
from staff.dashboards.rollups import refresh_rollups
from staff.models import DashboardRollupRun, StaffMember
from tests import factories
from tests.dashboards.conftest import D1, D2, NOW, WIB, make_case

pytestmark = pytest.mark.django_db
BOARD = reverse("dashboards:board")
MANAGER = reverse("dashboards:manager")
RANGE = {"start": D1.isoformat(), "end": D2.isoformat()}


@pytest.fixture
def frozen_now():
    with clock.travel(NOW):
        yield NOW


# --- Landing and access -----------------------------------------------------------------------


def test_supervisor_lands_on_the_board_and_manager_on_the_dashboard(world, client):
    client.force_login(world.supervisor_a)
    assert client.get("/admin/").url == BOARD
    client.force_login(world.manager)
    assert client.get("/admin/").url == MANAGER


def test_the_app_list_stays_reachable_with_links_to_the_dashboards(world, client):
    client.force_login(world.supervisor_a)

    response = client.get("/admin/?apps")

    assert response.status_code == 200
    assert "app_list" in response.context
    assert BOARD in response.content.decode()
    assert "/admin/?apps" in client.get(BOARD).content.decode()


def test_agents_keep_the_admin_index_and_get_403_on_the_dashboards(world, client):
    client.force_login(world.agent_a)

    index = client.get("/admin/")
    assert index.status_code == 200
    assert BOARD not in index.content.decode()
    assert client.get(BOARD).status_code == 403
    assert client.get(MANAGER).status_code == 403
    assert client.get(MANAGER, {"format": "csv", "table": "summary"}).status_code == 403


def test_superuser_sees_the_app_list_with_dashboard_links(world, client):
    admin = factories.make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)

    index = client.get("/admin/")

    assert index.status_code == 200
    assert MANAGER in index.content.decode()
    assert client.get(MANAGER).status_code == 200


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(BOARD)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_supervisor_board_covers_exactly_their_units(dataset, client, frozen_now):
    client.force_login(dataset.world.supervisor_a)

    board = client.get(BOARD).context["board"]

    # Unit A has case 3 open (case 5 is unit B's): one open case, verified, unassigned.
    status = {str(row[0]): row[1:] for row in board.table("status").rows[:-1]}
    assert status["Diverifikasi"] == (1, 1, 0, 0)
    assert sum(row[1] for row in board.table("status").rows[:-1]) == 1
    assert [str(row[0]) for row in board.table("unassigned").rows] == [dataset.cases[3].ticket]
    # Asking for another unit's board shows nothing of it.
    other = client.get(BOARD, {"unit": dataset.world.unit_b.pk}).context["board"]
    assert [str(row[0]) for row in other.table("unassigned").rows] == [dataset.cases[3].ticket]


def test_supervisor_dashboard_is_limited_to_their_units(dataset, client, frozen_now):
    refresh_rollups(full=True)
    client.force_login(dataset.world.supervisor_a)

    report = client.get(MANAGER, RANGE).context["report"]

    assert dict(report.table("summary").rows)["Pengaduan diterima"].raw == 4  # unit A only


def test_manager_board_can_be_filtered_to_a_region(dataset, client, frozen_now):
    client.force_login(dataset.world.manager)
    region_b = dataset.world.unit_b.parent.parent

    everything = client.get(BOARD).context["board"]
    region = client.get(BOARD, {"unit": region_b.pk}).context["board"]

    assert everything.table("status").rows[-1][1] == 2  # cases 3 and 5
    assert region.table("status").rows[-1][1] == 1  # case 5
    assert [str(row[0]) for row in region.table("unassigned").rows] == [dataset.cases[5].ticket]


# --- Board figures -----------------------------------------------------------------------------


def test_board_lists_breached_oldest_first_at_risk_and_unassigned(world, client):
    now = clock.now()
    tech = world.technician_a

    def running(hours_ago: float, hours_allowed: float, **fields) -> Case:
        created = now - timedelta(hours=hours_ago)
        return make_case(
            world.unit_a,
            created=created,
            status=fields.pop("status", CaseStatus.VERIFIED),
            resolution_due=created + timedelta(hours=hours_allowed),
            **fields,
        )

    breached_long_ago = running(10, 2)  # overdue by 8 h
    breached_recently = running(5, 4)  # overdue by 1 h
    at_risk = running(9, 10)  # 90 % of its time gone
    on_track = running(1, 10)
    paused = running(20, 2, status=CaseStatus.WAITING_CUSTOMER)  # the SLA clock is stopped
    Case.objects.filter(pk=on_track.pk).update(status=CaseStatus.ASSIGNED, technician=tech)
    client.force_login(world.supervisor_a)

    board = client.get(BOARD).context["board"]

    tickets = {
        key: [str(row[0]) for row in board.table(key).rows]
        for key in ("breached", "at_risk", "unassigned")
    }
    assert tickets["breached"] == [breached_long_ago.ticket, breached_recently.ticket]
    assert tickets["at_risk"] == [at_risk.ticket]
    # Unassigned, oldest first (the assigned one is not).
    assert tickets["unassigned"] == [
        paused.ticket,
        breached_long_ago.ticket,
        at_risk.ticket,
        breached_recently.ticket,
    ]
    overdue = {str(row[0]): row[-1] for row in board.table("breached").rows}
    assert overdue[breached_long_ago.ticket] == pytest.approx(8 * 60, abs=1)
    status = {str(row[0]): row[1:] for row in board.table("status").rows}
    assert status["Diverifikasi"] == (3, 3, 1, 2)
    assert status["Menunggu pelanggan"] == (1, 1, 0, 0)
    assert status["Ditugaskan"] == (1, 0, 0, 0)
    assert status["Jumlah"] == (5, 4, 1, 2)
    technicians = board.table("technicians").rows
    assert [(row[0], row[2], row[5]) for row in technicians] == [
        (str(tech), "Siap", f"{on_track.ticket} (Ditugaskan)")
    ]


def test_board_says_when_no_incident_is_active(world, client):
    client.force_login(world.supervisor_a)

    response = client.get(BOARD)

    assert response.context["board"].table("incidents").rows == []
    assert "Tidak ada gangguan aktif di unit Anda." in response.content.decode()


def incident_of(unit, area_code: str, reports: int = 3) -> Incident:
    """An outage incident made by ``reports`` reports of one feeder (threshold 3)."""
    for _ in range(reports):
        factories.open_case(customer=factories.make_customer(unit, area_code=area_code))
    return Incident.objects.get(service_unit=unit, area_code=area_code)


@pytest.fixture
def incident_rules(settings):
    settings.INCIDENT_THRESHOLD = 3
    settings.INCIDENT_WINDOW_MINUTES = 60


def test_board_lists_the_active_incidents_of_their_units_with_reports_and_etr(
    world, client, incident_rules
):
    ours = incident_of(world.unit_a, "JKT-F1", reports=4)
    etr = clock.now() + timedelta(hours=2)
    incident_set_etr(actor=world.actor(world.supervisor_a), incident_id=ours.pk, etr=etr)
    incident_restore(
        actor=world.actor(world.supervisor_a),
        incident_id=incident_of(world.unit_a, "JKT-F2").pk,
    )
    incident_of(world.unit_b, "BAL-F1")  # another unit's
    client.force_login(world.supervisor_a)

    response = client.get(BOARD)

    rows = response.context["board"].table("incidents").rows
    assert [tuple(str(cell) for cell in row) for row in rows] == [
        (
            f"{ours.code} Gangguan penyulang/gardu JKT-F1",
            world.unit_a.name,
            str(IncidentStatus.ACTIVE.label),
            "4",
            "—",
            unit_time(etr, world.unit_a),
        )
    ]
    assert rows[0][0].url == reverse("admin:complaints_incident_change", args=[ours.pk])
    assert ours.code in response.content.decode()
    csv_rows = read_csv(client.get(BOARD, {"format": "csv", "table": "incidents"}))
    assert csv_rows[1][3] == "4"


def test_board_query_count_does_not_grow_with_incidents(world, client, incident_rules):
    incident_of(world.unit_a, "JKT-F1")
    client.force_login(world.supervisor_a)
    before = count_queries(client, BOARD)

    for area in ("JKT-F2", "JKT-F3", "JKT-F4"):
        incident_of(world.unit_a, area, reports=5)

    assert count_queries(client, BOARD) == before
    assert len(client.get(BOARD).context["board"].table("incidents").rows) == 4


def test_board_refreshes_through_a_fragment_of_itself(dataset, client, frozen_now):
    client.force_login(dataset.world.supervisor_a)

    page = client.get(BOARD).content.decode()
    fragment = client.get(BOARD, {"fragment": "1"}).content.decode()

    assert 'data-fragment-url="?fragment=1"' in page
    assert 'http-equiv="refresh"' in page  # the no-JavaScript fallback
    assert "<html" not in fragment
    assert dataset.cases[3].ticket in fragment


# --- CSV ---------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_every_table_on_the_manager_dashboard_downloads_as_csv(dataset, client, frozen_now):
    refresh_rollups(full=True)
    client.force_login(dataset.world.manager)
    page = client.get(MANAGER, RANGE)
    tables = page.context["report"].tables
    html = page.content.decode()

    for table in tables:
        assert f"format=csv&amp;table={table.key}" in html
        response = client.get(MANAGER, {**RANGE, "format": "csv", "table": table.key})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="aduan-dasbor-{table.key}-2026-03-02-2026-03-03.csv"'
        )
        content = read_csv(response)
        assert content[0] == [column.csv_label for column in table.columns]
        assert len(content) == 1 + len(table.rows)


def test_csv_holds_raw_numbers_and_iso_dates(dataset, client, frozen_now):
    refresh_rollups(full=True)
    client.force_login(dataset.world.manager)

    daily = read_csv(client.get(MANAGER, {**RANGE, "format": "csv", "table": "daily"}))
    summary = read_csv(client.get(MANAGER, {**RANGE, "format": "csv", "table": "summary"}))

    assert daily[1] == ["2026-03-02", "2", "1", "1", "4", "2", "50.0"]
    assert ["Median respons pertama (menit)", "22.5"] in summary
    assert ["SLA penyelesaian (%)", "66.7"] in summary


def test_every_board_table_downloads_as_csv(dataset, client, frozen_now):
    client.force_login(dataset.world.supervisor_a)
    board = client.get(BOARD).context["board"]

    for table in board.tables:
        content = read_csv(client.get(BOARD, {"format": "csv", "table": table.key}))
        assert len(content) == 1 + len(table.rows)
    assert client.get(BOARD, {"format": "csv", "table": "nope"}).status_code == 404


# --- Filters and languages -------------------------------------------------------------------


def test_a_reversed_or_too_long_range_falls_back_to_the_last_30_days(world, client, frozen_now):
    client.force_login(world.manager)

    reversed_range = client.get(MANAGER, {"start": "2026-03-03", "end": "2026-03-01"})
    too_long = client.get(MANAGER, {"start": "2024-01-01", "end": "2026-03-01"})

    for response in (reversed_range, too_long):
        report = response.context["report"]
        assert (report.first_day, report.last_day) == (NOW.date() - timedelta(days=29), NOW.date())
        assert response.context["form"].non_field_errors()


def test_the_dashboard_reads_in_english(world, client, frozen_now):
    StaffMember.objects.create(user=world.manager, language="en")
    client.force_login(world.manager)

    html = client.get(MANAGER).content.decode()

    for text in (
        "Manager dashboard",
        "Complaints per day by channel",
        "No survey answers yet",
        "Backlog by age (now)",
        "Download CSV",
    ):
        assert text in html
    assert "Dasbor manajer" not in html


def test_default_range_is_the_last_30_local_days(world, client):
    with clock.travel(NOW.replace(hour=23, minute=30).astimezone(WIB)):
        client.force_login(world.manager)
        report = client.get(MANAGER).context["report"]
    assert (report.first_day, report.last_day) == (D2 - timedelta(days=29), D2)


# --- Query counts ------------------------------------------------------------------------------


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def grow(world, n: int) -> None:
    """More cases on more days, channels and categories, more technicians and units."""
    unit_c = factories.make_unit_tree("SUL")
    for i in range(n):
        make_case(
            [world.unit_a, world.unit_b, unit_c][i % 3],
            created=NOW - timedelta(days=i % 20, hours=i),
            channel=["app", "email", "social"][i % 3],
            category_code=["meter", "token", "bahaya", "tegangan"][i % 4],
            first_response=NOW - timedelta(days=i % 20, hours=i) + timedelta(minutes=7),
            status=CaseStatus.VERIFIED,
        )
        factories.make_technician(world.unit_a)
    factories.make_customer(unit_c)


def test_manager_dashboard_query_count_does_not_grow(dataset, client, frozen_now):
    client.force_login(dataset.world.manager)
    refresh_rollups(full=True)
    before = count_queries(client, MANAGER, RANGE)
    by_unit = count_queries(client, MANAGER, {**RANGE, "by": "unit"})

    grow(dataset.world, 12)
    refresh_rollups(full=True)

    # session, user (with staff language, roles and permissions: staff.backends); units,
    # rollup sums (one GROUPING SETS query), duration histograms, backlog (live), customers
    # per unit, categories, latest rollup run.
    assert before == by_unit == 10
    assert count_queries(client, MANAGER, RANGE) == before
    # The CSV leaves out the admin's app list, whose permissions now come with the user.
    assert count_queries(client, MANAGER, {**RANGE, "format": "csv", "table": "daily"}) == before


def test_board_query_count_does_not_grow(dataset, client, frozen_now):
    client.force_login(dataset.world.supervisor_a)
    before = count_queries(client, BOARD)

    grow(dataset.world, 12)

    # session, user (with staff language, roles and unit ids); units, open-case counts,
    # unassigned, at risk, breached, technician counts, technicians, their current jobs,
    # active incidents (with their report counts).
    assert before == 11
    assert count_queries(client, BOARD) == before
    client.force_login(dataset.world.manager)
    # A manager's units need no query, and neither do a supervisor's any more: both come
    # with the user (staff.backends).
    assert count_queries(client, BOARD) == before


def test_the_dashboard_says_when_its_rollups_are_late(world, client, frozen_now):
    client.force_login(world.manager)
    assert "belum pernah dibuat" in client.get(MANAGER).content.decode()

    run = refresh_rollups(full=True, now=NOW - timedelta(minutes=5))
    assert "periksa Celery beat" not in client.get(MANAGER).content.decode()

    # Beat stopped: the last run is an hour old.
    DashboardRollupRun.objects.filter(pk=run.pk).update(started_at=NOW - timedelta(hours=1))
    assert "periksa Celery beat" in client.get(MANAGER).content.decode()


def test_names_are_escaped_in_tables_and_charts(dataset, client, frozen_now):
    unit = dataset.world.unit_a
    unit.name = '<img src=x onerror="alert(1)">'
    unit.save()
    refresh_rollups(full=True)
    client.force_login(dataset.world.manager)

    html = client.get(MANAGER, RANGE).content.decode()

    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
