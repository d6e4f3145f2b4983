"""The customer list writes its rows itself (CustomerChangeList.rows); they must be the admin's
own."""

import pytest
from django.urls import reverse

from tests import factories
from tests.console.rows import (
    assert_a_popup_gets_the_admins_rows,
    rows_as_the_admin_writes_them,
)

LIST_URL = reverse("admin:complaints_customer_changelist")


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("params", [{}, {"q": "Pelanggan <b>"}, {"q": "5300"}, {"o": "-3"}])
@pytest.mark.parametrize("persona", ["supervisor_a", "superuser"])
def test_rows_are_what_the_admin_writes(
    world, client, django_user_model, language, params, persona
):
    factories.make_customer(
        world.unit_a, name="Pelanggan <b>Tebal</b> & Co", area_code="GRD-01 <x>"
    )
    factories.make_customer(world.unit_b, name="Pelanggan Biasa", area_code="")
    user = (
        django_user_model.objects.create_superuser("root", "root@example.com", "x")
        if persona == "superuser"
        else getattr(world, persona)
    )
    client.force_login(user)
    client.post(reverse("staff_set_language"), {"language": language, "next": LIST_URL})

    response = client.get(LIST_URL, params)
    ours = rows_as_the_admin_writes_them(response, language)
    shown = response.context["cl"].result_list
    assert len(ours) == (1 if params.get("q") == "Pelanggan <b>" else len(shown))
    assert ours


def test_a_popup_falls_back_to_the_admins_rows(world, client):
    factories.make_customer(world.unit_a)
    client.force_login(world.supervisor_a)
    assert_a_popup_gets_the_admins_rows(client, LIST_URL)
