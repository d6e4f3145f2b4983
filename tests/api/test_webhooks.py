"""Outbound webhooks: queued with the case change, signed, retried through the outbox, against
a receiver on 127.0.0.1 that checks every signature."""

import json
from datetime import timedelta

import pytest
from django.db import transaction

from complaints import clock, effects, services, webhooks
from complaints.delivery import deliver
from complaints.models import Notification, NotificationStatus, WebhookSubscription
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
