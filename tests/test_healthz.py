"""``/healthz``: what a load balancer and the deploy scripts poll."""

import socket
import time

import pytest

from config.celery import app

# A load balancer gives up long before this; a health check must answer, not hang.
MAX_SECONDS_WHEN_BROKER_IS_DOWN = 5.0


def closed_port() -> int:
    """A loopback port nobody listens on: bound and released, so connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_broker(monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"redis://127.0.0.1:{closed_port()}/0"
    # Celery reads CELERY_BROKER_URL from the environment before its own config, so setting
    # app.conf.broker_url would be ignored whenever the variable is set (as in CI).
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    return url


def test_healthz_reports_database_and_broker_ok(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["broker"] == {"ok": True, "transport": app.conf.broker_url.split("://")[0]}
    assert set(body) == {"status", "database", "broker"}


def test_healthz_refuses_post(client, db):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_healthz_answers_503_quickly_when_broker_is_unreachable(client, db, unreachable_broker):
    started = time.monotonic()
    response = client.get("/healthz")
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": {"ok": True, "vendor": "postgresql"},
        "broker": {"ok": False, "error": "OperationalError"},
    }
    assert elapsed < MAX_SECONDS_WHEN_BROKER_IS_DOWN
