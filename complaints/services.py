"""The only writers of case state. Every function takes ``actor=``, runs in one transaction,
writes its events there, and leaves side effects to after commit."""

from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from complaints import clock, effects, events, hazard, incidents
from complaints.attachments import inspect_attachment
from complaints.errors import (
    EMPTY_TEXT,
    ILLEGAL_TRANSITION,
    MERGE_TARGET_INVALID,
    NO_SERVICE_UNIT,
    ROLE_NOT_ALLOWED,
    STALE_CASE,
    TECHNICIAN_FULL,
    TECHNICIAN_NOT_SUITABLE,
    IllegalTransition,
    InvalidInput,
    MissingField,
    NotAllowed,
    StaleCase,
)
from complaints.models import (
    Attachment,
    Case,
    CaseEvent,
    Category,
    Customer,
    Language,
    Priority,
)
from complaints.notifications import queue_customer_notice
from complaints.sla import due_times, retarget, update_clock
from complaints.tickets import new_ticket_number
from complaints.workflow import (
    ETA,
    MERGED_INTO,
    OPEN_STATES,
    REASON,
    RESOLUTION,
    TECHNICIAN,
    TECHNICIAN_STATES,
    CaseStatus,
    Effect,
    find_transition,
    transitions_from,
)
from staff.models import ServiceUnit, Technician
from staff.roles import Actor, Role

OPENING_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.SYSTEM, Role.CUSTOMER})
NOTE_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.TECHNICIAN, Role.SYSTEM})
PRIORITY_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.SYSTEM})
ASSIGN_ROLES = frozenset({Role.SUPERVISOR, Role.SYSTEM})
CUSTOMER_MESSAGE_ROLES = frozenset({Role.CUSTOMER, Role.AGENT, Role.SUPERVISOR, Role.SYSTEM})
TICKET_ATTEMPTS = 5


@dataclass(frozen=True)
class Reporter:
    """The person who reported, as they gave themselves on the channel."""

    name: str = ""
    contact_kind: str = ""
    contact: str = ""
    # The language the reporter wrote in ("id", "en"); "" = the default. Notices follow it.
    language: str = ""


def _require_role(actor: Actor, allowed: frozenset[Role], case: Case | None = None) -> None:
    if not actor.roles & allowed:
        raise NotAllowed(ROLE_NOT_ALLOWED, ticket=case.ticket if case else "-")


def _lock_case(case_id: int, expected_version: int | None) -> Case:
    # OF self: a plain FOR UPDATE would lock the joined category row too, and every new case
    # of that category (its foreign key check) would wait for this transaction.
    case = Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=case_id)
    if expected_version is not None and case.version != expected_version:
        raise StaleCase(
            STALE_CASE, ticket=case.ticket, expected=expected_version, current=case.version
        )
    return case


def _touch(case: Case, at: datetime, fields: list[str]) -> None:
    case.version += 1
    case.updated_at = at
    case.save(update_fields=[*fields, "version", "updated_at"])


def _schedule_dispatch(case: Case) -> None:
    if effects.enabled() and case.category.is_field_work:
        from staff.tasks import dispatch_case

        transaction.on_commit(lambda: dispatch_case.delay(case.pk))


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    channel: str,
    category: Category,
    description: str,
    customer: Customer | None = None,
    service_unit: ServiceUnit | None = None,
    reporter: Reporter = Reporter(),
    location_text: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    priority: int | None = None,
) -> Case:
    _require_role(actor, OPENING_ROLES)
    description = description.strip()
    if not description:
        raise MissingField("description")
    unit = service_unit or (customer.service_unit if customer else None)
    if unit is None:
        raise InvalidInput(NO_SERVICE_UNIT)
    at = clock.now()
    priority = priority or category.default_priority
    # Issue 5: a hazard category, or a hazard named in the text under any category, is an
    # emergency in the hazard category (complaints.hazard says why it moves).
    lane = hazard.assess(category, description)
    if lane is not None:
        category = lane.category
    if category.is_hazard or lane is not None:
        priority = Priority.EMERGENCY
    response_due, resolution_due = due_times(category, priority, unit, at)
    case = Case(
        channel=channel,
        category=category,
        priority=priority,
        customer=customer,
        reporter_name=reporter.name,
        reporter_contact_kind=reporter.contact_kind,
        reporter_contact=reporter.contact,
        reporter_language=reporter.language
        if reporter.language in Language.values
        else Language.INDONESIAN,
        description=description,
        location_text=location_text or (customer.address if customer else ""),
        latitude=latitude,
        longitude=longitude,
        service_unit=unit,
        # A phone complaint belongs to the agent who logged it until someone takes it over.
        assigned_agent=actor.user if Role.AGENT in actor.roles else None,
        created_at=at,
        updated_at=at,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
    )
    update_clock(case, at=at)
    # The ticket space is 32^7; a collision is rare but must not lose the complaint.
    for attempt in range(TICKET_ATTEMPTS):
        case.ticket = new_ticket_number()
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError:
            if attempt == TICKET_ATTEMPTS - 1:
                raise
            continue
        break
    event = events.record_created(case, actor, at)
    queue_customer_notice(case, event, "received")
    if lane is not None:
        # Issue 5: safety message, supervisors, and the system's verification, which
        # dispatches it on its own: a hazard never waits inside an outage incident.
        return hazard.open_lane(case=case, lane=lane)
    # Issue 6: an outage report joins its area's incident or planned outage (same transaction).
    incidents.on_case_opened(case)
    return case


@transaction.atomic
def case_transition(
    *,
    actor: Actor,
    case_id: int,
    target: str,
    expected_version: int | None = None,
    reason: str = "",
    resolution: str = "",
    technician: Technician | None = None,
    merged_into: Case | None = None,
    eta: datetime | None = None,
) -> Case:
    case = _lock_case(case_id, expected_version)
    source = case.status
    transition = find_transition(source, target)
    if transition is None:
        raise IllegalTransition(
            ILLEGAL_TRANSITION,
            ticket=case.ticket,
            source=source,
            target=target,
            allowed=transitions_from(source, actor.roles),
        )
    _require_role(actor, transition.roles, case)
    given = {
        REASON: reason.strip(),
        RESOLUTION: resolution.strip(),
        TECHNICIAN: technician,
        MERGED_INTO: merged_into,
        ETA: eta,
    }
    for field in transition.required:
        if not given[field]:
            raise MissingField(field)

    at = clock.now()
    changed = ["status"]
    data: dict = {}
    case.status = transition.target
    if source == CaseStatus.RECEIVED and actor.roles & {Role.AGENT, Role.SUPERVISOR}:
        case.first_response_at = case.first_response_at or at
        changed.append("first_response_at")
    if transition.target == CaseStatus.ASSIGNED:
        _book_technician(case, technician)
        case.technician = technician
        case.first_response_at = case.first_response_at or at
        changed += ["technician", "first_response_at"]
        data["technician"] = technician.pk
    if Effect.RELEASE_TECHNICIAN in transition.effects and source in TECHNICIAN_STATES:
        _release_technician(case.technician_id)
        if transition.target not in TECHNICIAN_STATES and transition.target != CaseStatus.RESOLVED:
            case.technician = None
            changed.append("technician")
    if transition.target == CaseStatus.RESOLVED:
        case.resolved_at = at
        changed.append("resolved_at")
    if transition.target == CaseStatus.CLOSED:
        case.closed_at = at
        changed.append("closed_at")
    if transition.target == CaseStatus.REOPENED:
        # A reopened case gets a fresh resolution target: the old one described other work.
        _, case.resolution_due_at = due_times(case.category, case.priority, case.service_unit, at)
        changed.append("resolution_due_at")
    if transition.target == CaseStatus.MERGED:
        target_case = _lock_merge_target(case, merged_into)
        case.merged_into = target_case
        changed.append("merged_into")
        data.update(merged_into=target_case.pk, merged_into_ticket=target_case.ticket)
    if eta:
        data["eta"] = eta.isoformat()
    # The SLA clock: pause / resume, the reopened target, the figures, the next check.
    changed += update_clock(case, at=at, source=source)
    _touch(case, at, changed)

    note = reason.strip() or resolution.strip()
    event = events.record_status_changed(case, actor, at, source=source, note=note, data=data)
    if transition.target == CaseStatus.MERGED:
        events.record_merged_in(target_case, actor, at, duplicate=case)
    if Effect.NOTIFY_CUSTOMER in transition.effects:
        queue_customer_notice(case, event, transition.target)
    if transition.target == CaseStatus.RESOLVED:
        # Issue 6: a restored outage asks "Listrik sudah menyala? 1 Ya / 2 Tidak".
        incidents.on_case_resolved(case, event)
    if Effect.DISPATCH in transition.effects:
        _schedule_dispatch(case)
    return case


def _book_technician(case: Case, technician: Technician) -> None:
    """Take one unit of the technician's capacity, under a row lock."""
    locked = Technician.objects.select_for_update().get(pk=technician.pk)
    if case.category.skill and case.category.skill not in locked.skills:
        raise InvalidInput(TECHNICIAN_NOT_SUITABLE, technician=str(locked))
    if locked.open_jobs >= locked.capacity:
        raise InvalidInput(TECHNICIAN_FULL, technician=str(locked))
    locked.open_jobs += 1
    locked.save(update_fields=["open_jobs"])


def _release_technician(technician_id: int | None) -> None:
    if technician_id is None:
        return
    locked = Technician.objects.select_for_update().get(pk=technician_id)
    if locked.open_jobs > 0:
        locked.open_jobs -= 1
        locked.save(update_fields=["open_jobs"])


def _lock_merge_target(case: Case, merged_into: Case) -> Case:
    target = Case.objects.select_for_update().get(pk=merged_into.pk)
    if target.pk == case.pk or target.status not in OPEN_STATES:
        raise InvalidInput(MERGE_TARGET_INVALID)
    return target


@transaction.atomic
def case_assign(
    *,
    actor: Actor,
    case_id: int,
    technician: Technician,
    expected_version: int | None = None,
    note: str = "",
) -> Case:
    """Assign a technician: the first assignment moves the case to ``assigned``; later ones
    hand the job over to another technician without changing the state."""
    case = _lock_case(case_id, expected_version)
    _require_role(actor, ASSIGN_ROLES, case)
    if case.status not in TECHNICIAN_STATES:
        return case_transition(
            actor=actor,
            case_id=case_id,
            target=CaseStatus.ASSIGNED,
            technician=technician,
            reason=note,
        )
    if case.technician_id == technician.pk:
        return case
    at = clock.now()
    previous = case.technician_id
    # Both rows in pk order: two crossing handovers (or a handover and a dispatch) would
    # otherwise each hold one technician and wait for the other.
    list(
        Technician.objects.select_for_update()
        .filter(pk__in=[pk for pk in (previous, technician.pk) if pk])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _release_technician(previous)
    _book_technician(case, technician)
    case.technician = technician
    _touch(case, at, ["technician"])
    event = events.record_assigned(case, actor, at, previous_id=previous, note=note)
    queue_customer_notice(case, event, "assigned")
    return case


@transaction.atomic
def case_add_note(
    *,
    actor: Actor,
    case_id: int,
    note: str,
    to_customer: bool = False,
    expected_version: int | None = None,
) -> CaseEvent:
    """An internal note, or (``to_customer``) a message sent on the customer's channel."""
    case = _lock_case(case_id, expected_version)
    _require_role(actor, NOTE_ROLES, case)
    note = note.strip()
    if not note:
        raise InvalidInput(EMPTY_TEXT)
    at = clock.now()
    changed: list[str] = []
    if to_customer:
        event = events.record_message(case, actor, at, note=note)
        if case.first_response_at is None and actor.roles & {Role.AGENT, Role.SUPERVISOR}:
            case.first_response_at = at
            changed.append("first_response_at")
            changed += update_clock(case, at=at)
        queue_customer_notice(case, event, "message")
    else:
        event = events.record_note(case, actor, at, note=note)
    _touch(case, at, changed)
    return event


@transaction.atomic
def case_add_customer_message(
    *, actor: Actor, case_id: int, text: str, data: dict | None = None
) -> CaseEvent:
    """What the customer wrote about an existing case (a follow-up on any channel, or an
    agent logging what a caller said). Internal: nothing is sent back from here."""
    case = _lock_case(case_id, None)
    _require_role(actor, CUSTOMER_MESSAGE_ROLES, case)
    text = text.strip()
    if not text:
        raise InvalidInput(EMPTY_TEXT)
    at = clock.now()
    event = events.record_customer_message(case, actor, at, note=text, data=data or {})
    _touch(case, at, [])
    return event


@transaction.atomic
def case_change_priority(
    *,
    actor: Actor,
    case_id: int,
    priority: int,
    expected_version: int | None = None,
    note: str = "",
) -> Case:
    case = _lock_case(case_id, expected_version)
    _require_role(actor, PRIORITY_ROLES, case)
    priority = Priority(priority)
    if case.status not in OPEN_STATES:
        raise IllegalTransition(
            ILLEGAL_TRANSITION, ticket=case.ticket, source=case.status, target=case.status
        )
    if case.priority == priority:
        return case
    at = clock.now()
    previous = case.priority
    case.priority = priority
    # The due times move by the change of target: a reopened case keeps its reopening as the
    # start, and time the clock stood still (waiting for the customer, a storm) stays added.
    changed = retarget(case, previous_priority=previous, at=at)
    _touch(case, at, ["priority", *changed])
    events.record_priority_changed(case, actor, at, previous=previous, note=note)
    return case


def case_merge(
    *, actor: Actor, case_id: int, into_case_id: int, expected_version: int | None = None
) -> Case:
    into = Case.objects.get(pk=into_case_id)
    return case_transition(
        actor=actor,
        case_id=case_id,
        target=CaseStatus.MERGED,
        merged_into=into,
        expected_version=expected_version,
    )


@transaction.atomic
def case_attach(*, actor: Actor, case_id: int, content: bytes, name: str = "") -> Attachment:
    """Store a photo or PDF on a case; the bytes decide the type."""
    content_type, sha256 = inspect_attachment(content)
    case = _lock_case(case_id, None)
    _require_role(actor, OPENING_ROLES | NOTE_ROLES, case)
    at = clock.now()
    attachment = Attachment(
        case=case,
        original_name=name[:200],
        content_type=content_type,
        size=len(content),
        sha256=sha256,
        uploaded_at=at,
    )
    attachment.file.save("upload", ContentFile(content), save=False)
    attachment.save()
    event = events.record_attachment(
        case, actor, at, attachment_id=attachment.pk, name=attachment.original_name
    )
    attachment.event = event
    attachment.save(update_fields=["event"])
    _touch(case, at, [])
    return attachment


@transaction.atomic
def case_take(*, actor: Actor, case_id: int, expected_version: int | None = None) -> Case:
    """The acting agent or supervisor becomes the case's responsible agent."""
    case = _lock_case(case_id, expected_version)
    _require_role(actor, frozenset({Role.AGENT, Role.SUPERVISOR}), case)
    if case.assigned_agent_id == actor.user.pk:
        return case
    at = clock.now()
    previous = case.assigned_agent_id
    case.assigned_agent = actor.user
    _touch(case, at, ["assigned_agent"])
    events.record_agent_changed(case, actor, at, previous_id=previous)
    return case


@transaction.atomic
def case_accept(*, actor: Actor, case_id: int, expected_version: int | None = None) -> Case:
    """The assigned technician acknowledges the job: an event, no change of status (the
    workflow has none for it; "on the way" is the next move). Only the case's own technician,
    and only while it is ``assigned``; the callers skip a second acceptance."""
    case = _lock_case(case_id, expected_version)
    _require_role(actor, frozenset({Role.TECHNICIAN}), case)
    if case.technician_id is None or case.technician.user_id != actor.user.pk:
        raise NotAllowed(ROLE_NOT_ALLOWED, ticket=case.ticket)
    if case.status != CaseStatus.ASSIGNED:
        raise IllegalTransition(
            ILLEGAL_TRANSITION,
            ticket=case.ticket,
            source=case.status,
            target=case.status,
            allowed=transitions_from(case.status, actor.roles),
        )
    at = clock.now()
    _touch(case, at, [])
    events.record_accepted(case, actor, at)
    return case
