"""Stored e-mail → intake. Automatic mail (auto-replies, lists, bounces) is kept and never
answered; a reply to one of our mails or a subject with a ticket continues that case."""

import logging
from email.utils import parseaddr

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from channels_intake.email.classify import guess_category, guess_language
from channels_intake.email.parse import EmailAttachment, ParsedEmail, parse_email
from channels_intake.email.threads import case_for_thread, notification_for_message_id
from channels_intake.intake import (
    MAX_ATTACHMENTS,
    IntakeAttachment,
    IntakeRequest,
    customer_by_contact,
    intake_submit,
)
from channels_intake.models import InboundMessage
from complaints.attachments import inspect_attachment
from complaints.errors import InvalidInput
from complaints.incidents import (
    awaiting_restoration_answer,
    parse_restoration_answer,
    restoration_answer,
)
from complaints.models import Case, Channel, ContactKind
from complaints.services import case_add_note
from staff.roles import Actor

logger = logging.getLogger(__name__)

MAX_DESCRIPTION_CHARS = 8_000
EMPTY_MAIL = _("(Email tanpa isi; lihat lampiran atau pesan mentah di kotak masuk kanal.)")
BOUNCE_NOTE = _(
    "Email ke %(recipients)s tidak terkirim (status %(status)s): alamat pelapor mungkin salah. "
    "Hubungi pelapor lewat kanal lain."
)


def usable_attachments(attachments: tuple[EmailAttachment, ...]) -> tuple[IntakeAttachment, ...]:
    """Photos and PDFs a case can hold (decided by their bytes). Signatures' logos, .ics
    invites and the like stay in the raw message only."""
    usable: list[IntakeAttachment] = []
    for attachment in attachments:
        try:
            inspect_attachment(attachment.content)
        except InvalidInput:
            continue
        usable.append(IntakeAttachment(content=attachment.content, name=attachment.filename))
        if len(usable) == MAX_ATTACHMENTS:
            break
    return tuple(usable)


def describe(parsed: ParsedEmail, *, reply: bool) -> str:
    """A new complaint reads subject + body (customers put the gist in the subject); a reply
    to one of our notices is only what the customer wrote (its subject is ours)."""
    body = parsed.new_text.strip()
    parts = [body or parsed.subject.strip()] if reply else [parsed.subject.strip(), body]
    text = "\n\n".join(part for part in parts if part)
    return (text or str(EMPTY_MAIL))[:MAX_DESCRIPTION_CHARS]


def own_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()


def intake_request(parsed: ParsedEmail, *, provider_message_id: str) -> IntakeRequest:
    found = parsed.identifiers
    id_pelanggan, meter = found.id_pelanggan, found.meter_number
    if not (id_pelanggan or meter) and found.phone:
        # A phone in the text finds a customer the sender's address does not (yet).
        by_phone = customer_by_contact(ContactKind.PHONE, found.phone)
        if by_phone is not None:
            id_pelanggan = by_phone.id_pelanggan
    ticket = parsed.tickets[0] if parsed.tickets else ""
    if not ticket:
        threaded = case_for_thread(parsed.thread_ids)
        ticket = threaded.ticket if threaded else ""
    contact_kind, contact = ContactKind.EMAIL, parsed.reply_address
    if not contact and found.phone:
        contact_kind, contact = ContactKind.PHONE, found.phone
    return IntakeRequest(
        channel=Channel.EMAIL,
        description=describe(parsed, reply=bool(ticket)),
        category_code=guess_category(parsed.subject, parsed.new_text),
        id_pelanggan=id_pelanggan,
        meter_number=meter,
        reporter_name=parsed.from_name,
        contact_kind=contact_kind if contact else "",
        contact=contact,
        language=guess_language(f"{parsed.subject}\n{parsed.new_text}"),
        attachments=usable_attachments(parsed.attachments),
        ticket=ticket,
        provider=Channel.EMAIL,
        provider_message_id=provider_message_id,
    )


def _note_bounce(parsed: ParsedEmail) -> None:
    bounce = parsed.bounce
    if bounce is None or not bounce.permanent:
        return
    notification = notification_for_message_id(bounce.original_message_id)
    if notification is None or notification.case_id is None:
        return
    recipients = ", ".join(bounce.recipients) or notification.recipient
    case_add_note(
        actor=Actor.system("email"),
        case_id=notification.case_id,
        note=str(BOUNCE_NOTE % {"recipients": recipients, "status": bounce.status}),
    )


def restoration_reply(parsed: ParsedEmail, request: IntakeRequest) -> Case | None:
    """A reply to "Listrik sudah menyala? 1 Ya / 2 Tidak" (issue 6): threaded to the case
    that asked (its ticket in the subject, or In-Reply-To one of its mails), from the address
    that was asked, starting with the answer. Returns the case that carries on; None for any
    other mail (it goes to intake as usual). Stricter than a chat: a new complaint mailed the
    day after ("Tidak ada listrik sejak pagi…") must not be taken for an answer."""
    if not request.ticket or request.contact_kind != ContactKind.EMAIL:
        return None
    still_off = parse_restoration_answer(parsed.new_text)
    if still_off is None:
        return None
    case = awaiting_restoration_answer(contact=request.contact)
    if case is None or case.ticket != request.ticket:
        return None
    try:
        return restoration_answer(case=case, still_off=still_off, channel=Channel.EMAIL)
    except InvalidInput:  # answered meanwhile on the web page
        return None


@transaction.atomic
def process_email(message: InboundMessage) -> Case | bool:
    headers = message.headers or {}
    parsed = parse_email(bytes(message.body), envelope_from=headers.get("envelope-from"))
    if parsed.from_address and parsed.from_address == own_address():
        # Our own address as sender (a relay loop or a forgery): never a customer.
        logger.info("email %s comes from our own address: not answered", message.pk)
        return False
    if parsed.is_automatic:
        # RFC 3834: never answer automatic mail (mail loops with other robots); a hard
        # bounce of one of our notices is worth a note for the agent, nothing more.
        logger.info("email %s is automatic (%s): not answered", message.pk, parsed.auto_reason)
        _note_bounce(parsed)
        return False
    request = intake_request(parsed, provider_message_id=message.provider_message_id)
    answered = restoration_reply(parsed, request)
    if answered is not None:
        return answered
    result = intake_submit(request)
    return result.case
