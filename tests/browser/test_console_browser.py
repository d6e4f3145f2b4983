"""An agent logs a phone complaint in a real browser; a supervisor assigns a technician."""

import re

import pytest

from complaints.models import Case, EventKind
from complaints.workflow import CaseStatus
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-test-aduan"


def login(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def test_agent_logs_a_phone_complaint_and_supervisor_assigns_a_technician(
    world, live_server, page, eager_tasks
):
    customer = factories.make_customer(world.unit_a, name="Rina Kusuma")
    # Off shift: automatic dispatch finds nobody, so the supervisor assigns by hand.
    world.technician_a.on_shift = False
    world.technician_a.save()

    login(page, live_server, world.agent_a.username)
    page.click("#nav-phone")
    page.fill("#customer-query", customer.id_pelanggan[:8])
    page.click(f"#customer-results li[data-id='{customer.pk}']")
    page.wait_for_selector("#customer-picked:not([hidden])")
    page.select_option("#id_category", label="Listrik padam (rumah)")
    page.fill("#id_description", "Listrik padam sejak subuh, tetangga juga")
    page.fill("#id_caller_phone", "0812-3456-7890")
    page.click("#save-complaint")

    ticket = page.text_content("#ticket-number").strip()
    assert re.fullmatch(r"ADU-[0-9A-Z]{4}-[0-9A-Z]{4}", ticket)
    case = Case.objects.get(ticket=ticket)
    assert (case.customer, case.channel) == (customer, "call_center")

    login(page, live_server, world.supervisor_a.username)
    page.goto(f"{live_server.url}/admin/complaints/case/?q={ticket}")
    page.click(f"text={ticket}")
    page.click("summary:has-text('Diverifikasi')")
    page.click("input[value='Ubah ke: Diverifikasi']")
    page.wait_for_selector("#case-status:has-text('Diverifikasi')")
    page.click("#assign-technician summary")
    page.wait_for_selector(f"#technician-select option[value='{world.technician_a.pk}']")
    page.select_option("#technician-select", str(world.technician_a.pk))
    page.click("#assign-technician input[type=submit]")

    page.wait_for_selector("#case-status:has-text('Ditugaskan')")
    first_event = page.locator("#case-timeline li").first
    assert "Ditugaskan" in first_event.inner_text()
    case.refresh_from_db()
    assert (case.status, case.technician) == (CaseStatus.ASSIGNED, world.technician_a)
    assert case.events.filter(kind=EventKind.ESCALATED).count() == 1
