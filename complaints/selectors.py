"""Reads. Each function owns the shape of its query (joins, limits, indexes it relies on)."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Lookup,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from complaints import clock
from complaints.identifiers import ID_PELANGGAN_LENGTH, METER_NUMBER_LENGTH, normalize_phone
from complaints.models import Case, CaseEvent, Category, Customer, CustomerContact
from complaints.tickets import normalize_ticket_number
from complaints.workflow import OPEN_STATES, PAUSED_STATES
from staff.access import scope_to_units
from staff.models import ServiceUnit, Technician

CUSTOMER_SEARCH_LIMIT = 10
# Numbers shorter than this match too many customers to be useful while typing.
MIN_NUMBER_PREFIX = 4
MIN_NAME_FRAGMENT = 3
_NUMBER = re.compile(r"^\+?[0-9][0-9\s.\-]*$")


class SlaState:
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    DONE = "done"


SLA_LABELS = {
    SlaState.ON_TRACK: _("Sesuai target"),
    SlaState.AT_RISK: _("Berisiko"),
    SlaState.BREACHED: _("Terlampaui"),
    SlaState.PAUSED: _("Dijeda"),
    SlaState.DONE: _("Selesai"),
}


def customers_for(user) -> QuerySet[Customer]:
    return scope_to_units(user, Customer.objects.all())


def customer_for(user, customer_id) -> Customer:
    """The customer if ``user`` may see them (their unit is the user's); Http404 otherwise."""
    try:
        customer_id = int(customer_id)
    except (TypeError, ValueError):
        raise Http404 from None
    customer = (
        customers_for(user)
        .select_related("service_unit")
        .prefetch_related("contacts")
        .filter(pk=customer_id)
        .first()
    )
    if customer is None:
        raise Http404
    return customer


def active_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True).order_by("sort_order", "code")


def customer_search(*, user, query: str, limit: int = CUSTOMER_SEARCH_LIMIT) -> list[Customer]:
    """Customers an agent is looking for while the caller waits: by ID pelanggan or meter
    number prefix, by phone number, or by part of the name. Every branch is served by an index
    (pattern-ops B-tree prefixes, exact contact value, trigram on UPPER(name))."""
    query = query.strip()
    customers = customers_for(user).select_related("service_unit")
    if _NUMBER.match(query):
        digits = re.sub(r"[^0-9]", "", query)
        if len(digits) < MIN_NUMBER_PREFIX:
            return []
        # One branch per index, each already in order and limited, then merged: with an OR,
        # ORDER BY id_pelanggan LIMIT walks the whole customer table in that order looking
        # for matches (3.7 s at 1M customers; bench/RESULTS.md).
        branches = [
            customers.filter(_number_prefix("id_pelanggan", digits)),
            customers.filter(_number_prefix("meter_number", digits)),
        ]
        phone = _as_phone(query)
        if phone:
            branches.append(
                customers.filter(
                    pk__in=CustomerContact.objects.filter(value=phone).values("customer_id")
                )
            )
        limited = [branch.order_by("id_pelanggan")[:limit] for branch in branches]
        return list(limited[0].union(*limited[1:]).order_by("id_pelanggan")[:limit])
    if len(query) < MIN_NAME_FRAGMENT:
        return []
    return list(customers.filter(name__icontains=query).order_by("name", "pk")[:limit])


def _number_prefix(field: str, digits: str) -> Q:
    """``field`` starts with ``digits``, written as a range of the field's own order: the
    fields hold digits only (check constraints), so "510040" ≤ value < "510041" is the
    prefix, and a branch sorted by the field and limited walks its unique index from the
    prefix on. With LIKE the planner guessed a handful of matches: it walked that index from
    its first entry (93,741 customers read to reach "510040" at 1M), or, given the range
    too, read and sorted all 7,899 matches (12 ms at 10M)."""
    prefix = Q(**{f"{field}__gte": digits})
    if digits.strip("9"):  # all nines has no next prefix; nothing sorts after it anyway
        prefix &= Q(**{f"{field}__lt": str(int(digits) + 1).zfill(len(digits))})
    return prefix


def _as_phone(text: str) -> str | None:
    try:
        return normalize_phone(text)
    except ValidationError:
        return None


def open_cases_of_customer(customer: Customer, *, limit: int = 20) -> list[Case]:
    return list(
        customer.cases.filter(status__in=OPEN_STATES)
        .select_related("category")
        .order_by("-created_at")[:limit]
    )


def open_case_of_same_category(customer: Customer | None, category_id: int) -> Case | None:
    """The duplicate an agent should add a note to instead of opening a second case."""
    if customer is None:
        return None
    return (
        customer.cases.filter(status__in=OPEN_STATES, category_id=category_id)
        .order_by("-created_at")
        .first()
    )


@dataclass(frozen=True)
class AreaOutage:
    kind: str  # "incident" or "planned"
    title: str
    starts_at: datetime | None
    ends_at: datetime | None  # planned end, or the incident's ETR
    # --- Issue 6: what the console needs to link a caller in one click and read the ETR ---
    incident_id: int | None = None
    code: str = ""
    status_label: str = ""
    reports: int = 0
    etr_text: str = ""  # the ETR in the unit's time ("5 Mar 2026 14:30 WIB")


def outages_for_area(
    *, service_unit_id: int, area_code: str = "", unit: ServiceUnit | None = None
) -> list[AreaOutage]:
    """Active outage incidents and planned outages (now or within a day) affecting a
    customer's area: complaints.incident_selectors.area_outages owns the query. ``unit``: the
    service unit if the caller has it loaded already (one query less)."""
    from complaints.incident_selectors import area_outages

    return [
        AreaOutage(
            kind=row.kind,
            title=row.title,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            incident_id=row.incident_id,
            code=row.code,
            status_label=row.status_label,
            reports=row.reports,
            etr_text=row.etr_text,
        )
        for row in area_outages(service_unit_id=service_unit_id, area_code=area_code, unit=unit)
    ]


def case_timeline(case: Case) -> list[CaseEvent]:
    return list(case.events.select_related("actor").order_by("-created_at", "-id"))


def sla_state(case: Case, *, now: datetime | None = None) -> str:
    """Where the case stands against its resolution target."""
    if case.status not in OPEN_STATES:
        return SlaState.DONE
    if case.status in PAUSED_STATES:
        return SlaState.PAUSED
    now = now or clock.now()
    due = case.resolution_due_at
    if due is None:
        return SlaState.ON_TRACK
    if now >= due:
        return SlaState.BREACHED
    if now >= case.created_at + (due - case.created_at) * 0.8:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK


# --- Case list filters: the console's changelist and the API list share these queries. ------


def _at_risk_moment() -> ExpressionWrapper:
    # Past created + this share of the time allowed, a running case is "at risk" (sla_state).
    allowed = ExpressionWrapper(
        F("resolution_due_at") - F("created_at"), output_field=DurationField()
    )
    return ExpressionWrapper(
        F("created_at") + allowed * settings.SLA_AT_RISK_FRACTION, output_field=DateTimeField()
    )


def filter_cases_by_sla(
    cases: QuerySet[Case], state: str, *, now: datetime | None = None
) -> QuerySet[Case]:
    """Cases in one SLA state (the values of ``SlaState``; anything else matches nothing).
    The same rule as ``sla_state``, as a query on indexed columns."""
    now = now or clock.now()
    running = cases.filter(status__in=sorted(OPEN_STATES - PAUSED_STATES))
    if state == SlaState.BREACHED:
        return running.filter(resolution_due_at__lte=now)
    if state == SlaState.AT_RISK:
        return running.alias(at_risk=_at_risk_moment()).filter(
            resolution_due_at__gt=now, at_risk__lte=now
        )
    if state == SlaState.ON_TRACK:
        return running.alias(at_risk=_at_risk_moment()).filter(
            Q(at_risk__gt=now) | Q(resolution_due_at__isnull=True)
        )
    if state == SlaState.PAUSED:
        return cases.filter(status__in=sorted(PAUSED_STATES))
    if state == SlaState.DONE:
        return cases.exclude(status__in=sorted(OPEN_STATES))
    return cases.none()


def filter_cases_by_unit(cases: QuerySet[Case], unit_id: int) -> QuerySet[Case]:
    """Cases of a unit and every unit below it (a region or UP3 selects its offices)."""
    unit = ServiceUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        return cases.none()
    below = ServiceUnit.objects.filter(Q(pk=unit.pk) | Q(path__startswith=unit.path + "/")).values(
        "pk"
    )
    return cases.filter(service_unit_id__in=below)


def service_units_for(user) -> QuerySet[ServiceUnit]:
    """The units whose cases ``user`` may see (their memberships and everything below)."""
    return scope_to_units(user, ServiceUnit.objects.all(), "pk")


def technicians_for(user) -> QuerySet[Technician]:
    """Technicians of the units ``user`` may see."""
    return scope_to_units(user, Technician.objects.all())


def technician_for_case(case: Case, technician_id: int) -> Technician | None:
    """The technician if they may take ``case`` (its unit, the category's skill), else None:
    the same rule as ``technicians_for_case``, for one technician."""
    technicians = Technician.objects.filter(pk=technician_id, service_unit_id=case.service_unit_id)
    if case.category.skill:
        technicians = technicians.filter(skills__contains=[case.category.skill])
    return technicians.select_related("user").first()


def technicians_for_case(case: Case, *, query: str = "", limit: int = 20) -> list[Technician]:
    """Technicians who may take this case: its service unit, with the category's skill."""
    technicians = Technician.objects.filter(service_unit_id=case.service_unit_id).select_related(
        "user", "service_unit"
    )
    if case.category.skill:
        technicians = technicians.filter(skills__contains=[case.category.skill])
    if query:
        technicians = technicians.filter(
            Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
            | Q(user__username__icontains=query)
        )
    return list(technicians.order_by("-on_shift", "open_jobs", "user__username")[:limit])


def case_by_ticket(*, user, text: str) -> Case | None:
    """A case the user may see, by a ticket number as typed."""
    ticket = normalize_ticket_number(text)
    if ticket is None:
        return None
    return scope_to_units(user, Case.objects.filter(ticket=ticket)).first()


def search_cases(cases: QuerySet[Case], term: str) -> QuerySet[Case]:
    """The console's search box. The shape of the term picks the indexed lookups: a ticket, a
    12-digit ID pelanggan, an 11-digit meter number, a phone number, a number prefix, or
    part of a name (the case's own names column, below); several numbers' lookups are
    combined as a UNION."""
    term = term.strip()
    if not term:
        return cases
    ticket = normalize_ticket_number(term)
    if ticket is not None:
        return cases.filter(ticket=ticket)
    if _NUMBER.match(term):
        digits = re.sub(r"[^0-9]", "", term)
        if len(digits) < MIN_NUMBER_PREFIX:
            return cases.none()
        phone = _as_phone(term) if digits.startswith(("0", "62")) else None
        if len(digits) == ID_PELANGGAN_LENGTH:
            customers = Customer.objects.filter(id_pelanggan=digits)
        elif len(digits) == METER_NUMBER_LENGTH and not phone:
            customers = Customer.objects.filter(meter_number=digits)
        else:
            customers = Customer.objects.filter(
                Q(id_pelanggan__startswith=digits) | Q(meter_number__startswith=digits)
            )
        matches = [Q(customer_id__in=customers.values("pk"))]
        if phone:
            matches += [
                Q(
                    customer_id__in=CustomerContact.objects.filter(value=phone).values(
                        "customer_id"
                    )
                ),
                Q(reporter_contact=phone),
            ]
        return _matching_any(cases, matches)
    if not is_name_search(term):
        return cases.none()
    # Case.search_name holds the customer's and the reporter's names, upper-cased, kept by
    # the database (migration 0019). A LIKE on it lets the planner choose per list: a common
    # fragment walks the list's own index (newest first, or the open queue by due time) and
    # stops at the 25th match; a rarer one looks the fragment up in the column's trigram
    # index (one over open cases, one over all) and sorts the matches.
    return cases.filter(_ContainsUpper(F("search_name"), term))


def is_name_search(term: str) -> bool:
    """Whether the console's search boxes (search_cases, the customer list) look ``term`` up
    as part of a name: the one search whose matches can run into tens of thousands of rows,
    too many to count for every page."""
    term = term.strip()
    return (
        len(term) >= MIN_NAME_FRAGMENT
        # A name has no line break; Case.search_name has one between its two names.
        and "\n" not in term
        and normalize_ticket_number(term) is None
        and not _NUMBER.match(term)
    )


class _ContainsUpper(Lookup):
    """``column LIKE upper('%fragment%')`` for a column that holds upper-cased text: the
    fragment upper-cased by PostgreSQL, as the column was (Python's str.upper differs for some
    letters), and its ``%`` and ``_`` taken as characters. A constant pattern, so the
    column's trigram indexes can serve it."""

    lookup_name = "contains_upper"
    prepare_rhs = False

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        pattern = f"%{connection.ops.prep_for_like_query(self.rhs)}%"
        return f"{lhs} LIKE upper(%s)", [*lhs_params, pattern]


def _matching_any(cases: QuerySet[Case], conditions: list[Q]) -> QuerySet[Case]:
    """Cases matching any of ``conditions``, as a UNION of one query per condition. An OR of
    conditions on different tables (or of subqueries) can use none of their indexes and reads
    the whole case table; each branch alone is one index lookup, and keeps the list's filters
    (the open queue, the user's units) so it can use them too."""
    if len(conditions) == 1:
        return cases.filter(conditions[0])
    base = cases.order_by()
    branches = [base.filter(condition).values("pk") for condition in conditions]
    return cases.filter(pk__in=branches[0].union(*branches[1:]))
