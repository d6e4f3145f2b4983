"""A threaded HTTP server on an ephemeral loopback port that records every request and answers
through ``answer``; subclasses speak one provider's dialect."""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    # What the fake answered (None while held or when the client vanished first).
    status: int | None = None

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


@dataclass
class Scripted:
    status: int
    body: dict
    headers: dict[str, str] = field(default_factory=dict)


class FakeProvider:
    """Start with ``with FakeX() as fake:``; point settings at ``fake.url``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self._script: list[Scripted] = []
        self._hold = 0
        self._held = threading.Semaphore(0)
        self._release = threading.Event()
        self._release.set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---

    def start(self) -> "FakeProvider":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                fake._handle(self)

            def log_message(self, format: str, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # A client killed mid-request resets its connection: expected here.

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> "FakeProvider":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- scripting ---

    def fail_next(self, status: int, body: dict | None = None, *, times: int = 1) -> None:
        """Answer the next ``times`` requests with an error instead of taking them."""
        with self.lock:
            self._script += [Scripted(status, body or {}) for _ in range(times)]

    def hold_next(self, count: int = 1) -> None:
        """Take the next ``count`` requests (the message is accepted) but keep the answer back
        until ``release()``: the client's outcome is unknown, as when it dies mid-send."""
        with self.lock:
            self._hold += count
            self._release.clear()

    def wait_held(self, count: int = 1, timeout: float = 30.0) -> bool:
        return all(self._held.acquire(timeout=timeout) for _ in range(count))

    def release(self) -> None:
        self._release.set()

    # --- the provider ---

    def answer(self, request: Recorded) -> tuple[int, dict]:
        raise NotImplementedError

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        request = Recorded(
            method="POST",
            path=handler.path,
            headers={name.lower(): value for name, value in handler.headers.items()},
            body=handler.rfile.read(length),
        )
        with self.lock:
            self.requests.append(request)
            scripted = self._script.pop(0) if self._script else None
            held = False
            if scripted is None and self._hold > 0:
                self._hold -= 1
                held = True
        if scripted is not None:
            status, body, headers = scripted.status, scripted.body, scripted.headers
        else:
            with self.lock:
                status, body = self.answer(request)
            headers = {}
        if held:
            self._held.release()
            self._release.wait()
        payload = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
            request.status = status
        except OSError:
            pass  # The client is gone (killed mid-send); the provider did its part.
