"""Each provider backend against its fake server on 127.0.0.1, through the real HTTP and SMTP
clients: what goes on the wire, what comes back, and how failures end."""

from datetime import timedelta

import pytest

from complaints import clock
from complaints.delivery import deliver, reconcile_in_flight
from complaints.models import Channel, ContactKind, Notification, NotificationStatus
from complaints.notifications import note_inbound, notification_status_update, queue_message
from complaints.outbound import backend_for, http
from complaints.outbound.base import PermanentFailure
from complaints.outbound.smtp import case_for_message_ids
from complaints.outbound.whatsapp import notification_id_from_callback_data
from complaints.services import Reporter, case_transition
from complaints.workflow import CaseStatus
from staff.roles import Actor, Role
from tests import factories
from tests.fakes.providers import FakeFcm, FakeMetaSend, FakeSmsGateway, FakeWhatsApp
from tests.fakes.smtp import FakeSmtp, free_port

S = NotificationStatus
SYSTEM = Actor.system("test")
SUPERVISOR = Actor(roles=frozenset({Role.SUPERVISOR}), label="test:supervisor")
WA_NUMBER = "+6281234567890"
DLR_SECRET = "dlr-secret"


@pytest.fixture(autouse=True)
def outbox_settings(settings):
    settings.NOTIFY_QUIET_SECONDS = 0
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    settings.NOTIFY_RETRY_CAP_SECONDS = 3600
    settings.OUTBOUND_HTTP_TIMEOUT = 2
    settings.PUBLIC_BASE_URL = "https://aduan.example.id"


def open_case(world, kind: str = ContactKind.WHATSAPP, contact: str = WA_NUMBER, **reporter):
    return factories.open_case(
        world.unit_a,
        reporter=Reporter(name="Budi", contact_kind=kind, contact=contact, **reporter),
    )


def received(case) -> Notification:
    return Notification.objects.get(case=case, template="received")


def reload(row: Notification) -> Notification:
    return Notification.objects.get(pk=row.pk)


def later(seconds: float):
    return clock.travel(clock.now() + timedelta(seconds=seconds))


# --- WhatsApp Cloud API ---


@pytest.fixture
def whatsapp(settings):
    with FakeWhatsApp() as fake:
        settings.WHATSAPP_API_BASE_URL = fake.url
        settings.WHATSAPP_ACCESS_TOKEN = fake.token
        settings.WHATSAPP_PHONE_NUMBER_ID = fake.phone_number_id
        yield fake


def test_whatsapp_inside_the_window_sends_free_text_carrying_the_outbox_id(world, whatsapp):
    note_inbound(channel=Channel.WHATSAPP, sender="6281234567890", at=clock.now())
    case = open_case(world)
    row = received(case)

    assert deliver(row.pk) == S.SENT

    (request,) = whatsapp.requests
    assert request.path == "/1065403522/messages"
    assert request.headers["authorization"] == "Bearer wa-token"
    assert request.json == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "6281234567890",
        "biz_opaque_callback_data": f"aduan-outbox:{row.pk}",
        "type": "text",
        "text": {"preview_url": False, "body": row.body},
    }
    assert notification_id_from_callback_data(request.json["biz_opaque_callback_data"]) == row.pk
    row = reload(row)
    assert (row.status, row.backend, row.provider_message_id) == (
        S.SENT,
        "whatsapp",
        "wamid.FAKE000001",
    )


def test_whatsapp_outside_the_window_sends_the_approved_template(world, whatsapp, settings):
    settings.WHATSAPP_TEMPLATES = {"received": "pengaduan_diterima_v2"}
    case = open_case(world)

    assert deliver(received(case).pk) == S.SENT

    template = whatsapp.requests[0].json["template"]
    assert whatsapp.requests[0].json["type"] == "template"
    assert template == {
        "name": "pengaduan_diterima_v2",
        "language": {"code": "id", "policy": "deterministic"},
        "components": [
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": case.ticket},
                    {"type": "text", "text": "Listrik padam (rumah)"},
                ],
            }
        ],
    }


def test_whatsapp_template_of_the_closed_notice_carries_the_survey_link(world, whatsapp):
    case = open_case(world)
    for target in ("verified", "assigned", "dispatched", "on_site", "resolved", "closed"):
        case_transition(
            actor=SUPERVISOR,
            case_id=case.pk,
            target=target,
            technician=world.technician_a,
            resolution="Kabel diganti",
        )
    closed = Notification.objects.get(case=case, template="closed")

    assert deliver(closed.pk) == S.SENT

    template = whatsapp.requests[0].json["template"]
    assert template["name"] == "aduan_closed"
    ticket, link = (p["text"] for p in template["components"][0]["parameters"])
    assert ticket == case.ticket
    assert link.startswith("https://aduan.example.id/survey/")
    assert link in closed.body


def test_whatsapp_refusing_free_text_for_a_closed_window_gets_the_template(world, whatsapp):
    note_inbound(channel=Channel.WHATSAPP, sender=WA_NUMBER, at=clock.now())
    whatsapp.window_closed = True
    row = received(open_case(world))

    assert deliver(row.pk) == S.SENT

    assert [r.json["type"] for r in whatsapp.requests] == ["text", "template"]
    assert [r.status for r in whatsapp.requests] == [400, 200]
    assert reload(row).attempts == 1


def test_whatsapp_bot_reply_outside_the_window_goes_as_text_and_fails_if_refused(world, whatsapp):
    reply = queue_message(
        channel=Channel.WHATSAPP,
        recipient=WA_NUMBER,
        body="Ketik 1 untuk lapor gangguan",
        idempotency_key="bot-reply:wamid.1",
    )
    assert deliver(reply.pk) == S.SENT

    whatsapp.window_closed = True
    late = queue_message(
        channel=Channel.WHATSAPP,
        recipient=WA_NUMBER,
        body="Ketik 1 untuk lapor gangguan",
        idempotency_key="bot-reply:wamid.2",
    )
    assert deliver(late.pk) == S.FAILED
    assert "131047" in reload(late).last_error
    assert [r.json["type"] for r in whatsapp.requests] == ["text", "text"]


def test_whatsapp_rate_limit_is_retried_with_backoff(world, whatsapp):
    whatsapp.fail_next(429, {"error": {"code": 130429, "message": "Rate limit hit"}})
    row = received(open_case(world))
    started = clock.now()

    with clock.travel(started):
        assert deliver(row.pk) == S.PENDING
    row = reload(row)
    assert (row.attempts, row.next_attempt_at) == (1, started + timedelta(seconds=30))
    assert "130429" in row.last_error

    with clock.travel(started + timedelta(seconds=30)):
        assert deliver(row.pk) == S.SENT
    assert [r.status for r in whatsapp.requests] == [429, 200]


def test_whatsapp_server_errors_end_in_failed_after_the_last_attempt(world, whatsapp):
    whatsapp.fail_next(500, {"error": {"code": 131000, "message": "Something went wrong"}}, times=3)
    row = received(open_case(world))
    started = clock.now()

    outcomes = []
    for wait in (0, 30, 90):
        with clock.travel(started + timedelta(seconds=wait)):
            outcomes.append(deliver(row.pk))

    assert outcomes == [S.PENDING, S.PENDING, S.FAILED]
    row = reload(row)
    assert (row.status, row.attempts, row.next_attempt_at) == (S.FAILED, 3, None)
    assert row.last_error.startswith("Gave up after 3 attempts: WhatsApp HTTP 500 error 131000")
    assert len(whatsapp.requests) == 3


def test_whatsapp_refusal_for_good_fails_at_once(world, whatsapp):
    whatsapp.fail_next(400, {"error": {"code": 131026, "message": "Message undeliverable"}})
    row = received(open_case(world))

    assert deliver(row.pk) == S.FAILED
    assert "131026" in reload(row).last_error


def test_whatsapp_send_without_an_answer_is_not_repeated_but_resolved_by_its_status(
    world, whatsapp, settings
):
    settings.OUTBOUND_HTTP_TIMEOUT = 0.5
    whatsapp.hold_next()
    row = received(open_case(world))

    assert deliver(row.pk) == S.UNKNOWN
    whatsapp.release()
    assert deliver(row.pk) == "skipped"
    assert reconcile_in_flight().resent == []

    # Meta's "sent" status webhook carries our id back.
    wamid, callback = whatsapp.status_webhooks()[0]
    notification_status_update(
        channel=Channel.WHATSAPP,
        provider_message_id=wamid,
        notification_id=notification_id_from_callback_data(callback),
        status="sent",
    )

    row = reload(row)
    assert (row.status, row.provider_message_id) == (S.SENT, wamid)
    assert len(whatsapp.requests) == 1


def test_whatsapp_send_that_never_arrived_is_sent_again_after_the_reconcile_window(
    world, whatsapp, settings
):
    row = received(open_case(world))
    # A worker claimed it and died before its request left.
    Notification.objects.filter(pk=row.pk).update(
        status=S.UNKNOWN, backend="whatsapp", attempts=1, claimed_at=clock.now()
    )

    with later(settings.NOTIFY_RECONCILE_SECONDS + 1):
        assert reconcile_in_flight().resent == [row.pk]
        assert deliver(row.pk) == S.SENT

    row = reload(row)
    assert (row.status, row.attempts) == (S.SENT, 2)
    assert len(whatsapp.requests) == 1


def test_a_provider_that_refuses_connections_is_retried(world, settings):
    settings.WHATSAPP_API_BASE_URL = f"http://127.0.0.1:{free_port()}"
    settings.WHATSAPP_ACCESS_TOKEN = "wa-token"
    settings.WHATSAPP_PHONE_NUMBER_ID = "1065403522"
    row = received(open_case(world))

    assert deliver(row.pk) == S.PENDING
    assert reload(row).last_error.startswith("Cannot connect to 127.0.0.1")


def test_only_http_urls_are_posted_to():
    with pytest.raises(PermanentFailure, match="must be http"):
        http.post_json("file:///etc/passwd", {})


# --- SMS gateway ---


@pytest.fixture
def sms(settings):
    with FakeSmsGateway() as fake:
        settings.SMS_GATEWAY_URL = f"{fake.url}/v1/messages"
        settings.SMS_GATEWAY_TOKEN = fake.token
        settings.SMS_STATUS_TOKEN = DLR_SECRET
        yield fake


def sms_case(world):
    return open_case(world, kind=ContactKind.PHONE, contact="+6281398765432")


def test_sms_is_sent_with_our_idempotency_key_and_reference(world, sms):
    row = received(sms_case(world))

    assert deliver(row.pk) == S.SENT

    (request,) = sms.requests
    assert request.path == "/v1/messages"
    assert request.headers["idempotency-key"] == row.idempotency_key
    assert request.headers["authorization"] == "Bearer sms-token"
    assert request.json == {
        "to": "+6281398765432",
        "from": "PLN123",
        "text": row.body,
        "client_ref": str(row.pk),
        "callback_url": "https://aduan.example.id/channels/sms/status?token=dlr-secret",
    }
    assert reload(row).provider_message_id == "SM00000001"


def test_sms_send_with_a_lost_answer_is_retried_and_the_gateway_sends_it_once(world, sms, settings):
    settings.OUTBOUND_HTTP_TIMEOUT = 0.5
    sms.hold_next()
    row = received(sms_case(world))

    assert deliver(row.pk) == S.PENDING
    sms.release()
    with later(30):
        assert deliver(row.pk) == S.SENT

    assert len(sms.requests) == 2
    assert sms.messages_per_client_ref() == {str(row.pk): 1}
    assert reload(row).provider_message_id == "SM00000001"


def post_report(client, data, *, given: str = DLR_SECRET, **kwargs):
    return client.post(f"/channels/sms/status?token={given}", data, **kwargs)


def test_sms_delivery_report_marks_the_notice_delivered(world, sms, client):
    row = received(sms_case(world))
    deliver(row.pk)

    response = post_report(
        client,
        {"message_id": "SM00000001", "status": "delivered"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json() == {"matched": True, "status": "delivered"}
    assert reload(row).status == S.DELIVERED


def test_sms_failure_report_by_reference_records_the_error(world, sms, client):
    row = received(sms_case(world))
    deliver(row.pk)

    response = post_report(
        client, {"client_ref": str(row.pk), "status": "undelivered", "error_code": "30005"}
    )

    assert response.json() == {"matched": True, "status": "failed"}
    assert reload(row).last_error == "SMS undelivered 30005"


def test_sms_delivery_report_needs_the_shared_secret(world, sms, client):
    response = post_report(client, {"message_id": "SM1", "status": "delivered"}, given="nope")

    assert response.status_code == 403


def test_sms_delivery_reports_are_off_without_a_secret(world, client, settings):
    settings.SMS_STATUS_TOKEN = ""

    response = client.post("/channels/sms/status", {"message_id": "SM1", "status": "delivered"})

    assert response.status_code == 404


def test_sms_delivery_report_for_an_unknown_message_is_acknowledged(world, sms, client):
    response = post_report(client, {"message_id": "SM404", "status": "delivered"})

    assert (response.status_code, response.json()) == (200, {"matched": False, "status": None})


def test_sms_delivery_report_without_a_status_is_refused(world, sms, client):
    response = post_report(client, {"message_id": "SM1"})

    assert response.status_code == 400


# --- e-mail over SMTP ---


@pytest.fixture
def smtp(settings):
    with FakeSmtp() as fake:
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = fake.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.DEFAULT_FROM_EMAIL = "PLN Pengaduan <pengaduan@pln.example.id>"
        yield fake


def email_case(world):
    return open_case(world, kind=ContactKind.EMAIL, contact="budi@example.id")


def test_email_has_the_ticket_in_the_subject_and_our_message_id(world, smtp):
    case = email_case(world)
    row = received(case)

    assert deliver(row.pk) == S.SENT

    ((mail_from, rcpt_tos, message),) = smtp.messages
    assert (mail_from, rcpt_tos) == ("pengaduan@pln.example.id", ["budi@example.id"])
    assert message["Subject"] == f"[#{case.ticket}] Kabar pengaduan PLN Anda"
    assert message["Auto-Submitted"] == "auto-replied"  # the acknowledgement
    assert message["Message-ID"] == reload(row).provider_message_id
    assert message["Message-ID"].startswith(f"<aduan.{row.pk}.")
    assert message["Message-ID"].endswith("@pln.example.id>")
    assert message.get_content().strip() == row.body


def test_later_emails_thread_onto_earlier_ones_and_replies_find_the_case(world, smtp):
    case = email_case(world)
    first = received(case)
    deliver(first.pk)
    case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)
    second = Notification.objects.get(case=case, template="verified")

    deliver(second.pk)

    first_id = reload(first).provider_message_id
    message = smtp.messages[1][2]
    assert (message["In-Reply-To"], message["References"]) == (first_id, first_id)
    assert case_for_message_ids(["<unknown@x>", message["Message-ID"]]) == case


def test_email_refused_recipient_fails_and_a_busy_server_is_retried(world, smtp):
    smtp.reject_recipients.add("budi@example.id")
    refused = received(email_case(world))
    assert deliver(refused.pk) == S.FAILED
    assert "550" in reload(refused).last_error

    smtp.reject_recipients.clear()
    smtp.fail_next = 1
    busy = received(open_case(world, kind=ContactKind.EMAIL, contact="sari@example.id"))
    assert deliver(busy.pk) == S.PENDING
    assert "451" in reload(busy).last_error


# --- push (FCM HTTP v1) ---


@pytest.fixture
def fcm(settings):
    with FakeFcm() as fake:
        settings.FCM_API_URL = fake.send_url
        settings.FCM_ACCESS_TOKEN = fake.token
        yield fake


def app_case(world, device: str = "device-token-1"):
    return open_case(world, kind=ContactKind.APP, contact=device)


def test_push_goes_in_the_fcm_v1_shape(world, fcm):
    case = app_case(world)
    row = received(case)

    assert deliver(row.pk) == S.SENT

    (request,) = fcm.requests
    assert request.path == "/v1/projects/aduan-test/messages:send"
    assert request.json == {
        "message": {
            "token": "device-token-1",
            "notification": {"title": f"Pengaduan {case.ticket}", "body": row.body},
            "data": {"notification_id": str(row.pk), "event": "received", "ticket": case.ticket},
            "android": {
                "priority": "high",
                "collapse_key": f"aduan-{row.pk}",
                "notification": {"tag": f"aduan-{row.pk}"},
            },
            "apns": {"headers": {"apns-collapse-id": f"aduan-{row.pk}", "apns-priority": "10"}},
        }
    }
    assert reload(row).provider_message_id == "projects/aduan-test/messages/0:0000000001"


def test_push_to_an_unregistered_token_fails_and_unavailable_is_retried(world, fcm):
    fcm.unregistered.add("gone-token")
    gone = received(app_case(world, "gone-token"))
    assert deliver(gone.pk) == S.FAILED
    assert "UNREGISTERED" in reload(gone).last_error

    fcm.fail_next(503, {"error": {"code": 503, "status": "UNAVAILABLE"}})
    busy = received(app_case(world, "device-token-2"))
    assert deliver(busy.pk) == S.PENDING


def test_push_to_an_app_account_goes_to_each_of_its_devices(world, fcm):
    from channels_intake.models import AppAccount, PushDevice, PushPlatform
    from complaints import clock

    now = clock.now()
    account = AppAccount.objects.create(
        id_pelanggan="531234567890",
        name="Sari",
        email="sari@example.id",
        phone="+6281211112222",
        created_at=now,
    )
    for token in ("phone-token", "tablet-token"):
        PushDevice.objects.create(
            account=account,
            platform=PushPlatform.choices[0][0],
            token=token,
            created_at=now,
            updated_at=now,
        )
    row = received(app_case(world, str(account.pk)))

    assert deliver(row.pk) == S.SENT

    assert sorted(request.json["message"]["token"] for request in fcm.requests) == [
        "phone-token",
        "tablet-token",
    ]
    assert {request.json["message"]["android"]["collapse_key"] for request in fcm.requests} == {
        f"aduan-{row.pk}"
    }


def test_push_to_an_app_account_without_devices_fails_visibly(world, fcm):
    row = received(app_case(world, "987654"))

    assert deliver(row.pk) == S.FAILED
    assert reload(row).last_error.endswith("no registered device.")
    assert fcm.requests == []


# --- Meta Send API (Messenger / Instagram DMs) ---


@pytest.fixture
def meta(settings):
    with FakeMetaSend() as fake:
        settings.META_API_BASE_URL = fake.url
        settings.META_PAGE_ACCESS_TOKEN = fake.token
        settings.META_MESSAGE_TAG = "ACCOUNT_UPDATE"
        yield fake


def test_social_reply_inside_the_window_is_a_response_with_our_id(world, meta):
    note_inbound(channel=Channel.SOCIAL, sender="psid-42", at=clock.now())
    row = received(open_case(world, kind=ContactKind.FACEBOOK, contact="psid-42"))

    assert deliver(row.pk) == S.SENT

    (request,) = meta.requests
    assert request.path == "/me/messages"
    assert request.json == {
        "recipient": {"id": "psid-42"},
        "message": {"text": row.body, "metadata": f"aduan-outbox:{row.pk}"},
        "messaging_type": "RESPONSE",
    }
    assert reload(row).provider_message_id == "m_FAKE000001"


def test_social_reply_outside_the_window_carries_a_message_tag(world, meta):
    row = received(open_case(world, kind=ContactKind.INSTAGRAM, contact="igsid-7"))

    assert deliver(row.pk) == S.SENT

    body = meta.requests[0].json
    assert (body["messaging_type"], body["tag"]) == ("MESSAGE_TAG", "ACCOUNT_UPDATE")


@pytest.mark.parametrize(
    ("kind", "edge"), [(ContactKind.FACEBOOK, "comments"), (ContactKind.INSTAGRAM, "replies")]
)
def test_a_public_comment_gets_a_public_reply(world, meta, kind, edge):
    row = queue_message(
        channel=Channel.SOCIAL,
        recipient="1789_42",
        body="Terima kasih, laporan Anda kami proses.",
        idempotency_key="public-reply:1789_42",
        template="public_reply",
        context={"contact_kind": kind, "reply_to_comment": "1789_42"},
    )

    assert deliver(row.pk) == S.SENT

    (request,) = meta.requests
    assert (request.path, request.json) == (
        f"/1789_42/{edge}",
        {"message": "Terima kasih, laporan Anda kami proses."},
    )
    assert reload(row).provider_message_id == "1789_42_000001"


def test_x_contacts_are_not_sent_through_meta(world, meta):
    row = received(open_case(world, kind=ContactKind.X, contact="272953809"))

    assert deliver(row.pk) == S.FAILED
    assert meta.requests == []


# --- no provider configured ---


def test_without_a_provider_notices_stay_in_the_local_outbox(world, settings):
    settings.WHATSAPP_ACCESS_TOKEN = ""
    row = received(open_case(world))

    assert deliver(row.pk) == S.SENT

    row = reload(row)
    assert (row.backend, row.provider_message_id) == ("local", f"local-{row.pk}")


def test_each_channel_uses_its_provider_once_configured(whatsapp, sms, fcm, meta, settings):
    settings.EMAIL_HOST = "127.0.0.1"

    assert {
        channel: backend_for(channel).name
        for channel in ("whatsapp", "sms", "email", "app", "social", "call_center")
    } == {
        "whatsapp": "whatsapp",
        "sms": "sms",
        "email": "email",
        "app": "push",
        "social": "social",
        "call_center": "local",
    }
