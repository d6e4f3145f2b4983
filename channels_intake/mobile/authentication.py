"""``Authorization: Token <key>`` (or ``Bearer <key>``) for the customer app."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from channels_intake.mobile.selectors import account_for_token
from channels_intake.mobile.services import token_hash
from channels_intake.models import AppAccount

BAD_TOKEN = _("Token tidak valid atau sudah dicabut. Silakan masuk lagi.")


class AppTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(BAD_TOKEN) from None
        token = account_for_token(token_hash(key))
        if token is None:
            raise exceptions.AuthenticationFailed(BAD_TOKEN)
        return token.account, token

    def authenticate_header(self, request) -> str:
        return "Token"


class IsAppAccount(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, AppAccount)


class AppTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the app's token (drf-spectacular finds it itself)."""

    target_class = AppTokenAuthentication
    name = "appToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>` from register/verify or login/verify.",
        }
