"""The hazard lane (issue 5) from the channels: a customer who picks an ordinary category but
writes "kabel putus" is handled as a hazard on WhatsApp and on the web form alike."""

import pytest
from django.urls import reverse

from complaints.hazard import SAFETY_TEMPLATE
from complaints.models import Case, CaseEvent, Channel, EventKind, Notification, Priority
from complaints.workflow import CaseStatus
from staff.roles import Role
from tests import factories
from tests.channels_intake.conftest import ID_PELANGGAN
from tests.channels_intake.helpers import WA_CONTACT, WhatsAppCustomer


@pytest.fixture
def boss(world):
    return factories.make_user(Role.SUPERVISOR, units=[world.unit_a], email="boss@pln.test")


def dispatch_scheduled(callbacks) -> bool:
    return any("_schedule_dispatch" in repr(callback) for callback in callbacks)


@pytest.mark.usefixtures("channel_settings")
def test_a_whatsapp_outage_report_about_a_broken_wire_is_an_emergency_at_once(
    client, customer, boss, django_capture_on_commit_callbacks
):
    siti = WhatsAppCustomer(client)
    siti.say("Halo")
    siti.say("1")
    siti.say("1")  # "Listrik padam (rumah)"
    siti.say(ID_PELANGGAN)
    siti.say("Siti Aminah")
    siti.say("Jl. Cikini Raya No. 73, Menteng")
    siti.say("Listrik padam, kabel putus menjuntai ke jalan")
    with django_capture_on_commit_callbacks() as callbacks:
        reply = siti.say("lewati")

    case = Case.objects.get()
    assert (case.channel, case.category.code, case.priority, case.status) == (
        Channel.WHATSAPP,
        "bahaya",
        Priority.EMERGENCY,
        CaseStatus.VERIFIED,
    )
    assert dispatch_scheduled(callbacks)
    assert "PERINGATAN KESELAMATAN" in reply
    safety = Notification.objects.get(case=case, template=SAFETY_TEMPLATE)
    assert (safety.channel, safety.recipient, safety.superseded_by) == (
        Channel.WHATSAPP,
        WA_CONTACT,
        None,
    )
    event = CaseEvent.objects.get(case=case, kind=EventKind.ESCALATED)
    assert event.data == {
        "reason": "hazard",
        "matched": ["kabel putus"],
        "reported_category": "padam-rumah",
    }
    assert list(
        Notification.objects.filter(template="staff_hazard").values_list("recipient", flat=True)
    ) == ["boss@pln.test"]


@pytest.mark.django_db
def test_a_web_form_report_naming_sparks_is_an_emergency(
    client, world, boss, django_capture_on_commit_callbacks
):
    factories.make_customer(world.unit_a, id_pelanggan="530012345678", name="Budi Santoso")
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("public:lapor"),
            {
                "category": "tegangan",
                "id_pelanggan": "5300 1234 5678",
                "name": "Budi Santoso",
                "address": "Jl. Kenanga No. 12, Jakarta Pusat",
                "phone": "0812-3456-7890",
                "email": "",
                "description": "Lampu berkedip lalu ada percikan api di meteran.",
                "submission_id": "0123456789abcdef0123456789abcdef",
                "website": "",
            },
        )

    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.category.code, case.priority, case.status) == (
        "bahaya",
        Priority.EMERGENCY,
        CaseStatus.VERIFIED,
    )
    assert dispatch_scheduled(callbacks)
    safety = Notification.objects.get(case=case, template=SAFETY_TEMPLATE)
    assert (safety.channel, safety.recipient) == ("sms", "+6281234567890")
    assert Notification.objects.filter(template="staff_hazard").count() == 1


@pytest.mark.django_db
def test_a_web_form_report_without_hazard_words_is_not_one(client, world, boss):
    factories.make_customer(world.unit_a, id_pelanggan="530012345678", name="Budi Santoso")
    client.post(
        reverse("public:lapor"),
        {
            "category": "tegangan",
            "id_pelanggan": "5300 1234 5678",
            "name": "Budi Santoso",
            "address": "Jl. Kenanga No. 12, Jakarta Pusat",
            "phone": "0812-3456-7890",
            "description": "Lampu berkedip tiap malam.",
            "submission_id": "0123456789abcdef0123456789abcdef",
            "website": "",
        },
    )

    case = Case.objects.get()
    assert (case.category.code, case.priority, case.status) == (
        "tegangan",
        Priority.NORMAL,
        CaseStatus.RECEIVED,
    )
    assert not Notification.objects.filter(template__in=[SAFETY_TEMPLATE, "staff_hazard"]).exists()
