# Dashboard rollups (staff.dashboards): derived tables, rebuilt from complaints_case.

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        # Category exists since the first complaints migration; depending on a later one would
        # tie this migration to work in progress there.
        ("complaints", "0001_initial"),
        ("staff", "0003_serviceunit_work_hours_time_defaults"),
    ]

    operations = [
        migrations.CreateModel(
            name="UnitCustomerCount",
            fields=[
                (
                    "service_unit",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="staff.serviceunit",
                        verbose_name="unit layanan",
                    ),
                ),
                ("customers", models.PositiveIntegerField(verbose_name="pelanggan")),
                ("counted_at", models.DateTimeField(verbose_name="dihitung")),
            ],
            options={
                "verbose_name": "jumlah pelanggan unit",
                "verbose_name_plural": "jumlah pelanggan unit",
            },
        ),
        migrations.CreateModel(
            name="DashboardRollupRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("full", "Seluruh riwayat"), ("recent", "Hari-hari terakhir")],
                        max_length=10,
                        verbose_name="jenis",
                    ),
                ),
                ("started_at", models.DateTimeField(verbose_name="mulai")),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="selesai"),
                ),
                ("first_day", models.DateField(blank=True, null=True, verbose_name="hari pertama")),
                ("rows", models.PositiveIntegerField(default=0, verbose_name="baris")),
            ],
            options={
                "verbose_name": "pembaruan ringkasan dasbor",
                "verbose_name_plural": "pembaruan ringkasan dasbor",
                "indexes": [models.Index(fields=["kind", "-started_at"], name="rollup_run_latest")],
            },
        ),
        migrations.CreateModel(
            name="CaseRollup",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "period",
                    models.CharField(
                        choices=[("day", "Hari"), ("week", "Minggu")],
                        max_length=4,
                        verbose_name="periode",
                    ),
                ),
                ("day", models.DateField(verbose_name="hari")),
                ("channel", models.CharField(max_length=12, verbose_name="kanal")),
                ("received", models.PositiveIntegerField(default=0, verbose_name="diterima")),
                ("responded", models.PositiveIntegerField(default=0, verbose_name="direspons")),
                (
                    "responded_on_time",
                    models.PositiveIntegerField(default=0, verbose_name="direspons tepat waktu"),
                ),
                (
                    "response_seconds",
                    models.BigIntegerField(default=0, verbose_name="total detik respons"),
                ),
                ("resolved", models.PositiveIntegerField(default=0, verbose_name="diselesaikan")),
                (
                    "resolved_on_time",
                    models.PositiveIntegerField(default=0, verbose_name="diselesaikan tepat waktu"),
                ),
                (
                    "resolution_seconds",
                    models.BigIntegerField(default=0, verbose_name="total detik penyelesaian"),
                ),
                (
                    "category",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="complaints.category",
                        verbose_name="kategori",
                    ),
                ),
                (
                    "service_unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="staff.serviceunit",
                        verbose_name="unit layanan",
                    ),
                ),
            ],
            options={
                "verbose_name": "ringkasan pengaduan",
                "verbose_name_plural": "ringkasan pengaduan",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("period", "day", "service_unit", "channel", "category"),
                        name="case_rollup_unique",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DurationHistogram",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "period",
                    models.CharField(
                        choices=[("day", "Hari"), ("week", "Minggu")],
                        max_length=4,
                        verbose_name="periode",
                    ),
                ),
                ("day", models.DateField(verbose_name="hari")),
                (
                    "metric",
                    models.CharField(
                        choices=[
                            ("first_response", "Respons pertama"),
                            ("resolution", "Penyelesaian"),
                        ],
                        max_length=20,
                        verbose_name="ukuran",
                    ),
                ),
                (
                    "counts",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.PositiveIntegerField(),
                        size=None,
                        verbose_name="jumlah per rentang",
                    ),
                ),
                (
                    "service_unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="staff.serviceunit",
                        verbose_name="unit layanan",
                    ),
                ),
            ],
            options={
                "verbose_name": "histogram durasi",
                "verbose_name_plural": "histogram durasi",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("period", "day", "service_unit", "metric"),
                        name="duration_histogram_unique",
                    )
                ],
            },
        ),
    ]
