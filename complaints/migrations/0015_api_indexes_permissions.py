from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("complaints", "0014_satisfaction")]

    operations = []
