from datetime import timedelta

from celery import shared_task

from channels_intake.services import inbound_process, unprocessed_inbound_ids

# A received row younger than this probably still has its task in the broker.
REQUEUE_GRACE = timedelta(minutes=2)


@shared_task(name="channels_intake.tasks.process_inbound")
def process_inbound(message_id: int) -> str:
    return inbound_process(message_id)


@shared_task(name="channels_intake.tasks.requeue_unprocessed_inbound")
def requeue_unprocessed_inbound() -> int:
    ids = unprocessed_inbound_ids(older_than=REQUEUE_GRACE)
    for pk in ids:
        process_inbound.delay(pk)
    return len(ids)
