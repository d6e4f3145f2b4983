"""Attachment checks: only images and PDFs, size-limited, type taken from the bytes (never
from the uploader's file name or declared type)."""

import hashlib

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from complaints.errors import InvalidInput

ATTACHMENT_TOO_LARGE = _("Lampiran terlalu besar: %(size)s bita, maksimal %(limit)s bita.")
ATTACHMENT_EMPTY = _("Lampiran kosong.")
ATTACHMENT_TYPE_NOT_ALLOWED = _("Lampiran harus berupa foto (JPEG, PNG, WebP) atau PDF.")


class AttachmentTooLarge(InvalidInput):
    code = "too_large"


def sniff_content_type(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def inspect_attachment(content: bytes) -> tuple[str, str]:
    """(content type, sha256) of acceptable attachment bytes; raises InvalidInput otherwise."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if not content:
        raise InvalidInput(ATTACHMENT_EMPTY)
    if len(content) > limit:
        raise AttachmentTooLarge(ATTACHMENT_TOO_LARGE, size=len(content), limit=limit)
    content_type = sniff_content_type(content[:16])
    if content_type is None:
        raise InvalidInput(ATTACHMENT_TYPE_NOT_ALLOWED)
    return content_type, hashlib.sha256(content).hexdigest()
