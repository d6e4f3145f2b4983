"""``POST /channels/email/inbound``: one raw RFC 822 message from an inbound-parse service
(SendGrid "raw", Mailgun ``…/mime``, Postmark ``RawEmail``, a relay's HTTP hook).

The service authenticates with the shared secret ``EMAIL_INBOUND_SECRET``, in the
``X-Inbound-Secret`` header or as the password of HTTP Basic auth (for services that can only
put credentials in the URL). Answers: 200 stored (or already stored), 400 not an email,
403 bad secret, 413 too large; errors as ``{"error": code, "detail": text}`` like the other
webhooks. Processing happens after commit, in the intake queue. An authenticated delivery that
is not an e-mail is still kept (as failed, with the reason): nothing received is dropped.
"""

import base64
import binascii
import hmac

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_intake.email.receive import NOT_AN_EMAIL, looks_like_email, max_bytes, receive_email
from channels_intake.ratelimit import client_ip

SECRET_MISSING = _("Endpoint email masuk belum dikonfigurasi (EMAIL_INBOUND_SECRET kosong).")
SECRET_WRONG = _("Rahasia bersama salah atau tidak ada (header X-Inbound-Secret).")
TOO_LARGE = _("Pesan terlalu besar: maksimal %(limit)s bita.")
EMPTY_BODY = _("Isi permintaan kosong: kirim pesan email mentah (RFC 822) sebagai isi.")


def error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"error": code, "detail": str(detail)}, status=status)


def _provided_secret(request: HttpRequest) -> str:
    header = request.headers.get("X-Inbound-Secret", "")
    if header:
        return header
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return ""


# Like the Meta webhooks: a debug run (`make run`) with no secret configured uses a public
# development value, so the channel simulator can post mail; production refuses instead.
DEV_INBOUND_SECRET = "aduan-dev-inbound-secret"  # noqa: S105 - public development value


def inbound_secret() -> str:
    return settings.EMAIL_INBOUND_SECRET or (DEV_INBOUND_SECRET if settings.DEBUG else "")


def secret_ok(request: HttpRequest) -> bool:
    expected = inbound_secret()
    provided = _provided_secret(request)
    return bool(expected) and hmac.compare_digest(provided.encode(), expected.encode())


def _read_limited(request: HttpRequest, limit: int) -> bytes | None:
    """The body, or None when it is larger than ``limit`` (read no further than limit + 1,
    so a huge chunked upload is not buffered)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    data = request.read(limit + 1)
    return None if len(data) > limit else data


@csrf_exempt
@require_POST
def inbound_email(request: HttpRequest) -> JsonResponse:
    if not inbound_secret():
        return error(403, "not_configured", SECRET_MISSING)
    if not secret_ok(request):
        return error(403, "forbidden", SECRET_WRONG)
    limit = max_bytes()
    raw = _read_limited(request, limit)
    if raw is None:
        return error(413, "too_large", TOO_LARGE % {"limit": limit})
    problem = ""
    if not raw.strip():
        code, problem = "empty", str(EMPTY_BODY)
    elif not looks_like_email(raw):
        code, problem = "not_an_email", str(NOT_AN_EMAIL)
    message, created = receive_email(
        raw, remote_addr=client_ip(request) or None, via="http", error=problem
    )
    if problem:
        return error(400, code, problem)
    return JsonResponse(
        {"status": "stored" if created else "duplicate", "id": message.pk}, status=200
    )
