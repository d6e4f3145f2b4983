"""The notification outbox: written with the change, coalesced in the quiet period, delivered
once, moved only forward by provider reports, and put right after a crash."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from complaints import clock
from complaints.delivery import (
    NO_STATUS_RESENT,
    WORKER_LOST_RETRIED,
    WORKER_LOST_UNKNOWN,
    backoff,
    deliver,
    due_notification_ids,
    reconcile_in_flight,
)
from complaints.models import (
    Channel,
    ChannelWindow,
    ContactKind,
    Notification,
    NotificationStatus,
)
from complaints.notifications import (
    RESENT_AS_TEMPLATE,
    note_inbound,
    notification_retry,
    notification_status_update,
    queue_message,
    window_open,
)
from complaints.services import Reporter, case_add_note, case_transition
from complaints.tasks import requeue_pending_notifications
from complaints.workflow import CaseStatus
from config.celery import app
from staff.roles import Actor, Role
from tests import factories

S = NotificationStatus
T0 = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
SYSTEM = Actor.system("test")
FIELD = Actor(roles=frozenset({Role.SUPERVISOR}), label="test:supervisor")
WHATSAPP = Reporter(name="Budi", contact_kind=ContactKind.WHATSAPP, contact="+6281234567890")
PHONE = Reporter(name="Sari", contact_kind=ContactKind.PHONE, contact="+6281398765432")


@pytest.fixture(autouse=True)
def quiet_period(settings):
    settings.NOTIFY_QUIET_SECONDS = 300
    settings.NOTIFY_MAX_ATTEMPTS = 4
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    settings.NOTIFY_RETRY_CAP_SECONDS = 3600
    settings.NOTIFY_SENDING_TIMEOUT = 300
    settings.NOTIFY_RECONCILE_SECONDS = 3600
    settings.NOTIFY_REQUEUE_GRACE_SECONDS = 30


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def open_case(world, reporter: Reporter = WHATSAPP, **fields):
    with clock.travel(T0):
        return factories.open_case(world.unit_a, reporter=reporter, **fields)


def notices(case) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(case=case).order_by("pk").values_list("template", "status")
    )


def notice(case, template: str) -> Notification:
    return Notification.objects.get(case=case, template=template)


def send(notification_id: int, seconds: float) -> str:
    with clock.travel(at(seconds)):
        return deliver(notification_id)


# --- written with the change ---


class Rollback(Exception):
    pass


def verify_then_roll_back(case, seen: list) -> None:
    with transaction.atomic():
        case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)
        seen += notices(case)
        raise Rollback


def test_notice_is_written_in_the_transaction_of_the_change(world):
    case = open_case(world)
    seen: list = []

    with pytest.raises(Rollback):
        verify_then_roll_back(case, seen)

    assert seen == [("received", S.PENDING), ("verified", S.PENDING)]
    assert notices(case) == [("received", S.PENDING)]


def test_delivery_is_enqueued_only_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        case = open_case(world)

    assert notices(case) == [("received", S.PENDING)]
    assert len(callbacks) == 1


def test_queueing_twice_with_one_idempotency_key_writes_one_row(world):
    first = queue_message(
        channel="sms", recipient="+6281398765432", body="Kode 123456", idempotency_key="otp:1"
    )
    again = queue_message(
        channel="sms", recipient="+6281398765432", body="Kode 654321", idempotency_key="otp:1"
    )

    assert again.pk == first.pk
    assert Notification.objects.get().body == "Kode 123456"


def test_notice_uses_the_reporter_language(world):
    english = Reporter(
        name="John", contact_kind=ContactKind.WHATSAPP, contact="+6281200000001", language="en"
    )
    case = open_case(world, reporter=english)

    row = notice(case, "received")
    assert row.language == "en"
    assert row.body.startswith(f"We have received your complaint, ticket number {case.ticket}")
    assert row.context["subject"] == f"[#{case.ticket}] Update on your PLN complaint"


# --- delivery ---


def test_delivering_a_notice_twice_sends_it_once(world):
    case = open_case(world)
    row = notice(case, "received")

    assert send(row.pk, 0) == S.SENT
    assert send(row.pk, 1) == "skipped"

    row.refresh_from_db()
    assert (row.status, row.attempts, row.backend) == (S.SENT, 1, "local")
    assert row.provider_message_id == f"local-{row.pk}"
    assert (row.claimed_at, row.sent_at) == (at(0), at(0))


def test_backoff_doubles_from_the_base_up_to_the_cap(settings):
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    settings.NOTIFY_RETRY_CAP_SECONDS = 600

    assert [backoff(n).total_seconds() for n in range(1, 8)] == [30, 60, 120, 240, 480, 600, 600]


def test_a_retry_is_not_sent_before_its_time(world):
    case = open_case(world)
    row = notice(case, "received")
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=at(60))

    assert send(row.pk, 30) == "skipped"
    assert send(row.pk, 60) == S.SENT


# --- quiet period ---


def test_received_is_sent_at_once_and_the_next_update_waits_for_the_quiet_period(world):
    case = open_case(world)
    assert send(notice(case, "received").pk, 0) == S.SENT

    with clock.travel(at(20)):
        case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)

    verified = notice(case, "verified")
    assert verified.next_attempt_at == at(300)
    assert send(verified.pk, 100) == "skipped"
    assert send(verified.pk, 300) == S.SENT


def test_newest_update_replaces_the_waiting_one_and_is_sent_once_when_the_period_ends(
    world,
):
    case = open_case(world)
    send(notice(case, "received").pk, 0)
    with clock.travel(at(20)):
        case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)
    with clock.travel(at(40)):
        case_transition(
            actor=SYSTEM, case_id=case.pk, target=CaseStatus.ASSIGNED, technician=world.technician_a
        )

    verified, assigned = notice(case, "verified"), notice(case, "assigned")
    assert (verified.status, verified.superseded_by_id) == (S.SUPERSEDED, assigned.pk)
    assert assigned.next_attempt_at == at(300)
    assert send(verified.pk, 300) == "skipped"
    assert send(assigned.pk, 300) == S.SENT
    assert notices(case) == [("received", S.SENT), ("verified", S.SUPERSEDED), ("assigned", S.SENT)]


def test_an_update_after_the_quiet_period_goes_at_once(world):
    case = open_case(world)
    send(notice(case, "received").pk, 0)

    with clock.travel(at(301)):
        case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)

    assert notice(case, "verified").next_attempt_at == at(301)


def test_received_waiting_to_go_is_never_replaced(world):
    case = open_case(world)

    with clock.travel(at(5)):
        case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)

    assert notices(case) == [("received", S.PENDING), ("verified", S.PENDING)]
    assert notice(case, "verified").next_attempt_at == at(300)


def test_a_message_from_an_agent_goes_at_once_and_is_not_replaced(world):
    case = open_case(world)
    send(notice(case, "received").pk, 0)

    with clock.travel(at(10)):
        case_add_note(
            actor=SYSTEM, case_id=case.pk, note="Mohon kirim foto meteran", to_customer=True
        )
    with clock.travel(at(20)):
        case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)

    assert notice(case, "message").next_attempt_at == at(10)
    assert notice(case, "verified").next_attempt_at == at(310)
    assert notices(case) == [("received", S.SENT), ("message", S.PENDING), ("verified", S.PENDING)]


def test_a_bot_reply_about_the_case_waiting_to_go_is_not_replaced(world):
    case = open_case(world)
    send(notice(case, "received").pk, 0)
    with clock.travel(at(10)):
        reply = queue_message(
            channel=Channel.WHATSAPP,
            recipient=case.reporter_contact,
            body="Status pengaduan Anda: Lapor",
            idempotency_key="bot-reply:wamid.X",
            case=case,
        )
        case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)

    assert Notification.objects.get(pk=reply.pk).status == S.PENDING
    assert notice(case, "verified").next_attempt_at == at(310)


def test_a_notice_in_flight_is_not_replaced_and_the_next_waits_from_its_start(world):
    case = open_case(world)
    send(notice(case, "received").pk, 0)
    with clock.travel(at(20)):
        case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)
    verified = notice(case, "verified")
    # A worker took it at 300 and is still talking to the provider.
    Notification.objects.filter(pk=verified.pk).update(status=S.SENDING, claimed_at=at(300))

    with clock.travel(at(310)):
        case_transition(
            actor=SYSTEM, case_id=case.pk, target=CaseStatus.ASSIGNED, technician=world.technician_a
        )

    assert notice(case, "verified").status == S.SENDING
    assert notice(case, "assigned").next_attempt_at == at(600)


def test_no_quiet_period_sends_every_update_at_once(world, settings):
    settings.NOTIFY_QUIET_SECONDS = 0
    case = open_case(world)

    with clock.travel(at(5)):
        case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)

    assert notice(case, "verified").next_attempt_at == at(5)


# --- provider reports ---


def sent_row(world, reporter: Reporter = WHATSAPP) -> Notification:
    case = open_case(world, reporter=reporter)
    row = notice(case, "received")
    send(row.pk, 0)
    Notification.objects.filter(pk=row.pk).update(provider_message_id="wamid.A1")
    row.refresh_from_db()
    return row


def report(status: str, seconds: float, **fields) -> Notification | None:
    fields.setdefault("provider_message_id", "wamid.A1")
    return notification_status_update(
        channel=Channel.WHATSAPP, status=status, at=at(seconds), **fields
    )


def test_status_reports_move_a_notice_forward(world):
    row = sent_row(world)

    report("delivered", 10)
    report("read", 20)

    row.refresh_from_db()
    assert (row.status, row.delivered_at, row.read_at) == (S.READ, at(10), at(20))


def test_a_late_delivered_after_read_does_not_move_it_back(world):
    row = sent_row(world)

    report("read", 20)
    report("delivered", 30)
    report("sent", 40)

    row.refresh_from_db()
    # "read" implies "delivered" (WhatsApp may skip the delivered report).
    assert (row.status, row.delivered_at, row.read_at) == (S.READ, at(20), at(20))


def test_failed_after_delivered_is_ignored_and_delivered_after_failed_wins(world):
    row = sent_row(world)

    report("delivered", 10)
    report("failed", 20, error="131026 undeliverable")
    row.refresh_from_db()
    assert row.status == S.DELIVERED

    Notification.objects.filter(pk=row.pk).update(status=S.FAILED, last_error="timeout")
    report("delivered", 30)
    row.refresh_from_db()
    assert (row.status, row.last_error) == (S.DELIVERED, "")


def test_a_failed_report_records_the_error(world):
    row = sent_row(world)

    report("failed", 10, error="131026 Message undeliverable")

    row.refresh_from_db()
    assert (row.status, row.last_error) == (S.FAILED, "131026 Message undeliverable")


def test_a_report_by_outbox_id_resolves_an_unknown_send_and_stores_the_provider_id(world):
    case = open_case(world)
    row = notice(case, "received")
    Notification.objects.filter(pk=row.pk).update(status=S.UNKNOWN, claimed_at=at(0), attempts=1)

    report("sent", 5, provider_message_id="wamid.B2", notification_id=row.pk)

    row.refresh_from_db()
    assert (row.status, row.provider_message_id, row.sent_at) == (S.SENT, "wamid.B2", at(5))


def test_reports_for_other_channels_unknown_ids_and_unknown_statuses_change_nothing(world):
    row = sent_row(world)

    assert report("delivered", 5, provider_message_id="wamid.OTHER") is None
    assert (
        notification_status_update(
            channel="sms", provider_message_id="wamid.A1", status="delivered"
        )
        is None
    )
    assert report("deleted", 5) is None
    row.refresh_from_db()
    assert row.status == S.SENT


def test_reengagement_failure_sends_the_template_instead(world):
    row = sent_row(world)

    with clock.travel(at(10)):
        report("failed", 10, error="131047 Re-engagement message")

    row.refresh_from_db()
    assert (row.status, row.context["force_template"], row.last_error) == (
        S.PENDING,
        True,
        RESENT_AS_TEMPLATE,
    )
    # Once only: a template that fails too stays failed.
    Notification.objects.filter(pk=row.pk).update(status=S.SENT)
    report("failed", 20, error="131047 Re-engagement message")
    row.refresh_from_db()
    assert row.status == S.FAILED


def test_retrying_failed_notices_gives_them_fresh_attempts(world):
    row = sent_row(world)
    Notification.objects.filter(pk=row.pk).update(status=S.FAILED, attempts=4)

    with clock.travel(at(50)):
        assert notification_retry(notification_ids=[row.pk]) == 1

    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (S.PENDING, 0, at(50))


# --- the 24-hour window ---


def test_the_window_is_open_for_24_hours_after_the_customers_last_message(world):
    note_inbound(channel=Channel.WHATSAPP, sender="6281234567890", at=T0)

    assert window_open(channel=Channel.WHATSAPP, recipient="+6281234567890", at=at(3600))
    assert not window_open(channel=Channel.WHATSAPP, recipient="+6281234567890", at=at(86400))
    assert not window_open(channel=Channel.WHATSAPP, recipient="+6281111111111", at=at(60))


def test_an_older_inbound_message_does_not_move_the_window_back(world):
    note_inbound(channel=Channel.WHATSAPP, sender="+62 812-3456-7890", at=at(100))
    note_inbound(channel=Channel.WHATSAPP, sender="6281234567890", at=at(50))

    assert list(ChannelWindow.objects.values_list("recipient", "last_inbound_at")) == [
        ("6281234567890", at(100))
    ]


# --- crashes and lost tasks ---


def stuck(world, reporter: Reporter, backend: str, *, status=S.SENDING, attempts=1):
    case = open_case(world, reporter=reporter)
    row = notice(case, "received")
    Notification.objects.filter(pk=row.pk).update(
        status=status, backend=backend, claimed_at=at(0), attempts=attempts
    )
    return row


def test_a_whatsapp_send_left_by_a_dead_worker_waits_for_the_status_report(world):
    row = stuck(world, WHATSAPP, "whatsapp")

    assert reconcile_in_flight(now=at(299)).unknown == []
    result = reconcile_in_flight(now=at(301))

    row.refresh_from_db()
    assert result.unknown == [row.pk]
    assert (row.status, row.last_error) == (S.UNKNOWN, WORKER_LOST_UNKNOWN)
    assert send(row.pk, 302) == "skipped"


def test_an_sms_send_left_by_a_dead_worker_is_retried_with_its_idempotency_key(world):
    row = stuck(world, PHONE, "sms")

    result = reconcile_in_flight(now=at(301))

    row.refresh_from_db()
    assert result.retried == [row.pk]
    assert (row.status, row.next_attempt_at, row.last_error) == (
        S.PENDING,
        at(301),
        WORKER_LOST_RETRIED,
    )


def test_an_unknown_send_without_any_status_report_is_sent_again(world):
    row = stuck(world, WHATSAPP, "whatsapp", status=S.UNKNOWN)

    assert reconcile_in_flight(now=at(3599)).resent == []
    result = reconcile_in_flight(now=at(3601))

    row.refresh_from_db()
    assert result.resent == [row.pk]
    assert (row.status, row.last_error) == (S.PENDING, NO_STATUS_RESENT)
    assert send(row.pk, 3601) == S.SENT


def test_an_unknown_send_out_of_attempts_fails_visibly(world):
    row = stuck(world, WHATSAPP, "whatsapp", status=S.UNKNOWN, attempts=4)

    result = reconcile_in_flight(now=at(3601))

    row.refresh_from_db()
    assert result.failed == [row.pk]
    assert row.status == S.FAILED
    assert row.last_error.startswith("Gave up after 4 attempts")


def test_pending_rows_whose_task_was_lost_are_found_after_the_grace(world):
    case = open_case(world)
    row = notice(case, "received")

    with clock.travel(at(29)):
        assert due_notification_ids(grace=timedelta(seconds=30)) == []
    with clock.travel(at(31)):
        assert due_notification_ids(grace=timedelta(seconds=30)) == [row.pk]


@pytest.fixture
def eager_celery():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_the_sweep_delivers_lost_and_crashed_notices(world, eager_celery):
    lost = notice(open_case(world), "received")
    crashed = stuck(world, PHONE, "sms")

    with clock.travel(at(400)):
        assert requeue_pending_notifications() == 2

    assert {row.pk: row.status for row in Notification.objects.all()} == {
        lost.pk: S.SENT,
        crashed.pk: S.SENT,
    }


# --- the outbox in the admin ---


@pytest.fixture
def admin_client_logged_in(client, db):
    user = factories.make_user(username="root", is_superuser=True, is_staff=True)
    client.force_login(user)
    return client


def test_the_admin_outbox_shows_failed_notices_with_their_error_in_fixed_queries(
    world, admin_client_logged_in, django_assert_num_queries
):
    for n in range(3):
        case = open_case(world, reporter=Reporter(contact_kind="phone", contact=f"+6281300{n}"))
        Notification.objects.filter(case=case).update(
            status=S.FAILED, attempts=4, last_error=f"SMS gateway HTTP 500 #{n}"
        )

    # session, user (with the console language: staff.backends), the capped count of the
    # filtered rows, the page of rows with their cases. The filters are fixed lists: no
    # DISTINCT scans.
    with django_assert_num_queries(4):
        response = admin_client_logged_in.get(
            "/admin/complaints/notification/", {"status__exact": "failed"}
        )

    assert response.status_code == 200
    for n in range(3):
        assert f"SMS gateway HTTP 500 #{n}" in response.content.decode()


def test_the_admin_sends_failed_notices_again(world, admin_client_logged_in):
    row = sent_row(world)
    Notification.objects.filter(pk=row.pk).update(status=S.FAILED, attempts=4)

    response = admin_client_logged_in.post(
        "/admin/complaints/notification/",
        {"action": "retry_failed", "_selected_action": [row.pk]},
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == (S.PENDING, 0)
