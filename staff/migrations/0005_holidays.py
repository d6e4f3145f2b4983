from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("staff", "0004_dashboard_rollups")]

    operations = []
