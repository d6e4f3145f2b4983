"""Processing stored Facebook/Instagram deliveries (``intake`` queue).

A direct message runs the same bot as WhatsApp. A comment on the Page or the Instagram
account opens a case and gets one public reply that repeats nothing the customer wrote (no
name, no ID pelanggan, no address: a comment is public) and invites them to continue by DM.

Replies go through the outbox on channel ``social`` with ``context["contact_kind"]``
(``facebook`` / ``instagram``), as case notices do; a public reply to a comment has the
comment id as recipient and ``context["reply_to_comment"]`` set.
"""

import hashlib

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from channels_intake import media
from channels_intake.bot.engine import BotInput, BotSession, handle_message
from channels_intake.intake import IntakeRequest, guess_category_code, intake_submit
from channels_intake.models import InboundMessage
from channels_intake.services import inbound_process, inbound_receive
from channels_intake.social import parse
from complaints import notifications
from complaints.models import Case, Channel, ContactKind
from complaints.outbound.social import notification_id_from_metadata
from complaints.services import case_add_customer_message
from staff.roles import Actor

CHANNEL = "meta"  # inbox channel of both Facebook and Instagram
CONTACT_KINDS = {parse.FACEBOOK: ContactKind.FACEBOOK, parse.INSTAGRAM: ContactKind.INSTAGRAM}
SIMULATED_MEDIA = "simulated:"
PUBLIC_REPLY = _(
    "Terima kasih, laporan Anda sudah kami catat dengan nomor %(ticket)s. Demi keamanan data "
    "Anda, mohon jangan menuliskan ID pelanggan, nomor meter, alamat, atau nomor telepon di "
    "kolom komentar. Silakan lanjutkan melalui pesan langsung (DM) ke akun ini agar dapat kami "
    "bantu lebih lanjut."
)
UNKNOWN_ROW = "Unknown Meta inbox key: %s"
# "aduan-outbox:" and at most 18 digits (a bigint).
MAX_METADATA_CHARS = 31


def process(row: InboundMessage) -> object:
    key = row.provider_message_id
    if key.startswith(parse.BATCH_KEY):
        return process_batch(row)
    if key.startswith(parse.DM_KEY):
        return process_direct_message(row)
    if key.startswith(parse.COMMENT_KEY):
        return process_comment(row)
    if key.startswith(parse.RECEIPT_KEY):
        return process_receipt(row)
    raise parse.PayloadError(UNKNOWN_ROW % key)


def process_batch(row: InboundMessage) -> None:
    for item in parse.split_batch(bytes(row.body)):
        child, created = inbound_receive(
            channel=row.channel,
            provider_message_id=item.key,
            body=item.body,
            headers={"x-aduan-batch": row.provider_message_id},
            content_type="application/json",
            remote_addr=row.remote_addr,
            enqueue=False,
        )
        if created:
            inbound_process(child.pk)
    return None


def fetch_image(url: str) -> bytes:
    """Messenger/Instagram attachment URLs are plain CDN links (no token). The simulator's
    images live in the local store while no Page token is configured."""
    if url.startswith(SIMULATED_MEDIA) and not settings.META_PAGE_ACCESS_TOKEN:
        return media.simulated_get(url.removeprefix(SIMULATED_MEDIA))
    return media.http_get(url).content


def process_direct_message(row: InboundMessage) -> object:
    message = parse.parse_direct_message(bytes(row.body))
    kind = CONTACT_KINDS.get(message.platform)
    if kind is None or not message.sender_id or message.sender_id == message.page_id:
        return False
    at = message.timestamp or row.received_at
    notifications.note_inbound(channel=Channel.SOCIAL, sender=message.sender_id, at=at)
    photos = tuple(fetch_image(url) for url in message.image_urls)
    result = handle_message(
        BotSession(
            channel=message.platform,
            case_channel=Channel.SOCIAL,
            contact_kind=kind,
            contact=message.sender_id,
        ),
        BotInput(
            message_id=message.mid or row.provider_message_id,
            at=at,
            text=message.text,
            choice=message.choice,
            photos=photos,
            unsupported=message.unsupported,
        ),
    )
    return result.case


def process_comment(row: InboundMessage) -> object:
    comment = parse.parse_comment(bytes(row.body))
    if (
        comment.verb != "add"
        or not comment.text.strip()
        or comment.platform not in CONTACT_KINDS
        # Our own public replies come back as comments of the Page itself.
        or (comment.author_id and comment.author_id == comment.page_id)
    ):
        return False
    parent = _case_of_comment(comment.platform, comment.parent_id) if comment.is_reply else None
    if parent is not None and parent.is_open:
        # A reply under a comment that already has a case belongs to that case.
        case_add_customer_message(
            actor=Actor.customer(Channel.SOCIAL),
            case_id=parent.pk,
            text=comment.text,
            data={"provider": CHANNEL, "comment_id": comment.comment_id},
        )
        return parent
    # No contact: notices never go to a public thread. The customer continues by DM.
    result = intake_submit(
        IntakeRequest(
            channel=Channel.SOCIAL,
            category_code=guess_category_code(comment.text),
            description=comment.text,
            reporter_name=comment.author_name,
            provider=CHANNEL,
            provider_message_id=comment.comment_id,
        )
    )
    case = result.case
    with translation.override("id"):
        body = str(PUBLIC_REPLY) % {"ticket": case.ticket}
    digest = hashlib.sha256(f"{comment.platform}:{comment.comment_id}".encode()).hexdigest()
    # INTEGRATION POINT (outbound delivery, complaints/outbound/social.py): a row with
    # context["reply_to_comment"] is a public reply, to be posted as a comment reply
    # (Facebook: POST /{comment-id}/comments; Instagram: POST /{comment-id}/replies), not
    # through the Send API. Until the backend does that, a configured Page token sends it
    # the wrong way (the row fails, visibly, and can be retried); without one it stays in
    # the local outbox.
    notifications.queue_message(
        channel=Channel.SOCIAL,
        recipient=comment.comment_id,
        body=body,
        idempotency_key=f"public-reply:{digest[:40]}",
        template="public_reply",
        case=case,
        context={
            "contact_kind": CONTACT_KINDS[comment.platform],
            "reply_to_comment": comment.comment_id,
            "public": True,
        },
    )
    return case


def _case_of_comment(platform: str, comment_id: str) -> Case | None:
    row = (
        InboundMessage.objects.select_related("case")
        .filter(
            channel=CHANNEL,
            provider_message_id=f"{parse.COMMENT_KEY}{platform}:{comment_id}:add",
            case__isnull=False,
        )
        .first()
    )
    return row.case if row else None


def process_receipt(row: InboundMessage) -> object:
    receipt = parse.parse_receipt(bytes(row.body))
    metadata = receipt.metadata
    notification = notifications.notification_status_update(
        channel=Channel.SOCIAL,
        status=receipt.status,
        provider_message_id=receipt.mid or None,
        # Bounded first: a forged value must not become a number the database cannot hold.
        notification_id=notification_id_from_metadata(metadata)
        if metadata.isascii() and len(metadata) <= MAX_METADATA_CHARS
        else None,
        at=receipt.timestamp,
    )
    return None if notification is not None else False
