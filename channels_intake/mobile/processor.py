"""Stored app complaint → the same input rules → intake; the case joins the account's list."""

import json

from channels_intake.intake import IntakeAttachment, IntakeRequest, intake_submit
from channels_intake.mobile.serializers import ComplaintInput
from channels_intake.mobile.services import ACCOUNT_HEADER, app_case_link
from channels_intake.models import AppAccount, InboundMessage
from channels_intake.web.submission import SubmissionInvalid, decode_submission
from complaints.models import Case, Channel, ContactKind


def parse_app_submission(raw: bytes) -> ComplaintInput:
    """The bound input serializer of a stored submission; no database writes."""
    submission = decode_submission(raw)
    data = submission.data()
    for key, files in submission.uploaded().lists():
        data.setlist(key, files)
    return ComplaintInput(data=data)


def intake_request(account: AppAccount, data: dict, *, provider_message_id: str) -> IntakeRequest:
    given_id = data["id_pelanggan"] or ("" if data["meter_number"] else account.id_pelanggan)
    return IntakeRequest(
        channel=Channel.MOBILE_APP,
        description=data["description"],
        category_code=data["category"],
        id_pelanggan=given_id,
        meter_number=data["meter_number"],
        reporter_name=account.name,
        # The account is the contact: notices go to its devices, the list follows it.
        contact_kind=ContactKind.APP,
        contact=str(account.pk),
        language=account.language,
        location_text=data["location_text"],
        latitude=data["latitude"],
        longitude=data["longitude"],
        attachments=tuple(IntakeAttachment(content=c, name=n) for c, n in data["photos"]),
        ticket=data["ticket"],
        provider=Channel.MOBILE_APP,
        provider_message_id=provider_message_id,
    )


def process_app(message: InboundMessage) -> Case:
    account = AppAccount.objects.get(pk=int((message.headers or {})[ACCOUNT_HEADER]))
    serializer = parse_app_submission(bytes(message.body))
    if not serializer.is_valid():
        raise SubmissionInvalid(json.dumps(serializer.errors, ensure_ascii=False, default=str))
    result = intake_submit(
        intake_request(
            account, serializer.validated_data, provider_message_id=message.provider_message_id
        )
    )
    app_case_link(account=account, case=result.case)
    if account.customer_id is None and result.customer is not None:
        account.customer = result.customer
        account.save(update_fields=["customer"])
    return result.case
