import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("channels_intake", "0001_inbox"),
        ("complaints", "0006_event_kind_agent_changed"),
    ]

    operations = [
        migrations.CreateModel(
            name="Conversation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel", models.CharField(max_length=20, verbose_name="kanal")),
                ("sender", models.CharField(max_length=255, verbose_name="pengirim")),
                (
                    "step",
                    models.CharField(
                        choices=[
                            ("menu", "Menu utama"),
                            ("fault_kind", "Jenis gangguan"),
                            ("meter_kind", "Jenis masalah meteran"),
                            ("ask_id", "ID pelanggan / nomor meter"),
                            ("ask_name", "Nama"),
                            ("ask_address", "Alamat"),
                            ("ask_description", "Uraian"),
                            ("ask_photo", "Foto"),
                            ("outage_id", "Info pemadaman: ID pelanggan"),
                            ("status_ticket", "Cek status: nomor tiket"),
                        ],
                        default="menu",
                        max_length=20,
                        verbose_name="langkah",
                    ),
                ),
                ("data", models.JSONField(blank=True, default=dict, verbose_name="jawaban")),
                ("language", models.CharField(default="id", max_length=5, verbose_name="bahasa")),
                ("started_at", models.DateTimeField(verbose_name="dimulai")),
                ("last_message_at", models.DateTimeField(verbose_name="pesan terakhir")),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="complaints.case",
                        verbose_name="pengaduan terakhir",
                    ),
                ),
            ],
            options={
                "verbose_name": "percakapan bot",
                "verbose_name_plural": "percakapan bot",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("channel", "sender"), name="conversation_unique_sender"
                    )
                ],
            },
        ),
    ]
