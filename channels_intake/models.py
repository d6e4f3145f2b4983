"""The raw inbox: everything a channel delivered, stored verbatim before it is parsed."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    PROCESSED = "processed", _("Diproses")
    IGNORED = "ignored", _("Diabaikan")
    FAILED = "failed", _("Gagal")


class InboundMessage(models.Model):
    channel = models.CharField(_("kanal"), max_length=20)
    # The provider's id for what it delivered (a wamid, a Message-ID, a hash of a batch POST):
    # a repeated delivery finds its row and changes nothing.
    provider_message_id = models.CharField(_("id pesan penyedia"), max_length=255)
    received_at = models.DateTimeField(_("diterima"))
    remote_addr = models.GenericIPAddressField(_("alamat pengirim"), null=True, blank=True)
    content_type = models.CharField(_("jenis isi"), max_length=200, blank=True)
    headers = models.JSONField(_("header"), default=dict, blank=True)
    body = models.BinaryField(_("isi mentah"))
    status = models.CharField(
        _("status"), max_length=10, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    error = models.TextField(_("galat"), blank=True)
    processed_at = models.DateTimeField(_("diproses"), null=True, blank=True)
    case = models.ForeignKey(
        "complaints.Case",
        verbose_name=_("pengaduan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )

    class Meta:
        verbose_name = _("pesan masuk")
        verbose_name_plural = _("kotak masuk kanal")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id"], name="inbound_unique_provider_id"
            ),
        ]
        indexes = [
            models.Index(fields=["-received_at", "-id"], name="inbound_newest_first"),
            models.Index(
                fields=["received_at"],
                name="inbound_unfinished",
                condition=Q(status__in=["received", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.provider_message_id}"
