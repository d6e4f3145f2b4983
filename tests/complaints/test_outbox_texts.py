"""Notice texts: one template per event and language, each rendering with the ticket number;
times in the unit's zone; the closed notice links to a survey with a verifiable token."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from complaints.models import CaseEvent, ContactKind, EventKind
from complaints.notifications import (
    LANGUAGES,
    TEMPLATES,
    notice_context,
    render_notice,
    survey_case_id,
    survey_token,
    template_parameters,
)
from complaints.services import Reporter
from tests import factories

NOTICE_DIR = Path(django_settings.BASE_DIR) / "templates" / "notifications"
EVENT_DATA = {
    "eta": "2026-03-02T07:30:00+00:00",
    "etr": "2026-03-02T11:00:00+00:00",
    "merged_into_ticket": "ADU-0000-0001",
}
# Words that give away a text in the other language.
OTHER_LANGUAGE = {"id": re.compile(r"\bComplaint\b|\bthe\b"), "en": re.compile(r"\bPengaduan\b")}


@pytest.fixture
def case(world):
    return factories.open_case(
        world.unit_a,
        reporter=Reporter(name="Budi", contact_kind=ContactKind.WHATSAPP, contact="+628121"),
    )


def event_for(case, **data) -> CaseEvent:
    # Unsaved: rendering reads the event, it never writes one.
    return CaseEvent(
        case=case,
        kind=EventKind.STATUS_CHANGED,
        note="Kabel sambungan rumah diganti",
        data={**EVENT_DATA, **data},
    )


def test_every_event_has_a_text_in_every_language_and_nothing_else_is_there():
    # staff/ holds the supervisors' alerts (complaints.staff_notices), tested below.
    events = sorted(
        p.name for p in NOTICE_DIR.iterdir() if not p.name.startswith("_") and p.name != "staff"
    )
    assert events == sorted(TEMPLATES)
    for event in TEMPLATES:
        assert sorted(p.stem for p in (NOTICE_DIR / event).glob("*.txt")) == sorted(LANGUAGES)


def test_every_staff_alert_has_a_subject_and_body_in_every_language_and_nothing_else():
    from complaints.staff_notices import ALERTS

    alerts = sorted(p.name for p in (NOTICE_DIR / "staff").iterdir())
    assert alerts == sorted(ALERTS)
    for alert in ALERTS:
        for language in LANGUAGES:
            text = (NOTICE_DIR / "staff" / alert / f"{language}.txt").read_text()
            subject, _, body = text.partition("\n")
            assert "{{ ticket }}" in subject, (alert, language)
            assert body.strip(), (alert, language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_notice_renders_with_the_ticket_in_its_language(case, template, language):
    body = render_notice(template, case, event_for(case), language)

    assert case.ticket in body
    assert "{" not in body
    assert "None" not in body
    assert not OTHER_LANGUAGE[language].search(body), body


@pytest.mark.parametrize("template", TEMPLATES)
def test_whatsapp_template_parameters_are_never_empty(case, template):
    context = notice_context(template, case, event_for(case, eta=None, etr=None), "id")

    params = template_parameters(template, context)

    assert params[0] == case.ticket
    assert all(value.strip() and "\n" not in value for value in params)


def test_on_the_way_notice_gives_the_eta_in_the_units_time(case):
    assert render_notice("dispatched", case, event_for(case), "id").endswith(
        "perkiraan tiba 2 Mar 2026 14:30 WIB."
    )
    assert render_notice("dispatched", case, event_for(case), "en").endswith(
        "expected arrival 2 Mar 2026 14:30 WIB."
    )


def test_on_the_way_notice_without_eta_says_no_time(case):
    body = render_notice("dispatched", case, event_for(case, eta=None), "en")

    assert body == f"Complaint {case.ticket}: the technician is on the way."


def test_incident_notice_gives_the_estimated_restoration_time(case):
    body = render_notice("incident_etr", case, event_for(case), "id")

    assert "perkiraan menyala kembali 2 Mar 2026 18:00 WIB" in body


def test_closed_notice_links_to_a_survey_for_this_case(case, settings):
    settings.PUBLIC_BASE_URL = "https://aduan.example.id"

    body = render_notice("closed", case, event_for(case), "id")

    (url,) = re.findall(r"https://\S+", body)
    token = re.fullmatch(r"https://aduan\.example\.id/survey/([^/]+)/", url).group(1)
    assert survey_case_id(token) == case.pk


def test_a_tampered_survey_token_names_no_case(case):
    token = survey_token(case)

    assert survey_case_id(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert survey_case_id("not-a-token") is None
