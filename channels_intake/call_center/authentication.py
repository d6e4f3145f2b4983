"""Who may ask "who is calling": the telephony system with its bearer token (CTI_API_TOKEN), or
an agent/supervisor signed in to the console (session)."""

import hmac

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from staff.roles import Role, roles_of

BAD_TOKEN = _("Token CTI salah.")
DESK_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})


class TelephonySystem:
    """request.user for calls from the CTI: a system, not a person."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    pk = None

    def __str__(self) -> str:
        return "cti"


class CtiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        expected = settings.CTI_API_TOKEN
        given = parts[1] if len(parts) == 2 else b""
        if not expected or not hmac.compare_digest(given, expected.encode()):
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        return TelephonySystem(), "cti"

    def authenticate_header(self, request) -> str:
        return "Bearer"


class IsTelephonyOrDesk(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        if isinstance(request.user, TelephonySystem):
            return True
        return bool(roles_of(request.user) & DESK_ROLES)


class CtiTokenScheme(OpenApiAuthenticationExtension):
    target_class = CtiTokenAuthentication
    name = "ctiBearer"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "http", "scheme": "bearer", "description": "CTI_API_TOKEN"}
