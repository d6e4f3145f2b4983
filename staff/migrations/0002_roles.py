from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_DOMAIN = [
    "complaints.view_case",
    "complaints.view_caseevent",
    "complaints.view_customer",
    "complaints.view_customercontact",
    "complaints.view_category",
    "complaints.view_attachment",
    "complaints.view_notification",
    "staff.view_serviceunit",
    "staff.view_technician",
]
AGENT = [
    *VIEW_DOMAIN,
    "complaints.add_case",
    "complaints.transition_case",
    "complaints.merge_case",
    "complaints.add_customer",
    "complaints.change_customer",
    "complaints.add_customercontact",
    "complaints.change_customercontact",
    "complaints.add_attachment",
]
SUPERVISOR = [
    *AGENT,
    "complaints.assign_case",
    "complaints.export_case",
    "staff.change_technician",
    "staff.view_staffmember",
]
TECHNICIAN = ["complaints.view_case", "complaints.transition_case", "complaints.add_attachment"]
MANAGER = [
    *VIEW_DOMAIN,
    "complaints.view_all_units",
    "complaints.export_case",
    "staff.view_staffmember",
]
ROLE_PERMISSIONS = {
    "Agent": AGENT,
    "Supervisor": SUPERVISOR,
    "Technician": TECHNICIAN,
    "Manager": MANAGER,
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrate; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("complaints", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
