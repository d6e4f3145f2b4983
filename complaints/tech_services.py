"""The technician's moves on their own jobs (technician API, /api/v1/tech/). Each locks the
case, checks under the lock that it is still the acting technician's and that the move is one
the workflow allows now, then writes through complaints.services in the same transaction."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from complaints import services
from complaints.attachments import sniff_content_type
from complaints.errors import (
    ILLEGAL_TRANSITION,
    STALE_CASE,
    IllegalTransition,
    InvalidInput,
    MissingField,
    NotAllowed,
    StaleCase,
)
from complaints.models import Case
from complaints.tech_selectors import JOB_REASSIGNED, technician_moves, with_acceptance
from complaints.workflow import RESOLUTION, CaseStatus
from staff.roles import Actor

MAX_PHOTOS = 5
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})
PHOTO_TOO_LARGE = _("Foto %(name)s terlalu besar: %(size)s bita, maksimal %(limit)s bita.")
PHOTO_TYPE_NOT_ALLOWED = _("Foto %(name)s harus berupa JPEG atau PNG.")
PHOTO_EMPTY = _("Foto %(name)s kosong.")
TOO_MANY_PHOTOS = _("Paling banyak %(limit)s foto.")


class PhotoRefused(InvalidInput):
    field = "photos"


class PhotoTooLarge(PhotoRefused):
    code = "too_large"
    http_status = 413


class PhotoTypeNotAllowed(PhotoRefused):
    code = "unsupported_media_type"
    http_status = 415


@dataclass(frozen=True)
class Photo:
    content: bytes
    name: str = ""


def photo_limit() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def check_photo_size(size: int, name: str) -> None:
    """Refuse an oversize photo by its declared size, before its bytes are read."""
    if size > photo_limit():
        raise PhotoTooLarge(PHOTO_TOO_LARGE, name=name or "-", size=size, limit=photo_limit())


def check_photos(photos: Sequence[Photo]) -> None:
    """JPEG or PNG (by their bytes, not their names), each within the size limit, at most
    MAX_PHOTOS. Raises before anything is written."""
    if len(photos) > MAX_PHOTOS:
        raise PhotoRefused(TOO_MANY_PHOTOS, limit=MAX_PHOTOS)
    for photo in photos:
        name = photo.name or "-"
        if not photo.content:
            raise PhotoRefused(PHOTO_EMPTY, name=name)
        check_photo_size(len(photo.content), photo.name)
        if sniff_content_type(photo.content[:16]) not in PHOTO_TYPES:
            raise PhotoTypeNotAllowed(PHOTO_TYPE_NOT_ALLOWED, name=name)


def _lock_own_case(
    actor: Actor, case_id: int, expected_version: int | None, target: str | None
) -> Case:
    """The case, locked, if it is still ``actor``'s job, at ``expected_version``, and ``target``
    (when given) is a move the technician API may make from its status now."""
    case = Case.objects.select_for_update(of=("self",)).select_related("technician").get(pk=case_id)
    if case.technician_id is None or case.technician.user_id != actor.user.pk:
        raise NotAllowed(JOB_REASSIGNED, ticket=case.ticket)
    if expected_version is not None and case.version != expected_version:
        raise StaleCase(
            STALE_CASE, ticket=case.ticket, expected=expected_version, current=case.version
        )
    moves = technician_moves(case.status)
    if target is not None and target not in {t.target for t in moves}:
        raise IllegalTransition(
            ILLEGAL_TRANSITION,
            ticket=case.ticket,
            source=case.status,
            target=target,
            allowed=moves,
        )
    return case


@transaction.atomic
def job_accept(*, actor: Actor, case_id: int, expected_version: int | None = None) -> Case:
    """Acknowledge an assigned job. Accepting it again is not a change (no second event)."""
    case = _lock_own_case(actor, case_id, expected_version, None)
    if case.status == CaseStatus.ASSIGNED:
        accepted = with_acceptance(Case.objects.filter(pk=case.pk)).values_list(
            "accepted_at", flat=True
        )[0]
        if accepted is not None:
            return case
    return services.case_accept(actor=actor, case_id=case.pk)


@transaction.atomic
def job_on_the_way(
    *, actor: Actor, case_id: int, eta: datetime, expected_version: int | None = None
) -> Case:
    case = _lock_own_case(actor, case_id, expected_version, CaseStatus.DISPATCHED)
    return services.case_transition(
        actor=actor, case_id=case.pk, target=CaseStatus.DISPATCHED, eta=eta
    )


@transaction.atomic
def job_on_site(*, actor: Actor, case_id: int, expected_version: int | None = None) -> Case:
    case = _lock_own_case(actor, case_id, expected_version, CaseStatus.ON_SITE)
    return services.case_transition(actor=actor, case_id=case.pk, target=CaseStatus.ON_SITE)


@transaction.atomic
def job_resolve(
    *,
    actor: Actor,
    case_id: int,
    note: str,
    photos: Sequence[Photo] = (),
    expected_version: int | None = None,
) -> Case:
    """Resolve the job with the technician's note and photos: every check first, then the
    photos are stored on the case and the case resolved, in one transaction (a refused
    resolution stores no photo rows; the content-addressed files it may have written are the
    same bytes a retry writes)."""
    case = _lock_own_case(actor, case_id, expected_version, CaseStatus.RESOLVED)
    if not note.strip():
        raise MissingField(RESOLUTION)
    check_photos(photos)
    for photo in photos:
        services.case_attach(actor=actor, case_id=case.pk, content=photo.content, name=photo.name)
    return services.case_transition(
        actor=actor, case_id=case.pk, target=CaseStatus.RESOLVED, resolution=note
    )
