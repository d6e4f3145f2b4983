"""Public pages: the complaint form, its confirmation, and the ticket status lookup. Thin:
validation in forms, work in services and selectors, limits in ratelimit."""

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from channels_intake.ratelimit import Rate, Verdict, client_ip, hit
from channels_intake.web import selectors
from channels_intake.web.forms import ComplaintForm, StatusLookupForm
from channels_intake.web.services import (
    confirmation_token,
    read_confirmation,
    submit_web_complaint,
)

# Per client IP. Generous: Indonesian mobile carriers put many subscribers behind one
# address (CGNAT), and in a blackout a whole street reports at once.
SUBMIT_RATE = Rate(limit=10, seconds=600)
LOOKUP_RATE = Rate(limit=30, seconds=600)
# Guessing 4 digits takes thousands of tries; five per ticket per hour makes it hopeless.
PHONE_ATTEMPTS_PER_TICKET = Rate(limit=5, seconds=3600)
PHONE_ATTEMPTS_PER_IP = Rate(limit=10, seconds=3600)
# Room for the form fields beside the largest photo.
FORM_OVERHEAD_BYTES = 256 * 1024

TOO_LARGE = _("Kiriman terlalu besar. Foto maksimal 10 MB; perkecil fotonya lalu kirim lagi.")
TICKET_NOT_FOUND = _(
    "Tiket %(ticket)s tidak ditemukan. Periksa kembali nomornya, atau hubungi PLN 123."
)
WRONG_LAST4 = _("4 angka terakhir tidak cocok dengan nomor telepon pelapor.")
NO_PHONE_ON_CASE = _(
    "Pengaduan ini dilaporkan tanpa nomor telepon, jadi rinciannya tidak dapat dibuka di "
    "sini. Tanyakan lewat kanal yang Anda pakai untuk melapor."
)


def rate_limited(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    minutes = max(1, round(verdict.retry_after / 60))
    response = render(
        request,
        "channels_intake/web/rate_limited.html",
        {"minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.ATTACHMENT_MAX_BYTES + FORM_OVERHEAD_BYTES


@require_http_methods(["GET", "POST"])
def lapor(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        if _too_large(request):
            return render(
                request, "channels_intake/web/error.html", {"message": TOO_LARGE}, status=413
            )
        verdict = hit(f"web-submit:{client_ip(request)}", SUBMIT_RATE)
        if not verdict.allowed:
            return rate_limited(request, verdict)
        form = ComplaintForm(request.POST, request.FILES)
        if form.is_valid():
            receipt = submit_web_complaint(
                fields=request.POST.lists(),
                files=request.FILES.items(),
                submission_id=form.cleaned_data["submission_id"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
                remote_addr=client_ip(request) or None,
            )
            return redirect("public:lapor_done", token=confirmation_token(receipt))
        status = 422
    else:
        form = ComplaintForm(initial={"submission_id": uuid.uuid4().hex})
    return render(request, "channels_intake/web/lapor.html", {"form": form}, status=status)


@require_http_methods(["GET"])
def lapor_done(request: HttpRequest, token: str) -> HttpResponse:
    receipt = read_confirmation(token)
    if receipt is None:
        return redirect("public:lapor")
    return render(request, "channels_intake/web/lapor_done.html", {"receipt": receipt})


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    if "ticket" not in data:
        return render(request, "channels_intake/web/status.html", {"form": StatusLookupForm()})
    ip = client_ip(request)
    verdict = hit(f"web-status:{ip}", LOOKUP_RATE)
    if not verdict.allowed:
        return rate_limited(request, verdict)
    form = StatusLookupForm(data)
    context: dict = {"form": form}
    if not form.is_valid():
        return render(request, "channels_intake/web/status.html", context, status=422)
    ticket = form.cleaned_data["ticket"]
    case_status = selectors.public_status(ticket)
    if case_status is None:
        context["not_found"] = TICKET_NOT_FOUND % {"ticket": ticket}
        return render(request, "channels_intake/web/status.html", context, status=404)
    context["case_status"] = case_status
    last4 = form.cleaned_data["last4"]
    if request.method != "POST" or not last4:
        return render(request, "channels_intake/web/status.html", context)

    # Every attempt counts (atomically), so parallel guesses cannot slip past the limit.
    for key, rate in (
        (f"web-last4:{ticket}", PHONE_ATTEMPTS_PER_TICKET),
        (f"web-last4-ip:{ip}", PHONE_ATTEMPTS_PER_IP),
    ):
        attempt = hit(key, rate)
        if not attempt.allowed:
            return rate_limited(request, attempt)
    matched = selectors.phone_check(case_status.case_id, last4)
    if matched is None:
        context["details_error"] = NO_PHONE_ON_CASE
        return render(request, "channels_intake/web/status.html", context, status=403)
    if not matched:
        context["details_error"] = WRONG_LAST4
        return render(request, "channels_intake/web/status.html", context, status=403)
    context["details"] = selectors.reporter_details(case_status.case_id)
    return render(request, "channels_intake/web/status.html", context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A friendly page instead of Django's technical one (an expired form, cookies off)."""
    return render(
        request,
        "channels_intake/web/error.html",
        {
            "message": _(
                "Halaman ini sudah kedaluwarsa atau cookie diblokir. Muat ulang halaman, "
                "lalu kirim lagi."
            )
        },
        status=403,
    )
