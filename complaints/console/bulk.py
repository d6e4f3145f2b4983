"""Bulk actions of the case queue: an intermediate page asks for the one missing value, then
each selected case goes through the service on its own and the result is reported per case."""

from enum import StrEnum

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints import services
from complaints.errors import DomainError
from complaints.models import Case, Priority
from complaints.workflow import OPEN_STATES
from staff.models import Technician
from staff.roles import Actor

BULK_LIMIT = 200
TOO_MANY = gettext_lazy("Pilih paling banyak %(limit)s pengaduan sekaligus.")


class BulkKind(StrEnum):
    ASSIGN = "bulk_assign"
    PRIORITY = "bulk_priority"
    MERGE = "bulk_merge"


class BulkAssignForm(forms.Form):
    technician = forms.ModelChoiceField(
        label=gettext_lazy("Teknisi"), queryset=Technician.objects.none()
    )


class BulkPriorityForm(forms.Form):
    priority = forms.TypedChoiceField(
        label=gettext_lazy("Prioritas"), choices=Priority.choices, coerce=int
    )


class BulkMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=gettext_lazy("Gabungkan ke"), queryset=Case.objects.none()
    )


def _form_for(kind: BulkKind, cases: list[Case], data=None) -> forms.Form:
    if kind == BulkKind.ASSIGN:
        form = BulkAssignForm(data)
        unit_ids = {case.service_unit_id for case in cases}
        form.fields["technician"].queryset = (
            Technician.objects.filter(service_unit_id__in=unit_ids)
            .select_related("user")
            .order_by("-on_shift", "open_jobs")
        )
        return form
    if kind == BulkKind.PRIORITY:
        return BulkPriorityForm(data)
    form = BulkMergeForm(data)
    form.fields["target"].queryset = Case.objects.filter(
        pk__in=[case.pk for case in cases], status__in=sorted(OPEN_STATES)
    ).order_by("created_at")
    return form


def _apply(kind: BulkKind, actor: Actor, case: Case, data: dict) -> str:
    if kind == BulkKind.ASSIGN:
        services.case_assign(actor=actor, case_id=case.pk, technician=data["technician"])
        return _("ditugaskan ke %s") % data["technician"]
    if kind == BulkKind.PRIORITY:
        services.case_change_priority(actor=actor, case_id=case.pk, priority=data["priority"])
        return _("prioritas %s") % Priority(data["priority"]).label
    services.case_merge(actor=actor, case_id=case.pk, into_case_id=data["target"].pk)
    return _("digabung ke %s") % data["target"].ticket


def bulk_action(model_admin, request, queryset, kind: BulkKind):
    # The queryset is already limited to the user's units by CaseAdmin.get_queryset.
    cases = list(queryset.select_related("category", "service_unit")[: BULK_LIMIT + 1])
    if len(cases) > BULK_LIMIT:
        model_admin.message_user(request, TOO_MANY % {"limit": BULK_LIMIT}, messages.ERROR)
        return None
    form = _form_for(kind, cases, request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        actor = Actor.staff(request.user)
        for case in cases:
            if kind == BulkKind.MERGE and case.pk == form.cleaned_data["target"].pk:
                continue
            try:
                done = _apply(kind, actor, case, form.cleaned_data)
            except DomainError as exc:
                model_admin.message_user(request, f"{case.ticket}: {exc.message}", messages.ERROR)
            else:
                model_admin.message_user(request, f"{case.ticket}: {done}", messages.SUCCESS)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Tindakan massal"),
        "opts": model_admin.model._meta,
        "cases": cases,
        "form": form,
        "action": kind.value,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/complaints/case/bulk_action.html", context)
