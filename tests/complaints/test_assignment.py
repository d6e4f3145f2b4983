"""Technicians: assigning books one unit of capacity, leaving field work gives it back."""

import pytest

from complaints.errors import (
    TECHNICIAN_FULL,
    TECHNICIAN_NOT_SUITABLE,
    IllegalTransition,
    InvalidInput,
)
from complaints.models import CaseEvent, EventKind
from complaints.services import case_assign, case_merge
from complaints.workflow import CaseStatus
from staff.models import Technician
from tests import factories
from tests.complaints.journeys import move, timeline, walk_to

S = CaseStatus


def _open_jobs(technician: Technician) -> int:
    return Technician.objects.get(pk=technician.pk).open_jobs


@pytest.fixture
def supervisor(world):
    return world.actor(world.supervisor_a)


@pytest.fixture
def verified_case(world, supervisor):
    return walk_to(factories.open_case(world.unit_a), S.VERIFIED, actor=supervisor)


def test_assigning_books_the_technicians_capacity(world, supervisor, verified_case):
    case = case_assign(actor=supervisor, case_id=verified_case.pk, technician=world.technician_a)

    case.refresh_from_db()
    assert (case.status, case.technician) == (S.ASSIGNED, world.technician_a)
    assert _open_jobs(world.technician_a) == 1
    assert CaseEvent.objects.filter(case=case).latest("id").data == {
        "technician": world.technician_a.pk
    }


def test_travelling_and_arriving_keep_the_booking(world, supervisor, verified_case):
    case = case_assign(actor=supervisor, case_id=verified_case.pk, technician=world.technician_a)
    technician = world.actor(world.technician_a.user)

    move(case, S.DISPATCHED, actor=technician)
    move(case, S.ON_SITE, actor=technician)

    assert _open_jobs(world.technician_a) == 1


def test_resolving_releases_the_technician_but_keeps_who_did_the_work(
    world, supervisor, verified_case
):
    case = walk_to(verified_case, S.ON_SITE, actor=supervisor, technician=world.technician_a)

    move(case, S.RESOLVED, actor=world.actor(world.technician_a.user))

    case.refresh_from_db()
    assert _open_jobs(world.technician_a) == 0
    assert case.technician == world.technician_a


def test_handing_a_job_back_releases_and_unassigns(world, supervisor, verified_case):
    case = case_assign(actor=supervisor, case_id=verified_case.pk, technician=world.technician_a)

    move(case, S.VERIFIED, actor=world.actor(world.technician_a.user))

    case.refresh_from_db()
    assert (case.status, case.technician) == (S.VERIFIED, None)
    assert _open_jobs(world.technician_a) == 0


def test_merging_an_assigned_case_releases_the_technician(world, supervisor, verified_case):
    case = case_assign(actor=supervisor, case_id=verified_case.pk, technician=world.technician_a)
    survivor = factories.open_case(world.unit_a)

    case_merge(actor=supervisor, case_id=case.pk, into_case_id=survivor.pk)

    case.refresh_from_db()
    assert (case.status, case.technician) == (S.MERGED, None)
    assert _open_jobs(world.technician_a) == 0


def test_a_full_technician_cannot_take_another_job(world, supervisor):
    technician = factories.make_technician(world.unit_a, capacity=1)
    first = walk_to(factories.open_case(world.unit_a), S.VERIFIED, actor=supervisor)
    second = walk_to(factories.open_case(world.unit_a), S.VERIFIED, actor=supervisor)
    case_assign(actor=supervisor, case_id=first.pk, technician=technician)

    with pytest.raises(InvalidInput) as excinfo:
        case_assign(actor=supervisor, case_id=second.pk, technician=technician)

    assert excinfo.value.message == str(TECHNICIAN_FULL) % {"technician": str(technician)}
    second.refresh_from_db()
    assert (second.status, second.technician, second.version) == (S.VERIFIED, None, 2)
    assert _open_jobs(technician) == 1


def test_a_technician_without_the_skill_is_refused(world, supervisor):
    technician = factories.make_technician(world.unit_a, skills=("distribution",))
    case = walk_to(
        factories.open_case(world.unit_a, category_code="meter"), S.VERIFIED, actor=supervisor
    )

    with pytest.raises(InvalidInput) as excinfo:
        case_assign(actor=supervisor, case_id=case.pk, technician=technician)

    assert excinfo.value.message == str(TECHNICIAN_NOT_SUITABLE) % {"technician": str(technician)}
    assert _open_jobs(technician) == 0


def test_reassigning_hands_the_job_over(world, supervisor, verified_case):
    other = factories.make_technician(world.unit_a)
    case = case_assign(actor=supervisor, case_id=verified_case.pk, technician=world.technician_a)
    case = move(case, S.DISPATCHED, actor=supervisor)
    version = case.version

    case = case_assign(actor=supervisor, case_id=case.pk, technician=other, note="Regu 1 darurat")

    case.refresh_from_db()
    assert (case.status, case.technician, case.version) == (S.DISPATCHED, other, version + 1)
    assert (_open_jobs(world.technician_a), _open_jobs(other)) == (0, 1)
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.kind, event.note) == (EventKind.ASSIGNED, "Regu 1 darurat")
    assert event.data == {"technician": other.pk, "previous_technician": world.technician_a.pk}


def test_reassigning_to_the_same_technician_changes_nothing(world, supervisor, verified_case):
    case = case_assign(actor=supervisor, case_id=verified_case.pk, technician=world.technician_a)
    before = (case.version, timeline(case))

    case = case_assign(actor=supervisor, case_id=case.pk, technician=world.technician_a)

    case.refresh_from_db()
    assert (case.version, timeline(case)) == before
    assert _open_jobs(world.technician_a) == 1


def test_reassigning_to_a_full_technician_keeps_the_first_one(world, supervisor, verified_case):
    full = factories.make_technician(world.unit_a, capacity=1)
    other_case = walk_to(factories.open_case(world.unit_a), S.VERIFIED, actor=supervisor)
    case_assign(actor=supervisor, case_id=other_case.pk, technician=full)
    case = case_assign(actor=supervisor, case_id=verified_case.pk, technician=world.technician_a)

    with pytest.raises(InvalidInput):
        case_assign(actor=supervisor, case_id=case.pk, technician=full)

    case.refresh_from_db()
    assert case.technician == world.technician_a
    assert (_open_jobs(world.technician_a), _open_jobs(full)) == (1, 1)


def test_a_reopened_case_is_assigned_afresh(world, supervisor, verified_case):
    case = walk_to(verified_case, S.REOPENED, actor=supervisor, technician=world.technician_a)
    other = factories.make_technician(world.unit_a)

    case = case_assign(actor=supervisor, case_id=case.pk, technician=other)

    case.refresh_from_db()
    assert (case.status, case.technician) == (S.ASSIGNED, other)
    assert (_open_jobs(world.technician_a), _open_jobs(other)) == (0, 1)


def test_a_case_still_in_triage_cannot_be_assigned(world, supervisor):
    case = factories.open_case(world.unit_a)

    with pytest.raises(IllegalTransition):
        case_assign(actor=supervisor, case_id=case.pk, technician=world.technician_a)

    assert _open_jobs(world.technician_a) == 0
