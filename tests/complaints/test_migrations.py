"""Migrations are reversible. Migrating the shared test database to zero would break every
other test, so the reverse steps are run here inside the test's transaction instead."""

import importlib

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython, RunSQL
from django.db.utils import ProgrammingError

from complaints.models import CaseEvent, Category
from tests import factories

APPS = ("complaints", "staff")


def _operations(kind):
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app_label, name), migration in sorted(loader.disk_migrations.items()):
        if app_label not in APPS:
            continue
        for operation in migration.operations:
            if isinstance(operation, kind):
                yield f"{app_label}.{name}", operation


def test_there_are_data_and_sql_migrations_to_check():
    names = {name for name, _ in _operations((RunPython, RunSQL))}

    assert {
        "complaints.0002_case_event_append_only",
        "complaints.0003_seed_categories",
        "staff.0002_roles",
    } <= names


def test_every_data_migration_has_a_reverse():
    irreversible = [name for name, op in _operations(RunPython) if op.reverse_code is None]

    assert irreversible == []


def test_every_sql_migration_has_a_reverse():
    irreversible = [name for name, op in _operations(RunSQL) if op.reverse_sql is None]

    assert irreversible == []


def _historical_apps(app_label: str, name: str):
    return MigrationExecutor(connection).loader.project_state((app_label, name)).apps


def _migration_module(app_label: str, name: str):
    return importlib.import_module(f"{app_label}.migrations.{name}")


def test_unseeding_categories_keeps_those_in_use_and_seeding_again_restores_them(world):
    module = _migration_module("complaints", "0003_seed_categories")
    apps = _historical_apps("complaints", "0003_seed_categories")
    factories.open_case(world.unit_a, category_code="padam-rumah")

    module.unseed(apps, None)

    assert list(Category.objects.values_list("code", flat=True)) == ["padam-rumah"]
    module.seed(apps, None)
    assert set(Category.objects.values_list("code", flat=True)) == {
        row[0] for row in module.CATEGORIES
    }


def test_the_append_only_trigger_can_be_dropped_and_recreated(world):
    module = _migration_module("complaints", "0002_case_event_append_only")
    event = CaseEvent.objects.get(case=factories.open_case(world.unit_a))

    with connection.cursor() as cursor:
        cursor.execute(module.BACKWARD)
    CaseEvent.objects.filter(pk=event.pk).update(note="boleh selama tanpa pemicu")
    with connection.cursor() as cursor:
        cursor.execute(module.FORWARD)

    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(note="tidak boleh lagi")
    event.refresh_from_db()
    assert event.note == "boleh selama tanpa pemicu"


def _index_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'complaints_case'")
        return {row[0] for row in cursor.fetchall()}


def test_the_open_name_and_unit_index_is_skipped_where_btree_gin_is_missing(db, caplog):
    # The embedded server of `make run` has neither pg_trgm nor btree_gin; the migration must
    # pass there. Dropping the extension (inside this test's transaction) drops the index.
    name = "0022_case_name_unit_indexes"
    add_open = _migration_module("complaints", name).Migration.operations[1]
    before = MigrationExecutor(connection).loader.project_state(
        ("complaints", "0021_case_search_name_indexes")
    )
    after = before.clone()
    add_open.state_forwards("complaints", after)
    assert "case_open_name_unit_trgm" in _index_names()
    with connection.cursor() as cursor:
        cursor.execute("DROP EXTENSION btree_gin CASCADE")
    assert "case_open_name_unit_trgm" not in _index_names()

    with connection.schema_editor() as editor:
        add_open.database_forwards("complaints", editor, before, after)

    assert "case_open_name_unit_trgm" not in _index_names()
    assert "no btree_gin extension: skipping case_open_name_unit_trgm" in caplog.text
