"""The open queue's name search: an index of open cases by customer.

A name fragment an agent types (``wanri``) matches a few thousand customers; the open queue's
capped count and page look up their open cases (``customer_id = ANY(ids)``, see
``selectors.search_cases``). On ``case_customer_status`` (customer, status) that is one index
probe per customer and open state, about 17,800 for 2,548 customers (53k buffers, 15-18 ms at
10M cases); on this partial index one probe per customer in an index of open cases only
(1.5-2.7 ms). EXPLAIN ANALYZE figures in bench/RESULTS.md. Built CONCURRENTLY (the case table
is big and written all the time), so the migration is not atomic: 3.3 s at 10M cases.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("complaints", "0015_api_indexes_permissions"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
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
                fields=["customer"],
                name="case_open_customer",
            ),
        ),
    ]
