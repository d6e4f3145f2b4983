from django.db import migrations

# code, Indonesian, English, work type, default priority, response min, resolution min, skill,
# outage, hazard, sort order. Targets follow PLN's published field norms: outages answered
# within the hour and restored within hours; desk matters within working days.
CATEGORIES = [
    (
        "padam-rumah",
        "Listrik padam (rumah)",
        "Power outage at home",
        "field",
        2,
        60,
        180,
        "distribution",
        True,
        False,
        10,
    ),
    (
        "padam-area",
        "Padam meluas (satu area)",
        "Area outage",
        "field",
        2,
        30,
        240,
        "distribution",
        True,
        False,
        20,
    ),
    (
        "tegangan",
        "Tegangan tidak stabil / lampu berkedip",
        "Unstable voltage / flicker",
        "field",
        3,
        120,
        1440,
        "distribution",
        False,
        False,
        30,
    ),
    (
        "bahaya",
        "Bahaya: tiang roboh, kabel putus, percikan api",
        "Hazard: fallen pole, broken wire, sparks",
        "field",
        1,
        15,
        120,
        "distribution",
        False,
        True,
        5,
    ),
    (
        "meter",
        "Gangguan kWh meter",
        "Meter fault",
        "field",
        3,
        240,
        2880,
        "meter",
        False,
        False,
        40,
    ),
    (
        "token",
        "Masalah token prabayar",
        "Prepaid token problem",
        "back_office",
        3,
        120,
        960,
        "",
        False,
        False,
        50,
    ),
    (
        "tagihan",
        "Tagihan / rekening listrik",
        "Billing",
        "back_office",
        4,
        480,
        2400,
        "",
        False,
        False,
        60,
    ),
    (
        "info-padam",
        "Permintaan informasi pemadaman",
        "Outage information request",
        "back_office",
        4,
        60,
        480,
        "",
        False,
        False,
        70,
    ),
    (
        "layanan",
        "Kualitas pelayanan",
        "Service quality",
        "back_office",
        4,
        480,
        4800,
        "",
        False,
        False,
        80,
    ),
    ("lainnya", "Pengaduan lainnya", "Other", "back_office", 4, 480, 4800, "", False, False, 90),
]


def seed(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    for (
        code,
        name_id,
        name_en,
        work_type,
        priority,
        response,
        resolution,
        skill,
        outage,
        hazard,
        order,
    ) in CATEGORIES:
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name_id": name_id,
                "name_en": name_en,
                "work_type": work_type,
                "default_priority": priority,
                "response_minutes": response,
                "resolution_minutes": resolution,
                "skill": skill,
                "is_outage": outage,
                "is_hazard": hazard,
                "sort_order": order,
            },
        )


def unseed(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    Category.objects.filter(code__in=[row[0] for row in CATEGORIES], cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_case_event_append_only")]

    operations = [migrations.RunPython(seed, unseed)]
