"""The SMTP intake server (``manage.py run_smtp_intake``): sits behind the mail relay and takes
each message into the inbox. It answers 250 only after the row is committed, so a message the
relay was told we have is never lost; on a database problem it answers 451 and the relay tries
again. Messages over ``EMAIL_INBOUND_MAX_BYTES`` get 552 (from aiosmtpd, while reading DATA)."""

import asyncio
import contextlib
import ipaddress
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections, connections

from channels_intake.email.receive import (
    NOT_AN_EMAIL,
    looks_like_email,
    max_bytes,
    receive_email,
)

logger = logging.getLogger(__name__)

REPLY_STORED = "250 2.0.0 OK: stored as {id}"
REPLY_DUPLICATE = "250 2.0.0 OK: already stored as {id}"
REPLY_NOT_EMAIL = "550 5.6.0 Message has no RFC 5322 header block"
REPLY_TOO_BIG = "552 5.3.4 Message too big for this system"
REPLY_TRY_LATER = "451 4.3.0 Temporary failure, please try again later"
# Mail clients and some relays send lines longer than RFC 5321's 1000 octets (unwrapped
# HTML); refusing them would bounce a customer's complaint, so we allow far longer ones.
LINE_LENGTH_LIMIT = 64 * 1024


def _null_sender(mail_from: str | None) -> str:
    # aiosmtpd reports MAIL FROM:<> as "<>"; the parser and the inbox use "".
    value = (mail_from or "").strip()
    return "" if value == "<>" else value


def _ip(peer: object) -> str | None:
    host = peer[0] if isinstance(peer, tuple) and peer else None
    try:
        return str(ipaddress.ip_address(host)) if host else None
    except ValueError:
        return None


class IntakeHandler:
    """aiosmtpd handler: DATA → ``receive_email`` in a worker thread (the ORM is synchronous
    and must not run on the event loop)."""

    def __init__(self, *, store: Callable = receive_email, workers: int = 4) -> None:
        self.store = store
        self.workers = workers
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="smtp-intake")

    def _store(self, raw: bytes, peer: object, mail_from: str, rcpt_tos: list[str], error: str):
        # Like a request: drop connections that broke or aged out, before and after.
        close_old_connections()
        try:
            return self.store(
                raw,
                remote_addr=_ip(peer),
                envelope_from=mail_from,
                envelope_to=rcpt_tos,
                via="smtp",
                error=error,
            )
        finally:
            close_old_connections()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if len(raw) > max_bytes():
            return REPLY_TOO_BIG
        # Not an e-mail: kept as failed for staff to see, and refused so the relay reports it.
        error = "" if looks_like_email(raw) else str(NOT_AN_EMAIL)
        loop = asyncio.get_running_loop()
        try:
            message, created = await loop.run_in_executor(
                self.executor,
                self._store,
                raw,
                session.peer,
                _null_sender(envelope.mail_from),
                list(envelope.rcpt_tos),
                error,
            )
        except Exception:
            logger.exception("smtp intake could not store a message from %s", session.peer)
            return REPLY_TRY_LATER
        if error:
            return REPLY_NOT_EMAIL
        return (REPLY_STORED if created else REPLY_DUPLICATE).format(id=message.pk)

    def close(self) -> None:
        """Stop the worker threads, each closing its database connection first (a barrier
        makes every thread take one of the closing tasks)."""
        barrier = threading.Barrier(self.workers)

        def close_connection() -> None:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            connections.close_all()

        for _ in range(self.workers):
            self.executor.submit(close_connection)
        self.executor.shutdown(wait=True)


class IntakeSMTP(SMTP):
    line_length_limit = LINE_LENGTH_LIMIT


class IntakeController(Controller):
    """aiosmtpd's threaded controller with our SMTP class, and able to listen on port 0 (an
    ephemeral port, for tests): ``port`` holds the real one once started."""

    def factory(self) -> SMTP:
        return IntakeSMTP(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        # aiosmtpd connects to (hostname, port) to finish starting; with port 0 it must use
        # the port the kernel picked.
        if self.server is not None and self.server.sockets:
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def make_controller(
    *, host: str, port: int, handler: IntakeHandler | None = None, server_hostname: str = ""
) -> IntakeController:
    return IntakeController(
        handler or IntakeHandler(),
        hostname=host,
        port=port,
        data_size_limit=max_bytes(),
        server_hostname=server_hostname or None,
        # Bytes as received: decoding is the parser's job (it knows MIME charsets).
        decode_data=False,
    )
