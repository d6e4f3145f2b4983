"""Media a customer sent (a photo of the kWh meter): fetched from the provider while its link
is still valid, and kept until a case takes it.

Outbound provider calls otherwise go through ``complaints.outbound.http`` (POST only); this is
the intake's one GET client, with the same rules: a timeout from settings, a size limit, and
URLs that tests point at a local fake server.
"""

import hashlib
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

USER_AGENT = "Aduan/1.0 (+intake)"
STASH_DIR = "intake-media"
# Media "sent" by the channel simulator when no provider is configured (no access token).
SIMULATED_DIR = "simulated-media"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._\-]{1,200}$")

FETCH_FAILED = "Media download failed: %(error)s"
TOO_LARGE = "Media larger than %(limit)s bytes."
BAD_URL = "Media URL must be http(s): %(url)s"
NOT_FOUND = "Simulated media %(id)s not found."


class MediaError(Exception):
    """The media could not be fetched. The message stays in the inbox as failed and can be
    re-processed (WhatsApp keeps a media id for 7 days)."""


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str


def http_get(
    url: str, *, headers: Mapping[str, str] | None = None, limit: int | None = None
) -> Fetched:
    limit = limit or settings.ATTACHMENT_MAX_BYTES
    if urlsplit(url).scheme not in ("http", "https"):
        raise MediaError(BAD_URL % {"url": url[:200]})
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, headers={"User-Agent": USER_AGENT, **(headers or {})}
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 - scheme checked above
            request, timeout=settings.OUTBOUND_HTTP_TIMEOUT
        ) as response:
            content = response.read(limit + 1)
            content_type = response.headers.get_content_type()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise MediaError(FETCH_FAILED % {"error": exc}) from exc
    if len(content) > limit:
        raise MediaError(TOO_LARGE % {"limit": limit})
    return Fetched(content=content, content_type=content_type)


def stash(content: bytes) -> str:
    """Keep bytes until a case takes them; returns the storage name (content-addressed, so a
    photo sent twice is stored once)."""
    name = f"{STASH_DIR}/{hashlib.sha256(content).hexdigest()}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    return name


def unstash(name: str) -> bytes | None:
    if not name.startswith(STASH_DIR + "/") or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def simulated_put(media_id: str, content: bytes) -> None:
    if not _SAFE_ID.match(media_id):
        raise ValueError(media_id)
    name = f"{SIMULATED_DIR}/{media_id}"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(content))


def simulated_get(media_id: str) -> bytes:
    name = f"{SIMULATED_DIR}/{media_id}"
    if not _SAFE_ID.match(media_id) or not default_storage.exists(name):
        raise MediaError(NOT_FOUND % {"id": media_id[:200]})
    with default_storage.open(name, "rb") as handle:
        return handle.read()
