"""Limits of the app API, on the shared database counter (channels_intake.ratelimit)."""

from channels_intake.ratelimit import DatabaseRateThrottle, Rate


class CodeRequestThrottle(DatabaseRateThrottle):
    """Registration and login send an SMS: per client IP."""

    scope = "app-code"
    rate = Rate(limit=10, seconds=3600)


class CodeVerifyThrottle(DatabaseRateThrottle):
    """Guessing codes: per client IP (each code also dies after five wrong tries)."""

    scope = "app-verify"
    rate = Rate(limit=30, seconds=3600)


class AppReadThrottle(DatabaseRateThrottle):
    scope = "app-read"
    rate = Rate(limit=120, seconds=60)


class ComplaintSubmitThrottle(DatabaseRateThrottle):
    scope = "app-submit"
    rate = Rate(limit=20, seconds=3600)
