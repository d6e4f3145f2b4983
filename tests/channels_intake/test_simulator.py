"""The channel simulator: staff only, on in debug; it signs like the provider and goes through
the real webhooks; the chat shows the bot's replies from the outbox and links the case."""

import pytest

from channels_intake.models import InboundMessage, InboundStatus
from channels_intake.simulator import services
from complaints.models import Case, Notification
from tests.channels_intake.helpers import JPEG

pytestmark = pytest.mark.usefixtures("channel_settings")
SIMULATOR = "/channels/simulator/"


@pytest.fixture
def simulator(settings):
    settings.CHANNEL_SIMULATOR_ENABLED = True
    settings.DEBUG = True  # the make-run default: no app secrets, the development secret signs
    settings.WHATSAPP_APP_SECRET = ""
    settings.META_APP_SECRET = ""
    return settings


def persona(admin_client) -> dict:
    data = {
        "name": "Budi Santoso",
        "whatsapp": "0812-7777-0001",
        "facebook": "7000000000000001",
        "instagram": "17840000000000001",
        "email": "budi@example.com",
    }
    response = admin_client.post(f"{SIMULATOR}persona", data)
    assert response.status_code == 302
    return data


def send(admin_client, channel: str, text: str, **extra):
    return admin_client.post(f"{SIMULATOR}message", {"channel": channel, "text": text, **extra})


def process(admin_client) -> None:
    admin_client.post(f"{SIMULATOR}process")


def test_the_simulator_needs_a_staff_login(client, simulator, world):
    assert client.get(SIMULATOR).status_code == 302
    client.force_login(world.technician_a.user)  # not staff
    response = client.get(SIMULATOR)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_simulator_is_off_unless_enabled(admin_client, settings):
    settings.CHANNEL_SIMULATOR_ENABLED = False

    assert admin_client.get(SIMULATOR).status_code == 404


def test_a_whatsapp_chat_through_the_real_webhook(admin_client, simulator, customer):
    persona(admin_client)

    response = send(admin_client, "whatsapp", "Halo")

    assert response.status_code == 302
    batch = InboundMessage.objects.get(channel="whatsapp")
    assert batch.headers["x-hub-signature-256"].startswith("sha256=")
    assert batch.status == InboundStatus.RECEIVED  # stored; the worker (or "process") runs it
    process(admin_client)
    chat = admin_client.get(f"{SIMULATOR}chat?channel=whatsapp").content.decode()
    assert "Halo" in chat
    assert "selamat datang di layanan pengaduan PLN" in chat
    reply = Notification.objects.get()
    assert reply.recipient == "+6281277770001"


def test_a_report_in_the_simulator_links_the_new_case_in_the_admin(
    admin_client, simulator, customer
):
    persona(admin_client)
    for text in (
        "Halo",
        "1",
        "1",
        customer.id_pelanggan,
        "Budi",
        "Jl. Cikini Raya No. 73",
        "Padam",
    ):
        send(admin_client, "whatsapp", text)
        process(admin_client)
    admin_client.post(
        f"{SIMULATOR}message",
        {"channel": "whatsapp", "text": "", "image": _upload()},
    )
    process(admin_client)

    case = Case.objects.get()
    page = admin_client.get(f"{SIMULATOR}?channel=whatsapp").content.decode()
    assert f'href="/admin/complaints/case/{case.pk}/change/"' in page
    assert case.ticket in page
    assert case.attachments.count() == 1


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("meter.jpg", JPEG, content_type="image/jpeg")


def test_a_facebook_comment_and_its_public_reply(admin_client, simulator, world):
    persona(admin_client)

    admin_client.post(
        f"{SIMULATOR}comment?channel=facebook",
        {"author_name": "Budi", "text": "Listrik padam di Menteng"},
    )
    process(admin_client)

    case = Case.objects.get()
    assert case.channel == "social"
    chat = admin_client.get(f"{SIMULATOR}chat?channel=facebook").content.decode()
    assert "Listrik padam di Menteng" in chat
    assert f"nomor {case.ticket}" in chat
    assert "publik" in chat


def test_an_instagram_dm_runs_the_bot(admin_client, simulator, db):
    persona(admin_client)

    send(admin_client, "instagram", "Halo")
    process(admin_client)

    reply = Notification.objects.get()
    assert (reply.channel, reply.recipient) == ("social", "17840000000000001")


def test_an_email_through_the_email_endpoint(admin_client, simulator, db, settings):
    settings.EMAIL_INBOUND_SECRET = "mail-secret"
    persona(admin_client)

    response = admin_client.post(
        f"{SIMULATOR}email",
        {
            "sender": "budi@example.com",
            "name": "Budi",
            "subject": "Pengaduan Gangguan Listrik",
            "text": "Listrik padam sejak pagi.",
        },
    )

    assert response.status_code == 302
    row = InboundMessage.objects.get(channel="email")
    assert b"Pengaduan Gangguan Listrik" in bytes(row.body)


def test_a_debug_run_without_a_secret_posts_mail_with_the_development_secret(
    admin_client, simulator, db, settings
):
    settings.EMAIL_INBOUND_SECRET = ""  # the make-run default
    persona(admin_client)

    assert services.email_available()
    response = admin_client.post(
        f"{SIMULATOR}email",
        {"sender": "sari@example.com", "name": "Sari", "subject": "Meteran", "text": "Rusak."},
    )

    assert response.status_code == 302
    assert InboundMessage.objects.filter(channel="email").count() == 1


def test_email_is_left_out_while_its_endpoint_has_no_secret(admin_client, simulator, db, settings):
    settings.EMAIL_INBOUND_SECRET = ""
    settings.DEBUG = False

    assert not services.email_available()
    page = admin_client.get(SIMULATOR).content.decode()
    assert "?channel=email" not in page


def test_with_debug_off_and_no_secret_the_webhook_refuses_the_simulator(
    admin_client, simulator, db
):
    simulator.DEBUG = False
    persona(admin_client)

    response = send(admin_client, "whatsapp", "Halo")

    assert InboundMessage.objects.count() == 0
    page = admin_client.get(response["Location"]).content.decode()
    assert "Webhook menolak (503)" in page


def test_the_inbox_admin_links_the_simulator(admin_client, simulator):
    page = admin_client.get("/admin/channels_intake/inboundmessage/").content.decode()

    assert f'href="{SIMULATOR}"' in page


def test_the_outbox_reads_as_chat_threads(admin_client, simulator, db):
    persona(admin_client)
    send(admin_client, "whatsapp", "Halo")
    process(admin_client)

    page = admin_client.get(f"{SIMULATOR}outbox").content.decode()

    assert "whatsapp · +6281277770001" in page
    assert "selamat datang di layanan pengaduan PLN" in page
