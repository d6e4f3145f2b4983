import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations, models

import complaints.trigram


class Migration(migrations.Migration):
    dependencies = [("complaints", "0004_outbox_for_any_message")]

    operations = [
        migrations.AddIndex(
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
                fields=["resolution_due_at", "id"],
                name="case_open_due",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["assigned_agent", "status"], name="case_agent_status"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["reporter_contact"], name="case_reporter_contact"),
        ),
        complaints.trigram.AddTrigramIndex(
            model_name="case",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("reporter_name"), name="gin_trgm_ops"
                ),
                name="case_reporter_name_trgm",
            ),
        ),
    ]
