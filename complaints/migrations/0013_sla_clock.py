from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("complaints", "0012_console_scale_indexes")]

    operations = []
