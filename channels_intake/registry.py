"""Which function processes the stored messages of each channel. Channel packages register
themselves in their ``apps``-time import (``channels_intake/<channel>/__init__.py``)."""

from collections.abc import Callable

from channels_intake.models import InboundMessage

# A processor parses the raw message (no writes while parsing) and then calls the complaints
# services. It returns the case it opened or updated, None when it handled the message without
# a case (a bot menu, a status lookup), or False when the message is deliberately ignored
# (an auto-reply, a bounce). It raises on anything it cannot handle; the row keeps the error.
Processor = Callable[[InboundMessage], object]
_PROCESSORS: dict[str, Processor] = {}


def register(channel: str, processor: Processor) -> None:
    _PROCESSORS[channel] = processor


def processor_for(channel: str) -> Processor:
    try:
        return _PROCESSORS[channel]
    except KeyError:
        raise LookupError(f"no processor registered for channel {channel!r}") from None
