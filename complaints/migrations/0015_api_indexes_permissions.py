"""Issue 8's API: indexes for its list filters, and the role groups' grants on its admin pages.

Indexes (EXPLAIN ANALYZE on a 300k-case bench set, Open311 2 % of cases): Open311's request
list and the API's ``channel`` filter walked the newest-first index and dropped every case of
another channel (49k rows read for a page of 1000 Open311 requests: 60 ms, growing with the
table; now 1000 rows read); ``updated_after`` (an integration polling for changes) read the
whole table when nothing had changed (parallel seq scan, 99 ms; now 0.1 ms); a webhook
subscription's deliveries (its admin page, the outbox filtered by channel and recipient) had no
index (300k outbox rows: seq scan, 106 ms; now 0.08 ms). Built CONCURRENTLY (big tables, written
all the time), so the migration is not atomic; the grants run in a transaction of their own.

Grants, added to the groups of staff.0002_roles (never set: other grants stay): every staff
role that may use the API issues and revokes its own API tokens (the admin shows a user only
their own); managers see, read-only, the webhook subscriptions with their deliveries and the
Open311 client applications. Making or changing those (secrets, keys) stays with superusers.
"""

from django.contrib.auth.management import create_permissions
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

OWN_API_TOKENS = ["view_apitoken", "add_apitoken", "change_apitoken"]
ROLE_PERMISSIONS = {
    "Agent": OWN_API_TOKENS,
    "Supervisor": OWN_API_TOKENS,
    "Manager": [*OWN_API_TOKENS, "view_webhooksubscription", "view_open311client"],
}


def _permissions(apps, codes):
    Permission = apps.get_model("auth", "Permission")
    return list(Permission.objects.filter(content_type__app_label="complaints", codename__in=codes))


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    app_config = apps.get_app_config("complaints")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*_permissions(apps, codes))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codes))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("complaints", "0014_satisfaction"),
        ("staff", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                fields=["channel", "-created_at", "-id"], name="case_channel_newest"
            ),
        ),
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(fields=["updated_at"], name="case_updated_at"),
        ),
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(
                fields=["channel", "recipient", "-created_at", "-id"],
                name="notification_recipient",
            ),
        ),
        migrations.RunPython(grant, revoke, atomic=True),
    ]
