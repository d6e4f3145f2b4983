"""WhatsApp Cloud API webhook bodies → frozen dataclasses. Pure: no database, no network, and
no input makes it raise anything but ``PayloadError``.

One POST may batch many entries, changes, messages and statuses (Meta batches up to 1000
updates); ``split_batch`` hands each one out as an ``Item`` with its own inbox key — the wamid
for a message, (wamid, status) for a status — so a retried or re-batched delivery never
processes a message twice. An item carries its envelope (the receiving number, the sender's
profile), so it can be parsed on its own later.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels_intake.payload import (
    PayloadError,
    as_dict,
    as_float,
    as_list,
    as_str,
    canonical_json,
    content_hash,
    load_json,
    unix_time,
)

OBJECT = "whatsapp_business_account"
MESSAGE_KEY = "msg:"
STATUS_KEY = "status:"
BATCH_KEY = "batch:"

NOT_WHATSAPP = "Not a WhatsApp Business webhook (object=%r)."
NOT_AN_ITEM = "Not a WhatsApp webhook item."


@dataclass(frozen=True)
class Item:
    key: str  # inbox key: "msg:<wamid>" or "status:<wamid>:<status>"
    body: bytes  # the item with its envelope, as JSON


@dataclass(frozen=True)
class Sender:
    wa_id: str = ""  # the phone number, digits without "+"; empty for a username-only user
    user_id: str = ""  # business-scoped user id (BSUID): present when there is no number
    name: str = ""  # WhatsApp profile name


@dataclass(frozen=True)
class Message:
    id: str
    type: str
    sender: Sender
    phone_number_id: str = ""
    timestamp: datetime | None = None
    text: str = ""
    choice: str = ""  # id of an interactive list/button reply or a template button payload
    media_id: str = ""
    media_mime: str = ""
    media_sha256: str = ""
    caption: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_text: str = ""
    context_id: str = ""  # the message this one answers


@dataclass(frozen=True)
class Status:
    id: str  # wamid of our outbound message
    status: str  # sent, delivered, read, failed, …
    recipient: str = ""
    timestamp: datetime | None = None
    error: str = ""  # "131047 Re-engagement message: …"
    callback_data: str = ""  # biz_opaque_callback_data we set when sending


# --- the batch ---------------------------------------------------------------------------


def split_batch(body: bytes, *, phone_number_id: str = "") -> list[Item]:
    """Every message and status in one POST, in order. ``phone_number_id``: when set, changes
    for another business number (same app) are left out."""
    payload = load_json(body)
    if not isinstance(payload, dict) or payload.get("object") != OBJECT:
        kind = payload.get("object") if isinstance(payload, dict) else type(payload).__name__
        raise PayloadError(NOT_WHATSAPP % (as_str(kind, 100),))
    items: list[Item] = []
    for entry in as_list(payload.get("entry")):
        for change in as_list(as_dict(entry).get("changes")):
            change = as_dict(change)
            if change.get("field") != "messages":
                continue
            value = as_dict(change.get("value"))
            metadata = as_dict(value.get("metadata"))
            if phone_number_id and as_str(metadata.get("phone_number_id")) != phone_number_id:
                continue
            contacts = [as_dict(c) for c in as_list(value.get("contacts"))]
            for message in as_list(value.get("messages")):
                message = as_dict(message)
                if not message:
                    continue
                item = {
                    "kind": "message",
                    "metadata": metadata,
                    "contact": _contact_for(message, contacts),
                    "message": message,
                }
                wamid = as_str(message.get("id"), 200)
                items.append(
                    Item(key=MESSAGE_KEY + (wamid or content_hash(item)), body=canonical_json(item))
                )
            for status in as_list(value.get("statuses")):
                status = as_dict(status)
                if not status:
                    continue
                item = {"kind": "status", "metadata": metadata, "status": status}
                wamid = as_str(status.get("id"), 200)
                name = as_str(status.get("status"), 30)
                key = f"{wamid}:{name}" if wamid else content_hash(item)
                items.append(Item(key=STATUS_KEY + key, body=canonical_json(item)))
    return items


def _contact_for(message: dict, contacts: list[dict]) -> dict:
    """The contacts[] entry of this message's sender (by wa_id or user id), else the only one."""
    sender = as_str(message.get("from"))
    sender_user = as_str(message.get("from_user_id"))
    for contact in contacts:
        if sender and as_str(contact.get("wa_id")) == sender:
            return contact
        if sender_user and as_str(contact.get("user_id")) == sender_user:
            return contact
    return contacts[0] if len(contacts) == 1 else {}


# --- one item ----------------------------------------------------------------------------


def _item(body: bytes, kind: str) -> dict:
    item = load_json(body)
    if not isinstance(item, dict) or item.get("kind") != kind:
        raise PayloadError(NOT_AN_ITEM)
    return item


def parse_message(body: bytes) -> Message:
    item = _item(body, "message")
    message = as_dict(item.get("message"))
    contact = as_dict(item.get("contact"))
    profile = as_dict(contact.get("profile"))
    kind = as_str(message.get("type"), 40)
    sender = Sender(
        wa_id=as_str(message.get("from"), 40) or as_str(contact.get("wa_id"), 40),
        user_id=as_str(message.get("from_user_id"), 256) or as_str(contact.get("user_id"), 256),
        name=as_str(profile.get("name"), 120),
    )
    fields: dict[str, Any] = {}
    if kind == "text":
        fields["text"] = as_str(as_dict(message.get("text")).get("body"))
    elif kind == "interactive":
        interactive = as_dict(message.get("interactive"))
        reply = as_dict(interactive.get("list_reply")) or as_dict(interactive.get("button_reply"))
        fields["choice"] = as_str(reply.get("id"), 200)
        fields["text"] = as_str(reply.get("title"), 200)
    elif kind == "button":
        button = as_dict(message.get("button"))
        fields["choice"] = as_str(button.get("payload"), 200)
        fields["text"] = as_str(button.get("text"), 200)
    elif kind in ("image", "document", "sticker", "video", "audio"):
        part = as_dict(message.get(kind))
        fields["media_id"] = as_str(part.get("id"), 200)
        fields["media_mime"] = as_str(part.get("mime_type"), 100)
        fields["media_sha256"] = as_str(part.get("sha256"), 100)
        fields["caption"] = as_str(part.get("caption"))
    elif kind == "location":
        location = as_dict(message.get("location"))
        fields["latitude"] = as_float(location.get("latitude"))
        fields["longitude"] = as_float(location.get("longitude"))
        fields["location_text"] = ", ".join(
            part for part in (as_str(location.get("name")), as_str(location.get("address"))) if part
        )
    return Message(
        id=as_str(message.get("id"), 200),
        type=kind,
        sender=sender,
        phone_number_id=as_str(as_dict(item.get("metadata")).get("phone_number_id"), 40),
        timestamp=unix_time(message.get("timestamp")),
        context_id=as_str(as_dict(message.get("context")).get("id"), 200),
        **fields,
    )


def parse_status(body: bytes) -> Status:
    item = _item(body, "status")
    status = as_dict(item.get("status"))
    errors = []
    for error in as_list(status.get("errors")):
        error = as_dict(error)
        details = as_str(as_dict(error.get("error_data")).get("details"), 500)
        text = " ".join(
            part
            for part in (as_str(error.get("code"), 20), as_str(error.get("title"), 200))
            if part
        )
        errors.append(f"{text}: {details}" if details else text)
    return Status(
        id=as_str(status.get("id"), 200),
        status=as_str(status.get("status"), 30),
        recipient=as_str(status.get("recipient_id"), 40) or as_str(status.get("recipient_user_id")),
        timestamp=unix_time(status.get("timestamp")),
        error="; ".join(errors)[:2000],
        callback_data=as_str(status.get("biz_opaque_callback_data"), 512),
    )
