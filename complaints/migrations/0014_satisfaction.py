"""Satisfaction survey answers (issue 5 point 7) and who may read them in the admin.

The grant is in the same file as the table only because this session has one migration number
for the feature; it is separate in spirit (RunPython after the schema, reversible)."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Added to the role groups of staff.0002_roles (added, never set: other grants stay).
ROLE_PERMISSIONS = {
    "Supervisor": ["view_satisfactionanswer"],
    "Manager": ["view_satisfactionanswer"],
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
        ("complaints", "0013_sla_clock"),
        ("staff", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="SatisfactionAnswer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "score",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")],
                        verbose_name="nilai",
                    ),
                ),
                ("fixed", models.BooleanField(verbose_name="masalah teratasi")),
                (
                    "comment",
                    models.CharField(blank=True, max_length=1000, verbose_name="komentar"),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("whatsapp", "WhatsApp"),
                            ("app", "Aplikasi mobile"),
                            ("call_center", "Call center 123"),
                            ("social", "Media sosial"),
                            ("email", "Email"),
                            ("web", "Formulir web"),
                            ("open311", "Open311"),
                        ],
                        max_length=12,
                        verbose_name="kanal",
                    ),
                ),
                ("answered_at", models.DateTimeField(verbose_name="dijawab")),
                ("answered_on", models.DateField(verbose_name="tanggal lokal")),
                (
                    "reopened",
                    models.BooleanField(default=False, verbose_name="membuka kembali pengaduan"),
                ),
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="satisfaction",
                        to="complaints.case",
                        verbose_name="pengaduan",
                    ),
                ),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="complaints.category",
                        verbose_name="kategori",
                    ),
                ),
                (
                    "service_unit",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="staff.serviceunit",
                        verbose_name="unit layanan",
                    ),
                ),
            ],
            options={
                "verbose_name": "jawaban survei kepuasan",
                "verbose_name_plural": "jawaban survei kepuasan",
                "indexes": [
                    models.Index(
                        fields=["service_unit", "answered_on"],
                        include=("score", "fixed", "reopened"),
                        name="satisfaction_unit_day",
                    ),
                    models.Index(
                        fields=["answered_on"],
                        include=("service_unit", "score", "fixed", "reopened"),
                        name="satisfaction_day",
                    ),
                    models.Index(fields=["-answered_at", "-id"], name="satisfaction_newest_first"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("score__gte", 1), ("score__lte", 5)),
                        name="satisfaction_score_1_to_5",
                    )
                ],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
