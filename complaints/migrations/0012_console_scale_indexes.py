from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("complaints", "0011_api_webhooks_open311")]

    operations = []
