"""The one way raw mail enters the inbox, shared by the SMTP server and the HTTP endpoint: a
cheap envelope check, the key, and ``inbound_receive``."""

import hashlib
import re
from email import policy
from email.parser import BytesHeaderParser

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from channels_intake.models import InboundMessage
from channels_intake.services import inbound_receive
from complaints.models import Channel

CHANNEL = Channel.EMAIL
NOT_AN_EMAIL = _(
    "Isi permintaan bukan pesan email RFC 822: diperlukan blok header (From, Subject, …) "
    "lalu baris kosong dan isi pesan."
)
# Headers a real message has; one of them must be present before we accept the bytes.
_REQUIRED_ANY = ("from", "message-id", "date", "subject", "received", "sender")
_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:")
_MSGID = re.compile(r"<([!-;=?-~]{1,250})>")


def max_bytes() -> int:
    return settings.EMAIL_INBOUND_MAX_BYTES


def looks_like_email(raw: bytes) -> bool:
    """True when ``raw`` starts with an RFC 822 header block carrying at least one of the
    headers every mail has. Anything else is refused (400) before it is stored."""
    lines = raw.lstrip(b"\r\n").split(b"\n", 2)
    # An mbox "From sender date" envelope line may precede the headers (pipe transports).
    first_line = lines[1] if lines[0].startswith(b"From ") and len(lines) > 1 else lines[0]
    if not raw or not _HEADER_LINE.match(first_line):
        return False
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
    except Exception:  # noqa: BLE001 - unreadable headers are not an email
        return False
    present = {key.lower() for key in headers}
    return any(name in present for name in _REQUIRED_ANY)


def provider_id(raw: bytes) -> str:
    """The inbox key: the Message-ID, or a hash of the bytes for mail without one (the same
    bytes delivered twice are still one row)."""
    value = ""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        for name, raw_value in headers.raw_items():
            if name.lower() == "message-id":
                value = str(raw_value)
                break
    except Exception:  # noqa: BLE001 - no readable Message-ID: the hash keys the row
        value = ""
    # A Message-ID is printable ASCII; anything else in the header is noise.
    match = _MSGID.search("".join(ch for ch in value if " " <= ch <= "~"))
    if match:
        return f"<{match.group(1)}>"
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def receive_email(
    raw: bytes,
    *,
    remote_addr: str | None = None,
    envelope_from: str | None = None,
    envelope_to: list[str] | None = None,
    via: str,
    error: str = "",
) -> tuple[InboundMessage, bool]:
    """Store one raw message; the envelope (SMTP only) goes beside it in ``headers``, since
    a null MAIL FROM is how a bounce announces itself. With ``error`` the delivery is kept as
    failed (authentic but unusable) and not processed."""
    headers: dict[str, str] = {"via": via}
    if envelope_from is not None:
        headers["envelope-from"] = envelope_from[:254]
    if envelope_to:
        headers["envelope-to"] = ", ".join(envelope_to)[:1000]
    return inbound_receive(
        channel=CHANNEL,
        provider_message_id=provider_id(raw),
        body=raw,
        headers=headers,
        content_type="message/rfc822",
        remote_addr=remote_addr,
        error=error,
    )
