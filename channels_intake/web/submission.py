"""A form post or API call as stored in the inbox. Django has parsed the multipart body by the
time a view runs (the CSRF check reads it), so we keep what was received in a canonical form:
every field value and every uploaded file's bytes, as JSON. ``decode_submission`` is the
parser's first step and raises only ``SubmissionInvalid``."""

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

FORMAT = "aduan-submission/1"
# Fields never worth keeping: the CSRF token and the honeypot carry nothing about the complaint.
DROPPED_FIELDS = frozenset({"csrfmiddlewaretoken"})
MAX_FIELDS = 60
MAX_FILES = 12
MAX_VALUE_CHARS = 20_000


class SubmissionInvalid(ValueError):
    """The stored bytes are not a submission this code wrote (or were damaged)."""


@dataclass(frozen=True)
class SubmittedFile:
    field: str
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Submission:
    fields: Mapping[str, tuple[str, ...]]
    files: tuple[SubmittedFile, ...]

    def data(self) -> MultiValueDict:
        """Field values as a form's ``data`` (what ``request.POST`` was)."""
        return MultiValueDict({key: list(values) for key, values in self.fields.items()})

    def uploaded(self) -> MultiValueDict:
        """Files as a form's ``files`` (what ``request.FILES`` was)."""
        files: dict[str, list[SimpleUploadedFile]] = {}
        for item in self.files:
            files.setdefault(item.field, []).append(
                SimpleUploadedFile(item.name or "upload", item.content, item.content_type)
            )
        return MultiValueDict(files)


def encode_submission(
    fields: Iterable[tuple[str, list[str]]], files: Iterable[tuple[str, object]]
) -> bytes:
    """``fields``: ``QueryDict.lists()``; ``files``: (field, UploadedFile) pairs."""
    stored_files = []
    for field, upload in files:
        upload.seek(0)
        stored_files.append(
            {
                "field": field,
                "name": (getattr(upload, "name", "") or "")[:200],
                "content_type": (getattr(upload, "content_type", "") or "")[:100],
                "data": base64.b64encode(upload.read()).decode("ascii"),
            }
        )
        upload.seek(0)
    document = {
        "format": FORMAT,
        "fields": {key: values for key, values in fields if key not in DROPPED_FIELDS},
        "files": stored_files,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise SubmissionInvalid("field values must be strings")
    return value[:MAX_VALUE_CHARS]


def decode_submission(raw: bytes) -> Submission:
    try:
        document = json.loads(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SubmissionInvalid(f"not a stored submission: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SubmissionInvalid("not a stored submission (format marker missing)")
    fields, files = document.get("fields"), document.get("files")
    if not isinstance(fields, dict) or not isinstance(files, list):
        raise SubmissionInvalid("fields must be an object and files a list")
    if len(fields) > MAX_FIELDS or len(files) > MAX_FILES:
        raise SubmissionInvalid("too many fields or files")
    decoded_fields: dict[str, tuple[str, ...]] = {}
    for key, values in fields.items():
        if not isinstance(values, list):
            raise SubmissionInvalid(f"field {key!r} must be a list")
        decoded_fields[_text(key)] = tuple(_text(value) for value in values[:20])
    decoded_files: list[SubmittedFile] = []
    for item in files:
        if not isinstance(item, dict):
            raise SubmissionInvalid("each file must be an object")
        try:
            content = base64.b64decode(_text_raw(item.get("data")), validate=True)
        except (binascii.Error, ValueError):
            raise SubmissionInvalid("file data is not base64") from None
        decoded_files.append(
            SubmittedFile(
                field=_text(item.get("field", "")),
                name=_text(item.get("name", ""))[:200],
                content_type=_text(item.get("content_type", ""))[:100],
                content=content,
            )
        )
    return Submission(fields=decoded_fields, files=tuple(decoded_files))


def _text_raw(value: object) -> str:
    if not isinstance(value, str):
        raise SubmissionInvalid("file data must be a string")
    return value
