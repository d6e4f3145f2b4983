"""A name search in the case list pages by look-ahead: no count of its matches, the page read
one row longer, the page links ending at the next page (complaints.paginators)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import paginators
from complaints.admin import CaseAdmin
from complaints.models import Case
from tests import factories

LIST_URL = reverse("admin:complaints_case_changelist")


@pytest.fixture
def sumarni_cases(world):
    """Seven cases of customers named Sumarni, and two of other customers."""
    cases = [
        factories.open_case(
            world.unit_a, customer=factories.make_customer(world.unit_a, name=f"Sumarni {n}")
        )
        for n in range(7)
    ]
    for n in range(2):
        factories.open_case(
            world.unit_a, customer=factories.make_customer(world.unit_a, name=f"Joko {n}")
        )
    return cases


def _page(client, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST_URL, params)
    return response, len(captured)


def _tickets(response) -> list[str]:
    return [case.ticket for case in response.context["cl"].result_list]


def _page_links(response) -> list[str]:
    paginator_html = re.search(
        r'<p class="paginator">(.*?)</p>', response.content.decode(), re.S
    ).group(1)
    return re.findall(r">\s*(\d+)\s*</(?:a|span)>", paginator_html)


def test_pages_of_a_name_search_are_the_plain_search_in_the_same_order(
    world, client, sumarni_cases, monkeypatch
):
    monkeypatch.setattr(CaseAdmin, "list_per_page", 3)
    client.force_login(world.agent_a)
    client.get(LIST_URL)  # fills the cached unit tree and categories
    expected = [
        case.ticket
        for case in Case.objects.filter(customer__name__startswith="Sumarni").order_by(
            "resolution_due_at", "id"
        )
    ]

    first, queries = _page(client, q="sumarni")
    # session, user, the page with one row more; no count.
    assert queries == 3
    assert _tickets(first) == expected[:3]
    assert "lebih dari 3 pengaduan" in first.content.decode()
    assert _page_links(first) == ["1", "2"]  # the pages it knows of: this one and the next

    second, _ = _page(client, q="sumarni", p=2)
    assert _tickets(second) == expected[3:6]
    assert _page_links(second) == ["1", "2", "3"]
    assert "lebih dari 6 pengaduan" in second.content.decode()

    last, _ = _page(client, q="sumarni", p=3)
    assert _tickets(last) == expected[6:]
    assert "7 pengaduan" in last.content.decode()
    assert "lebih dari" not in last.content.decode()

    # A page past the end is refused as the admin refuses any page beyond the list.
    beyond = client.get(LIST_URL, {"q": "sumarni", "p": 4})
    assert beyond.status_code == 302
    assert beyond.url.endswith("?e=1")


def test_show_all_does_not_read_every_match_of_a_name(world, client, sumarni_cases, monkeypatch):
    monkeypatch.setattr(CaseAdmin, "list_per_page", 3)
    client.force_login(world.agent_a)
    response, _ = _page(client, q="sumarni", all="")
    assert len(_tickets(response)) == 3
    assert 'class="showall"' not in response.content.decode()
    # "Select all" names no number it does not know.
    assert "Pilih semua pengaduan yang cocok" in response.content.decode()


def test_a_name_search_that_fits_one_page_is_read_once(world, client, sumarni_cases):
    client.force_login(world.agent_a)
    client.get(LIST_URL)
    response, queries = _page(client, q="sumarni")
    assert queries == 3  # the look-ahead's rows are the page; no second read without a limit
    assert len(_tickets(response)) == 7
    assert "7 pengaduan" in response.content.decode()

    nothing, queries = _page(client, q="tidakada")
    assert queries == 3
    assert _tickets(nothing) == []


def test_a_name_search_stays_inside_the_users_units(world, client, sumarni_cases):
    factories.open_case(
        world.unit_b, customer=factories.make_customer(world.unit_b, name="Sumarni Lain")
    )
    client.force_login(world.agent_a)
    response, _ = _page(client, q="sumarni", queue="all")
    assert sorted(_tickets(response)) == sorted(case.ticket for case in sumarni_cases)


def test_a_capped_count_says_more_than(world, client, sumarni_cases, monkeypatch):
    monkeypatch.setattr(paginators, "CAPPED_COUNT", 4)
    monkeypatch.setattr(CaseAdmin, "list_per_page", 3)
    client.force_login(world.agent_a)
    response = client.get(LIST_URL, {"queue": "all"})
    assert "lebih dari 4 pengaduan" in response.content.decode()
    assert _page_links(response) == ["1", "2"]


CUSTOMER_LIST_URL = reverse("admin:complaints_customer_changelist")


def test_the_customer_list_pages_a_name_search_by_look_ahead(world, client, monkeypatch):
    from complaints.admin import CustomerAdmin

    for n in range(4):
        factories.make_customer(world.unit_a, name=f"Rahmawati Siti {n}")
    factories.make_customer(world.unit_a, name="Siti Nurhaliza")
    monkeypatch.setattr(CustomerAdmin, "list_per_page", 3)
    client.force_login(world.supervisor_a)
    client.get(CUSTOMER_LIST_URL)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(CUSTOMER_LIST_URL, {"q": "rahmawati"})
    # session, user, the page with one row more: no count of the matches.
    assert len(captured) == 3
    assert len(response.context["cl"].result_list) == 3
    assert "lebih dari 3" in response.content.decode()

    # Every word must match, in any order, as in the admin's own search.
    both = client.get(CUSTOMER_LIST_URL, {"q": "siti rahma"})
    assert len(both.context["cl"].result_list) == 3
    assert {c.name for c in both.context["cl"].result_list} <= {
        f"Rahmawati Siti {n}" for n in range(4)
    }
    # Numbers still search the numbers, with an exact count.
    by_number = client.get(CUSTOMER_LIST_URL, {"q": "5300"})
    assert by_number.context["cl"].paginator.count_kind == "exact"
    assert by_number.context["cl"].result_list
    assert all(c.id_pelanggan.startswith("5300") for c in by_number.context["cl"].result_list)
