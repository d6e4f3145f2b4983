"""The WhatsApp bot, driven through the webhook with Meta-shaped payloads: menu, a report from
first message to ticket, validation hints, outage info, status, expiry, restart, language."""

import time
from datetime import timedelta

import pytest

from channels_intake.media import simulated_put
from channels_intake.models import Conversation, ConversationStep
from complaints import clock
from complaints.models import Attachment, Case, CaseEvent, CustomerContact, Priority
from complaints.services import case_assign, case_transition
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests import factories
from tests.channels_intake.conftest import ID_PELANGGAN, METER_NUMBER
from tests.channels_intake.helpers import (
    JPEG,
    WA_CONTACT,
    WhatsAppCustomer,
    deliver_whatsapp,
    fixture,
    replies_to,
)

pytestmark = pytest.mark.usefixtures("channel_settings")


def report_until_photo(customer: WhatsAppCustomer, *, menu: str = "1", sub: str | None = "1"):
    customer.say("Halo")
    customer.say(menu)
    if sub is not None:
        customer.say(sub)
    customer.say(ID_PELANGGAN)
    customer.say("Siti Aminah")
    customer.say("Jl. Cikini Raya No. 73, Menteng")
    return customer.say("Listrik mati sejak pukul 15.00")


def test_first_message_gets_greeting_and_menu(client, db):
    reply = WhatsAppCustomer(client).say("Halo")

    assert reply.startswith("Halo, selamat datang di layanan pengaduan PLN.")
    for line in ("1. Gangguan listrik", "2. Tagihan", "3. Meteran", "4. Informasi pemadaman"):
        assert line in reply
    assert "5. Cek status pengaduan" in reply
    assert "6. Pengaduan lainnya" in reply


def test_any_first_message_gets_the_menu_even_a_menu_number(client, db):
    reply = WhatsAppCustomer(client).say("3")

    assert reply.startswith("Halo, selamat datang")
    assert Conversation.objects.get().step == ConversationStep.MENU


def test_a_power_cut_report_opens_a_case_and_replies_with_the_ticket(client, customer):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    assert "Gangguan apa" in siti.say("1")
    assert "ID pelanggan" in siti.say("1")
    assert "nama lengkap" in siti.say("5411 0000 0001")
    assert "alamat lengkap" in siti.say("Siti Aminah")
    assert "Ceritakan" in siti.say("Jl. Cikini Raya No. 73, Menteng")
    assert "foto" in siti.say("Listrik mati sejak pukul 15.00")
    reply = siti.say("lewati")

    case = Case.objects.get()
    assert case.ticket in reply
    assert (case.customer, case.category.code, case.channel) == (
        customer,
        "padam-rumah",
        "whatsapp",
    )
    assert (case.reporter_name, case.reporter_contact_kind, case.reporter_contact) == (
        "Siti Aminah",
        "whatsapp",
        WA_CONTACT,
    )
    assert case.description == "Listrik mati sejak pukul 15.00"
    assert case.location_text == "Jl. Cikini Raya No. 73, Menteng"
    # The number is remembered: next time the bot recognizes the customer.
    assert CustomerContact.objects.filter(customer=customer, kind="whatsapp", value=WA_CONTACT)


def test_a_report_by_meter_number_finds_the_customer(client, customer):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("3")
    siti.say("1")
    siti.say(METER_NUMBER)
    siti.say("Siti Aminah")
    siti.say("Jl. Cikini Raya No. 73, Menteng")
    siti.say("kWh meter tampil PERIKSA")
    siti.say("lewati")

    case = Case.objects.get()
    assert (case.customer, case.category.code) == (customer, "meter")


def test_a_bill_complaint_and_an_other_complaint_use_their_categories(client, customer):
    siti = WhatsAppCustomer(client)
    report_until_photo(siti, menu="2", sub=None)
    siti.say("lewati")
    report_until_photo(siti, menu="6", sub=None)
    siti.say("lewati")

    assert sorted(Case.objects.values_list("category__code", flat=True)) == ["layanan", "tagihan"]


def test_a_hazard_report_warns_and_is_an_emergency(client, customer):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("1")
    reply = siti.say("4")
    assert "jauhi tiang" in reply
    siti.say(ID_PELANGGAN)
    siti.say("Siti Aminah")
    siti.say("Jl. Cikini Raya No. 73, Menteng")
    siti.say("Kabel putus menjuntai ke jalan")
    siti.say("lewati")

    case = Case.objects.get()
    assert (case.category.code, case.priority) == ("bahaya", Priority.EMERGENCY)


def test_an_invalid_id_is_asked_again_with_a_hint(client, customer):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("1")
    siti.say("1")

    reply = siti.say("12345")

    assert "bukan ID pelanggan maupun nomor meter yang valid" in reply
    assert "12 angka" in reply
    assert Conversation.objects.get().step == ConversationStep.ASK_ID
    assert "nama lengkap" in siti.say(ID_PELANGGAN)


def test_a_phone_number_given_as_id_gets_the_phone_hint(client, customer):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("1")
    siti.say("1")

    reply = siti.say("0812-3456-7890")

    assert "biasanya nomor telepon" in reply
    assert Conversation.objects.get().step == ConversationStep.ASK_ID


def test_an_unknown_id_is_confirmed_by_sending_it_again_and_noted_on_the_case(client, world):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("1")
    siti.say("1")
    assert "tidak kami temukan" in siti.say("999900001111")
    assert "nama lengkap" in siti.say("999900001111")
    siti.say("Siti Aminah")
    siti.say("Jl. Cikini Raya No. 73, Menteng")
    siti.say("Listrik mati")
    siti.say("lewati")

    case = Case.objects.get()
    assert case.customer is None
    note = CaseEvent.objects.get(case=case, kind="note").note
    assert "999900001111" in note


def test_a_known_number_is_offered_its_registered_id_masked(client, customer):
    factories.add_contact(customer, "whatsapp", WA_CONTACT)
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("1")

    reply = siti.say("1")

    assert "Ketik *1* untuk memakai ID pelanggan 5411****0001" in reply
    assert ID_PELANGGAN not in reply
    siti.say("1")
    siti.say("Siti Aminah")
    siti.say("Jl. Cikini Raya No. 73, Menteng")
    siti.say("Listrik mati")
    siti.say("lewati")
    assert Case.objects.get().customer == customer


def test_name_address_and_description_are_validated(client, customer):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("1")
    siti.say("1")
    siti.say(ID_PELANGGAN)

    assert "nama lengkap" in siti.say("12345")
    siti.say("Siti Aminah")
    assert "terlalu singkat" in siti.say("Jl. A")
    siti.say("Jl. Cikini Raya No. 73")
    assert "beberapa kata" in siti.say("??")
    siti.say("Listrik mati")
    assert "lewati" in siti.say("sebentar ya")
    assert Case.objects.count() == 0


def test_a_photo_at_the_photo_step_is_attached_to_the_new_case(client, customer):
    siti = WhatsAppCustomer(client)
    report_until_photo(siti)
    simulated_put("media0001", JPEG)

    reply = siti.send_photo(JPEG, media_id="media0001")

    case = Case.objects.get()
    assert case.ticket in reply
    attachment = Attachment.objects.get(case=case)
    assert (attachment.content_type, attachment.size) == ("image/jpeg", len(JPEG))


def test_a_photo_sent_before_the_report_is_kept_for_it(client, customer):
    siti = WhatsAppCustomer(client)
    simulated_put("media0002", JPEG)
    siti.send_photo(JPEG, media_id="media0002", caption="Halo, meteran saya")
    siti.say("1")
    siti.say("1")
    siti.say(ID_PELANGGAN)
    siti.say("Siti Aminah")
    siti.say("Jl. Cikini Raya No. 73, Menteng")
    siti.say("Listrik mati")
    siti.say("lewati")

    assert Attachment.objects.filter(case=Case.objects.get()).count() == 1


def test_a_photo_after_the_report_is_added_to_that_case(client, customer):
    siti = WhatsAppCustomer(client)
    report_until_photo(siti)
    siti.say("lewati")
    simulated_put("media0003", JPEG)

    reply = siti.send_photo(JPEG, media_id="media0003")

    case = Case.objects.get()
    assert f"lampirkan pada pengaduan {case.ticket}" in reply
    assert Attachment.objects.filter(case=case).count() == 1


def test_a_file_that_is_not_a_photo_is_refused_with_a_reason(client, customer):
    siti = WhatsAppCustomer(client)
    report_until_photo(siti)
    simulated_put("media0004", b"MZ\x90\x00 not an image")

    reply = siti.send_photo(b"MZ\x90\x00 not an image", media_id="media0004")

    assert "Foto tidak dapat kami terima" in reply
    assert Case.objects.count() == 0


def test_outage_info_without_records_says_so_honestly(client, customer):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    assert "kirim ID pelanggan" in siti.say("4")
    assert "tidak kami temukan" in siti.say("999900001111")

    reply = siti.say(ID_PELANGGAN)

    assert "tidak ada pemadaman terencana maupun gangguan yang tercatat" in reply
    assert Conversation.objects.get().step == ConversationStep.MENU


def test_outage_info_for_a_known_number_needs_no_id(client, customer):
    factories.add_contact(customer, "whatsapp", WA_CONTACT)
    siti = WhatsAppCustomer(client)
    siti.say("Halo")

    assert "tidak ada pemadaman terencana" in siti.say("4")


def test_outage_info_lists_what_the_selector_returns(client, customer, monkeypatch):
    from channels_intake.bot import engine
    from channels_intake.bot.outages import OutageKind, OutageNotice

    start = clock.now() + timedelta(hours=2)
    monkeypatch.setattr(
        engine,
        "outage_notices_for",
        lambda customer, at: [
            OutageNotice(
                kind=OutageKind.PLANNED,
                description="Pemeliharaan jaringan penyulang Cikini",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
            )
        ],
    )
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("4")

    reply = siti.say(ID_PELANGGAN)

    assert "Pemadaman terencana" in reply
    assert "Pemeliharaan jaringan penyulang Cikini" in reply
    assert "WIB" in reply


def test_status_by_ticket_number(client, customer):
    case = factories.open_case(customer=customer)
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    assert "nomor tiket" in siti.say("5")

    reply = siti.say(case.ticket.lower().replace("-", " "))

    assert f"*{case.ticket}*" in reply
    assert "Status: *Lapor*" in reply


def test_status_of_a_bad_or_unknown_ticket_asks_again(client, customer):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("5")

    assert "tidak valid" in siti.say("ADU-1234")
    assert "tidak kami temukan" in siti.say("ADU-0000-0000")
    assert Conversation.objects.get().step == ConversationStep.STATUS_TICKET


def test_status_of_a_merged_case_names_the_surviving_ticket(client, customer):
    survivor = factories.open_case(customer=customer)
    duplicate = factories.open_case(customer=customer)
    case_transition(
        actor=Actor.system("test"),
        case_id=duplicate.pk,
        target=CaseStatus.MERGED,
        merged_into=survivor,
    )
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("5")

    reply = siti.say(duplicate.ticket)

    assert f"digabung dengan pengaduan {survivor.ticket}" in reply
    assert f"*{survivor.ticket}*" in reply


def test_a_ticket_typed_at_the_menu_answers_its_status(client, customer):
    case = factories.open_case(customer=customer)
    siti = WhatsAppCustomer(client)
    siti.say("Halo")

    assert f"*{case.ticket}*" in siti.say(case.ticket)


def test_a_message_quoting_the_ticket_is_added_to_the_reporters_open_case(client, customer):
    case = factories.open_case(customer=customer)  # reported by +6281234567890
    siti = WhatsAppCustomer(client)

    reply = siti.say(f"Untuk {case.ticket}: listrik masih padam sampai sekarang")

    assert f"tambahkan pada pengaduan {case.ticket}" in reply
    event = CaseEvent.objects.get(case=case, kind="customer_message")
    assert event.note == f"Untuk {case.ticket}: listrik masih padam sampai sekarang"
    assert Case.objects.count() == 1


def test_someone_else_quoting_a_ticket_does_not_write_into_it(client, customer):
    case = factories.open_case(customer=customer)
    stranger = WhatsAppCustomer(client, wa_id="6281399990000", name="Orang Lain")

    reply = stranger.say(f"{case.ticket} tolong dibatalkan saja")

    assert reply.startswith("Halo, selamat datang")
    assert not CaseEvent.objects.filter(case=case, kind="customer_message").exists()


def test_an_answer_to_a_waiting_case_puts_it_back_to_work(client, customer):
    case = factories.open_case(customer=customer)
    case_transition(
        actor=Actor.system("test"),
        case_id=case.pk,
        target=CaseStatus.WAITING_CUSTOMER,
        reason="Mohon kirim foto kWh meter",
    )
    siti = WhatsAppCustomer(client)

    siti.say(f"{case.ticket} meterannya menunjukkan PERIKSA")

    case.refresh_from_db()
    assert case.status == CaseStatus.VERIFIED


def test_an_idle_conversation_expires_and_starts_over(client, customer, settings):
    settings.WHATSAPP_CONVERSATION_IDLE_MINUTES = 30
    siti = WhatsAppCustomer(client)
    start = int(time.time()) - 3600
    siti.say("Halo", timestamp=start)
    siti.say("1", timestamp=start + 10)
    siti.say("1", timestamp=start + 20)
    assert Conversation.objects.get().step == ConversationStep.ASK_ID

    reply = siti.say(ID_PELANGGAN, timestamp=start + 20 + 31 * 60)

    assert reply.startswith("Halo, selamat datang")
    conversation = Conversation.objects.get()
    assert (conversation.step, conversation.data) == (ConversationStep.MENU, {"photos": []})


def test_menu_restarts_and_batal_cancels(client, customer):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("1")
    siti.say("1")
    siti.say(ID_PELANGGAN)

    assert "1. Gangguan listrik" in siti.say("MENU")
    assert Conversation.objects.get().data == {}
    siti.say("2")
    reply = siti.say("batal")

    assert reply.startswith("Baik, dibatalkan.")
    assert "1. Gangguan listrik" in reply
    assert Conversation.objects.get().step == ConversationStep.MENU


def test_an_unknown_menu_choice_shows_the_menu_again(client, db):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")

    reply = siti.say("9")

    assert "pilihan itu tidak ada" in reply
    assert "1. Gangguan listrik" in reply


def test_english_switches_the_language_and_the_receipt_follows(client, customer):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")

    reply = siti.say("english")

    assert reply.startswith("OK, we will continue in English.")
    assert "1. Power fault" in reply
    assert "What is the problem?" in siti.say("1")
    siti.say("1")
    siti.say(ID_PELANGGAN)
    siti.say("Siti Aminah")
    siti.say("Jl. Cikini Raya No. 73, Menteng")
    siti.say("No power since 3 pm")
    receipt = siti.say("skip")

    case = Case.objects.get()
    assert case.reporter_language == "en"
    assert case.ticket in receipt
    assert siti.say("indonesia").startswith("Baik, kita lanjutkan dalam Bahasa Indonesia.")
    assert Conversation.objects.get().language == "id"


def test_an_unsupported_message_type_is_answered(client, db):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")

    deliver_whatsapp(client, fixture("whatsapp/unsupported.json"))

    assert "belum dapat kami proses" in replies_to(WA_CONTACT)[-1]


# --- Issue 6: answering "Listrik sudah menyala? 1 Ya / 2 Tidak" -------------------------------


def repaired_outage(world, customer) -> Case:
    """An outage report from this WhatsApp number (the factory's default reporter), repaired
    on its own: its reporter has been asked "Listrik sudah menyala? 1 Ya / 2 Tidak"."""
    case = factories.open_case(customer=customer)
    case_transition(actor=world.actor(world.agent_a), case_id=case.pk, target="verified")
    case_assign(
        actor=world.actor(world.supervisor_a), case_id=case.pk, technician=world.technician_a
    )
    technician = Actor.staff(world.technician_a.user)
    for target in ("dispatched", "on_site"):
        case_transition(actor=technician, case_id=case.pk, target=target)
    case_transition(actor=technician, case_id=case.pk, target="resolved", resolution="MCB naik")
    assert case.notifications.filter(recipient=WA_CONTACT, template="restoration_check").exists()
    return case


def test_a_2_as_first_message_after_the_question_opens_a_linked_follow_up(client, world, customer):
    case = repaired_outage(world, customer)

    reply = WhatsAppCustomer(client).say("2")

    follow_up = Case.objects.get(follow_up_of=case)
    assert follow_up.ticket in reply
    assert "masih padam" in reply
    assert (follow_up.channel, follow_up.reporter_contact) == ("whatsapp", WA_CONTACT)
    assert follow_up.status == CaseStatus.RECEIVED
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    assert Conversation.objects.get().step == ConversationStep.MENU


def test_tidak_at_the_menu_answers_the_question_instead_of_choosing(client, world, customer):
    case = repaired_outage(world, customer)
    siti = WhatsAppCustomer(client)
    assert "Silakan pilih layanan" in siti.say("Halo")  # not an answer: the menu, as always

    siti.say("Tidak")

    assert Case.objects.filter(follow_up_of=case).count() == 1
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_a_1_after_the_question_confirms_and_closes_the_case(client, world, customer):
    case = repaired_outage(world, customer)
    siti = WhatsAppCustomer(client)

    reply = siti.say("1")

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert "sudah menyala kembali" in reply
    assert case.ticket in reply
    assert not Case.objects.filter(follow_up_of=case).exists()
    answer = CaseEvent.objects.get(case=case, kind="customer_message")
    assert (answer.data["restoration_answer"], answer.data["channel"]) == ("yes", "whatsapp")
    # Answered once: a second "Ya" is not another answer (nor a second close).
    siti.say("Ya")
    assert CaseEvent.objects.filter(case=case, kind="customer_message").count() == 1


def test_a_1_without_a_pending_question_is_a_menu_choice(client, world, customer):
    factories.open_case(customer=customer)  # an open outage report: nothing asked yet
    siti = WhatsAppCustomer(client)
    siti.say("Halo")

    assert "Gangguan apa" in siti.say("1")
    assert not Case.objects.filter(follow_up_of__isnull=False).exists()


def test_a_1_in_the_middle_of_a_report_is_not_taken_for_an_answer(client, world, customer):
    case = repaired_outage(world, customer)
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("5")  # status question: the bot waits for a ticket number

    assert "nomor tiket" in siti.say("1").lower()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED
