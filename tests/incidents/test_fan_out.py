"""One response: each ETR change reaches every linked reporter once, on their channel, even
when the fan-out runs twice; restoration resolves every linked case in one step and tells each
reporter once, asking "Listrik sudah menyala? 1 Ya / 2 Tidak"."""

from datetime import timedelta

import pytest

from complaints import clock
from complaints.incidents import (
    incident_fan_out,
    incident_partial_restore,
    incident_restore,
    incident_set_etr,
    pending_fan_outs,
)
from complaints.models import (
    ContactKind,
    Incident,
    IncidentEvent,
    IncidentEventKind,
    IncidentStatus,
    Notification,
    NotificationStatus,
)
from complaints.services import Reporter, case_transition
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests import factories
from tests.incidents.conftest import customer_on, notices, report, reports_on_feeder


@pytest.fixture
def incident(world) -> Incident:
    reports_on_feeder(world.unit_a, 3)
    return Incident.objects.get()


def last_event(incident: Incident) -> IncidentEvent:
    return incident.events.order_by("-created_at", "-id").first()


def test_an_etr_change_is_sent_once_to_every_linked_reporter_even_when_run_twice(world, incident):
    etr = clock.now() + timedelta(hours=2)
    incident_set_etr(actor=world.actor(world.supervisor_a), incident_id=incident.pk, etr=etr)
    event = last_event(incident)
    assert (event.kind, event.fanout_done_at) == (IncidentEventKind.ETR_SET, None)

    assert incident_fan_out(event.pk) == 3
    # A redelivered task, and a run that was interrupted before recording it was done.
    IncidentEvent.objects.filter(pk=event.pk).update(fanout_done_at=None)
    assert incident_fan_out(event.pk) == 3
    assert incident_fan_out(event.pk) == 0

    for case in incident.cases.all():
        etr_notices = notices(case, "incident_etr")
        # The link notice (no ETR yet) and this change, once.
        assert len(etr_notices) == 2
        assert etr_notices[1].idempotency_key == f"incident-event:{event.pk}:case:{case.pk}"
        assert f"{etr.astimezone(world.unit_a.tz):%H:%M}" in etr_notices[1].body
        assert etr_notices[1].channel == "whatsapp"
        assert etr_notices[1].recipient == case.reporter_contact
    assert IncidentEvent.objects.get(pk=event.pk).fanout_done_at is not None


def test_each_revision_of_the_etr_is_one_more_notice(world, incident):
    supervisor = world.actor(world.supervisor_a)
    for hours in (2, 3):
        incident_set_etr(
            actor=supervisor, incident_id=incident.pk, etr=clock.now() + timedelta(hours=hours)
        )
        incident_fan_out(last_event(incident).pk)

    for case in incident.cases.all():
        assert len(notices(case, "incident_etr")) == 3


def test_a_report_linked_after_the_change_is_not_told_twice(world, incident):
    incident_set_etr(
        actor=world.actor(world.supervisor_a),
        incident_id=incident.pk,
        etr=clock.now() + timedelta(hours=2),
    )
    late = report(customer_on(world.unit_a))

    incident_fan_out(last_event(incident).pk)

    assert len(notices(late, "incident_etr")) == 1


def test_the_reporter_is_told_on_the_channel_they_used(world, incident):
    email = factories.open_case(
        customer=customer_on(world.unit_a),
        reporter=Reporter(name="Dewi", contact_kind=ContactKind.EMAIL, contact="dewi@example.id"),
    )
    caller = factories.open_case(
        customer=customer_on(world.unit_a),
        reporter=Reporter(name="Andi", contact_kind=ContactKind.PHONE, contact="+6281299990000"),
    )
    incident_set_etr(
        actor=world.actor(world.supervisor_a),
        incident_id=incident.pk,
        etr=clock.now() + timedelta(hours=2),
    )
    incident_fan_out(last_event(incident).pk)

    assert notices(email, "incident_etr")[-1].channel == "email"
    assert notices(caller, "incident_etr")[-1].channel == "sms"
    assert "[#" in notices(email, "incident_etr")[-1].context["subject"]


def test_nyala_bertahap_tells_reporters_and_keeps_linking(world, incident):
    incident_partial_restore(
        actor=world.actor(world.supervisor_a),
        incident_id=incident.pk,
        note="Sebagian penyulang sudah menyala",
        etr=clock.now() + timedelta(hours=1),
    )
    incident_fan_out(last_event(incident).pk)

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.PARTIAL
    for case in incident.cases.all():
        (partial,) = notices(case, "incident_partial")
        assert "bertahap" in partial.body
    assert report(customer_on(world.unit_a)).incident_id == incident.pk


def test_restoration_resolves_every_linked_case_and_tells_each_reporter_once(world, incident):
    agent = world.actor(world.agent_a)
    first = incident.cases.order_by("pk").first()
    case_transition(actor=agent, case_id=first.pk, target=CaseStatus.VERIFIED)

    incident_restore(
        actor=world.actor(world.supervisor_a), incident_id=incident.pk, note="Trafo diganti"
    )
    event = last_event(incident)
    incident_fan_out(event.pk)
    IncidentEvent.objects.filter(pk=event.pk).update(fanout_done_at=None)
    incident_fan_out(event.pk)

    incident.refresh_from_db()
    assert (incident.status, incident.restored_at is not None) == (IncidentStatus.RESTORED, True)
    for case in incident.cases.all():
        assert case.status == CaseStatus.RESOLVED
        (restored,) = notices(case, "incident_restored")
        assert "Listrik sudah menyala? 1 Ya / 2 Tidak" in restored.body
        assert "/pemadaman/nyala/" in restored.body
        # The per-case "verified"/"resolved" updates were replaced by the incident's notice.
        replaced = Notification.objects.filter(case=case, template__in=["verified", "resolved"])
        assert {n.status for n in replaced} == {NotificationStatus.SUPERSEDED}
        resolved = Notification.objects.get(case=case, template="resolved")
        assert resolved.superseded_by_id == restored.pk
        sendable = Notification.objects.filter(case=case).exclude(
            status=NotificationStatus.SUPERSEDED
        )
        assert list(sendable.values_list("template", flat=True)).count("incident_restored") == 1
    # Restored incidents take no more reports.
    assert report(customer_on(world.unit_a)).incident_id is None


def test_a_report_whose_technician_was_on_the_way_is_resolved_and_the_technician_freed(
    world, incident
):
    from complaints.services import case_assign

    first = incident.cases.order_by("pk").first()
    case_transition(actor=world.actor(world.agent_a), case_id=first.pk, target="verified")
    case_assign(
        actor=world.actor(world.supervisor_a), case_id=first.pk, technician=world.technician_a
    )
    case_transition(
        actor=Actor.staff(world.technician_a.user), case_id=first.pk, target="dispatched"
    )

    incident_restore(actor=world.actor(world.supervisor_a), incident_id=incident.pk)
    incident_fan_out(last_event(incident).pk)

    first.refresh_from_db()
    world.technician_a.refresh_from_db()
    assert first.status == CaseStatus.RESOLVED
    assert world.technician_a.open_jobs == 0


def test_unfinished_fan_outs_are_found_by_the_sweep(world, incident):
    incident_set_etr(
        actor=world.actor(world.supervisor_a),
        incident_id=incident.pk,
        etr=clock.now() + timedelta(hours=2),
    )
    event = last_event(incident)

    assert pending_fan_outs(older_than=timedelta(0)) == [event.pk]
    incident_fan_out(event.pk)
    assert pending_fan_outs(older_than=timedelta(0)) == []


def test_the_incident_history_is_append_only(world, incident):
    from django.db import DatabaseError, transaction

    event = incident.events.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        IncidentEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        IncidentEvent.objects.filter(pk=event.pk).delete()
