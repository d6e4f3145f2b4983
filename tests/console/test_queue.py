"""The case queue: filters, search, default order, bulk actions, unit scoping, and a number of
queries that does not grow with the table."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import clock
from complaints.models import Case, ContactKind, Priority
from complaints.services import Reporter, case_assign, case_transition
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests import factories

LIST_URL = reverse("admin:complaints_case_changelist")
SYSTEM = Actor.system("test")


def listed(client, **params) -> list[str]:
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return [case.ticket for case in response.context["cl"].result_list]


def test_open_cases_are_listed_by_resolution_due_time_by_default(world, client):
    billing = factories.open_case(world.unit_a, category_code="tagihan")  # due in days
    hazard = factories.open_case(world.unit_a, category_code="bahaya")  # due in an hour
    outage = factories.open_case(world.unit_a)
    closed = factories.open_case(world.unit_a)
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED, closed_at=clock.now())
    client.force_login(world.agent_a)

    assert listed(client) == [hazard.ticket, outage.ticket, billing.ticket]
    assert closed.ticket in listed(client, queue="all")
    assert listed(client, queue="closed") == [closed.ticket]


def test_filters_by_channel_category_priority_and_unit(world, client):
    web = factories.open_case(world.unit_a, channel="web", category_code="tagihan")
    wa = factories.open_case(world.unit_a, channel="whatsapp")
    region_member = factories.make_user(
        factories.Role.SUPERVISOR, units=[world.unit_a.parent.parent]
    )
    client.force_login(region_member)

    assert listed(client, channel__exact="web") == [web.ticket]
    assert listed(client, category__id__exact=wa.category_id) == [wa.ticket]
    assert listed(client, priority__exact=Priority.LOW) == [web.ticket]
    assert set(listed(client, unit=world.unit_a.parent.pk)) == {web.ticket, wa.ticket}
    assert listed(client, unit=world.unit_b.pk) == []


def test_sla_filter_separates_on_track_at_risk_and_breached(world, client):
    on_track = factories.open_case(world.unit_a)
    at_risk = factories.open_case(world.unit_a)
    breached = factories.open_case(world.unit_a)
    now = clock.now()
    Case.objects.filter(pk=at_risk.pk).update(
        created_at=now - timedelta(minutes=90), resolution_due_at=now + timedelta(minutes=10)
    )
    Case.objects.filter(pk=breached.pk).update(resolution_due_at=now - timedelta(minutes=1))
    client.force_login(world.agent_a)

    assert listed(client, sla="on_track") == [on_track.ticket]
    assert listed(client, sla="at_risk") == [at_risk.ticket]
    assert listed(client, sla="breached") == [breached.ticket]


def test_assigned_to_me_and_unassigned(world, client):
    mine = factories.open_case(world.unit_a, actor=Actor.staff(world.agent_a))
    nobody = factories.open_case(world.unit_a)
    client.force_login(world.agent_a)

    assert listed(client, owner="me") == [mine.ticket]
    assert listed(client, owner="none") == [nobody.ticket]


@pytest.mark.parametrize("how", ["ticket", "id_pelanggan", "meter", "phone", "name", "prefix"])
def test_search_finds_a_case_by_what_the_caller_says(world, client, how):
    customer = factories.make_customer(world.unit_a, name="Bambang Hartono")
    factories.add_contact(customer, ContactKind.PHONE, "+6281399998888")
    case = factories.open_case(
        customer=customer,
        reporter=Reporter(name="Bambang", contact_kind=ContactKind.PHONE, contact="+6281399998888"),
    )
    factories.open_case(world.unit_a)  # noise
    terms = {
        "ticket": case.ticket.lower(),
        "id_pelanggan": customer.id_pelanggan,
        "meter": customer.meter_number,
        "phone": "0813-9999-8888",
        "name": "hartono",
        "prefix": customer.id_pelanggan[:7],
    }
    client.force_login(world.agent_a)

    assert listed(client, q=terms[how]) == [case.ticket]


def test_agent_cannot_see_other_units_cases_by_list_search_url_or_action(world, client):
    theirs = factories.open_case(world.unit_b)
    client.force_login(world.agent_a)

    assert listed(client, queue="all") == []
    assert listed(client, q=theirs.ticket) == []
    assert client.get(reverse("admin:complaints_case_change", args=[theirs.pk])).status_code == 404
    acted = client.post(
        reverse("admin:complaints_case_act", args=[theirs.pk]),
        {"action": "transition", "target": "verified", "version": theirs.version},
    )
    assert acted.status_code == 404
    assert (
        client.get(reverse("admin:complaints_case_technicians", args=[theirs.pk])).status_code
        == 404
    )
    bulk = client.post(
        LIST_URL,
        {
            "action": "bulk_priority",
            "_selected_action": [theirs.pk],
            "apply": "1",
            "priority": Priority.EMERGENCY,
        },
    )
    assert bulk.status_code == 302
    assert Case.objects.get(pk=theirs.pk).priority != Priority.EMERGENCY
    assert Case.objects.get(pk=theirs.pk).version == theirs.version


def test_bulk_priority_goes_through_the_service_and_reports_each_case(world, client):
    first = factories.open_case(world.unit_a)
    second = factories.open_case(world.unit_a)
    client.force_login(world.agent_a)

    asked = client.post(
        LIST_URL, {"action": "bulk_priority", "_selected_action": [first.pk, second.pk]}
    )
    assert asked.status_code == 200
    assert "Terapkan" in asked.content.decode()
    done = client.post(
        LIST_URL,
        {
            "action": "bulk_priority",
            "_selected_action": [first.pk, second.pk],
            "apply": "1",
            "priority": Priority.EMERGENCY,
        },
        follow=True,
    )

    reported = sorted(str(m) for m in done.context["messages"])
    assert reported == sorted(
        [f"{first.ticket}: prioritas Darurat", f"{second.ticket}: prioritas Darurat"]
    )
    assert set(Case.objects.values_list("priority", flat=True)) == {Priority.EMERGENCY}
    assert set(Case.objects.values_list("version", flat=True)) == {first.version + 1}


def test_bulk_assign_reports_the_cases_it_could_not_assign(world, client):
    verified = factories.open_case(world.unit_a)
    case_transition(actor=SYSTEM, case_id=verified.pk, target="verified")
    closed_desk = factories.open_case(world.unit_a, category_code="tagihan")
    Case.objects.filter(pk=closed_desk.pk).update(status=CaseStatus.CLOSED, closed_at=clock.now())
    client.force_login(world.supervisor_a)

    done = client.post(
        LIST_URL + "?queue=all",
        {
            "action": "bulk_assign",
            "_selected_action": [verified.pk, closed_desk.pk],
            "apply": "1",
            "technician": world.technician_a.pk,
        },
        follow=True,
    )

    reported = dict(str(m).split(": ", 1) for m in done.context["messages"])
    assert set(reported) == {closed_desk.ticket, verified.ticket}
    assert "tidak dapat dipindah" in reported[closed_desk.ticket]
    assert reported[verified.ticket] == f"ditugaskan ke {world.technician_a}"


def test_bulk_merge_folds_duplicates_into_the_oldest(world, client):
    oldest = factories.open_case(world.unit_a)
    duplicates = [factories.open_case(world.unit_a) for _ in range(2)]
    client.force_login(world.agent_a)

    client.post(
        LIST_URL,
        {
            "action": "bulk_merge",
            "_selected_action": [oldest.pk, *(d.pk for d in duplicates)],
            "apply": "1",
            "target": oldest.pk,
        },
    )

    for duplicate in duplicates:
        duplicate.refresh_from_db()
        assert (duplicate.status, duplicate.merged_into_id) == (CaseStatus.MERGED, oldest.pk)
    assert Case.objects.get(pk=oldest.pk).status == CaseStatus.RECEIVED


def _count_queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_queue_page_queries_do_not_grow_with_the_number_of_cases(world, client):
    technician = world.technician_a
    for _ in range(3):
        case = factories.open_case(world.unit_a, customer=factories.make_customer(world.unit_a))
        case_transition(actor=SYSTEM, case_id=case.pk, target="verified")
    client.force_login(world.supervisor_a)
    _count_queries(client, LIST_URL)  # reads the unit tree and categories into the cache
    small = _count_queries(client, LIST_URL)

    technician.capacity = 50
    technician.save()
    for _ in range(25):
        case = factories.open_case(world.unit_a, customer=factories.make_customer(world.unit_a))
        case_assign(
            actor=SYSTEM,
            case_id=case_transition(actor=SYSTEM, case_id=case.pk, target="verified").pk,
            technician=technician,
        )
    _count_queries(client, LIST_URL)  # the cached categories were dropped by the seeding

    # 1 session, 2 the user with their roles, units, permissions and language
    # (staff.backends), 3 the capped count, 4 the page with category, unit, technician and
    # customer joined. Filter choices come from the cache.
    assert small == 4
    assert _count_queries(client, LIST_URL) == 4
    # Searches by phone or number prefix and filters do not add any.
    for params in (
        {"q": "0813-9999-8888"},
        {"q": "1234"},
        {"unit": world.unit_a.pk, "owner": "me", "sla": "at_risk"},
        {"channel__exact": "web", "priority__exact": 1},
        {"queue": "all", "category__id__exact": case.category_id},
    ):
        assert _count_queries(client, LIST_URL, params) == 4, params
    # A name search is not counted: the page, one row longer, is the count
    # (paginators.LookAheadPaginator), and the names are the case's own column.
    assert _count_queries(client, LIST_URL, {"q": "Pelanggan"}) == 3


def test_agent_queue_page_takes_four_queries(world, client):
    for _ in range(3):
        factories.open_case(world.unit_a, customer=factories.make_customer(world.unit_a))
    client.force_login(world.agent_a)
    _count_queries(client, LIST_URL)  # fills the cached unit tree and categories

    # The same four as a supervisor's: the agent's permissions, roles and units come with
    # the user (staff.backends), not as queries of their own.
    assert _count_queries(client, LIST_URL) == 4
    # A name search: no count.
    assert _count_queries(client, LIST_URL, {"queue": "all", "q": "Pelanggan"}) == 3


def test_pages_are_chosen_by_id_in_the_same_order_in_one_query(world, client, monkeypatch):
    from complaints.admin import CaseAdmin

    cases = [factories.open_case(world.unit_a) for _ in range(7)]
    Case.objects.filter(pk__in=[c.pk for c in cases[:3]]).update(
        status=CaseStatus.CLOSED, closed_at=clock.now()
    )
    newest_first = [c.ticket for c in sorted(cases, key=lambda c: (c.created_at, c.pk))][::-1]
    client.force_login(world.agent_a)
    monkeypatch.setattr(CaseAdmin, "list_per_page", 3)

    pages = [listed(client, queue="all", p=page) for page in (1, 2, 3)]
    assert [ticket for page in pages for ticket in page] == newest_first
    assert [len(page) for page in pages] == [3, 3, 1]
    # The page's ids come from a subquery of the same statement (paginators._rows): session,
    # user, count, page.
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST_URL, {"queue": "all", "p": 2}).status_code == 200
    assert len(captured) == 4
    page_sql = captured[-1]["sql"]
    assert "IN (SELECT" in page_sql
    assert "LIMIT 3 OFFSET 3" in page_sql


def test_an_sla_filtered_page_is_chosen_by_id(world, client, monkeypatch):
    from complaints.admin import CaseAdmin

    # The SLA states filter on an alias (the at-risk moment): it stays in the subquery.
    at_risk = []
    for hours_left in (1, 2):
        case = factories.open_case(world.unit_a)
        Case.objects.filter(pk=case.pk).update(
            created_at=clock.now() - timedelta(hours=9),
            resolution_due_at=clock.now() + timedelta(hours=hours_left),
        )
        at_risk.append(case.ticket)
    factories.open_case(world.unit_a)  # on track
    client.force_login(world.agent_a)
    monkeypatch.setattr(CaseAdmin, "list_per_page", 1)

    with CaptureQueriesContext(connection) as captured:
        first = listed(client, sla="at_risk")
    assert "IN (SELECT" in captured[-1]["sql"]
    assert first + listed(client, sla="at_risk", p=2) == at_risk


def test_case_page_queries_do_not_grow_with_the_timeline(world, client):
    case = factories.open_case(world.unit_a, customer=factories.make_customer(world.unit_a))
    client.force_login(world.supervisor_a)
    url = reverse("admin:complaints_case_change", args=[case.pk])
    _count_queries(client, url)  # reads the unit tree into the cache
    few = _count_queries(client, url)

    for n in range(20):
        client.post(
            reverse("admin:complaints_case_act", args=[case.pk]),
            {
                "action": "note",
                "note": f"catatan {n}",
                "version": Case.objects.get(pk=case.pk).version,
            },
        )

    # 1 session, 2 the user (staff.backends), 3 the case with category, unit and customer,
    # 4 the timeline, 5 the area's active incidents with their report counts, 6 its planned
    # outages (the unit's ancestors come from the cached unit tree).
    assert few == 6
    assert _count_queries(client, url) == 6
