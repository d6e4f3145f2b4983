"""Thin Celery tasks of the outage-incident work (complaints.incidents, complaints.tmp): they
take ids, call services, and are safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from complaints import clock, incidents, tmp
from complaints.models import ACTIVE_INCIDENT_STATES, Incident, IncidentKind

logger = logging.getLogger(__name__)

# A fan-out younger than this probably still has its task in the broker.
FANOUT_GRACE = timedelta(seconds=60)
# An incident without a crew is offered to dispatch again this often (a technician may have
# come on shift or finished a job).
REDISPATCH_AFTER = timedelta(minutes=2)


@shared_task(name="complaints.incident_tasks.fan_out_incident_event")
def fan_out_incident_event(event_id: int) -> int:
    return incidents.incident_fan_out(event_id)


@shared_task(name="complaints.incident_tasks.dispatch_incident")
def dispatch_incident(incident_id: int) -> int | None:
    technician = incidents.dispatch_incident(incident_id)
    return technician.pk if technician else None


@shared_task(name="complaints.incident_tasks.outage_housekeeping")
def outage_housekeeping() -> str:
    """The beat task (every minute): storm mode's automatic switch, planned outages whose
    schedule ended, fan-outs and dispatches whose task was lost, and the service-quality
    figures of the current month when they are older than TMP_REFRESH_MINUTES."""
    now = clock.now()
    switches = incidents.storm_auto_check(at=now)
    restored = incidents.restore_finished_planned_outages(at=now)
    redone = 0
    for event_id in incidents.pending_fan_outs(older_than=FANOUT_GRACE):
        fan_out_incident_event.delay(event_id)
        redone += 1
    crewless = Incident.objects.filter(
        kind=IncidentKind.FAULT,
        status__in=ACTIVE_INCIDENT_STATES,
        crew__isnull=True,
        created_at__lte=now - REDISPATCH_AFTER,
    ).values_list("pk", flat=True)[:100]
    for incident_id in crewless:
        dispatch_incident.delay(incident_id)
    refreshed = tmp.refresh_if_stale(
        max_age=timedelta(minutes=getattr(settings, "TMP_REFRESH_MINUTES", 60)), at=now
    )
    return (
        f"storm:{len(switches)} planned:{len(restored)} fanouts:{redone} "
        f"tmp:{refreshed if refreshed is not None else '-'}"
    )
