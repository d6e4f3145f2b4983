"""Call center: the CTI screen-pop endpoint and ``customers_for_caller``."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from channels_intake.call_center.selectors import customers_for_caller
from channels_intake.models import InboundMessage, InboundStatus
from complaints.models import ContactKind
from complaints.workflow import CaseStatus
from tests import factories

TOKEN = "cti-test-token"
URL = "/api/v1/cti/calls"


@pytest.fixture
def cti(settings):
    settings.CTI_API_TOKEN = TOKEN
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    return client


@pytest.fixture
def caller(world):
    """Budi in unit A: known by his mobile number, with one open and one closed case."""
    customer = factories.make_customer(world.unit_a, name="Budi Santoso")
    factories.add_contact(customer, ContactKind.WHATSAPP, "+6281234567890")
    open_case = factories.open_case(customer=customer)
    closed = factories.open_case(customer=customer, category_code="tagihan")
    type(closed).objects.filter(pk=closed.pk).update(status=CaseStatus.REJECTED)
    return customer, open_case


def call(client, **payload):
    body = {"caller": "0812-3456-7890", "call_id": "PBX-2025-000123", **payload}
    return client.post(URL, body, format="json")


@pytest.mark.django_db
def test_a_call_returns_the_callers_customers_open_cases_and_the_console_url(cti, caller):
    customer, open_case = caller

    response = call(cti)

    assert response.status_code == 200
    body = response.json()
    assert body["caller_e164"] == "+6281234567890"
    assert [c["id_pelanggan"] for c in body["customers"]] == [customer.id_pelanggan]
    assert [c["ticket"] for c in body["customers"][0]["open_cases"]] == [open_case.ticket]
    assert body["customers"][0]["open_cases"][0]["status_label"] == "Lapor"
    assert body["console_url"] == (
        "http://127.0.0.1:8000"
        + reverse("admin:complaints_case_phone")
        + "?caller=0812-3456-7890&call_id=PBX-2025-000123"
    )


@pytest.mark.django_db
def test_each_call_is_kept_once_in_the_inbox(cti, caller):
    call(cti)
    call(cti)

    row = InboundMessage.objects.get()
    assert (row.channel, row.provider_message_id, row.status) == (
        "call_center",
        "call:PBX-2025-000123",
        InboundStatus.PROCESSED,
    )
    assert b'"call_id":"PBX-2025-000123"' in bytes(row.body).replace(b" ", b"")


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["anonymous", "", "1234", "+0"])
def test_a_withheld_or_internal_caller_still_gets_the_console_url(cti, world, number):
    response = call(cti, caller=number)

    assert response.status_code == 200
    assert (response.json()["caller_e164"], response.json()["customers"]) == (None, [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"HTTP_AUTHORIZATION": "Bearer wrong"}, 401)],
)
def test_the_endpoint_needs_the_cti_token_or_a_desk_session(settings, world, headers, status):
    settings.CTI_API_TOKEN = TOKEN

    response = APIClient().post(URL, {"caller": "x", "call_id": "1"}, format="json", **headers)

    assert response.status_code == status
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_an_agent_session_may_ask_but_sees_only_their_units(world, caller):
    agent_a, agent_b = APIClient(), APIClient()
    agent_a.force_authenticate(world.agent_a)
    agent_b.force_authenticate(world.agent_b)
    technician = APIClient()
    technician.force_authenticate(world.technician_a.user)

    assert len(call(agent_a).json()["customers"]) == 1
    assert call(agent_b, call_id="other").json()["customers"] == []
    assert call(technician, call_id="tech").status_code == 403


@pytest.mark.django_db
def test_invalid_input_is_422_malformed_400_oversize_413_and_kept(cti, world):
    missing = cti.post(URL, {"caller": "081234567890"}, format="json")
    malformed = cti.post(URL, data=b'{"caller": ', content_type="application/json")
    big = cti.post(URL, data=b"{}", content_type="application/json", CONTENT_LENGTH="100000")

    assert (missing.status_code, set(missing.json()["fields"])) == (422, {"call_id"})
    assert (malformed.status_code, malformed.json()["error"]) == (400, "parse_error")
    assert big.status_code == 413
    kept = InboundMessage.objects.filter(channel="call_center")
    assert [row.status for row in kept] == [InboundStatus.FAILED, InboundStatus.FAILED]
    assert {bytes(row.body) for row in kept} >= {b'{"caller": '}


@pytest.mark.django_db
def test_customers_for_caller_finds_app_accounts_too_and_uses_two_queries(
    caller, django_assert_num_queries
):
    customer, _ = caller
    from channels_intake.models import AppAccount

    other = factories.make_customer(customer.service_unit)
    AppAccount.objects.create(
        id_pelanggan=other.id_pelanggan,
        customer=other,
        name="x",
        email="x@example.com",
        phone="+6281234567890",
        created_at=customer.created_at,
    )

    # 1: customers by contact or app account (one statement with subqueries); 2: open cases.
    with django_assert_num_queries(2):
        matches = customers_for_caller("+62 812-3456-7890")

    assert {m.customer for m in matches} == {customer, other}
    assert customers_for_caller("not a number") == []


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    payload=st.dictionaries(
        st.sampled_from(["caller", "call_id", "agent", "x"]),
        st.one_of(st.text(max_size=50), st.integers(), st.none(), st.lists(st.integers())),
        max_size=4,
    )
)
@pytest.mark.django_db
def test_no_input_makes_the_cti_endpoint_fail(cti, world, payload):
    response = cti.post(URL, payload, format="json")

    assert response.status_code in (200, 422)
