"""Facebook Page and Instagram: comments open a case and get one public reply that repeats no
personal data and invites a DM; DMs run the WhatsApp bot; our own echoes are receipts."""

import json
import re

import pytest

from channels_intake.media import simulated_put
from channels_intake.models import InboundMessage, InboundStatus
from channels_intake.simulator import payloads
from complaints import clock
from complaints.models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
    ChannelWindow,
    ContactKind,
    Notification,
    NotificationStatus,
    Priority,
)
from complaints.services import Reporter, case_assign, case_transition
from staff.roles import Actor
from tests import factories
from tests.channels_intake.conftest import ID_PELANGGAN, META_SECRET
from tests.channels_intake.helpers import (
    JPEG,
    META_URL,
    body_of,
    deliver_meta,
    fixture,
    post_signed,
    replies_to,
)

pytestmark = pytest.mark.usefixtures("channel_settings")
PSID = "7045118932177712"


def test_meta_verification_uses_its_own_token(client, db):
    ok = client.get(
        META_URL,
        {"hub.mode": "subscribe", "hub.verify_token": "meta-verify-token", "hub.challenge": "42"},
    )
    wrong = client.get(
        META_URL,
        {"hub.mode": "subscribe", "hub.verify_token": "wa-verify-token", "hub.challenge": "42"},
    )

    assert (ok.status_code, ok.content, wrong.status_code) == (200, b"42", 403)


def test_a_post_signed_with_another_secret_is_403(client, db):
    response = post_signed(client, META_URL, fixture("meta/page_comment.json"), "test_app_secret")

    assert response.status_code == 403
    assert InboundMessage.objects.count() == 0


def test_a_page_comment_opens_a_case_and_gets_a_public_reply_without_personal_data(client, world):
    payload = fixture("meta/page_comment.json")

    deliver_meta(client, payload)

    case = Case.objects.get()
    assert (case.channel, case.category.code) == ("social", "padam-rumah")
    assert case.reporter_name == "Dewi Lestari"
    assert case.reporter_contact == ""  # status notices never go to a public thread
    assert case.service_unit.kind == "region"  # no customer yet: the triage unit
    reply = Notification.objects.get()
    assert (reply.channel, reply.recipient, reply.case) == (
        "social",
        "1234567890_998877665544",
        case,
    )
    assert reply.context == {
        "contact_kind": "facebook",
        "reply_to_comment": "1234567890_998877665544",
        "public": True,
    }
    assert case.ticket in reply.body
    assert "pesan langsung (DM)" in reply.body
    comment = payload["entry"][0]["changes"][0]["value"]["message"]
    for personal in ("Dewi", "Lestari", ID_PELANGGAN, "Cikini", "73"):
        assert personal in comment or personal in "Dewi Lestari"
        assert personal not in reply.body
    assert not re.search(r"\d{5,}", reply.body.replace(case.ticket, ""))


def test_a_redelivered_comment_opens_nothing_more(client, world):
    deliver_meta(client, fixture("meta/page_comment.json"))

    again = post_signed(client, META_URL, fixture("meta/page_comment.json"), META_SECRET)
    other_batch = fixture("meta/page_comment.json")
    other_batch["entry"][0]["time"] += 1  # same comment, another POST body
    deliver_meta(client, other_batch)

    assert again.json()["status"] == "duplicate"
    assert (Case.objects.count(), Notification.objects.count()) == (1, 1)


def test_our_own_reply_on_the_page_is_not_a_complaint(client, world):
    deliver_meta(client, fixture("meta/page_own_reply.json"))

    assert Case.objects.count() == 0
    row = InboundMessage.objects.get(provider_message_id__startswith="comment:")
    assert row.status == InboundStatus.IGNORED


def test_a_reply_under_a_comment_with_a_case_joins_that_case(client, world):
    deliver_meta(client, fixture("meta/page_comment.json"))
    reply = fixture("meta/page_comment.json")
    value = reply["entry"][0]["changes"][0]["value"]
    value.update(
        comment_id="1234567890_998877665600",
        parent_id="1234567890_998877665544",
        message="Sudah 5 jam belum ada petugas",
    )

    deliver_meta(client, reply)

    case = Case.objects.get()
    event = CaseEvent.objects.get(case=case, kind="customer_message")
    assert event.note == "Sudah 5 jam belum ada petugas"
    assert Notification.objects.count() == 1  # one public reply per thread


@pytest.mark.parametrize("verb", ["edited", "remove", "hide"])
def test_edited_or_removed_comments_open_nothing(client, world, verb):
    payload = fixture("meta/page_comment.json")
    payload["entry"][0]["changes"][0]["value"]["verb"] = verb

    deliver_meta(client, payload)

    assert Case.objects.count() == 0


def test_an_instagram_comment_about_a_hazard_is_an_emergency(client, world):
    deliver_meta(client, fixture("meta/instagram_comment.json"))

    case = Case.objects.get()
    assert (case.category.code, case.priority) == ("bahaya", Priority.EMERGENCY)
    assert case.reporter_name == "dewi.lestari"
    reply = Notification.objects.get()
    assert (reply.recipient, reply.context["contact_kind"]) == ("17865799348089039", "instagram")


def test_a_messenger_dm_runs_the_bot(client, db):
    deliver_meta(client, fixture("meta/messenger_text.json"))

    reply = Notification.objects.get()
    assert (reply.channel, reply.recipient) == ("social", PSID)
    assert reply.context == {"contact_kind": "facebook"}
    assert reply.body.startswith("Halo, selamat datang")
    window = ChannelWindow.objects.get()
    assert (window.channel, window.recipient) == ("social", PSID)


def test_a_quick_reply_payload_is_the_menu_choice(client, db):
    deliver_meta(client, fixture("meta/messenger_text.json"))

    deliver_meta(client, fixture("meta/messenger_quick_reply.json"))

    assert replies_to(PSID)[-1].startswith("Kirim nomor tiket")


def dm(platform: str, sender: str, text: str = "", image_url: str = "") -> dict:
    return payloads.direct_message(
        platform=platform, sender_id=sender, text=text, mid=payloads.new_mid(), image_url=image_url
    )


def test_a_full_report_by_instagram_dm_opens_a_social_case(client, customer):
    sender = "6312345678901234"
    for text in (
        "Halo",
        "1",
        "2",
        ID_PELANGGAN,
        "Siti Aminah",
        "Jl. Cikini Raya No. 73",
        "Padam satu gang",
    ):
        deliver_meta(client, dm("instagram", sender, text))
    simulated_put("igphoto1", JPEG)

    deliver_meta(client, dm("instagram", sender, image_url="simulated:igphoto1"))

    case = Case.objects.get()
    assert (case.channel, case.category.code, case.customer) == ("social", "padam-area", customer)
    assert (case.reporter_contact_kind, case.reporter_contact) == ("instagram", sender)
    assert Attachment.objects.filter(case=case).count() == 1
    receipt = Notification.objects.filter(case=case, template="received").get()
    assert (receipt.channel, receipt.recipient) == ("social", sender)
    assert receipt.context["contact_kind"] == "instagram"


def test_echoes_and_delivery_events_move_our_reply_forward(client, db):
    deliver_meta(client, fixture("meta/messenger_text.json"))
    reply = Notification.objects.get()
    reply.status, reply.sent_at = NotificationStatus.SENDING, None
    reply.save()
    raw = json.dumps(fixture("meta/messenger_echo_and_delivery.json")).replace(
        "OUTBOX_ID", str(reply.pk)
    )

    deliver_meta(client, raw.encode())

    reply.refresh_from_db()
    assert reply.status == NotificationStatus.DELIVERED
    assert reply.provider_message_id == "m_ECHO000000000000001"
    assert Notification.objects.count() == 1  # an echo is never answered


def test_a_dm_with_only_a_voice_note_is_answered_as_unsupported(client, db):
    deliver_meta(client, dm("facebook", PSID, "Halo"))
    voice = dm("facebook", PSID)
    voice["entry"][0]["messaging"][0]["message"]["attachments"] = [
        {"type": "audio", "payload": {"url": "https://cdn.example/voice.mp4"}}
    ]

    deliver_meta(client, voice)

    assert "belum dapat kami proses" in replies_to(PSID)[-1]


def test_a_status_only_batch_is_stored(client, db):
    batch = deliver_meta(client, body_of({"object": "page", "entry": [{"id": "1", "time": 1}]}))

    assert batch.status == InboundStatus.PROCESSED
    assert clock.now() >= batch.received_at


def test_a_messenger_dm_answers_the_restoration_question(client, world, customer):
    """Issue 6: "Tidak" by DM to "Listrik sudah menyala? 1 Ya / 2 Tidak" opens the follow-up."""
    case = factories.open_case(
        customer=customer,
        channel=Channel.SOCIAL,
        reporter=Reporter(name="Siti", contact_kind=ContactKind.FACEBOOK, contact=PSID),
    )
    case_transition(actor=world.actor(world.agent_a), case_id=case.pk, target="verified")
    case_assign(
        actor=world.actor(world.supervisor_a), case_id=case.pk, technician=world.technician_a
    )
    technician = Actor.staff(world.technician_a.user)
    for target in ("dispatched", "on_site", "resolved"):
        case_transition(actor=technician, case_id=case.pk, target=target, resolution="MCB naik")
    assert Notification.objects.filter(recipient=PSID, template="restoration_check").exists()

    deliver_meta(client, dm("facebook", PSID, "Tidak"))

    follow_up = Case.objects.get(follow_up_of=case)
    assert (follow_up.channel, follow_up.reporter_contact) == ("social", PSID)
    bot_reply = Notification.objects.filter(recipient=PSID, template="reply").latest("pk")
    assert follow_up.ticket in bot_reply.body
    assert Case.objects.get(pk=case.pk).status == "closed"
