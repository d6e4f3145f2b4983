"""Who may use /api/v1/: tokens and sessions, the console's roles, limits, and the error shape
for every refusal."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from channels_intake.ratelimit import Rate
from complaints import clock
from complaints.api.throttling import StaffReadThrottle
from complaints.api.tokens import api_token_create, api_token_revoke, hash_key
from complaints.models import ApiToken
from tests import factories

CASES = "/api/v1/cases"


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# --- Authentication --------------------------------------------------------------------------


def test_no_credentials_is_401_with_a_bearer_challenge(db):
    response = APIClient().get(CASES)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"] == "not_authenticated"


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer", "Token a b", "Bearer \xe9"])
def test_a_bad_token_is_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(CASES)
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"


def test_token_keyword_works_too(world):
    _, key = api_token_create(user=world.agent_a, name="cli")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(CASES).status_code == 200


def test_the_key_is_stored_only_as_a_hash_and_its_use_recorded(world):
    token, key = api_token_create(user=world.agent_a, name="integrasi")
    assert token.key_hash == hash_key(key)
    assert key not in {token.key_hash, token.key_prefix}
    assert key.startswith(token.key_prefix)
    bearer(key).get(CASES)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_and_expired_tokens_stop_working(world):
    revoked, revoked_key = api_token_create(user=world.agent_a, name="lama")
    api_token_revoke(token_ids=[revoked.pk])
    _, expired_key = api_token_create(
        user=world.agent_a, name="sementara", expires_at=clock.now() - timedelta(minutes=1)
    )
    assert bearer(revoked_key).get(CASES).status_code == 401
    assert bearer(expired_key).get(CASES).status_code == 401


def test_a_deactivated_users_token_stops_working(world):
    _, key = api_token_create(user=world.agent_a, name="x")
    world.agent_a.is_active = False
    world.agent_a.save(update_fields=["is_active"])
    assert bearer(key).get(CASES).status_code == 401


def test_console_session_works_and_writes_need_the_csrf_token(world, case_a):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.agent_a)
    assert client.get(CASES).status_code == 200
    url = f"{CASES}/{case_a.pk}/notes"
    refused = client.post(url, {"note": "tanpa CSRF"}, format="json")
    assert refused.status_code == 403
    token = "a1" * 16  # a CSRF secret: the cookie and the header must carry the same one
    client.cookies["csrftoken"] = token
    accepted = client.post(url, {"note": "dengan CSRF"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


# --- Roles -----------------------------------------------------------------------------------


def test_technicians_use_their_own_endpoints_not_the_staff_api(client_for, world, case_a):
    technician = client_for(world.technician_a.user)
    response = technician.get(CASES)
    assert response.status_code == 403
    assert response.json()["error"] == "permission_denied"
    assert technician.get(f"{CASES}/{case_a.pk}").status_code == 403


def test_a_user_without_a_role_is_403(client_for, world):
    nobody = client_for(factories.make_user(None))
    assert nobody.get("/api/v1/categories").status_code == 403


def test_manager_reads_but_may_not_write(manager, case_a):
    assert manager.get(f"{CASES}/{case_a.pk}").status_code == 200
    response = manager.post(
        f"{CASES}/{case_a.pk}/transition", {"target": "verified"}, format="json"
    )
    assert response.status_code == 403
    assert "membaca" in response.json()["detail"]


# --- Limits and malformed requests -----------------------------------------------------------


def test_over_the_limit_is_429_with_retry_after(agent_a, monkeypatch):
    monkeypatch.setattr(StaffReadThrottle, "rate", Rate(limit=2, seconds=60))
    assert agent_a.get("/api/v1/categories").status_code == 200
    assert agent_a.get("/api/v1/categories").status_code == 200
    response = agent_a.get("/api/v1/categories")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.json()["error"] == "throttled"


def test_a_body_over_64_kib_is_413(agent_a, case_a):
    response = agent_a.post(
        f"{CASES}/{case_a.pk}/notes", {"note": "x" * (70 * 1024)}, format="json"
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_a_form_body_is_415(agent_a, case_a):
    response = agent_a.post(f"{CASES}/{case_a.pk}/notes", {"note": "form"})
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


def test_malformed_json_is_400(agent_a, case_a):
    response = agent_a.generic(
        "POST", f"{CASES}/{case_a.pk}/notes", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "parse_error"


def test_only_the_staff_api_tokens_table_knows_the_token(world):
    _, key = api_token_create(user=world.agent_a, name="x")
    # The customer app's "Token" scheme is a different credential: ours is not accepted there.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/app/me").status_code == 401
    assert ApiToken.objects.filter(key_hash=hash_key(key)).exists()


def test_options_describes_the_endpoint(agent_a):
    response = agent_a.options(CASES)
    assert response.status_code == 200
    assert response.json()["name"]
