"""Working a case on its console page: only allowed buttons, stale pages refused, every
change through the services and on the timeline."""

import re

from django.urls import reverse

from complaints.models import Case, CaseEvent, EventKind, Notification
from complaints.workflow import CaseStatus
from tests import factories


def page(client, case):
    return client.get(reverse("admin:complaints_case_change", args=[case.pk]))


def act(client, case, **data):
    return client.post(reverse("admin:complaints_case_act", args=[case.pk]), data, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_case_page_shows_header_contacts_and_timeline_newest_first(world, client):
    customer = factories.make_customer(world.unit_a, name="Dewi Lestari")
    case = factories.open_case(customer=customer)
    client.force_login(world.agent_a)
    act(client, case, action="note", version=case.version, note="Pelanggan ditelepon balik")

    response = page(client, case)

    html = response.content.decode()
    assert response.status_code == 200
    assert case.ticket in html
    assert "Dewi Lestari" in html
    assert "+6281234567890" in html
    assert "WIB" in html
    timeline = [event.kind for event in response.context["timeline"]]
    assert timeline == [EventKind.NOTE, EventKind.CREATED]


def test_agent_sees_only_the_transitions_of_their_role(world, client):
    case = factories.open_case(world.unit_a)
    client.force_login(world.agent_a)

    offered = {item["transition"].target for item in page(client, case).context["transitions"]}

    assert offered == {
        CaseStatus.VERIFIED,
        CaseStatus.WAITING_CUSTOMER,
        CaseStatus.REJECTED,
        CaseStatus.MERGED,
    }


def test_a_transition_asks_for_its_required_fields(world, client):
    case = factories.open_case(world.unit_a)
    client.force_login(world.agent_a)

    refused = act(client, case, action="transition", target="rejected", version=case.version)
    assert messages_of(refused) == ["Perubahan ini memerlukan isian: reason."]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECEIVED

    done = act(
        client,
        case,
        action="transition",
        target="rejected",
        version=case.version,
        reason="Bukan wilayah PLN",
    )
    assert messages_of(done) == ["Status diubah."]
    event = CaseEvent.objects.filter(case=case, kind=EventKind.STATUS_CHANGED).get()
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        "received",
        "rejected",
        "Bukan wilayah PLN",
        world.agent_a,
    )


def test_an_edit_made_on_a_stale_page_is_refused(world, client):
    case = factories.open_case(world.unit_a)
    client.force_login(world.agent_a)
    stale_version = case.version
    act(client, case, action="note", version=stale_version, note="pertama")

    response = act(client, case, action="transition", target="verified", version=stale_version)

    assert len(messages_of(response)) == 1
    assert "telah diubah orang lain" in messages_of(response)[0]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECEIVED


def test_message_to_customer_goes_to_the_outbox_internal_note_does_not(world, client):
    case = factories.open_case(world.unit_a)
    client.force_login(world.agent_a)
    before = Notification.objects.filter(case=case).count()

    act(client, case, action="note", version=case.version, note="Hanya untuk staf")
    case.refresh_from_db()
    act(
        client,
        case,
        action="note",
        version=case.version,
        note="Petugas segera datang",
        to_customer="on",
    )

    kinds = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.NOTE, EventKind.MESSAGE]
    assert Notification.objects.filter(case=case).count() == before + 1


def test_supervisor_assigns_a_technician_of_the_unit_with_the_skill(world, client):
    case = factories.open_case(world.unit_a)
    client.force_login(world.supervisor_a)
    act(client, case, action="transition", target="verified", version=case.version)
    case.refresh_from_db()
    other_unit_technician = factories.make_technician(world.unit_b)
    billing_only = factories.make_technician(world.unit_a, skills=("billing",))

    listed = client.get(reverse("admin:complaints_case_technicians", args=[case.pk])).json()
    assert [row["id"] for row in listed["results"]] == [world.technician_a.pk]

    for wrong in (other_unit_technician, billing_only):
        refused = act(client, case, action="assign", version=case.version, technician=wrong.pk)
        assert "tidak melayani" in messages_of(refused)[0]
    done = act(
        client, case, action="assign", version=case.version, technician=world.technician_a.pk
    )

    case.refresh_from_db()
    assert messages_of(done) == [f"Teknisi {world.technician_a} ditugaskan."]
    assert (case.status, case.technician) == (CaseStatus.ASSIGNED, world.technician_a)
    timeline = page(client, case).context["timeline"]
    assert timeline[0].to_status == CaseStatus.ASSIGNED


def test_merge_into_another_case_by_ticket(world, client):
    first = factories.open_case(world.unit_a)
    duplicate = factories.open_case(world.unit_a)
    foreign = factories.open_case(world.unit_b)
    client.force_login(world.agent_a)

    refused = act(
        client, duplicate, action="merge", version=duplicate.version, ticket=foreign.ticket
    )
    assert "Nomor tiket tidak ditemukan" in messages_of(refused)[0]

    act(
        client,
        duplicate,
        action="merge",
        version=duplicate.version,
        ticket=first.ticket.lower().replace("-", " "),
    )

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (CaseStatus.MERGED, first)
    assert CaseEvent.objects.filter(case=first, kind=EventKind.MERGED_IN).count() == 1


def test_times_are_shown_in_the_units_timezone(world, client):
    case = factories.open_case(world.unit_b)  # Bali: WITA
    client.force_login(world.agent_b)

    html = page(client, case).content.decode()

    local = case.created_at.astimezone(world.unit_b.tz).strftime("%H:%M")
    assert re.search(rf"{local} WITA", html)


def test_manager_reads_every_case_but_cannot_act(world, client):
    case = factories.open_case(world.unit_b)
    client.force_login(world.manager)

    response = page(client, case)
    assert response.status_code == 200
    assert response.context["transitions"] == []
    assert 'id="case-actions"' not in response.content.decode()
    refused = client.post(
        reverse("admin:complaints_case_act", args=[case.pk]),
        {"action": "transition", "target": "verified", "version": case.version},
    )
    assert refused.status_code == 403
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RECEIVED
