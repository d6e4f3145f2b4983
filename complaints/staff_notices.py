"""Notices to staff: the supervisors of a service unit are told when something needs a human
(no technician could be dispatched, a hazard was reported, an SLA is at risk or breached).

They go through the same outbox as customer notices (one row per supervisor and event, so a
retry or a second call never mails anyone twice), by e-mail to the supervisor's address.
Rows carry no ``case``: a supervisor's mail must not thread into the customer's conversation,
and a reply to it must not become the customer's message (e-mail intake threads on it).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from complaints import effects
from complaints.models import Case, CaseEvent, Channel, Notification
from staff.models import ServiceUnit
from staff.roles import Role
from staff.unit_tree import ids_at_and_above

# One text per alert and language: templates/notifications/staff/<alert>/<language>.txt,
# the first line being the e-mail subject.
ALERTS = ("no_technician", "hazard", "sla_at_risk", "sla_breached")


def unit_supervisors(unit: ServiceUnit) -> list:
    """Active supervisors with an e-mail address who answer for the unit: its own, or, when it
    has none, those of the nearest unit above it that has some. Supervisors are often members
    of the UP3 or the region only (staff.access gives them the cases below): an alert about a
    ULP's case must not go to nobody. One query (the ids above come from the cached tree)."""
    chain = ids_at_and_above(unit.path)[::-1]
    rows = list(
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=Role.SUPERVISOR.value,
            staff_member__service_units__in=chain,
        )
        .exclude(email="")
        # The member unit of each row (one row per supervisor and unit of the chain).
        .annotate(alert_unit_id=F("staff_member__service_units"))
        .select_related("staff_member")
        .order_by("pk")
    )
    if not rows:
        return []
    nearest = min(chain.index(row.alert_unit_id) for row in rows)
    chosen = {row.pk: row for row in rows if row.alert_unit_id == chain[nearest]}
    return list(chosen.values())


def case_admin_url(case: Case) -> str:
    return settings.PUBLIC_BASE_URL + reverse("admin:complaints_case_change", args=[case.pk])


def notify_supervisors(*, case: Case, event: CaseEvent, alert: str) -> list[Notification]:
    """Queue ``alert`` about ``case`` to every supervisor of its service unit, once per event.
    Call inside the transaction that wrote ``event``."""
    from complaints.notifications import queue_message

    if alert not in ALERTS:
        raise ValueError(f"Unknown staff alert {alert!r}")
    if not effects.enabled():
        return []
    queued = []
    for user in unit_supervisors(case.service_unit):
        language = getattr(getattr(user, "staff_member", None), "language", "") or "id"
        context = {
            "case": case,
            "event": event,
            "ticket": case.ticket,
            "unit": str(case.service_unit),
            "category": str(case.category),
            "note": event.note,
            "url": case_admin_url(case),
            "name": user.get_full_name() or user.get_username(),
        }
        with translation.override(language):
            text = render_to_string(f"notifications/staff/{alert}/{language}.txt", context).strip()
        subject, _, body = text.partition("\n")
        queued.append(
            queue_message(
                channel=Channel.EMAIL,
                recipient=user.email,
                body=body.strip(),
                idempotency_key=f"staff:{event.pk}:{alert}:{user.pk}",
                template=f"staff_{alert}",
                language=language,
                event=event,
                context={"ticket": case.ticket, "case_id": case.pk, "subject": subject.strip()},
            )
        )
    return queued
