"""The customer list writes its rows itself (CustomerChangeList.rows); they must be the admin's
own."""

import pytest
from django.contrib.admin.templatetags.admin_list import results
from django.urls import reverse
from django.utils import translation

from tests import factories

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
    assert response.status_code == 200
    cl = response.context["cl"]
    with translation.override(language):
        ours = [str(row) for row in cl.rows()]
        admins = ["".join(str(item) for item in row) for row in results(cl)]
    assert ours == admins
    assert len(ours) == (1 if params.get("q") == "Pelanggan <b>" else len(cl.result_list))
    assert ours
    html = response.content.decode()
    for row in ours:
        assert f"<tr>{row}</tr>" in html


def test_a_popup_falls_back_to_the_admins_rows(world, client):
    factories.make_customer(world.unit_a)
    client.force_login(world.supervisor_a)
    response = client.get(LIST_URL, {"_popup": "1", "_to_field": "id"})
    assert response.status_code == 200
    assert response.context["cl"].rows() is None
    assert "data-popup-opener" in response.content.decode()
