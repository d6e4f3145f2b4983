"""Migration operations for the trigram (pg_trgm) name-search indexes, which a server without
the extension skips instead of failing.

The embedded PostgreSQL that runs when ``DATABASE_URL`` is unset (pgserver) is built without
PostgreSQL's contrib modules, so ``CREATE EXTENSION pg_trgm`` is impossible there. The same
holds for btree_gin, which a trigram index needs for a plain column beside the name (the
case's service unit, migration 0022). Name search is ``icontains`` (``UPPER(name) LIKE``)
either way: with the extensions the GIN indexes serve it, without them it scans, which is fine
at a laptop's data size. The migration state is the same in both cases, so
``makemigrations --check`` sees no difference.
"""

import logging

from django.contrib.postgres.indexes import OpClass
from django.contrib.postgres.operations import (
    AddIndexConcurrently,
    BtreeGinExtension,
    RemoveIndexConcurrently,
    TrigramExtension,
)
from django.db import migrations

logger = logging.getLogger(__name__)

TRIGRAM = "pg_trgm"
BTREE_GIN = "btree_gin"
SKIPPED = "PostgreSQL here has no %s extension: skipping %s (name search will scan)."


def _exists(schema_editor, sql: str, name: str) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql, [name])
        return cursor.fetchone() is not None


def extension_available(schema_editor, name: str) -> bool:
    return _exists(schema_editor, "SELECT 1 FROM pg_available_extensions WHERE name = %s", name)


def extension_installed(schema_editor, name: str) -> bool:
    return _exists(schema_editor, "SELECT 1 FROM pg_extension WHERE extname = %s", name)


def index_exists(schema_editor, name: str) -> bool:
    return _exists(schema_editor, "SELECT 1 FROM pg_indexes WHERE indexname = %s", name)


class _ExtensionIfAvailable:
    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not extension_available(schema_editor, self.name):
            logger.warning(SKIPPED, self.name, "the extension")
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)


class TrigramExtensionIfAvailable(_ExtensionIfAvailable, TrigramExtension):
    pass


class BtreeGinExtensionIfAvailable(_ExtensionIfAvailable, BtreeGinExtension):
    pass


def _extensions_needed(index) -> list[str]:
    """pg_trgm for the name; btree_gin as well for a plain column beside it (an expression
    without an operator class of its own)."""
    plain = index.fields or any(not isinstance(e, OpClass) for e in index.expressions)
    return [TRIGRAM, BTREE_GIN] if plain else [TRIGRAM]


class _OnlyWhereTrigramIs:
    """Creates the operation's ``gin_trgm_ops`` index only where the extensions it needs are
    installed, and drops it only where it exists."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for extension in _extensions_needed(self.index):
            if not extension_installed(schema_editor, extension):
                logger.warning(SKIPPED, extension, self.index.name)
                return
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if index_exists(schema_editor, self.index.name):
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddTrigramIndex(_OnlyWhereTrigramIs, migrations.AddIndex):
    """``AddIndex`` for an index using ``gin_trgm_ops``."""


class AddTrigramIndexConcurrently(_OnlyWhereTrigramIs, AddIndexConcurrently):
    """``AddIndexConcurrently`` for an index using ``gin_trgm_ops``."""


class RemoveTrigramIndexConcurrently(RemoveIndexConcurrently):
    """``RemoveIndexConcurrently`` for an index using ``gin_trgm_ops``: dropped where it exists
    (a server without pg_trgm never had it), put back only where pg_trgm is installed."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if index_exists(schema_editor, self.name):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not extension_installed(schema_editor, TRIGRAM):
            logger.warning(SKIPPED, TRIGRAM, self.name)
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)
