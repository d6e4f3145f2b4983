"""Facebook Page and Instagram webhook bodies → frozen dataclasses. Pure: no database, no
network, and no input makes it raise anything but ``PayloadError``.

Two kinds of things arrive, batched like WhatsApp's: direct messages (``entry[].messaging[]``,
keyed by ``mid``) and comments (Page ``feed`` changes with ``item: comment``, Instagram
``comments`` changes, keyed by comment id and verb). Our own sends come back as echoes
(``is_echo``, with our outbox id in ``metadata``) and delivery events ride along: they become
receipts for the outbox.
"""

from dataclasses import dataclass
from datetime import datetime

from channels_intake.payload import (
    PayloadError,
    as_dict,
    as_list,
    as_str,
    canonical_json,
    content_hash,
    load_json,
    unix_time,
)

FACEBOOK = "facebook"
INSTAGRAM = "instagram"
PLATFORMS = {"page": FACEBOOK, "instagram": INSTAGRAM}
DM_KEY = "dm:"
COMMENT_KEY = "comment:"
RECEIPT_KEY = "receipt:"
BATCH_KEY = "batch:"
IMAGE_TYPES = frozenset({"image"})

NOT_META = "Not a Page or Instagram webhook (object=%r)."
NOT_AN_ITEM = "Not a Meta webhook item."


@dataclass(frozen=True)
class Item:
    key: str
    body: bytes


@dataclass(frozen=True)
class DirectMessage:
    platform: str  # facebook / instagram
    mid: str
    sender_id: str  # page-scoped (PSID) or Instagram-scoped (IGSID) id
    page_id: str
    timestamp: datetime | None = None
    text: str = ""
    choice: str = ""  # quick reply or postback payload
    image_urls: tuple[str, ...] = ()
    # Attachments we cannot use (audio, video, a sticker) and no text: answered, not understood.
    unsupported: bool = False


@dataclass(frozen=True)
class Receipt:
    """Meta's word on one of our replies: "sent" (its echo) or "delivered"."""

    status: str
    mid: str
    metadata: str = ""  # "aduan-outbox:<id>" on our own sends
    timestamp: datetime | None = None


@dataclass(frozen=True)
class Comment:
    platform: str
    comment_id: str
    page_id: str  # the Page / Instagram account that was commented on
    verb: str  # add, edited, remove, hide
    author_id: str = ""
    author_name: str = ""
    text: str = ""
    post_id: str = ""
    parent_id: str = ""  # a comment this one answers ("" or the post for a top-level one)
    created: datetime | None = None

    @property
    def is_reply(self) -> bool:
        return bool(self.parent_id) and self.parent_id != self.post_id


def split_batch(body: bytes) -> list[Item]:
    payload = load_json(body)
    obj = payload.get("object") if isinstance(payload, dict) else None
    platform = PLATFORMS.get(obj) if isinstance(obj, str) else None
    if platform is None:
        raise PayloadError(NOT_META % (as_str(obj, 100),))
    items: list[Item] = []
    for entry in as_list(payload.get("entry")):
        entry = as_dict(entry)
        page_id = as_str(entry.get("id"), 100)
        for event in as_list(entry.get("messaging")):
            event = as_dict(event)
            message = as_dict(event.get("message"))
            postback = as_dict(event.get("postback"))
            items.extend(_receipts(platform, event, message))
            if not (message or postback) or message.get("is_echo") or message.get("is_deleted"):
                continue  # receipts, reactions, our own echoes
            item = {"kind": "dm", "platform": platform, "page_id": page_id, "event": event}
            mid = as_str(message.get("mid") or postback.get("mid"), 300)
            items.append(Item(key=DM_KEY + (mid or content_hash(item)), body=canonical_json(item)))
        for change in as_list(entry.get("changes")):
            change = as_dict(change)
            value = as_dict(change.get("value"))
            field = change.get("field")
            is_comment = (field == "feed" and value.get("item") == "comment") or (
                field == "comments" and platform == INSTAGRAM
            )
            if not is_comment:
                continue
            item = {"kind": "comment", "platform": platform, "page_id": page_id, "value": value}
            comment_id = as_str(value.get("comment_id") or value.get("id"), 200)
            verb = as_str(value.get("verb"), 20) or "add"
            key = f"{platform}:{comment_id}:{verb}" if comment_id else content_hash(item)
            items.append(Item(key=COMMENT_KEY + key, body=canonical_json(item)))
    return items


def _receipts(platform: str, event: dict, message: dict) -> list[Item]:
    """What Meta tells us about our own sends: the echo of a reply we sent (it carries our
    outbox id in ``metadata``) means "sent"; a delivery event lists the mids delivered."""
    receipts = []
    stamp = event.get("timestamp")
    if message.get("is_echo") and message.get("metadata"):
        mid = as_str(message.get("mid"), 300)
        item = {
            "kind": "receipt",
            "platform": platform,
            "status": "sent",
            "mid": mid,
            "metadata": as_str(message.get("metadata"), 1000),
            "timestamp": stamp,
        }
        receipts.append(
            Item(key=f"{RECEIPT_KEY}sent:{mid or content_hash(item)}", body=canonical_json(item))
        )
    for mid in as_list(as_dict(event.get("delivery")).get("mids")):
        mid = as_str(mid, 300)
        if mid:
            item = {
                "kind": "receipt",
                "platform": platform,
                "status": "delivered",
                "mid": mid,
                "timestamp": stamp,
            }
            receipts.append(Item(key=f"{RECEIPT_KEY}delivered:{mid}", body=canonical_json(item)))
    return receipts


def parse_receipt(body: bytes) -> Receipt:
    item = _item(body, "receipt")
    return Receipt(
        status=as_str(item.get("status"), 20),
        mid=as_str(item.get("mid"), 300),
        metadata=as_str(item.get("metadata"), 1000),
        timestamp=unix_time(item.get("timestamp")),
    )


def _item(body: bytes, kind: str) -> dict:
    item = load_json(body)
    if not isinstance(item, dict) or item.get("kind") != kind:
        raise PayloadError(NOT_AN_ITEM)
    return item


def parse_direct_message(body: bytes) -> DirectMessage:
    item = _item(body, "dm")
    event = as_dict(item.get("event"))
    message = as_dict(event.get("message"))
    postback = as_dict(event.get("postback"))
    urls = []
    other = False
    for attachment in as_list(message.get("attachments")):
        attachment = as_dict(attachment)
        url = as_str(as_dict(attachment.get("payload")).get("url"), 2000)
        if attachment.get("type") in IMAGE_TYPES and url:
            urls.append(url)
        else:
            other = True
    text = as_str(message.get("text")) or as_str(postback.get("title"), 200)
    choice = as_str(as_dict(message.get("quick_reply")).get("payload"), 1000) or as_str(
        postback.get("payload"), 1000
    )
    return DirectMessage(
        platform=as_str(item.get("platform"), 20),
        mid=as_str(message.get("mid") or postback.get("mid"), 300),
        sender_id=as_str(as_dict(event.get("sender")).get("id"), 100),
        page_id=as_str(item.get("page_id"), 100),
        timestamp=unix_time(event.get("timestamp")),
        text=text,
        choice=choice,
        image_urls=tuple(urls[:5]),
        unsupported=other and not text and not urls,
    )


def parse_comment(body: bytes) -> Comment:
    item = _item(body, "comment")
    value = as_dict(item.get("value"))
    author = as_dict(value.get("from"))
    platform = as_str(item.get("platform"), 20)
    media = as_dict(value.get("media"))
    return Comment(
        platform=platform,
        comment_id=as_str(value.get("comment_id") or value.get("id"), 200),
        page_id=as_str(item.get("page_id"), 100),
        verb=as_str(value.get("verb"), 20) or "add",
        author_id=as_str(author.get("id"), 100),
        author_name=as_str(author.get("name") or author.get("username"), 120),
        text=as_str(value.get("message") or value.get("text")),
        post_id=as_str(value.get("post_id") or media.get("id"), 200),
        parent_id=as_str(value.get("parent_id"), 200),
        created=unix_time(value.get("created_time")),
    )
