"""The agent logs a phone complaint while the caller waits."""

from django.urls import reverse

from complaints.models import Case, CaseEvent, Channel, ContactKind, EventKind
from complaints.workflow import CaseStatus
from tests import factories

PHONE_URL = reverse("admin:complaints_case_phone")
SEARCH_URL = reverse("admin:complaints_case_phone_customers")


def phone_post(client, **fields):
    data = {
        "category": factories.category("padam-rumah").pk,
        "description": "Listrik mati sejak jam 7 pagi",
        "location_text": "",
        "reporter_name": "",
        "caller_phone": "",
        "call_id": "",
    }
    data.update(fields)
    return client.post(PHONE_URL, data)


def test_agent_finds_customers_by_number_prefix_phone_and_name(world, client):
    customer = factories.make_customer(world.unit_a, name="Siti Rahmawati")
    factories.add_contact(customer, ContactKind.PHONE, "+6281311112222")
    factories.make_customer(world.unit_b, name="Siti Bali")  # another unit: never offered
    client.force_login(world.agent_a)

    def found(query: str) -> list[int]:
        response = client.get(SEARCH_URL, {"q": query})
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert found(customer.id_pelanggan[:6]) == [customer.pk]
    assert found(customer.meter_number[:7]) == [customer.pk]
    assert found("0813-1111-2222") == [customer.pk]
    assert found("rahmawati") == [customer.pk]
    assert found("siti") == [customer.pk]
    assert found("si") == []


def test_a_number_prefix_finds_exactly_the_numbers_that_start_with_it(world, client):
    # The prefix is also a range of the column's order (selectors._number_prefix): its bounds
    # must neither drop a number at the edge of the range nor let a neighbour in.
    numbers = ["519999000001", "519999999999", "520000000000", "599999999990", "999999999999"]
    for number in numbers:
        factories.make_customer(world.unit_a, id_pelanggan=number)
    client.force_login(world.agent_a)

    def found(query: str) -> set[str]:
        response = client.get(SEARCH_URL, {"q": query})
        assert response.status_code == 200
        return {row["id_pelanggan"] for row in response.json()["results"]}

    assert found("5199") == {"519999000001", "519999999999"}
    assert found("519999") == {"519999000001", "519999999999"}
    assert found("5200") == {"520000000000"}
    assert found("59999") == {"599999999990"}
    assert found("9999") == {"999999999999"}
    assert found("99999999999") == {"999999999999"}
    assert found("5199 9999") == {"519999999999"}


def test_picking_a_customer_shows_their_open_cases(world, client):
    customer = factories.make_customer(world.unit_a)
    case = factories.open_case(customer=customer)
    client.force_login(world.agent_a)

    response = client.get(reverse("admin:complaints_case_phone_customer", args=[customer.pk]))

    body = response.json()
    assert [row["ticket"] for row in body["open_cases"]] == [case.ticket]
    assert body["outages"] == []


def test_agent_logs_a_phone_complaint_and_reads_back_the_ticket(world, client):
    customer = factories.make_customer(world.unit_a)
    client.force_login(world.agent_a)

    response = phone_post(
        client, customer=customer.pk, caller_phone="0812 3456 7890", call_id="CTI-77"
    )

    case = Case.objects.get(customer=customer)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:complaints_case_phone_done", args=[case.pk])
    assert case.channel == Channel.CALL_CENTER
    assert case.status == CaseStatus.RECEIVED
    assert case.assigned_agent == world.agent_a
    assert (case.reporter_contact_kind, case.reporter_contact) == ("phone", "+6281234567890")
    assert case.reporter_name == customer.name
    notes = CaseEvent.objects.filter(case=case, kind=EventKind.NOTE)
    assert [event.note for event in notes] == ["ID panggilan: CTI-77"]
    done = client.get(response["Location"])
    assert case.ticket in done.content.decode()


def test_a_passer_by_reports_a_fallen_pole_without_being_a_customer(world, client):
    client.force_login(world.agent_a)

    missing_unit = phone_post(client, category=factories.category("bahaya").pk)
    assert missing_unit.status_code == 200
    assert "Pilih unit layanan" in missing_unit.content.decode()
    assert not Case.objects.exists()

    response = phone_post(
        client,
        category=factories.category("bahaya").pk,
        service_unit=world.unit_a.pk,
        description="Tiang listrik roboh menimpa pagar",
        location_text="Jl. Cikini Raya depan no. 12",
        reporter_name="Pak Joko",
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert case.customer is None
    assert case.priority == 1
    assert case.service_unit == world.unit_a


def test_invalid_caller_phone_is_a_form_error(world, client):
    client.force_login(world.agent_a)

    response = phone_post(client, service_unit=world.unit_a.pk, caller_phone="12")

    assert response.status_code == 200
    assert "Nomor telepon tidak valid" in response.content.decode()
    assert not Case.objects.exists()


def test_a_second_call_about_the_same_problem_offers_a_note_instead(world, client):
    customer = factories.make_customer(world.unit_a)
    existing = factories.open_case(customer=customer)
    client.force_login(world.agent_a)

    offered = phone_post(client, customer=customer.pk, description="Masih padam")

    assert offered.status_code == 200
    assert "duplicate-offer" in offered.content.decode()
    assert Case.objects.count() == 1

    noted = client.post(
        reverse("admin:complaints_case_act", args=[existing.pk]),
        {"action": "duplicate_note", "version": existing.version, "note": "Masih padam"},
    )
    assert noted.status_code == 302
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(case=existing, kind=EventKind.NOTE).get().note == (
        "Pelanggan menelepon lagi: Masih padam"
    )

    anyway = phone_post(client, customer=customer.pk, description="Lain lagi", open_anyway="on")
    assert anyway.status_code == 302
    assert Case.objects.count() == 2


def test_cti_prefills_the_caller_number(world, client):
    client.force_login(world.agent_a)

    response = client.get(PHONE_URL, {"caller": "081234567890", "call_id": "CALL-1"})

    assert response.status_code == 200
    assert 'value="081234567890"' in response.content.decode()


def test_manager_and_technician_cannot_log_complaints(world, client):
    client.force_login(world.manager)
    assert client.get(PHONE_URL).status_code == 403
    assert client.get(SEARCH_URL, {"q": "siti"}).status_code == 403
    client.force_login(world.technician_a.user)
    # Technicians are not staff users: the admin sends them to its login page.
    assert client.get(PHONE_URL).status_code == 302
