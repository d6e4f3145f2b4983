"""Walk a case to a given status through the services, the way staff would."""

from complaints.models import Case, CaseEvent
from complaints.services import case_transition
from complaints.workflow import CaseStatus
from staff.models import Technician
from staff.roles import Actor

S = CaseStatus
REASON = "Data pelanggan belum lengkap"
RESOLUTION = "Sambungan rumah diperbaiki, listrik menyala"

# The shortest route from received to each status (merged needs a second case).
ROUTES: dict[CaseStatus, tuple[CaseStatus, ...]] = {
    S.RECEIVED: (),
    S.VERIFIED: (S.VERIFIED,),
    S.WAITING_CUSTOMER: (S.WAITING_CUSTOMER,),
    S.REJECTED: (S.REJECTED,),
    S.ASSIGNED: (S.VERIFIED, S.ASSIGNED),
    S.DISPATCHED: (S.VERIFIED, S.ASSIGNED, S.DISPATCHED),
    S.ON_SITE: (S.VERIFIED, S.ASSIGNED, S.DISPATCHED, S.ON_SITE),
    S.RESOLVED: (S.VERIFIED, S.ASSIGNED, S.DISPATCHED, S.ON_SITE, S.RESOLVED),
    S.CLOSED: (S.VERIFIED, S.ASSIGNED, S.DISPATCHED, S.ON_SITE, S.RESOLVED, S.CLOSED),
    S.REOPENED: (S.VERIFIED, S.ASSIGNED, S.DISPATCHED, S.ON_SITE, S.RESOLVED, S.REOPENED),
}


def move(case: Case, target: str, *, actor: Actor, technician: Technician | None = None) -> Case:
    """One transition with every field a transition may need filled in."""
    return case_transition(
        actor=actor,
        case_id=case.pk,
        target=target,
        reason=REASON,
        resolution=RESOLUTION,
        technician=technician,
    )


def walk_to(case: Case, status: str, *, actor: Actor, technician: Technician | None = None) -> Case:
    """Move ``case`` on along the route to ``status`` from wherever it is on that route."""
    route = ROUTES[CaseStatus(status)]
    if case.status != S.RECEIVED:
        route = route[route.index(case.status) + 1 :]
    for step in route:
        case = move(case, step, actor=actor, technician=technician)
    assert case.status == status
    return case


def timeline(case: Case) -> list[tuple[str, str, str]]:
    return list(
        CaseEvent.objects.filter(case=case)
        .order_by("id")
        .values_list("kind", "from_status", "to_status")
    )
