"""Who sees which cases: a case outside a user's service units does not exist for them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from staff.access import ALL_UNITS, case_for, cases_for, unit_ids_for
from staff.models import ServiceUnit, StaffMember, UnitKind
from staff.roles import Role, roles_of
from tests import factories


@pytest.fixture
def case_a(world):
    return factories.open_case(world.unit_a)


@pytest.fixture
def case_b(world):
    return factories.open_case(world.unit_b)


def _visible(user) -> set[int]:
    return set(cases_for(user).values_list("pk", flat=True))


def _member(*units, role: Role = Role.AGENT):
    return factories.make_user(role, units=list(units))


def test_agent_sees_own_units_cases(world, case_a):
    assert case_for(world.agent_a, case_a.pk) == case_a
    assert case_for(world.agent_a, str(case_a.pk)) == case_a


def test_agent_cannot_see_other_units_cases(world, case_a, case_b):
    assert _visible(world.agent_a) == {case_a.pk}
    assert _visible(world.agent_b) == {case_b.pk}
    with pytest.raises(Http404):
        case_for(world.agent_a, case_b.pk)
    with pytest.raises(Http404):
        case_for(world.agent_b, case_a.pk)


@pytest.mark.parametrize("case_id", [None, "", "abc", "1.5", "12abc", "1; DROP TABLE x", [1]])
def test_a_malformed_case_id_is_not_found(world, case_a, case_id):
    with pytest.raises(Http404):
        case_for(world.agent_a, case_id)


def test_a_case_that_does_not_exist_is_not_found(world, case_a):
    with pytest.raises(Http404):
        case_for(world.manager, case_a.pk + 1000)


def test_a_region_member_sees_every_office_below_it(world, case_a, case_b):
    region = world.unit_a.parent.parent
    second_office = ServiceUnit.objects.create(
        code="JKT-ULP2", name="ULP 2", kind=UnitKind.OFFICE, parent=world.unit_a.parent
    )
    case_second = factories.open_case(second_office)

    assert _visible(_member(region)) == {case_a.pk, case_second.pk}


def test_an_area_member_sees_its_offices_not_its_siblings(world, case_a):
    area = world.unit_a.parent
    sibling_area = ServiceUnit.objects.create(
        code="JKT-UP3-B", name="UP3 B", kind=UnitKind.AREA, parent=area.parent
    )
    sibling_office = ServiceUnit.objects.create(
        code="JKT-ULP-B", name="ULP B", kind=UnitKind.OFFICE, parent=sibling_area
    )
    factories.open_case(sibling_office)

    assert _visible(_member(area)) == {case_a.pk}


def test_an_office_member_does_not_see_the_rest_of_its_region(world, case_a):
    sibling_office = ServiceUnit.objects.create(
        code="JKT-ULP-C", name="ULP C", kind=UnitKind.OFFICE, parent=world.unit_a.parent
    )
    factories.open_case(sibling_office)

    assert _visible(_member(world.unit_a)) == {case_a.pk}


def test_a_user_in_two_units_sees_both(world, case_a, case_b):
    supervisor = _member(world.unit_a, world.unit_b, role=Role.SUPERVISOR)

    assert _visible(supervisor) == {case_a.pk, case_b.pk}
    assert case_for(supervisor, case_b.pk) == case_b


def _region_with_office(code: str) -> ServiceUnit:
    region = ServiceUnit.objects.create(code=code, name=code, kind=UnitKind.REGION)
    area = ServiceUnit.objects.create(
        code=f"{code}-A", name=f"{code} A", kind=UnitKind.AREA, parent=region
    )
    return ServiceUnit.objects.create(
        code=f"{code}-O", name=f"{code} O", kind=UnitKind.OFFICE, parent=area
    )


def test_a_unit_whose_code_starts_like_another_does_not_see_its_cases(world):
    """Paths are compared up to the separator: "X1" is not a parent of "X10"."""
    office_x1 = _region_with_office("X1")
    office_x10 = _region_with_office("X10")
    case_x1 = factories.open_case(office_x1)
    factories.open_case(office_x10)

    assert _visible(_member(office_x1.parent.parent)) == {case_x1.pk}


def test_pattern_characters_in_a_unit_code_match_only_themselves(world):
    """A code may contain "_" or "%"; in a LIKE pattern they would match any character."""
    office_underscore = _region_with_office("Q_1")
    office_other = _region_with_office("QX1")
    office_percent = _region_with_office("P%")
    office_p2 = _region_with_office("P2")
    case_underscore = factories.open_case(office_underscore)
    case_percent = factories.open_case(office_percent)
    factories.open_case(office_other)
    factories.open_case(office_p2)

    assert _visible(_member(office_underscore.parent.parent)) == {case_underscore.pk}
    assert _visible(_member(office_percent.parent.parent)) == {case_percent.pk}


def test_manager_sees_every_unit(world, case_a, case_b):
    assert unit_ids_for(world.manager) is ALL_UNITS
    assert _visible(world.manager) == {case_a.pk, case_b.pk}
    assert case_for(world.manager, case_b.pk) == case_b


def test_superuser_sees_every_unit_without_membership(world, case_a, case_b):
    admin = factories.make_user(is_superuser=True, is_staff=True)

    assert unit_ids_for(admin) is ALL_UNITS
    assert _visible(admin) == {case_a.pk, case_b.pk}


def test_a_user_without_units_sees_nothing(world, case_a):
    agent = factories.make_user(Role.AGENT)

    assert unit_ids_for(agent) == frozenset()
    assert _visible(agent) == set()


def test_an_inactive_user_sees_nothing(world, case_a):
    world.agent_a.is_active = False

    assert _visible(world.agent_a) == set()
    with pytest.raises(Http404):
        case_for(world.agent_a, case_a.pk)


def test_an_anonymous_user_sees_nothing(world, case_a):
    assert _visible(AnonymousUser()) == set()


def test_a_technician_sees_the_cases_of_the_units_they_are_a_member_of(world, case_a, case_b):
    member = factories.make_technician(world.unit_a).user
    StaffMember.objects.create(user=member).service_units.set([world.unit_b])

    assert _visible(member) == {case_b.pk}


def test_unit_ids_for_costs_one_query_and_is_cached(world, django_assert_num_queries):
    region = world.unit_a.parent.parent
    user = _member(region)
    roles_of(user)  # as on any request that has already built the user's Actor

    with django_assert_num_queries(1):  # the units below the user's memberships
        unit_ids = unit_ids_for(user)
    with django_assert_num_queries(0):
        assert unit_ids_for(user) == unit_ids

    assert unit_ids == {region.pk, world.unit_a.parent_id, world.unit_a.pk}


def test_unit_ids_for_a_fresh_user_object_reads_roles_then_units(world, django_assert_num_queries):
    user = _member(world.unit_a)
    fresh = type(user).objects.get(pk=user.pk)

    # 1. the user's group names (is this a manager?), 2. the units below the memberships
    with django_assert_num_queries(2):
        assert unit_ids_for(fresh) == {world.unit_a.pk}


def test_case_for_is_one_query_once_units_are_known(world, case_a, django_assert_num_queries):
    unit_ids_for(world.agent_a)

    with django_assert_num_queries(1):  # the case with every relation the case page shows
        case = case_for(world.agent_a, case_a.pk)
        assert (case.category.code, case.service_unit.pk) == ("padam-rumah", world.unit_a.pk)


def test_a_service_unit_cannot_have_an_empty_or_inverted_working_day(db):
    from datetime import time

    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    unit = factories.make_unit_tree()
    unit.work_start, unit.work_end = time(17, 0), time(8, 0)
    # The admin's form runs the model's constraints: a form error, not a 500.
    with pytest.raises(ValidationError):
        unit.validate_constraints()
    # And the database refuses it whatever writes the row (the SLA clock would never end).
    with pytest.raises(IntegrityError), transaction.atomic():
        unit.save()
