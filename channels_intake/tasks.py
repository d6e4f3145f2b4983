from celery import shared_task

from channels_intake.services import inbound_process


@shared_task(name="channels_intake.tasks.process_inbound")
def process_inbound(message_id: int) -> str:
    return inbound_process(message_id)
