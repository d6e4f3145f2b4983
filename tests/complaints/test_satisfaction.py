"""The satisfaction survey of a closed case: the public page behind the signed link of the
"closed" notice, the answer's rules (one per case, 1-5, fixed yes/no), and "not fixed" reopening
the case only within SURVEY_REOPEN_DAYS of the closing. WhatsApp replies:
tests/channels_intake/test_whatsapp_survey.py."""

import re
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from channels_intake.ratelimit import Rate
from complaints import clock, satisfaction, survey_views
from complaints.errors import InvalidInput
from complaints.models import (
    CaseEvent,
    Channel,
    EventKind,
    Notification,
    SatisfactionAnswer,
)
from complaints.notifications import survey_token
from complaints.satisfaction import (
    ALREADY_ANSWERED,
    COMMENT_TOO_LONG,
    NOTE_NOT_REOPENED,
    REOPEN_REASON,
    SCORE_INVALID,
    SURVEY_NOT_OPEN,
    AlreadyAnswered,
    parse_survey_reply,
    record_answer,
)
from complaints.services import case_transition
from complaints.survey_views import INVALID_LINK
from complaints.workflow import CaseStatus
from tests import factories


def close(world, case):
    agent = world.actor(world.agent_a)
    case_transition(actor=agent, case_id=case.pk, target=CaseStatus.VERIFIED)
    case_transition(
        actor=agent, case_id=case.pk, target=CaseStatus.RESOLVED, resolution="Tagihan dikoreksi"
    )
    case_transition(actor=agent, case_id=case.pk, target=CaseStatus.CLOSED)
    case.refresh_from_db()
    return case


@pytest.fixture
def closed(world):
    return close(world, factories.open_case(world.unit_a, category_code="tagihan"))


def survey_url(case) -> str:
    return reverse("survey:answer", args=[survey_token(case)])


def answer(case, **fields) -> SatisfactionAnswer:
    values = {"score": 4, "fixed": True, "comment": "", "channel": Channel.WEB, **fields}
    return record_answer(case_id=case.pk, **values)


# --- The page -------------------------------------------------------------------------------


def test_the_link_of_the_closed_notice_opens_the_form(closed, client):
    (notice,) = Notification.objects.filter(case=closed, template="closed")
    path = re.search(r"/survey/[^/\s]+/", notice.body).group(0)

    response = client.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert closed.ticket in html
    assert "Apakah masalah Anda sudah teratasi?" in html
    for score in range(1, 6):
        assert f'name="score" value="{score}"' in html
    assert 'name="fixed" value="yes"' in html
    assert 'name="fixed" value="no"' in html
    assert "<legend>" in html
    assert "csrfmiddlewaretoken" in html


def test_an_answer_on_the_page_is_recorded_and_thanked(closed, client):
    url = survey_url(closed)

    response = client.post(url, {"score": "5", "fixed": "yes", "comment": " Petugas ramah "})

    assert response.status_code == 302
    assert response["Location"] == f"{url}?done=1"
    recorded = SatisfactionAnswer.objects.get(case=closed)
    assert (recorded.score, recorded.fixed, recorded.comment, recorded.channel) == (
        5,
        True,
        "Petugas ramah",
        Channel.WEB,
    )
    assert (recorded.service_unit_id, recorded.category_id) == (
        closed.service_unit_id,
        closed.category_id,
    )
    # The unit is in WIB: its local day.
    assert recorded.answered_on == recorded.answered_at.astimezone(closed.service_unit.tz).date()
    assert recorded.reopened is False
    closed.refresh_from_db()
    assert closed.status == CaseStatus.CLOSED
    event = CaseEvent.objects.get(case=closed, kind=EventKind.CUSTOMER_MESSAGE)
    assert event.actor_label == "customer:web"
    assert (
        event.note == "Survei kepuasan: nilai 5/5, masalah sudah teratasi.\nKomentar: Petugas ramah"
    )
    assert event.data["satisfaction"] == {"score": 5, "fixed": True, "reopened": False}
    thanks = client.get(f"{url}?done=1").content.decode()
    assert "Terima kasih, penilaian Anda sudah kami terima." in thanks
    assert "5/5" in thanks


@pytest.mark.parametrize("token", ["not-a-token", "tampered"])
def test_a_bad_token_is_a_404_with_a_clear_message(closed, client, token):
    if token == "tampered":
        good = survey_token(closed)
        token = good[:-1] + ("A" if good[-1] != "A" else "B")

    response = client.get(reverse("survey:answer", args=[token]))

    assert response.status_code == 404
    assert str(INVALID_LINK) in response.content.decode()
    assert not SatisfactionAnswer.objects.exists()


def test_an_expired_link_is_a_404_and_records_nothing(closed, client, settings, monkeypatch):
    settings.SURVEY_TOKEN_DAYS = 30
    issued = time.time() - 31 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: issued)
        token = survey_token(closed)
    url = reverse("survey:answer", args=[token])

    assert client.get(url).status_code == 404
    response = client.post(url, {"score": "1", "fixed": "no"})

    assert response.status_code == 404
    assert str(INVALID_LINK) in response.content.decode()
    assert not SatisfactionAnswer.objects.exists()


def test_a_link_within_its_days_still_works(closed, client, settings, monkeypatch):
    settings.SURVEY_TOKEN_DAYS = 30
    issued = time.time() - 29 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: issued)
        token = survey_token(closed)

    assert client.get(reverse("survey:answer", args=[token])).status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"fixed": "yes"},
        {"score": "0", "fixed": "yes"},
        {"score": "6", "fixed": "yes"},
        {"score": "lima", "fixed": "yes"},
        {"score": "3"},
        {"score": "3", "fixed": "maybe"},
        {"score": "3", "fixed": "yes", "comment": "x" * (satisfaction.COMMENT_MAX_CHARS + 1)},
    ],
)
def test_an_invalid_form_is_shown_again_with_its_errors(closed, client, data):
    response = client.post(survey_url(closed), data)

    assert response.status_code == 422
    assert 'class="errorlist"' in response.content.decode()
    assert not SatisfactionAnswer.objects.exists()


def test_an_answered_survey_shows_the_recorded_answer_and_keeps_it(closed, client):
    answer(closed, score=2, fixed=True, comment="Lama sekali")
    url = survey_url(closed)

    page = client.get(url)
    again = client.post(url, {"score": "5", "fixed": "no"})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Survei pengaduan ini sudah dijawab." in html
    assert "2/5" in html
    assert "Lama sekali" in html
    assert 'name="score"' not in html
    assert again.status_code == 200
    assert "2/5" in again.content.decode()
    recorded = SatisfactionAnswer.objects.get(case=closed)
    assert (recorded.score, recorded.fixed) == (2, True)
    closed.refresh_from_db()
    assert closed.status == CaseStatus.CLOSED


def test_a_case_that_was_never_closed_cannot_be_rated(world, client):
    case = factories.open_case(world.unit_a, category_code="tagihan")

    response = client.get(survey_url(case))

    assert response.status_code == 409
    assert "belum ditutup" in response.content.decode()


def test_answers_are_rate_limited_per_client(closed, client, monkeypatch):
    monkeypatch.setattr(survey_views, "ANSWER_RATE", Rate(limit=1, seconds=600))
    url = survey_url(closed)
    client.post(url, {"score": "9"})

    response = client.post(url, {"score": "5", "fixed": "yes"})

    assert response.status_code == 429
    assert not SatisfactionAnswer.objects.exists()


def test_the_page_follows_the_language_switch(closed, client):
    response = client.get(survey_url(closed), HTTP_ACCEPT_LANGUAGE="en")

    assert '<html lang="en">' in response.content.decode()
    # Every label in English, the comment's help text (formatted with its limit) too.
    assert "Optional. At most" in response.content.decode()
    assert '<html lang="id">' in client.get(survey_url(closed)).content.decode()


# --- The answer's rules -----------------------------------------------------------------------


@pytest.mark.parametrize("score", [0, 6, -1, "5", 4.0, True, None])
def test_a_score_outside_1_to_5_is_refused(closed, score):
    with pytest.raises(InvalidInput) as refused:
        answer(closed, score=score)

    assert refused.value.message_template == SCORE_INVALID
    assert not SatisfactionAnswer.objects.exists()


def test_fixed_must_be_yes_or_no(closed):
    with pytest.raises(InvalidInput):
        answer(closed, fixed="no")


def test_a_comment_longer_than_the_limit_is_refused(closed):
    with pytest.raises(InvalidInput) as refused:
        answer(closed, comment="x" * (satisfaction.COMMENT_MAX_CHARS + 1))

    assert refused.value.message_template == COMMENT_TOO_LONG


def test_a_second_answer_is_refused(closed):
    answer(closed, score=5)

    with pytest.raises(AlreadyAnswered) as refused:
        answer(closed, score=1, fixed=False)

    assert refused.value.message_template == ALREADY_ANSWERED
    assert SatisfactionAnswer.objects.get(case=closed).score == 5
    assert Notification.objects.filter(case=closed, template="reopened").count() == 0


def test_an_open_case_has_no_survey_to_answer(world):
    case = factories.open_case(world.unit_a, category_code="tagihan")

    with pytest.raises(InvalidInput) as refused:
        answer(case)

    assert refused.value.message_template == SURVEY_NOT_OPEN


def test_the_database_refuses_a_score_outside_1_to_5(closed):
    with pytest.raises(IntegrityError), transaction.atomic():
        SatisfactionAnswer.objects.create(
            case=closed,
            score=6,
            fixed=True,
            channel=Channel.WEB,
            answered_at=clock.now(),
            answered_on=clock.now().date(),
            service_unit=closed.service_unit,
            category=closed.category,
        )


# --- "Not fixed" ----------------------------------------------------------------------------


def test_not_fixed_within_the_window_reopens_the_case_and_tells_the_customer(closed, settings):
    settings.SURVEY_REOPEN_DAYS = 7
    with clock.travel(closed.closed_at + timedelta(days=6, hours=23)):
        recorded = answer(closed, score=1, fixed=False, comment="Masih salah tagihannya")

    closed.refresh_from_db()
    assert closed.status == CaseStatus.REOPENED
    assert recorded.reopened is True
    reopening = CaseEvent.objects.get(case=closed, to_status=CaseStatus.REOPENED)
    assert reopening.from_status == CaseStatus.CLOSED
    assert reopening.actor_label == "customer:web"
    assert reopening.note == str(REOPEN_REASON % {"score": 1})
    (notice,) = Notification.objects.filter(case=closed, template="reopened")
    assert notice.event_id == reopening.pk
    assert closed.ticket in notice.body


def test_not_fixed_after_the_window_is_recorded_for_the_supervisor_only(closed, settings):
    settings.SURVEY_REOPEN_DAYS = 7
    with clock.travel(closed.closed_at + timedelta(days=7, minutes=1)):
        recorded = answer(closed, score=2, fixed=False)

    closed.refresh_from_db()
    assert closed.status == CaseStatus.CLOSED
    assert recorded.reopened is False
    assert not Notification.objects.filter(case=closed, template="reopened").exists()
    event = CaseEvent.objects.get(case=closed, kind=EventKind.CUSTOMER_MESSAGE)
    assert str(NOTE_NOT_REOPENED % {"days": 7}) in event.note
    assert event.data["satisfaction"] == {"score": 2, "fixed": False, "reopened": False}


def test_fixed_never_reopens(closed):
    answer(closed, score=1, fixed=True)

    closed.refresh_from_db()
    assert closed.status == CaseStatus.CLOSED


def test_not_fixed_on_a_case_staff_already_reopened_changes_nothing_more(world, closed):
    case_transition(
        actor=world.actor(world.agent_a),
        case_id=closed.pk,
        target=CaseStatus.REOPENED,
        reason="Pelanggan menelepon",
    )

    recorded = answer(closed, score=2, fixed=False)

    assert recorded.reopened is False
    assert CaseEvent.objects.filter(case=closed, to_status=CaseStatus.REOPENED).count() == 1


# --- WhatsApp reply wording -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("5", (5, True, "")),
        (" 4/5 ", (4, True, "")),
        ("4 dari 5, petugas ramah", (4, True, "petugas ramah")),
        ("2 belum", (2, False, "belum")),
        ("1. masih padam", (1, False, "masih padam")),
        ("3 not fixed yet", (3, False, "not fixed yet")),
        ("2 tidak teratasi", (2, False, "tidak teratasi")),
        ("5 tidak ada masalah lagi", (5, True, "tidak ada masalah lagi")),
        ("0", None),
        ("6", None),
        ("10", None),
        ("3.5", None),
        ("15 menit lagi", None),
        ("halo", None),
        ("", None),
    ],
)
def test_whatsapp_replies_are_read_as_scores(text, parsed):
    assert parse_survey_reply(text) == parsed


# --- Admin ------------------------------------------------------------------------------------

ADMIN_LIST = "/admin/complaints/satisfactionanswer/"


def closed_in(world, unit):
    return close(world, factories.open_case(unit, category_code="tagihan"))


def test_supervisors_read_their_units_answers_and_managers_all(world, client):
    mine = closed_in(world, world.unit_a)
    theirs = factories.open_case(world.unit_b, category_code="tagihan")
    agent_b = world.actor(world.agent_b)
    case_transition(actor=agent_b, case_id=theirs.pk, target=CaseStatus.VERIFIED)
    case_transition(
        actor=agent_b, case_id=theirs.pk, target=CaseStatus.RESOLVED, resolution="Dikoreksi"
    )
    case_transition(actor=agent_b, case_id=theirs.pk, target=CaseStatus.CLOSED)
    answer(mine, score=5, comment="Cepat")
    answer(theirs, score=1, fixed=False)

    client.force_login(world.supervisor_a)
    supervisor_page = client.get(ADMIN_LIST)
    client.force_login(world.manager)
    manager_page = client.get(ADMIN_LIST)
    client.force_login(world.agent_a)
    agent_page = client.get(ADMIN_LIST)

    assert supervisor_page.status_code == 200
    assert mine.ticket in supervisor_page.content.decode()
    assert theirs.ticket not in supervisor_page.content.decode()
    assert manager_page.status_code == 200
    assert mine.ticket in manager_page.content.decode()
    assert theirs.ticket in manager_page.content.decode()
    assert agent_page.status_code == 403
    # Read-only: nobody adds or edits an answer here.
    client.force_login(world.manager)
    answer_id = SatisfactionAnswer.objects.get(case=mine).pk
    assert client.get(f"{ADMIN_LIST}add/").status_code == 403
    edit = client.post(f"{ADMIN_LIST}{answer_id}/change/", {"score": "1"})
    assert edit.status_code == 403
    assert SatisfactionAnswer.objects.get(pk=answer_id).score == 5


def test_the_admin_list_does_not_grow_in_queries_with_its_rows(world, client):
    answer(closed_in(world, world.unit_a), score=4)
    client.force_login(world.supervisor_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ADMIN_LIST).status_code == 200
        return len(queries)

    count()  # the first request also fills the per-process unit-tree cache of the filter
    before = count()
    for score in (1, 2, 3, 5):
        answer(closed_in(world, world.unit_a), score=score)

    # session, user (with the roles, units and console language staff.backends loads), the
    # capped count, the page of rows with case, unit and category (list_select_related).
    assert count() == before == 4


def test_the_admin_list_finds_an_answer_by_its_ticket_as_typed(world, client):
    wanted = closed_in(world, world.unit_a)
    other = closed_in(world, world.unit_a)
    answer(wanted, score=4)
    answer(other, score=2)
    client.force_login(world.manager)

    typed = wanted.ticket.lower().replace("-", " ")
    found = client.get(ADMIN_LIST, {"q": typed}).content.decode()
    nothing = client.get(ADMIN_LIST, {"q": "bukan tiket"}).content.decode()

    assert wanted.ticket in found
    assert other.ticket not in found
    assert wanted.ticket not in nothing
    assert other.ticket not in nothing
