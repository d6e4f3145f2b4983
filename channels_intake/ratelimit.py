"""Fixed-window rate limits shared by every process: the public form, the status lookup, the
app API (through a DRF throttle) and anything else keyed by a client or a target.

Why PostgreSQL and not Django's cache: the default cache (LocMem) is per process, so four
gunicorn workers would each allow the full rate; the database cache backend increments with a
read and a write (not atomic); Redis is not guaranteed here (the broker may be RabbitMQ or the
filesystem transport). PostgreSQL is always present, and ``INSERT … ON CONFLICT DO UPDATE …
RETURNING`` counts atomically in one round trip. Public intake peaks at tens of requests per
second in a blackout, well within what one upsert per request costs.
"""

import ipaddress
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from rest_framework.throttling import BaseThrottle

from channels_intake.models import AppToken, RateCounter
from complaints import clock

# Share of counted hits that also sweep expired windows; old rows are never read again.
PURGE_PROBABILITY = 0.01
PURGE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    hits: int
    retry_after: int  # seconds until the window ends


def client_ip(request) -> str:
    """The client's address. Behind ``TRUSTED_PROXY_COUNT`` proxies it is read that many
    entries from the right of X-Forwarded-For (entries further left are the client's own
    claim and can be forged)."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [
        item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if item
    ]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = now.timestamp()
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


_UPSERT = f"""
    INSERT INTO {RateCounter._meta.db_table} (key, window_start, hits) VALUES (%s, %s, 1)
    ON CONFLICT (key, window_start) DO UPDATE SET hits = {RateCounter._meta.db_table}.hits + 1
    RETURNING hits
"""  # noqa: S608 - the table name is ours, values are parameters


def hit(key: str, rate: Rate) -> Verdict:
    """Count one hit for ``key`` and say whether it is within ``rate``."""
    now = clock.now()
    start = _window_start(now, rate.seconds)
    # One statement, so two processes counting at once both see their own increment.
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [key[:150], start])
        hits = cursor.fetchone()[0]
    if hits == 1 and random.random() < PURGE_PROBABILITY:
        RateCounter.objects.filter(window_start__lt=now - PURGE_AFTER).delete()
    retry_after = max(1, math.ceil((start + timedelta(seconds=rate.seconds) - now).total_seconds()))
    return Verdict(allowed=hits <= rate.limit, hits=hits, retry_after=retry_after)


class DatabaseRateThrottle(BaseThrottle):
    """A DRF throttle on the shared counter. Subclasses set ``scope`` and ``rate``; the key
    is the authenticated app account when there is one, else the client IP."""

    scope = "app"
    rate = Rate(limit=60, seconds=60)

    def __init__(self) -> None:
        self.verdict: Verdict | None = None

    def get_cache_key(self, request, view) -> str:
        token = getattr(request, "auth", None)
        who = (
            f"account:{token.account_id}"
            if isinstance(token, AppToken)
            else f"ip:{client_ip(request)}"
        )
        return f"{self.scope}:{who}"

    def allow_request(self, request, view) -> bool:
        self.verdict = hit(self.get_cache_key(request, view), self.rate)
        return self.verdict.allowed

    def wait(self) -> float | None:
        return self.verdict.retry_after if self.verdict else None
