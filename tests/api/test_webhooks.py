"""Outbound webhooks: queued with the case change, signed, retried through the outbox, against
a receiver on 127.0.0.1 that checks every signature."""

import json
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from complaints import clock, effects, services, webhooks
from complaints.delivery import deliver
from complaints.incidents import incident_merge, storm_switch
from complaints.models import (
    CaseEvent,
    EventKind,
    Incident,
    Notification,
    NotificationStatus,
    WebhookSubscription,
)
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests import factories
from tests.fakes.base import FakeProvider, Recorded

SECRET = "s3cr3t-for-tests-" + "0" * 47


class FakeReceiver(FakeProvider):
    """An integrator's endpoint: 401 unless the HMAC over the raw body and timestamp checks."""

    def __init__(self, secret: str = SECRET) -> None:
        super().__init__()
        self.secret = secret
        self.accepted: list[dict] = []

    def answer(self, request: Recorded) -> tuple[int, dict]:
        if not webhooks.verify_signature(
            self.secret,
            body=request.body,
            timestamp=request.headers.get("x-aduan-timestamp", ""),
            signature=request.headers.get("x-aduan-signature", ""),
        ):
            return 401, {"error": "bad signature"}
        self.accepted.append(json.loads(request.body))
        return 200, {"ok": True}


@pytest.fixture
def receiver():
    with FakeReceiver() as fake:
        yield fake


def subscribe(url: str, **fields) -> WebhookSubscription:
    return WebhookSubscription.objects.create(
        name=fields.pop("name", "CRM"),
        url=url,
        secret=fields.pop("secret", SECRET),
        created_at=clock.now(),
        **fields,
    )


@pytest.fixture
def desk_case(world):
    # Back-office work: no dispatch runs after commit, so only this test's events are sent.
    return factories.open_case(world.unit_a, category_code="tagihan")


def webhook_rows():
    return Notification.objects.filter(channel=webhooks.CHANNEL).order_by("pk")


def test_subscriber_receives_a_signed_event_after_commit(
    world, desk_case, receiver, eager_tasks, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver.url + "/hooks/aduan", events=["status_changed"])
    with django_capture_on_commit_callbacks(execute=True):
        services.case_transition(
            actor=Actor.staff(world.agent_a), case_id=desk_case.pk, target=CaseStatus.VERIFIED
        )
    assert len(receiver.accepted) == 1
    payload = receiver.accepted[0]
    assert payload["event"] == "case.status_changed"
    assert payload["case"]["ticket"] == desk_case.ticket
    assert payload["change"] == {"from_status": "received", "to_status": "verified"}
    # No personal data in the payload.
    assert "+6281234567890" not in json.dumps(payload)
    row = webhook_rows().get()
    assert row.status == NotificationStatus.SENT
    assert row.recipient == str(subscription.pk)
    request = receiver.requests[0]
    assert request.path == "/hooks/aduan"
    assert request.headers["x-aduan-event"] == "case.status_changed"
    assert request.headers["x-aduan-delivery"] == str(row.pk)
    assert request.headers["content-type"] == "application/json"


def test_the_row_is_written_in_the_changes_transaction(world, desk_case, receiver):
    subscribe(receiver.url)

    @transaction.atomic
    def change_then_fail() -> None:
        event = services.case_add_note(
            actor=Actor.staff(world.agent_a), case_id=desk_case.pk, note="dicek"
        )
        assert webhook_rows().get().event == event  # there, inside the transaction
        raise RuntimeError("the change rolls back")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert not webhook_rows().exists()  # and gone with it


def test_a_refused_delivery_is_retried_with_backoff_and_the_same_delivery_id(
    world, desk_case, receiver, settings, eager_tasks
):
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    subscribe(receiver.url)
    services.case_add_note(actor=Actor.staff(world.agent_a), case_id=desk_case.pk, note="x")
    row = webhook_rows().get()
    receiver.fail_next(503, {"error": "maintenance"})
    assert deliver(row.pk) == NotificationStatus.PENDING
    row.refresh_from_db()
    assert row.attempts == 1
    assert "503" in row.last_error
    assert row.next_attempt_at - clock.now() > timedelta(seconds=25)
    assert deliver(row.pk) == "skipped"  # not due yet
    with clock.travel(row.next_attempt_at + timedelta(seconds=1)):
        assert deliver(row.pk) == NotificationStatus.SENT
    first, second = receiver.requests
    assert first.headers["x-aduan-delivery"] == second.headers["x-aduan-delivery"] == str(row.pk)
    assert len(receiver.accepted) == 1


def test_a_receiver_that_rejects_the_signature_sees_a_retry_not_silence(
    world, desk_case, eager_tasks
):
    with FakeReceiver(secret="another-secret") as wrong:
        subscribe(wrong.url)
        services.case_add_note(actor=Actor.staff(world.agent_a), case_id=desk_case.pk, note="x")
        row = webhook_rows().get()
        assert deliver(row.pk) == NotificationStatus.PENDING
    row.refresh_from_db()
    assert "401" in row.last_error


def test_deactivated_subscription_fails_for_good(world, desk_case, receiver, eager_tasks):
    subscription = subscribe(receiver.url)
    services.case_add_note(actor=Actor.staff(world.agent_a), case_id=desk_case.pk, note="x")
    subscription.active = False
    subscription.save(update_fields=["active"])
    assert deliver(webhook_rows().get().pk) == NotificationStatus.FAILED
    assert receiver.requests == []


def test_subscriptions_choose_event_kinds_and_units(world, desk_case, receiver):
    notes_only = subscribe(receiver.url, name="notes", events=["note"])
    unit_b = subscribe(receiver.url, name="unit B", service_unit=world.unit_b)
    region_a = subscribe(receiver.url, name="region A", service_unit=world.unit_a.parent.parent)
    actor = Actor.staff(world.agent_a)
    services.case_add_note(actor=actor, case_id=desk_case.pk, note="x")
    services.case_transition(actor=actor, case_id=desk_case.pk, target=CaseStatus.VERIFIED)
    sent = {(row.recipient, row.template) for row in webhook_rows()}
    assert sent == {
        (str(notes_only.pk), "note"),
        (str(region_a.pk), "note"),
        (str(region_a.pk), "status_changed"),
    }
    assert not any(row.recipient == str(unit_b.pk) for row in webhook_rows())


def test_loading_history_sends_no_webhooks(world, receiver):
    subscribe(receiver.url)
    with effects.suppressed():
        factories.open_case(world.unit_a)
    assert not webhook_rows().exists()


# --- Issue 8 x 6: case events written by the incident code --------------------------------


def feeder_reports(world, n: int, area_code: str) -> list:
    return [
        factories.open_case(customer=factories.make_customer(world.unit_a, area_code=area_code))
        for _ in range(n)
    ]


def test_incident_linking_and_merging_queue_webhooks_for_every_case(world, receiver, settings):
    settings.INCIDENT_THRESHOLD = 3
    linked = subscribe(receiver.url, name="links", events=["incident_linked"])
    unit_b = subscribe(receiver.url, name="unit B", service_unit=world.unit_b)
    first = feeder_reports(world, 3, "FDR-A")
    second = feeder_reports(world, 3, "FDR-B")
    survivor, duplicate = (Incident.objects.get(area_code=code) for code in ("FDR-A", "FDR-B"))

    incident_merge(
        actor=Actor.staff(world.supervisor_a),
        incident_id=duplicate.pk,
        into_incident_id=survivor.pk,
    )

    rows = list(webhook_rows().filter(recipient=str(linked.pk)))
    # Six links on arrival, three moves by the merge (one bulk queueing).
    assert len(rows) == 9
    payloads = [json.loads(row.body) for row in rows]
    assert {p["event"] for p in payloads} == {"case.incident_linked"}
    moved = [p["case"] for p in payloads[6:]]
    assert sorted(c["id"] for c in moved) == sorted(c.pk for c in second)
    assert {c["incident"] for c in moved} == {survivor.pk}
    assert {p["case"]["id"] for p in payloads[:6]} == {c.pk for c in first + second}
    assert not webhook_rows().filter(recipient=str(unit_b.pk)).exists()


def test_bulk_queueing_takes_the_same_queries_for_any_number_of_events(world, receiver):
    subscribe(receiver.url, events=["note"])
    subscribe(receiver.url, name="region A", service_unit=world.unit_a.parent.parent)
    cases = [factories.open_case(world.unit_a, category_code="tagihan") for _ in range(6)]

    def notes(few: list) -> list[CaseEvent]:
        return CaseEvent.objects.bulk_create(
            CaseEvent(case=case, created_at=clock.now(), kind=EventKind.NOTE, note="x")
            for case in few
        )

    few, many = notes(cases[:2]), notes(cases)
    # Subscriptions (with their units); the cases (with category and unit); one INSERT.
    with CaptureQueriesContext(connection) as two:
        assert len(webhooks.queue_case_events(few)) == 4
    with CaptureQueriesContext(connection) as six:
        assert len(webhooks.queue_case_events(many)) == 12
    assert len(two) == len(six) == 3


def test_pausing_sla_clocks_at_the_end_of_a_storm_queues_webhooks(world, receiver):
    subscription = subscribe(receiver.url, events=["note"])
    storm = Actor.staff(world.supervisor_a)
    with clock.travel(clock.now() - timedelta(hours=1)):
        billing = factories.open_case(world.unit_a, category_code="tagihan")
        storm_switch(actor=storm, service_unit_id=world.unit_a.pk, on=True, reason="Badai")

    storm_switch(actor=storm, service_unit_id=world.unit_a.pk, on=False, reason="Reda")

    (row,) = webhook_rows().filter(recipient=str(subscription.pk))
    assert json.loads(row.body)["case"]["id"] == billing.pk


def test_signature_check_refuses_tampering_and_replays():
    body = b'{"event":"case.note"}'
    now = clock.now()
    timestamp = str(int(now.timestamp()))
    signature = webhooks.sign(SECRET, timestamp, body)
    assert signature.startswith("sha256=")
    assert webhooks.verify_signature(
        SECRET, body=body, timestamp=timestamp, signature=signature, now=now
    )
    assert not webhooks.verify_signature(
        SECRET, body=body + b" ", timestamp=timestamp, signature=signature, now=now
    )
    assert not webhooks.verify_signature(
        SECRET,
        body=body,
        timestamp=timestamp,
        signature=signature,
        now=now + timedelta(minutes=10),
    )


# --- Admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client_logged_in(client, db):
    user = factories.make_user(None, is_superuser=True, is_staff=True)
    client.force_login(user)
    return client


def test_admin_creates_a_subscription_with_a_secret_and_shows_deliveries(
    admin_client_logged_in, world, desk_case, receiver
):
    response = admin_client_logged_in.post(
        "/admin/complaints/webhooksubscription/add/",
        {"name": "CRM", "url": receiver.url, "events": ["note"], "active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert len(subscription.secret) == 64
    assert subscription.secret in response.content.decode()  # shown once, in the message
    services.case_add_note(actor=Actor.staff(world.agent_a), case_id=desk_case.pk, note="x")
    page = admin_client_logged_in.get(
        f"/admin/complaints/webhooksubscription/{subscription.pk}/change/"
    ).content.decode()
    assert "<td>note</td>" in page
    assert f"?channel=webhook&amp;recipient={subscription.pk}" in page
    assert subscription.secret not in page  # masked after creation
    outbox = admin_client_logged_in.get(
        f"/admin/complaints/notification/?channel=webhook&recipient={subscription.pk}"
    )
    assert outbox.status_code == 200
    assert outbox.context["cl"].result_count == 1


def test_admin_issues_api_tokens_and_open311_keys_shown_once(admin_client_logged_in, world):
    from complaints.api.tokens import hash_key
    from complaints.models import ApiToken, Open311Client

    response = admin_client_logged_in.post(
        "/admin/complaints/apitoken/add/",
        {"user": world.agent_a.pk, "name": "CRM"},
        follow=True,
    )
    token = ApiToken.objects.get()
    shown = response.content.decode().split(token.key_prefix, 1)[1].split("<", 1)[0]
    assert token.key_hash == hash_key(token.key_prefix + shown.strip())
    response = admin_client_logged_in.post(
        "/admin/complaints/open311client/add/",
        {"name": "Aplikasi Kota", "active": "on"},
        follow=True,
    )
    client = Open311Client.objects.get()
    assert client.key_prefix.startswith("o311_")
    assert client.key_prefix in response.content.decode()
