"""Name search of a scoped user, and of all cases, without reading case after case.

An agent or supervisor sees the cases of their units only, so their name search is
``service_unit_id IN (…) AND search_name LIKE …``.

- Open queue: the trigram index of open cases holds the case's unit beside its names
  (btree_gin). With the names alone the planner often ANDed the lookup with a bitmap of every
  open case of the units (``case_open_unit_due``): 6–87 ms at 1M cases for fragments such as
  "ayono" or "ana", against 0.5–1.5 ms for one lookup of both. The index over all cases keeps
  the names alone: GIN looks an ``IN`` list up once per unit, and over all cases each lookup
  costs as much as the fragment's whole posting lists (16 ms for "unadr" at 10M, so 65–86 ms
  for a region's 4–7 units, against 16 ms and a filter on the table's rows).
- All cases, newest first: ``case_newest_names`` replaces ``case_newest_first`` (same keys) and
  includes the unit and the names, so a fragment too common for the trigram lookup walks the
  index alone, not the table (a region agent's "atano" at 10M: 133 ms → 22 ms).

Figures in bench/RESULTS.md (fifth pass). A plain column in a GIN index needs btree_gin; where
PostgreSQL lacks it (or pg_trgm) the open-case index is not built, as in 0021
(complaints.trigram), and name search scans. Both extensions ship in PostgreSQL's contrib, so
a server has both or neither.

The names' statistics sample grows from 1,000 to 3,000 (and the column is analyzed): a
fragment's share of all cases is estimated from how many names of the sample contain it, and
at 1,000 a fragment in 0.1-0.3 % of the cases often matched none and was estimated at the
planner's floor (0.01 %), so the search looked all its cases up instead of walking the list
("sara" at 10M: 28,465 cases read, 376 ms). At 3,000 no fragment of the bench's 40 took the
wrong path over all cases; at 10,000 ANALYZE took 108 s and held 3M sampled rows in memory at
10M (3,000: 28 s).

``case_open_customer`` (0016) goes: it served the open queue's name search when that looked up
the matching customers' cases, which it no longer does (0019); a customer's own open cases are
read on ``case_customer_status``.

Built and dropped CONCURRENTLY (the case table is big and written all the time), so the
migration is not atomic.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models

from complaints.trigram import (
    AddTrigramIndexConcurrently,
    BtreeGinExtensionIfAvailable,
    RemoveTrigramIndexConcurrently,
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
                name="case_open_name_unit_trgm",
            ),
        ),
        RemoveTrigramIndexConcurrently(model_name="case", name="case_open_search_name_trgm"),
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                fields=["-created_at", "-id"],
                include=["service_unit", "search_name"],
                name="case_newest_names",
            ),
        ),
        RemoveIndexConcurrently(model_name="case", name="case_newest_first"),
        RemoveIndexConcurrently(model_name="case", name="case_open_customer"),
        migrations.RunSQL(
            [
                "ALTER TABLE complaints_case ALTER COLUMN search_name SET STATISTICS 3000",
                "ANALYZE complaints_case (search_name)",
            ],
            reverse_sql=[
                "ALTER TABLE complaints_case ALTER COLUMN search_name SET STATISTICS 1000"
            ],
        ),
    ]
