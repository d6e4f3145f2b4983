"""The console's name search (selectors.search_cases) finds exactly the cases of the plain
query, an OR across the join to the customer, in the list's order, whatever query shape it
uses to get there."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q

from complaints import clock, selectors
from complaints.models import Case, ContactKind
from complaints.selectors import search_cases
from complaints.services import Reporter
from complaints.workflow import OPEN_STATES, CaseStatus
from tests import factories

ORDERS = [("-created_at", "-id"), ("resolution_due_at", "id")]


def reporter(name: str) -> Reporter:
    return Reporter(name=name, contact_kind=ContactKind.PHONE, contact="+6281311112222")


@pytest.fixture
def cases(world) -> list[Case]:
    """Cases of matching and other customers, with and without a matching reporter, without a
    customer, open and closed, in two units, with ties in both orders."""
    matching = [
        factories.make_customer(world.unit_a, name="Wanri Hartono"),
        factories.make_customer(world.unit_b, name="Hj. Siti Wanriani"),
    ]
    others = [
        factories.make_customer(world.unit_a, name="Budi Santoso"),
        factories.make_customer(world.unit_b, name="Joko Susilo"),
    ]
    made = []
    for customer in [*matching, *others]:
        for name in ("Ani", "Pak Wanri", customer.name):
            made.append(factories.open_case(customer=customer, reporter=reporter(name)))
    for unit in (world.unit_a, world.unit_b):
        for name in ("Bu WANRIATI", "Dewi", "wanri"):
            made.append(factories.open_case(unit, reporter=reporter(name)))
    now = clock.now()
    for i, case in enumerate(made):
        Case.objects.filter(pk=case.pk).update(
            # Every third case shares its time with the one before: the id breaks the tie.
            created_at=now - timedelta(hours=i - i % 3),
            resolution_due_at=now + timedelta(hours=i % 4),
            status=CaseStatus.CLOSED if i % 5 == 0 else case.status,
            closed_at=now if i % 5 == 0 else None,
        )
    return made


def plain_search(cases, term: str):
    return cases.filter(Q(customer__name__icontains=term) | Q(reporter_name__icontains=term))


def bases(world):
    everything = Case.objects.all()
    return {
        "all cases": everything,
        "open queue": everything.filter(status__in=sorted(OPEN_STATES)),
        "one unit": everything.filter(service_unit_id=world.unit_a.pk),
        "closed": everything.filter(status=CaseStatus.CLOSED),
    }


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("term", ["wanri", "WANRI", "santo", "ani", "nobody"])
@pytest.mark.parametrize("cap", [selectors.NAME_SEARCH_MAX_CUSTOMERS, 1])
def test_name_search_lists_the_same_cases_in_the_same_order_as_the_plain_query(
    world, cases, monkeypatch, order, term, cap
):
    # cap=1: more customers match than the id list takes, so the subquery shape answers.
    monkeypatch.setattr(selectors, "NAME_SEARCH_MAX_CUSTOMERS", cap)
    for label, base in bases(world).items():
        expected = list(plain_search(base, term).order_by(*order).values_list("pk", flat=True))
        found = list(search_cases(base, term).order_by(*order).values_list("pk", flat=True))
        assert found == expected, (label, term)
        assert search_cases(base, term).count() == len(expected), (label, term)
        # The page and the next one, as the paginator slices them.
        assert list(search_cases(base, term).order_by(*order)[2:5]) == list(
            plain_search(base, term).order_by(*order)[2:5]
        ), (label, term)


def test_name_search_finds_customers_and_reporters_without_a_customer(world, cases):
    found = set(search_cases(Case.objects.all(), "wanri").values_list("pk", flat=True))

    by_customer = {c.pk for c in cases if c.customer and "Wanri" in c.customer.name}
    by_reporter_only = {
        c.pk for c in cases if c.customer is None and "WANRI" in c.reporter_name.upper()
    }
    assert by_customer
    assert by_reporter_only
    assert by_customer | by_reporter_only <= found


def test_name_search_looks_up_the_customers_once(world, cases, django_assert_num_queries):
    # 1 the matching customers' ids; the count and the page then carry them as a constant.
    with django_assert_num_queries(1):
        found = search_cases(Case.objects.all(), "wanri")
    with django_assert_num_queries(2):
        assert found.count() == len(list(found))


def _analyzed_customers(world, names: list[str]) -> None:
    for i, name in enumerate(names):
        factories.make_customer(world.unit_a if i % 2 else world.unit_b, name=name)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_customer")


def test_a_fragment_the_statistics_put_past_the_cap_is_not_counted(
    world, cases, monkeypatch, django_assert_num_queries
):
    # 150 more customers, 120 of them with "Wanri" in the name, analysed: the name statistics
    # now have a histogram, and it puts "wanri" at ~80 % of the customers.
    _analyzed_customers(world, [f"Wanri {i:03d}" if i % 5 else f"Joko {i:03d}" for i in range(150)])
    monkeypatch.setattr(selectors, "NAME_SEARCH_COMMON_ESTIMATE", 50)
    with django_assert_num_queries(1):
        # 122 customers match, well under the cap of 10,000: only the estimate says "common".
        assert selectors._customer_ids_named("wanri") is None
    # Below the estimate's threshold the ids are read and counted as before.
    monkeypatch.setattr(selectors, "NAME_SEARCH_COMMON_ESTIMATE", 10_000)
    ids = selectors._customer_ids_named("wanri")
    assert ids is not None
    assert len(ids.strip("{}").split(",")) == 122
    assert selectors._customer_ids_named("joko") is not None

    # Either way the list is the plain query's.
    monkeypatch.setattr(selectors, "NAME_SEARCH_COMMON_ESTIMATE", 50)
    for label, base in bases(world).items():
        for order in ORDERS:
            expected = list(plain_search(base, "wanri").order_by(*order).values_list("pk"))
            assert list(search_cases(base, "wanri").order_by(*order).values_list("pk")) == (
                expected
            ), label


def test_the_estimate_reads_the_term_as_a_literal_fragment(world, monkeypatch):
    # "%" and "_" in the term are characters, not wildcards, in the estimate as in the search.
    _analyzed_customers(world, [f"Ana {i:03d}" for i in range(150)])
    monkeypatch.setattr(selectors, "NAME_SEARCH_COMMON_ESTIMATE", 50)
    assert selectors._customer_ids_named("an_") == "{}"
    assert selectors._customer_ids_named("a%0") == "{}"
    assert selectors._customer_ids_named("ana") is None
