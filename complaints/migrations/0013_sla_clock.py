"""The SLA clock (complaints.sla): pauses, per-case figures, announced thresholds and the index
of the beat task.

Cheap on a 10M-row table: every new column is nullable or has a constant database default
(PostgreSQL 11+ adds those without rewriting the table), and the index on the new column is
built CONCURRENTLY, so the migration is not atomic.

The two statements at the end (data, in this file only because this session has one migration
number per feature) touch only the open cases, through the open-queue partial index:
- cases waiting for the customer get the start of their pause (their last move into that state);
- running cases get their first check time. A target already passed at deploy is recorded as
  announced without an event or a notice (supervisors are not mailed about every old breach at
  once); for the rest the first check is "80 % of the wall time to the due time", never later
  than the clock's real moment, and the beat task puts each case on its exact schedule.
Figures (response_seconds, …) are not computed for cases answered or resolved before: they
start with this release (the dashboards' own durations are unchanged)."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

PAUSE_STARTS = """
UPDATE complaints_case AS c
   SET sla_paused_at = coalesce(
         (SELECT max(e.created_at) FROM complaints_caseevent AS e
           WHERE e.case_id = c.id AND e.kind = 'status_changed'
             AND e.to_status = 'waiting_customer'),
         c.updated_at)
 WHERE c.status = 'waiting_customer' AND c.sla_paused_at IS NULL
"""

FIRST_CHECKS = """
UPDATE complaints_case
   SET response_alert = CASE WHEN first_response_at IS NULL AND response_due_at <= now()
                             THEN 2 ELSE response_alert END,
       resolution_alert = CASE WHEN resolution_due_at <= now() THEN 2 ELSE resolution_alert END,
       sla_check_at = least(
         CASE WHEN first_response_at IS NULL AND response_due_at > now()
              THEN created_at + (response_due_at - created_at) * 0.8 END,
         CASE WHEN resolution_due_at > now()
              THEN created_at + (resolution_due_at - created_at) * 0.8 END)
 WHERE status IN ('assigned', 'dispatched', 'on_site', 'received', 'reopened', 'verified')
"""

ALERT_CHOICES = [(0, "Belum ada"), (1, "Berisiko"), (2, "Terlampaui")]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("complaints", "0012_console_scale_indexes")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="sla_paused_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="SLA dijeda sejak"),
        ),
        migrations.AddField(
            model_name="case",
            name="sla_paused_seconds",
            field=models.PositiveIntegerField(
                db_default=0, default=0, verbose_name="SLA dijeda (detik)"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="response_seconds",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="waktu respons (detik)"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="resolution_seconds",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="waktu penyelesaian (detik)"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="response_breached",
            field=models.BooleanField(blank=True, null=True, verbose_name="respons melewati batas"),
        ),
        migrations.AddField(
            model_name="case",
            name="resolution_breached",
            field=models.BooleanField(
                blank=True, null=True, verbose_name="penyelesaian melewati batas"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="response_alert",
            field=models.PositiveSmallIntegerField(
                choices=ALERT_CHOICES,
                db_default=0,
                default=0,
                verbose_name="peringatan SLA respons",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="resolution_alert",
            field=models.PositiveSmallIntegerField(
                choices=ALERT_CHOICES,
                db_default=0,
                default=0,
                verbose_name="peringatan SLA penyelesaian",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="sla_check_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="pemeriksaan SLA berikutnya"
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Dibuat"),
                    ("status_changed", "Status berubah"),
                    ("note", "Catatan internal"),
                    ("message", "Pesan ke pelanggan"),
                    ("customer_message", "Pesan dari pelanggan"),
                    ("assigned", "Penugasan"),
                    ("priority_changed", "Prioritas berubah"),
                    ("merged_in", "Kasus lain digabung ke sini"),
                    ("attachment", "Lampiran"),
                    ("escalated", "Eskalasi"),
                    ("agent_changed", "Agen penanggung jawab berubah"),
                    ("incident_linked", "Ditautkan ke gangguan"),
                    ("incident_unlinked", "Dilepas dari gangguan"),
                    ("sla_at_risk", "SLA berisiko"),
                    ("sla_breached", "SLA terlampaui"),
                ],
                max_length=20,
                verbose_name="jenis",
            ),
        ),
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                condition=models.Q(("sla_check_at__isnull", False)),
                fields=["sla_check_at"],
                name="case_sla_check_due",
            ),
        ),
        migrations.RunSQL(PAUSE_STARTS, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(FIRST_CHECKS, reverse_sql=migrations.RunSQL.noop),
    ]
