"""The case workflow as data: states, who may move a case where, what each move needs and
causes. Code, admin and API all read this table; nothing here touches the database."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from staff.roles import Role


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    VERIFIED = "verified", _("Diverifikasi")
    WAITING_CUSTOMER = "waiting_customer", _("Menunggu pelanggan")
    ASSIGNED = "assigned", _("Ditugaskan")
    DISPATCHED = "dispatched", _("Dalam perjalanan")
    ON_SITE = "on_site", _("Di lokasi")
    RESOLVED = "resolved", _("Selesai dikerjakan")
    CLOSED = "closed", _("Ditutup")
    REOPENED = "reopened", _("Dibuka kembali")
    REJECTED = "rejected", _("Ditolak")
    MERGED = "merged", _("Digabung")


class Effect(models.TextChoices):
    """Side effects a transition causes, run after commit."""

    NOTIFY_CUSTOMER = "notify_customer", _("Beri tahu pelanggan")
    DISPATCH = "dispatch", _("Kirim teknisi")
    RELEASE_TECHNICIAN = "release_technician", _("Lepas teknisi")
    SURVEY = "survey", _("Survei kepuasan")


# Fields a transition may require; services validate them before anything is written.
REASON = "reason"
TECHNICIAN = "technician"
RESOLUTION = "resolution"
MERGED_INTO = "merged_into"
ETA = "eta"
TRANSITION_FIELDS = (REASON, TECHNICIAN, RESOLUTION, MERGED_INTO, ETA)

S = CaseStatus
STAFF_DESK = frozenset({Role.AGENT, Role.SUPERVISOR})
DESK_AND_SYSTEM = STAFF_DESK | {Role.SYSTEM}
FIELD = frozenset({Role.TECHNICIAN, Role.SUPERVISOR})


@dataclass(frozen=True)
class Transition:
    source: CaseStatus
    target: CaseStatus
    roles: frozenset[Role]
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    effects: tuple[Effect, ...] = ()


TRANSITIONS: tuple[Transition, ...] = (
    # Triage
    Transition(
        S.RECEIVED, S.VERIFIED, DESK_AND_SYSTEM, effects=(Effect.NOTIFY_CUSTOMER, Effect.DISPATCH)
    ),
    Transition(
        S.RECEIVED,
        S.WAITING_CUSTOMER,
        DESK_AND_SYSTEM,
        required=(REASON,),
        effects=(Effect.NOTIFY_CUSTOMER,),
    ),
    Transition(
        S.RECEIVED, S.REJECTED, STAFF_DESK, required=(REASON,), effects=(Effect.NOTIFY_CUSTOMER,)
    ),
    Transition(
        S.VERIFIED,
        S.WAITING_CUSTOMER,
        DESK_AND_SYSTEM,
        required=(REASON,),
        effects=(Effect.NOTIFY_CUSTOMER,),
    ),
    Transition(
        S.WAITING_CUSTOMER,
        S.VERIFIED,
        DESK_AND_SYSTEM | {Role.CUSTOMER},
        effects=(Effect.DISPATCH,),
    ),
    Transition(
        S.WAITING_CUSTOMER,
        S.REJECTED,
        STAFF_DESK,
        required=(REASON,),
        effects=(Effect.NOTIFY_CUSTOMER,),
    ),
    # Field work
    Transition(
        S.VERIFIED,
        S.ASSIGNED,
        frozenset({Role.SUPERVISOR, Role.SYSTEM}),
        required=(TECHNICIAN,),
        effects=(Effect.NOTIFY_CUSTOMER,),
    ),
    Transition(
        S.REOPENED,
        S.ASSIGNED,
        frozenset({Role.SUPERVISOR, Role.SYSTEM}),
        required=(TECHNICIAN,),
        effects=(Effect.NOTIFY_CUSTOMER,),
    ),
    Transition(
        S.ASSIGNED,
        S.VERIFIED,
        FIELD,
        required=(REASON,),
        effects=(Effect.RELEASE_TECHNICIAN, Effect.DISPATCH),
    ),
    Transition(S.ASSIGNED, S.DISPATCHED, FIELD, optional=(ETA,), effects=(Effect.NOTIFY_CUSTOMER,)),
    Transition(S.DISPATCHED, S.ON_SITE, FIELD, effects=(Effect.NOTIFY_CUSTOMER,)),
    Transition(
        S.ON_SITE,
        S.RESOLVED,
        FIELD | {Role.SYSTEM},
        required=(RESOLUTION,),
        effects=(Effect.NOTIFY_CUSTOMER, Effect.RELEASE_TECHNICIAN),
    ),
    # Back-office work is resolved at the desk, without a technician. (The system: an outage
    # incident's restoration, below.)
    Transition(
        S.VERIFIED,
        S.RESOLVED,
        STAFF_DESK | {Role.SYSTEM},
        required=(RESOLUTION,),
        effects=(Effect.NOTIFY_CUSTOMER,),
    ),
    Transition(S.REOPENED, S.VERIFIED, DESK_AND_SYSTEM, effects=(Effect.DISPATCH,)),
    # Closing and reopening
    Transition(
        S.RESOLVED,
        S.CLOSED,
        DESK_AND_SYSTEM | {Role.CUSTOMER},
        effects=(Effect.NOTIFY_CUSTOMER, Effect.SURVEY),
    ),
    Transition(
        S.RESOLVED,
        S.REOPENED,
        DESK_AND_SYSTEM | {Role.CUSTOMER},
        required=(REASON,),
        effects=(Effect.NOTIFY_CUSTOMER,),
    ),
    Transition(
        S.CLOSED,
        S.REOPENED,
        DESK_AND_SYSTEM | {Role.CUSTOMER},
        required=(REASON,),
        effects=(Effect.NOTIFY_CUSTOMER,),
    ),
    # Duplicates fold into another open case; the customer is told the surviving ticket.
    *(
        Transition(
            source,
            S.MERGED,
            STAFF_DESK | {Role.SYSTEM},
            required=(MERGED_INTO,),
            effects=(Effect.NOTIFY_CUSTOMER, Effect.RELEASE_TECHNICIAN),
        )
        for source in (S.RECEIVED, S.VERIFIED, S.WAITING_CUSTOMER, S.ASSIGNED, S.REOPENED)
    ),
    # --- Outage incidents (complaints.incidents, issue 6) ---
    # Restoring an incident resolves every linked report in one step, whatever open state it
    # is in: received / waiting / reopened ones through "verified" (edges above), and a
    # technician sent to one report before it joined the incident is released here. Only the
    # system does it; the restoration itself is the supervisor's or crew's, recorded on the
    # incident, and the incident's notice replaces the per-case ones.
    *(
        Transition(
            source,
            S.RESOLVED,
            frozenset({Role.SYSTEM}),
            required=(RESOLUTION,),
            effects=(Effect.NOTIFY_CUSTOMER, Effect.RELEASE_TECHNICIAN),
        )
        for source in (S.ASSIGNED, S.DISPATCHED)
    ),
)

_BY_EDGE = {(t.source, t.target): t for t in TRANSITIONS}

OPEN_STATES = frozenset(
    {S.RECEIVED, S.VERIFIED, S.WAITING_CUSTOMER, S.ASSIGNED, S.DISPATCHED, S.ON_SITE, S.REOPENED}
)
TERMINAL_STATES = frozenset({S.REJECTED, S.MERGED})
# States in which a technician is booked to the case.
TECHNICIAN_STATES = frozenset({S.ASSIGNED, S.DISPATCHED, S.ON_SITE})
# The SLA clock stops while we wait for the customer.
PAUSED_STATES = frozenset({S.WAITING_CUSTOMER})


def find_transition(source: str, target: str) -> Transition | None:
    return _BY_EDGE.get((CaseStatus(source), CaseStatus(target)))


def transitions_from(source: str, roles: frozenset[Role] | None = None) -> list[Transition]:
    """The moves out of ``source``, limited to those one of ``roles`` may take."""
    return [t for t in TRANSITIONS if t.source == source and (roles is None or t.roles & roles)]


def describe_moves(transitions: list[Transition]) -> list[dict]:
    """Moves as an API client reads them: the target, its label, the fields it needs."""
    return [
        {
            "target": t.target.value,
            "label": str(t.target.label),
            "required": list(t.required),
            "optional": list(t.optional),
        }
        for t in transitions
    ]


# What PLN customers already read in PLN Mobile's "Status Laporan".
CUSTOMER_LABELS: dict[CaseStatus, str] = {
    S.RECEIVED: _("Lapor"),
    S.VERIFIED: _("Lapor"),
    S.WAITING_CUSTOMER: _("Menunggu Data Pelanggan"),
    S.ASSIGNED: _("Penugasan Regu"),
    S.DISPATCHED: _("Dalam Perjalanan"),
    S.ON_SITE: _("Dalam Pengerjaan"),
    S.RESOLVED: _("Nyala"),
    S.CLOSED: _("Selesai"),
    S.REOPENED: _("Lapor Ulang"),
    S.REJECTED: _("Ditolak"),
    S.MERGED: _("Digabung"),
}
# "Nyala" (power back on) only makes sense for field work; desk work is "handled".
BACK_OFFICE_RESOLVED_LABEL = _("Sudah Ditangani")


def customer_label(status: str, *, field_work: bool = True) -> str:
    if status == S.RESOLVED and not field_work:
        return str(BACK_OFFICE_RESOLVED_LABEL)
    return str(CUSTOMER_LABELS[CaseStatus(status)])
