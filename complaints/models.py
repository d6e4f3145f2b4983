"""Customers, categories, cases and their timeline."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from complaints.identifiers import validate_id_pelanggan, validate_meter_number
from complaints.workflow import OPEN_STATES, CaseStatus


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    MOBILE_APP = "app", _("Aplikasi mobile")
    CALL_CENTER = "call_center", _("Call center 123")
    SOCIAL = "social", _("Media sosial")
    EMAIL = "email", _("Email")
    WEB = "web", _("Formulir web")
    OPEN311 = "open311", _("Open311")


class Priority(models.IntegerChoices):
    # Lower number = more urgent, so "ORDER BY priority" puts emergencies first.
    EMERGENCY = 1, _("Darurat")
    HIGH = 2, _("Tinggi")
    NORMAL = 3, _("Normal")
    LOW = 4, _("Rendah")


class WorkType(models.TextChoices):
    FIELD = "field", _("Pekerjaan lapangan")
    BACK_OFFICE = "back_office", _("Back office")


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Telepon")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")
    FACEBOOK = "facebook", _("Facebook")
    INSTAGRAM = "instagram", _("Instagram")
    X = "x", _("X (Twitter)")
    APP = "app", _("Akun aplikasi")


class Customer(models.Model):
    id_pelanggan = models.CharField(
        _("ID pelanggan"), max_length=12, unique=True, validators=[validate_id_pelanggan]
    )
    meter_number = models.CharField(
        _("nomor meter"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_meter_number],
    )
    name = models.CharField(_("nama"), max_length=120)
    address = models.TextField(_("alamat"))
    service_unit = models.ForeignKey(
        "staff.ServiceUnit",
        verbose_name=_("unit layanan"),
        on_delete=models.PROTECT,
        related_name="customers",
    )
    # Feeder / distribution substation code: how outages are grouped into incidents.
    area_code = models.CharField(_("kode gardu/penyulang"), max_length=30, blank=True)
    latitude = models.FloatField(_("lintang"), null=True, blank=True)
    longitude = models.FloatField(_("bujur"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("pelanggan")
        verbose_name_plural = _("pelanggan")
        constraints = [
            models.CheckConstraint(
                condition=Q(id_pelanggan__regex=r"^\d{12}$"), name="customer_id_pelanggan_12_digits"
            ),
            models.CheckConstraint(
                condition=Q(meter_number__isnull=True) | Q(meter_number__regex=r"^\d{11}$"),
                name="customer_meter_number_11_digits",
            ),
        ]
        indexes = [
            # Agents type the start of a number: prefix matches need pattern ops.
            models.Index(
                fields=["id_pelanggan"],
                name="customer_idpel_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["meter_number"],
                name="customer_meter_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="customer_name_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.id_pelanggan} {self.name}"


class CustomerContact(models.Model):
    """One way to reach (and recognize) a customer; values are normalized (E.164, lower-case
    email), so the same person is found whichever channel they use."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("jenis"), max_length=12, choices=ContactKind.choices)
    value = models.CharField(_("nilai"), max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kontak pelanggan")
        verbose_name_plural = _("kontak pelanggan")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="customer_contact_unique"),
        ]
        indexes = [
            models.Index(
                fields=["value"], name="contact_value_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Category(models.Model):
    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name_id = models.CharField(_("nama (Indonesia)"), max_length=120)
    name_en = models.CharField(_("nama (Inggris)"), max_length=120)
    work_type = models.CharField(_("jenis pekerjaan"), max_length=12, choices=WorkType.choices)
    default_priority = models.PositiveSmallIntegerField(
        _("prioritas bawaan"), choices=Priority.choices, default=Priority.NORMAL
    )
    response_minutes = models.PositiveIntegerField(_("target respons (menit)"))
    resolution_minutes = models.PositiveIntegerField(_("target penyelesaian (menit)"))
    # Which technicians can do the field work ("" for back-office categories).
    skill = models.CharField(_("keahlian"), max_length=30, blank=True)
    is_outage = models.BooleanField(_("gangguan padam"), default=False)
    is_hazard = models.BooleanField(_("bahaya"), default=False)
    active = models.BooleanField(_("aktif"), default=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = _("kategori")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution_minutes__gte=models.F("response_minutes")),
                name="category_resolution_after_response",
            ),
        ]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "id").startswith("en") else self.name_id

    @property
    def is_field_work(self) -> bool:
        return self.work_type == WorkType.FIELD


class Case(models.Model):
    ticket = models.CharField(_("nomor tiket"), max_length=13, unique=True, editable=False)
    channel = models.CharField(_("kanal"), max_length=12, choices=Channel.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("kategori"), on_delete=models.PROTECT, related_name="cases"
    )
    priority = models.PositiveSmallIntegerField(_("prioritas"), choices=Priority.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("pelanggan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    # The reporter as they gave themselves on the channel (may not be the customer).
    reporter_name = models.CharField(_("nama pelapor"), max_length=120, blank=True)
    reporter_contact_kind = models.CharField(
        _("jenis kontak pelapor"), max_length=12, choices=ContactKind.choices, blank=True
    )
    reporter_contact = models.CharField(_("kontak pelapor"), max_length=254, blank=True)
    description = models.TextField(_("uraian"))
    location_text = models.TextField(_("lokasi"), blank=True)
    latitude = models.FloatField(_("lintang"), null=True, blank=True)
    longitude = models.FloatField(_("bujur"), null=True, blank=True)
    service_unit = models.ForeignKey(
        "staff.ServiceUnit",
        verbose_name=_("unit layanan"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agen penanggung jawab"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agent_cases",
    )
    technician = models.ForeignKey(
        "staff.Technician",
        verbose_name=_("teknisi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("digabung ke"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
    )
    created_at = models.DateTimeField(_("dibuat"), db_index=True)
    updated_at = models.DateTimeField(_("diperbarui"))
    response_due_at = models.DateTimeField(_("batas respons"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("batas penyelesaian"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("respons pertama"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("diselesaikan"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    # Optimistic lock: every write bumps it; a write from a stale page is refused.
    version = models.PositiveIntegerField(_("versi"), default=1)

    class Meta:
        verbose_name = _("pengaduan")
        verbose_name_plural = _("pengaduan")
        permissions = [
            ("transition_case", _("Can move a case through the workflow")),
            ("assign_case", _("Can assign technicians and agents to a case")),
            ("merge_case", _("Can merge duplicate cases")),
            ("view_all_units", _("Can see cases of every service unit")),
            ("export_case", _("Can export case data")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=CaseStatus.MERGED, merged_into__isnull=False)
                | (~Q(status=CaseStatus.MERGED) & Q(merged_into__isnull=True)),
                name="case_merged_iff_merged_into",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("id")), name="case_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.CLOSED, closed_at__isnull=False)
                | ~Q(status=CaseStatus.CLOSED),
                name="case_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["assigned", "dispatched", "on_site"], technician__isnull=False
                )
                | ~Q(status__in=["assigned", "dispatched", "on_site"]),
                name="case_field_states_have_technician",
            ),
            models.CheckConstraint(
                condition=Q(ticket__regex=r"^ADU-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$"),
                name="case_ticket_format",
            ),
        ]
        indexes = [
            # Queues: open cases of a unit by SLA due time.
            models.Index(
                fields=["service_unit", "resolution_due_at"],
                name="case_open_unit_due",
                condition=Q(status__in=sorted(OPEN_STATES)),
            ),
            models.Index(fields=["status", "service_unit", "-created_at"], name="case_status_unit"),
            models.Index(fields=["customer", "status"], name="case_customer_status"),
            models.Index(fields=["technician", "status"], name="case_technician_status"),
            models.Index(fields=["-created_at", "-id"], name="case_newest_first"),
            # The open queue of a user who sees every unit, by SLA due time.
            models.Index(
                fields=["resolution_due_at", "id"],
                name="case_open_due",
                condition=Q(status__in=sorted(OPEN_STATES)),
            ),
            models.Index(fields=["assigned_agent", "status"], name="case_agent_status"),
            # Console search: a caller's number as given, a passer-by's name.
            models.Index(fields=["reporter_contact"], name="case_reporter_contact"),
            GinIndex(
                OpClass(Upper("reporter_name"), name="gin_trgm_ops"), name="case_reporter_name_trgm"
            ),
        ]

    def __str__(self) -> str:
        return self.ticket

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES


class EventKind(models.TextChoices):
    CREATED = "created", _("Dibuat")
    STATUS_CHANGED = "status_changed", _("Status berubah")
    NOTE = "note", _("Catatan internal")
    MESSAGE = "message", _("Pesan ke pelanggan")
    CUSTOMER_MESSAGE = "customer_message", _("Pesan dari pelanggan")
    ASSIGNED = "assigned", _("Penugasan")
    PRIORITY_CHANGED = "priority_changed", _("Prioritas berubah")
    MERGED_IN = "merged_in", _("Kasus lain digabung ke sini")
    ATTACHMENT = "attachment", _("Lampiran")
    ESCALATED = "escalated", _("Eskalasi")
    AGENT_CHANGED = "agent_changed", _("Agen penanggung jawab berubah")


class CaseEvent(models.Model):
    """Append-only timeline of a case; a database trigger refuses UPDATE and DELETE."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    created_at = models.DateTimeField(_("waktu"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelaku"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Who acted when there is no user: "system:dispatch", "customer:whatsapp".
    actor_label = models.CharField(_("label pelaku"), max_length=60, blank=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=EventKind.choices)
    from_status = models.CharField(
        _("dari status"), max_length=20, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("ke status"), max_length=20, choices=CaseStatus.choices, blank=True
    )
    note = models.TextField(_("catatan"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("peristiwa pengaduan")
        verbose_name_plural = _("peristiwa pengaduan")
        indexes = [models.Index(fields=["case", "-created_at", "-id"], name="case_event_timeline")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Content-addressed: the stored name never comes from the uploader.
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("berkas"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("nama asli"), max_length=200, blank=True)
    content_type = models.CharField(_("jenis isi"), max_length=40)
    size = models.PositiveIntegerField(_("ukuran (bita)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("diunggah"))

    class Meta:
        verbose_name = _("lampiran")
        verbose_name_plural = _("lampiran")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    content_type__in=["image/jpeg", "image/png", "image/webp", "application/pdf"]
                ),
                name="attachment_allowed_content_type",
            ),
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="attachment_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]

    @property
    def extension(self) -> str:
        return {
            "image/jpeg": "jpg",
            "image/png": "png",
            "image/webp": "webp",
            "application/pdf": "pdf",
        }[self.content_type]


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    SENDING = "sending", _("Sedang dikirim")
    SENT = "sent", _("Terkirim")
    DELIVERED = "delivered", _("Diterima")
    READ = "read", _("Dibaca")
    FAILED = "failed", _("Gagal")


class Notification(models.Model):
    """Outbox: written in the transaction of the change that causes it, delivered by a task."""

    # Bot replies and one-time codes belong to no case yet.
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    event = models.ForeignKey(
        CaseEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    # One notice per (event, recipient): a task that runs twice cannot write or send twice.
    idempotency_key = models.CharField(max_length=100, unique=True)
    # A case channel, or "sms" / "push" for notices that go beside the original channel.
    channel = models.CharField(_("kanal"), max_length=12)
    recipient = models.CharField(_("penerima"), max_length=254)
    language = models.CharField(max_length=5, default="id")
    template = models.CharField(_("templat"), max_length=40)
    body = models.TextField(_("isi"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_message_id = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_pending_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient}"
