"""The one normalized intake call every channel makes (channels_intake.intake)."""

import pytest

from channels_intake.intake import (
    DEFAULT_CATEGORY,
    IntakeAttachment,
    IntakeRejected,
    IntakeRequest,
    find_quoted_ticket,
    guess_category_code,
    intake_submit,
    normalize_contact,
)
from complaints.models import Attachment, Case, CaseEvent, CustomerContact
from complaints.services import case_transition
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests import factories
from tests.channels_intake.conftest import ID_PELANGGAN, METER_NUMBER
from tests.channels_intake.helpers import JPEG, PNG

pytestmark = pytest.mark.usefixtures("channel_settings")


def request(**fields) -> IntakeRequest:
    defaults = {"channel": "web", "description": "Listrik padam sejak pagi"}
    return IntakeRequest(**{**defaults, **fields})


def test_the_customer_is_found_by_id_pelanggan_with_separators(customer):
    result = intake_submit(request(id_pelanggan="5411-0000-0001", category_code="padam-rumah"))

    assert result.created
    assert result.customer == customer
    assert (result.case.customer, result.case.service_unit) == (customer, customer.service_unit)
    assert result.case.location_text == customer.address  # no location given: the customer's


def test_the_customer_is_found_by_meter_number(customer):
    assert intake_submit(request(meter_number=METER_NUMBER)).customer == customer


def test_the_customer_is_found_by_a_known_contact_when_no_number_is_given(customer):
    factories.add_contact(customer, "email", "siti@example.com")

    result = intake_submit(request(contact_kind="email", contact=" Siti@Example.COM "))

    assert result.customer == customer
    assert result.case.reporter_contact == "siti@example.com"


def test_a_whatsapp_number_finds_a_customer_known_by_phone(customer):
    factories.add_contact(customer, "phone", "+6281234567890")

    result = intake_submit(request(contact_kind="whatsapp", contact="6281234567890"))

    assert result.customer == customer


def test_a_given_number_decides_even_when_the_contact_is_someone_elses(customer, world):
    other = factories.make_customer(world.unit_b)
    factories.add_contact(other, "phone", "+6281234567890")

    result = intake_submit(
        request(id_pelanggan=ID_PELANGGAN, contact_kind="phone", contact="0812-3456-7890")
    )

    assert result.customer == customer
    # The contact stays with the customer it belonged to.
    assert CustomerContact.objects.get(value="+6281234567890").customer == other


def test_a_new_contact_is_recorded_for_the_customer(customer):
    intake_submit(
        request(id_pelanggan=ID_PELANGGAN, contact_kind="phone", contact="0812 3456 7890")
    )

    assert CustomerContact.objects.filter(
        customer=customer, kind="phone", value="+6281234567890"
    ).exists()


def test_an_unknown_number_opens_a_case_in_the_fallback_unit_with_a_note(world):
    result = intake_submit(request(id_pelanggan="999900001111"))

    case = result.case
    assert case.customer is None
    assert case.service_unit.kind == "region"
    note = CaseEvent.objects.get(case=case, kind="note")
    assert note.note == (
        "Pelapor menyebut ID pelanggan 999900001111, tetapi nomor itu tidak ada di data pelanggan."
    )


def test_the_fallback_unit_is_configurable(world, settings):
    settings.INTAKE_FALLBACK_UNIT = world.unit_b.code

    assert intake_submit(request()).case.service_unit == world.unit_b


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"id_pelanggan": "1234"}, "id_pelanggan"),
        ({"meter_number": "12345678901234"}, "meter_number"),
        ({"contact_kind": "phone", "contact": "12"}, "contact"),
        ({"contact_kind": "email", "contact": "not-an-email"}, "contact"),
        ({"contact_kind": "pigeon", "contact": "x"}, "contact"),
        ({"category_code": "no-such-category"}, "category_code"),
        ({"attachments": (IntakeAttachment(b"MZ not a photo"),)}, "attachments"),
    ],
)
def test_bad_input_is_rejected_naming_the_field_and_nothing_is_written(world, fields, field):
    with pytest.raises(IntakeRejected) as raised:
        intake_submit(request(**fields))

    assert raised.value.field == field
    assert Case.objects.count() == 0


def test_attachments_are_stored_on_the_new_case(customer):
    result = intake_submit(
        request(
            id_pelanggan=ID_PELANGGAN,
            attachments=(IntakeAttachment(JPEG, "meter.jpg"), IntakeAttachment(PNG, "rumah.png")),
        )
    )

    assert sorted(
        Attachment.objects.filter(case=result.case).values_list("content_type", flat=True)
    ) == [
        "image/jpeg",
        "image/png",
    ]


def test_a_quoted_ticket_of_the_reporters_open_case_adds_a_message_not_a_case(customer):
    case = factories.open_case(customer=customer)  # reporter +6281234567890 on WhatsApp
    before = Case.objects.count()

    result = intake_submit(
        request(
            channel="email",
            description="Sampai sekarang masih padam",
            ticket=case.ticket,
            contact_kind="phone",
            contact="081234567890",
            attachments=(IntakeAttachment(JPEG),),
            provider="email",
            provider_message_id="<abc@example.com>",
        )
    )

    assert (result.created, result.case) == (False, case)
    assert Case.objects.count() == before
    event = result.event
    assert (event.kind, event.note) == ("customer_message", "Sampai sekarang masih padam")
    assert event.data == {
        "channel": "email",
        "provider": "email",
        "provider_message_id": "<abc@example.com>",
    }
    assert Attachment.objects.filter(case=case).count() == 1


def test_a_ticket_written_in_the_description_counts_as_quoted(customer):
    case = factories.open_case(customer=customer)

    result = intake_submit(
        request(
            description=f"Re: {case.ticket.lower()} belum ada petugas", id_pelanggan=ID_PELANGGAN
        )
    )

    assert (result.created, result.case) == (False, case)


def test_a_stranger_quoting_a_ticket_gets_a_new_case_with_a_note(customer):
    case = factories.open_case(customer=customer)

    result = intake_submit(
        request(ticket=case.ticket, contact_kind="email", contact="orang.lain@example.com")
    )

    assert result.created
    assert result.case != case
    note = CaseEvent.objects.get(case=result.case, kind="note").note
    assert note == f"Pelapor menyebut pengaduan {case.ticket} (status: Lapor)."
    assert not CaseEvent.objects.filter(case=case, kind="customer_message").exists()


def test_an_agent_may_add_to_any_quoted_open_case(customer, world):
    case = factories.open_case(customer=customer)

    result = intake_submit(
        request(channel="call_center", ticket=case.ticket, description="Pelanggan menelepon lagi"),
        actor=Actor.staff(world.agent_a),
    )

    assert (result.created, result.case) == (False, case)


def test_a_quoted_finished_case_opens_a_new_one_that_names_it(customer, world):
    case = factories.open_case(customer=customer)
    case_transition(
        actor=Actor.staff(world.agent_a),
        case_id=case.pk,
        target=CaseStatus.REJECTED,
        reason="Bukan gangguan PLN",
    )

    result = intake_submit(request(ticket=case.ticket, id_pelanggan=ID_PELANGGAN))

    assert result.created
    assert result.case != case
    note = CaseEvent.objects.get(case=result.case, kind="note").note
    assert note == f"Pelapor menyebut pengaduan {case.ticket} (status: Ditolak)."


def test_a_quoted_merged_ticket_leads_to_the_surviving_case(customer):
    survivor = factories.open_case(customer=customer)
    duplicate = factories.open_case(customer=customer)
    case_transition(
        actor=Actor.system("test"),
        case_id=duplicate.pk,
        target=CaseStatus.MERGED,
        merged_into=survivor,
    )

    result = intake_submit(request(ticket=duplicate.ticket, id_pelanggan=ID_PELANGGAN))

    assert (result.created, result.case) == (False, survivor)


def test_a_reply_to_a_waiting_case_puts_it_back_to_work(customer):
    case = factories.open_case(customer=customer)
    case_transition(
        actor=Actor.system("test"),
        case_id=case.pk,
        target=CaseStatus.WAITING_CUSTOMER,
        reason="Kirim foto",
    )

    result = intake_submit(request(ticket=case.ticket, id_pelanggan=ID_PELANGGAN))

    assert result.case.status == CaseStatus.VERIFIED


def test_the_reporter_language_is_kept_for_the_notices(customer):
    case = intake_submit(request(id_pelanggan=ID_PELANGGAN, language="en")).case

    assert case.reporter_language == "en"


def test_the_default_category_is_for_triage(customer):
    assert intake_submit(request(id_pelanggan=ID_PELANGGAN)).case.category.code == DEFAULT_CATEGORY


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Kabel putus menjuntai di depan rumah", "bahaya"),
        ("Tiang listrik roboh!", "bahaya"),
        ("Token tidak bisa dimasukkan, GAGAL", "token"),
        ("Tagihan bulan ini naik dua kali lipat", "tagihan"),
        ("Lampu berkedip terus tiap malam", "tegangan"),
        ("Listrik padam satu kampung sejak subuh", "padam-area"),
        ("Mati lampu dari jam 3", "padam-rumah"),
        ("Petugasnya ramah sekali, terima kasih", "layanan"),
    ],
)
def test_free_text_gets_a_guessed_category(text, code):
    assert guess_category_code(text) == code


def test_ticket_numbers_are_found_in_text_only_when_their_check_symbol_holds():
    from complaints.tickets import new_ticket_number

    ticket = new_ticket_number()
    assert find_quoted_ticket(f"Re: [#{ticket}] masih padam") == ticket
    wrong = ticket[:-1] + ("0" if ticket[-1] != "0" else "1")
    assert find_quoted_ticket(f"nomor {wrong}") is None
    assert find_quoted_ticket("tanpa nomor") is None


@pytest.mark.parametrize(
    ("kind", "value", "normalized"),
    [
        ("phone", "0812-3456-7890", "+6281234567890"),
        ("whatsapp", "6281234567890", "+6281234567890"),
        ("whatsapp", "16505551234", "+16505551234"),
        ("whatsapp", "ID.13491208655302741918", "ID.13491208655302741918"),
        ("email", "Siti@Example.COM", "siti@example.com"),
        ("facebook", " 7045118932177712 ", "7045118932177712"),
    ],
)
def test_contacts_are_normalized_per_kind(kind, value, normalized):
    assert normalize_contact(kind, value) == normalized
