"""Attachments: the bytes decide the type; only photos and PDFs, within the size limit."""

import hashlib

import pytest

from complaints.attachments import (
    ATTACHMENT_EMPTY,
    ATTACHMENT_TOO_LARGE,
    ATTACHMENT_TYPE_NOT_ALLOWED,
    AttachmentTooLarge,
)
from complaints.errors import InvalidInput
from complaints.models import Attachment, CaseEvent, EventKind
from complaints.services import case_attach
from staff.roles import Actor
from tests import factories
from tests.complaints.journeys import timeline

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 32
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def case(world):
    return factories.open_case(world.unit_a)


def _nothing_written(case) -> bool:
    case.refresh_from_db()
    return (
        case.version == 1
        and not Attachment.objects.filter(case=case).exists()
        and timeline(case) == [("created", "", "received")]
    )


@pytest.mark.parametrize(
    ("content", "content_type", "extension"),
    [
        (JPEG, "image/jpeg", "jpg"),
        (PNG, "image/png", "png"),
        (WEBP, "image/webp", "webp"),
        (PDF, "application/pdf", "pdf"),
    ],
)
def test_photos_and_pdfs_are_accepted_by_their_bytes(world, case, content, content_type, extension):
    # The uploader's name says nothing about the type: every file is called "scan.bin".
    attachment = case_attach(
        actor=world.actor(world.technician_a.user),
        case_id=case.pk,
        content=content,
        name="scan.bin",
    )

    attachment.refresh_from_db()
    sha256 = hashlib.sha256(content).hexdigest()
    assert (attachment.content_type, attachment.size, attachment.sha256) == (
        content_type,
        len(content),
        sha256,
    )
    assert attachment.original_name == "scan.bin"
    assert attachment.file.name == f"attachments/{sha256[:2]}/{sha256}.{extension}"
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


def test_attaching_records_an_event_and_bumps_the_version(world, case):
    attachment = case_attach(
        actor=Actor.customer("whatsapp"), case_id=case.pk, content=JPEG, name="tiang.jpg"
    )

    case.refresh_from_db()
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.kind, event.note, event.data) == (
        EventKind.ATTACHMENT,
        "tiang.jpg",
        {"attachment": attachment.pk},
    )
    assert (event.actor_label, attachment.event) == ("customer:whatsapp", event)
    assert case.version == 2


def test_a_text_file_renamed_jpg_is_refused(world, case):
    with pytest.raises(InvalidInput) as excinfo:
        case_attach(
            actor=world.actor(world.agent_a),
            case_id=case.pk,
            content=b"Ini bukan foto, hanya teks.\n",
            name="foto.jpg",
        )

    assert excinfo.value.message == str(ATTACHMENT_TYPE_NOT_ALLOWED)
    assert _nothing_written(case)


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"PK\x03\x04 a zip or an office document",
        b"GIF89a\x01\x00\x01\x00",
        b"RIFF\x24\x00\x00\x00WAVEfmt ",  # RIFF, but audio
        b"\xff\xd8",  # too short to be a JPEG
    ],
)
def test_other_file_types_are_refused(world, case, content):
    with pytest.raises(InvalidInput):
        case_attach(actor=world.actor(world.agent_a), case_id=case.pk, content=content)

    assert _nothing_written(case)


def test_an_empty_file_is_refused(world, case):
    with pytest.raises(InvalidInput) as excinfo:
        case_attach(actor=world.actor(world.agent_a), case_id=case.pk, content=b"", name="a.jpg")

    assert excinfo.value.message == str(ATTACHMENT_EMPTY)
    assert _nothing_written(case)


def test_a_file_over_the_limit_is_refused(world, case, settings):
    settings.ATTACHMENT_MAX_BYTES = len(JPEG) - 1

    with pytest.raises(AttachmentTooLarge) as excinfo:
        case_attach(actor=world.actor(world.agent_a), case_id=case.pk, content=JPEG)

    assert excinfo.value.message == str(ATTACHMENT_TOO_LARGE) % {
        "size": len(JPEG),
        "limit": len(JPEG) - 1,
    }
    assert excinfo.value.code == "too_large"
    assert _nothing_written(case)


def test_a_file_exactly_at_the_limit_is_accepted(world, case, settings):
    settings.ATTACHMENT_MAX_BYTES = len(JPEG)

    attachment = case_attach(actor=world.actor(world.agent_a), case_id=case.pk, content=JPEG)

    assert attachment.size == len(JPEG)
