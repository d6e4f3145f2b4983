"""The rows data migrations seed (roles, complaint categories, national holidays), restored
on demand.

A transactional test ends with a flush that empties every table, so a later transactional
test finds no roles and no categories. ``serialized_rollback`` cannot be relied on to bring
them back: it conflicts with content types recreated by a plain flush, and the connection that
carries the serialized copy is not the one a test sees once Playwright's session fixture has
run. Re-running the (idempotent) seeding functions works whatever ran before.
"""

from functools import cache
from importlib import import_module

from django.contrib.auth.models import Group
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import StateApps

from complaints.models import Category
from staff.models import Holiday

# (migration module, function) pairs; each function only creates what is missing.
SEEDS = (
    ("staff.migrations.0002_roles", "create_roles"),
    # Later grants to the role groups (create_roles sets a group's permissions: these add).
    ("complaints.migrations.0010_incident_permissions", "grant"),
    ("complaints.migrations.0015_api_indexes_permissions", "grant"),
    ("complaints.migrations.0003_seed_categories", "seed"),
    ("staff.migrations.0005_holidays", "seed_national_holidays"),
)


@cache
def _historical_apps() -> StateApps:
    # The seeding functions expect migration-state models, as in the migration itself (the
    # roles seed even toggles app configs, which must not happen on the real registry).
    return MigrationLoader(None, ignore_no_migrations=True).project_state().apps


def ensure_reference_data() -> None:
    if Group.objects.exists() and Category.objects.exists() and Holiday.objects.exists():
        return
    apps = _historical_apps()
    for module, function in SEEDS:
        getattr(import_module(module), function)(apps, None)
