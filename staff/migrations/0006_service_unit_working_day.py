from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("staff", "0005_holidays")]

    operations = [
        migrations.AddConstraint(
            model_name="serviceunit",
            constraint=models.CheckConstraint(
                condition=models.Q(("work_start__lt", models.F("work_end"))),
                name="service_unit_working_day_not_empty",
            ),
        ),
    ]
