"""The satisfaction survey sent with the "closed" notice (issue 5 point 7).

The reporter rates the handling 1-5 and says whether the problem is fixed ("Apakah masalah
Anda sudah teratasi?"), on the public page (/survey/<token>/, complaints.survey_views) or by a
WhatsApp reply ("5", "2 belum"). One answer per case, final: a second answer is refused
(``AlreadyAnswered``) and the page shows the first. Letting an answer be changed would let one
case be reopened again and again from one link, and the dashboard's figures move after the fact.

"Not fixed" within ``SURVEY_REOPEN_DAYS`` of the closing reopens the case (closed → reopened,
through ``services.case_transition`` as the customer: the "reopened" notice goes out and the
case is back in the unit's queue). Later, or when staff already reopened it, the answer is
recorded and the timeline says a supervisor has to follow it up.
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from complaints import clock, incidents
from complaints.errors import DomainError, InvalidInput
from complaints.models import (
    SATISFACTION_COMMENT_MAX_CHARS,
    Case,
    Channel,
    Notification,
    NotificationStatus,
    SatisfactionAnswer,
)
from complaints.notifications import notice_language
from complaints.workflow import CaseStatus
from staff.roles import Actor

SCORES = (1, 2, 3, 4, 5)
COMMENT_MAX_CHARS = SATISFACTION_COMMENT_MAX_CHARS
CLOSED_NOTICE = "closed"

SCORE_INVALID = _("Pilih nilai 1 sampai 5.")
FIXED_INVALID = _("Jawab apakah masalah Anda sudah teratasi: ya atau tidak.")
COMMENT_TOO_LONG = _("Komentar paling panjang %(max)s karakter.")
SURVEY_NOT_OPEN = _("Pengaduan %(ticket)s belum ditutup, jadi belum dapat dinilai.")
ALREADY_ANSWERED = _("Survei pengaduan %(ticket)s sudah dijawab.")

# Timeline texts (stored in the default language, as the incident notes are).
NOTE_FIXED = _("Survei kepuasan: nilai %(score)s/5, masalah sudah teratasi.")
NOTE_NOT_FIXED = _("Survei kepuasan: nilai %(score)s/5, masalah belum teratasi.")
NOTE_COMMENT = _("Komentar: %(comment)s")
NOTE_NOT_REOPENED = _(
    "Dijawab lebih dari %(days)s hari setelah ditutup atau saat pengaduan sudah dibuka lagi: "
    "pengaduan tidak dibuka kembali otomatis. Supervisor perlu menindaklanjuti."
)
REOPEN_REASON = _(
    "Survei kepuasan: pelanggan menyatakan masalah belum teratasi (nilai %(score)s/5)."
)

# WhatsApp replies (in the language the survey was sent in).
REPLY_THANKS = _("Terima kasih atas penilaian Anda (%(score)s/5) untuk pengaduan %(ticket)s.")
REPLY_REOPENED = _("Karena masalah belum teratasi, pengaduan %(ticket)s kami buka kembali.")
REPLY_FOLLOW_UP = _("Petugas kami akan menindaklanjuti bahwa masalah Anda belum teratasi.")


class AlreadyAnswered(DomainError):
    code = "conflict"


# --- Recording an answer ------------------------------------------------------------------


def reopen_window() -> timedelta:
    return timedelta(days=settings.SURVEY_REOPEN_DAYS)


def _validate(score: object, fixed: object, comment: str, channel: str) -> str:
    # bool is an int: True must not pass as a score of 1.
    if isinstance(score, bool) or not isinstance(score, int) or score not in SCORES:
        raise InvalidInput(SCORE_INVALID)
    if not isinstance(fixed, bool):
        raise InvalidInput(FIXED_INVALID)
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_CHARS:
        raise InvalidInput(COMMENT_TOO_LONG, max=COMMENT_MAX_CHARS)
    return comment


@transaction.atomic
def record_answer(
    *, case_id: int, score: int, fixed: bool, comment: str = "", channel: str
) -> SatisfactionAnswer:
    """Record the reporter's answer to the survey of a closed case, reopening the case when
    the problem is not fixed and the closing was recent. Raises ``InvalidInput`` for a bad
    answer or a case that was never closed, ``AlreadyAnswered`` for a second answer."""
    from complaints.services import case_add_customer_message, case_transition

    comment = _validate(score, fixed, comment, channel)
    # The case row lock orders two answers to one case (page and WhatsApp at once): the second
    # waits here and then finds the first. The unique case column backs it up.
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("service_unit").get(pk=case_id)
    )
    if case.closed_at is None:
        raise InvalidInput(SURVEY_NOT_OPEN, ticket=case.ticket)
    if SatisfactionAnswer.objects.filter(case=case).exists():
        raise AlreadyAnswered(ALREADY_ANSWERED, ticket=case.ticket)
    at = clock.now()
    reopen = (
        not fixed and case.status == CaseStatus.CLOSED and at - case.closed_at <= reopen_window()
    )
    answer = SatisfactionAnswer.objects.create(
        case=case,
        score=score,
        fixed=fixed,
        comment=comment,
        channel=channel,
        answered_at=at,
        answered_on=at.astimezone(case.service_unit.tz).date(),
        reopened=reopen,
        service_unit_id=case.service_unit_id,
        category_id=case.category_id,
    )
    actor = Actor.customer(channel)
    with translation.override(settings.LANGUAGE_CODE):
        lines = [str((NOTE_FIXED if fixed else NOTE_NOT_FIXED) % {"score": score})]
        if comment:
            lines.append(str(NOTE_COMMENT % {"comment": comment}))
        if not fixed and not reopen:
            lines.append(str(NOTE_NOT_REOPENED % {"days": settings.SURVEY_REOPEN_DAYS}))
        reason = str(REOPEN_REASON % {"score": score})
    case_add_customer_message(
        actor=actor,
        case_id=case.pk,
        text="\n".join(lines),
        data={
            "channel": channel,
            "satisfaction": {"score": score, "fixed": fixed, "reopened": reopen},
        },
    )
    if reopen:
        case_transition(actor=actor, case_id=case.pk, target=CaseStatus.REOPENED, reason=reason)
    return answer


# --- WhatsApp replies ---------------------------------------------------------------------

# "5", "4/5", "4 dari 5", "2 belum", "1. masih padam"; not "10", "3.5" or "15 menit".
_SCORE = re.compile(
    r"^\s*([1-5])(?![.,]?\d)(?:\s*(?:/|dari|of)\s*5\b)?[\s.,:;!)\-]*(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_NOT_FIXED = re.compile(
    r"\b(belum|blm|unresolved|not\s+(?:yet\s+)?(?:fixed|solved|resolved)"
    r"|(?:tidak|tdk|gak|ga|nggak)\s+(?:teratasi|beres|selesai)"
    r"|masih\s+(?:padam|mati|rusak|gangguan|bermasalah|sama))\b",
    re.IGNORECASE,
)


def parse_survey_reply(text: str) -> tuple[int, bool, str] | None:
    """(score, fixed, comment) from a reply such as "5" or "2 belum, masih padam"; None when
    the text does not start with a score. "Not fixed" needs a word saying so ("belum", "not
    fixed", "masih padam"); a bare score means fixed, as the notice explains."""
    match = _SCORE.match(text or "")
    if match is None:
        return None
    comment = match.group(2).strip()[:COMMENT_MAX_CHARS]
    return int(match.group(1)), _NOT_FIXED.search(comment) is None, comment


def awaiting_survey_answer(
    *, contact: str, channel: str, since: datetime | None = None
) -> Case | None:
    """The case whose survey is the question ``contact`` was asked last and has not answered:
    the newest "closed" notice to them on ``channel`` within the reopen window, of a case
    still closed and unanswered. None when they wrote to us after it (``since``: their
    previous message, when the caller knows it) — they moved on and a digit now is a menu
    choice — or when a restoration check ("Listrik sudah menyala? 1 Ya / 2 Tidak",
    complaints.incidents) was asked after it and is still open: that one is answered first."""
    notice = (
        Notification.objects.filter(
            channel=channel,
            recipient=contact,
            template=CLOSED_NOTICE,
            created_at__gte=clock.now() - reopen_window(),
            case__status=CaseStatus.CLOSED,
            case__satisfaction__isnull=True,
        )
        # A superseded notice never reached the customer (a "Tidak" to the restoration check
        # replaces the "closed" notice with the follow-up's ticket).
        .exclude(status=NotificationStatus.SUPERSEDED)
        .select_related("case")
        .order_by("-created_at", "-pk")
        .first()
    )
    if notice is None or (since is not None and notice.created_at < since):
        return None
    restoration = incidents.awaiting_restoration_answer(contact=contact)
    if (
        restoration is not None
        and Notification.objects.filter(
            case=restoration,
            recipient=contact,
            template__in=[incidents.NOTICE_RESTORED, incidents.NOTICE_RESTORATION_CHECK],
            created_at__gt=notice.created_at,
        ).exists()
    ):
        return None
    return notice.case


def answer_from_message(
    *, contact: str, text: str, channel: str, since: datetime | None = None
) -> str | None:
    """For a messaging conversation (the bot calls it first): when ``text`` is a score and the
    survey is ``contact``'s pending question, record the answer and return the reply to send;
    None when the message is something else (the conversation goes on as usual)."""
    parsed = parse_survey_reply(text)
    if parsed is None:
        return None
    case = awaiting_survey_answer(contact=contact, channel=channel, since=since)
    if case is None:
        return None
    score, fixed, comment = parsed
    try:
        answer = record_answer(
            case_id=case.pk, score=score, fixed=fixed, comment=comment, channel=channel
        )
    except DomainError:  # answered meanwhile on the page: not a survey reply any more
        return None
    with translation.override(notice_language(case)):
        parts = [str(REPLY_THANKS % {"score": score, "ticket": case.ticket})]
        if answer.reopened:
            parts.append(str(REPLY_REOPENED % {"ticket": case.ticket}))
        elif not fixed:
            parts.append(str(REPLY_FOLLOW_UP))
    return " ".join(parts)
