"""Defensive reading of provider JSON. A webhook body is whatever someone managed to sign:
these readers turn anything unexpected into an empty value instead of an exception, so a
parser built on them raises nothing but ``PayloadError``."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

NOT_JSON = "Not JSON: %s"


class PayloadError(ValueError):
    """The body is not something we can read; the inbox row keeps this as its error."""


def as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def as_str(value: Any, limit: int = 4096) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, (str, int, float)):
        return str(value)[:limit]
    return ""


def as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def unix_time(value: Any) -> datetime | None:
    """Meta's timestamps: unix seconds as a string (WhatsApp), or milliseconds as a number
    (Messenger), told apart by size."""
    number = as_float(value)
    if number is None or number <= 0:
        return None
    if number > 1e11:  # milliseconds
        number /= 1000
    try:
        return datetime.fromtimestamp(number, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def load_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(NOT_JSON % exc) from None


def canonical_json(value: Any) -> bytes:
    """ASCII JSON with sorted keys: the same item always gives the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def content_hash(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(value)).hexdigest()
