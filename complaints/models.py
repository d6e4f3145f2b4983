"""Customers, categories, cases and their timeline."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


class Language(models.TextChoices):
    INDONESIAN = "id", _("Bahasa Indonesia")
    ENGLISH = "en", _("English")


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
        verbose_name_plural = pgettext_lazy("plural", "pelanggan")
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
            # Agents type the start of a number: prefix matches need pattern ops, which Django
            # already gives unique CharFields on PostgreSQL (the "…_like" indexes).
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
        verbose_name_plural = pgettext_lazy("plural", "kontak pelanggan")
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
        verbose_name_plural = pgettext_lazy("plural", "kategori")
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


class SlaAlert(models.IntegerChoices):
    NONE = 0, _("Belum ada")
    AT_RISK = 1, _("Berisiko")
    BREACHED = 2, _("Terlampaui")


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
        db_index=False,  # case_customer_status leads with it
    )
    # The reporter as they gave themselves on the channel (may not be the customer).
    reporter_name = models.CharField(_("nama pelapor"), max_length=120, blank=True)
    # The customer's and the reporter's names, upper-cased, for the console's name search
    # (selectors.search_cases): one trigram-indexed column of the case itself, so a search
    # reads the list in its own order instead of the matching customers first. Written by the
    # database (trigger case_search_name, migration 0019) on every insert and on a change of
    # the customer, the reporter's name or the customer's name: never by the application.
    search_name = models.TextField(editable=False, db_default="")
    reporter_contact_kind = models.CharField(
        _("jenis kontak pelapor"), max_length=12, choices=ContactKind.choices, blank=True
    )
    reporter_contact = models.CharField(_("kontak pelapor"), max_length=254, blank=True)
    # Notices go out in this language (templates exist in every one of them).
    reporter_language = models.CharField(
        _("bahasa pelapor"), max_length=5, choices=Language.choices, default=Language.INDONESIAN
    )
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
        db_index=False,  # case_agent_status leads with it
    )
    technician = models.ForeignKey(
        "staff.Technician",
        verbose_name=_("teknisi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        db_index=False,  # case_technician_status leads with it
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("digabung ke"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
    )
    # No index of its own: case_newest_names (-created_at, -id) serves created_at, read backwards.
    created_at = models.DateTimeField(_("dibuat"))
    updated_at = models.DateTimeField(_("diperbarui"))
    response_due_at = models.DateTimeField(_("batas respons"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("batas penyelesaian"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("respons pertama"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("diselesaikan"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    # --- SLA clock (complaints.sla) ---
    # While waiting for the customer the clock stands still: when the current pause began, and
    # the seconds it stood still so far (pauses, and the time a reopened case spent resolved).
    sla_paused_at = models.DateTimeField(_("SLA dijeda sejak"), null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(
        _("SLA dijeda (detik)"), default=0, db_default=0
    )
    # Figures for reports, set when the first response / the resolution happens: clock seconds
    # (wall time minus pauses) and whether the target was missed (a resolution breach stays
    # recorded when the case is reopened).
    response_seconds = models.PositiveIntegerField(
        _("waktu respons (detik)"), null=True, blank=True
    )
    resolution_seconds = models.PositiveIntegerField(
        _("waktu penyelesaian (detik)"), null=True, blank=True
    )
    response_breached = models.BooleanField(_("respons melewati batas"), null=True, blank=True)
    resolution_breached = models.BooleanField(
        _("penyelesaian melewati batas"), null=True, blank=True
    )
    # The thresholds already announced (event + supervisors' notice), one level per target:
    # the beat task moves them up with a conditional write under the row lock, so each is
    # announced once.
    response_alert = models.PositiveSmallIntegerField(
        _("peringatan SLA respons"), choices=SlaAlert.choices, default=0, db_default=0
    )
    resolution_alert = models.PositiveSmallIntegerField(
        _("peringatan SLA penyelesaian"), choices=SlaAlert.choices, default=0, db_default=0
    )
    # When the next unannounced threshold falls due; NULL when none can (paused, done, all
    # announced). Never later than the real moment (an early wake-up only reschedules).
    sla_check_at = models.DateTimeField(_("pemeriksaan SLA berikutnya"), null=True, blank=True)
    # Optimistic lock: every write bumps it; a write from a stale page is refused.
    version = models.PositiveIntegerField(_("versi"), default=1)
    # --- Outage incidents (complaints.incidents) ---
    # The outage incident this report belongs to: the incident is dispatched, given an ETR
    # and restored as one; the case is not dispatched on its own while linked.
    incident = models.ForeignKey(
        "Incident",
        verbose_name=_("gangguan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    incident_linked_at = models.DateTimeField(_("ditautkan ke gangguan"), null=True, blank=True)
    # "Listrik masih padam" after a restoration opens a nested outage that points here.
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("lanjutan dari"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
    )

    class Meta:
        verbose_name = _("pengaduan")
        verbose_name_plural = pgettext_lazy("plural", "pengaduan")
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
            # Incident fan-outs pick "cases linked before this change" by the link time.
            models.CheckConstraint(
                condition=Q(incident__isnull=True, incident_linked_at__isnull=True)
                | Q(incident__isnull=False, incident_linked_at__isnull=False),
                name="case_incident_has_linked_at",
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
            # Newest first, with what a name search checks of each case (its units and names),
            # so that a search of all cases walks this index alone until it has a page,
            # without reading each case it passes from the table (migration 0022).
            models.Index(
                fields=["-created_at", "-id"],
                include=["service_unit", "search_name"],
                name="case_newest_names",
            ),
            # API and Open311 lists of one channel, newest first (Open311 is a small share: on
            # case_newest_names it would skip every other case of the period).
            models.Index(fields=["channel", "-created_at", "-id"], name="case_channel_newest"),
            # Integrations poll "changed since" (?updated_after=): a handful of rows, not a scan.
            models.Index(fields=["updated_at"], name="case_updated_at"),
            # Open311's servicerequestupdates feed: the few Open311 cases changed since a
            # moment, without walking every channel's changes of up to 90 days.
            models.Index(
                fields=["updated_at"],
                name="case_open311_updated",
                condition=Q(channel="open311"),
            ),
            # The open queue of a user who sees every unit, by SLA due time. Covering: every
            # console filter on the open queue (channel, priority, category, unit, SLA, owner)
            # and its capped count read the index alone, not each open case from the heap.
            models.Index(
                fields=["resolution_due_at", "id"],
                include=[
                    "status",
                    "channel",
                    "priority",
                    "category",
                    "service_unit",
                    "created_at",
                    "assigned_agent",
                    "technician",
                ],
                name="case_open_due_cover",
                condition=Q(status__in=sorted(OPEN_STATES)),
            ),
            models.Index(fields=["assigned_agent", "status"], name="case_agent_status"),
            # The SLA beat task (complaints.sla.sla_sweep): "sla_check_at <= now ORDER BY
            # sla_check_at" is a range scan of this index, which holds only running cases with
            # a threshold still to announce (paused, finished and fully announced cases are NULL).
            models.Index(
                fields=["sla_check_at"],
                name="case_sla_check_due",
                condition=Q(sla_check_at__isnull=False),
            ),
            # Console search: a caller's number as given; a customer's or reporter's name.
            models.Index(fields=["reporter_contact"], name="case_reporter_contact"),
            GinIndex(OpClass("search_name", name="gin_trgm_ops"), name="case_search_name_trgm"),
            # The same for open cases only: a name searched in the open queue (the default
            # list) matches a few hundred open cases, not the tens of thousands of all time.
            # The unit beside the name (btree_gin): a scoped user's units and fragment are one
            # lookup, not a name lookup ANDed with a bitmap of the units' open cases (0022).
            GinIndex(
                OpClass("search_name", name="gin_trgm_ops"),
                "service_unit",
                name="case_open_name_unit_trgm",
                condition=Q(status__in=sorted(OPEN_STATES)),
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
    INCIDENT_LINKED = "incident_linked", _("Ditautkan ke gangguan")
    INCIDENT_UNLINKED = "incident_unlinked", _("Dilepas dari gangguan")
    SLA_AT_RISK = "sla_at_risk", _("SLA berisiko")
    SLA_BREACHED = "sla_breached", _("SLA terlampaui")


class CaseEvent(models.Model):
    """Append-only timeline of a case; a database trigger refuses UPDATE and DELETE."""

    # No index of its own: case_event_timeline leads with it.
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events", db_index=False)
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
        verbose_name_plural = pgettext_lazy("plural", "peristiwa pengaduan")
        indexes = [
            models.Index(fields=["case", "-created_at", "-id"], name="case_event_timeline"),
            # The event list in the admin, newest first, without sorting every event.
            models.Index(fields=["-created_at", "-id"], name="caseevent_newest_first"),
        ]

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
        verbose_name_plural = pgettext_lazy("plural", "lampiran")
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
    # Forward only: pending → sending → sent → delivered → read, or failed. ``unknown`` is a
    # send that may have reached the provider before a crash; ``superseded`` a notice that a
    # newer one replaced within the quiet period (never sent).
    PENDING = "pending", _("Menunggu")
    SENDING = "sending", _("Sedang dikirim")
    UNKNOWN = "unknown", _("Belum pasti (menunggu konfirmasi penyedia)")
    SENT = "sent", _("Terkirim")
    DELIVERED = "delivered", _("Diterima")
    READ = "read", _("Dibaca")
    FAILED = "failed", _("Gagal")
    SUPERSEDED = "superseded", _("Digantikan pemberitahuan yang lebih baru")


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
    # Structured parts for providers that need more than the text: WhatsApp template
    # parameters, the e-mail subject, the push title.
    context = models.JSONField(_("konteks"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
    )
    # Which provider took the last attempt ("whatsapp", "sms", "local", …): reconciliation
    # after a crash depends on whether that provider can be asked twice safely.
    backend = models.CharField(_("penyedia"), max_length=12, blank=True)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    provider_message_id = models.CharField(_("ID pesan penyedia"), max_length=200, blank=True)
    last_error = models.TextField(_("galat terakhir"), blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("digantikan oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dibuat"))
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    # When the last attempt started: a row left in "sending" past a timeout lost its worker.
    claimed_at = models.DateTimeField(_("mulai dikirim"), null=True, blank=True)
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("diterima"), null=True, blank=True)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = pgettext_lazy("plural", "notifikasi")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=NotificationStatus.SUPERSEDED, superseded_by__isnull=False)
                | (~Q(status=NotificationStatus.SUPERSEDED) & Q(superseded_by__isnull=True)),
                name="notification_superseded_iff_superseded_by",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["sent", "delivered", "read"]) | Q(sent_at__isnull=False),
                name="notification_sent_has_sent_at",
            ),
        ]
        indexes = [
            # The requeue sweep: pending rows whose time has come.
            models.Index(
                fields=["next_attempt_at"],
                name="notification_pending_due",
                condition=Q(status="pending"),
            ),
            # The reconcile sweep: attempts that never reported back.
            models.Index(
                fields=["claimed_at"],
                name="notification_in_flight",
                condition=Q(status__in=["sending", "unknown"]),
            ),
            # Provider callbacks find the row by the provider's message id.
            models.Index(
                fields=["channel", "provider_message_id"],
                name="notification_provider_id",
                condition=~Q(provider_message_id=""),
            ),
            # A webhook subscription's deliveries (its admin page, the outbox filtered by
            # channel and recipient), newest first.
            models.Index(
                fields=["channel", "recipient", "-created_at", "-id"],
                name="notification_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient}"


class ChannelWindow(models.Model):
    """When a customer last wrote to us on a channel. WhatsApp (and Messenger) take free text
    only within 24 hours of it; outside, only an approved template."""

    channel = models.CharField(_("kanal"), max_length=12)
    recipient = models.CharField(_("penerima"), max_length=254)
    last_inbound_at = models.DateTimeField(_("pesan masuk terakhir"))

    class Meta:
        verbose_name = _("jendela layanan kanal")
        verbose_name_plural = pgettext_lazy("plural", "jendela layanan kanal")
        constraints = [
            models.UniqueConstraint(fields=["channel", "recipient"], name="channel_window_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.recipient} {self.last_inbound_at:%Y-%m-%d %H:%M}"


# --- Outage incidents, planned outages, storm mode, service-quality figures -----------------
# Written only by complaints.incidents (incidents, storm mode) and complaints.tmp (figures);
# planned outages are a schedule kept in the admin.


class IncidentKind(models.TextChoices):
    FAULT = "fault", _("Gangguan")
    PLANNED = "planned", _("Pemadaman terencana")


class IncidentStatus(models.TextChoices):
    # The words PLN Mobile shows for a widespread outage: INFO (PADAM MELUAS) → NYALA
    # BERTAHAP → NYALA → SELESAI.
    ACTIVE = "active", _("Padam meluas")
    PARTIAL = "partial", _("Nyala bertahap")
    RESTORED = "restored", _("Nyala")
    CLOSED = "closed", _("Selesai")
    MERGED = "merged", _("Digabung")
    CANCELLED = "cancelled", _("Dibatalkan")


# Reports link to an incident only in these states; at most one per (unit, area key).
ACTIVE_INCIDENT_STATES = (IncidentStatus.ACTIVE, IncidentStatus.PARTIAL)


class PlannedOutage(models.Model):
    """A scheduled outage (maintenance, network work): shown on the public page, answered by
    the bot's "informasi pemadaman", and the answer to a complaint made inside its window."""

    service_unit = models.ForeignKey(
        "staff.ServiceUnit",
        verbose_name=_("unit layanan"),
        on_delete=models.PROTECT,
        related_name="planned_outages",
    )
    # Feeder / substation codes (Customer.area_code); empty = the whole unit and those below.
    area_codes = ArrayField(
        models.CharField(max_length=30),
        verbose_name=_("kode gardu/penyulang"),
        default=list,
        blank=True,
        help_text=_("Kosongkan bila seluruh wilayah unit padam. Pisahkan dengan koma."),
    )
    starts_at = models.DateTimeField(_("mulai"))
    ends_at = models.DateTimeField(_("selesai"))
    # Public text: customers read it on the page, in the bot and in the notice.
    reason = models.CharField(_("alasan / pekerjaan"), max_length=200)
    areas_text = models.CharField(
        _("wilayah terdampak (untuk umum)"),
        max_length=300,
        blank=True,
        help_text=_("Contoh: Jl. Merdeka, Kel. Cikini, RW 01 sampai 05."),
    )
    cancelled = models.BooleanField(_("dibatalkan"), default=False)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dibuat oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pemadaman terencana")
        verbose_name_plural = pgettext_lazy("plural", "pemadaman terencana")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="planned_outage_ends_after_start",
            ),
        ]
        indexes = [
            # Public page, bot and intake: what is on now or soon, per unit.
            models.Index(
                fields=["ends_at", "service_unit"],
                name="planned_outage_upcoming",
                condition=Q(cancelled=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_unit_id} {self.starts_at:%Y-%m-%d %H:%M}: {self.reason}"


class Incident(models.Model):
    """One outage affecting an area: many reports, one crew, one ETR, one restoration."""

    kind = models.CharField(
        _("jenis"), max_length=10, choices=IncidentKind.choices, default=IncidentKind.FAULT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.ACTIVE
    )
    service_unit = models.ForeignKey(
        "staff.ServiceUnit",
        verbose_name=_("unit layanan"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    # What reports are grouped by: "feeder:<area code>", "geo:<first case id>",
    # "planned:<planned outage id>" or "split:<its first case id>" (unique among active incidents).
    area_key = models.CharField(_("kunci area"), max_length=80)
    area_code = models.CharField(_("kode gardu/penyulang"), max_length=30, blank=True)
    # Reports without an area code join within radius_m of the first report's location.
    latitude = models.FloatField(_("lintang"), null=True, blank=True)
    longitude = models.FloatField(_("bujur"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=0)
    planned_outage = models.ForeignKey(
        PlannedOutage,
        verbose_name=_("pemadaman terencana"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    # Public description (no personal data): the bot and the public page show it.
    title = models.CharField(_("judul"), max_length=200, blank=True)
    etr = models.DateTimeField(_("perkiraan menyala (ETR)"), null=True, blank=True)
    crew = models.ForeignKey(
        "staff.Technician",
        verbose_name=_("regu / teknisi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    crew_assigned_at = models.DateTimeField(_("regu ditugaskan"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("dikonfirmasi"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dikonfirmasi oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("mulai padam"))
    created_at = models.DateTimeField(_("dibuat"))
    updated_at = models.DateTimeField(_("diperbarui"))
    restored_at = models.DateTimeField(_("menyala"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("digabung ke"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_incidents",
    )
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("dipisah dari"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="split_incidents",
    )
    version = models.PositiveIntegerField(_("versi"), default=1)

    class Meta:
        verbose_name = _("gangguan")
        verbose_name_plural = pgettext_lazy("plural", "gangguan")
        permissions = [
            ("manage_incident", _("Can confirm, split, merge, restore and close incidents")),
            ("switch_storm_mode", _("Can switch storm mode of a service unit")),
            ("view_tmp", _("Can see service-quality (TMP) figures")),
        ]
        constraints = [
            # Two reports arriving at once cannot open two incidents for one area.
            models.UniqueConstraint(
                fields=["service_unit", "area_key"],
                condition=Q(status__in=["active", "partial"]),
                name="incident_one_active_per_area",
            ),
            models.CheckConstraint(
                condition=Q(status=IncidentStatus.MERGED, merged_into__isnull=False)
                | (~Q(status=IncidentStatus.MERGED) & Q(merged_into__isnull=True)),
                name="incident_merged_iff_merged_into",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["restored", "closed"]) | Q(restored_at__isnull=False),
                name="incident_restored_has_restored_at",
            ),
            models.CheckConstraint(
                condition=Q(kind=IncidentKind.PLANNED, planned_outage__isnull=False)
                | (~Q(kind=IncidentKind.PLANNED) & Q(planned_outage__isnull=True)),
                name="incident_planned_iff_planned_outage",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "service_unit", "-started_at"], name="incident_status"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"GGN-{self.pk:06d}" if self.pk else "GGN-?"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_INCIDENT_STATES


class IncidentEventKind(models.TextChoices):
    CREATED = "created", _("Dibuat")
    CONFIRMED = "confirmed", _("Dikonfirmasi")
    ETR_SET = "etr_set", _("ETR ditetapkan")
    CREW_ASSIGNED = "crew_assigned", _("Regu ditugaskan")
    NO_CREW = "no_crew", _("Tidak ada regu tersedia")
    PARTIAL = "partial", _("Nyala bertahap")
    RESTORED = "restored", _("Nyala")
    CLOSED = "closed", _("Ditutup")
    CANCELLED = "cancelled", _("Dibatalkan")
    MERGED = "merged", _("Digabung ke gangguan lain")
    MERGED_IN = "merged_in", _("Gangguan lain digabung ke sini")
    SPLIT = "split", _("Laporan dipisah ke gangguan baru")
    SPLIT_FROM = "split_from", _("Dibuat dari pemisahan")
    CASE_LINKED = "case_linked", _("Laporan ditautkan")
    CASE_UNLINKED = "case_unlinked", _("Laporan dilepas")


class IncidentEvent(models.Model):
    """Append-only history of an incident (a trigger refuses changes, except recording that a
    change's notices and case updates have all been written: ``fanout_done_at``)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="events")
    created_at = models.DateTimeField(_("waktu"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelaku"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("label pelaku"), max_length=60, blank=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=IncidentEventKind.choices)
    from_status = models.CharField(
        _("dari status"), max_length=10, choices=IncidentStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("ke status"), max_length=10, choices=IncidentStatus.choices, blank=True
    )
    note = models.TextField(_("catatan"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # Set when every linked case has been updated and told; the sweep redoes the rest.
    fanout_done_at = models.DateTimeField(_("pemberitahuan selesai"), null=True, blank=True)

    class Meta:
        verbose_name = _("peristiwa gangguan")
        verbose_name_plural = pgettext_lazy("plural", "peristiwa gangguan")
        indexes = [
            models.Index(fields=["incident", "-created_at", "-id"], name="incident_event_timeline"),
            models.Index(
                fields=["created_at"],
                name="incident_event_fanout_due",
                condition=Q(fanout_done_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"


class StormSwitch(models.Model):
    """Storm mode of a service unit (and the units below it) switched on or off: who, why,
    when. Append-only; the latest row of a unit is its state."""

    service_unit = models.ForeignKey(
        "staff.ServiceUnit",
        verbose_name=_("unit layanan"),
        on_delete=models.PROTECT,
        related_name="storm_switches",
    )
    created_at = models.DateTimeField(_("waktu"))
    turned_on = models.BooleanField(_("dinyalakan"))
    automatic = models.BooleanField(_("otomatis"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pelaku"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("label pelaku"), max_length=60, blank=True)
    reason = models.TextField(_("alasan"))
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("mode badai")
        verbose_name_plural = pgettext_lazy("plural", "mode badai")
        indexes = [
            models.Index(fields=["service_unit", "-created_at", "-id"], name="storm_switch_latest")
        ]

    def __str__(self) -> str:
        return f"{self.service_unit_id} {'ON' if self.turned_on else 'OFF'} {self.created_at:%c}"


class TmpThreshold(models.Model):
    """Service-quality levels (Tingkat Mutu Pelayanan) a unit must meet; exceeding them makes
    a customer eligible for compensation. A unit uses its own row, else its nearest parent's,
    else the row without a unit (the default)."""

    service_unit = models.ForeignKey(
        "staff.ServiceUnit",
        verbose_name=_("unit layanan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Kosongkan untuk nilai bawaan semua unit."),
    )
    max_response_minutes = models.PositiveIntegerField(
        _("kecepatan menanggapi pengaduan gangguan (menit)")
    )
    max_outage_minutes = models.PositiveIntegerField(_("lama gangguan per bulan (menit)"))
    max_outage_count = models.PositiveIntegerField(_("jumlah gangguan per bulan"))
    note = models.CharField(_("dasar penetapan"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ambang TMP")
        verbose_name_plural = pgettext_lazy("plural", "ambang TMP")
        constraints = [
            models.UniqueConstraint(
                fields=["service_unit"], nulls_distinct=False, name="tmp_threshold_one_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return str(self.service_unit or _("bawaan"))


class TmpCustomerMonth(models.Model):
    """A customer's outage figures for one month (local month of their unit), rebuilt from
    cases and incidents by complaints.tmp; the flags compare them with the unit's levels."""

    month = models.DateField(_("bulan"))
    customer = models.ForeignKey(
        Customer, verbose_name=_("pelanggan"), on_delete=models.CASCADE, related_name="+"
    )
    service_unit = models.ForeignKey(
        "staff.ServiceUnit",
        verbose_name=_("unit layanan"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    outage_count = models.PositiveIntegerField(_("jumlah gangguan"), default=0)
    outage_minutes = models.PositiveIntegerField(_("lama gangguan (menit)"), default=0)
    responses = models.PositiveIntegerField(_("pengaduan gangguan ditanggapi"), default=0)
    response_minutes_total = models.PositiveIntegerField(_("total menit tanggapan"), default=0)
    response_minutes_max = models.PositiveIntegerField(_("tanggapan terlama (menit)"), default=0)
    exceeds_response = models.BooleanField(_("melampaui kecepatan tanggapan"), default=False)
    exceeds_duration = models.BooleanField(_("melampaui lama gangguan"), default=False)
    exceeds_count = models.BooleanField(_("melampaui jumlah gangguan"), default=False)
    computed_at = models.DateTimeField(_("dihitung"))

    class Meta:
        verbose_name = _("TMP pelanggan per bulan")
        verbose_name_plural = pgettext_lazy("plural", "TMP pelanggan per bulan")
        constraints = [
            models.UniqueConstraint(fields=["month", "customer"], name="tmp_customer_month_unique"),
        ]
        indexes = [
            models.Index(fields=["month", "service_unit"], name="tmp_month_unit"),
            models.Index(
                fields=["month", "service_unit"],
                name="tmp_month_unit_flagged",
                condition=Q(exceeds_response=True)
                | Q(exceeds_duration=True)
                | Q(exceeds_count=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.customer_id}"

    @property
    def eligible(self) -> bool:
        # Compensation is owed for outage duration and count only (Permen ESDM 27/2017
        # Pasal 6 as amended by 18/2019); a slow response is flagged but earns none.
        return self.exceeds_duration or self.exceeds_count


# =============================================================================================
# API v1, Open311 and outbound webhooks (issue 8: complaints.api, channels_intake.open311,
# complaints.webhooks). API tokens and Open311 keys are kept only as SHA-256 hashes (a database
# dump gives no working credential); webhook secrets stay readable because every delivery is
# signed with them.
# =============================================================================================


class ApiToken(models.Model):
    """A staff user's key for /api/v1/ (``Authorization: Bearer <key>``). It acts as its user:
    the same roles and service units as in the console."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pengguna"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("nama"), max_length=80, help_text=_("Untuk apa token ini dipakai."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, so a holder can tell which token they have.
    key_prefix = models.CharField(_("awalan kunci"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("dibuat"))
    expires_at = models.DateTimeField(_("kedaluwarsa"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)

    class Meta:
        verbose_name = _("token API staf")
        verbose_name_plural = pgettext_lazy("plural", "token API staf")
        constraints = [
            models.CheckConstraint(
                condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="api_token_key_hash_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.name})"


class Open311Client(models.Model):
    """An application that reports through Open311 GeoReport v2 (``api_key``)."""

    name = models.CharField(_("nama aplikasi"), max_length=120)
    contact = models.CharField(_("kontak pengelola"), max_length=254, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("awalan kunci"), max_length=12, editable=False)
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat"))
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)

    class Meta:
        verbose_name = _("klien Open311")
        verbose_name_plural = pgettext_lazy("plural", "klien Open311")
        constraints = [
            models.CheckConstraint(
                condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="open311_client_key_hash_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WebhookSubscription(models.Model):
    """An integrator's URL that receives case events, signed with ``secret`` (HMAC-SHA256)
    and delivered through the outbox (complaints.webhooks, complaints.outbound.webhook)."""

    name = models.CharField(_("nama"), max_length=120)
    url = models.URLField(_("URL tujuan"), max_length=500)
    secret = models.CharField(_("rahasia penandatanganan"), max_length=64, editable=False)
    # EventKind values to send; empty = every kind. No choices on the column: a new event kind
    # must not need a migration of this table (the admin form offers the current kinds).
    events = ArrayField(
        models.CharField(max_length=20),
        verbose_name=_("jenis peristiwa"),
        default=list,
        blank=True,
        help_text=_("Kosongkan untuk semua jenis peristiwa."),
    )
    # Only cases of this unit and the units below it; empty = every unit.
    service_unit = models.ForeignKey(
        "staff.ServiceUnit",
        verbose_name=_("unit layanan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Kosongkan untuk pengaduan semua unit."),
    )
    active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(_("dibuat"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dibuat oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("langganan webhook")
        verbose_name_plural = pgettext_lazy("plural", "langganan webhook")
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="webhook_subscription_http_url",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# =============================================================================================
# Satisfaction survey (issue 5 point 7: complaints.satisfaction). Sent with the "closed" notice;
# answered on the public page (/survey/<token>/) or by a WhatsApp reply ("5", "2 belum").
# =============================================================================================

SATISFACTION_COMMENT_MAX_CHARS = 1000


class SatisfactionAnswer(models.Model):
    """The reporter's answer to the survey of a closed case: one per case, never edited. The
    unit, category and the unit's local day are copied from the case for the dashboard."""

    case = models.OneToOneField(
        Case, verbose_name=_("pengaduan"), on_delete=models.PROTECT, related_name="satisfaction"
    )
    score = models.PositiveSmallIntegerField(
        pgettext_lazy("satisfaction", "nilai"), choices=[(n, str(n)) for n in range(1, 6)]
    )
    fixed = models.BooleanField(_("masalah teratasi"))
    comment = models.CharField(_("komentar"), max_length=SATISFACTION_COMMENT_MAX_CHARS, blank=True)
    channel = models.CharField(_("kanal"), max_length=12, choices=Channel.choices)
    answered_at = models.DateTimeField(_("dijawab"))
    # The day in the unit's own timezone: the dashboard's ranges are local days (as its rollups).
    answered_on = models.DateField(_("tanggal lokal"))
    # "Not fixed" within SURVEY_REOPEN_DAYS of the closing reopened the case.
    reopened = models.BooleanField(_("membuka kembali pengaduan"), default=False)
    service_unit = models.ForeignKey(
        "staff.ServiceUnit",
        verbose_name=_("unit layanan"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # satisfaction_unit_day leads with it
    )
    category = models.ForeignKey(
        Category, verbose_name=_("kategori"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("jawaban survei kepuasan")
        verbose_name_plural = pgettext_lazy("plural", "jawaban survei kepuasan")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="satisfaction_score_1_to_5"
            ),
        ]
        indexes = [
            # The dashboard: a range of local days, for some units or for all. Covering, so
            # the figures are read from the index alone.
            models.Index(
                fields=["service_unit", "answered_on"],
                include=["score", "fixed", "reopened"],
                name="satisfaction_unit_day",
            ),
            models.Index(
                fields=["answered_on"],
                include=["service_unit", "score", "fixed", "reopened"],
                name="satisfaction_day",
            ),
            # The admin list, newest first.
            models.Index(fields=["-answered_at", "-id"], name="satisfaction_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}/5"
