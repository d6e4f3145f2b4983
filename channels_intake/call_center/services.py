"""A screen-pop request from the telephony system: kept in the inbox (one row per call id,
so a repeated pop is one row) as the record of the call, and answered with who is calling."""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from channels_intake.models import InboundMessage
from channels_intake.services import inbound_process, inbound_receive
from complaints.models import Channel

# The agent console's phone-complaint page (complaints admin); a fixed path if it is absent.
CONSOLE_URL_NAME = "admin:complaints_case_phone"
CONSOLE_FALLBACK_PATH = "/admin/complaints/case/phone/"


def console_url(*, caller: str, call_id: str) -> str:
    try:
        path = reverse(CONSOLE_URL_NAME)
    except NoReverseMatch:
        path = CONSOLE_FALLBACK_PATH
    query = urlencode({"caller": caller, "call_id": call_id})
    return f"{settings.PUBLIC_BASE_URL}{path}?{query}"


def call_record(
    *, raw: bytes, call_id: str, content_type: str, remote_addr: str | None, error: str = ""
) -> InboundMessage:
    """Store the CTI's request as received; a malformed one is kept as failed."""
    key = (
        f"call:{call_id}" if call_id and not error else "sha256:" + hashlib.sha256(raw).hexdigest()
    )
    message, created = inbound_receive(
        channel=Channel.CALL_CENTER,
        provider_message_id=key,
        body=raw,
        content_type=content_type,
        remote_addr=remote_addr,
        error=error,
        enqueue=False,
    )
    if created and not error:
        inbound_process(message.pk)
    return message
