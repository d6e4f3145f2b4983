"""Choosing and booking a technician for a field case."""

from django.db import models, transaction
from django.db.models import F, FloatField, IntegerField, Value, When
from django.db.models.functions import Cos, Power, Radians

from complaints import clock, events, staff_notices
from complaints.models import Case, EventKind, Priority
from complaints.services import case_transition
from complaints.workflow import CaseStatus
from staff.models import Technician
from staff.roles import Actor

DISPATCHABLE_STATES = (CaseStatus.VERIFIED, CaseStatus.REOPENED)
NO_TECHNICIAN = "no_technician"


def choose_technician(case: Case) -> Technician | None:
    """Lock and return the best free technician: the case's own unit before its neighbours,
    then nearest to the case, then least loaded (an emergency: nearest first, of the unit or
    its neighbours); None when nobody is free."""
    unit = case.service_unit
    unit_ids = [unit.pk, *unit.neighbours.values_list("pk", flat=True)]
    candidates = Technician.objects.filter(
        service_unit_id__in=unit_ids,
        on_shift=True,
        available=True,
        open_jobs__lt=F("capacity"),
    )
    if case.category.skill:
        candidates = candidates.filter(skills__contains=[case.category.skill])
    lat = (
        case.latitude
        if case.latitude is not None
        else (case.customer.latitude if case.customer_id else None)
    )
    lon = (
        case.longitude
        if case.longitude is not None
        else (case.customer.longitude if case.customer_id else None)
    )
    own_unit_first = models.Case(
        When(service_unit_id=unit.pk, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    ordering = [own_unit_first]
    if lat is not None and lon is not None:
        # Equirectangular distance: exact enough to rank technicians within one area.
        distance = Power(F("latitude") - lat, 2) + Power(
            (F("longitude") - lon) * Cos(Radians(Value(lat, output_field=FloatField()))), 2
        )
        # Issue 5: an emergency (a hazard) gets the nearest crew, whichever unit's it is; unit
        # borders are for the paperwork, a live wire on the road is not.
        if case.priority == Priority.EMERGENCY:
            ordering = [distance.asc(nulls_last=True), own_unit_first]
        else:
            ordering.append(distance.asc(nulls_last=True))
    ordering += [F("open_jobs").asc(), F("pk").asc()]
    ranked = candidates.order_by(*ordering)
    # Fast path: the best technician no parallel dispatch is booking right now. Skipping
    # locked rows means dispatches in one area never wait on each other.
    best = ranked.select_for_update(skip_locked=True, of=("self",)).first()
    if best is not None:
        return best
    # Every free candidate may be locked by a parallel dispatch that will not take them all:
    # wait for them (always in pk order, so waiting dispatches never deadlock), then choose
    # on the committed rows, which FOR UPDATE re-checks against open_jobs < capacity.
    locked = list(
        candidates.order_by("pk").select_for_update(of=("self",)).values_list("pk", flat=True)
    )
    return Technician.objects.filter(pk__in=locked).order_by(*ordering).first()


@transaction.atomic
def dispatch_case(case_id: int) -> Technician | None:
    """Assign the best technician to a verified field case, or escalate when there is none.
    Safe to run twice: a case that is no longer waiting for a technician is left alone."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "service_unit", "customer")
        .get(pk=case_id)
    )
    if case.status not in DISPATCHABLE_STATES or not case.category.is_field_work:
        return None
    # Issue 6: a report linked to an outage incident is served by the incident's one crew
    # (complaints.incidents.dispatch_incident), never by a dispatch of its own.
    if case.incident_id is not None:
        return None
    actor = Actor.system("dispatch")
    technician = choose_technician(case)
    if technician is None:
        last = case.events.order_by("-created_at", "-id").first()
        already = (
            last and last.kind == EventKind.ESCALATED and last.data.get("reason") == NO_TECHNICIAN
        )
        if not already:
            event = events.record_escalated(case, actor, clock.now(), reason=NO_TECHNICIAN)
            staff_notices.notify_supervisors(case=case, event=event, alert=NO_TECHNICIAN)
        return None
    case_transition(actor=actor, case_id=case.pk, target=CaseStatus.ASSIGNED, technician=technician)
    return technician
