"""The console's name search (selectors.search_cases) finds exactly the cases of the plain
query, an OR across the join to the customer, in the list's order, whatever query shape it
uses to get there."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q

from complaints import clock
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
@pytest.mark.parametrize("term", ["wanri", "WANRI", "santo", "ani", "nobody", "an_", "a%i"])
def test_name_search_lists_the_same_cases_in_the_same_order_as_the_plain_query(
    world, cases, order, term
):
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


def test_a_fragment_does_not_match_across_the_two_names(world):
    # The column is "CUSTOMER\nREPORTER": a fragment spanning the end of one name and the
    # start of the other is in neither.
    customer = factories.make_customer(world.unit_a, name="Wanri Hartono")
    case = factories.open_case(customer=customer, reporter=reporter("Pak Budi"))
    assert search_cases(Case.objects.all(), "hartono").get() == case
    assert not search_cases(Case.objects.all(), "tono pak").exists()
    assert not search_cases(Case.objects.all(), "tono\npak").exists()


def test_name_search_is_one_query_for_the_page(world, cases, django_assert_num_queries):
    with django_assert_num_queries(0):
        found = search_cases(Case.objects.all(), "wanri")
    with django_assert_num_queries(1):
        assert list(found.order_by("-created_at", "-id")[:25])


def search_name(case: Case) -> str:
    return Case.objects.values_list("search_name", flat=True).get(pk=case.pk)


def test_the_database_keeps_the_names_of_every_case_written_however_it_is_written(world):
    customer = factories.make_customer(world.unit_a, name="Siti Wanriani")
    other = factories.make_customer(world.unit_a, name="Joko Susilo")
    # Through the services (case_open), the ORM, and a bulk insert.
    opened = factories.open_case(customer=customer, reporter=reporter("Bu Ani"))
    assert search_name(opened) == "SITI WANRIANI\nBU ANI"
    passer_by = factories.open_case(world.unit_a, reporter=reporter("Dewi"))
    assert search_name(passer_by) == "DEWI"
    copied = Case.objects.get(pk=opened.pk)
    copied.pk, copied.ticket, copied.reporter_name = None, "ADU-TEST-0001", ""
    copied.save()
    assert search_name(copied) == "SITI WANRIANI"
    assert copied.search_name == "SITI WANRIANI"  # read back on insert (db_default)
    # A case's customer or reporter changed, by save() or by update().
    copied.customer = other
    copied.save()
    assert search_name(copied) == "JOKO SUSILO"
    Case.objects.filter(pk=copied.pk).update(reporter_name="Pak Joko", customer=None)
    assert search_name(copied) == "PAK JOKO"
    # A save that writes a stale value of the column does not keep it.
    stale = Case.objects.get(pk=opened.pk)
    stale.search_name = "SOMETHING ELSE"
    stale.save()
    assert search_name(opened) == "SITI WANRIANI\nBU ANI"
    # A customer renamed: every case of theirs follows, and the search finds the new name.
    customer.name = "Siti Rahayu"
    customer.save()
    assert search_name(opened) == "SITI RAHAYU\nBU ANI"
    assert search_cases(Case.objects.all(), "rahayu").get() == opened
    assert not search_cases(Case.objects.all(), "wanriani").exists()
    assert search_name(passer_by) == "DEWI"


def test_the_names_are_kept_in_a_session_that_skips_ordinary_triggers(world):
    # The bench loader copies cases with session_replication_role = replica (no foreign key
    # triggers); the names' triggers are enabled ALWAYS, so they fire there too.
    customer = factories.make_customer(world.unit_a, name="Wanri Hartono")
    case = factories.open_case(customer=customer, reporter=reporter("Pak Budi"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE complaints_customer SET name = 'Wanri Santoso' WHERE id = %s", [customer.pk]
        )
        cursor.execute("RESET session_replication_role")
    assert search_name(case) == "WANRI SANTOSO\nPAK BUDI"
