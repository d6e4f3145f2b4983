"""SMS through an HTTP gateway, and the gateway's delivery reports.

Send: ``POST {SMS_GATEWAY_URL}`` with ``Authorization: Bearer {SMS_GATEWAY_TOKEN}``, an
``Idempotency-Key`` header (the outbox row's key) and JSON
``{"to": "+62…", "from": SMS_SENDER_ID, "text": …, "client_ref": "<outbox id>",
"callback_url": …}``; the gateway answers ``{"message_id": "…"}``.

Reconciliation rule: the gateway keeps the Idempotency-Key and answers a repeat with the first
message's id instead of sending again, so a send whose outcome is unknown is simply retried.

Delivery reports: the gateway posts ``{"message_id", "client_ref", "status", "error_code"}``
(JSON or form) to /channels/sms/status?token=SMS_STATUS_TOKEN; statuses delivered / sent /
undelivered / failed / rejected / expired map onto the outbox state machine.
"""

import hmac
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from complaints.models import Notification
from complaints.notifications import notification_status_update
from complaints.outbound import http
from complaints.outbound.base import OutcomeUnknown, SendResult

CHANNEL = "sms"
NO_MESSAGE_ID = "SMS gateway answered without a message id: %s"
CALLBACK_REFUSED = "Invalid or missing token."
BAD_REPORT = "A delivery report needs message_id or client_ref, and status."
REPORTS_DISABLED = "SMS delivery reports are not configured."


def configured() -> bool:
    return bool(settings.SMS_GATEWAY_URL)


class SmsBackend:
    name = "sms"
    retry_safe = True

    def send(self, notification: Notification) -> SendResult:
        payload = {
            "to": notification.recipient,
            "from": settings.SMS_SENDER_ID,
            "text": notification.body,
            "client_ref": str(notification.pk),
        }
        if settings.SMS_STATUS_TOKEN:
            payload["callback_url"] = (
                f"{settings.PUBLIC_BASE_URL}{reverse('sms-status')}"
                f"?token={settings.SMS_STATUS_TOKEN}"
            )
        headers = {"Idempotency-Key": notification.idempotency_key}
        if settings.SMS_GATEWAY_TOKEN:
            headers["Authorization"] = f"Bearer {settings.SMS_GATEWAY_TOKEN}"
        response = http.post_json(settings.SMS_GATEWAY_URL, payload, headers=headers)
        http.raise_for_status(response, "SMS gateway")
        data = response.json()
        message_id = data.get("message_id") if isinstance(data, dict) else None
        if not message_id:
            raise OutcomeUnknown(NO_MESSAGE_ID % response.body[:200])
        return SendResult(provider_message_id=str(message_id))


def _token_ok(request: HttpRequest) -> bool:
    given = request.GET.get("token") or request.headers.get("X-Aduan-Token", "")
    return hmac.compare_digest(given.encode(), settings.SMS_STATUS_TOKEN.encode())


@csrf_exempt
@require_POST
def delivery_report(request: HttpRequest) -> HttpResponse:
    """One delivery report from the SMS gateway. Unknown messages are acknowledged (200) so
    the gateway does not retry something that will never match."""
    if not settings.SMS_STATUS_TOKEN:
        return JsonResponse({"error": REPORTS_DISABLED}, status=404)
    if not _token_ok(request):
        return JsonResponse({"error": CALLBACK_REFUSED}, status=403)
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            data = None
    else:
        data = request.POST.dict()
    if not isinstance(data, dict):
        return JsonResponse({"error": BAD_REPORT}, status=400)
    message_id = str(data.get("message_id") or "")
    client_ref = str(data.get("client_ref") or "")
    status = str(data.get("status") or "")
    if not status or not (message_id or client_ref):
        return JsonResponse({"error": BAD_REPORT}, status=400)
    error = str(data.get("error_code") or data.get("error") or "")
    notification = notification_status_update(
        channel=CHANNEL,
        provider_message_id=message_id or None,
        notification_id=int(client_ref) if client_ref.isdigit() else None,
        status=status,
        error=f"SMS {status} {error}".strip() if error else "",
    )
    return JsonResponse(
        {
            "matched": notification is not None,
            "status": notification.status if notification else None,
        }
    )
