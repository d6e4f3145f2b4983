"""Fetching a customer's media from the WhatsApp Cloud API (Graph API), at once: the download
URL Graph hands out is valid for five minutes, the media id for seven days.

Two steps, both with the access token: ``GET {base}/{media_id}`` → ``{"url": …, "sha256": …}``,
then ``GET url``. With no access token configured (``make run``) media "sent" by the channel
simulator is read from the local store instead."""

import hashlib
import json
from urllib.parse import quote

from django.conf import settings

from channels_intake import media

# The media description is a small JSON document.
DESCRIPTION_LIMIT = 64 * 1024
NO_URL = "Graph API gave no download URL for media %(id)s."
HASH_MISMATCH = "Media %(id)s does not match the sha256 WhatsApp announced."


def download_media(media_id: str, *, expected_sha256: str = "") -> bytes:
    token = settings.WHATSAPP_ACCESS_TOKEN
    if not token:
        return media.simulated_get(media_id)
    auth = {"Authorization": f"Bearer {token}"}
    described = media.http_get(
        f"{settings.WHATSAPP_API_BASE_URL}/{quote(media_id, safe='')}",
        headers=auth,
        limit=DESCRIPTION_LIMIT,
    )
    try:
        description = json.loads(described.content)
    except ValueError:
        description = {}
    url = description.get("url") if isinstance(description, dict) else None
    if not isinstance(url, str) or not url:
        raise media.MediaError(NO_URL % {"id": media_id})
    content = media.http_get(url, headers=auth).content
    announced = expected_sha256 or str(description.get("sha256") or "")
    # WhatsApp's sha256 is hex; only a hex value can be compared (some docs show base64).
    if (
        len(announced) == 64
        and all(c in "0123456789abcdef" for c in announced.lower())
        and hashlib.sha256(content).hexdigest() != announced.lower()
    ):
        raise media.MediaError(HASH_MISMATCH % {"id": media_id})
    return content
