"""Processing stored WhatsApp deliveries (runs in the ``intake`` queue).

A stored POST (``batch:<sha256>``) is split into one inbox row per message (``msg:<wamid>``)
and per status (``status:<wamid>:<status>``), each processed at once and in order; a message
already in the inbox (a retried or re-batched delivery) is skipped, so it never opens a second
case or gets a second reply. A failing message fails its own row, not its neighbours.
"""

from django.conf import settings

from channels_intake.bot.engine import BotInput, BotSession, handle_message
from channels_intake.intake import whatsapp_phone
from channels_intake.models import InboundMessage
from channels_intake.services import inbound_process, inbound_receive
from channels_intake.whatsapp import parse
from channels_intake.whatsapp.graph import download_media
from complaints import notifications
from complaints.models import Channel, ContactKind
from complaints.outbound.whatsapp import notification_id_from_callback_data

CHANNEL = Channel.WHATSAPP  # inbox channel name and case channel
MEDIA_TYPES = frozenset({"image", "document"})
# Understood but not answered: a reaction, a system notice (new user id), an order.
SILENT_TYPES = frozenset({"reaction", "system", "order", "ephemeral", "request_welcome"})
UNKNOWN_ROW = "Unknown WhatsApp inbox key: %s"
# "aduan-outbox:" and at most 18 digits (a bigint).
MAX_CALLBACK_CHARS = 31


def process(row: InboundMessage) -> object:
    key = row.provider_message_id
    if key.startswith(parse.BATCH_KEY):
        return process_batch(row)
    if key.startswith(parse.MESSAGE_KEY):
        return process_message(row)
    if key.startswith(parse.STATUS_KEY):
        return process_status(row)
    raise parse.PayloadError(UNKNOWN_ROW % key)


def process_batch(row: InboundMessage) -> None:
    items = parse.split_batch(bytes(row.body), phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID)
    for item in items:
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


def session_for(sender: parse.Sender) -> BotSession | None:
    """The customer's address: the E.164 number, or the WhatsApp user id (BSUID) of a user
    who shows no number. None: nobody we could answer."""
    if sender.wa_id:
        contact = whatsapp_phone(sender.wa_id)
    elif sender.user_id:
        contact = sender.user_id
    else:
        return None
    return BotSession(
        channel=CHANNEL,
        case_channel=Channel.WHATSAPP,
        contact_kind=ContactKind.WHATSAPP,
        contact=contact,
        profile_name=sender.name,
    )


def process_message(row: InboundMessage) -> object:
    message = parse.parse_message(bytes(row.body))
    session = session_for(message.sender)
    if session is None or message.type in SILENT_TYPES:
        return False
    at = message.timestamp or row.received_at
    # The 24-hour customer-service window opens with every customer message.
    notifications.note_inbound(channel=Channel.WHATSAPP, sender=session.contact, at=at)
    photos: tuple[bytes, ...] = ()
    if message.type in MEDIA_TYPES and message.media_id:
        # Now, not later: the download URL expires in minutes. A failure fails this row,
        # which can be re-processed while the media id lives (7 days).
        photos = (download_media(message.media_id, expected_sha256=message.media_sha256),)
    understood = message.type in {"text", "interactive", "button", "location"} | MEDIA_TYPES
    result = handle_message(
        session,
        BotInput(
            message_id=message.id or row.provider_message_id,
            at=at,
            text=message.text or message.caption,
            choice=message.choice,
            photos=photos,
            latitude=message.latitude,
            longitude=message.longitude,
            location_text=message.location_text,
            unsupported=not understood,
        ),
    )
    return result.case


def process_status(row: InboundMessage) -> object:
    status = parse.parse_status(bytes(row.body))
    notification = notifications.notification_status_update(
        channel=Channel.WHATSAPP,
        status=status.status,
        provider_message_id=status.id or None,
        # Our outbox id, sent along as biz_opaque_callback_data: finds the row even when the
        # send crashed before the wamid was stored.
        notification_id=outbox_id(status.callback_data),
        error=status.error,
        at=status.timestamp,
    )
    # Not one of our notices (or a status that means nothing to us): kept, marked ignored.
    return None if notification is not None else False


def outbox_id(callback_data: str) -> int | None:
    # Bounded first: a forged value must not become a number the database cannot hold.
    if not callback_data.isascii() or len(callback_data) > MAX_CALLBACK_CHARS:
        return None
    return notification_id_from_callback_data(callback_data)
