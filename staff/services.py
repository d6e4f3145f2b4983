"""Writers of technician state that is not a case's: where they are and whether they are on
shift. Dispatch (staff.dispatch.choose_technician) reads both: only technicians on shift are
chosen, nearest first by their last position."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints import clock
from complaints.errors import InvalidInput, NotAllowed
from staff.models import Technician
from staff.roles import Actor, Role

NOT_YOUR_PROFILE = _("Hanya teknisi itu sendiri atau supervisor yang boleh mengubah ini.")
POSITION_IN_FUTURE = _("Waktu posisi tidak boleh di masa depan.")
# A phone's clock may run a little ahead of ours.
CLOCK_SKEW_SECONDS = 120
MANAGE_ROLES = frozenset({Role.SUPERVISOR, Role.SYSTEM})


@dataclass(frozen=True)
class PositionUpdate:
    technician: Technician
    applied: bool  # False: an older fix than the one stored arrived late, and was ignored


def _require_self_or_supervisor(actor: Actor, technician: Technician) -> None:
    if actor.roles & MANAGE_ROLES:
        return
    user = actor.user
    if Role.TECHNICIAN in actor.roles and user is not None and user.pk == technician.user_id:
        return
    raise NotAllowed(NOT_YOUR_PROFILE)


def technician_update_position(
    *,
    actor: Actor,
    technician: Technician,
    latitude: float,
    longitude: float,
    at: datetime | None = None,
) -> PositionUpdate:
    """Record where the technician is (``at``: when the phone took the fix; now if not given).
    Phones queue fixes while offline and send them late and out of order: a fix older than
    the stored one is ignored, in the same single UPDATE that writes a newer one (no lock, no
    lost race)."""
    _require_self_or_supervisor(actor, technician)
    now = clock.now()
    at = at or now
    if (at - now).total_seconds() > CLOCK_SKEW_SECONDS:
        raise InvalidInput(POSITION_IN_FUTURE)
    updated = (
        Technician.objects.filter(pk=technician.pk)
        .filter(Q(position_at__isnull=True) | Q(position_at__lt=at))
        .update(latitude=latitude, longitude=longitude, position_at=at)
    )
    technician.refresh_from_db(fields=["latitude", "longitude", "position_at"])
    return PositionUpdate(technician=technician, applied=bool(updated))


@transaction.atomic
def technician_set_shift(*, actor: Actor, technician: Technician, on_shift: bool) -> Technician:
    """Start or end a shift. Ending one keeps the jobs already booked (the supervisor hands
    them over); it only stops new dispatches."""
    _require_self_or_supervisor(actor, technician)
    locked = Technician.objects.select_for_update().get(pk=technician.pk)
    if locked.on_shift != on_shift:
        locked.on_shift = on_shift
        locked.save(update_fields=["on_shift"])
    return locked
