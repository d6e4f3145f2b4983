"""Raw RFC 822 bytes → ``ParsedEmail``. No database access, and no input makes it raise: mail
from the Internet is whatever anyone sends (broken MIME, unknown charsets, 8-bit headers).

We parse with the ``compat32`` policy and decode headers and bodies ourselves: the modern
policy raises on a whole family of malformed headers when a value is read, and we want to keep
whatever we can read of a damaged message rather than lose it to one bad header.
"""

import binascii
import email
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from channels_intake.email.extract import FoundIdentifiers, find_identifiers, find_tickets
from channels_intake.email.text import html_to_text, strip_quoted_reply, tidy

# Bounds against pathological messages (a zip bomb of nested multiparts).
MAX_DEPTH = 12
MAX_PARTS = 200
MAX_TEXT_CHARS = 200_000

_MSGID = re.compile(r"<([^<>\s]{1,250})>")
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto[\s-]?reply|autoreply|out of (?:the )?office|"
    r"balasan otomatis|respons otomatis|abwesenheitsnotiz|r[ée]ponse automatique)\b",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:undeliverable|undelivered mail|delivery status notification|"
    r"mail delivery (?:failed|failure|subsystem)|returned mail|failure notice|"
    r"delivery failure|non[\s-]?remise)",
    re.IGNORECASE,
)
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster", "mail-daemon"})
_PRECEDENCE_AUTO = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})
_SUPPRESS_AUTO = frozenset({"dr", "autoreply", "all", "oof"})


@dataclass(frozen=True)
class EmailAttachment:
    filename: str
    content_type: str  # as declared by the sender; the bytes decide what we accept
    content: bytes
    inline: bool = False


@dataclass(frozen=True)
class BounceReport:
    """What a delivery status notification (RFC 3464) says about a message we sent."""

    original_message_id: str = ""
    recipients: tuple[str, ...] = ()
    action: str = ""  # failed, delayed, delivered, relayed, expanded
    status: str = ""  # e.g. 5.1.1

    @property
    def permanent(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str = ""  # without angle brackets
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    from_address: str = ""  # lower-case addr-spec
    from_name: str = ""
    reply_to: str = ""
    to: tuple[str, ...] = ()
    subject: str = ""
    date: datetime | None = None
    text: str = ""  # the whole readable body
    new_text: str = ""  # the body without quoted history (what the sender wrote now)
    html: str = ""
    attachments: tuple[EmailAttachment, ...] = ()
    # Why no one should answer this message ("" for a person's mail): auto-reply, list, bounce.
    auto_reason: str = ""
    bounce: BounceReport | None = None
    tickets: tuple[str, ...] = ()  # our ticket numbers found in the subject
    identifiers: FoundIdentifiers = field(default_factory=FoundIdentifiers)
    defects: tuple[str, ...] = ()

    @property
    def is_automatic(self) -> bool:
        return bool(self.auto_reason)

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this mail answers, nearest first (In-Reply-To, then References from the
        right: RFC 5322 puts the parent last)."""
        ids: list[str] = []
        for value in (*self.in_reply_to, *reversed(self.references)):
            if value not in ids:
                ids.append(value)
        return tuple(ids)

    @property
    def reply_address(self) -> str:
        return self.reply_to or self.from_address


# --- decoding helpers ------------------------------------------------------------------------


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in the declared charset, falling back sensibly. Latin-1 declarations
    are read as windows-1252, as browsers do: Outlook labels cp1252 text (curly quotes,
    euro sign) as iso-8859-1."""
    declared = (charset or "").strip().strip('"').lower()
    if declared in {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "iso_8859-1"}:
        declared = "windows-1252"
    for candidate in (declared, "utf-8", "windows-1252"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("latin-1")


def _unsurrogate(value: str) -> str:
    """compat32 keeps raw 8-bit header bytes as surrogate escapes; read them as UTF-8 (what
    clients that send 8-bit headers use) or windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    raw = value.encode("ascii", "surrogateescape")
    return decode_bytes(raw, "utf-8")


def decode_header_value(value: object) -> str:
    """A header as text: RFC 2047 encoded words decoded, raw 8-bit bytes understood, folding
    removed."""
    if value is None:
        return ""
    text = _unsurrogate(str(value))
    try:
        chunks = decode_header(text)
    except Exception:  # noqa: BLE001 - a broken encoded word: keep the text as it came
        return _unfold(text)
    out: list[str] = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    # decode_header drops the whitespace between an encoded word and plain text only when
    # both sides are encoded; joining without a separator is RFC 2047's rule.
    return _unfold("".join(out))


def _unfold(text: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def _header(message: Message, name: str) -> str:
    """A header as text (RFC 2047 decoded). Read from the raw items: compat32's ``get``
    turns 8-bit bytes into replacement characters before we could decode them."""
    return decode_header_value(_raw_header(message, name))


def _raw_header(message: Message, name: str) -> str:
    """The undecoded header value (for Message-IDs and addresses)."""
    lname = name.lower()
    for key, value in message.raw_items():
        if key.lower() == lname:
            return _unsurrogate(str(value))
    return ""


def _message_ids(value: str) -> tuple[str, ...]:
    ids = _MSGID.findall(value)
    if not ids and value.strip() and " " not in value.strip():
        ids = [value.strip().strip("<>")]  # some clients omit the brackets
    return tuple(dict.fromkeys(i for i in ids if i))


def _address(value: str) -> tuple[str, str]:
    try:
        name, addr = parseaddr(value)
    except Exception:  # noqa: BLE001
        return "", ""
    addr = addr.strip().lower()
    if "@" not in addr or any(ch.isspace() for ch in addr) or len(addr) > 254:
        addr = ""
    return decode_header_value(name), addr


def _addresses(value: str) -> tuple[str, ...]:
    try:
        pairs = getaddresses([value])
    except Exception:  # noqa: BLE001
        return ()
    return tuple(addr.lower() for _, addr in pairs if "@" in addr and len(addr) <= 254)


def _date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed and parsed.tzinfo else None


def _payload_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except (binascii.Error, ValueError, LookupError, TypeError, AssertionError):
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("ascii", "surrogateescape")
    return b""


def _content_type(part: Message) -> str:
    try:
        value = part.get_content_type()
    except Exception:  # noqa: BLE001
        return "text/plain"
    return value.lower()[:100]


def _param(part: Message, name: str, header: str = "content-type") -> str:
    try:
        value = part.get_param(name, header=header)
    except Exception:  # noqa: BLE001
        return ""
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        try:
            value = email.utils.collapse_rfc2231_value(value)
        except Exception:  # noqa: BLE001
            value = value[2] if len(value) > 2 else ""
    return decode_header_value(value) if value else ""


def _filename(part: Message) -> str:
    name = _param(part, "filename", "content-disposition") or _param(part, "name")
    # Never a path: only the last component, and no control characters.
    name = re.split(r"[\\/]", name)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:200]


def _disposition(part: Message) -> str:
    value = _raw_header(part, "content-disposition")
    return value.split(";", 1)[0].strip().lower()


# --- walking the MIME tree -------------------------------------------------------------------


@dataclass
class _Walk:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[EmailAttachment] = field(default_factory=list)
    delivery_status: list[Message] = field(default_factory=list)
    original_headers: list[Message] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    parts: int = 0


def _walk(part: Message, walk: _Walk, depth: int = 0) -> None:
    walk.parts += 1
    if depth > MAX_DEPTH or walk.parts > MAX_PARTS:
        walk.defects.append("too many or too deeply nested MIME parts; the rest was skipped")
        return
    content_type = _content_type(part)
    if part.is_multipart():
        payload = part.get_payload()
        if content_type == "message/delivery-status":
            walk.delivery_status.extend(p for p in payload if isinstance(p, Message))
            return
        if content_type in ("message/rfc822", "message/global"):
            walk.original_headers.extend(p for p in payload[:1] if isinstance(p, Message))
            return
        for child in payload if isinstance(payload, list) else []:
            if isinstance(child, Message):
                _walk(child, walk, depth + 1)
        return
    if content_type == "text/rfc822-headers":
        raw = _payload_bytes(part)
        walk.original_headers.append(email.message_from_bytes(raw, policy=policy.compat32))
        return
    if content_type == "message/delivery-status":
        # Unparsed (single-part) status: read its header blocks ourselves.
        for block in re.split(rb"\r?\n\r?\n", _payload_bytes(part)):
            walk.delivery_status.append(email.message_from_bytes(block, policy=policy.compat32))
        return
    disposition = _disposition(part)
    filename = _filename(part)
    is_text_body = content_type in ("text/plain", "text/html") and (
        disposition != "attachment" and not (filename and disposition)
    )
    if is_text_body:
        text = decode_bytes(_payload_bytes(part), _param(part, "charset"))[:MAX_TEXT_CHARS]
        (walk.plain if content_type == "text/plain" else walk.html).append(text)
        return
    content = _payload_bytes(part)
    if content:
        walk.attachments.append(
            EmailAttachment(
                filename=filename,
                content_type=content_type,
                content=content,
                inline=disposition == "inline",
            )
        )


def _bounce_report(walk: _Walk) -> BounceReport:
    recipients: list[str] = []
    action = status = ""
    for block in walk.delivery_status:
        recipient = _raw_header(block, "final-recipient") or _raw_header(
            block, "original-recipient"
        )
        if recipient:
            # "rfc822; someone@example.com"
            recipients.append(recipient.split(";", 1)[-1].strip().lower())
        action = action or _raw_header(block, "action").strip().lower()
        status = status or _raw_header(block, "status").strip().split(" ", 1)[0]
    original = ""
    for headers in walk.original_headers:
        ids = _message_ids(_raw_header(headers, "message-id"))
        if ids:
            original = ids[0]
            break
    return BounceReport(
        original_message_id=original,
        recipients=tuple(dict.fromkeys(recipients)),
        action=action[:20],
        status=status[:20],
    )


def auto_reason(
    message: Message, *, from_address: str, subject: str, envelope_from: str | None
) -> str:
    """Why this message must not be answered, following RFC 3834 and what helpdesks check
    (channel-protocols §3.2); "" for mail a person sent."""
    auto_submitted = _raw_header(message, "auto-submitted").split(";", 1)[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"auto-submitted: {auto_submitted[:40]}"
    precedence = _raw_header(message, "precedence").strip().lower()
    if precedence in _PRECEDENCE_AUTO:
        return f"precedence: {precedence}"
    suppress = {
        token.strip().lower()
        for token in _raw_header(message, "x-auto-response-suppress").split(",")
    }
    if suppress & _SUPPRESS_AUTO:
        return "x-auto-response-suppress"
    for name in ("list-id", "list-unsubscribe", "list-post"):
        if _raw_header(message, name):
            return f"mailing list ({name})"
    for name in ("x-loop", "x-autoreply", "x-autorespond", "x-autogenerated", "x-mailer-daemon"):
        if _raw_header(message, name):
            return name
    if envelope_from is not None and envelope_from.strip() in ("", "<>"):
        return "null sender"
    if _raw_header(message, "return-path").strip() == "<>":
        return "null sender"
    if from_address.split("@", 1)[0] in _BOUNCE_SENDERS:
        return "bounce"
    if _AUTO_SUBJECT.match(subject):
        return "auto-reply subject"
    return ""


def parse_email(raw: bytes, *, envelope_from: str | None = None) -> ParsedEmail:
    """Everything Aduan needs from one raw message. ``envelope_from`` is the SMTP MAIL FROM
    when we received it ourselves ("" for a null sender, as bounces use)."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raw = b""
    raw = bytes(raw)
    defects: list[str] = []
    try:
        message = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception as exc:  # noqa: BLE001 - the parser is lenient; keep a marker if not
        return ParsedEmail(defects=(f"unparseable: {type(exc).__name__}",))

    from_name, from_address = _address(_raw_header(message, "from"))
    _, reply_to = _address(_raw_header(message, "reply-to"))
    subject = _header(message, "subject")[:998]
    walk = _Walk()
    try:
        _walk(message, walk)
    except Exception as exc:  # noqa: BLE001 - keep the headers even if the body is beyond us
        defects.append(f"body: {type(exc).__name__}")
    defects.extend(walk.defects)
    defects.extend(type(d).__name__ for d in getattr(message, "defects", [])[:10])

    html = "\n".join(walk.html)
    if any(t.strip() for t in walk.plain):
        text = tidy("\n\n".join(walk.plain))
        new_text = strip_quoted_reply(text)
    else:
        text = html_to_text(html)
        new_text = strip_quoted_reply(html_to_text(html, drop_quotes=True))

    content_type = _content_type(message)
    is_report = content_type == "multipart/report" and (
        _param(message, "report-type").lower() == "delivery-status"
    )
    # Old-style bounces (qmail, some Exchange) are plain text from the mailer daemon.
    is_plain_bounce = from_address.split("@", 1)[0] in _BOUNCE_SENDERS and bool(
        _BOUNCE_SUBJECT.match(subject)
    )
    bounce = _bounce_report(walk) if walk.delivery_status or is_report or is_plain_bounce else None
    reason = "bounce" if bounce else ""
    reason = reason or auto_reason(
        message, from_address=from_address, subject=subject, envelope_from=envelope_from
    )

    return ParsedEmail(
        message_id=next(iter(_message_ids(_raw_header(message, "message-id"))), ""),
        in_reply_to=_message_ids(_raw_header(message, "in-reply-to")),
        references=_message_ids(_raw_header(message, "references")),
        from_address=from_address,
        from_name=from_name[:120],
        reply_to=reply_to,
        to=_addresses(_raw_header(message, "to")),
        subject=subject,
        date=_date(_raw_header(message, "date")),
        text=text,
        new_text=new_text,
        html=html,
        attachments=tuple(walk.attachments),
        auto_reason=reason,
        bounce=bounce,
        tickets=find_tickets(subject),
        identifiers=find_identifiers(subject, new_text),
        defects=tuple(defects),
    )
