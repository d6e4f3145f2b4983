"""Staff API tokens: issued in the admin, shown once, stored as a SHA-256 hash.

Keys are 256 random bits, so a fast hash is enough (nothing to brute-force); what matters is
that the table alone gives no working key."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction

from complaints import clock
from complaints.models import ApiToken

KEY_PREFIX = "adu_"
PREFIX_LENGTH = 12
# last_used_at is written at most this often per token: not one UPDATE per request.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(prefix: str = KEY_PREFIX) -> str:
    return prefix + secrets.token_urlsafe(32)


def issue_key(holder, prefix: str = KEY_PREFIX) -> str:
    """Give an unsaved ApiToken or Open311Client a fresh key; returns the key (the only time
    it exists in the clear)."""
    key = new_key(prefix)
    holder.key_hash = hash_key(key)
    holder.key_prefix = key[:PREFIX_LENGTH]
    holder.created_at = holder.created_at or clock.now()
    return key


@transaction.atomic
def api_token_create(
    *, user, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the key, which is never shown again."""
    token = ApiToken(user=user, name=name, expires_at=expires_at)
    key = issue_key(token)
    token.save()
    return token, key


def api_token_for_key(key: str) -> ApiToken | None:
    """The live token for ``key`` with its user (one query), or None."""
    now = clock.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_revoke(*, token_ids: list[int]) -> int:
    return ApiToken.objects.filter(pk__in=token_ids, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
