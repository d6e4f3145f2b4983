"""The one source of "now" for the domain.

Production code always reads the real clock; the demo loader (and tests) may place a block of
service calls at an earlier moment so that loaded histories are consistent event by event.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_frozen: ContextVar[datetime | None] = ContextVar("aduan_clock", default=None)


def now() -> datetime:
    return _frozen.get() or timezone.now()


@contextmanager
def travel(moment: datetime) -> Iterator[None]:
    if timezone.is_naive(moment):
        raise ValueError("clock.travel needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
