"""The case list writes its rows itself (CaseChangeList.rows); they must be the admin's own."""

import pytest
from django.urls import reverse

from complaints.models import Case
from complaints.services import case_assign, case_transition
from staff.roles import Actor
from tests import factories
from tests.console.rows import (
    assert_a_popup_gets_the_admins_rows,
    rows_as_the_admin_writes_them,
)

LIST_URL = reverse("admin:complaints_case_changelist")
SYSTEM = Actor.system("test")


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("params", [{}, {"queue": "all"}, {"queue": "all", "q": "Pelanggan <b>"}])
def test_rows_are_what_the_admin_writes(world, client, language, params):
    customer = factories.make_customer(world.unit_a, name="Pelanggan <b>Tebal</b> & Co")
    with_customer = factories.open_case(world.unit_a, customer=customer)
    case_assign(
        actor=SYSTEM,
        case_id=case_transition(actor=SYSTEM, case_id=with_customer.pk, target="verified").pk,
        technician=world.technician_a,
    )
    factories.open_case(world.unit_a)  # no customer, no technician: the empty cells
    Case.objects.filter(pk=with_customer.pk).update(reporter_name="")
    client.force_login(world.supervisor_a)
    client.post(reverse("staff_set_language"), {"language": language, "next": LIST_URL})

    response = client.get(LIST_URL, params)
    ours = rows_as_the_admin_writes_them(response, language)
    assert len(ours) == (1 if "q" in params else 2)


def test_a_popup_falls_back_to_the_admins_rows(world, client):
    factories.open_case(world.unit_a)
    client.force_login(world.supervisor_a)
    assert_a_popup_gets_the_admins_rows(client, LIST_URL)
