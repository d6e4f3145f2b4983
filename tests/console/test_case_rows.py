"""The case list writes its rows itself (CaseChangeList.rows); they must be the admin's own."""

import pytest
from django.contrib.admin.templatetags.admin_list import results
from django.urls import reverse
from django.utils import translation

from complaints.models import Case
from complaints.services import case_assign, case_transition
from staff.roles import Actor
from tests import factories

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
    assert response.status_code == 200
    cl = response.context["cl"]
    with translation.override(language):
        ours = [str(row) for row in cl.rows()]
        admins = ["".join(str(item) for item in row) for row in results(cl)]
    assert len(ours) == (1 if "q" in params else 2)
    assert ours == admins
    html = response.content.decode()
    for row in ours:
        assert f"<tr>{row}</tr>" in html


def test_a_popup_falls_back_to_the_admins_rows(world, client):
    factories.open_case(world.unit_a)
    client.force_login(world.supervisor_a)
    response = client.get(LIST_URL, {"_popup": "1", "_to_field": "id"})
    assert response.status_code == 200
    assert response.context["cl"].rows() is None
    assert "data-popup-opener" in response.content.decode()
