"""One function per kind of case event. Called only by services, inside their transaction."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from complaints import webhooks
from complaints.models import Case, CaseEvent, EventKind
from staff.roles import Actor

# Stored in the event as text, in the language of the request that wrote it (as the
# incident notes are).
JOB_ACCEPTED_NOTE = _("Teknisi menerima tugas.")


def _record(case: Case, actor: Actor, at: datetime, kind: str, **fields) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case, created_at=at, actor=actor.user, actor_label=actor.label, kind=kind, **fields
    )
    # Issue 8: integrators' webhook deliveries, queued in this same transaction (outbox rows).
    webhooks.queue_case_event(event)
    return event


def record_created(case: Case, actor: Actor, at: datetime) -> CaseEvent:
    return _record(
        case,
        actor,
        at,
        EventKind.CREATED,
        to_status=case.status,
        data={"channel": case.channel, "category": case.category.code, "priority": case.priority},
    )


def record_status_changed(
    case: Case, actor: Actor, at: datetime, *, source: str, note: str = "", data: dict
) -> CaseEvent:
    return _record(
        case,
        actor,
        at,
        EventKind.STATUS_CHANGED,
        from_status=source,
        to_status=case.status,
        note=note,
        data=data,
    )


def record_assigned(
    case: Case, actor: Actor, at: datetime, *, previous_id: int | None, note: str = ""
) -> CaseEvent:
    return _record(
        case,
        actor,
        at,
        EventKind.ASSIGNED,
        note=note,
        data={"technician": case.technician_id, "previous_technician": previous_id},
    )


def record_note(case: Case, actor: Actor, at: datetime, *, note: str) -> CaseEvent:
    return _record(case, actor, at, EventKind.NOTE, note=note)


def record_message(case: Case, actor: Actor, at: datetime, *, note: str) -> CaseEvent:
    return _record(case, actor, at, EventKind.MESSAGE, note=note)


def record_customer_message(
    case: Case, actor: Actor, at: datetime, *, note: str, data: dict
) -> CaseEvent:
    return _record(case, actor, at, EventKind.CUSTOMER_MESSAGE, note=note, data=data)


def record_priority_changed(
    case: Case, actor: Actor, at: datetime, *, previous: int, note: str = ""
) -> CaseEvent:
    return _record(
        case,
        actor,
        at,
        EventKind.PRIORITY_CHANGED,
        note=note,
        data={"from": previous, "to": case.priority},
    )


def record_merged_in(case: Case, actor: Actor, at: datetime, *, duplicate: Case) -> CaseEvent:
    return _record(
        case,
        actor,
        at,
        EventKind.MERGED_IN,
        data={"case": duplicate.pk, "ticket": duplicate.ticket},
    )


def record_attachment(
    case: Case, actor: Actor, at: datetime, *, attachment_id: int, name: str
) -> CaseEvent:
    return _record(
        case, actor, at, EventKind.ATTACHMENT, note=name, data={"attachment": attachment_id}
    )


def record_escalated(
    case: Case, actor: Actor, at: datetime, *, reason: str, note: str = ""
) -> CaseEvent:
    return _record(case, actor, at, EventKind.ESCALATED, note=note, data={"reason": reason})


def record_agent_changed(
    case: Case, actor: Actor, at: datetime, *, previous_id: int | None
) -> CaseEvent:
    return _record(
        case,
        actor,
        at,
        EventKind.AGENT_CHANGED,
        data={"agent": case.assigned_agent_id, "previous_agent": previous_id},
    )


def record_accepted(case: Case, actor: Actor, at: datetime) -> CaseEvent:
    """The assigned technician acknowledged the job (technician API "accept"). No status of its
    own in the workflow: an assignment event marked ``accepted``, the technician's answer to
    the assignment before it."""
    return _record(
        case,
        actor,
        at,
        EventKind.ASSIGNED,
        note=str(JOB_ACCEPTED_NOTE),
        data={"technician": case.technician_id, "accepted": True},
    )


def record_hazard(
    case: Case,
    actor: Actor,
    at: datetime,
    *,
    matched: tuple[str, ...],
    reported_category: str = "",
    note: str = "",
) -> CaseEvent:
    """Issue 5: the case took the hazard lane (complaints.hazard). An escalation: the
    supervisors are told at once. ``matched`` are the hazard words the description named;
    ``reported_category`` the category the reporter chose when it was moved to the hazard one."""
    data: dict = {"reason": "hazard", "matched": list(matched)}
    if reported_category:
        data["reported_category"] = reported_category
    return _record(case, actor, at, EventKind.ESCALATED, note=note, data=data)


def record_sla_at_risk(
    case: Case, actor: Actor, at: datetime, *, note: str, data: dict
) -> CaseEvent:
    return _record(case, actor, at, EventKind.SLA_AT_RISK, note=note, data=data)


def record_sla_breached(
    case: Case, actor: Actor, at: datetime, *, note: str, data: dict
) -> CaseEvent:
    return _record(case, actor, at, EventKind.SLA_BREACHED, note=note, data=data)
