"""Fills ``Case.search_name`` (0019) for the cases written before it, a range of ids at a time,
each range committed on its own (the migration is not atomic): no long lock or transaction on
a table of millions of rows that is written all the time. Writing the column fires the
trigger that computes it. Then the column is analysed for the planner's estimate of a fragment's matches.

Measured on the 10M-case bench database (bench/RESULTS.md, fourth pass): ~3,300 cases a second
with the case table's 23 indexes, about 50 minutes for 10M cases, online; every case gets a
new row version, so the table and its indexes grow until vacuum has reclaimed the old ones."""

from django.db import migrations

BATCH = 50_000


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM complaints_case")
        first, last = cursor.fetchone()
        if first is not None:
            for start in range(first, last + 1, BATCH):
                cursor.execute(
                    "UPDATE complaints_case SET search_name = '' WHERE id >= %s AND id < %s",
                    [start, start + BATCH],
                )
        cursor.execute("ANALYZE complaints_case (search_name)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("complaints", "0019_case_search_name")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
