"""A stored CTI call needs no further work: the agent files the complaint in the console."""

from channels_intake.models import InboundMessage


def process_call(message: InboundMessage) -> None:
    return None
