"""Roles: the groups from the data migration, and who may do what to a case.

The expectation tables below are written out by hand, not read from complaints.workflow or
complaints.services: a change of who may do what must show up here as a failing test.
"""

import importlib

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from complaints.errors import ROLE_NOT_ALLOWED, NotAllowed
from complaints.models import Channel, Priority
from complaints.services import (
    case_add_note,
    case_assign,
    case_attach,
    case_change_priority,
    case_open,
    case_transition,
)
from complaints.workflow import TRANSITIONS, CaseStatus
from staff.roles import Actor, Role, roles_of
from tests import factories
from tests.complaints.journeys import REASON, RESOLUTION, walk_to

S = CaseStatus
AGENT, SUPERVISOR, TECHNICIAN, MANAGER, SYSTEM, CUSTOMER = (
    "agent",
    "supervisor",
    "technician",
    "manager",
    "system",
    "customer",
)
EVERYONE = (AGENT, SUPERVISOR, TECHNICIAN, MANAGER, SYSTEM, CUSTOMER)

# (source, target) → the roles that may make the move. Everyone else gets NotAllowed.
TRANSITION_MATRIX: dict[tuple[str, str], set[str]] = {
    (S.RECEIVED, S.VERIFIED): {AGENT, SUPERVISOR, SYSTEM},
    (S.RECEIVED, S.WAITING_CUSTOMER): {AGENT, SUPERVISOR, SYSTEM},
    (S.RECEIVED, S.REJECTED): {AGENT, SUPERVISOR},
    (S.RECEIVED, S.MERGED): {AGENT, SUPERVISOR, SYSTEM},
    (S.VERIFIED, S.WAITING_CUSTOMER): {AGENT, SUPERVISOR, SYSTEM},
    (S.VERIFIED, S.ASSIGNED): {SUPERVISOR, SYSTEM},
    (S.VERIFIED, S.RESOLVED): {AGENT, SUPERVISOR, SYSTEM},
    (S.VERIFIED, S.MERGED): {AGENT, SUPERVISOR, SYSTEM},
    (S.WAITING_CUSTOMER, S.VERIFIED): {AGENT, SUPERVISOR, SYSTEM, CUSTOMER},
    (S.WAITING_CUSTOMER, S.REJECTED): {AGENT, SUPERVISOR},
    (S.WAITING_CUSTOMER, S.MERGED): {AGENT, SUPERVISOR, SYSTEM},
    (S.ASSIGNED, S.VERIFIED): {TECHNICIAN, SUPERVISOR},
    (S.ASSIGNED, S.DISPATCHED): {TECHNICIAN, SUPERVISOR},
    (S.ASSIGNED, S.MERGED): {AGENT, SUPERVISOR, SYSTEM},
    # An outage incident's restoration resolves its linked reports wherever they are.
    (S.ASSIGNED, S.RESOLVED): {SYSTEM},
    (S.DISPATCHED, S.RESOLVED): {SYSTEM},
    (S.DISPATCHED, S.ON_SITE): {TECHNICIAN, SUPERVISOR},
    (S.ON_SITE, S.RESOLVED): {TECHNICIAN, SUPERVISOR, SYSTEM},
    (S.RESOLVED, S.CLOSED): {AGENT, SUPERVISOR, SYSTEM, CUSTOMER},
    (S.RESOLVED, S.REOPENED): {AGENT, SUPERVISOR, SYSTEM, CUSTOMER},
    (S.CLOSED, S.REOPENED): {AGENT, SUPERVISOR, SYSTEM, CUSTOMER},
    (S.REOPENED, S.VERIFIED): {AGENT, SUPERVISOR, SYSTEM},
    (S.REOPENED, S.ASSIGNED): {SUPERVISOR, SYSTEM},
    (S.REOPENED, S.MERGED): {AGENT, SUPERVISOR, SYSTEM},
}
SERVICE_MATRIX: dict[str, set[str]] = {
    "case_open": {AGENT, SUPERVISOR, SYSTEM, CUSTOMER},
    "case_assign": {SUPERVISOR, SYSTEM},
    "case_add_note": {AGENT, SUPERVISOR, TECHNICIAN, SYSTEM},
    "case_change_priority": {AGENT, SUPERVISOR, SYSTEM},
    "case_attach": {AGENT, SUPERVISOR, TECHNICIAN, SYSTEM, CUSTOMER},
}
GROUP_PERMISSIONS = {
    "Agent": {
        "complaints.view_case",
        "complaints.view_caseevent",
        "complaints.view_customer",
        "complaints.view_customercontact",
        "complaints.view_category",
        "complaints.view_attachment",
        "complaints.view_notification",
        "staff.view_serviceunit",
        "staff.view_technician",
        "complaints.add_case",
        "complaints.transition_case",
        "complaints.merge_case",
        "complaints.add_customer",
        "complaints.change_customer",
        "complaints.add_customercontact",
        "complaints.change_customercontact",
        "complaints.add_attachment",
    },
    "Technician": {
        "complaints.view_case",
        "complaints.transition_case",
        "complaints.add_attachment",
    },
    "Manager": {
        "complaints.view_case",
        "complaints.view_caseevent",
        "complaints.view_customer",
        "complaints.view_customercontact",
        "complaints.view_category",
        "complaints.view_attachment",
        "complaints.view_notification",
        "staff.view_serviceunit",
        "staff.view_technician",
        "complaints.view_all_units",
        "complaints.export_case",
        "staff.view_staffmember",
    },
}
GROUP_PERMISSIONS["Supervisor"] = GROUP_PERMISSIONS["Agent"] | {
    "complaints.assign_case",
    "complaints.export_case",
    "staff.change_technician",
    "staff.view_staffmember",
}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32


def _permissions(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


# --- groups ---


def test_the_data_migration_creates_the_four_staff_groups(db):
    assert set(Group.objects.filter(name__in=GROUP_PERMISSIONS).values_list("name", flat=True)) == {
        "Agent",
        "Supervisor",
        "Technician",
        "Manager",
    }


@pytest.mark.parametrize("name", sorted(GROUP_PERMISSIONS))
def test_each_group_has_the_permissions_of_its_role(db, name):
    # Later features add their own grants to the groups; these are the foundation's.
    assert _permissions(Group.objects.get(name=name)) >= GROUP_PERMISSIONS[name]


@pytest.mark.parametrize(
    ("name", "withheld"),
    [
        (
            "Agent",
            {
                "complaints.assign_case",
                "complaints.view_all_units",
                "complaints.export_case",
                "staff.change_technician",
            },
        ),
        ("Supervisor", {"complaints.view_all_units"}),
        (
            "Technician",
            {
                "complaints.add_case",
                "complaints.merge_case",
                "complaints.assign_case",
                "complaints.view_all_units",
                "complaints.change_customer",
                "complaints.view_customer",
            },
        ),
        (
            "Manager",
            {
                "complaints.add_case",
                "complaints.transition_case",
                "complaints.merge_case",
                "complaints.assign_case",
                "complaints.change_customer",
            },
        ),
    ],
)
def test_no_group_holds_powers_beyond_its_role(db, name, withheld):
    assert _permissions(Group.objects.get(name=name)) & withheld == set()


@pytest.mark.parametrize(
    ("group", "roles"),
    [
        ("Agent", {Role.AGENT}),
        ("Supervisor", {Role.SUPERVISOR}),
        ("Technician", {Role.TECHNICIAN}),
        ("Manager", {Role.MANAGER}),
    ],
)
def test_a_users_roles_come_from_their_groups(db, group, roles):
    user = factories.make_user(Role(group))

    assert roles_of(user) == roles


def test_a_user_in_two_groups_holds_both_roles(db):
    user = factories.make_user(Role.AGENT)
    user.groups.add(Group.objects.get(name="Supervisor"))

    assert roles_of(user) == {Role.AGENT, Role.SUPERVISOR}


def test_a_superuser_is_agent_supervisor_and_manager_but_not_technician(db):
    user = factories.make_user(is_superuser=True)

    assert roles_of(user) == {Role.AGENT, Role.SUPERVISOR, Role.MANAGER}


def test_an_inactive_user_has_no_roles(db):
    user = factories.make_user(Role.SUPERVISOR, is_active=False)

    assert roles_of(user) == frozenset()


def test_roles_are_read_once_per_user_object(db, django_assert_num_queries):
    user = factories.make_user(Role.AGENT)

    with django_assert_num_queries(1):  # the user's group names
        roles_of(user)
        roles_of(user)


def test_removing_and_recreating_the_roles_is_reversible(db):
    module = importlib.import_module("staff.migrations.0002_roles")
    state_apps = MigrationExecutor(connection).loader.project_state(("staff", "0002_roles")).apps
    agent = factories.make_user(Role.AGENT)

    module.remove_roles(state_apps, None)
    assert not Group.objects.filter(name__in=GROUP_PERMISSIONS).exists()
    assert agent.groups.count() == 0

    module.create_roles(state_apps, None)
    for name, permissions in GROUP_PERMISSIONS.items():
        assert _permissions(Group.objects.get(name=name)) == permissions
    # The migration flips models_module on the app configs it is given: those of the
    # migration state, never the live registry's.
    assert global_apps.get_app_config("complaints").models_module is not None


# --- the role x action matrix ---


def test_the_matrix_covers_every_declared_transition():
    assert set(TRANSITION_MATRIX) == {(t.source, t.target) for t in TRANSITIONS}


@pytest.fixture
def actors(world):
    return {
        AGENT: Actor.staff(world.agent_a),
        SUPERVISOR: Actor.staff(world.supervisor_a),
        TECHNICIAN: Actor.staff(world.technician_a.user),
        MANAGER: Actor.staff(world.manager),
        SYSTEM: Actor.system("test"),
        CUSTOMER: Actor.customer("whatsapp"),
    }


def _outcome(action) -> str:
    try:
        action()
    except NotAllowed as refused:
        template = refused.message_template
    else:
        return "allowed"
    assert template == ROLE_NOT_ALLOWED
    return "refused"


@pytest.mark.parametrize(
    ("source", "target"), sorted(TRANSITION_MATRIX), ids=[f"{s}->{t}" for s, t in TRANSITION_MATRIX]
)
def test_who_may_make_each_transition(world, actors, source, target):
    # One roomy technician for every case of the test, and one open case to merge into.
    technician = factories.make_technician(world.unit_a, capacity=2 * len(EVERYONE))
    survivor = factories.open_case(world.unit_a)
    outcomes = {}
    for role in EVERYONE:
        case = walk_to(
            factories.open_case(world.unit_a),
            source,
            actor=actors[SUPERVISOR],
            technician=technician,
        )

        def move(case=case, role=role):
            moved = case_transition(
                actor=actors[role],
                case_id=case.pk,
                target=target,
                reason=REASON,
                resolution=RESOLUTION,
                technician=technician,
                merged_into=survivor,
            )
            assert moved.status == target

        outcomes[role] = _outcome(move)

    assert outcomes == {
        role: "allowed" if role in TRANSITION_MATRIX[(source, target)] else "refused"
        for role in EVERYONE
    }


def _service_call(name, world, actors, role):
    """The call to make as ``role``, on a case prepared by a supervisor."""
    actor = actors[role]
    if name == "case_open":
        return lambda: case_open(
            actor=actor,
            channel=Channel.WEB,
            category=factories.category("padam-rumah"),
            description="Listrik padam",
            service_unit=world.unit_a,
        )
    case = factories.open_case(world.unit_a)
    if name == "case_assign":
        walk_to(case, S.VERIFIED, actor=actors[SUPERVISOR])
        return lambda: case_assign(actor=actor, case_id=case.pk, technician=world.technician_a)
    if name == "case_add_note":
        return lambda: case_add_note(actor=actor, case_id=case.pk, note="Catatan")
    if name == "case_change_priority":
        return lambda: case_change_priority(
            actor=actor, case_id=case.pk, priority=Priority.EMERGENCY
        )
    if name == "case_attach":
        return lambda: case_attach(actor=actor, case_id=case.pk, content=JPEG, name="foto.jpg")
    raise AssertionError(name)


@pytest.mark.parametrize("name", sorted(SERVICE_MATRIX))
def test_who_may_call_each_service(world, actors, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path
    outcomes = {role: _outcome(_service_call(name, world, actors, role)) for role in EVERYONE}

    assert outcomes == {
        role: "allowed" if role in SERVICE_MATRIX[name] else "refused" for role in EVERYONE
    }


def test_a_refused_role_writes_nothing(world, actors):
    case = factories.open_case(world.unit_a)

    with pytest.raises(NotAllowed) as excinfo:
        case_transition(actor=actors[MANAGER], case_id=case.pk, target=S.VERIFIED)

    assert excinfo.value.message == str(ROLE_NOT_ALLOWED) % {"ticket": case.ticket}
    case.refresh_from_db()
    assert (case.status, case.version, case.events.count()) == (S.RECEIVED, 1, 1)


def test_an_anonymous_user_has_no_role_at_all(world):
    actor = Actor(user=None, roles=roles_of(AnonymousUser()), label="anonymous")
    case = factories.open_case(world.unit_a)

    with pytest.raises(NotAllowed):
        case_add_note(actor=actor, case_id=case.pk, note="Halo")
