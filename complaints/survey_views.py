"""The satisfaction survey page (/survey/<token>/), linked from the "closed" notice. Thin: the
token names the case, the form checks the fields, complaints.satisfaction records the answer."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from channels_intake.ratelimit import Rate, client_ip, hit
from channels_intake.web.views import rate_limited
from complaints.errors import DomainError
from complaints.models import Case, Channel, SatisfactionAnswer
from complaints.notifications import survey_case_id
from complaints.satisfaction import (
    COMMENT_MAX_CHARS,
    FIXED_INVALID,
    SCORE_INVALID,
    SCORES,
    AlreadyAnswered,
    record_answer,
)

# Per client IP, like the public complaint form (CGNAT: many customers behind one address).
ANSWER_RATE = Rate(limit=20, seconds=600)

INVALID_LINK = _(
    "Tautan survei ini tidak valid atau sudah kedaluwarsa. Bila masalah Anda belum teratasi, "
    "silakan laporkan lagi atau hubungi PLN 123."
)
NOT_CLOSED = _("Pengaduan ini belum ditutup, jadi belum dapat dinilai.")
FIXED_QUESTION = _("Apakah masalah Anda sudah teratasi?")
SCORE_LABELS = {
    1: _("1 - Sangat tidak puas"),
    2: _("2 - Tidak puas"),
    3: _("3 - Cukup"),
    4: _("4 - Puas"),
    5: _("5 - Sangat puas"),
}


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Seberapa puas Anda dengan penanganan pengaduan ini?"),
        choices=[(score, SCORE_LABELS[score]) for score in SCORES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": SCORE_INVALID, "invalid_choice": SCORE_INVALID},
    )
    fixed = forms.TypedChoiceField(
        label=FIXED_QUESTION,
        choices=[("yes", _("Ya, sudah teratasi")), ("no", _("Belum teratasi"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": FIXED_INVALID, "invalid_choice": FIXED_INVALID},
    )
    comment = forms.CharField(
        label=_("Komentar"),
        required=False,
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Formatted per request: formatting a lazy text at import would fix its language.
        self.fields["comment"].help_text = _(
            "Boleh dikosongkan. Paling banyak %(max)s karakter."
        ) % {"max": COMMENT_MAX_CHARS}


def _case_of(token: str) -> Case | None:
    case_id = survey_case_id(token, max_age=timedelta(days=settings.SURVEY_TOKEN_DAYS))
    if case_id is None:
        return None
    return Case.objects.select_related("category").filter(pk=case_id).first()


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    case = _case_of(token)
    if case is None:
        return render(request, "survey/invalid.html", {"message": INVALID_LINK}, status=404)
    context: dict = {"case": case, "fixed_question": FIXED_QUESTION}
    answer = SatisfactionAnswer.objects.filter(case=case).first()
    if answer is not None:
        context.update(answer=answer, thanks=request.GET.get("done") == "1")
        return render(request, "survey/answered.html", context)
    if case.closed_at is None:
        return render(request, "survey/invalid.html", {"message": NOT_CLOSED}, status=409)
    status = 200
    if request.method == "POST":
        verdict = hit(f"survey:{client_ip(request)}", ANSWER_RATE)
        if not verdict.allowed:
            return rate_limited(request, verdict)
        form = SurveyForm(request.POST)
        if form.is_valid():
            try:
                record_answer(
                    case_id=case.pk,
                    score=form.cleaned_data["score"],
                    fixed=form.cleaned_data["fixed"],
                    comment=form.cleaned_data["comment"],
                    channel=Channel.WEB,
                )
            except AlreadyAnswered:
                # Answered meanwhile (a WhatsApp reply, a second tab): the page shows which.
                return HttpResponseRedirect(reverse("survey:answer", args=[token]))
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                url = reverse("survey:answer", args=[token])
                return HttpResponseRedirect(f"{url}?done=1")
        status = 422
    else:
        form = SurveyForm()
    context["form"] = form
    return render(request, "survey/form.html", context, status=status)
