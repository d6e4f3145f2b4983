"""The one HTTP client for outbound provider calls. Every backend posts through here, so tests
point the provider URLs (settings) at fake servers on 127.0.0.1 and exercise this real code.

Errors are sorted by whether the request can have reached the provider: a refused or failed
connection cannot (retry is safe), a timeout or a dropped connection after the request was
written can (the outcome is unknown; see complaints.delivery for what each provider does)."""

import http.client
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from complaints.outbound.base import OutcomeUnknown, PermanentFailure, TemporaryFailure

logger = logging.getLogger(__name__)

USER_AGENT = "Aduan/1.0 (+outbox)"
BAD_URL = "Provider URL must be http:// or https://: %s"
CONNECT_FAILED = "Cannot connect to %s: %s"
NO_ANSWER = "No complete answer from %s (the request may have arrived): %s"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON; ``{}`` when it is not JSON (a proxy's HTML error page)."""
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}

    def retry_after(self) -> int | None:
        value = self.headers.get("retry-after", "")
        return int(value) if value.isdigit() else None


def post_json(
    url: str,
    payload: Any,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return post(url, body, content_type="application/json", headers=headers, timeout=timeout)


def post_form(
    url: str,
    fields: Mapping[str, str],
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Response:
    body = urlencode(fields).encode()
    return post(
        url,
        body,
        content_type="application/x-www-form-urlencoded",
        headers=headers,
        timeout=timeout,
    )


def post(
    url: str,
    body: bytes,
    *,
    content_type: str,
    headers: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Response:
    """POST ``body``; any HTTP status comes back as a Response, transport errors raise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PermanentFailure(BAD_URL % url)
    timeout = settings.OUTBOUND_HTTP_TIMEOUT if timeout is None else timeout
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    all_headers = {
        "Content-Type": content_type,
        "Accept": "application/json",
        "User-Agent": USER_AGENT,
        **(headers or {}),
    }
    try:
        # Connecting separately tells "never arrived" (safe to retry) from "may have arrived".
        try:
            connection.connect()
        except OSError as exc:
            raise TemporaryFailure(CONNECT_FAILED % (parts.hostname, exc)) from exc
        try:
            connection.request("POST", target, body=body, headers=all_headers)
            answer = connection.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            raise OutcomeUnknown(NO_ANSWER % (parts.hostname, exc)) from exc
    finally:
        connection.close()
    response_headers = {name.lower(): value for name, value in answer.getheaders()}
    logger.debug("POST %s%s → %s", parts.hostname, parts.path, answer.status)
    return Response(status=answer.status, body=data, headers=response_headers)


def raise_for_status(response: Response, provider: str) -> None:
    """The common reading of an HTTP status: 2xx taken; 429, 5xx and auth trouble (401/403,
    an operator fixes the token) retried; any other 4xx refused for good."""
    if response.ok:
        return
    detail = f"{provider} HTTP {response.status}: {response.body[:500].decode(errors='replace')}"
    if response.status in (401, 403, 408, 429) or response.status >= 500:
        raise TemporaryFailure(detail)
    raise PermanentFailure(detail)
