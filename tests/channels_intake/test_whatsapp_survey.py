"""The satisfaction survey answered by a WhatsApp reply to the "closed" notice ("5", "2 belum"),
through the webhook as Meta delivers it: only while the survey is the customer's latest
unanswered question (not after they moved on to the menu, not over a restoration check asked
after it)."""

import time
from datetime import timedelta

import pytest

from complaints import clock
from complaints.models import Notification, SatisfactionAnswer
from complaints.services import case_assign, case_transition
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests import factories
from tests.channels_intake.helpers import WA_CONTACT, WhatsAppCustomer

pytestmark = pytest.mark.usefixtures("channel_settings")


def closed_case(world, *, category_code: str = "tagihan"):
    case = factories.open_case(world.unit_a, category_code=category_code)
    agent = world.actor(world.agent_a)
    case_transition(actor=agent, case_id=case.pk, target=CaseStatus.VERIFIED)
    case_transition(actor=agent, case_id=case.pk, target=CaseStatus.RESOLVED, resolution="Beres")
    case_transition(actor=agent, case_id=case.pk, target=CaseStatus.CLOSED)
    case.refresh_from_db()
    return case


def later() -> int:
    """A WhatsApp timestamp clearly after everything the test did so far (the bot clamps it to
    its own clock)."""
    return int(time.time()) + 5


def test_the_closed_notice_on_whatsapp_says_how_to_reply(world):
    case = closed_case(world)

    (notice,) = Notification.objects.filter(case=case, template="closed")

    assert "balas pesan ini dengan angka 1-5" in notice.body
    assert "2 belum" in notice.body
    assert notice.context["params"][1].startswith("http")  # the template's survey link


def test_a_score_reply_records_the_answer_and_thanks(client, world):
    case = closed_case(world)

    reply = WhatsAppCustomer(client).say("5")

    assert f"Terima kasih atas penilaian Anda (5/5) untuk pengaduan {case.ticket}." in reply
    answer = SatisfactionAnswer.objects.get(case=case)
    assert (answer.score, answer.fixed, answer.channel, answer.comment) == (5, True, "whatsapp", "")
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_not_fixed_reply_reopens_the_case(client, world):
    case = closed_case(world)

    reply = WhatsAppCustomer(client).say("2 belum, masih padam")

    assert f"pengaduan {case.ticket} kami buka kembali" in reply
    answer = SatisfactionAnswer.objects.get(case=case)
    assert (answer.score, answer.fixed, answer.comment) == (2, False, "belum, masih padam")
    case.refresh_from_db()
    assert case.status == CaseStatus.REOPENED
    assert Notification.objects.filter(case=case, template="reopened").count() == 1


def test_a_digit_after_the_menu_was_shown_is_a_menu_choice(client, world):
    case = closed_case(world)
    siti = WhatsAppCustomer(client)
    siti.say("Halo", timestamp=later())

    reply = siti.say("1", timestamp=later())

    assert "Gangguan apa" in reply
    assert not SatisfactionAnswer.objects.filter(case=case).exists()


def test_a_survey_older_than_the_window_is_not_answered_by_a_digit(client, world, settings):
    settings.SURVEY_REOPEN_DAYS = 7
    with clock.travel(clock.now() - timedelta(days=8)):
        case = closed_case(world)

    reply = WhatsAppCustomer(client).say("4")

    assert reply.startswith("Halo, selamat datang")
    assert not SatisfactionAnswer.objects.filter(case=case).exists()


def test_a_survey_answered_on_the_page_is_not_answered_again(client, world):
    from complaints.satisfaction import record_answer

    case = closed_case(world)
    record_answer(case_id=case.pk, score=3, fixed=True, channel="web")

    reply = WhatsAppCustomer(client).say("5")

    assert reply.startswith("Halo, selamat datang")
    assert SatisfactionAnswer.objects.get(case=case).score == 3


def test_a_restoration_check_asked_after_the_survey_is_answered_first(client, world):
    billing = closed_case(world)
    outage = factories.open_case(world.unit_a)
    case_transition(actor=world.actor(world.agent_a), case_id=outage.pk, target="verified")
    case_assign(
        actor=world.actor(world.supervisor_a), case_id=outage.pk, technician=world.technician_a
    )
    technician = Actor.staff(world.technician_a.user)
    case_transition(actor=technician, case_id=outage.pk, target="dispatched")
    case_transition(actor=technician, case_id=outage.pk, target="on_site")
    case_transition(actor=technician, case_id=outage.pk, target="resolved", resolution="Sekring")
    assert Notification.objects.filter(case=outage, template="restoration_check").exists()
    siti = WhatsAppCustomer(client)

    # "1" = "Ya, sudah menyala": it closes the outage case, whose survey is then the latest.
    siti.say("1")
    outage.refresh_from_db()
    assert outage.status == CaseStatus.CLOSED
    assert not SatisfactionAnswer.objects.exists()

    reply = siti.say("5 mantap", timestamp=later())

    assert f"(5/5) untuk pengaduan {outage.ticket}" in reply
    answer = SatisfactionAnswer.objects.get()
    assert (answer.case_id, answer.comment) == (outage.pk, "mantap")
    assert not SatisfactionAnswer.objects.filter(case=billing).exists()
    assert Notification.objects.filter(recipient=WA_CONTACT, template="closed").count() == 2
