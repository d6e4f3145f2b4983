"""Console indexes for 10M cases (bench/RESULTS.md, "Findings"): the event list in list order,
one covering partial index for the open queue instead of case_open_due, and no index that
another one already serves (each is written on every case or event insert).

Built and dropped CONCURRENTLY (the case and event tables are big and written all the time),
so the migration is not atomic."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models
from django.db.models.functions import Upper

from complaints.trigram import AddTrigramIndexConcurrently

OPEN_STATES = [
    "assigned",
    "dispatched",
    "on_site",
    "received",
    "reopened",
    "verified",
    "waiting_customer",
]


def _drop_single_column_index(model_name: str, field, table: str, column: str, index: str):
    """``db_index=False`` on a field whose column leads a composite index. The state change is
    the AlterField; the database change drops the index without blocking writes."""
    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.AlterField(model_name=model_name, name=column_field(column), field=field)
        ],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX CONCURRENTLY IF EXISTS "{index}"',
                reverse_sql=f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{index}" ON "{table}" ("{column}")',
            )
        ],
    )


def column_field(column: str) -> str:
    return column.removesuffix("_id")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("complaints", "0011_api_webhooks_open311"),
        ("staff", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # 1. The admin event list is ordered newest first: without this it sorts every event.
        AddIndexConcurrently(
            model_name="caseevent",
            index=models.Index(fields=["-created_at", "-id"], name="caseevent_newest_first"),
        ),
        # 2. The open queue and every filter on it from the index alone (index-only scans).
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", OPEN_STATES)),
                fields=["resolution_due_at", "id"],
                include=(
                    "status",
                    "channel",
                    "priority",
                    "category",
                    "service_unit",
                    "created_at",
                    "assigned_agent",
                    "technician",
                ),
                name="case_open_due_cover",
            ),
        ),
        RemoveIndexConcurrently(model_name="case", name="case_open_due"),
        # 3. Name search in the open queue: the reporter's name among open cases only.
        # Skipped where PostgreSQL has no pg_trgm (the embedded server of `make run`).
        AddTrigramIndexConcurrently(
            model_name="case",
            index=GinIndex(
                OpClass(Upper("reporter_name"), name="gin_trgm_ops"),
                condition=models.Q(("status__in", OPEN_STATES)),
                name="case_open_reporter_name_trgm",
            ),
        ),
        # 4. Same definition as the "…_like" pattern-ops indexes Django makes for the unique
        # CharFields id_pelanggan and meter_number.
        RemoveIndexConcurrently(model_name="customer", name="customer_idpel_prefix"),
        RemoveIndexConcurrently(model_name="customer", name="customer_meter_prefix"),
        # 5. Single-column indexes served by a composite index that starts with the column.
        _drop_single_column_index(
            "case",
            models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="agent_cases",
                to=settings.AUTH_USER_MODEL,
                verbose_name="agen penanggung jawab",
            ),
            "complaints_case",
            "assigned_agent_id",
            "complaints_case_assigned_agent_id_dfa8209b",
        ),
        _drop_single_column_index(
            "case",
            models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="complaints.customer",
                verbose_name="pelanggan",
            ),
            "complaints_case",
            "customer_id",
            "complaints_case_customer_id_813bf432",
        ),
        _drop_single_column_index(
            "case",
            models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="staff.technician",
                verbose_name="teknisi",
            ),
            "complaints_case",
            "technician_id",
            "complaints_case_technician_id_9e68d520",
        ),
        _drop_single_column_index(
            "case",
            models.DateTimeField(verbose_name="dibuat"),
            "complaints_case",
            "created_at",
            "complaints_case_created_at_2eb35b8d",
        ),
        _drop_single_column_index(
            "caseevent",
            models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="complaints.case",
            ),
            "complaints_caseevent",
            "case_id",
            "complaints_caseevent_case_id_02d3e641",
        ),
    ]
