"""The channel simulator plays the provider: it builds the body Meta (or a mail relay) would
send, signs it the way the provider signs it, and hands it to the real webhook view — same
size check, signature check, raw storage and queue as a real delivery."""

import hashlib
import json
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import resolve, reverse

from channels_intake import media
from channels_intake.simulator import payloads
from channels_intake.webhooks import SIGNATURE_HEADER, effective_secret, meta_signature
from complaints import clock

EMAIL_URL_NAME = "channels_intake:email_inbound"
INBOX_ADDRESS = "pln123@pln.co.id"


@dataclass(frozen=True)
class Delivery:
    """What the webhook answered, and the inbox row the message will become."""

    status: int
    detail: str
    inbox_channel: str
    item_key: str  # the per-message inbox key ("msg:<wamid>", "dm:<mid>", …)
    row_id: int | None = None  # the stored delivery (the batch row for Meta)

    @property
    def ok(self) -> bool:
        return self.status == 200


def _post(url: str, body: bytes, headers: dict[str, str]) -> HttpResponse:
    # RequestFactory builds the same WSGIRequest the server would; calling the resolved view
    # runs the webhook's own code (limits, signature, storage, on-commit queueing).
    request = RequestFactory().post(
        url,
        data=body,
        content_type=headers.pop("Content-Type", "application/json"),
        REMOTE_ADDR="127.0.0.1",
        headers=headers,
    )
    match = resolve(url)
    return match.func(request, *match.args, **match.kwargs)


def _answer(response: HttpResponse) -> str:
    return response.content.decode(errors="replace")[:500]


def _delivery(response: HttpResponse, inbox_channel: str, item_key: str) -> Delivery:
    row_id = None
    if response.status_code == 200:
        try:
            row_id = int(json.loads(response.content)["id"])
        except (ValueError, KeyError, TypeError):
            row_id = None
    return Delivery(response.status_code, _answer(response), inbox_channel, item_key, row_id)


def deliver_meta(url_name: str, payload: dict, configured_secret: str) -> HttpResponse:
    body = payloads.dumps(payload)
    secret = effective_secret(configured_secret)
    headers = {SIGNATURE_HEADER: meta_signature(secret, body)} if secret else {}
    return _post(reverse(url_name), body, headers)


def whatsapp_phone_number_id() -> str:
    return settings.WHATSAPP_PHONE_NUMBER_ID or payloads.SIM_PHONE_NUMBER_ID


def send_whatsapp(*, wa_id: str, name: str, text: str = "", image: bytes | None = None) -> Delivery:
    wamid = payloads.new_wamid()
    if image:
        media_id = "sim" + hashlib.sha256(image).hexdigest()[:24]
        media.simulated_put(media_id, image)
        payload = payloads.whatsapp_image(
            wa_id=wa_id,
            name=name,
            media_id=media_id,
            sha256=hashlib.sha256(image).hexdigest(),
            caption=text,
            wamid=wamid,
            phone_number_id=whatsapp_phone_number_id(),
        )
    else:
        payload = payloads.whatsapp_text(
            wa_id=wa_id,
            name=name,
            text=text,
            wamid=wamid,
            phone_number_id=whatsapp_phone_number_id(),
        )
    response = deliver_meta(
        "channels_intake:whatsapp_webhook", payload, settings.WHATSAPP_APP_SECRET
    )
    return _delivery(response, "whatsapp", "msg:" + wamid)


def send_direct_message(
    *, platform: str, sender_id: str, text: str = "", image: bytes | None = None
) -> Delivery:
    mid = payloads.new_mid()
    image_url = ""
    if image:
        media_id = "sim" + hashlib.sha256(image).hexdigest()[:24]
        media.simulated_put(media_id, image)
        image_url = "simulated:" + media_id
    payload = payloads.direct_message(
        platform=platform, sender_id=sender_id, text=text, mid=mid, image_url=image_url
    )
    response = deliver_meta("channels_intake:meta_webhook", payload, settings.META_APP_SECRET)
    return _delivery(response, "meta", "dm:" + mid)


def send_comment(*, platform: str, author_id: str, author_name: str, text: str) -> Delivery:
    comment_id = payloads.new_comment_id()
    payload = payloads.comment(
        platform=platform,
        author_id=author_id,
        author_name=author_name,
        text=text,
        comment_id=comment_id,
    )
    response = deliver_meta("channels_intake:meta_webhook", payload, settings.META_APP_SECRET)
    return _delivery(response, "meta", f"comment:{platform}:{comment_id}:add")


def email_available() -> bool:
    """The e-mail channel's endpoint exists and has its shared secret."""
    try:
        reverse(EMAIL_URL_NAME)
    except Exception:  # noqa: BLE001 - NoReverseMatch: the e-mail channel is not installed
        return False
    from channels_intake.email.views import inbound_secret

    return bool(inbound_secret())


def _email_secret() -> str:
    from channels_intake.email.views import inbound_secret

    return inbound_secret()


def send_email(*, sender: str, name: str, subject: str, text: str) -> Delivery:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>" if name else sender
    message["To"] = INBOX_ADDRESS
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message_id = make_msgid(domain="simulator.aduan")
    message["Message-ID"] = message_id
    message.set_content(text)
    response = _post(
        reverse(EMAIL_URL_NAME),
        message.as_bytes(),
        {"Content-Type": "message/rfc822", "X-Inbound-Secret": _email_secret()},
    )
    return _delivery(response, "email", message_id)
