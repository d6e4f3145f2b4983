"""Service units, staff memberships and technicians."""

from datetime import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
        verbose_name_plural = _("unit layanan")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind=UnitKind.REGION) & Q(parent__isnull=True))
                | (~Q(kind=UnitKind.REGION) & Q(parent__isnull=False)),
                name="service_unit_only_regions_are_roots",
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
        verbose_name_plural = _("anggota staf")

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
        verbose_name_plural = _("teknisi")
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
