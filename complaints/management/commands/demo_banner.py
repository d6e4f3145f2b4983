"""``manage.py demo_banner``: the last line of ``make run``. Waits until the web process
answers, prints where to go and how to log in, then stays up: honcho stops every process as
soon as one exits, so a banner that finished would take the whole system down with it."""

import signal
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from signal import SIGINT, SIGTERM
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError
from django.utils.translation import gettext as _

from complaints.demo import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin, iter_logins

DEFAULT_TIMEOUT = 120.0
POLL_INTERVAL = 0.5
REQUEST_TIMEOUT = 2.0


def is_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        # Refused while gunicorn boots, 503 while the database or broker is not up yet.
        return False


def wait_until_ready(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    interval: float = POLL_INTERVAL,
    check: Callable[[str], bool] = is_ready,
) -> bool:
    """Poll ``url`` until it answers 200; False when ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        if check(url):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def base_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def render_banner(base: str, logins: list[DemoLogin]) -> str:
    rule = "=" * 78
    lines = [
        rule,
        "  " + _("Aduan berjalan di %(url)s") % {"url": base},
        f"    {_('Konsol admin'):<16}{base}admin/",
        f"    {_('Cek kesehatan'):<16}{base}healthz",
        "",
    ]
    if logins:
        lines.append(
            "  " + _("Login demo (kata sandi: %(password)s)") % {"password": DEMO_PASSWORD}
        )
        lines += [f"    {login.username:<12}{login.role!s:<20}{login.scope}" for login in logins]
    else:
        lines.append("  " + _("Data demo belum dimuat: python manage.py load_demo"))
    lines += ["", "  " + _("Berhenti: Ctrl+C"), rule]
    return "\n".join(lines)


def _exit_cleanly(signum: int, frame: object) -> None:
    # SystemExit unwinds normally, so atexit handlers (the embedded PostgreSQL's last-user
    # shutdown) still run.
    raise SystemExit(0)


class Command(BaseCommand):
    help = "Wait for the web process, then print the URLs and demo logins and stay running."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wait-for", default="", metavar="URL", help="health check URL")
        parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
        parser.add_argument(
            "--no-block", action="store_true", help="exit after printing (for scripts and tests)"
        )

    def handle(self, *args, wait_for: str, timeout: float, no_block: bool, **options) -> None:
        previous = {sig: signal.signal(sig, _exit_cleanly) for sig in (SIGTERM, SIGINT)}
        try:
            self._run(wait_for=wait_for, timeout=timeout, no_block=no_block)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _run(self, *, wait_for: str, timeout: float, no_block: bool) -> None:
        base = base_url(wait_for) if wait_for else "http://127.0.0.1:8000/"
        if wait_for and not wait_until_ready(wait_for, timeout=timeout):
            self.stderr.write(
                _("%(url)s belum menjawab 200 setelah %(seconds)d detik; lihat log web di atas.")
                % {"url": wait_for, "seconds": timeout}
            )
        try:
            logins = list(iter_logins())
        except DatabaseError:
            logins = list(DEMO_LOGINS)
        self.stdout.write(render_banner(base, logins))
        # honcho reads our stdout through a pipe: without a flush the banner sits in a buffer.
        self.stdout.flush()
        sys.stdout.flush()
        if no_block:
            return
        while True:
            signal.pause()
