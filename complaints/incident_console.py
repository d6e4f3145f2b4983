"""Staff pages of the outage work, under the admin: an incident's page (confirm, ETR, crew,
nyala bertahap, restore, close, split, merge, unlink — each a service call), storm mode per
unit, and the service-quality (TMP) figures with their CSV export. Domain errors become
messages, never a 500."""

import csv
from datetime import date, datetime, timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from complaints import incident_selectors, incidents, tmp
from complaints.errors import DomainError
from complaints.models import Incident, TmpCustomerMonth
from staff.access import unit_ids_for
from staff.models import Technician
from staff.roles import Actor, Role, roles_of

MANAGE_ROLES = frozenset({Role.SUPERVISOR})
STORM_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER})
TMP_ROLES = frozenset({Role.MANAGER, Role.SUPERVISOR})
CSV_COLUMNS = (
    ("month", gettext_lazy("bulan")),
    ("unit", gettext_lazy("unit layanan")),
    ("id_pelanggan", gettext_lazy("ID pelanggan")),
    ("name", gettext_lazy("nama")),
    ("outage_count", gettext_lazy("jumlah gangguan")),
    ("outage_minutes", gettext_lazy("lama gangguan (menit)")),
    ("response_minutes_max", gettext_lazy("tanggapan terlama (menit)")),
    ("exceeds_response", gettext_lazy("melampaui kecepatan tanggapan")),
    ("exceeds_duration", gettext_lazy("melampaui lama gangguan")),
    ("exceeds_count", gettext_lazy("melampaui jumlah gangguan")),
)


def incident_url(incident_id: int) -> str:
    return reverse("admin:complaints_incident_change", args=[incident_id])


class LocalDateTimeField(forms.DateTimeField):
    """A time typed in the incident unit's zone (set on the form), stored in UTC."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]


class IncidentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    note = forms.CharField(
        label=gettext_lazy("Catatan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    etr = LocalDateTimeField(label=gettext_lazy("Perkiraan menyala"), required=False)
    title = forms.CharField(label=gettext_lazy("Judul untuk pelanggan"), required=False)
    technician = forms.ModelChoiceField(
        label=gettext_lazy("Regu / teknisi"), queryset=Technician.objects.none(), required=False
    )
    into = forms.CharField(label=gettext_lazy("Gabung ke gangguan (GGN-…)"), required=False)
    cases = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    case = forms.IntegerField(required=False)

    def __init__(self, *args, incident: Incident, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.fields["technician"].queryset = Technician.objects.filter(
            service_unit=incident.service_unit
        ).select_related("user")
        self.fields["cases"].choices = [
            (pk, pk) for pk in incident.cases.values_list("pk", flat=True)
        ]

    def clean_etr(self) -> datetime | None:
        value = self.cleaned_data.get("etr")
        if value is None:
            return None
        naive = value.replace(tzinfo=None) if timezone.is_aware(value) else value
        return naive.replace(tzinfo=self.incident.service_unit.tz)

    def clean_into(self) -> int | None:
        value = (self.cleaned_data.get("into") or "").strip().upper().removeprefix("GGN-")
        if not value:
            return None
        if not value.isdigit():
            raise forms.ValidationError(_("Nomor gangguan tidak valid."))
        return int(value)


def _require(request: HttpRequest, allowed: frozenset[Role]) -> Actor:
    if not roles_of(request.user) & allowed:
        raise PermissionDenied
    return Actor.staff(request.user)


def incident_page(request: HttpRequest, context: dict, incident_id) -> HttpResponse:
    incident = incident_selectors.incident_for(request.user, incident_id)
    can_manage = bool(roles_of(request.user) & MANAGE_ROLES)
    context.update(
        title=f"{incident.code} · {incident.get_status_display()}",
        incident=incident,
        public_title=incident_selectors.incident_public_title(incident),
        etr_text=incident_selectors.local_time(incident.etr, incident.service_unit),
        started_text=incident_selectors.local_time(incident.started_at, incident.service_unit),
        cases=incident_selectors.incident_cases(incident),
        counts=incident_selectors.incident_case_counts(incident),
        timeline=incident_selectors.incident_timeline(incident),
        can_manage=can_manage and incident.is_active,
        can_close=can_manage and incident.status == "restored",
        form=IncidentForm(
            incident=incident,
            initial={"version": incident.version, "title": incident.title},
        ),
        act_url=reverse("admin:complaints_incident_act", args=[incident.pk]),
    )
    return render(request, "admin/complaints/incident/console.html", context)


@require_POST
def incident_act(request: HttpRequest, incident_id) -> HttpResponse:
    incident = incident_selectors.incident_for(request.user, incident_id)
    actor = _require(request, MANAGE_ROLES)
    form = IncidentForm(request.POST, incident=incident)
    action = request.POST.get("action", "")
    handler = _ACTIONS.get(action)
    target = incident.pk
    if handler is None:
        messages.error(request, _("Tindakan tidak dikenal."))
    elif not form.is_valid():
        messages.error(request, "; ".join(" ".join(errors) for errors in form.errors.values()))
    else:
        try:
            done, target = handler(actor, incident, form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
    return HttpResponseRedirect(incident_url(target))


def _confirm(actor, incident, data):
    incidents.incident_confirm(
        actor=actor, incident_id=incident.pk, title=data["title"], expected_version=data["version"]
    )
    return _("Gangguan dikonfirmasi."), incident.pk


def _etr(actor, incident, data):
    if data["etr"] is None:
        raise DomainError(_("Isi perkiraan waktu menyala."))
    incidents.incident_set_etr(
        actor=actor,
        incident_id=incident.pk,
        etr=data["etr"],
        note=data["note"],
        expected_version=data["version"],
    )
    return _("Perkiraan waktu menyala disimpan; semua pelapor diberi tahu."), incident.pk


def _crew(actor, incident, data):
    if data["technician"] is None:
        raise DomainError(_("Pilih teknisi."))
    incidents.incident_assign_crew(
        actor=actor, incident_id=incident.pk, technician=data["technician"], note=data["note"]
    )
    return _("Regu ditugaskan."), incident.pk


def _partial(actor, incident, data):
    incidents.incident_partial_restore(
        actor=actor,
        incident_id=incident.pk,
        note=data["note"],
        etr=data["etr"],
        expected_version=data["version"],
    )
    return _("Status: nyala bertahap. Pelapor diberi tahu."), incident.pk


def _restore(actor, incident, data):
    incidents.incident_restore(
        actor=actor, incident_id=incident.pk, note=data["note"], expected_version=data["version"]
    )
    return _("Listrik menyala: semua pengaduan tertaut diselesaikan dan pelapor ditanya."), (
        incident.pk
    )


def _close(actor, incident, data):
    closed = incidents.incident_close(
        actor=actor, incident_id=incident.pk, reason=data["note"], expected_version=data["version"]
    )
    return _("Gangguan %(status)s.") % {"status": closed.get_status_display().lower()}, incident.pk


def _merge(actor, incident, data):
    if data["into"] is None:
        raise DomainError(_("Isi nomor gangguan tujuan."))
    target = incidents.incident_merge(
        actor=actor, incident_id=incident.pk, into_incident_id=data["into"], note=data["note"]
    )
    return _("Digabung ke %s.") % target.code, target.pk


def _split(actor, incident, data):
    new = incidents.incident_split(
        actor=actor, incident_id=incident.pk, case_ids=data["cases"], note=data["note"]
    )
    return _("Laporan terpilih dipisah ke %s.") % new.code, incident.pk


def _unlink(actor, incident, data):
    if data["case"] is None:
        raise DomainError(_("Pilih laporan."))
    case = incidents.incident_unlink_case(
        actor=actor, incident_id=incident.pk, case_id=data["case"], reason=data["note"]
    )
    return _("%s dilepas dari gangguan ini.") % case.ticket, incident.pk


_ACTIONS = {
    "confirm": _confirm,
    "etr": _etr,
    "crew": _crew,
    "partial": _partial,
    "restore": _restore,
    "close": _close,
    "merge": _merge,
    "split": _split,
    "unlink": _unlink,
}


# --- Storm mode ----------------------------------------------------------------------------


def storm_page(request: HttpRequest, context: dict) -> HttpResponse:
    can_switch = bool(roles_of(request.user) & STORM_ROLES)
    if request.method == "POST":
        actor = _require(request, STORM_ROLES)
        unit_id = request.POST.get("unit", "")
        allowed = unit_ids_for(request.user)
        if not unit_id.isdigit() or (allowed is not None and int(unit_id) not in allowed):
            messages.error(request, _("Unit layanan tidak dikenal."))
        else:
            try:
                incidents.storm_switch(
                    actor=actor,
                    service_unit_id=int(unit_id),
                    on=request.POST.get("on") == "1",
                    reason=request.POST.get("reason", ""),
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Mode badai diubah."))
        return HttpResponseRedirect(reverse("admin:complaints_stormswitch_changelist"))
    context.update(
        title=_("Mode badai"),
        units=incident_selectors.storm_units_for(request.user),
        switches=incident_selectors.storm_switches_for(request.user),
        can_switch=can_switch,
    )
    return render(request, "admin/complaints/stormswitch/storm.html", context)


# --- Service-quality figures (TMP) -----------------------------------------------------------


def _month(request: HttpRequest) -> date:
    value = request.GET.get("month", "")
    try:
        return datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a month, no time
    except ValueError:
        return tmp.current_month()


def tmp_page(request: HttpRequest, context: dict) -> HttpResponse:
    _require(request, TMP_ROLES)
    month = _month(request)
    figures = tmp.unit_figures(month=month, unit_ids=unit_ids_for(request.user))
    context.update(
        title=_("Tingkat Mutu Pelayanan (TMP)"),
        month=month,
        previous=tmp.month_start(month - timedelta(days=1)),
        following=tmp.next_month(month),
        figures=figures,
        export_url=reverse("admin:complaints_tmpcustomermonth_export")
        + f"?month={month:%Y-%m}&flagged=1",
        export_all_url=reverse("admin:complaints_tmpcustomermonth_export")
        + f"?month={month:%Y-%m}",
        customers_url=reverse("admin:complaints_tmpcustomermonth_changelist")
        + f"?month={month:%Y-%m-%d}&eligible=1",
        last_computed=TmpCustomerMonth.objects.filter(month=month)
        .order_by("-computed_at")
        .values_list("computed_at", flat=True)
        .first(),
    )
    return render(request, "admin/complaints/tmpcustomermonth/summary.html", context)


@require_GET
def tmp_export(request: HttpRequest) -> HttpResponse:
    """The month's customer figures as CSV (only the flagged ones with ``flagged=1``), for the
    user's units; streamed, so a big unit's month does not sit in memory."""
    _require(request, TMP_ROLES)
    month = _month(request)
    rows = TmpCustomerMonth.objects.filter(month=month).select_related("customer", "service_unit")
    unit_ids = unit_ids_for(request.user)
    if unit_ids is not None:
        rows = rows.filter(service_unit_id__in=unit_ids)
    if request.GET.get("flagged") == "1":
        rows = tmp.flagged(rows)
    rows = rows.order_by("service_unit__code", "customer__id_pelanggan")

    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())

    def lines():
        yield writer.writerow([str(label) for _, label in CSV_COLUMNS])
        for row in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    f"{row.month:%Y-%m}",
                    row.service_unit.code,
                    row.customer.id_pelanggan,
                    row.customer.name,
                    row.outage_count,
                    row.outage_minutes,
                    row.response_minutes_max,
                    int(row.exceeds_response),
                    int(row.exceeds_duration),
                    int(row.exceeds_count),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tmp-{month:%Y-%m}.csv"'
    return response
