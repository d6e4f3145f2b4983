from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("complaints", "0013_sla_clock")]

    operations = []
