"""The WhatsApp Cloud API webhook on Meta's recorded payloads: verification, signature, limits,
batches, per-message dedupe, interactive replies, media, locations, statuses, user ids."""

import hashlib
import json

import pytest

from channels_intake.models import InboundMessage, InboundStatus
from channels_intake.simulator import payloads
from channels_intake.webhooks import DEV_APP_SECRET, DEV_VERIFY_TOKEN, meta_signature
from complaints import clock
from complaints.models import Attachment, Case, ChannelWindow, Notification, NotificationStatus
from tests.channels_intake.conftest import WHATSAPP_SECRET
from tests.channels_intake.fake_graph import FakeGraph
from tests.channels_intake.helpers import (
    JPEG,
    WA_CONTACT,
    WHATSAPP_URL,
    WhatsAppCustomer,
    body_of,
    deliver_whatsapp,
    fixture,
    post_signed,
    replies_to,
)

pytestmark = pytest.mark.usefixtures("channel_settings")


# --- verification (GET) ------------------------------------------------------------------


def test_meta_verification_echoes_the_challenge(client, db):
    response = client.get(
        WHATSAPP_URL,
        {
            "hub.mode": "subscribe",
            "hub.verify_token": "wa-verify-token",
            "hub.challenge": "1158201444",
        },
    )

    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "wa-verify-token", "hub.challenge": "1"},
        {},
    ],
)
def test_meta_verification_with_a_wrong_token_is_403(client, db, params):
    response = client.get(WHATSAPP_URL, params)

    assert response.status_code == 403
    assert response.json()["error"] == "verification_failed"


def test_without_a_verify_token_only_debug_accepts_the_development_token(client, db, settings):
    settings.WHATSAPP_VERIFY_TOKEN = ""
    params = {"hub.mode": "subscribe", "hub.verify_token": DEV_VERIFY_TOKEN, "hub.challenge": "7"}

    settings.DEBUG = False
    assert client.get(WHATSAPP_URL, params).status_code == 403
    settings.DEBUG = True
    assert client.get(WHATSAPP_URL, params).content == b"7"


# --- POST checks ---------------------------------------------------------------------------


def test_the_documented_test_vector_signature_is_accepted(client, db, settings):
    settings.WHATSAPP_APP_SECRET = "test_app_secret"
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    signature = "sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756"

    response = client.post(
        WHATSAPP_URL,
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )

    assert response.status_code == 200


@pytest.mark.parametrize("signature", [None, "", "sha256=", "sha256=00ff", "sha1=abc", "deadbeef"])
def test_a_bad_or_missing_signature_is_403_and_nothing_is_stored(client, db, signature):
    headers = {"X-Hub-Signature-256": signature} if signature is not None else {}

    response = client.post(
        WHATSAPP_URL,
        data=body_of(fixture("whatsapp/text.json")),
        content_type="application/json",
        headers=headers,
    )

    assert response.status_code == 403
    assert response.json()["error"] == "bad_signature"
    assert InboundMessage.objects.count() == 0


def test_the_signature_covers_the_raw_bytes_as_meta_sends_them(client, db):
    payload = fixture("whatsapp/text.json")
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = "Ayu Ä Ölçer 🙂"
    escaped = json.dumps(payload).encode()  # what Meta sends: \u00c4 …
    unescaped = json.dumps(payload, ensure_ascii=False).encode()
    signature = meta_signature(WHATSAPP_SECRET, escaped)

    good = client.post(
        WHATSAPP_URL,
        data=escaped,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )
    reserialized = client.post(
        WHATSAPP_URL,
        data=unescaped,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )

    assert (good.status_code, reserialized.status_code) == (200, 403)
    assert bytes(InboundMessage.objects.get().body) == escaped


def test_an_oversize_body_is_413_with_a_json_error(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"object": "whatsapp_business_account", "pad": "x" * 2000}).encode()

    response = post_signed(client, WHATSAPP_URL, body, WHATSAPP_SECRET)

    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert InboundMessage.objects.count() == 0


def test_signed_malformed_json_is_400_and_kept_as_failed(client, db):
    body = b'{"object": "whatsapp_business_account", "entry": [}'

    response = post_signed(client, WHATSAPP_URL, body, WHATSAPP_SECRET)

    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    row = InboundMessage.objects.get()
    assert (bytes(row.body), row.status) == (body, InboundStatus.FAILED)
    assert row.error.startswith("Body is not valid JSON")


def test_a_json_array_is_400(client, db):
    response = post_signed(client, WHATSAPP_URL, b"[1, 2]", WHATSAPP_SECRET)

    assert response.status_code == 400


def test_a_wrong_content_type_is_415(client, db):
    body = body_of(fixture("whatsapp/text.json"))

    response = client.post(
        WHATSAPP_URL,
        data=body,
        content_type="text/plain",
        headers={"X-Hub-Signature-256": meta_signature(WHATSAPP_SECRET, body)},
    )

    assert response.status_code == 415
    assert InboundMessage.objects.get().status == InboundStatus.FAILED


def test_with_debug_off_and_no_app_secret_the_webhook_refuses(client, db, settings):
    settings.WHATSAPP_APP_SECRET = ""
    settings.DEBUG = False
    body = body_of(fixture("whatsapp/text.json"))

    response = post_signed(client, WHATSAPP_URL, body, DEV_APP_SECRET)

    assert response.status_code == 503
    assert response.json()["error"] == "not_configured"
    assert InboundMessage.objects.count() == 0


def test_with_debug_on_and_no_app_secret_the_development_secret_signs(client, db, settings):
    settings.WHATSAPP_APP_SECRET = ""
    settings.DEBUG = True

    assert (
        post_signed(client, WHATSAPP_URL, fixture("whatsapp/text.json"), DEV_APP_SECRET).status_code
        == 200
    )
    assert post_signed(client, WHATSAPP_URL, {"x": 1}, "another").status_code == 403


def test_only_get_and_post_are_allowed(client, db):
    assert client.put(WHATSAPP_URL).status_code == 405


# --- batches and dedupe ------------------------------------------------------------------


def test_every_message_and_status_of_a_batch_is_handled(client, db):
    batch = deliver_whatsapp(client, fixture("whatsapp/batch.json"))

    keys = set(
        InboundMessage.objects.exclude(pk=batch.pk).values_list("provider_message_id", flat=True)
    )
    assert keys == {
        "msg:wamid.BATCH0000000001",
        "msg:wamid.BATCH0000000002",
        "msg:wamid.BATCH0000000003",
        "status:wamid.OUTBOUND000003:delivered",
    }
    # Three customers, three greetings; the status was not one of ours.
    for contact in ("+6281234567890", "+6281398765432", "+6282198765432"):
        assert replies_to(contact)[0].startswith("Halo, selamat datang")
    status_row = InboundMessage.objects.get(provider_message_id__startswith="status:")
    assert status_row.status == InboundStatus.IGNORED


def test_a_message_redelivered_in_another_batch_is_not_processed_twice(client, db):
    message = payloads.whatsapp_text(
        wa_id="6281234567890", name="Siti", text="Halo", wamid="wamid.ONCE"
    )
    deliver_whatsapp(client, message)
    # Meta retries with the message batched next to a new one: another body, same wamid.
    rebatched = json.loads(json.dumps(message))
    value = rebatched["entry"][0]["changes"][0]["value"]
    value["messages"].append({**value["messages"][0], "id": "wamid.NEW", "text": {"body": "1"}})

    deliver_whatsapp(client, rebatched)

    assert InboundMessage.objects.filter(provider_message_id="msg:wamid.ONCE").count() == 1
    replies = replies_to(WA_CONTACT)
    assert len(replies) == 2  # greeting once, then the answer to "1"
    assert replies[1].startswith("Gangguan apa")


def test_a_retried_batch_never_opens_a_second_case(client, customer):
    siti = WhatsAppCustomer(client)
    for text in ("Halo", "1", "1", "541100000001", "Siti Aminah", "Jl. Cikini Raya 73", "Padam"):
        siti.say(text)
    last = payloads.whatsapp_text(wa_id=siti.wa_id, name="Siti", text="lewati", wamid="wamid.LAST")
    deliver_whatsapp(client, last)

    retry = post_signed(client, WHATSAPP_URL, last, WHATSAPP_SECRET)

    assert retry.json()["status"] == "duplicate"
    assert Case.objects.count() == 1


def test_messages_for_another_business_number_are_left_out(client, db, settings):
    settings.WHATSAPP_PHONE_NUMBER_ID = "999999999"

    deliver_whatsapp(client, fixture("whatsapp/text.json"))

    assert InboundMessage.objects.count() == 1  # only the batch
    assert Notification.objects.count() == 0


# --- message kinds ----------------------------------------------------------------------------


def test_an_interactive_list_reply_is_a_menu_choice(client, db):
    WhatsAppCustomer(client).say("Halo")

    deliver_whatsapp(client, fixture("whatsapp/interactive_list_reply.json"))

    assert replies_to(WA_CONTACT)[-1].startswith("Kirim nomor tiket")


def test_a_button_reply_is_a_menu_choice(client, db):
    WhatsAppCustomer(client).say("Halo")

    deliver_whatsapp(client, fixture("whatsapp/button_reply.json"))

    assert replies_to(WA_CONTACT)[-1].startswith("Gangguan apa")


def test_a_shared_location_answers_the_address_question(client, customer):
    siti = WhatsAppCustomer(client)
    for text in ("Halo", "1", "1", "541100000001", "Siti Aminah"):
        siti.say(text)

    deliver_whatsapp(client, fixture("whatsapp/location.json"))
    siti.say("Listrik padam")
    siti.say("lewati")

    case = Case.objects.get()
    assert (case.latitude, case.longitude) == (-6.1896, 106.841)
    assert case.location_text == "Rumah, Jl. Cikini Raya No. 73, Jakarta Pusat"


def test_an_image_is_downloaded_at_once_through_the_graph_api(client, customer, settings):
    with FakeGraph() as graph:
        settings.WHATSAPP_ACCESS_TOKEN = graph.token
        settings.WHATSAPP_API_BASE_URL = graph.url
        graph.add_media("1234567890123456", JPEG)
        siti = WhatsAppCustomer(client)
        for text in (
            "Halo",
            "3",
            "1",
            "541100000001",
            "Siti Aminah",
            "Jl. Cikini Raya 73",
            "PERIKSA",
        ):
            siti.say(text)

        deliver_whatsapp(client, fixture("whatsapp/image.json"))

    media_info, download = [r for r in graph.requests if r.method == "GET"]
    assert media_info.path == "/v21.0/1234567890123456"
    assert download.path == "/v21.0/download/1234567890123456"
    assert {r.headers["authorization"] for r in (media_info, download)} == {
        "Bearer graph-test-token"
    }
    attachment = Attachment.objects.get(case=Case.objects.get())
    assert attachment.sha256 == hashlib.sha256(JPEG).hexdigest()


def test_a_sender_with_a_user_id_and_no_phone_number_is_answered_by_user_id(client, db):
    deliver_whatsapp(client, fixture("whatsapp/username_without_phone.json"))

    reply = Notification.objects.get()
    assert (reply.channel, reply.recipient) == ("whatsapp", "ID.13491208655302741918")
    assert reply.body.startswith("Halo, selamat datang")


def test_every_customer_message_opens_the_24_hour_window(client, db):
    deliver_whatsapp(client, fixture("whatsapp/text.json"))

    window = ChannelWindow.objects.get()
    assert (window.channel, window.recipient) == ("whatsapp", "6281234567890")
    assert window.last_inbound_at.timestamp() == 1749416383


# --- statuses ---------------------------------------------------------------------------------


def _outbound(wamid: str, status: str = NotificationStatus.SENT) -> Notification:
    now = clock.now()
    return Notification.objects.create(
        idempotency_key=f"test:{wamid}",
        channel="whatsapp",
        recipient=WA_CONTACT,
        template="reply",
        body="Halo",
        status=status,
        provider_message_id=wamid,
        created_at=now,
        sent_at=now,
    )


def test_statuses_only_move_a_notice_forward_whatever_their_order(client, db):
    notice = _outbound("wamid.OUTBOUND000001")

    # One POST with read, delivered, sent — in that (wrong) order.
    deliver_whatsapp(client, fixture("whatsapp/status_sent_delivered_read.json"))

    notice.refresh_from_db()
    assert notice.status == NotificationStatus.READ
    assert notice.delivered_at is not None
    assert notice.read_at is not None
    keys = set(
        InboundMessage.objects.filter(provider_message_id__startswith="status:").values_list(
            "provider_message_id", flat=True
        )
    )
    assert keys == {f"status:wamid.OUTBOUND000001:{s}" for s in ("sent", "delivered", "read")}


def test_a_failed_status_marks_the_notice_failed_with_the_error(client, db):
    notice = _outbound("wamid.OUTBOUND000002")

    deliver_whatsapp(client, fixture("whatsapp/status_failed.json"))

    notice.refresh_from_db()
    assert notice.status == NotificationStatus.FAILED
    assert notice.last_error == "131026 Message undeliverable: Message could not be delivered"


def test_a_status_only_webhook_is_stored_too(client, db):
    batch = deliver_whatsapp(client, fixture("whatsapp/status_failed.json"))

    assert batch.status == InboundStatus.PROCESSED
    assert bytes(batch.body) == body_of(fixture("whatsapp/status_failed.json"))
