"""Storm mode: one switch per service unit (or automatic above a report rate) that links
aggressively, turns the known-outage notice into the reply on every channel, holds per-case
receipts, and pauses the SLA clocks of non-urgent back-office cases. Every switch records who
and why."""

from datetime import timedelta

import pytest

from complaints import clock
from complaints.delivery import deliver, due_notification_ids
from complaints.errors import InvalidInput, MissingField, NotAllowed
from complaints.incidents import (
    incident_fan_out,
    incident_set_etr,
    storm_auto_check,
    storm_state,
    storm_switch,
)
from complaints.models import (
    CaseEvent,
    ContactKind,
    EventKind,
    Incident,
    IncidentEventKind,
    NotificationStatus,
    Priority,
    StormSwitch,
)
from complaints.services import Reporter, case_add_note, case_transition
from staff.roles import Actor
from tests import factories
from tests.incidents.conftest import HERE, customer_on, notices, report


def storm_on(world, reason="Hujan badai"):
    return storm_switch(
        actor=world.actor(world.supervisor_a),
        service_unit_id=world.unit_a.pk,
        on=True,
        reason=reason,
    )


def test_a_switch_records_who_and_why_and_needs_a_reason(world):
    supervisor = world.actor(world.supervisor_a)
    with pytest.raises(MissingField):
        storm_switch(actor=supervisor, service_unit_id=world.unit_a.pk, on=True, reason=" ")
    with pytest.raises(NotAllowed):
        storm_switch(
            actor=world.actor(world.agent_a), service_unit_id=world.unit_a.pk, on=True, reason="x"
        )

    switch = storm_on(world)

    assert (switch.actor, switch.reason, switch.turned_on, switch.automatic) == (
        world.supervisor_a,
        "Hujan badai",
        True,
        False,
    )
    assert storm_state(world.unit_a) == switch
    assert storm_state(world.unit_b) is None
    with pytest.raises(InvalidInput):
        storm_on(world)


def test_storm_mode_of_a_parent_unit_covers_its_offices(world):
    storm_switch(
        actor=world.actor(world.manager),
        service_unit_id=world.unit_a.parent.pk,
        on=True,
        reason="Badai se-UP3",
    )

    assert storm_state(world.unit_a) is not None


def test_in_a_storm_two_reports_make_an_incident_and_the_notice_replaces_the_receipt(world):
    storm_on(world)

    first = report(customer_on(world.unit_a))
    second = report(customer_on(world.unit_a))

    incident = Incident.objects.get()
    assert incident.cases.count() == 2
    for case in (first, second):
        (known,) = notices(case, "incident_etr")
        assert case.ticket in known.body
        (receipt,) = notices(case, "received")
        assert (receipt.status, receipt.superseded_by_id) == (
            NotificationStatus.SUPERSEDED,
            known.pk,
        )


def test_in_a_storm_a_report_without_any_location_joins_the_units_latest_incident(world):
    storm_on(world)
    report(customer_on(world.unit_a))
    report(customer_on(world.unit_a))
    incident = Incident.objects.get()

    unlocated = report(unit=world.unit_a)

    assert unlocated.incident_id == incident.pk


def test_in_a_storm_reports_group_over_a_wider_radius(world):
    storm_on(world)
    report(unit=world.unit_a, latitude=HERE[0], longitude=HERE[1])
    # About 2 km away: outside the normal 1 km, inside the storm's 3 km.
    report(unit=world.unit_a, latitude=HERE[0] - 0.018, longitude=HERE[1])

    assert Incident.objects.get().cases.count() == 2


def test_switching_off_moves_the_due_times_of_non_urgent_back_office_cases_only(world):
    started = clock.now() - timedelta(hours=2)
    with clock.travel(started):
        storm_on(world)
    reporter = Reporter(name="Sari", contact_kind=ContactKind.EMAIL, contact="sari@example.id")
    with clock.travel(started - timedelta(hours=1)):
        billing = factories.open_case(world.unit_a, category_code="tagihan", reporter=reporter)
    urgent = factories.open_case(
        world.unit_a, category_code="token", reporter=reporter, priority=Priority.HIGH
    )
    outage = factories.open_case(world.unit_a, category_code="padam-rumah", reporter=reporter)
    before = {c.pk: c.resolution_due_at for c in (billing, urgent, outage)}

    storm_switch(
        actor=world.actor(world.supervisor_a),
        service_unit_id=world.unit_a.pk,
        on=False,
        reason="Cuaca membaik",
    )

    billing.refresh_from_db()
    urgent.refresh_from_db()
    outage.refresh_from_db()
    shifted = billing.resolution_due_at - before[billing.pk]
    assert timedelta(hours=1, minutes=59) < shifted <= timedelta(hours=2, minutes=1)
    assert urgent.resolution_due_at == before[urgent.pk]
    assert outage.resolution_due_at == before[outage.pk]
    note = CaseEvent.objects.get(case=billing, kind=EventKind.NOTE, actor_label="system:storm")
    assert note.data["sla_paused_seconds"] > 7100
    assert [s.turned_on for s in StormSwitch.objects.order_by("created_at")] == [True, False]


def test_the_automatic_switch_turns_on_above_the_rate_and_off_below_it(world, settings):
    settings.STORM_AUTO_REPORTS = 4
    settings.STORM_AUTO_WINDOW_MINUTES = 15
    for _ in range(4):
        report(unit=world.unit_a)

    (switch,) = storm_auto_check()

    assert (switch.service_unit_id, switch.automatic, switch.actor_label) == (
        world.unit_a.pk,
        True,
        "system:storm",
    )
    assert "4" in switch.reason
    assert storm_auto_check() == []
    (off,) = storm_auto_check(at=clock.now() + timedelta(minutes=20))
    assert off.turned_on is False


def test_a_storm_switched_on_by_a_person_is_not_switched_off_automatically(world, settings):
    settings.STORM_AUTO_REPORTS = 4
    storm_on(world)

    assert storm_auto_check(at=clock.now() + timedelta(minutes=30)) == []
    assert storm_state(world.unit_a) is not None


def test_the_system_actor_may_switch(world):
    switch = storm_switch(
        actor=Actor.system("storm"), service_unit_id=world.unit_b.pk, on=True, reason="otomatis"
    )

    assert switch.actor is None


# --- Storm mode holds per-case notices in favour of the incident's --------------------------


@pytest.fixture
def stormy_incident(world) -> Incident:
    storm_on(world)
    report(customer_on(world.unit_a))
    report(customer_on(world.unit_a))
    return Incident.objects.get()


def verify(world, case):
    case_transition(actor=world.actor(world.agent_a), case_id=case.pk, target="verified")


def test_in_a_storm_a_linked_reports_progress_notice_is_held_not_sent(world, stormy_incident):
    case = stormy_incident.cases.order_by("pk").first()

    verify(world, case)

    (held,) = notices(case, "verified")
    assert (held.status, held.next_attempt_at) == (NotificationStatus.PENDING, None)
    assert held.context["held"] == {
        "storm": storm_state(world.unit_a).pk,
        "incident": stormy_incident.pk,
    }
    assert deliver(held.pk) == "skipped"  # no worker takes it
    assert held.pk not in due_notification_ids(grace=timedelta(0))  # nor the sweep


def test_the_next_incident_notice_supersedes_the_held_one(world, stormy_incident):
    case = stormy_incident.cases.order_by("pk").first()
    verify(world, case)
    incident_set_etr(
        actor=world.actor(world.supervisor_a),
        incident_id=stormy_incident.pk,
        etr=clock.now() + timedelta(hours=3),
    )
    event = stormy_incident.events.get(kind=IncidentEventKind.ETR_SET)

    incident_fan_out(event.pk)

    (held,) = notices(case, "verified")
    etr_notice = notices(case, "incident_etr")[-1]
    assert (held.status, held.superseded_by_id) == (NotificationStatus.SUPERSEDED, etr_notice.pk)
    assert etr_notice.status == NotificationStatus.PENDING
    assert etr_notice.next_attempt_at is not None


def test_what_is_still_held_when_the_storm_ends_is_sent_then(world, stormy_incident):
    case = stormy_incident.cases.order_by("pk").first()
    verify(world, case)

    ended = clock.now()
    with clock.travel(ended):
        storm_switch(
            actor=world.actor(world.supervisor_a),
            service_unit_id=world.unit_a.pk,
            on=False,
            reason="Cuaca membaik",
        )

    (released,) = notices(case, "verified")
    assert (released.status, released.next_attempt_at) == (NotificationStatus.PENDING, ended)
    assert released.context["held"]["incident"] == stormy_incident.pk  # the mark stays
    assert released.pk in due_notification_ids(grace=timedelta(0))


def test_a_unit_still_in_its_own_storm_keeps_holding_when_the_parent_storm_ends(world):
    parent = world.unit_a.parent
    storm_switch(actor=world.actor(world.manager), service_unit_id=parent.pk, on=True, reason="UP3")
    storm_on(world, reason="ULP juga")
    report(customer_on(world.unit_a))
    case = report(customer_on(world.unit_a))
    verify(world, case)

    storm_switch(
        actor=world.actor(world.manager), service_unit_id=parent.pk, on=False, reason="reda"
    )

    (held,) = notices(case, "verified")
    assert held.next_attempt_at is None


def test_receipts_messages_and_unlinked_reports_are_never_held(world, stormy_incident):
    case = stormy_incident.cases.order_by("pk").first()
    reporter = Reporter(name="Sari", contact_kind=ContactKind.EMAIL, contact="sari@example.id")
    billing = factories.open_case(world.unit_a, category_code="tagihan", reporter=reporter)

    case_add_note(
        actor=world.actor(world.agent_a),
        case_id=case.pk,
        note="Regu sedang menuju.",
        to_customer=True,
    )
    verify(world, billing)

    (message,) = notices(case, "message")
    (receipt,) = notices(billing, "received")
    (verified,) = notices(billing, "verified")
    for row in (message, receipt, verified):
        assert row.next_attempt_at is not None
        assert "held" not in row.context


def test_outside_a_storm_linked_reports_get_their_notices_as_before(world):
    reports = [report(customer_on(world.unit_a)) for _ in range(3)]

    verify(world, reports[0])

    (verified,) = notices(reports[0], "verified")
    assert verified.next_attempt_at is not None
    assert "held" not in verified.context


@pytest.mark.parametrize(
    ("kind", "contact", "channel"),
    [
        (ContactKind.WHATSAPP, "+6281377770001", "whatsapp"),
        (ContactKind.EMAIL, "dewi@example.id", "email"),
        (ContactKind.APP, "app-account-77", "app"),
        (ContactKind.FACEBOOK, "7045118932177799", "social"),
        (ContactKind.INSTAGRAM, "17841400000000099", "social"),
        (ContactKind.PHONE, "+6281299990000", "sms"),
    ],
)
def test_in_a_storm_every_channel_gets_the_known_outage_notice_with_its_ticket(
    world, stormy_incident, kind, contact, channel
):
    case = factories.open_case(
        customer=customer_on(world.unit_a),
        reporter=Reporter(name="Pelapor", contact_kind=kind, contact=contact),
    )

    assert case.incident_id == stormy_incident.pk
    (known,) = notices(case, "incident_etr")
    assert (known.channel, known.recipient) == (channel, contact)
    assert case.ticket in known.body
    assert known.next_attempt_at is not None
    (receipt,) = notices(case, "received")
    assert (receipt.status, receipt.superseded_by_id) == (NotificationStatus.SUPERSEDED, known.pk)
