"""Stored Open311 request → the same parsing → the one intake call."""

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from channels_intake.intake import IntakeRequest, intake_submit
from channels_intake.models import InboundMessage
from channels_intake.open311.parse import Open311Request, parse_request
from complaints.models import Case, Channel, ContactKind

MEDIA_LINE = _("Foto/media dari pelapor: %(url)s")
CLIENT_HEADER = "x-open311-client"


def intake_request(request: Open311Request, *, provider_message_id: str) -> IntakeRequest:
    description = request.description
    if request.media_url:
        # Not fetched (a URL from outside is not downloaded by the back office): agents open it.
        description += "\n\n" + str(MEDIA_LINE % {"url": request.media_url})
    contact_kind, contact = "", ""
    if request.email:
        contact_kind, contact = ContactKind.EMAIL, request.email
    elif request.phone:
        contact_kind, contact = ContactKind.PHONE, request.phone
    return IntakeRequest(
        channel=Channel.OPEN311,
        description=description,
        category_code=request.service_code,
        id_pelanggan=request.id_pelanggan,
        meter_number=request.meter_number,
        reporter_name=request.reporter_name,
        contact_kind=contact_kind,
        contact=contact,
        location_text=request.location_text,
        latitude=request.latitude,
        longitude=request.longitude,
        provider=Channel.OPEN311,
        provider_message_id=provider_message_id,
    )


def process_open311(message: InboundMessage) -> Case:
    form = QueryDict(bytes(message.body), encoding="utf-8")
    request = parse_request(form)
    result = intake_submit(intake_request(request, provider_message_id=message.provider_message_id))
    return result.case
