"""/api/v1/cases: list, filters, detail, create, transition, assign, notes."""

from datetime import timedelta

import pytest

from complaints import clock, services
from complaints.models import Case, CaseEvent, Channel, EventKind, Notification
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests import factories

CASES = "/api/v1/cases"


def case_url(case, suffix: str = "") -> str:
    return f"{CASES}/{case.pk}{suffix}"


def tickets(response) -> set[str]:
    return {row["ticket"] for row in response.json()["results"]}


def verify(world, case) -> Case:
    return services.case_transition(
        actor=Actor.staff(world.agent_a), case_id=case.pk, target=CaseStatus.VERIFIED
    )


# --- List and scoping ------------------------------------------------------------------------


def test_agent_lists_only_cases_of_own_units(agent_a, case_a, case_b):
    response = agent_a.get(CASES)
    assert response.status_code == 200
    assert tickets(response) == {case_a.ticket}


def test_manager_lists_cases_of_every_unit(manager, case_a, case_b):
    assert tickets(manager.get(CASES)) == {case_a.ticket, case_b.ticket}


def test_list_row_has_the_queue_columns(agent_a, case_a):
    row = agent_a.get(CASES).json()["results"][0]
    assert row["ticket"] == case_a.ticket
    assert row["status"] == "received"
    assert row["category"] == "meter"
    assert row["service_unit"]["id"] == case_a.service_unit_id
    assert row["customer"]["id_pelanggan"] == case_a.customer.id_pelanggan
    assert row["sla"] == "on_track"
    assert row["version"] == 1


def test_list_is_cursor_paginated_newest_first(agent_a, world):
    opened = [factories.open_case(world.unit_a) for _ in range(3)]
    first = agent_a.get(CASES, {"page_size": 2}).json()
    assert [row["ticket"] for row in first["results"]] == [opened[2].ticket, opened[1].ticket]
    assert "cursor=" in first["next"]
    second = agent_a.get(first["next"]).json()
    assert [row["ticket"] for row in second["results"]] == [opened[0].ticket]
    assert second["next"] is None


def test_a_forged_cursor_is_404_in_the_error_shape(agent_a, case_a):
    response = agent_a.get(CASES, {"cursor": "not-a-cursor"})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_list_query_count_does_not_grow_with_the_page(agent_a, world, django_assert_num_queries):
    for _ in range(2):
        factories.open_case(world.unit_a, customer=factories.make_customer(world.unit_a))
    agent_a.get(CASES)  # the token's first use is recorded, the throttle window opened
    # 1 token with its user, 2 the user's groups (roles), 3 the user's units, 4 the throttle
    # counter, 5 the page of cases with category, unit and customer joined.
    with django_assert_num_queries(5):
        assert len(agent_a.get(CASES).json()["results"]) == 2
    for _ in range(8):
        factories.open_case(world.unit_a, customer=factories.make_customer(world.unit_a))
    with django_assert_num_queries(5):
        assert len(agent_a.get(CASES).json()["results"]) == 10


# --- Filters ---------------------------------------------------------------------------------


def test_filter_by_status_channel_category_and_priority(agent_a, world, case_a):
    other = factories.open_case(world.unit_a, category_code="tagihan", channel=Channel.EMAIL)
    verify(world, other)
    assert tickets(agent_a.get(CASES, {"status": "verified"})) == {other.ticket}
    assert tickets(agent_a.get(CASES, {"status": ["received", "verified"]})) == {
        case_a.ticket,
        other.ticket,
    }
    assert tickets(agent_a.get(CASES, {"channel": "email"})) == {other.ticket}
    assert tickets(agent_a.get(CASES, {"category": "meter"})) == {case_a.ticket}
    assert tickets(agent_a.get(CASES, {"priority": case_a.priority})) >= {case_a.ticket}
    assert tickets(agent_a.get(CASES, {"open": "false"})) == set()


def test_filter_by_unit_includes_the_units_below(manager, world, case_a, case_b):
    region = world.unit_a.parent.parent
    assert tickets(manager.get(CASES, {"unit": region.pk})) == {case_a.ticket}
    assert tickets(manager.get(CASES, {"unit": world.unit_b.pk})) == {case_b.ticket}


def test_filter_by_sla_state_uses_the_consoles_rule(agent_a, world, case_a):
    late = factories.open_case(world.unit_a, category_code="meter")
    Case.objects.filter(pk=late.pk).update(
        created_at=clock.now() - timedelta(days=10),
        resolution_due_at=clock.now() - timedelta(days=1),
    )
    assert tickets(agent_a.get(CASES, {"sla": "breached"})) == {late.ticket}
    assert tickets(agent_a.get(CASES, {"sla": "on_track"})) == {case_a.ticket}
    row = next(r for r in agent_a.get(CASES).json()["results"] if r["ticket"] == late.ticket)
    assert row["sla"] == "breached"


def test_filter_by_creation_time(agent_a, world, case_a):
    now = clock.now()
    assert tickets(agent_a.get(CASES, {"created_after": (now - timedelta(hours=1)).isoformat()}))
    assert not tickets(
        agent_a.get(CASES, {"created_before": (now - timedelta(hours=1)).isoformat()})
    )


def test_an_integration_polls_what_changed_since_its_last_read(agent_a, world, case_a):
    other = factories.open_case(world.unit_a)
    since = clock.now()
    assert not tickets(agent_a.get(CASES, {"updated_after": since.isoformat()}))
    verify(world, other)
    assert tickets(agent_a.get(CASES, {"updated_after": since.isoformat()})) == {other.ticket}
    assert tickets(agent_a.get(CASES, {"updated_before": since.isoformat()})) == {case_a.ticket}


def test_search_by_ticket_and_id_pelanggan(agent_a, case_a, world):
    factories.open_case(world.unit_a)
    assert tickets(agent_a.get(CASES, {"q": case_a.ticket.lower()})) == {case_a.ticket}
    assert tickets(agent_a.get(CASES, {"q": case_a.customer.id_pelanggan})) == {case_a.ticket}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "melayang"}, "status"),
        ({"sla": "soon"}, "sla"),
        ({"unit": "abc"}, "unit"),
        ({"unit": str(2**70)}, "unit"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"created_after": "2026-01-01T00:00:00+20:00"}, "created_after"),
    ],
)
def test_invalid_filter_is_422_naming_the_parameter(agent_a, case_a, params, field):
    response = agent_a.get(CASES, params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid"
    assert field in body["fields"]


# --- Detail ----------------------------------------------------------------------------------


def test_detail_has_timeline_next_moves_and_etag(agent_a, case_a):
    response = agent_a.get(case_url(case_a))
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body["timeline"][0]["kind"] == "created"
    assert body["reporter"]["contact"] == "+6281234567890"
    targets = {move["target"] for move in body["allowed_transitions"]}
    assert targets == {"verified", "waiting_customer", "rejected", "merged"}


def test_case_of_another_unit_is_404_not_403(agent_b, case_a):
    response = agent_b.get(case_url(case_a))
    assert response.status_code == 404
    assert set(response.json()) == {"error", "detail"}


@pytest.mark.parametrize("case_id", ["0", "abc", str(2**70), "-3"])
def test_an_id_that_is_no_id_is_404(agent_a, case_id):
    response = agent_a.get(f"{CASES}/{case_id}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_unknown_api_path_is_a_json_404(agent_a):
    response = agent_a.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


# --- Create ----------------------------------------------------------------------------------


def test_agent_logs_a_case_for_a_customer(agent_a, world, customer_a):
    response = agent_a.post(
        CASES,
        {
            "category": "tagihan",
            "description": "Tagihan bulan ini dua kali lipat.",
            "customer": customer_a.pk,
            "reporter_contact_kind": "phone",
            "reporter_contact": "0812-3456-7890",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    case = Case.objects.get(ticket=body["ticket"])
    assert response["Location"].endswith(f"/api/v1/cases/{case.pk}")
    assert response["ETag"] == '"1"'
    assert case.channel == Channel.CALL_CENTER
    assert case.customer == customer_a
    assert case.assigned_agent == world.agent_a
    assert case.reporter_contact == "+6281234567890"
    assert case.reporter_name == customer_a.name


def test_a_customer_of_another_unit_does_not_exist_for_the_agent(agent_b, customer_a):
    response = agent_b.post(
        CASES,
        {"category": "tagihan", "description": "Tagihan naik.", "customer": customer_a.pk},
        format="json",
    )
    assert response.status_code == 422
    assert "customer" in response.json()["fields"]


def test_a_reporter_who_is_not_a_customer_needs_a_unit(agent_a):
    response = agent_a.post(
        CASES, {"category": "bahaya", "description": "Kabel putus di jalan."}, format="json"
    )
    assert response.status_code == 422
    assert "service_unit" in response.json()["fields"]


def test_invalid_phone_names_the_field(agent_a, world):
    response = agent_a.post(
        CASES,
        {
            "category": "bahaya",
            "description": "Kabel putus.",
            "service_unit": world.unit_a.pk,
            "reporter_contact_kind": "phone",
            "reporter_contact": "12",
        },
        format="json",
    )
    assert response.status_code == 422
    assert "reporter_contact" in response.json()["fields"]


def test_text_that_postgres_cannot_store_is_422_not_500(agent_a, world):
    body = (
        '{"category": "bahaya", "description": "kabel \\ud800 putus", '
        f'"service_unit": {world.unit_a.pk}}}'
    )
    response = agent_a.generic("POST", CASES, body, content_type="application/json")
    assert response.status_code == 422
    assert "description" in response.json()["fields"]


# --- Transition ------------------------------------------------------------------------------


def test_transition_with_current_if_match(agent_a, world, case_a):
    response = agent_a.post(
        case_url(case_a, "/transition"), {"target": "verified"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] == '"2"'
    assert response.json()["status"] == "verified"
    event = CaseEvent.objects.filter(case=case_a).order_by("-id").first()
    assert (event.kind, event.actor) == (EventKind.STATUS_CHANGED, world.agent_a)


def test_transition_on_a_stale_version_is_409(agent_a, world, case_a):
    verify(world, case_a)  # someone else moved it meanwhile: version 2
    response = agent_a.post(
        case_url(case_a, "/transition"),
        {"target": "waiting_customer", "reason": "Minta foto meter"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    stale_field = agent_a.post(
        case_url(case_a, "/transition"),
        {"target": "waiting_customer", "reason": "Minta foto meter", "version": 1},
        format="json",
    )
    assert stale_field.status_code == 409


def test_if_match_and_version_must_agree(agent_a, case_a):
    response = agent_a.post(
        case_url(case_a, "/transition"),
        {"target": "verified", "version": 2},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 422
    assert "version" in response.json()["fields"]


def test_malformed_if_match_is_422(agent_a, case_a):
    response = agent_a.post(
        case_url(case_a, "/transition"), {"target": "verified"}, format="json", HTTP_IF_MATCH="x"
    )
    assert response.status_code == 422
    assert "If-Match" in response.json()["fields"]


def test_illegal_transition_is_422_listing_the_moves_the_user_may_make(agent_a, case_a):
    response = agent_a.post(case_url(case_a, "/transition"), {"target": "closed"}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "illegal_transition"
    assert case_a.ticket in body["detail"]
    assert body["fields"] == {"non_field_errors": [body["detail"]]}
    # The same moves the case detail offers this user, with what each one needs.
    assert (
        body["allowed_transitions"] == agent_a.get(case_url(case_a)).json()["allowed_transitions"]
    )
    assert {move["target"]: move["required"] for move in body["allowed_transitions"]} == {
        "verified": [],
        "waiting_customer": ["reason"],
        "rejected": ["reason"],
        "merged": ["merged_into"],
    }


def test_illegal_move_is_422_and_a_stale_version_409_whichever_comes_first(agent_a, world, case_a):
    verify(world, case_a)  # version 2, status verified
    illegal = agent_a.post(
        case_url(case_a, "/transition"), {"target": "on_site"}, format="json", HTTP_IF_MATCH='"2"'
    )
    assert illegal.status_code == 422
    assert "on_site" not in {move["target"] for move in illegal.json()["allowed_transitions"]}
    # A stale version is checked first (under the row lock): the client must re-read before
    # it can know which moves are legal.
    stale = agent_a.post(
        case_url(case_a, "/transition"), {"target": "on_site"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert stale.status_code == 409
    assert stale.json()["error"] == "conflict"
    assert "allowed_transitions" not in stale.json()


def test_a_required_field_is_named(agent_a, case_a):
    response = agent_a.post(case_url(case_a, "/transition"), {"target": "rejected"}, format="json")
    assert response.status_code == 422
    assert response.json()["fields"] == {"reason": [response.json()["detail"]]}


def test_merge_into_a_ticket_of_another_unit_is_not_found(agent_a, case_a, case_b):
    response = agent_a.post(
        case_url(case_a, "/transition"),
        {"target": "merged", "merged_into": case_b.ticket},
        format="json",
    )
    assert response.status_code == 422
    assert "merged_into" in response.json()["fields"]


# --- Assign ----------------------------------------------------------------------------------


def test_supervisor_assigns_a_technician_of_the_unit(supervisor_a, world, case_a):
    verify(world, case_a)
    response = supervisor_a.post(
        case_url(case_a, "/assign"), {"technician": world.technician_a.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "assigned"
    assert response.json()["technician"] == world.technician_a.pk


def test_agent_may_not_assign(agent_a, world, case_a):
    verify(world, case_a)
    response = agent_a.post(
        case_url(case_a, "/assign"), {"technician": world.technician_a.pk}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"] == "not_allowed"


def test_technician_of_another_unit_is_not_found(supervisor_a, world, case_a):
    verify(world, case_a)
    other = factories.make_technician(world.unit_b)
    response = supervisor_a.post(
        case_url(case_a, "/assign"), {"technician": other.pk}, format="json"
    )
    assert response.status_code == 422
    assert "technician" in response.json()["fields"]


def test_technician_without_the_skill_is_refused(supervisor_a, world, case_a):
    verify(world, case_a)
    unskilled = factories.make_technician(world.unit_a, skills=("distribution",))
    response = supervisor_a.post(
        case_url(case_a, "/assign"), {"technician": unskilled.pk}, format="json"
    )
    assert response.status_code == 422
    assert "technician" in response.json()["fields"]


# --- Notes -----------------------------------------------------------------------------------


def test_internal_note(agent_a, case_a):
    response = agent_a.post(case_url(case_a, "/notes"), {"note": "Cek ulang besok"}, format="json")
    assert response.status_code == 201
    assert response.json()["kind"] == "note"
    assert response["ETag"] == '"2"'
    assert not Notification.objects.filter(event_id=response.json()["id"]).exists()


def test_message_to_the_customer_goes_to_the_outbox(agent_a, case_a):
    response = agent_a.post(
        case_url(case_a, "/notes"),
        {"note": "Petugas datang besok pagi.", "to_customer": True},
        format="json",
    )
    assert response.status_code == 201
    notice = Notification.objects.get(event_id=response.json()["id"], channel="whatsapp")
    assert notice.recipient == "+6281234567890"


def test_empty_note_is_422(agent_a, case_a):
    response = agent_a.post(case_url(case_a, "/notes"), {"note": "   "}, format="json")
    assert response.status_code == 422
    assert "note" in response.json()["fields"]
