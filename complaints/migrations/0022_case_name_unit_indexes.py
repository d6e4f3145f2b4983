"""The case's names column indexed together with its service unit, in place of the name alone.

An agent or supervisor sees the cases of their units only, so their name search is
``service_unit_id IN (…) AND search_name LIKE …``. With the name alone in the trigram index
the planner often ANDed it with a bitmap of every open case of those units
(``case_open_unit_due``): 6–87 ms at 1M cases for fragments such as "ayono" or "ana", against
0.5–1.5 ms for one lookup of both in these indexes (bench/RESULTS.md, fifth pass). A plain
column in a GIN index needs btree_gin; where PostgreSQL lacks it (or pg_trgm) these indexes
are not built, as in 0021 (complaints.trigram), and name search scans. Both extensions ship in
PostgreSQL's contrib, so a server has both or neither. A user who sees every unit searches the
same indexes by the name alone.

``case_open_customer`` (0016) goes too: it served the open queue's name search when that looked
up the matching customers' cases, which it no longer does (0019); a customer's own open cases
are read on ``case_customer_status``.

Built and dropped CONCURRENTLY (the case table is big and written all the time), so the
migration is not atomic.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import RemoveIndexConcurrently
from django.db import migrations, models

from complaints.trigram import (
    AddTrigramIndexConcurrently,
    BtreeGinExtensionIfAvailable,
    RemoveTrigramIndexConcurrently,
)

OPEN = models.Q(
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
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("complaints", "0021_case_search_name_indexes")]

    operations = [
        BtreeGinExtensionIfAvailable(),
        AddTrigramIndexConcurrently(
            model_name="case",
            index=GinIndex(
                OpClass("search_name", name="gin_trgm_ops"),
                models.F("service_unit"),
                name="case_name_unit_trgm",
            ),
        ),
        AddTrigramIndexConcurrently(
            model_name="case",
            index=GinIndex(
                OpClass("search_name", name="gin_trgm_ops"),
                models.F("service_unit"),
                condition=OPEN,
                name="case_open_name_unit_trgm",
            ),
        ),
        RemoveTrigramIndexConcurrently(model_name="case", name="case_search_name_trgm"),
        RemoveTrigramIndexConcurrently(model_name="case", name="case_open_search_name_trgm"),
        RemoveIndexConcurrently(model_name="case", name="case_open_customer"),
    ]
