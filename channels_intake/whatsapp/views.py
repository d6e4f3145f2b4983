from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_intake.webhooks import receive_meta_post, verify_subscription
from channels_intake.whatsapp.processing import CHANNEL


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    """Meta's subscription check (GET) and deliveries (POST): stored, answered at once."""
    if request.method == "GET":
        return verify_subscription(request, settings.WHATSAPP_VERIFY_TOKEN)
    return receive_meta_post(
        request, channel=CHANNEL, configured_secret=settings.WHATSAPP_APP_SECRET
    )
