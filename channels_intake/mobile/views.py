"""The customer app API: one view per operation, input and output serializers, no logic."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from channels_intake.api_errors import PayloadTooLarge, api_exception_handler
from channels_intake.mobile import selectors, services
from channels_intake.mobile.authentication import AppTokenAuthentication, IsAppAccount
from channels_intake.mobile.serializers import (
    AccountOutput,
    CodeSentOutput,
    ComplaintInput,
    ComplaintPageOutput,
    ListQuery,
    PhoneInput,
    PushTokenInput,
    RegisterInput,
    StoredOutput,
    SubmittedOutput,
    TokenOutput,
    VerifyInput,
)
from channels_intake.mobile.throttling import (
    AppReadThrottle,
    CodeRequestThrottle,
    CodeVerifyThrottle,
    ComplaintSubmitThrottle,
)
from channels_intake.models import OneTimeCodePurpose
from channels_intake.ratelimit import client_ip

# JSON bodies are small; a complaint may carry several photos.
JSON_MAX_BYTES = 64 * 1024
COMPLAINT_MAX_BYTES = 25 * 1024 * 1024
STORED_NOT_PROCESSED = _(
    "Pengaduan tersimpan dan akan diproses petugas; nomor tiket menyusul lewat notifikasi."
)


class BaseAppView(APIView):
    authentication_classes = [AppTokenAuthentication]
    permission_classes = [IsAppAccount]
    throttle_classes = [AppReadThrottle]
    parser_classes = [JSONParser]
    max_body_bytes = JSON_MAX_BYTES

    def get_exception_handler(self):
        return api_exception_handler

    def initial(self, request, *args, **kwargs) -> None:
        # Refuse an oversize body before anything reads it (DRF parsers read it whole).
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.max_body_bytes:
            raise PayloadTooLarge()
        super().initial(request, *args, **kwargs)


class PublicAppView(BaseAppView):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]


def _code_sent(phone: str) -> Response:
    data = {"phone": phone, "expires_in": int(services.CODE_TTL.total_seconds())}
    return Response(CodeSentOutput(data).data, status=status.HTTP_202_ACCEPTED)


class RegisterView(PublicAppView):
    """Start a registration: the code goes by SMS to the phone (through the outbox)."""

    throttle_classes = [CodeRequestThrottle]

    @extend_schema(request=RegisterInput, responses={202: CodeSentOutput})
    def post(self, request):
        data = _valid(RegisterInput, request.data)
        services.account_register(**data)
        return _code_sent(data["phone"])


class RegisterVerifyView(PublicAppView):
    throttle_classes = [CodeVerifyThrottle]

    @extend_schema(request=VerifyInput, responses={201: TokenOutput})
    def post(self, request):
        data = _valid(VerifyInput, request.data)
        signed_in = services.code_verify(purpose=OneTimeCodePurpose.REGISTER, **data)
        output = TokenOutput({"token": signed_in.token, "account": signed_in.account})
        return Response(output.data, status=status.HTTP_201_CREATED)


class LoginView(PublicAppView):
    """Ask for a login code. The answer is the same for unknown numbers."""

    throttle_classes = [CodeRequestThrottle]

    @extend_schema(request=PhoneInput, responses={202: CodeSentOutput})
    def post(self, request):
        data = _valid(PhoneInput, request.data)
        services.login_start(phone=data["phone"])
        return _code_sent(data["phone"])


class LoginVerifyView(PublicAppView):
    throttle_classes = [CodeVerifyThrottle]

    @extend_schema(request=VerifyInput, responses=TokenOutput)
    def post(self, request):
        data = _valid(VerifyInput, request.data)
        signed_in = services.code_verify(purpose=OneTimeCodePurpose.LOGIN, **data)
        return Response(TokenOutput({"token": signed_in.token, "account": signed_in.account}).data)


class LogoutView(BaseAppView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        services.token_revoke(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(BaseAppView):
    @extend_schema(responses=AccountOutput)
    def get(self, request):
        return Response(AccountOutput(request.user).data)


class ComplaintsView(BaseAppView):
    """``GET`` lists my complaints (newest first, each with status and timeline); ``POST``
    files one (multipart for photos, or JSON; ``Idempotency-Key`` makes a retry the same
    complaint). One URL, as REST has it; each method is one operation."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    max_body_bytes = COMPLAINT_MAX_BYTES

    def get_throttles(self):
        if self.request.method == "POST":
            return [ComplaintSubmitThrottle()]
        return super().get_throttles()

    @extend_schema(parameters=[ListQuery], responses=ComplaintPageOutput)
    def get(self, request):
        query = _valid(ListQuery, request.query_params)
        cases, cursor = selectors.my_cases(
            request.user, limit=query["limit"], before=query["cursor"]
        )
        return Response(ComplaintPageOutput({"results": cases, "next_cursor": cursor}).data)

    @extend_schema(
        request=ComplaintInput,
        responses={201: SubmittedOutput, 202: StoredOutput},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request):
        _valid(ComplaintInput, request.data)
        submitted = services.complaint_submit(
            account=request.user,
            data=request.data,
            idempotency_key=request.headers.get("Idempotency-Key", "")[:100],
            remote_addr=client_ip(request) or None,
        )
        if submitted.case is None:
            output = StoredOutput(
                {"reference": submitted.reference, "detail": str(STORED_NOT_PROCESSED)}
            )
            return Response(output.data, status=status.HTTP_202_ACCEPTED)
        output = SubmittedOutput(
            {
                "reference": submitted.reference,
                "complaint": submitted.case,
                "added_to_existing": submitted.added_to_existing,
            }
        )
        return Response(output.data, status=status.HTTP_201_CREATED)


class PushTokenView(BaseAppView):
    @extend_schema(request=PushTokenInput, responses={201: PushTokenInput})
    def post(self, request):
        data = _valid(PushTokenInput, request.data)
        services.push_device_register(account=request.user, **data)
        return Response(data, status=status.HTTP_201_CREATED)


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
