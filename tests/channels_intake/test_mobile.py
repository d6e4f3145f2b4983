"""The customer app API (/api/v1/app/): registration with a one-time code sent through the
outbox, token login, complaints with photos, "my complaints" with timelines, push tokens."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from channels_intake import ratelimit
from channels_intake.mobile import services, throttling
from channels_intake.mobile.processor import parse_app_submission
from channels_intake.mobile.selectors import push_tokens_for
from channels_intake.models import (
    AppAccount,
    AppCase,
    AppOneTimeCode,
    AppToken,
    InboundMessage,
    InboundStatus,
    PushDevice,
)
from channels_intake.ratelimit import Rate
from channels_intake.web.submission import SubmissionInvalid
from complaints.models import Attachment, Case, Channel, ContactKind, Notification
from complaints.services import case_add_note, case_transition
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests import factories

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PHONE = "+6281234567890"


def url(name: str) -> str:
    return reverse(f"app_api:{name}")


def registration(**overrides) -> dict:
    data = {
        "id_pelanggan": "5300-1234-5678",
        "name": "Budi Santoso",
        "email": "Budi@Example.com",
        "phone": "0812 3456 7890",
    }
    data.update(overrides)
    return data


def last_code(phone: str = PHONE) -> str:
    body = Notification.objects.filter(recipient=phone).order_by("-pk").first().body
    return re.search(r"\b(\d{6})\b", body).group(1)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def budi(world):
    return factories.make_customer(world.unit_a, id_pelanggan="530012345678", name="Budi Santoso")


@pytest.fixture
def signed_in(api, budi):
    """Budi registered and verified; the client carries his token."""
    api.post(url("register"), registration(), format="json")
    response = api.post(
        url("register_verify"), {"phone": PHONE, "code": last_code()}, format="json"
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return AppAccount.objects.get(phone=PHONE)


# --- Registration and login ---------------------------------------------------------------


@pytest.mark.django_db
def test_registration_sends_a_one_time_code_through_the_outbox(api, budi):
    response = api.post(url("register"), registration(), format="json")

    assert response.status_code == 202
    assert response.json() == {"phone": PHONE, "expires_in": 600}
    account = AppAccount.objects.get()
    assert (account.id_pelanggan, account.email, account.customer, account.verified_at) == (
        "530012345678",
        "budi@example.com",
        budi,
        None,
    )
    notice = Notification.objects.get()
    assert (notice.channel, notice.recipient, notice.template) == ("sms", PHONE, "one_time_code")
    assert re.fullmatch(r"Kode verifikasi PLN 123 Anda: \d{6}\. .*", notice.body)
    stored = AppOneTimeCode.objects.get()
    assert last_code() not in stored.code_hash


@pytest.mark.django_db
def test_the_right_code_verifies_the_account_and_returns_a_token(api, budi):
    api.post(url("register"), registration(), format="json")

    response = api.post(
        url("register_verify"), {"phone": PHONE, "code": last_code()}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["account"] == {
        "id": AppAccount.objects.get().pk,
        "id_pelanggan": "530012345678",
        "name": "Budi Santoso",
        "email": "budi@example.com",
        "phone": PHONE,
        "language": "id",
        "customer_found": True,
    }
    assert AppAccount.objects.get().verified_at is not None
    token = AppToken.objects.get()
    assert token.key_hash == services.token_hash(body["token"])  # only the hash is kept


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_five_wrong_tries_kill_the_code(api, budi):
    api.post(url("register"), registration(), format="json")
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"

    first = api.post(url("register_verify"), {"phone": PHONE, "code": wrong}, format="json")
    for _ in range(4):
        api.post(url("register_verify"), {"phone": PHONE, "code": wrong}, format="json")
    late = api.post(url("register_verify"), {"phone": PHONE, "code": code}, format="json")

    assert first.status_code == 422
    assert first.json()["error"] == "code_invalid"
    assert late.status_code == 422
    assert AppAccount.objects.get().verified_at is None


@pytest.mark.django_db
def test_an_expired_code_is_refused(api, budi):
    api.post(url("register"), registration(), format="json")
    code = last_code()
    AppOneTimeCode.objects.update(expires_at=AppOneTimeCode.objects.get().created_at)

    response = api.post(url("register_verify"), {"phone": PHONE, "code": code}, format="json")

    assert response.status_code == 422


@pytest.mark.django_db
def test_a_verified_phone_cannot_be_registered_again(api, signed_in):
    response = api.post(url("register"), registration(name="Penipu"), format="json")

    assert response.status_code == 409
    assert response.json()["error"] == "already_registered"
    assert AppAccount.objects.get().name == "Budi Santoso"


@pytest.mark.django_db
def test_codes_are_limited_per_account(api, budi):
    statuses = [
        api.post(url("register"), registration(), format="json").status_code for _ in range(4)
    ]

    assert statuses == [202, 202, 202, 429]
    assert AppOneTimeCode.objects.count() == 3


@pytest.mark.django_db
def test_login_by_code_and_the_same_answer_for_unknown_numbers(api, signed_in):
    login = APIClient()
    known = login.post(url("login"), {"phone": PHONE}, format="json")
    unknown = login.post(url("login"), {"phone": "+6281399990000"}, format="json")
    verify = login.post(url("login_verify"), {"phone": PHONE, "code": last_code()}, format="json")

    assert known.status_code == unknown.status_code == 202
    assert not Notification.objects.filter(recipient="+6281399990000").exists()
    assert verify.status_code == 200
    assert AppToken.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (registration(id_pelanggan="123"), {"id_pelanggan"}),
        (registration(phone="12"), {"phone"}),
        (registration(email="nope"), {"email"}),
        ({}, {"id_pelanggan", "name", "email", "phone"}),
    ],
)
def test_invalid_registration_is_422_with_field_messages(api, world, payload, fields):
    response = api.post(url("register"), payload, format="json")

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert set(body["fields"]) == fields
    assert all(isinstance(m, str) for messages in body["fields"].values() for m in messages)


@pytest.mark.django_db
def test_malformed_json_is_400_and_oversize_413(api, world):
    malformed = api.post(url("register"), data=b'{"phone": ', content_type="application/json")
    big = api.post(
        url("register"), data=b"{}", content_type="application/json", CONTENT_LENGTH="999999"
    )
    wrong_type = api.post(url("register"), data=b"phone=1", content_type="text/plain")

    assert (malformed.status_code, malformed.json()["error"]) == (400, "parse_error")
    assert (big.status_code, big.json()["error"]) == (413, "too_large")
    assert wrong_type.status_code == 415


@pytest.mark.django_db
def test_code_requests_are_throttled_per_ip(api, world, monkeypatch):
    monkeypatch.setattr(throttling.CodeRequestThrottle, "rate", Rate(limit=2, seconds=3600))

    codes = [
        api.post(url("login"), {"phone": f"+62812345678{n}"}, format="json").status_code
        for n in range(3)
    ]

    assert codes == [202, 202, 429]
    limited = api.post(url("login"), {"phone": PHONE}, format="json")
    assert limited.json()["error"] == "throttled"
    assert int(limited["Retry-After"]) > 0


# --- Signed-in operations -----------------------------------------------------------------


@pytest.mark.django_db
def test_signed_in_endpoints_need_a_valid_token(api, world):
    missing = api.get(url("complaints"))
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    bad = api.get(url("complaints"))

    assert missing.status_code == bad.status_code == 401
    assert missing.json()["error"] == "not_authenticated"
    assert bad.json()["error"] == "authentication_failed"


@pytest.mark.django_db
def test_logout_revokes_the_token(api, signed_in):
    assert api.post(url("logout")).status_code == 204
    assert api.get(url("me")).status_code == 401


@pytest.mark.django_db
def test_a_complaint_with_photos_opens_a_case_and_returns_the_ticket(api, signed_in, budi):
    response = api.post(
        url("complaints"),
        {
            "category": "padam-rumah",
            "description": "Listrik padam sejak jam 2 pagi.",
            "photos": [
                SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg"),
                SimpleUploadedFile("b.jpg", JPEG, content_type="image/jpeg"),
            ],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.content
    case = Case.objects.get()
    body = response.json()
    assert body["complaint"]["ticket"] == case.ticket
    assert body["complaint"]["status_label"] == "Lapor"
    assert body["added_to_existing"] is False
    assert (case.channel, case.customer, case.reporter_contact_kind, case.reporter_contact) == (
        Channel.MOBILE_APP,
        budi,  # the account's ID pelanggan, since the form named none
        ContactKind.APP,
        str(signed_in.pk),
    )
    assert Attachment.objects.filter(case=case).count() == 2
    assert AppCase.objects.get().case == case
    row = InboundMessage.objects.get(channel="app")
    assert row.status == InboundStatus.PROCESSED
    assert json.loads(bytes(row.body))["fields"]["category"] == ["padam-rumah"]


@pytest.mark.django_db
def test_a_retried_submission_with_the_same_idempotency_key_is_one_case(api, signed_in):
    payload = {"category": "tagihan", "description": "Tagihan bulan ini naik tiga kali lipat."}

    first = api.post(url("complaints"), payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(url("complaints"), payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert first.json()["complaint"]["ticket"] == again.json()["complaint"]["ticket"]
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_the_same_words_without_an_idempotency_key_are_two_reports(api, signed_in):
    payload = {"category": "tagihan", "description": "Tagihan bulan ini naik tiga kali lipat."}

    first = api.post(url("complaints"), payload, format="json").json()
    second = api.post(url("complaints"), payload, format="json").json()

    assert first["reference"] != second["reference"]
    assert InboundMessage.objects.filter(channel="app").count() == 2


@pytest.mark.django_db
def test_a_complaint_quoting_my_open_ticket_is_added_to_it(api, signed_in):
    first = api.post(
        url("complaints"),
        {"category": "padam-rumah", "description": "Listrik padam sejak jam 2 pagi."},
        format="json",
    ).json()["complaint"]["ticket"]

    follow_up = api.post(
        url("complaints"),
        {"category": "padam-rumah", "description": "Masih padam sampai sekarang.", "ticket": first},
        format="json",
    )

    assert follow_up.json()["added_to_existing"] is True
    assert Case.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"category": "nope", "description": "Listrik padam sejak pagi"}, "category"),
        ({"category": "padam-rumah", "description": "padam"}, "description"),
        (
            {"category": "padam-rumah", "description": "Listrik padam lagi", "meter_number": "1"},
            "meter_number",
        ),
        ({"category": "padam-rumah", "description": "Listrik padam", "ticket": "ADU-1"}, "ticket"),
        ({"category": "padam-rumah", "description": "Listrik padam", "latitude": 200}, "latitude"),
    ],
)
def test_invalid_complaints_are_422_naming_the_field(api, signed_in, payload, field):
    response = api.post(url("complaints"), payload, format="json")

    assert response.status_code == 422
    assert field in response.json()["fields"]
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_photo_that_is_not_an_image_is_422(api, signed_in):
    response = api.post(
        url("complaints"),
        {
            "category": "meter",
            "description": "Meter berbunyi terus.",
            "photos": [SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")],
        },
        format="multipart",
    )

    assert response.status_code == 422
    assert response.json()["fields"]["photos"] == [
        "Lampiran harus berupa foto (JPEG, PNG, WebP) atau PDF."
    ]


@pytest.mark.django_db
def test_my_complaints_list_statuses_and_timelines(api, signed_in, world):
    ticket = api.post(
        url("complaints"),
        {"category": "padam-rumah", "description": "Listrik padam sejak jam 2 pagi."},
        format="json",
    ).json()["complaint"]["ticket"]
    case = Case.objects.get(ticket=ticket)
    agent = Actor.staff(world.agent_a)
    case_transition(
        actor=agent, case_id=case.pk, target=CaseStatus.WAITING_CUSTOMER, reason="Kirim foto MCB"
    )
    case_add_note(actor=agent, case_id=case.pk, note="internal: rumah kosong?")
    someone_else = factories.open_case(world.unit_a)

    response = api.get(url("complaints"))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["ticket"] for r in results] == [ticket]
    assert someone_else.ticket not in response.content.decode()
    assert results[0]["status"] == "waiting_customer"
    assert results[0]["status_label"] == "Menunggu Data Pelanggan"
    assert [(e["kind"], e["label"], e["text"]) for e in results[0]["timeline"]] == [
        ("status", "Lapor", ""),
        ("status", "Menunggu Data Pelanggan", "Kirim foto MCB"),
    ]
    assert "internal" not in response.content.decode()


@pytest.mark.django_db
def test_my_complaints_page_takes_four_queries(
    api, signed_in, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(ratelimit, "PURGE_PROBABILITY", 0)
    for n in range(3):
        api.post(
            url("complaints"),
            {"category": "tagihan", "description": f"Tagihan salah nomor {n}."},
            format="json",
        )

    # 1 token + account, 2 throttle counter upsert, 3 the page (link → case → category),
    # 4 the timeline events of the page's cases.
    with django_assert_num_queries(4):
        response = api.get(url("complaints"), {"limit": 2})

    assert len(response.json()["results"]) == 2
    cursor = response.json()["next_cursor"]
    rest = api.get(url("complaints"), {"limit": 2, "cursor": cursor}).json()
    assert len(rest["results"]) == 1
    assert rest["next_cursor"] is None


@pytest.mark.django_db
def test_push_tokens_are_registered_and_move_with_the_device(api, signed_in, world):
    response = api.post(
        url("push_tokens"), {"token": "fcm-token-1", "platform": "android"}, format="json"
    )

    assert response.status_code == 201
    assert push_tokens_for(str(signed_in.pk)) == ["fcm-token-1"]
    other = AppAccount.objects.create(
        id_pelanggan="530000000999",
        name="Ani",
        email="ani@example.com",
        phone="+6281300000001",
        created_at=signed_in.created_at,
        verified_at=signed_in.created_at,
    )
    services.push_device_register(account=other, token="fcm-token-1", platform="android")
    assert PushDevice.objects.get().account == other
    assert push_tokens_for(str(signed_in.pk)) == []


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    payload=st.dictionaries(
        st.sampled_from(
            [
                "category",
                "description",
                "id_pelanggan",
                "meter_number",
                "ticket",
                "latitude",
                "longitude",
                "location_text",
                "photos",
                "x",
            ]
        ),
        st.one_of(
            st.text(max_size=40),
            st.integers(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.none(),
            st.booleans(),
            st.lists(st.text(max_size=5), max_size=2),
        ),
        max_size=8,
    )
)
@pytest.mark.django_db
def test_no_json_input_makes_the_complaint_api_fail(api, signed_in, monkeypatch, payload):
    monkeypatch.setattr(throttling.ComplaintSubmitThrottle, "rate", Rate(limit=10**6, seconds=60))

    response = api.post(url("complaints"), payload, format="json")

    assert response.status_code in (201, 202, 422)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.binary(max_size=300))
@pytest.mark.django_db
def test_the_stored_app_submission_parser_raises_only_submission_invalid(raw):
    try:
        serializer = parse_app_submission(raw)
    except SubmissionInvalid:
        return
    serializer.is_valid()
