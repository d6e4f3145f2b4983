"""``POST /api/v1/cti/calls``: the telephony system (or an agent's console) says who is
calling; the answer is the matching customers with their open cases and the URL of the
console's phone-complaint page pre-filled with the caller and call id."""

import json

from drf_spectacular.utils import extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from channels_intake.api_errors import PayloadTooLarge, api_exception_handler
from channels_intake.call_center import selectors, services
from channels_intake.call_center.authentication import CtiTokenAuthentication, IsTelephonyOrDesk
from channels_intake.call_center.serializers import CallInput, CallOutput
from channels_intake.ratelimit import DatabaseRateThrottle, Rate, client_ip

MAX_BODY_BYTES = 16 * 1024


class CtiThrottle(DatabaseRateThrottle):
    # A busy call center pops hundreds of calls a minute from one CTI host.
    scope = "cti"
    rate = Rate(limit=1200, seconds=60)


class CallView(APIView):
    authentication_classes = [CtiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsTelephonyOrDesk]
    throttle_classes = [CtiThrottle]
    parser_classes = [JSONParser]

    def get_exception_handler(self):
        return api_exception_handler

    def initial(self, request, *args, **kwargs) -> None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise PayloadTooLarge()
        super().initial(request, *args, **kwargs)

    @extend_schema(request=CallInput, responses=CallOutput)
    def post(self, request):
        raw = request.body  # kept verbatim before it is parsed
        try:
            payload = request.data
        except (ParseError, UnsupportedMediaType) as exc:
            services.call_record(
                raw=raw,
                call_id="",
                content_type=request.content_type,
                remote_addr=client_ip(request) or None,
                error=str(exc.detail),
            )
            raise
        serializer = CallInput(data=payload)
        valid = serializer.is_valid()
        services.call_record(
            raw=raw,
            call_id=serializer.validated_data["call_id"] if valid else "",
            content_type=request.content_type,
            remote_addr=client_ip(request) or None,
            error="" if valid else json.dumps(serializer.errors, default=str)[:4000],
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user if request.auth != "cti" else None
        matches = selectors.customers_for_caller(data["caller"], user=user)
        output = CallOutput(
            {
                "call_id": data["call_id"],
                "caller": data["caller"],
                "caller_e164": selectors.caller_e164(data["caller"]),
                "customers": matches,
                "console_url": services.console_url(caller=data["caller"], call_id=data["call_id"]),
            }
        )
        return Response(output.data)
