"""Receive first, process later: a channel view stores the raw delivery and answers at once;
processing runs in the ``intake`` queue after commit."""

import logging
import traceback
from datetime import timedelta

from django.db import IntegrityError, transaction

from channels_intake.models import InboundMessage, InboundStatus
from channels_intake.registry import processor_for
from complaints import clock

logger = logging.getLogger(__name__)

# Headers worth keeping for audit and signatures; cookies and auth never are.
DROPPED_HEADERS = frozenset({"cookie", "authorization", "x-inbound-secret"})


def request_headers(request) -> dict[str, str]:
    return {
        key.lower(): value
        for key, value in request.headers.items()
        if key.lower() not in DROPPED_HEADERS
    }


def inbound_receive(
    *,
    channel: str,
    provider_message_id: str,
    body: bytes,
    headers: dict[str, str] | None = None,
    content_type: str = "",
    remote_addr: str | None = None,
    error: str = "",
    enqueue: bool = True,
) -> tuple[InboundMessage, bool]:
    """Store one delivery verbatim; (row, created). A repeat delivery returns the first row
    and enqueues nothing.

    ``error``: the delivery is authentic but unusable as it stands (malformed JSON): it is
    kept as failed, with the reason, for staff to read. ``enqueue=False``: the caller processes
    the row itself (a batch handing out its messages in order)."""
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                channel=channel,
                provider_message_id=provider_message_id[:255],
                body=body,
                headers=headers or {},
                content_type=content_type[:200],
                remote_addr=remote_addr,
                received_at=clock.now(),
                status=InboundStatus.FAILED if error else InboundStatus.RECEIVED,
                error=error[:4000],
            )
    except IntegrityError:
        existing = InboundMessage.objects.get(
            channel=channel, provider_message_id=provider_message_id[:255]
        )
        return existing, False
    if enqueue and not error:
        _enqueue(message.pk)
    return message, True


def _enqueue(message_id: int) -> None:
    from channels_intake.tasks import process_inbound

    # robust: the row is committed whatever the broker does; a failed publish is logged and
    # the sweep (requeue_unprocessed_inbound) picks the row up later. The provider still gets
    # its 200 — the message is safe in the database.
    transaction.on_commit(lambda: process_inbound.delay(message_id), robust=True)


def inbound_process(message_id: int) -> str:
    """Run the channel's processor on a stored message. A failure is kept on the row (status
    failed, error text) for staff to read and re-process; it never loses the message."""
    with transaction.atomic():
        message = (
            InboundMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status__in=[InboundStatus.RECEIVED, InboundStatus.FAILED])
            .first()
        )
        if message is None:
            return "skipped"  # done already, or another worker has it
        message.attempts += 1
        try:
            with transaction.atomic():
                result = processor_for(message.channel)(message)
        except Exception as exc:  # any failure is recorded on the row, never raised away
            logger.exception("inbound %s failed", message)
            message.status = InboundStatus.FAILED
            message.error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
            message.save(update_fields=["status", "error", "attempts"])
            return message.status
        from complaints.models import Case

        message.case = result if isinstance(result, Case) else None
        message.status = InboundStatus.PROCESSED if result is not False else InboundStatus.IGNORED
        message.error = ""
        message.processed_at = clock.now()
        message.save(update_fields=["status", "error", "attempts", "case", "processed_at"])
        return message.status


def inbound_reprocess(message_ids: list[int]) -> int:
    """Queue failed messages again (the admin's "re-process" action)."""
    ids = list(
        InboundMessage.objects.filter(
            pk__in=message_ids, status__in=[InboundStatus.FAILED, InboundStatus.RECEIVED]
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        _enqueue(pk)
    return len(ids)


def unprocessed_inbound_ids(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """Rows still waiting for their first processing after ``older_than``: their task was
    lost (a crash between commit and publish, a broker outage). Failed rows wait for staff."""
    return list(
        InboundMessage.objects.filter(
            status=InboundStatus.RECEIVED, received_at__lte=clock.now() - older_than
        )
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
