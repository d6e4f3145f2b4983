"""A whole WhatsApp conversation end to end, against a fake Graph API server on 127.0.0.1:
signed webhook POSTs in, processing and delivery run by their Celery tasks (in process), the
bot's replies leave through the outbox and the WhatsApp backend to the fake, the photo is
downloaded from it, and Meta's status callbacks move the replies forward."""

import hashlib
import json

import pytest

from channels_intake.simulator import payloads
from complaints.models import Attachment, Case, Notification, NotificationStatus
from tests.channels_intake.conftest import ID_PELANGGAN, WHATSAPP_SECRET
from tests.channels_intake.fake_graph import FakeGraph
from tests.channels_intake.helpers import JPEG, WHATSAPP_URL, post_signed

pytestmark = pytest.mark.usefixtures("channel_settings", "eager_tasks")
WA_ID = "6281234567890"


@pytest.fixture
def graph(settings):
    with FakeGraph() as fake:
        settings.WHATSAPP_ACCESS_TOKEN = fake.token
        settings.WHATSAPP_PHONE_NUMBER_ID = fake.phone_number_id
        settings.WHATSAPP_API_BASE_URL = fake.url
        yield fake


class Phone:
    """The customer's phone: sends through Meta's webhook, reads what Meta was asked to send."""

    def __init__(self, client, graph: FakeGraph, capture) -> None:
        self.client, self.graph, self.capture = client, graph, capture

    def _post(self, payload: dict) -> None:
        with self.capture(execute=True):
            response = post_signed(self.client, WHATSAPP_URL, payload, WHATSAPP_SECRET)
        assert response.status_code == 200

    def _new_texts(self, before: int) -> str:
        return "\n---\n".join(self.graph.texts_to(WA_ID)[before:])

    def say(self, text: str) -> str:
        before = len(self.graph.texts_to(WA_ID))
        self._post(
            payloads.whatsapp_text(
                wa_id=WA_ID,
                name="Siti Aminah",
                text=text,
                wamid=payloads.new_wamid(),
                phone_number_id=self.graph.phone_number_id,
            )
        )
        return self._new_texts(before)

    def send_photo(self, media_id: str) -> str:
        before = len(self.graph.texts_to(WA_ID))
        self._post(
            payloads.whatsapp_image(
                wa_id=WA_ID,
                name="Siti Aminah",
                media_id=media_id,
                sha256=hashlib.sha256(JPEG).hexdigest(),
                wamid=payloads.new_wamid(),
                phone_number_id=self.graph.phone_number_id,
            )
        )
        return self._new_texts(before)


def test_a_whatsapp_conversation_end_to_end(
    client, customer, graph, django_capture_on_commit_callbacks
):
    phone = Phone(client, graph, django_capture_on_commit_callbacks)
    graph.add_media("880011223344", JPEG)

    assert "1. Gangguan listrik" in phone.say("Halo")
    assert "Gangguan apa" in phone.say("1")
    assert "ID pelanggan" in phone.say("1")
    assert "bukan ID pelanggan" in phone.say("0000")
    assert "nama lengkap" in phone.say(ID_PELANGGAN)
    assert "alamat lengkap" in phone.say("Siti Aminah")
    assert "Ceritakan" in phone.say("Jl. Cikini Raya No. 73, Menteng, Jakarta Pusat")
    assert "kirim foto" in phone.say("Listrik mati sejak pukul 15.00, tetangga menyala")
    receipt = phone.send_photo("880011223344")

    case = Case.objects.get()
    assert case.ticket in receipt
    assert (case.customer, case.category.code, case.reporter_contact) == (
        customer,
        "padam-rumah",
        "+6281234567890",
    )
    assert Attachment.objects.get(case=case).sha256 == hashlib.sha256(JPEG).hexdigest()
    # What reached Meta: free text (the customer wrote within 24 h), with our outbox id.
    sent = graph.sent[-1]
    assert (sent["type"], sent["to"]) == ("text", WA_ID)
    assert sent["biz_opaque_callback_data"].startswith("aduan-outbox:")
    media_requests = [r.path for r in graph.requests if r.method == "GET"]
    assert media_requests == ["/v21.0/880011223344", "/v21.0/download/880011223344"]
    # Every reply went out once, in order, and nothing is left in the outbox.
    assert Notification.objects.exclude(status=NotificationStatus.SENT).count() == 0
    assert len(graph.texts_to(WA_ID)) == Notification.objects.count() == 9

    # Menu 5 with the ticket from the receipt.
    phone.say("menu")
    phone.say("5")
    assert f"*{case.ticket}*" in phone.say(case.ticket)


def test_status_callbacks_for_the_replies_move_them_to_read(
    client, db, graph, django_capture_on_commit_callbacks
):
    phone = Phone(client, graph, django_capture_on_commit_callbacks)
    phone.say("Halo")
    reply = Notification.objects.get()
    wamid = reply.provider_message_id
    assert wamid.startswith("wamid.FAKEGRAPH")

    status = payloads.whatsapp_status(
        wamid=wamid, status="read", recipient_id=WA_ID, phone_number_id=graph.phone_number_id
    )
    status["entry"][0]["changes"][0]["value"]["statuses"][0]["biz_opaque_callback_data"] = (
        graph.sent[0]["biz_opaque_callback_data"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(client, WHATSAPP_URL, json.dumps(status).encode(), WHATSAPP_SECRET)

    reply.refresh_from_db()
    assert reply.status == NotificationStatus.READ
