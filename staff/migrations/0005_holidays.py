"""Holiday calendar for back-office SLA clocks, seeded with Indonesia's national holidays.

2026 is the SKB 3 Menteri (No. 1497/2025, 2/2025, 5/2025) list of national holidays (libur
nasional; cuti bersama are not included: offices decide those, add them in the admin). 2027
is computed from the calendars until its SKB is published: the lunar dates (Islamic, Chinese,
Saka, Waisak) may move by a day after the government's decision; correct them in the admin.

The seed is also run by tests/reference_data.py after a test database flush, so it only
creates what is missing."""

import datetime

import django.db.models.deletion
from django.db import migrations, models

NATIONAL_HOLIDAYS = (
    # 2026 (SKB 3 Menteri)
    ("2026-01-01", "Tahun Baru 2026 Masehi"),
    ("2026-01-16", "Isra Mikraj Nabi Muhammad SAW"),
    ("2026-02-17", "Tahun Baru Imlek 2577 Kongzili"),
    ("2026-03-19", "Hari Suci Nyepi Tahun Baru Saka 1948"),
    ("2026-03-21", "Idulfitri 1447 Hijriah"),
    ("2026-03-22", "Idulfitri 1447 Hijriah"),
    ("2026-04-03", "Wafat Yesus Kristus"),
    ("2026-04-05", "Kebangkitan Yesus Kristus (Paskah)"),
    ("2026-05-01", "Hari Buruh Internasional"),
    ("2026-05-14", "Kenaikan Yesus Kristus"),
    ("2026-05-27", "Iduladha 1447 Hijriah"),
    ("2026-05-31", "Hari Raya Waisak 2570 BE"),
    ("2026-06-01", "Hari Lahir Pancasila"),
    ("2026-06-16", "Tahun Baru Islam 1448 Hijriah"),
    ("2026-08-17", "Proklamasi Kemerdekaan Republik Indonesia"),
    ("2026-08-25", "Maulid Nabi Muhammad SAW"),
    ("2026-12-25", "Kelahiran Yesus Kristus (Natal)"),
    # 2027 (computed; see the module docstring)
    ("2027-01-01", "Tahun Baru 2027 Masehi"),
    ("2027-01-05", "Isra Mikraj Nabi Muhammad SAW"),
    ("2027-02-06", "Tahun Baru Imlek 2578 Kongzili"),
    ("2027-03-09", "Hari Suci Nyepi Tahun Baru Saka 1949"),
    ("2027-03-10", "Idulfitri 1448 Hijriah"),
    ("2027-03-11", "Idulfitri 1448 Hijriah"),
    ("2027-03-26", "Wafat Yesus Kristus"),
    ("2027-03-28", "Kebangkitan Yesus Kristus (Paskah)"),
    ("2027-05-01", "Hari Buruh Internasional"),
    ("2027-05-06", "Kenaikan Yesus Kristus"),
    ("2027-05-17", "Iduladha 1448 Hijriah"),
    ("2027-05-20", "Hari Raya Waisak 2571 BE"),
    ("2027-06-01", "Hari Lahir Pancasila"),
    ("2027-06-06", "Tahun Baru Islam 1449 Hijriah"),
    ("2027-08-15", "Maulid Nabi Muhammad SAW"),
    ("2027-08-17", "Proklamasi Kemerdekaan Republik Indonesia"),
    ("2027-12-25", "Kelahiran Yesus Kristus (Natal)"),
)


def seed_national_holidays(apps, schema_editor) -> None:
    Holiday = apps.get_model("staff", "Holiday")
    existing = set(Holiday.objects.filter(service_unit__isnull=True).values_list("date", flat=True))
    Holiday.objects.bulk_create(
        Holiday(date=day, name=name)
        for day, name in (
            (datetime.date.fromisoformat(text), name) for text, name in NATIONAL_HOLIDAYS
        )
        if day not in existing
    )


def remove_national_holidays(apps, schema_editor) -> None:
    Holiday = apps.get_model("staff", "Holiday")
    Holiday.objects.filter(
        service_unit__isnull=True,
        date__in=[datetime.date.fromisoformat(text) for text, _ in NATIONAL_HOLIDAYS],
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("staff", "0004_dashboard_rollups")]

    operations = [
        migrations.CreateModel(
            name="Holiday",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="tanggal")),
                ("name", models.CharField(max_length=120, verbose_name="nama")),
                (
                    "service_unit",
                    models.ForeignKey(
                        blank=True,
                        help_text="Kosongkan untuk libur nasional.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="holidays",
                        to="staff.serviceunit",
                        verbose_name="unit layanan",
                    ),
                ),
            ],
            options={
                "verbose_name": "hari libur",
                "verbose_name_plural": "hari libur",
                "ordering": ["date", "service_unit"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("date", "service_unit"),
                        name="holiday_unique_day",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.RunPython(seed_national_holidays, remove_national_holidays),
    ]
