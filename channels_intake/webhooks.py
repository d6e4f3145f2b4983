"""What every provider webhook does before its own code: a size limit, Meta's signature, a JSON
check, storing the raw body, and JSON error answers. A webhook never answers 500 for anything
the caller sent: every refusal is a 4xx with ``{"error": code, "detail": text}``.

Order: size (413) → signature (403, nothing stored) → content type (415) → JSON syntax (400)
→ store → 200. An authentic (signed) delivery is always stored, even when it is refused as
malformed: "nothing a provider delivered is ever dropped"; it shows as failed in the inbox.
"""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

from channels_intake.services import inbound_receive, request_headers

logger = logging.getLogger(__name__)

# Used in place of an unset app secret / verify token, and only while DEBUG is on, so that
# `make run` and the simulator work with no Meta app. With DEBUG off an unset secret refuses.
DEV_APP_SECRET = "aduan-dev-app-secret"  # noqa: S105 - a public development value by design
DEV_VERIFY_TOKEN = "aduan-dev-verify-token"  # noqa: S105
SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="

TOO_LARGE = "Body larger than %(limit)s bytes."
BAD_SIGNATURE = "Missing or invalid X-Hub-Signature-256."
NOT_CONFIGURED = "Webhook not configured (no app secret)."
BAD_CONTENT_TYPE = "Content-Type must be application/json."
MALFORMED_JSON = "Body is not valid JSON: %(error)s"
NOT_AN_OBJECT = "Body must be a JSON object."
BAD_VERIFICATION = "Verification token mismatch."


def json_error(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


def effective_secret(configured: str) -> str | None:
    """The app secret to check signatures with; None means the webhook must refuse."""
    if configured:
        return configured
    return DEV_APP_SECRET if settings.DEBUG else None


def effective_verify_token(configured: str) -> str | None:
    if configured:
        return configured
    return DEV_VERIFY_TOKEN if settings.DEBUG else None


def meta_signature(secret: str, body: bytes) -> str:
    """The header value Meta sends: HMAC-SHA256 of the raw body as received, lowercase hex.
    Hash the bytes, never re-serialized JSON: Meta signs its \\u-escaped text, and a re-dump
    differs for every non-ASCII name."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def signature_valid(secret: str, body: bytes, header: str | None) -> bool:
    if not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = meta_signature(secret, body)
    return hmac.compare_digest(expected.encode(), header.strip().lower().encode())


def body_limit() -> int:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def read_body(request: HttpRequest, limit: int) -> bytes | None:
    """The raw body, or None when it is larger than ``limit`` (checked on the declared length
    first, so an oversize body is not read at all)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return None
    return body if len(body) <= limit else None


def verify_subscription(request: HttpRequest, configured_token: str) -> HttpResponse:
    """Meta's GET handshake: echo ``hub.challenge`` when ``hub.verify_token`` is ours."""
    token = effective_verify_token(configured_token)
    given = request.GET.get("hub.verify_token", "")
    if (
        token is None
        or request.GET.get("hub.mode") != "subscribe"
        or not hmac.compare_digest(given.encode(), token.encode())
    ):
        return json_error(403, "verification_failed", BAD_VERIFICATION)
    return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")


def receive_meta_post(
    request: HttpRequest, *, channel: str, configured_secret: str
) -> HttpResponse:
    """The POST half of a Meta webhook (WhatsApp Cloud API, Messenger, Instagram): check,
    store the raw body keyed by its hash, answer 200 at once. Parsing happens in the task."""
    limit = body_limit()
    body = read_body(request, limit)
    if body is None:
        return json_error(413, "too_large", TOO_LARGE % {"limit": limit})
    secret = effective_secret(configured_secret)
    if secret is None:
        # 503, not 403: Meta keeps retrying for days, so nothing is lost while an operator
        # sets the secret.
        logger.error("%s webhook refused: no app secret configured", channel)
        return json_error(503, "not_configured", NOT_CONFIGURED)
    if not signature_valid(secret, body, request.headers.get(SIGNATURE_HEADER)):
        return json_error(403, "bad_signature", BAD_SIGNATURE)

    content_type = request.META.get("CONTENT_TYPE", "")
    error, status, code = "", 200, ""
    if content_type.split(";")[0].strip().lower() != "application/json":
        error, status, code = BAD_CONTENT_TYPE, 415, "bad_content_type"
    else:
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as exc:
            error, status, code = MALFORMED_JSON % {"error": exc}, 400, "malformed_json"
        else:
            if not isinstance(payload, dict):
                error, status, code = NOT_AN_OBJECT, 400, "malformed_json"
    # One POST may batch many messages; its key is the hash of the exact bytes, so a retried
    # POST is the same row. Each message inside is deduplicated again by its own id.
    message, created = inbound_receive(
        channel=channel,
        provider_message_id="batch:" + hashlib.sha256(body).hexdigest(),
        body=body,
        headers=request_headers(request),
        content_type=content_type,
        remote_addr=request.META.get("REMOTE_ADDR") or None,
        error=error,
    )
    if error:
        return json_error(status, code, error)
    return JsonResponse({"status": "received" if created else "duplicate", "id": message.pk})
