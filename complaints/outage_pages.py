"""Public outage pages: the planned-outage schedule and active outages (/pemadaman/), and the
restoration check's answer page (/pemadaman/nyala/<token>/), linked from the notice that asks
"Listrik sudah menyala? 1 Ya / 2 Tidak" on channels where a reply cannot be read (e-mail, SMS,
the app) and as a fallback everywhere."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from complaints import incident_selectors
from complaints.errors import DomainError
from complaints.incidents import restoration_answer, restoration_case_id
from complaints.models import Case
from complaints.workflow import CaseStatus


@require_GET
def outage_list(request: HttpRequest) -> HttpResponse:
    unit_id = request.GET.get("unit", "")
    unit_id = int(unit_id) if unit_id.isdigit() else None
    planned = incident_selectors.public_planned_outages(unit_id=unit_id)
    incidents = incident_selectors.public_active_incidents(unit_id=unit_id)
    return render(
        request,
        "outages/list.html",
        {
            "planned": [
                {
                    "unit": p.service_unit,
                    "starts": incident_selectors.local_time(p.starts_at, p.service_unit),
                    "ends": incident_selectors.local_time(p.ends_at, p.service_unit),
                    "reason": p.reason,
                    "areas": p.areas_text or ", ".join(p.area_codes) or _("Seluruh wilayah unit"),
                }
                for p in planned
            ],
            "incidents": [
                {
                    "unit": i.service_unit,
                    "title": incident_selectors.incident_public_title(i),
                    "status": i.get_status_display(),
                    "since": incident_selectors.local_time(i.started_at, i.service_unit),
                    "etr": incident_selectors.local_time(i.etr, i.service_unit),
                }
                for i in incidents
            ],
            "units": incident_selectors.public_units(),
            "unit_id": unit_id,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def restoration(request: HttpRequest, token: str) -> HttpResponse:
    case_id = restoration_case_id(token)
    case = (
        Case.objects.select_related("category").filter(pk=case_id).first()
        if case_id is not None
        else None
    )
    if case is None:
        return render(request, "outages/restoration.html", {"invalid": True}, status=404)
    error = ""
    if request.method == "POST" and request.POST.get("answer") in ("yes", "no"):
        try:
            carried_on = restoration_answer(
                case=case, still_off=request.POST["answer"] == "no", channel="web"
            )
        except DomainError as exc:
            error = exc.message
        else:
            url = reverse("pemadaman:restoration", args=[token])
            return HttpResponseRedirect(f"{url}?done={carried_on.ticket}")
    case.refresh_from_db()
    follow_up = case.follow_ups.order_by("pk").first()
    return render(
        request,
        "outages/restoration.html",
        {
            "case": case,
            "asking": case.status == CaseStatus.RESOLVED and follow_up is None,
            "follow_up": follow_up,
            "closed": case.status == CaseStatus.CLOSED and follow_up is None,
            "error": error,
        },
    )
