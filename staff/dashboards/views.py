"""The admin's landing page by role, the supervisor board and the manager dashboard.

All three are wrapped in ``admin.site.admin_view`` (login, staff, no caching) by
staff.dashboards.urls. Supervisors and managers (and superusers) see the dashboards; anyone
else gets 403. A supervisor sees exactly their units (staff.access); a manager every unit."""

import re
from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from complaints import clock
from staff.access import unit_ids_for
from staff.dashboards import reports, selectors
from staff.dashboards.forms import PRESETS, DashboardFilterForm, UnitFilterForm
from staff.dashboards.reports import ManagerReport, SupervisorBoard
from staff.dashboards.tables import Table, csv_response
from staff.roles import Role, roles_of

DASHBOARD_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER})
# The board reloads its content this often (seconds), in place.
BOARD_REFRESH_SECONDS = 60
ROLLUP_EVERY_MINUTES = 5  # the beat schedule in config/celery.py
SHOW_APPS = "apps"  # /admin/?apps: the plain app list, for every role


def may_see_dashboards(user) -> bool:
    return user.is_superuser or bool(roles_of(user) & DASHBOARD_ROLES)


def _require_dashboard_user(request: HttpRequest) -> None:
    if not may_see_dashboards(request.user):
        raise PermissionDenied


def admin_landing(request: HttpRequest) -> HttpResponse:
    """/admin/: managers land on their dashboard, supervisors on their board, everyone else
    (agents, superusers) on the admin's app list, which stays at /admin/?apps for all."""
    user = request.user
    if SHOW_APPS not in request.GET and not user.is_superuser:
        roles = roles_of(user)
        if Role.MANAGER in roles:
            return HttpResponseRedirect(reverse("dashboards:manager"))
        if Role.SUPERVISOR in roles:
            return HttpResponseRedirect(reverse("dashboards:board"))
    return admin.site.index(request, extra_context={"dashboard_links": dashboard_links(user)})


def dashboard_links(user) -> list[tuple[str, str]]:
    if not may_see_dashboards(user):
        return []
    return [
        (_("Papan supervisor"), reverse("dashboards:board")),
        (_("Dasbor manajer"), reverse("dashboards:manager")),
    ]


def _context(request: HttpRequest, **extra) -> dict:
    return {
        **admin.site.each_context(request),
        "dashboard_links": dashboard_links(request.user),
        "apps_url": f"{reverse('admin:index')}?{SHOW_APPS}",
        **extra,
    }


def _csv(request: HttpRequest, tables: list[Table], *, page: str, suffix: str) -> HttpResponse:
    table = next((t for t in tables if t.key == request.GET.get("table")), None)
    if table is None:
        raise Http404
    # Unit codes are free text: keep the header's filename to safe ASCII.
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", f"aduan-{page}-{table.key}{suffix}")
    return csv_response(table, filename=f"{name}.csv")


def _base_query(request: HttpRequest) -> str:
    """The page's filters, for links that add to them (CSV, refresh)."""
    params = request.GET.copy()
    for key in ("format", "table", "fragment"):
        params.pop(key, None)
    return params.urlencode()


def supervisor_board(request: HttpRequest) -> HttpResponse:
    _require_dashboard_user(request)
    tree = selectors.unit_tree()
    form = UnitFilterForm(request.GET, tree=tree, allowed=unit_ids_for(request.user))
    root = form.root()
    board: SupervisorBoard = reports.supervisor_board(
        unit_ids=form.unit_ids(), root=root, now=clock.now()
    )
    if request.GET.get("format") == "csv":
        return _csv(request, board.tables, page="papan", suffix=f"-{root.code}" if root else "")
    context = _context(
        request,
        title=_("Papan supervisor"),
        form=form,
        board=board,
        root=root,
        refresh_seconds=BOARD_REFRESH_SECONDS,
        query=_base_query(request),
    )
    template = (
        "dashboards/board_content.html" if request.GET.get("fragment") else "dashboards/board.html"
    )
    return render(request, template, context)


def manager_dashboard(request: HttpRequest) -> HttpResponse:
    _require_dashboard_user(request)
    tree = selectors.unit_tree()
    allowed = unit_ids_for(request.user)
    form = DashboardFilterForm(request.GET, tree=tree, allowed=allowed)
    first_day, last_day, by = form.window()
    root = form.root()
    report: ManagerReport = reports.manager_report(
        first_day=first_day,
        last_day=last_day,
        unit_ids=form.unit_ids(),
        allowed=allowed,
        root=root,
        tree=tree,
        by=by,
        now=clock.now(),
    )
    if request.GET.get("format") == "csv":
        unit = f"-{root.code}" if root else ""
        return _csv(
            request,
            report.tables,
            page="dasbor",
            suffix=f"{unit}-{first_day.isoformat()}-{last_day.isoformat()}",
        )
    presets = []
    for days in PRESETS:
        params = request.GET.copy()
        params.pop("start", None)
        params.pop("end", None)
        params["start"] = (form.today() - timedelta(days=days - 1)).isoformat()
        params["end"] = form.today().isoformat()
        presets.append((_("%(n)s hari") % {"n": days}, params.urlencode()))
    context = _context(
        request,
        title=_("Dasbor manajer"),
        form=form,
        report=report,
        root=root,
        presets=presets,
        query=_base_query(request),
        rollup_every=ROLLUP_EVERY_MINUTES,
    )
    return render(request, "dashboards/manager.html", context)
