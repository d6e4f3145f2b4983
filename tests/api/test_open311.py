"""Open311 GeoReport v2 at /open311/v2/: discovery, services, requests (XML and JSON), the
api_key, jurisdiction_id and the spec's error format."""

import json
from datetime import timedelta
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels_intake.models import InboundMessage, InboundStatus
from channels_intake.open311.keys import open311_client_create
from complaints import clock
from complaints.models import Case, Channel, ContactKind
from tests import factories

BASE = "/open311/v2"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def api_key(db) -> str:
    return open311_client_create(name="Aplikasi Lapor Kota")[1]


@pytest.fixture
def open311_settings(settings, world):
    settings.OPEN311_JURISDICTION_ID = "pln.co.id"
    settings.INTAKE_FALLBACK_UNIT = world.unit_a.code
    return settings


def post(client: Client, fmt: str = "json", **fields):
    return client.post(f"{BASE}/requests.{fmt}", urlencode(fields), content_type=FORM)


def report(key: str, **overrides) -> dict:
    return {
        "api_key": key,
        "service_code": "bahaya",
        "lat": "-6.2",
        "long": "106.8",
        "description": "Kabel <b>putus</b> menjuntai di depan sekolah",
        "email": "Warga@Example.com",
        "first_name": "Ani",
        "last_name": "Wijaya",
        **overrides,
    }


def xml(response) -> ElementTree.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ElementTree.fromstring(response.content)  # noqa: S314 - our own answer


# --- Discovery and services ------------------------------------------------------------------


def test_discovery_in_both_formats(client, db):
    data = client.get(f"{BASE}/discovery.json").json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert root.find("endpoints/endpoint/formats/format").text == "text/xml"


def test_service_list_comes_from_the_categories(client, db):
    services = client.get(f"{BASE}/services.json").json()
    codes = [service["service_code"] for service in services]
    assert codes[0] == "bahaya"
    assert "padam-rumah" in codes
    assert services[0]["metadata"] is True
    assert services[0]["type"] == "realtime"
    root = xml(client.get(f"{BASE}/services.xml"))
    first = root.find("service")
    assert first.find("service_code").text == "bahaya"
    assert first.find("metadata").text == "true"


def test_service_definition_asks_for_the_customer_numbers(client, db):
    definition = client.get(f"{BASE}/services/tagihan.json").json()
    assert definition["service_code"] == "tagihan"
    codes = [(a["code"], a["datatype"], a["required"]) for a in definition["attributes"]]
    assert codes == [("IDPEL", "string", False), ("NOMOR_METER", "string", False)]
    root = xml(client.get(f"{BASE}/services/tagihan.xml"))
    assert root.find("attributes/attribute/code").text == "IDPEL"


def test_unknown_service_is_404_in_the_error_format(client, db):
    response = client.get(f"{BASE}/services/nope.xml")
    assert response.status_code == 404
    error = xml(response).find("error")
    assert error.find("code").text == "404"
    assert "service_code" in error.find("description").text
    body = client.get(f"{BASE}/services/nope.json").json()
    assert body[0]["code"] == 404


def test_unknown_format_and_jurisdiction(client, open311_settings):
    assert client.get(f"{BASE}/services.html").status_code == 404
    response = client.get(f"{BASE}/services.json", {"jurisdiction_id": "other.city"})
    assert response.status_code == 404
    assert "jurisdiction_id" in response.json()[0]["description"]
    ok = client.get(f"{BASE}/services.json", {"jurisdiction_id": "pln.co.id"})
    assert ok.status_code == 200
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": ""}).status_code == 200


# --- POST Service Request --------------------------------------------------------------------


def test_report_becomes_a_case_and_the_ticket_is_the_request_id(client, open311_settings, api_key):
    response = post(client, **report(api_key))
    assert response.status_code == 201
    answer = response.json()
    assert answer[0]["service_notice"]
    case = Case.objects.get(ticket=answer[0]["service_request_id"])
    assert case.channel == Channel.OPEN311
    assert case.category.code == "bahaya"
    assert case.description == "Kabel putus menjuntai di depan sekolah"
    assert (case.reporter_contact_kind, case.reporter_contact) == (
        ContactKind.EMAIL,
        "warga@example.com",
    )
    assert case.reporter_name == "Ani Wijaya"
    assert (case.latitude, case.longitude) == (-6.2, 106.8)
    row = InboundMessage.objects.get(channel=Channel.OPEN311)
    assert row.status == InboundStatus.PROCESSED
    assert row.case == case
    assert api_key not in bytes(row.body).decode()  # the credential is never stored


def test_xml_answer_of_a_report(client, open311_settings, api_key):
    response = post(client, "xml", **report(api_key))
    assert response.status_code == 201
    request = xml(response).find("request")
    assert Case.objects.filter(ticket=request.find("service_request_id").text).exists()


def test_id_pelanggan_attribute_finds_the_customer(client, open311_settings, api_key, world):
    customer = factories.make_customer(world.unit_a, id_pelanggan="541100000009")
    response = post(
        client,
        **report(api_key, service_code="tagihan", **{"attribute[IDPEL]": "5411 0000 0009"}),
    )
    case = Case.objects.get(ticket=response.json()[0]["service_request_id"])
    assert case.customer == customer
    assert case.service_unit == world.unit_a


def test_the_same_idempotency_key_is_the_same_request(client, open311_settings, api_key):
    first = client.post(
        f"{BASE}/requests.json",
        urlencode(report(api_key)),
        content_type=FORM,
        HTTP_IDEMPOTENCY_KEY="retry-1",
    )
    again = client.post(
        f"{BASE}/requests.json",
        urlencode(report(api_key)),
        content_type=FORM,
        HTTP_IDEMPOTENCY_KEY="retry-1",
    )
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert Case.objects.filter(channel=Channel.OPEN311).count() == 1


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "o311_wrong"}, 403, "api_key"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "nope"}, 404, "service_code"),
        ({"lat": "", "long": ""}, 400, "address_string"),
        ({"long": ""}, 400, "lat"),
        ({"lat": "95"}, 400, "lat"),
        ({"lat": "nan"}, 400, "lat"),
        ({"email": "bukan-email"}, 400, "email"),
        ({"phone": "12"}, 400, "phone"),
        ({"attribute[IDPEL]": "123"}, 400, "IDPEL"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"first_name": "a\x00b"}, 400, "first_name"),
        ({"jurisdiction_id": "other.city"}, 404, "jurisdiction_id"),
    ],
)
def test_refusals_use_the_specs_status_and_say_why(
    client, open311_settings, api_key, fields, status, words
):
    response = post(client, **report(api_key, **fields))
    assert response.status_code == status
    error = response.json()[0]
    assert error["code"] == status
    assert words in error["description"]
    assert not InboundMessage.objects.exists()  # refused requests are not stored


def test_address_instead_of_coordinates(client, open311_settings, api_key):
    response = post(client, **report(api_key, lat="", long="", address_string="Jl. Cikini 73"))
    case = Case.objects.get(ticket=response.json()[0]["service_request_id"])
    assert case.location_text == "Jl. Cikini 73"


def test_wrong_content_type_and_size(client, open311_settings, api_key):
    response = client.post(
        f"{BASE}/requests.json", json.dumps(report(api_key)), content_type="application/json"
    )
    assert response.status_code == 415
    big = post(client, **report(api_key, description="x" * 70_000))
    assert big.status_code == 413
    assert client.delete(f"{BASE}/requests.json").status_code == 405
    broken = client.post(
        f"{BASE}/requests.json", b"--x\r\nnonsense", content_type="multipart/form-data"
    )
    assert broken.status_code == 400
    assert broken.json()[0]["code"] == 400


def test_a_report_that_cannot_be_processed_now_gets_a_token(
    client, open311_settings, api_key, settings
):
    settings.INTAKE_FALLBACK_UNIT = "NO-SUCH-UNIT"  # nowhere to put a report without customer
    response = post(client, **report(api_key))
    assert response.status_code == 202
    token = response.json()[0]["token"]
    assert "service_request_id" not in response.json()[0]
    row = InboundMessage.objects.get(provider_message_id=token)
    assert row.status == InboundStatus.FAILED  # kept, with its error, for staff
    pending = client.get(f"{BASE}/tokens/{token}.json").json()
    assert pending == [{"service_request_id": None, "token": token}]
    assert client.get(f"{BASE}/tokens/{'0' * 32}.json").status_code == 404


# --- GET Service Requests --------------------------------------------------------------------


@pytest.fixture
def reported(client, open311_settings, api_key) -> Case:
    response = post(client, **report(api_key, phone="081234567890"))
    return Case.objects.get(ticket=response.json()[0]["service_request_id"])


def test_request_by_id_without_contact_details(client, reported):
    response = client.get(f"{BASE}/requests/{reported.ticket}.json")
    assert response.status_code == 200
    (request,) = response.json()
    assert request["service_request_id"] == reported.ticket
    assert request["status"] == "open"
    assert request["service_code"] == "bahaya"
    assert request["agency_responsible"] == reported.service_unit.name
    assert request["expected_datetime"]
    text = response.content.decode()
    assert "warga@example.com" not in text
    assert "812" not in text
    root = xml(client.get(f"{BASE}/requests/{reported.ticket.lower()}.xml"))
    assert root.find("request/service_request_id").text == reported.ticket


def test_media_url_is_kept_and_given_back_but_never_fetched(
    client, open311_settings, api_key, reported, django_assert_num_queries
):
    photo = "https://foto.example/laporan/123.jpg?size=large&x=a%20b"
    response = post(client, **report(api_key, media_url=photo))
    with_photo = Case.objects.get(ticket=response.json()[0]["service_request_id"])
    # Not downloaded (an outside URL is not fetched by the back office): agents open it from
    # the description.
    assert photo in with_photo.description
    assert with_photo.attachments.count() == 0

    (request,) = client.get(f"{BASE}/requests/{with_photo.ticket}.json").json()
    assert request["media_url"] == photo
    root = xml(client.get(f"{BASE}/requests/{with_photo.ticket}.xml"))
    assert root.find("request/media_url").text == photo
    # One query for the cases and one for the media URLs of the whole page (after the
    # rate-limit counter's), whatever the page's length.
    with django_assert_num_queries(3):
        listed = client.get(f"{BASE}/requests.json").json()
    assert {r["service_request_id"]: r["media_url"] for r in listed} == {
        with_photo.ticket: photo,
        reported.ticket: "",
    }


def test_only_open311_reports_are_public(client, reported, world):
    phoned = factories.open_case(world.unit_a, channel=Channel.CALL_CENTER)
    assert client.get(f"{BASE}/requests/{phoned.ticket}.json").status_code == 404
    listed = [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()]
    assert listed == [reported.ticket]


def test_request_list_filters(client, reported):
    ids = f"{reported.ticket},ADU-0000-0000"
    assert len(client.get(f"{BASE}/requests.json", {"service_request_id": ids}).json()) == 1
    assert client.get(f"{BASE}/requests.json", {"status": "closed"}).json() == []
    assert len(client.get(f"{BASE}/requests.json", {"status": "open,closed"}).json()) == 1
    assert client.get(f"{BASE}/requests.json", {"service_code": "tagihan"}).json() == []
    now = clock.now()
    window = {
        "start_date": (now - timedelta(days=1)).isoformat(),
        "end_date": (now + timedelta(hours=1)).isoformat(),
    }
    assert len(client.get(f"{BASE}/requests.json", window).json()) == 1
    assert len(client.get(f"{BASE}/requests.json", {"page_size": "1", "page": "2"}).json()) == 0


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
        {"start_date": "2026-02-30"},
        {"start_date": "9999-12-31"},
        {"start_date": "2026-01-01T00:00:00+20:00"},
        {"status": "pending"},
        {"page_size": "-1"},
    ],
)
def test_bad_list_arguments_are_400(client, db, params):
    response = client.get(f"{BASE}/requests.json", params)
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_unknown_request_is_404(client, db):
    assert client.get(f"{BASE}/requests/ADU-0000-0000.json").status_code == 404
    assert client.get(f"{BASE}/requests/whatever.xml").status_code == 404


def test_closed_when_the_case_is_done(client, reported):
    Case.objects.filter(pk=reported.pk).update(status="rejected")
    (request,) = client.get(f"{BASE}/requests/{reported.ticket}.json").json()
    assert request["status"] == "closed"
    assert request["expected_datetime"] is None


# --- GET servicerequestupdates (mySociety's extension) -----------------------------------------


def test_status_changes_are_the_update_feed_fixmystreet_reads(client, reported, world):
    from complaints import services
    from complaints.workflow import CaseStatus
    from staff.roles import Actor

    desk = Actor.staff(world.agent_a)
    reported.refresh_from_db()
    assert reported.status == CaseStatus.VERIFIED  # a hazard: verified at intake
    services.case_transition(
        actor=desk, case_id=reported.pk, target=CaseStatus.RESOLVED, resolution="Kabel diikat"
    )
    phoned = factories.open_case(world.unit_a, channel=Channel.CALL_CENTER)
    services.case_transition(actor=desk, case_id=phoned.pk, target=CaseStatus.VERIFIED)

    updates = client.get(f"{BASE}/servicerequestupdates.json").json()

    # Only Open311 reports, oldest first, with the customer's label and no internal text.
    assert [(u["service_request_id"], u["status"]) for u in updates] == [
        (reported.ticket, "open"),
        (reported.ticket, "fixed"),
    ]
    assert set(updates[0]) == {
        "update_id",
        "service_request_id",
        "status",
        "updated_datetime",
        "description",
        "media_url",
    }
    assert "Kabel diikat" not in json.dumps(updates)
    root = xml(client.get(f"{BASE}/servicerequestupdates.xml"))
    assert root.tag == "service_request_updates"
    assert [e.find("status").text for e in root.findall("request_update")] == ["open", "fixed"]

    now = clock.now()
    later = {
        "start_date": (now + timedelta(minutes=1)).isoformat(),
        "end_date": (now + timedelta(minutes=2)).isoformat(),
    }
    assert client.get(f"{BASE}/servicerequestupdates.json", later).json() == []


def test_every_case_status_has_an_update_status():
    from channels_intake.open311.views import UPDATE_STATUSES
    from complaints.workflow import CaseStatus

    assert set(UPDATE_STATUSES) == set(CaseStatus)


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "kemarin"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},
    ],
)
def test_bad_update_windows_are_400(client, db, params):
    response = client.get(f"{BASE}/servicerequestupdates.json", params)
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


# --- Fuzzed ----------------------------------------------------------------------------------

FIELDS = (
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "phone",
    "first_name",
    "description",
    "media_url",
    "attribute[IDPEL]",
    "attribute[NOMOR_METER]",
    "jurisdiction_id",
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    fields=st.dictionaries(
        st.sampled_from(FIELDS),
        st.one_of(
            st.text(max_size=30),
            st.sampled_from(["bahaya", "tagihan", "-6.2", "106.8", "541100000001", "1e400"]),
        ),
        max_size=8,
    )
)
def test_any_report_form_gets_an_answer_in_the_spec_format_never_5xx(
    client, open311_settings, api_key, fields
):
    response = post(client, **{"api_key": api_key, **fields})
    assert response.status_code in (201, 202, 400, 403, 404, 413, 429), response.content
    body = response.json()
    assert isinstance(body, list)
    assert set(body[0]) in (
        {"code", "description"},
        {"service_request_id", "service_notice", "account_id"},
        {"token", "service_notice", "account_id"},
    )
