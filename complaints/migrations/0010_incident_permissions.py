from django.contrib.auth.management import create_permissions
from django.db import migrations

# Added to the role groups of staff.0002_roles (added, never set: other grants stay).
ROLE_PERMISSIONS = {
    "Agent": ["view_incident", "view_incidentevent", "view_plannedoutage", "view_stormswitch"],
    "Supervisor": [
        "view_incident",
        "view_incidentevent",
        "manage_incident",
        "view_plannedoutage",
        "add_plannedoutage",
        "change_plannedoutage",
        "view_stormswitch",
        "switch_storm_mode",
    ],
    "Technician": ["view_incident"],
    "Manager": [
        "view_incident",
        "view_incidentevent",
        "view_plannedoutage",
        "view_stormswitch",
        "view_tmp",
        "view_tmpcustomermonth",
        "view_tmpthreshold",
        "add_tmpthreshold",
        "change_tmpthreshold",
    ],
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
    dependencies = [
        ("complaints", "0009_incident_history_append_only"),
        ("staff", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
