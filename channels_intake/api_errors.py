"""One JSON error shape for the customer app and CTI APIs, the same as the webhooks':
``{"error": <stable code>, "detail": <sentence for a person>, "fields": {name: [messages]}}``
(``fields`` only for invalid input). Domain errors map here, once:

400 malformed body · 401 no or bad token · 403 not allowed · 404 unknown · 409 conflict ·
413 too large · 415 wrong content type · 422 invalid input (an illegal workflow move also lists
``allowed_transitions``, the moves the user may make) · 429 throttled."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from complaints.errors import DomainError, IllegalTransition, NotAllowed, StaleCase
from complaints.workflow import describe_moves

INVALID_INPUT = _("Periksa kembali isian yang ditandai.")
THROTTLED = _("Terlalu banyak permintaan. Coba lagi dalam %(seconds)s detik.")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = _("Kiriman terlalu besar.")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _messages(detail) -> list[str]:
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item)]
    if isinstance(detail, dict):
        return [message for item in detail.values() for message in _messages(item)]
    return [str(detail)]


def _fields(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(name): _messages(value) for name, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _error(status_code: int, code: str, detail, **extra) -> Response:
    return Response({"error": code, "detail": str(detail), **extra}, status=status_code)


def api_exception_handler(exc, context) -> Response | None:
    if isinstance(exc, DomainError):
        field = getattr(exc, "field", "")
        http_status = getattr(exc, "http_status", None)
        if http_status is not None:
            return _error(http_status, exc.code, exc.message)
        if isinstance(exc, NotAllowed):
            return _error(403, exc.code, exc.message)
        if isinstance(exc, StaleCase):
            return _error(409, exc.code, exc.message)
        fields = {field or "non_field_errors": [exc.message]}
        if isinstance(exc, IllegalTransition) and exc.allowed is not None:
            moves = describe_moves(exc.allowed)
            return _error(422, exc.code, exc.message, fields=fields, allowed_transitions=moves)
        return _error(422, exc.code, exc.message, fields=fields)
    if isinstance(exc, exceptions.ValidationError):
        return _error(422, "invalid", INVALID_INPUT, fields=_fields(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        response = _error(429, "throttled", THROTTLED % {"seconds": wait}, retry_after=wait)
        response["Retry-After"] = str(wait)
        return response
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    if not isinstance(code, str):
        code = "error"
    detail = exc.detail if isinstance(exc, exceptions.APIException) else exc
    response.data = {"error": code, "detail": " ".join(_messages(detail))}
    return response
