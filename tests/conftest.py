"""Personas: two service units (A in WIB, B in WITA) and a user of each role."""

from dataclasses import dataclass

import pytest
from django.db.models.signals import post_migrate

from staff.models import ServiceUnit, UnitTimezone
from staff.roles import Actor, Role
from tests import factories


def _restore_reference_data(**kwargs) -> None:
    from tests.reference_data import ensure_reference_data

    ensure_reference_data()


# A transactional test ends with a flush of every table, after which Django sends
# post_migrate (that is how content types come back). Roles and categories come from data
# migrations, so they are restored the same way for the tests that run next.
post_migrate.connect(_restore_reference_data, weak=False, dispatch_uid="aduan_reference_data")


@dataclass
class World:
    unit_a: ServiceUnit
    unit_b: ServiceUnit
    agent_a: object
    agent_b: object
    supervisor_a: object
    manager: object
    technician_a: object  # staff.models.Technician in unit A

    def actor(self, user) -> Actor:
        return Actor.staff(user)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # The production hasher costs ~0.3 s per user; tests create many users.
    # Hashes made by the real hashers (the demo loader's, for one) must still verify.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture
def world(db) -> World:
    unit_a = factories.make_unit_tree("JKT", UnitTimezone.WIB)
    unit_b = factories.make_unit_tree("BAL", UnitTimezone.WITA)
    return World(
        unit_a=unit_a,
        unit_b=unit_b,
        agent_a=factories.make_user(Role.AGENT, units=[unit_a], username="agent_a"),
        agent_b=factories.make_user(Role.AGENT, units=[unit_b], username="agent_b"),
        supervisor_a=factories.make_user(Role.SUPERVISOR, units=[unit_a], username="supervisor_a"),
        manager=factories.make_user(Role.MANAGER, username="manager"),
        technician_a=factories.make_technician(unit_a),
    )
