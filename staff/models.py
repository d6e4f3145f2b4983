"""Service units, staff memberships and technicians."""

from datetime import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitKind(models.TextChoices):
    REGION = "region", _("Wilayah / Distribusi (UID/UIW)")
    AREA = "area", _("Area (UP3)")
    OFFICE = "office", _("Kantor layanan (ULP)")


class UnitTimezone(models.TextChoices):
    WIB = "Asia/Jakarta", "WIB"
    WITA = "Asia/Makassar", "WITA"
    WIT = "Asia/Jayapura", "WIT"


# Which kind of unit may sit under which: region → area (UP3) → service office (ULP).
PARENT_KIND = {UnitKind.AREA: UnitKind.REGION, UnitKind.OFFICE: UnitKind.AREA}


def default_work_start() -> time:
    return time(8, 0)


def default_work_end() -> time:
    return time(16, 0)


class ServiceUnit(models.Model):
    code = models.CharField(_("kode"), max_length=20, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    kind = models.CharField(_("jenis"), max_length=10, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("induk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Materialized path of codes ("JKT/UP3-MTG/ULP-CKN"): a unit and all below it are one
    # indexed prefix match, without recursive queries on every page.
    path = models.CharField(max_length=255, unique=True, editable=False)
    timezone = models.CharField(
        _("zona waktu"), max_length=20, choices=UnitTimezone.choices, default=UnitTimezone.WIB
    )
    latitude = models.FloatField(_("lintang"), null=True, blank=True)
    longitude = models.FloatField(_("bujur"), null=True, blank=True)
    # Back-office SLA clocks run on these hours (local time of the unit). Defaults are time
    # objects: a string default stays a string on an unsaved instance and breaks the SLA maths.
    work_start = models.TimeField(_("jam kerja mulai"), default=default_work_start)
    work_end = models.TimeField(_("jam kerja selesai"), default=default_work_end)
    neighbours = models.ManyToManyField(
        "self", verbose_name=_("unit tetangga"), blank=True, symmetrical=True
    )

    class Meta:
        verbose_name = _("unit layanan")
        verbose_name_plural = pgettext_lazy("plural", "unit layanan")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=UnitKind.REGION) & Q(parent__isnull=True))
                | (~Q(kind=UnitKind.REGION) & Q(parent__isnull=False)),
                name="service_unit_only_regions_are_roots",
            ),
            # The back-office SLA clock walks working hours day by day: an empty or inverted
            # working day would never end it.
            models.CheckConstraint(
                condition=Q(work_start__lt=models.F("work_end")),
                name="service_unit_working_day_not_empty",
            ),
        ]
        indexes = [
            models.Index(
                fields=["path"], name="service_unit_path_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs) -> None:
        self.path = f"{self.parent.path}/{self.code}" if self.parent_id else self.code
        super().save(*args, **kwargs)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def tz_label(self) -> str:
        return UnitTimezone(self.timezone).label


class StaffMember(models.Model):
    """A staff user's working context: the service units whose cases they handle."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_member"
    )
    service_units = models.ManyToManyField(
        ServiceUnit, verbose_name=_("unit layanan"), related_name="staff_members", blank=True
    )
    language = models.CharField(_("bahasa"), max_length=5, choices=settings.LANGUAGES, default="id")

    class Meta:
        verbose_name = _("anggota staf")
        verbose_name_plural = pgettext_lazy("plural", "anggota staf")

    def __str__(self) -> str:
        return self.user.get_username()


class Technician(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="technician"
    )
    service_unit = models.ForeignKey(
        ServiceUnit,
        verbose_name=_("unit layanan"),
        on_delete=models.PROTECT,
        related_name="technicians",
    )
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    # Skill codes match Category.skill (e.g. "distribution", "meter").
    skills = ArrayField(models.CharField(max_length=30), verbose_name=_("keahlian"), default=list)
    capacity = models.PositiveSmallIntegerField(_("kapasitas tugas terbuka"), default=3)
    open_jobs = models.PositiveSmallIntegerField(_("tugas terbuka"), default=0)
    on_shift = models.BooleanField(_("sedang bertugas"), default=False)
    available = models.BooleanField(_("tersedia"), default=True)
    latitude = models.FloatField(_("lintang"), null=True, blank=True)
    longitude = models.FloatField(_("bujur"), null=True, blank=True)
    position_at = models.DateTimeField(_("posisi terakhir pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("teknisi")
        verbose_name_plural = pgettext_lazy("plural", "teknisi")
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(open_jobs__lte=models.F("capacity")),
                name="technician_open_jobs_within_capacity",
            ),
        ]
        indexes = [models.Index(fields=["service_unit", "on_shift", "available"])]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


class Holiday(models.Model):
    """A day the back offices are closed: back-office SLA clocks (complaints.sla) skip it.
    Without a unit it is a national holiday; with one it closes that unit and the units below
    it (a regional holiday of a UID closes its UP3s and ULPs)."""

    date = models.DateField(_("tanggal"))
    name = models.CharField(_("nama"), max_length=120)
    service_unit = models.ForeignKey(
        ServiceUnit,
        verbose_name=_("unit layanan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holidays",
        help_text=_("Kosongkan untuk libur nasional."),
    )

    class Meta:
        verbose_name = _("hari libur")
        verbose_name_plural = pgettext_lazy("plural", "hari libur")
        ordering = ["date", "service_unit"]
        constraints = [
            # One national row per day (NULLs are not distinct here), one row per unit and day.
            models.UniqueConstraint(
                fields=["date", "service_unit"], nulls_distinct=False, name="holiday_unique_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


# --- Dashboard rollups (staff.dashboards) ---------------------------------------------------------
# Derived data, rebuilt from complaints_case by staff.dashboards.rollups; nothing else writes
# them. Days are local days of the case's service unit (WIB/WITA/WIT), never UTC days.


class RollupKind(models.TextChoices):
    FULL = "full", _("Seluruh riwayat")
    RECENT = "recent", _("Hari-hari terakhir")


class DurationMetric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("Respons pertama")
    RESOLUTION = "resolution", _("Penyelesaian")


class DashboardRollupRun(models.Model):
    """One run of the rollup refresh: the dashboards show how fresh their figures are."""

    kind = models.CharField(_("jenis"), max_length=10, choices=RollupKind.choices)
    started_at = models.DateTimeField(_("mulai"))
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    # Local days from this one on were rebuilt (None for a full run: every day).
    first_day = models.DateField(_("hari pertama"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("baris"), default=0)

    class Meta:
        verbose_name = _("pembaruan ringkasan dasbor")
        verbose_name_plural = pgettext_lazy("plural", "pembaruan ringkasan dasbor")
        indexes = [models.Index(fields=["kind", "-started_at"], name="rollup_run_latest")]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M}"


class RollupPeriod(models.TextChoices):
    DAY = "day", _("Hari")
    WEEK = "week", _("Minggu")


class CaseRollup(models.Model):
    """Cases per (period, service unit, channel, category): a local day, or a week (Monday to
    Sunday, ``day`` is its Monday) summed from the day rows so that long ranges read a
    seventh of the rows.

    ``received`` counts cases by the day they were created; the first-response columns count
    cases by the day of their first response, the resolution columns cases (now resolved or
    closed) by the day they were resolved. Seconds are sums, for averages."""

    period = models.CharField(_("periode"), max_length=4, choices=RollupPeriod.choices)
    day = models.DateField(_("hari"))
    service_unit = models.ForeignKey(
        ServiceUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit layanan")
    )
    channel = models.CharField(_("kanal"), max_length=12)
    category = models.ForeignKey(
        "complaints.Category",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("kategori"),
    )
    received = models.PositiveIntegerField(_("diterima"), default=0)
    responded = models.PositiveIntegerField(_("direspons"), default=0)
    responded_on_time = models.PositiveIntegerField(_("direspons tepat waktu"), default=0)
    response_seconds = models.BigIntegerField(_("total detik respons"), default=0)
    resolved = models.PositiveIntegerField(_("diselesaikan"), default=0)
    resolved_on_time = models.PositiveIntegerField(_("diselesaikan tepat waktu"), default=0)
    resolution_seconds = models.BigIntegerField(_("total detik penyelesaian"), default=0)

    class Meta:
        verbose_name = _("ringkasan pengaduan")
        verbose_name_plural = pgettext_lazy("plural", "ringkasan pengaduan")
        constraints = [
            # Also the index every dashboard query uses: a period, a range of days, then units.
            models.UniqueConstraint(
                fields=["period", "day", "service_unit", "channel", "category"],
                name="case_rollup_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.day} {self.service_unit_id} {self.channel} {self.category_id}"


class DurationHistogram(models.Model):
    """How many first responses / resolutions of a (period, service unit) took how long, in
    the fixed buckets of staff.dashboards.metrics.DURATION_EDGES_MINUTES: percentiles over any
    range are read from the summed buckets. Kept per unit, not per channel and category,
    because the dashboard shows percentiles per unit only (40x fewer arrays)."""

    period = models.CharField(_("periode"), max_length=4, choices=RollupPeriod.choices)
    day = models.DateField(_("hari"))
    service_unit = models.ForeignKey(
        ServiceUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit layanan")
    )
    metric = models.CharField(_("ukuran"), max_length=20, choices=DurationMetric.choices)
    counts = ArrayField(models.PositiveIntegerField(), verbose_name=_("jumlah per rentang"))

    class Meta:
        verbose_name = _("histogram durasi")
        verbose_name_plural = pgettext_lazy("plural", "histogram durasi")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "day", "service_unit", "metric"],
                name="duration_histogram_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.day} {self.service_unit_id} {self.metric}"


class UnitCustomerCount(models.Model):
    """Customers registered directly on a service unit, counted by the full rollup run (once a
    day): the denominator of complaints per 1,000 customers."""

    service_unit = models.OneToOneField(
        ServiceUnit,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("unit layanan"),
    )
    customers = models.PositiveIntegerField(pgettext_lazy("count", "pelanggan"))
    counted_at = models.DateTimeField(_("dihitung"))

    class Meta:
        verbose_name = _("jumlah pelanggan unit")
        verbose_name_plural = pgettext_lazy("plural", "jumlah pelanggan unit")

    def __str__(self) -> str:
        return f"{self.service_unit_id}: {self.customers}"
