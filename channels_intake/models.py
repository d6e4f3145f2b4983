"""The raw inbox: everything a channel delivered, stored verbatim before it is parsed."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from complaints.identifiers import validate_id_pelanggan


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
        verbose_name_plural = pgettext_lazy("plural", "kotak masuk kanal")
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


# =============================================================================================
# Mobile app accounts, and the counters behind the rate limits of the public pages and API.
# (Email, web, mobile and call-center intake; the raw inbox above is shared by every channel.)
# =============================================================================================


class AppAccount(models.Model):
    """A customer's login in the mobile app: registered with ID pelanggan, name, e-mail and
    phone; usable once the phone proved itself with a one-time code."""

    id_pelanggan = models.CharField(
        _("ID pelanggan"), max_length=12, validators=[validate_id_pelanggan]
    )
    # Linked when the ID pelanggan is a known customer (at registration or first complaint).
    customer = models.ForeignKey(
        "complaints.Customer",
        verbose_name=_("pelanggan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="app_accounts",
    )
    name = models.CharField(_("nama"), max_length=120)
    email = models.EmailField(_("email"), max_length=254)
    phone = models.CharField(_("telepon"), max_length=20)  # E.164
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    verified_at = models.DateTimeField(_("terverifikasi"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        verbose_name = _("akun aplikasi")
        verbose_name_plural = pgettext_lazy("plural", "akun aplikasi")
        constraints = [
            # The phone is the login: one account per number.
            models.UniqueConstraint(fields=["phone"], name="app_account_phone_unique"),
            models.CheckConstraint(
                condition=Q(id_pelanggan__regex=r"^[0-9]{12}$"),
                name="app_account_id_pelanggan_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phone} ({self.id_pelanggan})"

    # DRF's permission checks read these on request.user; an account is a signed-in customer.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False


class OneTimeCodePurpose(models.TextChoices):
    REGISTER = "register", _("Pendaftaran")
    LOGIN = "login", _("Masuk")


class AppOneTimeCode(models.Model):
    """A code sent through the notification outbox; only its keyed hash is stored."""

    account = models.ForeignKey(AppAccount, on_delete=models.CASCADE, related_name="codes")
    purpose = models.CharField(_("tujuan"), max_length=10, choices=OneTimeCodePurpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("dibuat"))
    expires_at = models.DateTimeField(_("kedaluwarsa"))
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    used_at = models.DateTimeField(_("dipakai"), null=True, blank=True)

    class Meta:
        verbose_name = _("kode sekali pakai")
        verbose_name_plural = pgettext_lazy("plural", "kode sekali pakai")
        indexes = [
            models.Index(fields=["account", "-created_at"], name="app_code_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class AppToken(models.Model):
    """A signed-in device. The token is shown once; only its SHA-256 is kept."""

    account = models.ForeignKey(AppAccount, on_delete=models.CASCADE, related_name="tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        verbose_name = _("token aplikasi")
        verbose_name_plural = pgettext_lazy("plural", "token aplikasi")

    def __str__(self) -> str:
        return f"{self.account_id}:{self.key_hash[:8]}"


class PushPlatform(models.TextChoices):
    ANDROID = "android", "Android"
    IOS = "ios", "iOS"
    WEB = "web", "Web"


class PushDevice(models.Model):
    """A push registration token (FCM) of an app account; the push backend reads these."""

    account = models.ForeignKey(AppAccount, on_delete=models.CASCADE, related_name="push_devices")
    platform = models.CharField(_("platform"), max_length=10, choices=PushPlatform.choices)
    # A device token belongs to whoever registered it last (a shared phone changes hands).
    token = models.CharField(_("token push"), max_length=512, unique=True)
    created_at = models.DateTimeField(_("dibuat"))
    updated_at = models.DateTimeField(_("diperbarui"))

    class Meta:
        verbose_name = _("perangkat push")
        verbose_name_plural = pgettext_lazy("plural", "perangkat push")

    def __str__(self) -> str:
        return f"{self.account_id}:{self.platform}"


class AppCase(models.Model):
    """Which cases an app account filed or followed: its "Riwayat Pengaduan" list."""

    account = models.ForeignKey(AppAccount, on_delete=models.CASCADE, related_name="app_cases")
    case = models.ForeignKey("complaints.Case", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        verbose_name = _("pengaduan akun aplikasi")
        verbose_name_plural = pgettext_lazy("plural", "pengaduan akun aplikasi")
        constraints = [
            models.UniqueConstraint(fields=["account", "case"], name="app_case_unique"),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="app_case_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.case_id}"


class RateCounter(models.Model):
    """Hits per key (an IP, a ticket) in a fixed window. Incremented with one atomic
    INSERT … ON CONFLICT DO UPDATE, so every web process and worker shares the count."""

    key = models.CharField(max_length=150)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("penghitung batas laju")
        verbose_name_plural = pgettext_lazy("plural", "penghitung batas laju")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_window"),
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_age")]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start:%Y-%m-%d %H:%M}: {self.hits}"


class ConversationStep(models.TextChoices):
    """Where a bot conversation stands: what the bot asked last."""

    MENU = "menu", _("Menu utama")
    FAULT_KIND = "fault_kind", _("Jenis gangguan")
    METER_KIND = "meter_kind", _("Jenis masalah meteran")
    ASK_ID = "ask_id", _("ID pelanggan / nomor meter")
    ASK_NAME = "ask_name", _("Nama")
    ASK_ADDRESS = "ask_address", _("Alamat")
    ASK_DESCRIPTION = "ask_description", _("Uraian")
    ASK_PHOTO = "ask_photo", _("Foto")
    OUTAGE_ID = "outage_id", _("Info pemadaman: ID pelanggan")
    STATUS_TICKET = "status_ticket", _("Cek status: nomor tiket")


class Conversation(models.Model):
    """The bot's memory of one customer on one messaging channel (WhatsApp, Messenger,
    Instagram): the step it is at and the answers so far. Kept in the database, so any worker
    can take the next message; a conversation idle longer than
    WHATSAPP_CONVERSATION_IDLE_MINUTES starts over."""

    channel = models.CharField(_("kanal"), max_length=20)
    # The customer's address on that channel: "+6281…", a WhatsApp user id, a page-scoped id.
    sender = models.CharField(_("pengirim"), max_length=255)
    step = models.CharField(
        _("langkah"), max_length=20, choices=ConversationStep.choices, default=ConversationStep.MENU
    )
    # Answers collected for the complaint being filed (category, id, name, address, photos…).
    data = models.JSONField(_("jawaban"), default=dict, blank=True)
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    started_at = models.DateTimeField(_("dimulai"))
    last_message_at = models.DateTimeField(_("pesan terakhir"))
    # The last case this conversation opened: later photos are added to it.
    case = models.ForeignKey(
        "complaints.Case",
        verbose_name=_("pengaduan terakhir"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("percakapan bot")
        verbose_name_plural = pgettext_lazy("plural", "percakapan bot")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "sender"], name="conversation_unique_sender"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.sender}"
