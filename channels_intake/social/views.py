from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_intake.social.processing import CHANNEL
from channels_intake.webhooks import receive_meta_post, verify_subscription


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest) -> HttpResponse:
    """Facebook Page and Instagram webhooks (one Meta app): GET subscription check, POST
    deliveries stored and answered at once."""
    if request.method == "GET":
        return verify_subscription(request, settings.META_VERIFY_TOKEN)
    return receive_meta_post(request, channel=CHANNEL, configured_secret=settings.META_APP_SECRET)
