"""Stored web-form submission → the same form rules → intake."""

import json

from channels_intake.intake import intake_submit
from channels_intake.models import InboundMessage
from channels_intake.web.forms import ComplaintForm
from channels_intake.web.submission import Submission, SubmissionInvalid, decode_submission
from complaints.models import Case

LANGUAGE_FIELD = "_language"


def parse_web_submission(raw: bytes) -> tuple[ComplaintForm, str]:
    """The bound form of a stored submission and its language; no database writes."""
    submission: Submission = decode_submission(raw)
    language = (submission.fields.get(LANGUAGE_FIELD) or ("id",))[0][:5]
    form = ComplaintForm(data=submission.data(), files=submission.uploaded())
    return form, language


def process_web(message: InboundMessage) -> Case:
    form, language = parse_web_submission(bytes(message.body))
    if not form.is_valid():
        # Kept on the row (status failed) for staff: the view validated the same rules, so
        # this means the rules changed between receiving and processing.
        raise SubmissionInvalid(json.dumps(form.errors.get_json_data(), ensure_ascii=False))
    complaint = form.complaint(language=language)
    result = intake_submit(
        complaint.intake_request(provider_message_id=message.provider_message_id)
    )
    return result.case
