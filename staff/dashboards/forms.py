"""Filters of the two pages: a service unit (limited to the units the user may see) and, on the
manager dashboard, a range of local days and the breakdown of the daily chart."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from complaints import clock
from staff.dashboards.reports import By
from staff.dashboards.selectors import UnitIds, UnitTree
from staff.models import ServiceUnit

DEFAULT_DAYS = 30
MAX_DAYS = 366
PRESETS = (7, 30, 90, 365)
RANGE_TOO_LONG = _("Rentang paling panjang %(days)s hari.")
RANGE_REVERSED = _("Tanggal awal harus sebelum tanggal akhir.")


class UnitFilterForm(forms.Form):
    unit = forms.TypedChoiceField(
        label=_("Unit layanan"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data, *, tree: UnitTree, allowed: UnitIds) -> None:
        super().__init__(data)
        self.tree = tree
        self.allowed = allowed
        everything = _("Semua unit") if allowed is None else _("Semua unit saya")
        self.fields["unit"].choices = [
            ("", everything),
            *[
                (unit.pk, f"{'· ' * unit.path.count('/')}{unit.name}")
                for unit in tree.units.values()
                if allowed is None or unit.pk in allowed
            ],
        ]

    def valid_data(self) -> dict:
        """The fields that passed, even when another did not (its error is shown)."""
        self.is_valid()
        return self.cleaned_data

    def root(self) -> ServiceUnit | None:
        unit_id = self.valid_data().get("unit")
        return None if unit_id is None else self.tree.units[unit_id]

    def unit_ids(self) -> UnitIds:
        """The units the page covers: the chosen unit and all below it, within what the user
        may see; with no choice, everything the user may see."""
        root = self.root()
        if root is None:
            return self.allowed
        below = self.tree.below(root)
        return below if self.allowed is None else below & self.allowed


class DashboardFilterForm(UnitFilterForm):
    start = forms.DateField(
        label=_("Dari"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Sampai"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    by = forms.ChoiceField(
        label=_("Grafik harian menurut"),
        required=False,
        choices=[(By.CHANNEL, _("Kanal")), (By.CATEGORY, _("Kategori")), (By.UNIT, _("Unit"))],
    )

    def today(self) -> date:
        root = self.root()
        zone = root.tz if root is not None else ZoneInfo(settings.TIME_ZONE)
        return clock.now().astimezone(zone).date()

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(RANGE_REVERSED)
        if start and end and (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(RANGE_TOO_LONG, params={"days": MAX_DAYS})
        return data

    def window(self) -> tuple[date, date, str]:
        """(first day, last day, breakdown); defaults for whatever is missing or invalid."""
        data = self.valid_data()
        end = data.get("end") or self.today()
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end or (end - start).days + 1 > MAX_DAYS:
            start, end = self.today() - timedelta(days=DEFAULT_DAYS - 1), self.today()
        return start, end, data.get("by") or By.CHANNEL
