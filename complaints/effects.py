"""Switch for after-commit side effects (notifications, dispatch).

Loading history (demo data, imports) replays the workflow through the services; telling
customers about, or dispatching technicians to, cases that happened months ago would be wrong.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_suppressed: ContextVar[bool] = ContextVar("aduan_effects_suppressed", default=False)


def enabled() -> bool:
    return not _suppressed.get()


@contextmanager
def suppressed() -> Iterator[None]:
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)
