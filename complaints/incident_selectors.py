"""Reads of outage incidents, planned outages, storm mode and service-quality figures. Each
function owns its query shape; the console, the bot, the public page and the admin read here.
(``complaints.selectors.outages_for_area`` and ``channels_intake.bot.outages`` delegate here.)"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _

from complaints import clock
from complaints.incidents import storm_state
from complaints.models import (
    ACTIVE_INCIDENT_STATES,
    Case,
    Incident,
    IncidentEvent,
    IncidentKind,
    PlannedOutage,
    StormSwitch,
)
from staff.access import scope_to_units
from staff.models import ServiceUnit
from staff.unit_tree import ids_at_and_above

# Planned outages shown ahead of time: the public page, the bot, the console.
PLANNED_AHEAD = timedelta(days=14)
BOT_PLANNED_AHEAD = timedelta(days=3)
CONSOLE_PLANNED_AHEAD = timedelta(days=1)
INCIDENT_CASES_LIMIT = 200
BOARD_INCIDENTS_LIMIT = 20


def local_time(moment: datetime | None, unit: ServiceUnit) -> str:
    if moment is None:
        return ""
    return f"{formats.date_format(moment.astimezone(unit.tz), 'j M Y H:i')} {unit.tz_label}"


def incident_public_title(incident: Incident) -> str:
    """What a customer or an agent reads about an incident (no personal data)."""
    if incident.title:
        return incident.title
    if incident.area_code:
        return _("Gangguan penyulang/gardu %(area)s") % {"area": incident.area_code}
    return _("Gangguan di sekitar lokasi laporan")


# --- The console and the bot -------------------------------------------------------------


@dataclass(frozen=True)
class AreaOutageRow:
    kind: str  # "incident" or "planned"
    title: str
    starts_at: datetime | None
    ends_at: datetime | None  # planned end, or the incident's ETR
    incident_id: int | None = None
    code: str = ""
    status: str = ""
    status_label: str = ""
    reports: int = 0
    etr_text: str = ""  # the ETR as the agent reads it out, in the unit's time


def _area_incidents(unit_ids: list[int], area_code: str) -> QuerySet[Incident]:
    incidents = Incident.objects.filter(
        service_unit_id__in=unit_ids, status__in=ACTIVE_INCIDENT_STATES, kind=IncidentKind.FAULT
    )
    if area_code:
        # Its feeder's incidents, and the location-grouped ones (no feeder code) of the unit.
        incidents = incidents.filter(Q(area_code=area_code) | Q(area_code=""))
    return incidents


def _area_planned(
    unit_ids: list[int], area_code: str, at: datetime, ahead: timedelta
) -> QuerySet[PlannedOutage]:
    area = Q(area_codes=[]) | (Q(area_codes__contains=[area_code]) if area_code else Q())
    return PlannedOutage.objects.filter(
        area,
        service_unit_id__in=unit_ids,
        cancelled=False,
        ends_at__gt=at,
        starts_at__lte=at + ahead,
    ).order_by("starts_at", "pk")


def area_outages(
    *,
    service_unit_id: int,
    area_code: str = "",
    at: datetime | None = None,
    unit: ServiceUnit | None = None,
) -> list[AreaOutageRow]:
    """Active incidents and planned outages (now, or starting within a day) for a customer's
    unit and feeder, incidents first. Two queries: incidents with their report counts, planned
    outages (plus the unit when the caller has not loaded it; its ancestors come from the
    cached unit tree)."""
    at = at or clock.now()
    if unit is None or unit.pk != service_unit_id:
        unit = ServiceUnit.objects.filter(pk=service_unit_id).first()
    if unit is None:
        return []
    unit_ids = ids_at_and_above(unit.path)
    rows = []
    incidents = (
        _area_incidents(unit_ids, area_code)
        .annotate(reports=Count("cases"))
        .order_by("-started_at", "-pk")[:10]
    )
    for incident in incidents:
        etr_text = local_time(incident.etr, unit)
        title = incident_public_title(incident)
        rows.append(
            AreaOutageRow(
                kind="incident",
                title=f"{incident.code} · {incident.get_status_display()} · {title}"
                + (f" · {_('perkiraan menyala')} {etr_text}" if etr_text else ""),
                starts_at=incident.started_at,
                ends_at=incident.etr,
                incident_id=incident.pk,
                code=incident.code,
                status=incident.status,
                status_label=incident.get_status_display(),
                reports=incident.reports,
                etr_text=etr_text,
            )
        )
    for planned in _area_planned(unit_ids, area_code, at, CONSOLE_PLANNED_AHEAD):
        rows.append(
            AreaOutageRow(
                kind="planned",
                title=_("Pemadaman terencana %(start)s sampai %(end)s: %(reason)s")
                % {
                    "start": local_time(planned.starts_at, unit),
                    "end": local_time(planned.ends_at, unit),
                    "reason": planned.reason,
                },
                starts_at=planned.starts_at,
                ends_at=planned.ends_at,
                etr_text=local_time(planned.ends_at, unit),
            )
        )
    return rows


@dataclass(frozen=True)
class CustomerOutage:
    kind: str  # "planned" or "incident"
    description: str
    starts_at: datetime | None
    ends_at: datetime | None


def customer_outages(*, unit: ServiceUnit, area_code: str, at: datetime) -> list[CustomerOutage]:
    """For the bot's "informasi pemadaman": planned outages now or within three days, and the
    active incidents of the customer's feeder, soonest first."""
    unit_ids = ids_at_and_above(unit.path)
    notices = [
        CustomerOutage(
            kind="planned",
            description=" — ".join(p for p in (planned.reason, planned.areas_text) if p),
            starts_at=planned.starts_at,
            ends_at=planned.ends_at,
        )
        for planned in _area_planned(unit_ids, area_code, at, BOT_PLANNED_AHEAD)
    ]
    incidents = _area_incidents(unit_ids, area_code)
    if not area_code:
        incidents = incidents.none()
    notices += [
        CustomerOutage(
            kind="incident",
            description=incident_public_title(incident),
            starts_at=incident.started_at,
            ends_at=incident.etr,
        )
        for incident in incidents.order_by("started_at", "pk")[:5]
    ]
    return sorted(notices, key=lambda n: n.starts_at or at)


# --- The public page and the API -----------------------------------------------------------


def public_planned_outages(
    *, at: datetime | None = None, unit_id: int | None = None, ahead: timedelta = PLANNED_AHEAD
) -> list[PlannedOutage]:
    """Planned outages going on or starting within ``ahead``, soonest first, with their unit
    (also for the API's list). Served by the partial index on (ends_at, unit)."""
    at = at or clock.now()
    planned = PlannedOutage.objects.filter(
        cancelled=False, ends_at__gt=at, starts_at__lte=at + ahead
    ).select_related("service_unit")
    if unit_id is not None:
        unit = ServiceUnit.objects.filter(pk=unit_id).first()
        if unit is None:
            return []
        below = Q(service_unit__path=unit.path) | Q(service_unit__path__startswith=unit.path + "/")
        planned = planned.filter(below | Q(service_unit_id__in=ids_at_and_above(unit.path)))
    return list(planned.order_by("starts_at", "pk")[:500])


def public_active_incidents(*, unit_id: int | None = None) -> list[Incident]:
    incidents = Incident.objects.filter(
        status__in=ACTIVE_INCIDENT_STATES, kind=IncidentKind.FAULT
    ).select_related("service_unit")
    if unit_id is not None:
        incidents = incidents.filter(service_unit_id=unit_id)
    return list(incidents.order_by("-started_at", "-pk")[:200])


def active_incidents_in(
    *, unit_ids: Iterable[int] | None, limit: int = BOARD_INCIDENTS_LIMIT
) -> list[Incident]:
    """Active incidents (faults and planned outages that have reports) of these units (None:
    every unit), the most recent outage first, each with ``reports``: its linked cases. One
    query over index incident_status (status, service_unit, -started_at); the count is a
    correlated subquery on the cases' incident index, evaluated for the rows shown only."""
    reports = (
        Case.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    incidents = (
        Incident.objects.filter(status__in=ACTIVE_INCIDENT_STATES)
        .select_related("service_unit", "crew__user")
        .annotate(reports=Coalesce(Subquery(reports), 0))
    )
    if unit_ids is not None:
        incidents = incidents.filter(service_unit_id__in=sorted(unit_ids))
    return list(incidents.order_by("-started_at", "-pk")[:limit])


def public_units() -> list[ServiceUnit]:
    """Units offered in the public page's filter."""
    return list(ServiceUnit.objects.order_by("path").only("pk", "code", "name", "path"))


# --- Staff pages ---------------------------------------------------------------------------


def incidents_for(user) -> QuerySet[Incident]:
    """Incidents of the user's units (all for managers)."""
    return scope_to_units(user, Incident.objects.all())


def incident_for(user, incident_id) -> Incident:
    """The incident if ``user`` may see it; Http404 otherwise (as staff.access.case_for)."""
    try:
        incident_id = int(incident_id)
    except (TypeError, ValueError):
        raise Http404 from None
    incident = (
        incidents_for(user)
        .select_related("service_unit", "crew__user", "planned_outage", "merged_into")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise Http404
    return incident


def incident_cases(incident: Incident, *, limit: int = INCIDENT_CASES_LIMIT) -> list[Case]:
    return list(
        incident.cases.select_related("customer", "category").order_by("created_at", "pk")[:limit]
    )


def incident_case_counts(incident: Incident) -> dict[str, int]:
    counts = incident.cases.values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in counts}


def incident_timeline(incident: Incident) -> list[IncidentEvent]:
    return list(incident.events.select_related("actor").order_by("-created_at", "-id"))


def storm_switches_for(user, *, limit: int = 50) -> list[StormSwitch]:
    switches = scope_to_units(user, StormSwitch.objects.select_related("service_unit", "actor"))
    return list(switches.order_by("-created_at", "-id")[:limit])


def storm_units_for(user) -> list[tuple[ServiceUnit, StormSwitch | None]]:
    """The user's units with the switch that has each in storm mode (None: normal)."""
    units = scope_to_units(user, ServiceUnit.objects.order_by("path"), "pk")
    return [(unit, storm_state(unit)) for unit in units[:200]]
