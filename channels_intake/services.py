"""Receive first, process later: a channel view stores the raw delivery and answers at once;
processing runs in the ``intake`` queue after commit."""

import logging
import traceback

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
) -> tuple[InboundMessage, bool]:
    """Store one delivery verbatim; (row, created). A repeat delivery returns the first row
    and enqueues nothing."""
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
            )
    except IntegrityError:
        existing = InboundMessage.objects.get(
            channel=channel, provider_message_id=provider_message_id[:255]
        )
        return existing, False
    from channels_intake.tasks import process_inbound

    transaction.on_commit(lambda: process_inbound.delay(message.pk))
    return message, True


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
    from channels_intake.tasks import process_inbound

    ids = list(
        InboundMessage.objects.filter(
            pk__in=message_ids, status__in=[InboundStatus.FAILED, InboundStatus.RECEIVED]
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        transaction.on_commit(lambda pk=pk: process_inbound.delay(pk))
    return len(ids)
