"""Trigram indexes of ``Case.search_name`` (0019) in place of those of the reporter's name alone:
the column holds the reporter's name too. One over every case (a rare fragment over all cases),
one over open cases only (the open queue, the default list: a few hundred open cases match
where all time has tens of thousands). Built and dropped CONCURRENTLY (the case table is big
and written all the time), so the migration is not atomic. Where PostgreSQL has no pg_trgm
(the embedded server of `make run`) there is nothing to build or drop (complaints.trigram)."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models

from complaints.trigram import AddTrigramIndexConcurrently, RemoveTrigramIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("complaints", "0020_case_search_name_fill")]

    operations = [
        AddTrigramIndexConcurrently(
            model_name="case",
            index=GinIndex(
                OpClass("search_name", name="gin_trgm_ops"), name="case_search_name_trgm"
            ),
        ),
        AddTrigramIndexConcurrently(
            model_name="case",
            index=GinIndex(
                OpClass("search_name", name="gin_trgm_ops"),
                condition=models.Q(
                    (
                        "status__in",
                        [
                            "assigned",
                            "dispatched",
                            "on_site",
                            "received",
                            "reopened",
                            "verified",
                            "waiting_customer",
                        ],
                    )
                ),
                name="case_open_search_name_trgm",
            ),
        ),
        RemoveTrigramIndexConcurrently(model_name="case", name="case_reporter_name_trgm"),
        RemoveTrigramIndexConcurrently(model_name="case", name="case_open_reporter_name_trgm"),
    ]
