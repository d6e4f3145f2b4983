"""Delivering provider payloads to the webhooks as Meta would, and reading what came back."""

import json
from pathlib import Path
from typing import Any

from django.urls import reverse

from channels_intake.models import InboundMessage
from channels_intake.services import inbound_process
from channels_intake.simulator import payloads
from channels_intake.webhooks import meta_signature
from complaints.models import Notification
from tests.channels_intake.conftest import META_SECRET, WHATSAPP_SECRET

FIXTURES = Path(__file__).parent / "fixtures"
WHATSAPP_URL = "/channels/whatsapp/webhook"
META_URL = "/channels/meta/webhook"
WA_ID = "6281234567890"
WA_CONTACT = "+6281234567890"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def body_of(payload: dict | bytes) -> bytes:
    # json.dumps escapes non-ASCII as \uXXXX, exactly as Meta sends (and signs) it.
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


def post_signed(client, url: str, payload: dict | bytes, secret: str, **extra: Any):
    body = body_of(payload)
    return client.post(
        url,
        data=body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": meta_signature(secret, body)},
        **extra,
    )


def deliver(client, url: str, payload: dict | bytes, secret: str) -> InboundMessage:
    """POST like Meta, then run the stored delivery's processing as the worker would (on-commit
    callbacks do not run inside a test transaction)."""
    response = post_signed(client, url, payload, secret)
    assert response.status_code == 200, response.content
    row = InboundMessage.objects.get(pk=response.json()["id"])
    inbound_process(row.pk)
    row.refresh_from_db()
    return row


def deliver_whatsapp(client, payload: dict | bytes) -> InboundMessage:
    return deliver(client, WHATSAPP_URL, payload, WHATSAPP_SECRET)


def deliver_meta(client, payload: dict | bytes) -> InboundMessage:
    return deliver(client, META_URL, payload, META_SECRET)


def replies_to(recipient: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient=recipient)
        .order_by("id")
        .values_list("body", flat=True)
    )


class WhatsAppCustomer:
    """A customer chatting with the bot through the webhook; ``say`` returns the bot's reply."""

    def __init__(self, client, *, wa_id: str = WA_ID, name: str = "Siti Aminah") -> None:
        self.client = client
        self.wa_id = wa_id
        self.name = name
        self.contact = "+" + wa_id

    def _deliver(self, payload: dict) -> str:
        before = Notification.objects.filter(recipient=self.contact).count()
        row = deliver_whatsapp(self.client, payload)
        assert row.status == "processed", row.error
        children = InboundMessage.objects.filter(
            headers__contains={"x-aduan-batch": row.provider_message_id}
        )
        for child in children:
            assert child.status in ("processed", "ignored"), child.error
        bodies = replies_to(self.contact)[before:]
        return "\n---\n".join(bodies)

    def say(self, text: str, *, timestamp: int | None = None) -> str:
        return self._deliver(
            payloads.whatsapp_text(
                wa_id=self.wa_id,
                name=self.name,
                text=text,
                wamid=payloads.new_wamid(),
                timestamp=timestamp,
            )
        )

    def send_photo(self, content: bytes, *, media_id: str, caption: str = "") -> str:
        import hashlib

        return self._deliver(
            payloads.whatsapp_image(
                wa_id=self.wa_id,
                name=self.name,
                media_id=media_id,
                sha256=hashlib.sha256(content).hexdigest(),
                caption=caption,
                wamid=payloads.new_wamid(),
            )
        )


def url(name: str) -> str:
    return reverse(f"channels_intake:{name}")


# The smallest files the attachment check accepts, by their magic bytes.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
