"""Webhook bodies as Meta sends them (shapes from Meta's documentation), for the channel
simulator and the tests. Pure functions; ``dumps`` writes JSON the way Meta does (non-ASCII
escaped as \\uXXXX), and that exact byte string is what gets signed and delivered."""

import json
import secrets
import time
from typing import Any

SIM_WABA_ID = "102290129340398"
SIM_PHONE_NUMBER_ID = "106540352242922"
SIM_DISPLAY_NUMBER = "628122123123"
SIM_PAGE_ID = "109876543210987"
SIM_INSTAGRAM_ID = "17841400000000001"
SIM_POST_ID = "1234567890"


def dumps(payload: dict) -> bytes:
    return json.dumps(payload).encode()


def new_wamid() -> str:
    return "wamid.SIM" + secrets.token_hex(16).upper()


def new_mid() -> str:
    return "m_SIM" + secrets.token_urlsafe(24)


def new_comment_id(post_id: str = SIM_POST_ID) -> str:
    return f"{post_id}_{secrets.randbelow(10**15)}"


def _whatsapp(
    message: dict, *, wa_id: str, name: str, user_id: str = "", phone_number_id: str
) -> dict:
    contact: dict[str, Any] = {"profile": {"name": name}, "wa_id": wa_id}
    if user_id:
        contact["user_id"] = user_id
        message = {**message, "from_user_id": user_id}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": SIM_WABA_ID,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": SIM_DISPLAY_NUMBER,
                                "phone_number_id": phone_number_id,
                            },
                            "contacts": [contact],
                            "messages": [message],
                        },
                    }
                ],
            }
        ],
    }


def whatsapp_text(
    *,
    wa_id: str,
    name: str,
    text: str,
    wamid: str,
    phone_number_id: str = SIM_PHONE_NUMBER_ID,
    user_id: str = "",
    timestamp: int | None = None,
) -> dict:
    message = {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(timestamp or int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    return _whatsapp(
        message, wa_id=wa_id, name=name, user_id=user_id, phone_number_id=phone_number_id
    )


def whatsapp_image(
    *,
    wa_id: str,
    name: str,
    media_id: str,
    sha256: str,
    wamid: str,
    caption: str = "",
    mime_type: str = "image/jpeg",
    phone_number_id: str = SIM_PHONE_NUMBER_ID,
    timestamp: int | None = None,
) -> dict:
    image = {"mime_type": mime_type, "sha256": sha256, "id": media_id}
    if caption:
        image["caption"] = caption
    message = {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(timestamp or int(time.time())),
        "type": "image",
        "image": image,
    }
    return _whatsapp(message, wa_id=wa_id, name=name, phone_number_id=phone_number_id)


def whatsapp_status(
    *, wamid: str, status: str, recipient_id: str, phone_number_id: str = SIM_PHONE_NUMBER_ID
) -> dict:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": SIM_WABA_ID,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": SIM_DISPLAY_NUMBER,
                                "phone_number_id": phone_number_id,
                            },
                            "statuses": [
                                {
                                    "id": wamid,
                                    "status": status,
                                    "timestamp": str(int(time.time())),
                                    "recipient_id": recipient_id,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def direct_message(
    *,
    platform: str,
    sender_id: str,
    text: str,
    mid: str,
    image_url: str = "",
    timestamp_ms: int | None = None,
) -> dict:
    """A Messenger (``facebook``) or Instagram DM."""
    account = SIM_PAGE_ID if platform == "facebook" else SIM_INSTAGRAM_ID
    message: dict[str, Any] = {"mid": mid}
    if text:
        message["text"] = text
    if image_url:
        message["attachments"] = [{"type": "image", "payload": {"url": image_url}}]
    stamp = timestamp_ms or int(time.time() * 1000)
    return {
        "object": "page" if platform == "facebook" else "instagram",
        "entry": [
            {
                "id": account,
                "time": stamp,
                "messaging": [
                    {
                        "sender": {"id": sender_id},
                        "recipient": {"id": account},
                        "timestamp": stamp,
                        "message": message,
                    }
                ],
            }
        ],
    }


def comment(*, platform: str, author_id: str, author_name: str, text: str, comment_id: str) -> dict:
    """A comment on a Page post (``feed`` change) or on Instagram media (``comments``)."""
    now = int(time.time())
    if platform == "facebook":
        return {
            "object": "page",
            "entry": [
                {
                    "id": SIM_PAGE_ID,
                    "time": now,
                    "changes": [
                        {
                            "field": "feed",
                            "value": {
                                "item": "comment",
                                "verb": "add",
                                "comment_id": comment_id,
                                "post_id": f"{SIM_PAGE_ID}_{SIM_POST_ID}",
                                "parent_id": f"{SIM_PAGE_ID}_{SIM_POST_ID}",
                                "from": {"id": author_id, "name": author_name},
                                "message": text,
                                "created_time": now,
                            },
                        }
                    ],
                }
            ],
        }
    return {
        "object": "instagram",
        "entry": [
            {
                "id": SIM_INSTAGRAM_ID,
                "time": now,
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "id": comment_id,
                            "from": {"id": author_id, "username": author_name},
                            "text": text,
                            "media": {"id": SIM_POST_ID, "media_product_type": "FEED"},
                        },
                    }
                ],
            }
        ],
    }
