"""Delivering outbox rows, and putting right the ones a crash left behind.

A row is claimed under a row lock (``pending`` → ``sending``, attempt counted, ``claimed_at``
set) in its own short transaction before the provider is called, so two workers never send the
same notice. What happens after the call depends on how it ended:

- taken: ``sent`` (a provider status report may already have moved it further);
- refused for now (connection refused, 429, 5xx): ``pending`` again, exponential backoff
  (NOTIFY_RETRY_BASE_SECONDS * 2^(n-1), capped at NOTIFY_RETRY_CAP_SECONDS), and ``failed``
  with the error kept after NOTIFY_MAX_ATTEMPTS;
- refused for good: ``failed`` at once;
- may or may not have arrived (timeout, lost connection): retried where the provider
  de-duplicates, ``unknown`` where it does not (WhatsApp, Meta), to be resolved by its status
  callback.

``reconcile_in_flight`` handles the rows whose worker died mid-send (still ``sending`` after
NOTIFY_SENDING_TIMEOUT) by the same rule per provider, and sends again the ``unknown`` rows
that no status callback resolved within NOTIFY_RECONCILE_SECONDS.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from complaints import clock
from complaints.models import Notification, NotificationStatus
from complaints.outbound import backend_for, retry_safe
from complaints.outbound.base import (
    Backend,
    DeliveryError,
    OutcomeUnknown,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)

__all__ = ["DeliveryError", "backoff", "deliver", "due_notification_ids", "reconcile_in_flight"]

logger = logging.getLogger(__name__)

S = NotificationStatus
WORKER_LOST_RETRIED = "The worker stopped during the send; sent again (the provider de-duplicates)."
WORKER_LOST_UNKNOWN = (
    "The worker stopped during the send; it may have reached the provider. "
    "Waiting for the provider's status report before sending again."
)
NO_STATUS_RESENT = "No status report from the provider after the uncertain send; sent again."
GAVE_UP = "Gave up after %(attempts)s attempts: %(error)s"
# A countdown task may fire a hair before the row's time; sending that early is harmless.
CLAIM_TOLERANCE = timedelta(seconds=1)


def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: base, twice the base, four times, … up to the cap."""
    base = settings.NOTIFY_RETRY_BASE_SECONDS
    cap = settings.NOTIFY_RETRY_CAP_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def deliver(notification_id: int) -> str:
    """Send one notice if it is due; returns its status afterwards ("skipped" when it was not
    this call's to send). Safe to call any number of times, from any number of workers."""
    notification, backend = _claim(notification_id)
    if notification is None:
        return "skipped"
    try:
        result = backend.send(notification)
    except PermanentFailure as exc:
        return _failed(notification, str(exc))
    except OutcomeUnknown as exc:
        if backend.retry_safe:
            return _retry_later(notification, str(exc))
        return _unknown(notification, str(exc))
    except TemporaryFailure as exc:
        return _retry_later(notification, str(exc))
    # Anything else is a bug in a backend: the row stays "sending", as after a crash, and the
    # reconcile sweep applies the provider's rule to it.
    return _sent(notification, result)


def _claim(notification_id: int) -> tuple[Notification | None, Backend | None]:
    now = clock.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                pk=notification_id, status=S.PENDING, next_attempt_at__lte=now + CLAIM_TOLERANCE
            )
            .first()
        )
        if notification is None:
            return None, None
        backend = backend_for(notification.channel)
        notification.status = S.SENDING
        notification.attempts += 1
        notification.claimed_at = now
        notification.backend = backend.name
        notification.save(update_fields=["status", "attempts", "claimed_at", "backend"])
    return notification, backend


def _sent(notification: Notification, result: SendResult) -> str:
    now = clock.now()
    # Conditional: a status report (found by our id) may have moved the row on already.
    updated = Notification.objects.filter(
        pk=notification.pk, status__in=[S.SENDING, S.UNKNOWN]
    ).update(
        status=S.SENT,
        provider_message_id=result.provider_message_id,
        sent_at=now,
        next_attempt_at=None,
        last_error="",
    )
    if not updated:
        Notification.objects.filter(pk=notification.pk, provider_message_id="").update(
            provider_message_id=result.provider_message_id
        )
    return Notification.objects.values_list("status", flat=True).get(pk=notification.pk)


def _retry_later(notification: Notification, error: str) -> str:
    if notification.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        return _failed(notification, GAVE_UP % {"attempts": notification.attempts, "error": error})
    due = clock.now() + backoff(notification.attempts)
    Notification.objects.filter(pk=notification.pk, status=S.SENDING).update(
        status=S.PENDING, last_error=error[:2000], next_attempt_at=due
    )
    logger.warning(
        "notification %s: attempt %s failed, next at %s: %s",
        notification.pk,
        notification.attempts,
        due.isoformat(),
        error,
    )
    from complaints.tasks import kick_delivery

    kick_delivery(notification.pk, due_at=due)
    return S.PENDING


def _failed(notification: Notification, error: str) -> str:
    Notification.objects.filter(pk=notification.pk, status__in=[S.SENDING, S.UNKNOWN]).update(
        status=S.FAILED, last_error=error[:2000], next_attempt_at=None
    )
    logger.error("notification %s failed: %s", notification.pk, error)
    return S.FAILED


def _unknown(notification: Notification, error: str) -> str:
    Notification.objects.filter(pk=notification.pk, status=S.SENDING).update(
        status=S.UNKNOWN, last_error=error[:2000], next_attempt_at=None
    )
    logger.warning("notification %s: outcome unknown, awaiting status: %s", notification.pk, error)
    return S.UNKNOWN


@dataclass
class Reconciled:
    retried: list[int] = field(default_factory=list)  # sent again, provider de-duplicates
    unknown: list[int] = field(default_factory=list)  # await the provider's status report
    resent: list[int] = field(default_factory=list)  # no report came: never reached it
    failed: list[int] = field(default_factory=list)  # out of attempts


@transaction.atomic
def reconcile_in_flight(*, now: datetime | None = None, limit: int = 500) -> Reconciled:
    """Resolve attempts that never reported back (their worker died, or the outcome was
    unknown). Rows a live worker holds are skipped, not waited for."""
    now = now or clock.now()
    report = Reconciled()
    stuck = (
        Notification.objects.select_for_update(skip_locked=True)
        .filter(
            status=S.SENDING,
            claimed_at__lt=now - timedelta(seconds=settings.NOTIFY_SENDING_TIMEOUT),
        )
        .order_by("claimed_at")[:limit]
    )
    for row in stuck:
        if not retry_safe(row.backend):
            _set(row, S.UNKNOWN, WORKER_LOST_UNKNOWN, None)
            report.unknown.append(row.pk)
        elif row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            _set(row, S.FAILED, GAVE_UP % {"attempts": row.attempts, "error": "worker lost"}, None)
            report.failed.append(row.pk)
        else:
            _set(row, S.PENDING, WORKER_LOST_RETRIED, now)
            report.retried.append(row.pk)
    unanswered = (
        Notification.objects.select_for_update(skip_locked=True)
        .filter(
            status=S.UNKNOWN,
            claimed_at__lt=now - timedelta(seconds=settings.NOTIFY_RECONCILE_SECONDS),
        )
        .order_by("claimed_at")[:limit]
    )
    for row in unanswered:
        if row.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            _set(row, S.FAILED, GAVE_UP % {"attempts": row.attempts, "error": row.last_error}, None)
            report.failed.append(row.pk)
        else:
            _set(row, S.PENDING, NO_STATUS_RESENT, now)
            report.resent.append(row.pk)
    return report


def _set(row: Notification, status: str, error: str, due: datetime | None) -> None:
    row.status = status
    row.last_error = error
    row.next_attempt_at = due
    row.save(update_fields=["status", "last_error", "next_attempt_at"])


def due_notification_ids(*, grace: timedelta, limit: int = 500) -> list[int]:
    """Pending notices whose time came more than ``grace`` ago: their task was lost (broker
    outage, a crash between commit and publish) or never existed (a wait longer than a
    countdown may safely be). Younger ones probably still have their task in the broker."""
    now = clock.now()
    return list(
        Notification.objects.filter(status=S.PENDING, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
