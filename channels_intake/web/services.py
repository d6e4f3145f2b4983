"""Taking a web complaint: store what the browser sent, then process it at once so the
confirmation page can show the ticket number. The row is committed before processing starts;
if processing fails the row stays in the inbox (failed, with its reason) for staff."""

import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing

from channels_intake.models import InboundMessage, InboundStatus
from channels_intake.services import inbound_process, inbound_receive
from channels_intake.web.processor import LANGUAGE_FIELD
from channels_intake.web.submission import encode_submission
from complaints.models import Channel

CONFIRMATION_SALT = "channels_intake.web.confirmation"
CONFIRMATION_MAX_AGE = 24 * 3600
_SUBMISSION_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class Receipt:
    reference: int  # the inbox row
    ticket: str  # "" when the complaint could not be processed yet


def submit_web_complaint(
    *,
    fields: Iterable[tuple[str, list[str]]],
    files: Iterable[tuple[str, object]],
    submission_id: str,
    language: str,
    remote_addr: str | None,
) -> Receipt:
    raw = encode_submission([*fields, (LANGUAGE_FIELD, [language])], files)
    # The form's hidden id plus the content: a double click is the same row (and case); the
    # same form edited after "back" and sent again is a new complaint.
    key = (
        f"form:{submission_id}:{hashlib.sha256(raw).hexdigest()[:16]}"
        if _SUBMISSION_ID.match(submission_id)
        else f"form:{uuid.uuid4().hex}"
    )
    message, created = inbound_receive(
        channel=Channel.WEB,
        provider_message_id=key,
        body=raw,
        content_type="application/json",
        remote_addr=remote_addr,
        enqueue=False,
    )
    if created or message.status == InboundStatus.RECEIVED:
        inbound_process(message.pk)
    row = InboundMessage.objects.select_related("case").get(pk=message.pk)
    return Receipt(reference=row.pk, ticket=row.case.ticket if row.case else "")


def confirmation_token(receipt: Receipt) -> str:
    return signing.dumps({"r": receipt.reference, "t": receipt.ticket}, salt=CONFIRMATION_SALT)


def read_confirmation(token: str) -> Receipt | None:
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return Receipt(reference=int(data.get("r") or 0), ticket=str(data.get("t") or ""))
