"""A fake WhatsApp Graph API on 127.0.0.1: media download (``GET /<media-id>`` then the URL it
names, both with the bearer token, as Meta documents) and ``POST /<phone-number-id>/messages``.
Threaded ``http.server``; every request is recorded."""

import itertools
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"null")


TOKEN = "graph-test-token"
PHONE_NUMBER_ID = "106540352242922"


class FakeGraph:
    def __init__(self, *, token: str = TOKEN, phone_number_id: str = PHONE_NUMBER_ID) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.media: dict[str, tuple[bytes, str]] = {}  # media id → (bytes, mime type)
        self.requests: list[Request] = []
        self.sent: list[dict] = []  # payloads of accepted messages
        self.lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> "FakeGraph":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v21.0"

    # --- the API ------------------------------------------------------------------------

    def add_media(self, media_id: str, content: bytes, mime_type: str = "image/jpeg") -> None:
        self.media[media_id] = (content, mime_type)

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(
            method=method,
            path=handler.path,
            headers={name.lower(): value for name, value in handler.headers.items()},
            body=handler.rfile.read(length) if length else b"",
        )
        with self.lock:
            self.requests.append(request)
        status, content_type, body = self._answer(request)
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _json(self, status: int, value: Any) -> tuple[int, str, bytes]:
        return status, "application/json", json.dumps(value).encode()

    def _answer(self, request: Request) -> tuple[int, str, bytes]:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return self._json(401, {"error": {"message": "Invalid OAuth access token."}})
        path = request.path.removeprefix("/v21.0")
        if request.method == "POST" and path == f"/{self.phone_number_id}/messages":
            payload = request.json
            wamid = f"wamid.FAKEGRAPH{next(self._ids):06d}"
            with self.lock:
                self.sent.append(payload)
            return self._json(
                200,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": payload.get("to"), "wa_id": payload.get("to")}],
                    "messages": [{"id": wamid}],
                },
            )
        if request.method == "GET" and path.startswith("/download/"):
            media_id = path.removeprefix("/download/")
            if media_id in self.media:
                content, mime_type = self.media[media_id]
                return 200, mime_type, content
            return self._json(404, {"error": {"message": "expired"}})
        if request.method == "GET" and path.lstrip("/") in self.media:
            media_id = path.lstrip("/")
            content, mime_type = self.media[media_id]
            return self._json(
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": f"{self.url}/download/{media_id}",
                    "mime_type": mime_type,
                    "file_size": str(len(content)),
                    "id": media_id,
                },
            )
        return self._json(404, {"error": {"message": "Unknown path", "code": 100}})

    def texts_to(self, recipient: str) -> list[str]:
        with self.lock:
            return [
                p["text"]["body"]
                for p in self.sent
                if p.get("to") == recipient and p.get("type") == "text"
            ]
