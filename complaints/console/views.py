"""Console pages: log a phone complaint, work a case. Every change goes through a service;
domain errors become messages on the page, never a 500."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from complaints import clock, selectors, services
from complaints.console.forms import (
    AssignForm,
    MergeForm,
    NoteForm,
    PhoneComplaintForm,
    PriorityForm,
    TransitionForm,
    VersionedForm,
)
from complaints.errors import DomainError, StaleCase
from complaints.incidents import incident_link_case  # issue 6: "link to incident"
from complaints.models import Channel, ContactKind, Customer
from complaints.workflow import transitions_from
from staff.access import case_for
from staff.roles import Actor, Role, roles_of

DESK_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})


def _require_desk(request: HttpRequest) -> Actor:
    """Agents and supervisors work cases here; managers only look."""
    if not roles_of(request.user) & DESK_ROLES:
        raise PermissionDenied
    return Actor.staff(request.user)


def case_url(case_id: int) -> str:
    return reverse("admin:complaints_case_change", args=[case_id])


# --- Log a phone complaint -------------------------------------------------------------------


def phone_complaint(request: HttpRequest, context: dict) -> HttpResponse:
    actor = _require_desk(request)
    initial = {
        "caller_phone": request.GET.get("caller", "")[:30],
        "call_id": request.GET.get("call_id", "")[:100],
    }
    form = PhoneComplaintForm(request.POST or None, user=request.user, initial=initial)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicate = selectors.open_case_of_same_category(data["customer"], data["category"].pk)
        if duplicate is None or data["open_anyway"]:
            try:
                case = services.case_open(
                    actor=actor,
                    channel=Channel.CALL_CENTER,
                    category=data["category"],
                    description=data["description"],
                    customer=data["customer"],
                    service_unit=data["service_unit"],
                    reporter=services.Reporter(
                        name=data["reporter_name"] or (data["customer"] or Customer()).name,
                        contact_kind=ContactKind.PHONE if data["caller_phone"] else "",
                        contact=data["caller_phone"],
                    ),
                    location_text=data["location_text"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                if data["call_id"]:
                    services.case_add_note(
                        actor=actor, case_id=case.pk, note=_("ID panggilan: %s") % data["call_id"]
                    )
                return HttpResponseRedirect(
                    reverse("admin:complaints_case_phone_done", args=[case.pk])
                )
    context.update(
        title=_("Catat pengaduan telepon"),
        form=form,
        duplicate=duplicate,
        duplicate_note_form=NoteForm(
            initial={
                "version": duplicate.version if duplicate else 1,
                "note": form.data.get("description", ""),
            }
        ),
        search_url=reverse("admin:complaints_case_phone_customers"),
    )
    return render(request, "admin/complaints/case/phone.html", context)


def phone_complaint_done(request: HttpRequest, context: dict, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id)
    context.update(title=_("Pengaduan tercatat"), case=case, case_url=case_url(case.pk))
    return render(request, "admin/complaints/case/phone_done.html", context)


@require_GET
def phone_customer_search(request: HttpRequest) -> JsonResponse:
    _require_desk(request)
    customers = selectors.customer_search(user=request.user, query=request.GET.get("q", "")[:100])
    return JsonResponse({"results": [_customer_json(c) for c in customers]})


def _customer_json(customer: Customer) -> dict:
    return {
        "id": customer.pk,
        "id_pelanggan": customer.id_pelanggan,
        "meter_number": customer.meter_number or "",
        "name": customer.name,
        "address": customer.address,
        "service_unit": str(customer.service_unit),
    }


@require_GET
def phone_customer_context(request: HttpRequest, customer_id: int) -> JsonResponse:
    """What the agent should see before filing: open cases and known outages in the area."""
    _require_desk(request)
    customer = (
        selectors.customers_for(request.user)
        .select_related("service_unit")
        .filter(pk=customer_id)
        .first()
    )
    if customer is None:
        return JsonResponse({"error": _("Pelanggan tidak ditemukan.")}, status=404)
    return JsonResponse(
        {
            "customer": _customer_json(customer),
            "open_cases": [
                {
                    "ticket": case.ticket,
                    "url": case_url(case.pk),
                    "category": str(case.category),
                    "category_id": case.category_id,
                    "status": case.get_status_display(),
                    "created_at": case.created_at.isoformat(),
                }
                for case in selectors.open_cases_of_customer(customer)
            ],
            "outages": [
                {
                    "kind": outage.kind,
                    "title": outage.title,
                    "starts_at": outage.starts_at.isoformat() if outage.starts_at else None,
                    "ends_at": outage.ends_at.isoformat() if outage.ends_at else None,
                }
                for outage in selectors.outages_for_area(
                    service_unit_id=customer.service_unit_id,
                    area_code=customer.area_code,
                    unit=customer.service_unit,  # loaded with the customer
                )
            ],
        }
    )


# --- The case page ---------------------------------------------------------------------------


def case_page(request: HttpRequest, context: dict, case_id) -> HttpResponse:
    case = case_for(request.user, case_id)
    roles = roles_of(request.user)
    can_act = bool(roles & DESK_ROLES)
    transitions = [
        {
            "transition": t,
            "form": TransitionForm(
                user=request.user, initial={"target": t.target, "version": case.version}
            ),
            "label": t.target.label,
        }
        for t in (transitions_from(case.status, roles) if can_act else [])
    ]
    state = selectors.sla_state(case)
    context.update(
        title=case.ticket,
        case=case,
        sla_state=state,
        sla_label=selectors.SLA_LABELS[state],
        now_utc=clock.now(),
        timeline=selectors.case_timeline(case),
        transitions=transitions,
        can_act=can_act,
        can_assign=bool(roles & {Role.SUPERVISOR}),
        note_form=NoteForm(initial={"version": case.version}),
        assign_form=AssignForm(initial={"version": case.version}),
        merge_form=MergeForm(user=request.user, initial={"version": case.version}),
        priority_form=PriorityForm(initial={"version": case.version, "priority": case.priority}),
        outages=selectors.outages_for_area(
            service_unit_id=case.service_unit_id,
            area_code=case.customer.area_code if case.customer else "",
            unit=case.service_unit,  # loaded with the case
        ),
        technicians_url=reverse("admin:complaints_case_technicians", args=[case.pk]),
        act_url=reverse("admin:complaints_case_act", args=[case.pk]),
    )
    return render(request, "admin/complaints/case/console.html", context)


@require_GET
def case_technicians(request: HttpRequest, case_id) -> JsonResponse:
    case = case_for(request.user, case_id)
    technicians = selectors.technicians_for_case(case, query=request.GET.get("q", "")[:50])
    return JsonResponse(
        {
            "results": [
                {
                    "id": t.pk,
                    "text": f"{t} — {t.open_jobs}/{t.capacity}"
                    + ("" if t.on_shift else " " + _("(tidak bertugas)")),
                }
                for t in technicians
            ]
        }
    )


@require_POST
def case_act(request: HttpRequest, case_id) -> HttpResponse:
    """One endpoint for the buttons of the case page; ``action`` names the service."""
    case = case_for(request.user, case_id)
    actor = _require_desk(request)
    action = request.POST.get("action", "")
    handler = _ACTIONS.get(action)
    if handler is None:
        messages.error(request, _("Tindakan tidak dikenal."))
        return HttpResponseRedirect(case_url(case.pk))
    try:
        done = handler(request, actor, case)
    except StaleCase as exc:
        messages.error(request, exc.message)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, done)
    return HttpResponseRedirect(case_url(case.pk))


def _invalid(form) -> str:
    errors = "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(msgs)}".lstrip(": ")
        for name, msgs in form.errors.items()
    )
    raise DomainError(_("Isian tidak valid: %s") % errors)


def _do_transition(request, actor: Actor, case) -> str:
    form = TransitionForm(request.POST, user=request.user)
    if not form.is_valid():
        _invalid(form)
    data = form.cleaned_data
    services.case_transition(
        actor=actor,
        case_id=case.pk,
        target=data["target"],
        expected_version=data["version"],
        reason=data["reason"],
        resolution=data["resolution"],
        technician=data["technician"],
        merged_into=data["merged_into"],
        eta=data["eta"],
    )
    return _("Status diubah.")


def _do_note(request, actor: Actor, case) -> str:
    form = NoteForm(request.POST)
    if not form.is_valid():
        _invalid(form)
    data = form.cleaned_data
    services.case_add_note(
        actor=actor,
        case_id=case.pk,
        note=data["note"],
        to_customer=data["to_customer"],
        expected_version=data["version"],
    )
    return _("Pesan dikirim ke pelanggan.") if data["to_customer"] else _("Catatan disimpan.")


def _do_assign(request, actor: Actor, case) -> str:
    form = AssignForm(request.POST)
    if not form.is_valid():
        _invalid(form)
    technician = form.cleaned_data["technician"]
    if technician.pk not in {t.pk for t in selectors.technicians_for_case(case, limit=1000)}:
        raise DomainError(_("Teknisi ini tidak melayani unit atau keahlian pengaduan ini."))
    services.case_assign(
        actor=actor,
        case_id=case.pk,
        technician=technician,
        expected_version=form.cleaned_data["version"],
    )
    return _("Teknisi %s ditugaskan.") % technician


def _do_merge(request, actor: Actor, case) -> str:
    form = MergeForm(request.POST, user=request.user)
    if not form.is_valid():
        _invalid(form)
    target = form.cleaned_data["ticket"]
    services.case_merge(
        actor=actor,
        case_id=case.pk,
        into_case_id=target.pk,
        expected_version=form.cleaned_data["version"],
    )
    return _("Digabung ke %s.") % target.ticket


def _do_priority(request, actor: Actor, case) -> str:
    form = PriorityForm(request.POST)
    if not form.is_valid():
        _invalid(form)
    services.case_change_priority(
        actor=actor,
        case_id=case.pk,
        priority=form.cleaned_data["priority"],
        expected_version=form.cleaned_data["version"],
    )
    return _("Prioritas diubah.")


def _do_take(request, actor: Actor, case) -> str:
    form = VersionedForm(request.POST)
    if not form.is_valid():
        _invalid(form)
    services.case_take(actor=actor, case_id=case.pk, expected_version=form.cleaned_data["version"])
    return _("Pengaduan ini sekarang tanggung jawab Anda.")


def _do_duplicate_note(request, actor: Actor, case) -> str:
    """From the phone page: the caller's report becomes a note on their open case."""
    form = NoteForm(request.POST)
    if not form.is_valid():
        _invalid(form)
    services.case_add_note(
        actor=actor,
        case_id=case.pk,
        note=_("Pelanggan menelepon lagi: %s") % form.cleaned_data["note"],
        expected_version=form.cleaned_data["version"],
    )
    return _("Catatan ditambahkan ke %s; tidak ada pengaduan baru.") % case.ticket


# --- Issue 6: link the caller's report to the active outage incident of their area ----------


def _do_link_incident(request, actor: Actor, case) -> str:
    form = VersionedForm(request.POST)
    if not form.is_valid():
        _invalid(form)
    incident_id = request.POST.get("incident", "")
    if not incident_id.isdigit():
        raise DomainError(_("Gangguan tidak dikenal."))
    linked = incident_link_case(
        actor=actor,
        case_id=case.pk,
        incident_id=int(incident_id),
        expected_version=form.cleaned_data["version"],
    )
    return _("Ditautkan ke gangguan %s; pelapor diberi tahu perkiraan waktu menyala.") % (
        linked.incident.code
    )


_ACTIONS = {
    "link_incident": _do_link_incident,  # issue 6
    "transition": _do_transition,
    "note": _do_note,
    "assign": _do_assign,
    "merge": _do_merge,
    "priority": _do_priority,
    "take": _do_take,
    "duplicate_note": _do_duplicate_note,
}
