"""Open311's servicerequestupdates feed reads the Open311 cases changed since a moment; a
partial index holds only them. Built CONCURRENTLY, so the migration is not atomic."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("complaints", "0016_case_name_search")]

    operations = [
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                condition=models.Q(("channel", "open311")),
                fields=["updated_at"],
                name="case_open311_updated",
            ),
        ),
    ]
