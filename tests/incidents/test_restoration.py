"""Restoration check: every restored reporter is asked "Listrik sudah menyala? 1 Ya / 2 Tidak";
"Tidak" opens a linked follow-up (a nested outage at that address) instead of silently
closing; the answer comes from the public page or a messaging reply."""

import pytest
from django.urls import reverse

from complaints.incidents import (
    answer_from_message,
    incident_fan_out,
    incident_restore,
    parse_restoration_answer,
    restoration_answer,
    restoration_token,
)
from complaints.models import Case, CaseEvent, EventKind, Incident, IncidentEventKind
from complaints.models import NotificationStatus as N
from complaints.services import case_assign, case_transition
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests.incidents.conftest import customer_on, notices, report, reports_on_feeder


@pytest.fixture
def restored(world) -> Incident:
    reports_on_feeder(world.unit_a, 3)
    incident = Incident.objects.get()
    incident_restore(actor=world.actor(world.supervisor_a), incident_id=incident.pk)
    incident_fan_out(incident.events.get(kind=IncidentEventKind.RESTORED).pk)
    return incident


def test_yes_closes_only_that_reporters_case(world, restored):
    case, other, _ = restored.cases.order_by("pk")

    result = restoration_answer(case=case, still_off=False, channel="whatsapp")

    assert result.pk == case.pk
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert Case.objects.get(pk=other.pk).status == CaseStatus.RESOLVED
    answer = CaseEvent.objects.get(case=case, kind=EventKind.CUSTOMER_MESSAGE)
    assert answer.data["restoration_answer"] == "yes"
    # The closing notice (with the survey) goes out.
    (closed,) = notices(case, "closed")
    assert closed.status == N.PENDING


def test_no_opens_a_linked_follow_up_at_that_address_and_closes_nothing_else(world, restored):
    case, other, _ = restored.cases.order_by("pk")

    follow_up = restoration_answer(case=case, still_off=True, channel="whatsapp")

    case.refresh_from_db()
    assert follow_up.pk != case.pk
    assert follow_up.follow_up_of_id == case.pk
    assert (follow_up.customer_id, follow_up.category_id) == (case.customer_id, case.category_id)
    assert follow_up.location_text == case.location_text
    assert follow_up.reporter_contact == case.reporter_contact
    assert follow_up.status == CaseStatus.RECEIVED
    assert case.ticket in follow_up.description
    assert restored.code in follow_up.description
    assert case.status == CaseStatus.CLOSED
    assert follow_up.ticket in case.events.get(to_status=CaseStatus.CLOSED).note
    assert Case.objects.get(pk=other.pk).status == CaseStatus.RESOLVED
    restored.refresh_from_db()
    assert restored.status == "restored"
    # The customer gets the new ticket, not "closed, please rate us".
    assert notices(case, "closed")[0].status == N.SUPERSEDED
    assert notices(follow_up, "received")[0].status == N.PENDING


def test_answering_twice_changes_nothing(world, restored):
    case = restored.cases.order_by("pk").first()
    first = restoration_answer(case=case, still_off=True, channel="whatsapp")

    again = restoration_answer(case=case, still_off=True, channel="whatsapp")
    yes_after = restoration_answer(case=case, still_off=False, channel="web")

    assert again.pk == yes_after.pk == first.pk
    assert Case.objects.filter(follow_up_of=case).count() == 1


def test_a_case_resolved_on_its_own_asks_the_question_instead_of_plain_resolved(world):
    case = report(customer_on(world.unit_a, ""))
    case_transition(actor=world.actor(world.agent_a), case_id=case.pk, target="verified")
    case_assign(
        actor=world.actor(world.supervisor_a), case_id=case.pk, technician=world.technician_a
    )
    technician = Actor.staff(world.technician_a.user)
    case_transition(actor=technician, case_id=case.pk, target="dispatched")
    case_transition(actor=technician, case_id=case.pk, target="on_site")

    case_transition(
        actor=technician, case_id=case.pk, target="resolved", resolution="Sekring diganti"
    )

    (check,) = notices(case, "restoration_check")
    assert "Listrik sudah menyala? 1 Ya / 2 Tidak" in check.body
    assert "Sekring diganti" in check.body
    assert notices(case, "resolved")[0].status == N.SUPERSEDED


@pytest.mark.parametrize(
    ("text", "still_off"),
    [
        ("1", False),
        ("Ya", False),
        ("sudah nyala", False),
        ("2", True),
        ("tidak", True),
        ("Belum, masih gelap", True),
        ("halo", None),
        ("", None),
    ],
)
def test_replies_are_read_as_answers(text, still_off):
    assert parse_restoration_answer(text) is still_off


def test_a_messaging_reply_answers_the_latest_question_of_that_contact(world, restored):
    case = restored.cases.order_by("pk").first()

    assert (
        answer_from_message(contact=case.reporter_contact, text="menu", channel="whatsapp") is None
    )
    follow_up = answer_from_message(contact=case.reporter_contact, text="2", channel="whatsapp")

    assert follow_up.follow_up_of_id == case.pk
    # Nothing asked any more: the next "2" is for the conversation.
    assert answer_from_message(contact=case.reporter_contact, text="2", channel="whatsapp") is None


def test_the_public_answer_page_asks_and_records(world, restored, client):
    case = restored.cases.order_by("pk").first()
    url = reverse("pemadaman:restoration", args=[restoration_token(case)])

    page = client.get(url)
    assert page.status_code == 200
    assert "Listrik sudah menyala?" in page.content.decode()

    response = client.post(url, {"answer": "no"}, follow=True)

    follow_up = Case.objects.get(follow_up_of=case)
    assert follow_up.ticket in response.content.decode()
    assert follow_up.channel == case.channel


def test_a_forged_token_is_refused(client, db):
    response = client.get(reverse("pemadaman:restoration", args=["forged"]))

    assert response.status_code == 404
