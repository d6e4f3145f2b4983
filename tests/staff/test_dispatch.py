"""Choosing and booking a technician: unit, skill, shift, distance, load, and no double
booking when many dispatches run at once."""

import queue
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from complaints import effects
from complaints.models import Case, CaseEvent, Customer, EventKind
from complaints.services import Reporter, case_transition
from complaints.workflow import CaseStatus
from staff.dispatch import NO_TECHNICIAN, dispatch_case
from staff.models import ServiceUnit, Technician
from staff.roles import Actor
from tests import factories
from tests.reference_data import ensure_reference_data

SYSTEM = Actor.system("test")
# Field work that is dispatched case by case ("tegangan", skill "distribution"): outage reports
# may instead be grouped into an incident, which is dispatched once for all of them.
FIELD_CATEGORY = "tegangan"
# A case in Jakarta and technicians around it (degrees; 0.01° is about 1 km).
CASE_AT = (-6.2000, 106.8000)
NEAR = (-6.2010, 106.8010)
FAR = (-6.2500, 106.8500)


def verified_case(
    unit: ServiceUnit | None = None,
    *,
    customer: Customer | None = None,
    at: tuple[float, float] | None = CASE_AT,
    category_code: str = FIELD_CATEGORY,
) -> Case:
    """A field case waiting for a technician; nothing is queued for the broker."""
    latitude, longitude = at if at else (None, None)
    with effects.suppressed():
        case = factories.open_case(
            unit,
            customer=customer,
            category_code=category_code,
            reporter=Reporter(name="Budi"),
            latitude=latitude,
            longitude=longitude,
        )
        return case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)


def technician(unit: ServiceUnit, *, at: tuple[float, float] | None = NEAR, **fields) -> Technician:
    latitude, longitude = at if at else (None, None)
    return factories.make_technician(unit, latitude=latitude, longitude=longitude, **fields)


def escalations(case: Case) -> list[dict]:
    return list(
        CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).values_list("data", flat=True)
    )


def assert_assigned(case: Case, expected: Technician) -> None:
    case.refresh_from_db()
    assert (case.status, case.technician_id) == (CaseStatus.ASSIGNED, expected.pk)
    assert Technician.objects.get(pk=expected.pk).open_jobs == 1


@pytest.fixture
def unit(db) -> ServiceUnit:
    return factories.make_unit_tree()


@pytest.fixture
def neighbour(unit: ServiceUnit) -> ServiceUnit:
    other = factories.make_unit_tree()
    unit.neighbours.add(other)
    return other


def test_dispatch_prefers_own_unit_over_a_nearer_neighbour(unit, neighbour):
    own = technician(unit, at=FAR)
    technician(neighbour, at=NEAR)
    case = verified_case(unit)

    assert dispatch_case(case.pk) == own

    assert_assigned(case, own)


def test_dispatch_falls_back_to_a_neighbour_unit(unit, neighbour):
    technician(unit, on_shift=False)
    helper = technician(neighbour, at=FAR)
    case = verified_case(unit)

    assert dispatch_case(case.pk) == helper

    assert_assigned(case, helper)


def test_dispatch_never_sends_a_technician_of_an_unrelated_unit(unit):
    stranger = technician(factories.make_unit_tree(), at=NEAR)
    case = verified_case(unit)

    assert dispatch_case(case.pk) is None

    assert Case.objects.get(pk=case.pk).status == CaseStatus.VERIFIED
    assert Technician.objects.get(pk=stranger.pk).open_jobs == 0


def test_dispatch_requires_the_categorys_skill(unit):
    technician(unit, at=NEAR, skills=["distribution"])
    meter_man = technician(unit, at=FAR, skills=["meter"])
    case = verified_case(unit, category_code="meter")

    assert dispatch_case(case.pk) == meter_man


def test_dispatch_skips_technicians_off_shift_unavailable_or_full(unit):
    technician(unit, at=NEAR, on_shift=False)
    technician(unit, at=NEAR, available=False)
    technician(unit, at=NEAR, capacity=2, open_jobs=2)
    free = technician(unit, at=FAR)
    case = verified_case(unit)

    assert dispatch_case(case.pk) == free


def test_dispatch_picks_the_technician_nearest_to_the_case(unit):
    technician(unit, at=FAR)
    nearest = technician(unit, at=NEAR)
    technician(unit, at=None)
    case = verified_case(unit)

    assert dispatch_case(case.pk) == nearest


def test_dispatch_measures_from_the_customer_when_the_case_has_no_location(unit):
    near_customer = technician(unit, at=FAR)
    technician(unit, at=NEAR)
    customer = factories.make_customer(unit, latitude=FAR[0], longitude=FAR[1])
    case = verified_case(customer=customer, at=None)

    assert dispatch_case(case.pk) == near_customer


def test_dispatch_breaks_a_distance_tie_by_lowest_open_jobs(unit):
    technician(unit, at=NEAR, open_jobs=2)
    idle = technician(unit, at=NEAR, open_jobs=0)
    technician(unit, at=NEAR, open_jobs=1)
    case = verified_case(unit)

    assert dispatch_case(case.pk) == idle


def test_dispatch_without_a_free_technician_escalates_once(unit):
    technician(unit, on_shift=False)
    case = verified_case(unit)

    assert dispatch_case(case.pk) is None
    assert dispatch_case(case.pk) is None

    assert escalations(case) == [{"reason": NO_TECHNICIAN}]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.VERIFIED


def test_dispatch_of_an_assigned_case_does_nothing(unit):
    booked = technician(unit)
    other = technician(unit)
    case = verified_case(unit)
    assert dispatch_case(case.pk) == booked
    events_before = CaseEvent.objects.filter(case=case).count()

    assert dispatch_case(case.pk) is None

    assert_assigned(case, booked)
    assert CaseEvent.objects.filter(case=case).count() == events_before
    assert Technician.objects.get(pk=other.pk).open_jobs == 0


def test_dispatch_leaves_back_office_cases_alone(unit):
    technician(unit)
    case = verified_case(unit, category_code="token")

    assert dispatch_case(case.pk) is None

    assert escalations(case) == []
    assert Case.objects.get(pk=case.pk).status == CaseStatus.VERIFIED


THREADS = 8
TECHNICIANS = 3
CAPACITY = 2
CASES = 20


@pytest.fixture
def committed_db(transactional_db: None) -> None:
    """Real commits, so each thread's connection sees the others' work; the seeded roles and
    categories are put back in case an earlier transactional test flushed them."""
    ensure_reference_data()


def test_parallel_dispatch_never_overbooks_and_escalates_the_rest(committed_db):
    unit = factories.make_unit_tree()
    technicians = [technician(unit, capacity=CAPACITY) for _ in range(TECHNICIANS)]
    cases = [verified_case(unit) for _ in range(CASES)]
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for case in cases:
        todo.put(case.pk)
    # All threads start dispatching at the same moment, to make them collide.
    start = threading.Barrier(THREADS, timeout=30)

    def work() -> int:
        done = 0
        try:
            start.wait()
            # The assignment notices would go to the broker after commit; not this test's job.
            with effects.suppressed():
                while True:
                    try:
                        case_id = todo.get_nowait()
                    except queue.Empty:
                        return done
                    dispatch_case(case_id)
                    done += 1
        finally:
            # Each thread opened its own connection; leave none behind for the flush.
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(work) for _ in range(THREADS)]
        # result() re-raises whatever a thread raised (a deadlock, an overbooked technician).
        assert sum(future.result(timeout=60) for future in futures) == CASES

    for booked in Technician.objects.filter(pk__in=[t.pk for t in technicians]):
        assigned = Case.objects.filter(technician=booked, status=CaseStatus.ASSIGNED).count()
        assert (booked.open_jobs, assigned) == (CAPACITY, CAPACITY)
    assigned_cases = Case.objects.filter(pk__in=[c.pk for c in cases], status=CaseStatus.ASSIGNED)
    waiting_cases = Case.objects.filter(pk__in=[c.pk for c in cases], status=CaseStatus.VERIFIED)
    assert assigned_cases.count() == TECHNICIANS * CAPACITY
    assert waiting_cases.count() == CASES - TECHNICIANS * CAPACITY
    for case in assigned_cases:
        assert escalations(case) == []
    for case in waiting_cases:
        assert escalations(case) == [{"reason": NO_TECHNICIAN}]


def test_dispatch_without_a_free_technician_mails_the_units_supervisors_once(unit):
    from complaints.models import Notification
    from staff.roles import Role

    boss = factories.make_user(Role.SUPERVISOR, units=[unit], email="boss@pln.test")
    factories.make_user(Role.SUPERVISOR, units=[unit], email="")  # no address: skipped
    factories.make_user(Role.AGENT, units=[unit], email="agent@pln.test")
    other_unit = factories.make_unit_tree()
    factories.make_user(Role.SUPERVISOR, units=[other_unit], email="other@pln.test")
    case = verified_case(unit)

    dispatch_case(case.pk)
    dispatch_case(case.pk)

    notices = list(Notification.objects.filter(template="staff_no_technician"))
    assert [(n.channel, n.recipient, n.case_id) for n in notices] == [
        ("email", "boss@pln.test", None)
    ]
    assert notices[0].context["subject"].startswith(f"[#{case.ticket}]")
    assert f"/admin/complaints/case/{case.pk}/change/" in notices[0].body
    assert boss.pk
