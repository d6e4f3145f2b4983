"""Outbound webhooks: integrators subscribe a URL to case events.

Queueing. ``complaints.events._record`` (the one place every case event is written) calls
``queue_case_event``; for each active subscription that wants the event (its kinds, its unit
and the units below) an outbox row is written in the same transaction as the change — channel
``webhook``, recipient the subscription id, body the JSON payload, idempotency key (event,
subscription) — so a rolled-back change sends nothing and a committed one is never lost.
Changes that write many case events at once (complaints.incidents: linking, moving, pausing
SLA clocks) call ``queue_case_events`` with all of them: a constant number of queries.

Delivery. The outbox delivers it like any notice (complaints.delivery): after commit, retried
with exponential backoff on refusals, 5xx and timeouts, ``failed`` with its last error after
NOTIFY_MAX_ATTEMPTS; every attempt is visible in the admin's outbox. The backend
(complaints.outbound.webhook) signs each attempt:

    X-Aduan-Event: case.status_changed
    X-Aduan-Delivery: <outbox row id>          (the same on every retry: de-duplicate on it)
    X-Aduan-Timestamp: <unix seconds>
    X-Aduan-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>

A receiver recomputes the HMAC over the raw body bytes it received, compares in constant time,
and refuses timestamps older than a few minutes (a replayed request). ``verify_signature``
below is that check, for receivers written in Python and for our tests.

Payloads carry no personal data (no names, contacts or note texts): an integrator that needs
more reads the case through the API with its own token, in its own units.
"""

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from datetime import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from complaints import clock, effects
from complaints.models import Case, CaseEvent, Notification, WebhookSubscription
from complaints.notifications import queue_message
from staff.models import ServiceUnit

CHANNEL = "webhook"
EVENT_HEADER = "X-Aduan-Event"
DELIVERY_HEADER = "X-Aduan-Delivery"
TIMESTAMP_HEADER = "X-Aduan-Timestamp"
SIGNATURE_HEADER = "X-Aduan-Signature"
SIGNATURE_PREFIX = "sha256="
# A receiver should refuse a signature older than this (replay).
SIGNATURE_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return secrets.token_hex(32)


def event_name(kind: str) -> str:
    return f"case.{kind}"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def verify_signature(
    secret: str,
    *,
    body: bytes,
    timestamp: str,
    signature: str,
    now: datetime | None = None,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does with a delivery: constant-time compare, fresh timestamps only."""
    if not timestamp.isdigit():
        return False
    now_seconds = (now or clock.now()).timestamp()
    if abs(now_seconds - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def payload(event: CaseEvent, case: Case) -> dict:
    return {
        "event": event_name(event.kind),
        "event_id": event.pk,
        "occurred_at": event.created_at.isoformat(),
        "case": {
            "id": case.pk,
            "ticket": case.ticket,
            "status": case.status,
            "channel": case.channel,
            "category": case.category.code,
            "priority": case.priority,
            "service_unit": case.service_unit_id,
            "incident": case.incident_id,
            "version": case.version,
            "updated_at": case.updated_at.isoformat(),
            "resolution_due_at": case.resolution_due_at.isoformat()
            if case.resolution_due_at
            else None,
            "url": settings.PUBLIC_BASE_URL + reverse("api:case", args=[case.pk]),
        },
        "change": {"from_status": event.from_status, "to_status": event.to_status},
    }


def _subscriptions_for(event: CaseEvent, case: Case) -> list[WebhookSubscription]:
    """Active subscriptions that want ``event``. One query; a second only when some are
    limited to a unit (the case's unit path, to match units below theirs)."""
    candidates = list(
        WebhookSubscription.objects.filter(active=True)
        .filter(Q(events=[]) | Q(events__contains=[event.kind]))
        .select_related("service_unit")
        .order_by("pk")
    )
    if not any(sub.service_unit_id for sub in candidates):
        return candidates
    path = ServiceUnit.objects.values_list("path", flat=True).get(pk=case.service_unit_id)
    return [
        sub
        for sub in candidates
        if sub.service_unit is None
        or path == sub.service_unit.path
        or path.startswith(sub.service_unit.path + "/")
    ]


def queue_case_event(event: CaseEvent) -> list[Notification]:
    """Queue ``event`` for every subscription that wants it, in the caller's transaction.
    Off while history is loaded (effects suppressed), like customer notices."""
    if not effects.enabled():
        return []
    case = event.case
    subscriptions = _subscriptions_for(event, case)
    if not subscriptions:
        return []
    body = json.dumps(payload(event, case), ensure_ascii=False, separators=(",", ":"))
    return [
        queue_message(
            channel=CHANNEL,
            recipient=str(subscription.pk),
            body=body,
            idempotency_key=f"webhook:{subscription.pk}:{event.pk}",
            template=event.kind,
            # Not linked to the case: the case's notices are what its customer was told.
            event=event,
            context={"event": event_name(event.kind), "ticket": case.ticket},
        )
        for subscription in subscriptions
    ]


def queue_case_events(events: Sequence[CaseEvent]) -> list[Notification]:
    """``queue_case_event`` for many events written at once (an incident linking, moving or
    pausing the SLA of hundreds of cases), in the caller's transaction: the subscriptions in
    one query, the cases (with the unit paths the subscriptions' units are matched against)
    in one, the outbox rows in one insert, and one after-commit callback that enqueues their
    delivery. The events are fresh, so no idempotency key can exist yet."""
    if not effects.enabled() or not events:
        return []
    subscriptions = list(
        WebhookSubscription.objects.filter(active=True)
        .select_related("service_unit")
        .order_by("pk")
    )
    kinds = {event.kind for event in events}
    wanted = {
        kind: [sub for sub in subscriptions if not sub.events or kind in sub.events]
        for kind in kinds
    }
    if not any(wanted.values()):
        return []
    case_ids = {event.case_id for event in events if wanted[event.kind]}
    cases = {
        case.pk: case
        for case in Case.objects.filter(pk__in=case_ids).select_related("category", "service_unit")
    }
    now = clock.now()
    rows = []
    for event in events:
        case = cases.get(event.case_id)
        if case is None:
            continue
        path = case.service_unit.path
        body = None
        for subscription in wanted[event.kind]:
            unit = subscription.service_unit
            if unit is not None and path != unit.path and not path.startswith(unit.path + "/"):
                continue
            if body is None:
                body = json.dumps(payload(event, case), ensure_ascii=False, separators=(",", ":"))
            rows.append(
                Notification(
                    event=event,
                    channel=CHANNEL,
                    recipient=str(subscription.pk),
                    language="id",
                    template=event.kind,
                    body=body,
                    idempotency_key=f"webhook:{subscription.pk}:{event.pk}",
                    context={"event": event_name(event.kind), "ticket": case.ticket},
                    created_at=now,
                    next_attempt_at=now,
                )
            )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows, batch_size=1000)
    ids = [row.pk for row in created]
    transaction.on_commit(partial(_kick_all, ids, now), robust=True)
    return created


def _kick_all(ids: list[int], due: datetime) -> None:
    from complaints.tasks import kick_delivery

    for pk in ids:
        kick_delivery(pk, due_at=due)


def deliveries_of(subscription: WebhookSubscription, *, limit: int = 20) -> list[Notification]:
    """The newest outbox rows of a subscription (its admin page shows them)."""
    return list(
        Notification.objects.filter(channel=CHANNEL, recipient=str(subscription.pk)).order_by(
            "-created_at", "-id"
        )[:limit]
    )


def subscription_rotate_secret(subscription: WebhookSubscription) -> str:
    """A new signing secret; deliveries from now on are signed with it (a retry of an older
    row too: rows are signed when sent, not when queued)."""
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret"])
    return subscription.secret
