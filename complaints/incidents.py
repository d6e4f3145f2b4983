"""Outage incidents: many reports of one outage become one incident — linked, dispatched once,
given one estimated restoration time (ETR) that every reporter is told, and restored together.
Also planned outages as an answer to complaints, the restoration check ("Listrik sudah
menyala? 1 Ya / 2 Tidak") and storm mode. The only writers of incidents and storm switches.

Grouping. A report of an outage category (``Category.is_outage``) belongs to an *area*: its
customer's feeder / substation code (``Customer.area_code``) when known, else its location
(within a radius of the first report). Within one service unit and a time window, once
``threshold`` reports of one area are open and unlinked, they become one incident; every later
report of that area is linked on arrival, and its reporter is told that the outage is known,
with the ETR when one is set.

Races. Hundreds of reports of one feeder arrive at once in a blackout:

- at most one *active* incident per (unit, area key) is a partial unique index;
- the decision "is the threshold reached, create the incident" runs under a transaction-level
  advisory lock per (unit, area), so the report that completes the threshold sees every report
  that took the lock before it (they have committed: the lock is held until commit);
- linking to an existing incident takes ``FOR KEY SHARE`` on its row: linkers do not wait for
  each other, but a supervisor's change (``FOR UPDATE``: ETR, restore, merge) waits for the
  links in flight and the links after it see its result.

Fan-out. An incident change that concerns its reporters (ETR, nyala bertahap, restored, merged,
cancelled) is one ``IncidentEvent``; after commit a task applies it to every case linked before
it, in chunks. Each customer notice has the idempotency key (incident event, case), so a task
that runs twice, or the sweep that re-runs unfinished fan-outs, never tells anyone twice.
"""

import hashlib
import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from complaints import clock, effects, webhooks
from complaints.errors import (
    ROLE_NOT_ALLOWED,
    STALE_CASE,
    InvalidInput,
    MissingField,
    NotAllowed,
    StaleCase,
)
from complaints.models import (
    ACTIVE_INCIDENT_STATES,
    Case,
    CaseEvent,
    Category,
    EventKind,
    Incident,
    IncidentEvent,
    IncidentEventKind,
    IncidentKind,
    IncidentStatus,
    Notification,
    NotificationStatus,
    PlannedOutage,
    Priority,
    StormSwitch,
    WorkType,
)
from complaints.notifications import (
    HELD_KEY,
    notice_channel,
    notice_context,
    notice_language,
    queue_message,
    template_parameters,
)
from complaints.workflow import OPEN_STATES, TECHNICIAN_STATES, CaseStatus
from staff.models import ServiceUnit, Technician
from staff.roles import Actor, Role
from staff.unit_tree import ids_at_and_above

logger = logging.getLogger(__name__)

SYSTEM = Actor.system("incident")
MANAGE_ROLES = frozenset({Role.SUPERVISOR, Role.SYSTEM})
# The crew (a technician) may also revise the ETR and report (partial) restoration.
CREW_ROLES = frozenset({Role.SUPERVISOR, Role.TECHNICIAN, Role.SYSTEM})
LINK_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.SYSTEM})
STORM_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.SYSTEM})
FANOUT_CHUNK = 200
# Reporters can answer the restoration question for this long.
RESTORATION_ANSWER_DAYS = 7
RESTORATION_SALT = "aduan.restoration"
RESTORATION_PATH = "pemadaman:restoration"

INCIDENT_NOT_ACTIVE = _("Gangguan %(code)s sudah tidak aktif.")
STALE_INCIDENT = _(
    "Gangguan %(code)s telah diubah orang lain sejak halaman ini dibuka "
    "(versi %(expected)s, sekarang %(current)s). Muat ulang lalu coba lagi."
)
CASE_NOT_OUTAGE = _("Hanya pengaduan gangguan padam yang dapat ditautkan ke gangguan.")
CASE_NOT_OPEN = _("Pengaduan %(ticket)s sudah tidak terbuka.")
ALREADY_LINKED = _("Pengaduan %(ticket)s sudah tertaut ke gangguan %(code)s.")
NOT_LINKED = _("Pengaduan %(ticket)s tidak tertaut ke gangguan %(code)s.")
WRONG_UNIT = _("Gangguan %(code)s berada di unit layanan lain.")
NOT_CREW = _("Hanya regu gangguan %(code)s atau supervisor yang boleh melakukan ini.")
ETR_IN_PAST = _("Perkiraan waktu menyala harus di masa depan.")
MERGE_INVALID = _(
    "Gangguan hanya dapat digabung ke gangguan lain yang masih aktif di unit yang sama."
)
SPLIT_NOTHING = _("Pilih laporan gangguan %(code)s yang akan dipisah.")
SPLIT_ALL = _("Sisakan paling sedikit satu laporan pada gangguan %(code)s.")
CREW_NOT_SUITABLE = _("Teknisi %(technician)s tidak dapat ditugaskan ke gangguan ini.")
CREW_FULL = _("Teknisi %(technician)s sudah mencapai kapasitas tugasnya.")
STORM_UNCHANGED = _("Mode badai unit %(unit)s sudah dalam keadaan itu.")
RESTORATION_NOT_ASKED = _("Pengaduan %(ticket)s tidak sedang menunggu konfirmasi listrik menyala.")

# Timeline texts (internal, in the staff's language at render time).
RESTORED_RESOLUTION = _("Listrik menyala kembali (gangguan %(code)s). %(note)s")
STILL_OFF_NOTE = _("Pelanggan: listrik masih padam. Dilanjutkan sebagai pengaduan %(ticket)s.")
STILL_OFF_DESCRIPTION = _(
    "Listrik masih padam setelah pemulihan (lanjutan pengaduan %(ticket)s%(incident)s)."
)
ANSWER_YES = _("Pelanggan menjawab: listrik sudah menyala.")
ANSWER_NO = _("Pelanggan menjawab: listrik masih padam.")
SLA_PAUSED_NOTE = _(
    "Target SLA digeser %(minutes)s menit: mode badai %(unit)s (%(start)s sampai %(end)s) menjeda "
    "pengaduan back-office non-darurat."
)
STORM_AUTO_ON = _("Otomatis: %(reports)s laporan padam dalam %(minutes)s menit.")
STORM_AUTO_OFF = _("Otomatis: laporan padam turun ke %(reports)s dalam %(minutes)s menit.")
PLANNED_ENDED = _("Pemadaman terencana selesai sesuai jadwal.")

# Customer notices (templates/notifications/<name>/<lang>.txt).
NOTICE_KNOWN = "incident_etr"
NOTICE_PARTIAL = "incident_partial"
NOTICE_RESTORED = "incident_restored"
NOTICE_PLANNED = "planned_outage"
NOTICE_RESTORATION_CHECK = "restoration_check"
# Replaced, while still waiting in the outbox, by the incident-level notice that says more.
RECEIPT_TEMPLATES = ("received",)
RESOLUTION_TEMPLATES = ("verified", "resolved")
# Linked reports not yet verified pass through "verified" on their way to "resolved".
VIA_VERIFIED = frozenset({CaseStatus.RECEIVED, CaseStatus.WAITING_CUSTOMER, CaseStatus.REOPENED})


# --- Configuration ------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkRules:
    threshold: int  # open, unlinked reports of one area that make an incident
    window: timedelta  # how far back reports count
    radius_m: int  # reports without an area code: distance from the first report


def link_rules(*, storm: bool) -> LinkRules:
    """Normal or storm-mode grouping (settings INCIDENT_* and INCIDENT_STORM_*). Storm mode
    links aggressively: fewer reports make an incident, over a longer window and a wider
    radius."""
    if storm:
        return LinkRules(
            threshold=max(1, getattr(settings, "INCIDENT_STORM_THRESHOLD", 2)),
            window=timedelta(minutes=getattr(settings, "INCIDENT_STORM_WINDOW_MINUTES", 180)),
            radius_m=getattr(settings, "INCIDENT_STORM_RADIUS_M", 3000),
        )
    return LinkRules(
        threshold=max(1, getattr(settings, "INCIDENT_THRESHOLD", 3)),
        window=timedelta(minutes=getattr(settings, "INCIDENT_WINDOW_MINUTES", 60)),
        radius_m=getattr(settings, "INCIDENT_RADIUS_M", 1000),
    )


# --- Areas ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    area_code: str  # "" when grouped by location
    latitude: float | None
    longitude: float | None

    @property
    def key(self) -> str | None:
        return f"feeder:{self.area_code}" if self.area_code else None


def area_of(case: Case) -> Area | None:
    """Where a report is: its customer's feeder code, else its coordinates (the report's own,
    else the customer's); None when neither is known."""
    customer = case.customer
    lat = case.latitude if case.latitude is not None else (customer.latitude if customer else None)
    lon = (
        case.longitude if case.longitude is not None else (customer.longitude if customer else None)
    )
    if customer is not None and customer.area_code:
        return Area(area_code=customer.area_code, latitude=lat, longitude=lon)
    if lat is not None and lon is not None:
        return Area(area_code="", latitude=lat, longitude=lon)
    return None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


def _advisory_lock(*parts: object) -> None:
    """A transaction-level lock on a name; released at commit or rollback."""
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    key = int.from_bytes(digest, "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _key_share(incident_id: int) -> Incident | None:
    """The incident, if still active, with FOR KEY SHARE: linkers share it, a supervisor's
    FOR UPDATE waits for them (and they for it)."""
    incident = Incident.objects.raw(
        f"SELECT * FROM {Incident._meta.db_table} WHERE id = %s FOR KEY SHARE",  # noqa: S608
        [incident_id],
    )
    found = next(iter(incident), None)
    return found if found is not None and found.is_active else None


def _lock_incident(incident_id: int, expected_version: int | None = None) -> Incident:
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    if expected_version is not None and incident.version != expected_version:
        raise StaleCase(
            STALE_INCIDENT, code=incident.code, expected=expected_version, current=incident.version
        )
    return incident


# --- Storm mode ----------------------------------------------------------------------------


def storm_state(unit: ServiceUnit, *, unit_ids: list[int] | None = None) -> StormSwitch | None:
    """The switch that put ``unit`` (or a unit above it) in storm mode; None when it is not."""
    unit_ids = unit_ids if unit_ids is not None else ids_at_and_above(unit.path)
    latest = (
        StormSwitch.objects.filter(service_unit_id__in=unit_ids)
        .order_by("service_unit_id", "-created_at", "-id")
        .distinct("service_unit_id")
    )
    on = [switch for switch in latest if switch.turned_on]
    return min(on, key=lambda switch: switch.created_at) if on else None


def _latest_switch(unit_id: int) -> StormSwitch | None:
    return (
        StormSwitch.objects.filter(service_unit_id=unit_id).order_by("-created_at", "-id").first()
    )


@transaction.atomic
def storm_switch(
    *,
    actor: Actor,
    service_unit_id: int,
    on: bool,
    reason: str,
    automatic: bool = False,
    data: dict | None = None,
) -> StormSwitch:
    """Switch storm mode of a unit (and the units below it) on or off, with who and why.

    While on: reports link aggressively (``link_rules(storm=True)``), unlocated outage reports
    join the unit's latest incident, the known-outage notice replaces the per-case receipt on
    every channel, the progress notices of linked reports are held for the incident's own
    (complaints.notifications.storm_hold; the rest go out when it ends), and the SLA clocks of
    non-urgent back-office cases stand still (their due times move by the storm's length when
    it ends)."""
    if not actor.roles & STORM_ROLES:
        raise NotAllowed(ROLE_NOT_ALLOWED, ticket=str(service_unit_id))
    reason = reason.strip()
    if not reason:
        raise MissingField("reason")
    # One switch at a time per unit: the latest row is the state. NO KEY UPDATE, not UPDATE:
    # every case opened for the unit holds KEY SHARE on its row (the foreign key), and intake
    # must not wait for a switch (nor a switch for a blackout's worth of intake).
    unit = ServiceUnit.objects.select_for_update(no_key=True).get(pk=service_unit_id)
    latest = _latest_switch(unit.pk)
    if bool(latest and latest.turned_on) == on:
        raise InvalidInput(STORM_UNCHANGED, unit=unit.code)
    at = clock.now()
    switch = StormSwitch.objects.create(
        service_unit=unit,
        created_at=at,
        turned_on=on,
        automatic=automatic,
        actor=actor.user,
        actor_label=actor.label,
        reason=reason,
        data=data or {},
    )
    if not on and latest is not None:
        _shift_paused_sla(unit, started=latest.created_at, ended=at)
        release_held_notices(unit, at=at)
    return switch


def release_held_notices(unit: ServiceUnit, *, at: datetime) -> list[int]:
    """The storm is over for ``unit`` and the units below it: the per-case notices it held
    there that no incident notice superseded go out now (complaints.notifications.storm_hold),
    except in a unit below that is still in a storm of its own. Locked, sent after commit;
    returns their ids."""
    held = (
        Notification.objects.select_for_update(of=("self",))
        .filter(status=NotificationStatus.PENDING, next_attempt_at__isnull=True)
        .filter(context__has_key=HELD_KEY)
        .filter(
            Q(case__service_unit__path=unit.path)
            | Q(case__service_unit__path__startswith=unit.path + "/")
        )
    )
    rows = list(held.order_by("pk").values_list("pk", "case__service_unit_id"))
    if not rows:
        return []
    stormy = {
        other.pk
        for other in ServiceUnit.objects.filter(pk__in={unit_id for _, unit_id in rows})
        if storm_state(other) is not None
    }
    ids = [pk for pk, unit_id in rows if unit_id not in stormy]
    Notification.objects.filter(pk__in=ids).update(next_attempt_at=at)
    transaction.on_commit(partial(_kick_released, ids, at), robust=True)
    return ids


def _kick_released(ids: list[int], at: datetime) -> None:
    from complaints.tasks import kick_delivery

    for pk in ids:
        kick_delivery(pk, due_at=at)


def _shift_paused_sla(unit: ServiceUnit, *, started: datetime, ended: datetime) -> int:
    """Stop the clock for the storm: open back-office cases below normal urgency in the unit's
    subtree get their due times moved by the part of the storm they were open for. (Wall-clock
    minutes, also for working-hours targets: it errs on the customer's side of the SLA
    report, never against the agents.) One UPDATE, one note per case."""
    cases = Case.objects.filter(
        Q(service_unit__path=unit.path) | Q(service_unit__path__startswith=unit.path + "/"),
        status__in=OPEN_STATES,
        category__work_type=WorkType.BACK_OFFICE,
        priority__gte=Priority.NORMAL,
        created_at__lt=ended,
    )
    # Locked first, in id order: an agent's change of one of them waits, or we wait for it.
    rows = list(
        cases.select_for_update(of=("self",)).order_by("pk").values_list("pk", "created_at")
    )
    if not rows:
        return 0
    paused = ExpressionWrapper(
        Value(ended) - Greatest("created_at", Value(started)), output_field=DurationField()
    )
    Case.objects.filter(pk__in=[pk for pk, _ in rows]).update(
        response_due_at=F("response_due_at") + paused,
        resolution_due_at=F("resolution_due_at") + paused,
        version=F("version") + 1,
        updated_at=ended,
    )
    window = (started.isoformat(timespec="minutes"), ended.isoformat(timespec="minutes"))
    with translation.override(settings.LANGUAGE_CODE):
        events = []
        for pk, created_at in rows:
            seconds = int((ended - max(created_at, started)).total_seconds())
            note = SLA_PAUSED_NOTE % {
                "minutes": round(seconds / 60),
                "unit": unit.code,
                "start": window[0],
                "end": window[1],
            }
            events.append(
                CaseEvent(
                    case_id=pk,
                    created_at=ended,
                    actor_label="system:storm",
                    kind=EventKind.NOTE,
                    note=str(note),
                    data={"sla_paused_seconds": seconds},
                )
            )
    webhooks.queue_case_events(CaseEvent.objects.bulk_create(events, batch_size=1000))
    return len(rows)


def storm_auto_check(*, at: datetime | None = None) -> list[StormSwitch]:
    """The automatic switch (beat, every minute): a unit with STORM_AUTO_REPORTS or more outage
    reports in the last STORM_AUTO_WINDOW_MINUTES goes into storm mode; one that went in
    automatically comes out when the rate falls below a quarter of that. A switch made by a
    person is never undone automatically. 0 turns the automatic switch off."""
    limit = getattr(settings, "STORM_AUTO_REPORTS", 0)
    if limit <= 0:
        return []
    minutes = getattr(settings, "STORM_AUTO_WINDOW_MINUTES", 15)
    at = at or clock.now()
    since = at - timedelta(minutes=minutes)
    counts = dict(
        Case.objects.filter(created_at__gte=since, category__is_outage=True)
        .values("service_unit_id")
        .annotate(n=Count("pk"))
        .values_list("service_unit_id", "n")
    )
    switches_by_unit = StormSwitch.objects.order_by("service_unit_id", "-created_at", "-id")
    latest = {s.service_unit_id: s for s in switches_by_unit.distinct("service_unit_id")}
    switches = []
    for unit_id, reports in counts.items():
        if reports >= limit and not (latest.get(unit_id) and latest[unit_id].turned_on):
            switches.append(_auto(unit_id, True, STORM_AUTO_ON, reports, minutes))
    for unit_id, switch in latest.items():
        reports = counts.get(unit_id, 0)
        if switch.turned_on and switch.automatic and reports < limit / 4:
            switches.append(_auto(unit_id, False, STORM_AUTO_OFF, reports, minutes))
    return [switch for switch in switches if switch is not None]


def _auto(unit_id: int, on: bool, text, reports: int, minutes: int) -> StormSwitch | None:
    with translation.override(settings.LANGUAGE_CODE):
        reason = str(text % {"reports": reports, "minutes": minutes})
    try:
        return storm_switch(
            actor=Actor.system("storm"),
            service_unit_id=unit_id,
            on=on,
            reason=reason,
            automatic=True,
            data={"reports": reports, "window_minutes": minutes},
        )
    except InvalidInput:  # switched by someone else meanwhile
        return None


# --- Planned outages -----------------------------------------------------------------------


def planned_outage_covering(
    *, unit: ServiceUnit, area_code: str, at: datetime, unit_ids: list[int] | None = None
) -> PlannedOutage | None:
    """The planned outage whose window contains ``at`` for this unit (or a unit above it) and
    area: one listing the area code, or one for the whole unit."""
    area = Q(area_codes=[]) | (Q(area_codes__contains=[area_code]) if area_code else Q(pk=None))
    unit_ids = unit_ids if unit_ids is not None else ids_at_and_above(unit.path)
    return (
        PlannedOutage.objects.filter(
            area,
            service_unit_id__in=unit_ids,
            cancelled=False,
            starts_at__lte=at,
            ends_at__gt=at,
        )
        .order_by("starts_at", "pk")
        .first()
    )


def _planned_incident(planned: PlannedOutage, unit: ServiceUnit, at: datetime) -> Incident | None:
    """The active incident standing for a planned outage (created by its first complaint);
    None when one existed and is over (power came back early: a report now is a fault)."""
    key = f"planned:{planned.pk}"
    _advisory_lock("incident", planned.service_unit_id, key)
    existing = Incident.objects.filter(planned_outage=planned).order_by("-pk").first()
    if existing is not None:
        return _key_share(existing.pk)
    incident = Incident.objects.create(
        kind=IncidentKind.PLANNED,
        service_unit_id=planned.service_unit_id,
        area_key=key,
        area_code=planned.area_codes[0] if len(planned.area_codes) == 1 else "",
        planned_outage=planned,
        title=planned.reason[:200],
        etr=planned.ends_at,
        started_at=planned.starts_at,
        created_at=at,
        updated_at=at,
        confirmed_at=at,
    )
    _record(incident, SYSTEM, at, IncidentEventKind.CREATED, data={"planned_outage": planned.pk})
    return incident


# --- Linking -------------------------------------------------------------------------------


def on_case_opened(case: Case) -> Incident | None:
    """Called by ``complaints.services.case_open`` in its transaction, after the case row and
    its receipt exist: an outage report joins its area's planned outage or active incident, or
    completes the threshold that makes one. Returns the incident it joined."""
    if not case.category.is_outage or case.incident_id is not None:
        return None
    if not effects.enabled():
        # Loading history (demo data, imports): an incident is a live operation — a crew, an
        # ETR, notices — and a replayed past must not leave incidents active that nobody will
        # restore (new reports of the area would join a months-old outage).
        return None
    unit = case.service_unit
    at = clock.now()
    unit_ids = ids_at_and_above(unit.path)
    storm = storm_state(unit, unit_ids=unit_ids) is not None
    area = area_of(case)
    planned = planned_outage_covering(
        unit=unit, area_code=area.area_code if area else "", at=at, unit_ids=unit_ids
    )
    if planned is not None:
        incident = _planned_incident(planned, unit, at)
        if incident is not None:
            _link(case, incident, actor=SYSTEM, storm=storm, automatic=True)
            return incident
    rules = link_rules(storm=storm)
    if area is None:
        # Nothing to group by. In a storm the report is most likely part of the unit's
        # latest outage: link it there rather than dispatch a crew to an unknown place.
        if not storm:
            return None
        latest = (
            Incident.objects.filter(
                service_unit=unit, status__in=ACTIVE_INCIDENT_STATES, kind=IncidentKind.FAULT
            )
            .order_by("-started_at", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        incident = _key_share(latest) if latest else None
        if incident is not None:
            _link(case, incident, actor=SYSTEM, storm=storm, automatic=True)
        return incident
    incident = _active_incident_for(unit, area, rules)
    if incident is None:
        _advisory_lock("incident", unit.pk, area.key or "geo")
        # Whoever held the lock before us has committed: look again.
        incident = _active_incident_for(unit, area, rules)
    if incident is None:
        candidates = _candidates(case, unit, area, rules, at)
        if _reporters(candidates) < rules.threshold:
            return None
        incident = _create_incident(unit, area, candidates, rules, at)
        for other in candidates:
            if other.pk != case.pk:
                _link_committed(other.pk, incident, storm=storm)
        if effects.enabled():
            from complaints.incident_tasks import dispatch_incident

            transaction.on_commit(partial(_enqueue, dispatch_incident, incident.pk), robust=True)
    _link(case, incident, actor=SYSTEM, storm=storm, automatic=True)
    return incident


def _enqueue(task, *args) -> None:
    try:
        task.delay(*args)
    except Exception:  # the broker is down: the sweep (beat) picks the work up later
        logger.exception("could not enqueue %s%r", task.name, args)


def _active_incident_for(unit: ServiceUnit, area: Area, rules: LinkRules) -> Incident | None:
    incidents = Incident.objects.filter(
        service_unit=unit, status__in=ACTIVE_INCIDENT_STATES, kind=IncidentKind.FAULT
    )
    if area.key:
        found = incidents.filter(area_key=area.key).values_list("pk", flat=True).first()
        return _key_share(found) if found else None
    nearest = None
    for pk, lat, lon, radius in incidents.filter(area_code="", latitude__isnull=False).values_list(
        "pk", "latitude", "longitude", "radius_m"
    ):
        distance = distance_m(area.latitude, area.longitude, lat, lon)
        if distance <= max(radius, rules.radius_m) and (nearest is None or distance < nearest[0]):
            nearest = (distance, pk)
    return _key_share(nearest[1]) if nearest else None


def _candidates(
    case: Case, unit: ServiceUnit, area: Area, rules: LinkRules, at: datetime
) -> list[Case]:
    """Open, unlinked outage reports of this area within the window (this one included)."""
    recent = Case.objects.filter(
        service_unit=unit,
        category__is_outage=True,
        incident__isnull=True,
        status__in=OPEN_STATES,
        created_at__gte=at - rules.window,
    ).select_related("customer")
    if area.area_code:
        return list(recent.filter(customer__area_code=area.area_code).order_by("created_at", "pk"))
    near = []
    for other in recent.filter(Q(customer__isnull=True) | Q(customer__area_code="")).order_by(
        "created_at", "pk"
    ):
        where = area_of(other)
        if (
            where is not None
            and where.latitude is not None
            and (
                distance_m(area.latitude, area.longitude, where.latitude, where.longitude)
                <= rules.radius_m
            )
        ):
            near.append(other)
    return near


def _reporters(cases: list[Case]) -> int:
    """How many different customers (else reporters) the reports come from: one household
    reporting on three channels is not an area outage."""
    return len(
        {
            f"customer:{c.customer_id}"
            if c.customer_id
            else f"contact:{c.reporter_contact}"
            if c.reporter_contact
            else f"case:{c.pk}"
            for c in cases
        }
    )


def _create_incident(
    unit: ServiceUnit, area: Area, candidates: list[Case], rules: LinkRules, at: datetime
) -> Incident:
    first = candidates[0]
    first_area = area_of(first) or area
    incident = Incident.objects.create(
        kind=IncidentKind.FAULT,
        service_unit=unit,
        area_key=area.key or f"geo:{first.pk}",
        area_code=area.area_code,
        latitude=first_area.latitude,
        longitude=first_area.longitude,
        radius_m=0 if area.area_code else rules.radius_m,
        started_at=first.created_at,
        created_at=at,
        updated_at=at,
    )
    _record(
        incident,
        SYSTEM,
        at,
        IncidentEventKind.CREATED,
        data={"reports": [c.pk for c in candidates], "threshold": rules.threshold},
    )
    return incident


def _link_committed(case_id: int, incident: Incident, *, storm: bool) -> None:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "service_unit", "customer")
        .get(pk=case_id)
    )
    if case.incident_id is None and case.status in OPEN_STATES:
        _link(case, incident, actor=SYSTEM, storm=storm, automatic=True)


def _link(
    case: Case, incident: Incident, *, actor: Actor, storm: bool, automatic: bool
) -> CaseEvent:
    """Link a case the caller has locked (or just created) to an incident it holds at least
    KEY SHARE on, record it, and tell the reporter the outage is known."""
    at = clock.now()  # after the incident lock: fan-outs compare their time with this one
    case.incident = incident
    case.incident_linked_at = at
    case.version += 1
    case.updated_at = at
    case.save(update_fields=["incident", "incident_linked_at", "version", "updated_at"])
    event = CaseEvent.objects.create(
        case=case,
        created_at=at,
        actor=actor.user,
        actor_label=actor.label,
        kind=EventKind.INCIDENT_LINKED,
        data={"incident": incident.pk, "code": incident.code, "automatic": automatic},
    )
    webhooks.queue_case_event(event)
    template = NOTICE_PLANNED if incident.kind == IncidentKind.PLANNED else NOTICE_KNOWN
    notice = _notify(
        case,
        template,
        key=f"incident-link:{incident.pk}:case:{case.pk}",
        event=event,
        data=_incident_notice_data(incident),
    )
    # In a storm (and for a planned outage, which answers the complaint), the incident's notice
    # — which carries the ticket too — replaces the per-case receipt still waiting to go.
    if notice is not None and (storm or incident.kind == IncidentKind.PLANNED):
        _supersede(case, notice, RECEIPT_TEMPLATES)
    return event


def _incident_notice_data(incident: Incident) -> dict:
    data = {"incident": incident.pk, "code": incident.code}
    if incident.etr:
        data["etr"] = incident.etr.isoformat()
    if incident.planned_outage_id:
        planned = incident.planned_outage
        data.update(
            starts=planned.starts_at.isoformat(),
            etr=planned.ends_at.isoformat(),
            reason=planned.reason,
        )
    return data


@transaction.atomic
def incident_link_case(
    *,
    actor: Actor,
    case_id: int,
    incident_id: int,
    expected_version: int | None = None,
) -> Case:
    """An agent links a caller's report to the active incident of their area (one click on
    the case page); the reporter is told the outage is known and its ETR."""
    if not actor.roles & LINK_ROLES:
        raise NotAllowed(ROLE_NOT_ALLOWED, ticket=str(case_id))
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "service_unit", "customer")
        .get(pk=case_id)
    )
    if expected_version is not None and case.version != expected_version:
        raise StaleCase(
            STALE_CASE, ticket=case.ticket, expected=expected_version, current=case.version
        )
    if not case.category.is_outage:
        raise InvalidInput(CASE_NOT_OUTAGE)
    if case.status not in OPEN_STATES:
        raise InvalidInput(CASE_NOT_OPEN, ticket=case.ticket)
    if case.incident_id == incident_id:
        return case
    # Refused before the incident lock: a merge holds incident locks and waits for the rows
    # of linked cases, so a linked case must not wait here for an incident.
    if case.incident_id is not None:
        raise InvalidInput(ALREADY_LINKED, ticket=case.ticket, code=f"GGN-{case.incident_id:06d}")
    incident = _key_share(incident_id)
    if incident is None:
        raise InvalidInput(INCIDENT_NOT_ACTIVE, code=f"GGN-{incident_id:06d}")
    if incident.service_unit_id not in ids_at_and_above(case.service_unit.path):
        raise InvalidInput(WRONG_UNIT, code=incident.code)
    _link(
        case,
        incident,
        actor=actor,
        storm=storm_state(case.service_unit) is not None,
        automatic=False,
    )
    _record(
        incident,
        actor,
        case.incident_linked_at,
        IncidentEventKind.CASE_LINKED,
        data={"case": case.pk, "ticket": case.ticket},
    )
    return case


@transaction.atomic
def incident_unlink_case(*, actor: Actor, incident_id: int, case_id: int, reason: str) -> Case:
    """A report that is not part of this outage goes back to being handled on its own (and is
    dispatched on its own when verified)."""
    _require(actor, MANAGE_ROLES, incident_id)
    if not reason.strip():
        raise MissingField("reason")
    incident = _lock_incident(incident_id)
    case = Case.objects.select_for_update(of=("self",)).select_related("category").get(pk=case_id)
    if case.incident_id != incident.pk:
        raise InvalidInput(NOT_LINKED, ticket=case.ticket, code=incident.code)
    at = clock.now()
    _unlink(case, incident, actor, at, reason=reason.strip())
    _record(
        incident,
        actor,
        at,
        IncidentEventKind.CASE_UNLINKED,
        note=reason.strip(),
        data={"case": case.pk, "ticket": case.ticket},
    )
    _touch(incident, at, [])
    return case


def _unlink(case: Case, incident: Incident, actor: Actor, at: datetime, *, reason: str) -> None:
    case.incident = None
    case.incident_linked_at = None
    case.version += 1
    case.updated_at = at
    case.save(update_fields=["incident", "incident_linked_at", "version", "updated_at"])
    event = CaseEvent.objects.create(
        case=case,
        created_at=at,
        actor=actor.user,
        actor_label=actor.label,
        kind=EventKind.INCIDENT_UNLINKED,
        note=reason,
        data={"incident": incident.pk, "code": incident.code},
    )
    webhooks.queue_case_event(event)
    dispatchable = case.status in (CaseStatus.VERIFIED, CaseStatus.REOPENED)
    if dispatchable and case.category.is_field_work and effects.enabled():
        from staff.tasks import dispatch_case

        transaction.on_commit(partial(_enqueue, dispatch_case, case.pk), robust=True)


# --- Supervisor and crew changes -------------------------------------------------------------


def _require(actor: Actor, roles: frozenset[Role], incident_id: int) -> None:
    if not actor.roles & roles:
        raise NotAllowed(ROLE_NOT_ALLOWED, ticket=f"GGN-{incident_id:06d}")


def _require_crew_or_supervisor(actor: Actor, incident: Incident) -> None:
    if actor.roles & MANAGE_ROLES:
        return
    crew_user = incident.crew.user_id if incident.crew_id else None
    if Role.TECHNICIAN in actor.roles and actor.user is not None and actor.user.pk == crew_user:
        return
    raise NotAllowed(NOT_CREW, code=incident.code)


def _require_active(incident: Incident) -> None:
    if not incident.is_active:
        raise InvalidInput(INCIDENT_NOT_ACTIVE, code=incident.code)


def _touch(incident: Incident, at: datetime, fields: list[str]) -> None:
    incident.version += 1
    incident.updated_at = at
    incident.save(update_fields=[*fields, "version", "updated_at"])


def _record(
    incident: Incident,
    actor: Actor,
    at: datetime,
    kind: str,
    *,
    note: str = "",
    data: dict | None = None,
    source: str = "",
    fan_out: bool = False,
) -> IncidentEvent:
    event = IncidentEvent.objects.create(
        incident=incident,
        created_at=at,
        actor=actor.user,
        actor_label=actor.label,
        kind=kind,
        from_status=source,
        to_status=incident.status if source else "",
        note=note,
        data=data or {},
        fanout_done_at=None if fan_out else at,
    )
    if fan_out and effects.enabled():
        from complaints.incident_tasks import fan_out_incident_event

        transaction.on_commit(partial(_enqueue, fan_out_incident_event, event.pk), robust=True)
    return event


@transaction.atomic
def incident_confirm(
    *, actor: Actor, incident_id: int, title: str = "", expected_version: int | None = None
) -> Incident:
    """A supervisor confirms the outage is real (PLN Mobile's "INFO (PADAM MELUAS)")."""
    _require(actor, MANAGE_ROLES, incident_id)
    incident = _lock_incident(incident_id, expected_version)
    _require_active(incident)
    at = clock.now()
    changed = []
    if incident.confirmed_at is None:
        incident.confirmed_at = at
        incident.confirmed_by = actor.user
        changed += ["confirmed_at", "confirmed_by"]
    if title.strip():
        incident.title = title.strip()[:200]
        changed.append("title")
    _touch(incident, at, changed)
    _record(incident, actor, at, IncidentEventKind.CONFIRMED, data={"title": incident.title})
    return incident


@transaction.atomic
def incident_set_etr(
    *,
    actor: Actor,
    incident_id: int,
    etr: datetime,
    note: str = "",
    expected_version: int | None = None,
) -> Incident:
    """Set or revise the estimated restoration time; every reporter linked so far is told the
    new time once (fan-out after commit)."""
    incident = _lock_incident(incident_id, expected_version)
    _require_crew_or_supervisor(actor, incident)
    _require_active(incident)
    at = clock.now()
    if etr <= at:
        raise InvalidInput(ETR_IN_PAST)
    previous = incident.etr
    if previous == etr:
        return incident
    incident.etr = etr
    _touch(incident, at, ["etr"])
    _record(
        incident,
        actor,
        at,
        IncidentEventKind.ETR_SET,
        note=note.strip(),
        data={"etr": etr.isoformat(), "previous": previous.isoformat() if previous else None},
        fan_out=True,
    )
    return incident


@transaction.atomic
def incident_assign_crew(
    *, actor: Actor, incident_id: int, technician: Technician, note: str = ""
) -> Incident:
    """Give the incident its crew (a supervisor's choice; ``dispatch_incident`` chooses
    automatically). The one dispatch for all its reports."""
    _require(actor, MANAGE_ROLES, incident_id)
    incident = _lock_incident(incident_id)
    _require_active(incident)
    if incident.crew_id == technician.pk:
        return incident
    at = clock.now()
    previous = incident.crew_id
    _release_crew(incident)
    _book_crew(technician, incident)
    incident.crew = technician
    incident.crew_assigned_at = at
    _touch(incident, at, ["crew", "crew_assigned_at"])
    _record(
        incident,
        actor,
        at,
        IncidentEventKind.CREW_ASSIGNED,
        note=note,
        data={"technician": technician.pk, "previous": previous},
    )
    return incident


def _book_crew(technician: Technician, incident: Incident) -> None:
    """One unit of the technician's capacity, under a row lock (as for a case)."""
    locked = Technician.objects.select_for_update().get(pk=technician.pk)
    if locked.service_unit_id not in ids_at_and_above(incident.service_unit.path) and not (
        incident.service_unit.neighbours.filter(pk=locked.service_unit_id).exists()
    ):
        raise InvalidInput(CREW_NOT_SUITABLE, technician=str(locked))
    if locked.open_jobs >= locked.capacity:
        raise InvalidInput(CREW_FULL, technician=str(locked))
    locked.open_jobs += 1
    locked.save(update_fields=["open_jobs"])


def _release_crew(incident: Incident) -> None:
    if incident.crew_id is None:
        return
    locked = Technician.objects.select_for_update().get(pk=incident.crew_id)
    if locked.open_jobs > 0:
        locked.open_jobs -= 1
        locked.save(update_fields=["open_jobs"])


@transaction.atomic
def dispatch_incident(incident_id: int) -> Technician | None:
    """Choose and book one crew for an active fault incident that has none (the same choice
    as for a case: own unit first, nearest, least loaded). A technician already working one
    of the linked reports is kept as the crew when they have room. Safe to run twice."""
    from staff.dispatch import choose_technician

    incident = _lock_incident(incident_id)
    if not incident.is_active or incident.crew_id or incident.kind != IncidentKind.FAULT:
        return None
    cases = incident.cases.select_related("category", "service_unit", "customer").order_by(
        "created_at", "pk"
    )
    # A technician already sent to one of the reports (before they became an incident) is
    # on the way: they become the crew when they have room (their case's own booking ends
    # when the incident's restoration resolves it).
    working = (
        cases.filter(status__in=TECHNICIAN_STATES, technician__isnull=False)
        .select_related("technician")
        .first()
    )
    technician = None
    at = clock.now()
    if working is not None and working.technician.open_jobs < working.technician.capacity:
        # Checked before any lock, and only this one row is locked: choose_technician below
        # locks its candidates in id order, and holding another technician first could
        # deadlock with a parallel dispatch. Filled up meanwhile: the supervisor chooses.
        try:
            _book_crew(working.technician, incident)
        except InvalidInput:
            _record(incident, Actor.system("dispatch"), at, IncidentEventKind.NO_CREW)
            return None
        technician = working.technician
    if technician is None:
        first = cases.first()
        technician = choose_technician(first) if first is not None else None
        if technician is not None:
            _book_crew(technician, incident)
    if technician is None:
        last = incident.events.order_by("-created_at", "-id").first()
        if last is None or last.kind != IncidentEventKind.NO_CREW:
            _record(incident, Actor.system("dispatch"), at, IncidentEventKind.NO_CREW)
        return None
    incident.crew = technician
    incident.crew_assigned_at = at
    _touch(incident, at, ["crew", "crew_assigned_at"])
    _record(
        incident,
        Actor.system("dispatch"),
        at,
        IncidentEventKind.CREW_ASSIGNED,
        data={"technician": technician.pk, "previous": None},
    )
    return technician


@transaction.atomic
def incident_partial_restore(
    *,
    actor: Actor,
    incident_id: int,
    note: str = "",
    etr: datetime | None = None,
    expected_version: int | None = None,
) -> Incident:
    """ "Nyala bertahap": part of the area has power again. Reporters are told, with the ETR
    for the rest when given."""
    incident = _lock_incident(incident_id, expected_version)
    _require_crew_or_supervisor(actor, incident)
    _require_active(incident)
    at = clock.now()
    if etr is not None and etr <= at:
        raise InvalidInput(ETR_IN_PAST)
    source = incident.status
    incident.status = IncidentStatus.PARTIAL
    changed = ["status"]
    if etr is not None:
        incident.etr = etr
        changed.append("etr")
    _touch(incident, at, changed)
    _record(
        incident,
        actor,
        at,
        IncidentEventKind.PARTIAL,
        note=note.strip(),
        data={"etr": incident.etr.isoformat() if incident.etr else None},
        source=source,
        fan_out=True,
    )
    return incident


@transaction.atomic
def incident_restore(
    *,
    actor: Actor,
    incident_id: int,
    note: str = "",
    expected_version: int | None = None,
) -> Incident:
    """Power is back: the incident is restored, its crew released, and (after commit, in
    chunks) every linked open case is resolved and its reporter told once and asked
    "Listrik sudah menyala? 1 Ya / 2 Tidak"."""
    incident = _lock_incident(incident_id, expected_version)
    _require_crew_or_supervisor(actor, incident)
    _require_active(incident)
    at = clock.now()
    source = incident.status
    incident.status = IncidentStatus.RESTORED
    incident.restored_at = at
    _release_crew(incident)
    _touch(incident, at, ["status", "restored_at"])
    _record(
        incident,
        actor,
        at,
        IncidentEventKind.RESTORED,
        note=note.strip(),
        source=source,
        fan_out=True,
    )
    return incident


@transaction.atomic
def incident_close(
    *, actor: Actor, incident_id: int, reason: str = "", expected_version: int | None = None
) -> Incident:
    """End an incident. A restored one is closed (its cases follow their own course: the
    reporters' answers close them). An active one is cancelled — not one outage after all —
    and its reports go back to being handled one by one (``reason`` required)."""
    _require(actor, MANAGE_ROLES, incident_id)
    incident = _lock_incident(incident_id, expected_version)
    at = clock.now()
    source = incident.status
    if incident.status == IncidentStatus.RESTORED:
        incident.status = IncidentStatus.CLOSED
        incident.closed_at = at
        _touch(incident, at, ["status", "closed_at"])
        _record(incident, actor, at, IncidentEventKind.CLOSED, note=reason.strip(), source=source)
        return incident
    _require_active(incident)
    if not reason.strip():
        raise MissingField("reason")
    incident.status = IncidentStatus.CANCELLED
    incident.closed_at = at
    _release_crew(incident)
    _touch(incident, at, ["status", "closed_at"])
    _record(
        incident,
        actor,
        at,
        IncidentEventKind.CANCELLED,
        note=reason.strip(),
        source=source,
        fan_out=True,
    )
    return incident


@transaction.atomic
def incident_merge(
    *, actor: Actor, incident_id: int, into_incident_id: int, note: str = ""
) -> Incident:
    """Two incidents are one outage: every report of ``incident_id`` moves to the surviving
    incident, whose reporters-to-be are told its ETR; the duplicate's crew is released (or
    becomes the survivor's when it has none)."""
    _require(actor, MANAGE_ROLES, incident_id)
    if incident_id == into_incident_id:
        raise InvalidInput(MERGE_INVALID)
    # Both rows, in id order: two supervisors merging a pair both ways queue, not deadlock.
    locked = {
        i.pk: i
        for i in Incident.objects.select_for_update()
        .filter(pk__in=[incident_id, into_incident_id])
        .order_by("pk")
    }
    incident, target = locked.get(incident_id), locked.get(into_incident_id)
    if (
        incident is None
        or target is None
        or not incident.is_active
        or not target.is_active
        or incident.service_unit_id != target.service_unit_id
    ):
        raise InvalidInput(MERGE_INVALID)
    at = clock.now()
    moved = _move_cases(incident.cases.all(), incident, target, actor, at)
    if incident.crew_id and not target.crew_id:
        target.crew_id, target.crew_assigned_at = incident.crew_id, at
        _touch(target, at, ["crew", "crew_assigned_at"])
    else:
        _release_crew(incident)
        _touch(target, at, [])
    source = incident.status
    incident.status = IncidentStatus.MERGED
    incident.merged_into = target
    _touch(incident, at, ["status", "merged_into"])
    _record(
        incident,
        actor,
        at,
        IncidentEventKind.MERGED,
        note=note,
        data={"into": target.pk, "code": target.code, "cases": moved},
        source=source,
    )
    _record(
        target,
        actor,
        at,
        IncidentEventKind.MERGED_IN,
        note=note,
        data={"from": incident.pk, "code": incident.code, "cases": moved},
        fan_out=bool(moved),
    )
    return target


@transaction.atomic
def incident_split(
    *, actor: Actor, incident_id: int, case_ids: Iterable[int], note: str = ""
) -> Incident:
    """Some reports are a different outage (another transformer on the same feeder): they
    move to a new incident of their own, without a crew or ETR until one is given."""
    _require(actor, MANAGE_ROLES, incident_id)
    incident = _lock_incident(incident_id)
    _require_active(incident)
    case_ids = sorted(set(case_ids))
    selected = incident.cases.filter(pk__in=case_ids)
    if not case_ids or selected.count() != len(case_ids):
        raise InvalidInput(SPLIT_NOTHING, code=incident.code)
    if not incident.cases.exclude(pk__in=case_ids).exists():
        raise InvalidInput(SPLIT_ALL, code=incident.code)
    at = clock.now()
    first = selected.order_by("created_at", "pk").first()
    new = Incident.objects.create(
        kind=incident.kind,
        service_unit_id=incident.service_unit_id,
        # Its own key (new reports of the area keep joining the original incident); the
        # first moved report can start only one active split.
        area_key=f"split:{first.pk}",
        area_code=incident.area_code,
        latitude=first.latitude if first.latitude is not None else incident.latitude,
        longitude=first.longitude if first.longitude is not None else incident.longitude,
        radius_m=incident.radius_m,
        planned_outage=incident.planned_outage,
        title=incident.title,
        started_at=first.created_at,
        created_at=at,
        updated_at=at,
        confirmed_at=at,
        confirmed_by=actor.user,
        split_from=incident,
    )
    moved = _move_cases(selected, incident, new, actor, at)
    _touch(incident, at, [])
    _record(
        incident,
        actor,
        at,
        IncidentEventKind.SPLIT,
        note=note,
        data={"into": new.pk, "code": new.code, "cases": moved},
    )
    _record(
        new,
        actor,
        at,
        IncidentEventKind.SPLIT_FROM,
        note=note,
        data={"from": incident.pk, "code": incident.code, "cases": moved},
    )
    if effects.enabled() and new.kind == IncidentKind.FAULT:
        from complaints.incident_tasks import dispatch_incident as dispatch_task

        transaction.on_commit(partial(_enqueue, dispatch_task, new.pk), robust=True)
    return new


def _move_cases(cases, source: Incident, target: Incident, actor: Actor, at: datetime) -> list[int]:
    ids = list(cases.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return []
    Case.objects.filter(pk__in=ids).update(
        incident=target, incident_linked_at=at, version=F("version") + 1, updated_at=at
    )
    events = CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=pk,
            created_at=at,
            actor=actor.user,
            actor_label=actor.label,
            kind=EventKind.INCIDENT_LINKED,
            data={"incident": target.pk, "code": target.code, "from": source.pk},
        )
        for pk in ids
    )
    webhooks.queue_case_events(events)
    return ids


# --- Fan-out -------------------------------------------------------------------------------

FANOUT_KINDS = frozenset(
    {
        IncidentEventKind.ETR_SET,
        IncidentEventKind.PARTIAL,
        IncidentEventKind.RESTORED,
        IncidentEventKind.CANCELLED,
        IncidentEventKind.MERGED_IN,
    }
)


def incident_fan_out(event_id: int) -> int:
    """Apply one incident change to its cases: tell each reporter (ETR, nyala bertahap,
    restored), resolve (restored) or release (cancelled) each case. Chunked, each chunk one
    transaction; safe to run twice or beside another run (keys and state checks). Returns
    how many cases were handled by this run."""
    event = IncidentEvent.objects.select_related("incident__service_unit").get(pk=event_id)
    if event.fanout_done_at is not None or event.kind not in FANOUT_KINDS:
        return 0
    incident = event.incident
    cases = Case.objects.filter(incident=incident, incident_linked_at__lte=event.created_at)
    if event.kind == IncidentEventKind.MERGED_IN:
        cases = Case.objects.filter(pk__in=event.data.get("cases", []), incident=incident)
    if event.kind == IncidentEventKind.RESTORED:
        cases = cases.filter(status__in=[*OPEN_STATES, CaseStatus.RESOLVED])
    else:
        cases = cases.filter(status__in=OPEN_STATES)
    ids = list(cases.order_by("pk").values_list("pk", flat=True))
    handled = 0
    for start in range(0, len(ids), FANOUT_CHUNK):
        with transaction.atomic():
            chunk = (
                Case.objects.select_for_update(of=("self",))
                .select_related("category", "service_unit", "customer")
                .filter(pk__in=ids[start : start + FANOUT_CHUNK])
                .order_by("pk")
            )
            for case in chunk:
                if case.incident_id != incident.pk:
                    continue  # moved or unlinked since
                _FANOUT[event.kind](event, case)
                handled += 1
    IncidentEvent.objects.filter(pk=event.pk, fanout_done_at__isnull=True).update(
        fanout_done_at=clock.now()
    )
    return handled


def _fan_notice_key(event: IncidentEvent, case: Case) -> str:
    return f"incident-event:{event.pk}:case:{case.pk}"


def _fan_etr(event: IncidentEvent, case: Case) -> None:
    if case.status not in OPEN_STATES:
        return
    template = NOTICE_PARTIAL if event.kind == IncidentEventKind.PARTIAL else NOTICE_KNOWN
    data = _incident_notice_data(event.incident)
    if event.data.get("etr"):
        data["etr"] = event.data["etr"]
    _notify(case, template, key=_fan_notice_key(event, case), data=data)


def _fan_restored(event: IncidentEvent, case: Case) -> None:
    from complaints.services import case_transition

    incident = event.incident
    resolved_event = None
    if case.status in OPEN_STATES:
        with translation.override(settings.LANGUAGE_CODE):
            resolution = str(RESTORED_RESOLUTION % {"code": incident.code, "note": event.note})
        if case.status in VIA_VERIFIED:
            case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)
        case_transition(
            actor=SYSTEM,
            case_id=case.pk,
            target=CaseStatus.RESOLVED,
            resolution=resolution.strip(),
        )
        case.refresh_from_db()
        resolved_event = case.events.order_by("-created_at", "-id").first()
    elif case.status != CaseStatus.RESOLVED:
        return
    notice = _notify(
        case,
        NOTICE_RESTORED,
        key=_fan_notice_key(event, case),
        event=resolved_event,
        data={**_incident_notice_data(incident), "answer_url": restoration_url(case)},
    )
    if notice is not None:
        _supersede(case, notice, RESOLUTION_TEMPLATES)


def _fan_cancelled(event: IncidentEvent, case: Case) -> None:
    _unlink(case, event.incident, SYSTEM, event.created_at, reason=event.note)


_FANOUT = {
    IncidentEventKind.ETR_SET: _fan_etr,
    IncidentEventKind.PARTIAL: _fan_etr,
    IncidentEventKind.MERGED_IN: _fan_etr,
    IncidentEventKind.RESTORED: _fan_restored,
    IncidentEventKind.CANCELLED: _fan_cancelled,
}


def pending_fan_outs(*, older_than: timedelta) -> list[int]:
    """Incident changes whose fan-out has not finished (a lost task, a crash mid-way)."""
    return list(
        IncidentEvent.objects.filter(
            fanout_done_at__isnull=True, created_at__lte=clock.now() - older_than
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:100]
    )


def restore_finished_planned_outages(*, at: datetime | None = None) -> list[Incident]:
    """Planned incidents whose schedule has ended are restored (and their reporters asked
    whether the power is on) by the system."""
    at = at or clock.now()
    ids = Incident.objects.filter(
        kind=IncidentKind.PLANNED,
        status__in=ACTIVE_INCIDENT_STATES,
        planned_outage__ends_at__lte=at,
    ).values_list("pk", flat=True)
    restored = []
    for pk in list(ids):
        with translation.override(settings.LANGUAGE_CODE):
            note = str(PLANNED_ENDED)
        try:
            restored.append(
                incident_restore(actor=Actor.system("planned"), incident_id=pk, note=note)
            )
        except InvalidInput:
            continue
    return restored


# --- Notices -------------------------------------------------------------------------------


def _notify(
    case: Case,
    template: str,
    *,
    key: str,
    event: CaseEvent | None = None,
    data: dict | None = None,
) -> Notification | None:
    """One incident-level notice to a case's reporter on their channel, once per ``key``.
    Written like complaints.notifications' case notices (same texts directory, WhatsApp
    template parameters, subject and title), with our own key: one per (incident change,
    case)."""
    if not effects.enabled():
        return None
    channel = notice_channel(case)
    if channel is None:
        return None
    existing = Notification.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    language = notice_language(case)
    # The texts read the event's data (etr, reason, answer_url); an unsaved event carries it
    # when the change has no case event of its own (an ETR revision).
    render_event = CaseEvent(
        case=case,
        kind=EventKind.NOTE,
        note=event.note if event else "",
        data={**(event.data if event else {}), **(data or {})},
        created_at=clock.now(),
    )
    context = notice_context(template, case, render_event, language)
    context.update(
        starts=_local(render_event.data.get("starts"), case, language),
        reason=render_event.data.get("reason", ""),
        answer_url=render_event.data.get("answer_url", ""),
        incident_code=render_event.data.get("code", ""),
    )
    body = _render(template, language, context)
    extra = {
        "ticket": case.ticket,
        "params": template_parameters(template, context),
        "subject": _render("_subject", language, context),
        "title": _render("_title", language, context),
        "contact_kind": case.reporter_contact_kind,
    }
    notice = queue_message(
        channel=channel,
        recipient=case.reporter_contact,
        body=body,
        idempotency_key=key,
        template=template,
        language=language,
        case=case,
        event=event,
        context=extra,
    )
    # Storm mode held this report's progress notices for the incident's: this one says more.
    Notification.objects.filter(
        case=case, status=NotificationStatus.PENDING, next_attempt_at__isnull=True
    ).filter(context__has_key=HELD_KEY).exclude(pk=notice.pk).update(
        status=NotificationStatus.SUPERSEDED, superseded_by=notice
    )
    return notice


def _render(name: str, language: str, context: dict) -> str:
    with translation.override(language):
        return render_to_string(f"notifications/{name}/{language}.txt", context).strip()


def _local(value: str | None, case: Case, language: str) -> str:
    """An ISO time as the customer reads it: the unit's zone and label ("5 Mar 2026 14:30
    WIB"), month names in the customer's language."""
    moment = parse_datetime(value) if value else None
    if moment is None:
        return ""
    unit = case.service_unit
    with translation.override(language):
        return f"{formats.date_format(moment.astimezone(unit.tz), 'j M Y H:i')} {unit.tz_label}"


def _supersede(case: Case, by: Notification, templates: Iterable[str]) -> int:
    """Notices of this case still waiting in the outbox that ``by`` replaces. Only rows this
    transaction wrote are pending-and-unseen by workers, so nothing in flight is touched."""
    return (
        Notification.objects.filter(
            case=case, status=NotificationStatus.PENDING, template__in=list(templates)
        )
        .exclude(pk=by.pk)
        .update(status=NotificationStatus.SUPERSEDED, superseded_by=by, next_attempt_at=None)
    )


# --- Restoration check ---------------------------------------------------------------------


def restoration_token(case: Case) -> str:
    return signing.dumps({"case": case.pk}, salt=RESTORATION_SALT, compress=True)


def restoration_case_id(token: str) -> int | None:
    try:
        data = signing.loads(
            token, salt=RESTORATION_SALT, max_age=timedelta(days=RESTORATION_ANSWER_DAYS)
        )
    except signing.BadSignature:
        return None
    case_id = data.get("case") if isinstance(data, dict) else None
    return case_id if isinstance(case_id, int) else None


def restoration_url(case: Case) -> str:
    return settings.PUBLIC_BASE_URL + reverse(RESTORATION_PATH, args=[restoration_token(case)])


def on_case_resolved(case: Case, event: CaseEvent) -> None:
    """Called by ``complaints.services.case_transition`` when a case is resolved: an outage
    case resolved on its own (not through an incident, which asks itself) asks its reporter
    "Listrik sudah menyala? 1 Ya / 2 Tidak" in place of the plain "resolved" notice."""
    if not case.category.is_outage or case.incident_id is not None:
        return
    notice = _notify(
        case,
        NOTICE_RESTORATION_CHECK,
        key=f"restoration-check:{event.pk}",
        event=event,
        data={"answer_url": restoration_url(case)},
    )
    if notice is not None:
        _supersede(case, notice, RESOLUTION_TEMPLATES)


@transaction.atomic
def restoration_answer(
    *, case: Case, still_off: bool, channel: str, actor: Actor | None = None
) -> Case:
    """The reporter's answer to "Listrik sudah menyala?". Yes closes their case (and the
    satisfaction survey goes out). No opens a follow-up outage case at that address, linked
    to this one (``follow_up_of``), and closes this one pointing at it — only this reporter's
    matter is reopened, never the incident or the other reporters' cases. Returns the case
    that carries on (the follow-up, or the closed case). Answering twice changes nothing."""
    from complaints.services import Reporter, case_add_customer_message, case_open, case_transition

    actor = actor or Actor.customer(channel)
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "service_unit", "customer", "incident")
        .get(pk=case.pk)
    )
    if not locked.category.is_outage:
        raise InvalidInput(RESTORATION_NOT_ASKED, ticket=locked.ticket)
    follow_up = locked.follow_ups.order_by("pk").first()
    if follow_up is not None:
        return follow_up
    if locked.status == CaseStatus.CLOSED:
        return locked
    if locked.status != CaseStatus.RESOLVED:
        raise InvalidInput(RESTORATION_NOT_ASKED, ticket=locked.ticket)
    with translation.override(settings.LANGUAGE_CODE):
        answer = str(ANSWER_NO if still_off else ANSWER_YES)
    case_add_customer_message(
        actor=actor,
        case_id=locked.pk,
        text=answer,
        data={"channel": channel, "restoration_answer": "no" if still_off else "yes"},
    )
    if not still_off:
        case_transition(actor=actor, case_id=locked.pk, target=CaseStatus.CLOSED)
        locked.refresh_from_db()
        return locked
    incident = f", {locked.incident.code}" if locked.incident_id else ""
    with translation.override(locked.reporter_language or settings.LANGUAGE_CODE):
        description = str(STILL_OFF_DESCRIPTION % {"ticket": locked.ticket, "incident": incident})
    follow_up = case_open(
        actor=actor,
        channel=locked.channel,
        category=Category.objects.get(pk=locked.category_id),
        description=description,
        customer=locked.customer,
        service_unit=locked.service_unit,
        reporter=Reporter(
            name=locked.reporter_name,
            contact_kind=locked.reporter_contact_kind,
            contact=locked.reporter_contact,
            language=locked.reporter_language,
        ),
        location_text=locked.location_text,
        latitude=locked.latitude,
        longitude=locked.longitude,
        priority=min(locked.priority, Priority.HIGH),
    )
    follow_up.follow_up_of = locked
    follow_up.save(update_fields=["follow_up_of"])
    with translation.override(settings.LANGUAGE_CODE):
        note = str(STILL_OFF_NOTE % {"ticket": follow_up.ticket})
    case_transition(
        actor=Actor.system("restoration"),
        case_id=locked.pk,
        target=CaseStatus.CLOSED,
        reason=note,
    )
    # The customer hears about the follow-up's ticket, not "your complaint is closed, rate us".
    receipt = Notification.objects.filter(case=follow_up, template="received").first()
    if receipt is not None:
        _supersede(locked, receipt, ("closed",))
    return follow_up


_YES = re.compile(r"^\s*(1|ya|iya|sudah|sdh|udah|yes|on)\b", re.IGNORECASE)
_NO = re.compile(r"^\s*(2|tidak|tdk|belum|blm|masih padam|no|not yet)\b", re.IGNORECASE)


def parse_restoration_answer(text: str) -> bool | None:
    """ "1"/"ya"/"sudah" → False (not still off), "2"/"tidak"/"belum" → True, else None."""
    if _NO.match(text or ""):
        return True
    if _YES.match(text or ""):
        return False
    return None


def awaiting_restoration_answer(
    *, contact: str, within: timedelta = timedelta(days=1)
) -> Case | None:
    """The reporter's latest outage case that asked "Listrik sudah menyala?" within
    ``within`` and has no answer yet (still resolved, no follow-up)."""
    since = clock.now() - within
    asked = (
        Notification.objects.filter(
            recipient=contact,
            template__in=[NOTICE_RESTORED, NOTICE_RESTORATION_CHECK],
            created_at__gte=since,
            case__status=CaseStatus.RESOLVED,
        )
        .order_by("-created_at", "-pk")
        .values_list("case_id", flat=True)
        .first()
    )
    if asked is None:
        return None
    return Case.objects.filter(pk=asked, follow_ups__isnull=True).first()


def answer_from_message(*, contact: str, text: str, channel: str) -> Case | None:
    """For a messaging channel's conversation (the integration point for the bot): when
    ``contact`` was asked "Listrik sudah menyala? 1 Ya / 2 Tidak" and ``text`` answers it,
    apply the answer and return the case that carries on; None when the message is not such
    an answer (the conversation goes on as usual)."""
    still_off = parse_restoration_answer(text)
    if still_off is None:
        return None
    case = awaiting_restoration_answer(contact=contact)
    if case is None:
        return None
    return restoration_answer(case=case, still_off=still_off, channel=channel)
