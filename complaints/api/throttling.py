"""Limits of the staff API on the shared, atomic database counter (channels_intake.ratelimit):
per user, so a token and the same user's session share one allowance. Fairness, not security:
hard limits belong at the edge (nginx/ingress)."""

from channels_intake.ratelimit import DatabaseRateThrottle, Rate, client_ip


class StaffThrottle(DatabaseRateThrottle):
    def get_cache_key(self, request, view) -> str:
        user = getattr(request, "user", None)
        who = f"user:{user.pk}" if user is not None and user.is_authenticated else None
        return f"{self.scope}:{who or 'ip:' + client_ip(request)}"


class StaffReadThrottle(StaffThrottle):
    scope = "api-read"
    rate = Rate(limit=600, seconds=60)


class StaffWriteThrottle(StaffThrottle):
    scope = "api-write"
    rate = Rate(limit=120, seconds=60)
