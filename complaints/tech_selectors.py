"""Reads of the technician API (/api/v1/tech/): a technician's jobs (the cases booked to them
and the outage incidents they are the crew of), and the permission-checked fetches of one job.

A job that is not the technician's does not exist for them (404), as a case outside an agent's
units does (staff.access); the one exception is a job that *was* theirs and was handed to
someone else: its holder already knows the ticket, and "no longer yours" (403) tells them why
the app's cached job stopped working."""

import base64
import binascii
import re
from dataclasses import dataclass

from django.db.models import CharField, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from complaints.errors import NotAllowed
from complaints.models import (
    ACTIVE_INCIDENT_STATES,
    Case,
    CaseEvent,
    ContactKind,
    CustomerContact,
    EventKind,
    Incident,
    IncidentEventKind,
)
from complaints.tickets import normalize_ticket_number
from complaints.workflow import TECHNICIAN_STATES, CaseStatus, transitions_from
from staff.models import Technician
from staff.roles import Role, roles_of

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
PHONE_KINDS = (ContactKind.PHONE, ContactKind.WHATSAPP)
JOB_REASSIGNED = _("Tugas %(ticket)s sudah dialihkan ke teknisi lain.")
NOT_CREW_ANY_MORE = _("Gangguan %(code)s sudah ditangani regu lain.")


class Action:
    """What a technician can do to a job; the path segment of its endpoint."""

    ACCEPT = "accept"
    ON_THE_WAY = "on-the-way"
    ON_SITE = "on-site"
    RESOLVE = "resolve"
    ETR = "etr"
    PARTIAL = "partial"
    RESTORE = "restore"


CASE_ACTIONS = (Action.ACCEPT, Action.ON_THE_WAY, Action.ON_SITE, Action.RESOLVE)
INCIDENT_ACTIONS = (Action.ETR, Action.PARTIAL, Action.RESTORE)
# The workflow moves the technician API offers, by their target (complaints.workflow).
ACTION_TARGETS = {
    CaseStatus.DISPATCHED: Action.ON_THE_WAY,
    CaseStatus.ON_SITE: Action.ON_SITE,
    CaseStatus.RESOLVED: Action.RESOLVE,
}
TECHNICIAN_ROLES = frozenset({Role.TECHNICIAN})


# --- Who is asking ---------------------------------------------------------------------------


def technician_of(user) -> Technician | None:
    """The technician profile of a user with the technician role (one query, cached on the
    user object for the request); None for anyone else."""
    if Role.TECHNICIAN not in roles_of(user):
        return None
    if not hasattr(user, "_aduan_technician"):
        user._aduan_technician = (
            Technician.objects.select_related("user").filter(user_id=user.pk).first()
        )
    return user._aduan_technician


# --- Acceptance ------------------------------------------------------------------------------


def with_acceptance(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``accepted_at``: when the case's technician accepted their current assignment (None if
    not yet). An acceptance counts only after the latest assignment to anyone (a handover or a
    new assignment after a reopening asks again). Two correlated subqueries on the
    case_event_timeline index, in the same query."""
    assignments = (
        CaseEvent.objects.filter(case=OuterRef("pk"))
        .filter(
            Q(kind=EventKind.STATUS_CHANGED, to_status=CaseStatus.ASSIGNED)
            | (Q(kind=EventKind.ASSIGNED) & ~Q(data__has_key="accepted"))
        )
        .order_by("-id")
        .values("id")[:1]
    )
    acceptances = (
        CaseEvent.objects.annotate(accepted_by=KT("data__technician"))
        .filter(
            case=OuterRef("pk"),
            kind=EventKind.ASSIGNED,
            data__accepted=True,
            # Compared as text: the JSON number against the row's column.
            accepted_by=Cast(OuterRef("technician_id"), output_field=CharField()),
            id__gt=OuterRef("last_assignment_id"),
        )
        .order_by("-id")
        .values("created_at")[:1]
    )
    return cases.annotate(last_assignment_id=Coalesce(Subquery(assignments), Value(0))).annotate(
        accepted_at=Subquery(acceptances)
    )


def case_actions(case: Case) -> list[str]:
    """The technician API's actions on ``case`` now (needs ``accepted_at``)."""
    actions = []
    if case.status == CaseStatus.ASSIGNED and case.accepted_at is None:
        actions.append(Action.ACCEPT)
    for transition in transitions_from(case.status, TECHNICIAN_ROLES):
        if transition.target in ACTION_TARGETS:
            actions.append(ACTION_TARGETS[transition.target])
    return actions


def technician_moves(status: str) -> list:
    """The workflow moves out of ``status`` that the technician API offers (what a refused
    move lists as allowed)."""
    return [t for t in transitions_from(status, TECHNICIAN_ROLES) if t.target in ACTION_TARGETS]


def incident_actions(incident: Incident) -> list[str]:
    return list(INCIDENT_ACTIONS) if incident.is_active else []


# --- The jobs list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class JobCursor:
    """A position in the jobs list: incidents first (by id), then cases by priority and id."""

    kind: str  # "i" or "c"
    id: int
    priority: int = 0

    def encode(self) -> str:
        raw = f"{self.kind}.{self.priority}.{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "JobCursor | None":
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        match = re.fullmatch(r"([ic])\.([0-9]{1,2})\.([0-9]{1,18})", raw)
        if match is None:
            return None
        return cls(kind=match[1], priority=int(match[2]), id=int(match[3]))


@dataclass(frozen=True)
class JobsPage:
    incidents: list[Incident]
    cases: list[Case]
    next_cursor: str | None


def _crew_incidents(technician: Technician) -> QuerySet[Incident]:
    return Incident.objects.filter(crew=technician, status__in=ACTIVE_INCIDENT_STATES)


def _job_cases(technician: Technician) -> QuerySet[Case]:
    return Case.objects.filter(technician=technician, status__in=sorted(TECHNICIAN_STATES))


def _with_job_details(cases: QuerySet[Case]) -> QuerySet[Case]:
    phones = CustomerContact.objects.filter(kind__in=PHONE_KINDS).order_by("pk")
    return with_acceptance(
        cases.select_related("category", "customer", "incident").prefetch_related(
            Prefetch("customer__contacts", queryset=phones, to_attr="phones")
        )
    )


def jobs_page(
    technician: Technician, *, after: JobCursor | None = None, limit: int = PAGE_SIZE
) -> JobsPage:
    """One page of the technician's open jobs: the active incidents they are the crew of (the
    widest outages first come first, by id), then their cases, most urgent first (priority,
    then id). Keyset pages, no COUNT. Queries: the incidents with their report counts, the
    cases with category, customer and incident joined and their acceptance, the customers'
    phone contacts (only when a page has cases with customers)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    incidents: list[Incident] = []
    if after is None or after.kind == "i":
        rows = _crew_incidents(technician).annotate(reports=Count("cases"))
        if after is not None:
            rows = rows.filter(pk__gt=after.id)
        incidents = list(rows.order_by("pk")[: limit + 1])
        if len(incidents) > limit:
            incidents = incidents[:limit]
            return JobsPage(incidents, [], JobCursor("i", incidents[-1].pk).encode())
    room = limit - len(incidents)
    rows = _job_cases(technician)
    if after is not None and after.kind == "c":
        rows = rows.filter(
            Q(priority__gt=after.priority) | Q(priority=after.priority, pk__gt=after.id)
        )
    cases = list(_with_job_details(rows).order_by("priority", "pk")[: room + 1])
    more = len(cases) > room
    cases = cases[:room]
    next_cursor = None
    if more:
        last = (
            JobCursor("c", cases[-1].pk, cases[-1].priority)
            if cases
            else JobCursor("i", incidents[-1].pk)
        )
        next_cursor = last.encode()
    return JobsPage(incidents, cases, next_cursor)


# --- One job ---------------------------------------------------------------------------------


def job_case_for(technician: Technician, ticket: str) -> Case:
    """The case ``ticket`` if it is booked to ``technician`` (in any status: a resolved job
    still answers); Http404 otherwise, NotAllowed (403) when it was theirs before."""
    normalized = normalize_ticket_number(ticket or "")
    if normalized is None:
        raise Http404
    case = _with_job_details(Case.objects.filter(ticket=normalized, technician=technician)).first()
    if case is not None:
        return case
    was_theirs = CaseEvent.objects.filter(
        Q(kind=EventKind.ASSIGNED)
        | Q(kind=EventKind.STATUS_CHANGED, to_status=CaseStatus.ASSIGNED),
        case__ticket=normalized,
        data__technician=technician.pk,
    ).exists()
    if was_theirs:
        raise NotAllowed(JOB_REASSIGNED, ticket=normalized)
    raise Http404


def crew_incident_for(technician: Technician, incident_id) -> Incident:
    """The incident if ``technician`` is its crew (in any status); Http404 otherwise,
    NotAllowed (403) when they were its crew before."""
    try:
        incident_id = int(incident_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < incident_id < 2**63:
        raise Http404
    incident = (
        Incident.objects.filter(pk=incident_id, crew=technician)
        .annotate(reports=Count("cases"))
        .first()
    )
    if incident is not None:
        return incident
    was_crew = Incident.objects.filter(
        pk=incident_id,
        events__kind=IncidentEventKind.CREW_ASSIGNED,
        events__data__technician=technician.pk,
    ).exists()
    if was_crew:
        raise NotAllowed(NOT_CREW_ANY_MORE, code=f"GGN-{incident_id:06d}")
    raise Http404


def customer_phone(case: Case) -> str:
    """A number the technician can call: the reporter's, when they gave a phone or WhatsApp
    number, else the customer's first one."""
    if case.reporter_contact_kind in PHONE_KINDS and case.reporter_contact:
        return case.reporter_contact
    phones = getattr(case.customer, "phones", None) if case.customer_id else None
    return phones[0].value if phones else ""
