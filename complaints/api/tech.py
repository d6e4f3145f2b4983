"""The technician API, /api/v1/tech/: the field app's jobs list, its moves on a job (accept, on
the way, on site, resolve with note and photos), the crew's moves on an outage incident (ETR,
partial restoration, restoration), position updates and the shift switch.

One operation per method, no logic: reads through complaints.tech_selectors, writes through
complaints.tech_services, complaints.incidents and staff.services. Who may act:

* only users with the technician role and a technician profile (anyone else: 403, before any
  job is looked up, so the answer says nothing about a ticket);
* a job that is not the technician's is a 404, the same as an unknown ticket; a job that was
  theirs and has been handed to another technician (or an incident with another crew) is a
  403, re-checked under the row lock when the move is written;
* a stale ``If-Match`` / ``version`` is a 409; a move the workflow does not allow from the
  job's status is a 422 listing ``allowed_transitions``."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from complaints import incidents, tech_selectors, tech_services
from complaints.api import serializers as io
from complaints.api import tech_serializers as tio
from complaints.api.schema import IF_MATCH, path_id
from complaints.api.views import StaffAPI
from complaints.tech_selectors import crew_incident_for, job_case_for, technician_of
from complaints.tech_services import MAX_PHOTOS, Photo, check_photo_size
from staff import services as staff_services
from staff.roles import Actor

NOT_TECHNICIAN = _("API ini hanya untuk teknisi.")
TICKET = OpenApiParameter(
    "ticket",
    str,
    OpenApiParameter.PATH,
    description="Ticket number (ADU-XXXX-XXXX) of a case booked to the technician.",
)
INCIDENT_ID = path_id("incident_id", "Id of an outage incident the technician is the crew of.")


class IsTechnician(permissions.BasePermission):
    message = NOT_TECHNICIAN

    def has_permission(self, request, view) -> bool:
        return technician_of(request.user) is not None


class TechAPI(StaffAPI):
    permission_classes = [permissions.IsAuthenticated, IsTechnician]

    @property
    def technician(self):
        return technician_of(self.request.user)

    def actor(self) -> Actor:
        return Actor.staff(self.request.user)


def _valid(serializer_class, data, view: TechAPI) -> dict:
    serializer = serializer_class(data=data, context=view.get_serializer_context())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _version(request, data: dict) -> int | None:
    return io.expected_version(request.headers.get("If-Match", ""), data.get("version"))


def _job_response(view: TechAPI, ticket: str) -> Response:
    case = job_case_for(view.technician, ticket)
    response = Response(tio.CaseJobOutput(case, context=view.get_serializer_context()).data)
    response["ETag"] = f'"{case.version}"'
    return response


def _incident_response(view: TechAPI, incident_id) -> Response:
    incident = crew_incident_for(view.technician, incident_id)
    response = Response(tio.IncidentJobOutput(incident).data)
    response["ETag"] = f'"{incident.version}"'
    return response


# --- Jobs ------------------------------------------------------------------------------------


class JobsView(TechAPI):
    """The technician's open jobs: the active outage incidents they are the crew of, then the
    cases booked to them (most urgent first). Keyset pages: pass ``next_cursor`` back as
    ``cursor``; a page may hold both kinds."""

    @extend_schema(
        parameters=[tio.JobsQuery], responses=tio.JobsPageOutput, operation_id="tech_jobs_list"
    )
    def get(self, request):
        query = _valid(tio.JobsQuery, request.query_params, self)
        page = tech_selectors.jobs_page(
            self.technician, after=query.get("cursor"), limit=query["page_size"]
        )
        output = tio.JobsPageOutput(
            {"next_cursor": page.next_cursor, "incidents": page.incidents, "cases": page.cases},
            context=self.get_serializer_context(),
        )
        return Response(output.data)


class JobDetailView(TechAPI):
    @extend_schema(
        parameters=[TICKET], responses=tio.CaseJobOutput, operation_id="tech_job_retrieve"
    )
    def get(self, request, ticket: str):
        return _job_response(self, ticket)


class JobAcceptView(TechAPI):
    """Acknowledge an assigned job (recorded on the case's timeline; the status stays
    ``assigned``). Accepting twice is not an error and records nothing more."""

    @extend_schema(
        parameters=[TICKET, IF_MATCH], request=tio.VersionInput, responses=tio.CaseJobOutput
    )
    def post(self, request, ticket: str):
        case = job_case_for(self.technician, ticket)
        data = _valid(tio.VersionInput, request.data, self)
        tech_services.job_accept(
            actor=self.actor(), case_id=case.pk, expected_version=_version(request, data)
        )
        return _job_response(self, case.ticket)


class JobOnTheWayView(TechAPI):
    """``assigned`` → ``dispatched``, with the estimated arrival; the customer is told."""

    @extend_schema(
        parameters=[TICKET, IF_MATCH], request=tio.OnTheWayInput, responses=tio.CaseJobOutput
    )
    def post(self, request, ticket: str):
        case = job_case_for(self.technician, ticket)
        data = _valid(tio.OnTheWayInput, request.data, self)
        tech_services.job_on_the_way(
            actor=self.actor(),
            case_id=case.pk,
            eta=data["eta"],
            expected_version=_version(request, data),
        )
        return _job_response(self, case.ticket)


class JobOnSiteView(TechAPI):
    """``dispatched`` → ``on_site``; the customer is told."""

    @extend_schema(
        parameters=[TICKET, IF_MATCH], request=tio.VersionInput, responses=tio.CaseJobOutput
    )
    def post(self, request, ticket: str):
        case = job_case_for(self.technician, ticket)
        data = _valid(tio.VersionInput, request.data, self)
        tech_services.job_on_site(
            actor=self.actor(), case_id=case.pk, expected_version=_version(request, data)
        )
        return _job_response(self, case.ticket)


class JobResolveView(TechAPI):
    """``on_site`` → ``resolved`` with the technician's note and up to five JPEG/PNG photos
    (multipart, field ``photos`` repeated). The photos are stored on the case and the case
    resolved in one transaction; the customer is told. A photo over the size limit is a 413,
    one that is not JPEG or PNG (by its bytes) a 415."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    # Photos, and a margin for the note and the multipart framing.
    max_body_bytes = MAX_PHOTOS * settings.ATTACHMENT_MAX_BYTES + 1024 * 1024

    @extend_schema(
        parameters=[TICKET, IF_MATCH], request=tio.ResolveInput, responses=tio.CaseJobOutput
    )
    def post(self, request, ticket: str):
        case = job_case_for(self.technician, ticket)
        data = _valid(tio.ResolveInput, request.data, self)
        for upload in data["photos"]:
            check_photo_size(upload.size, upload.name or "")
        photos = [Photo(content=upload.read(), name=upload.name or "") for upload in data["photos"]]
        tech_services.job_resolve(
            actor=self.actor(),
            case_id=case.pk,
            note=data["note"],
            photos=photos,
            expected_version=_version(request, data),
        )
        return _job_response(self, case.ticket)


# --- Outage incidents (the crew's) -----------------------------------------------------------


class IncidentEtrView(TechAPI):
    """Set or revise the estimated restoration time; every linked reporter is told once."""

    @extend_schema(
        parameters=[INCIDENT_ID, IF_MATCH], request=tio.EtrInput, responses=tio.IncidentJobOutput
    )
    def post(self, request, incident_id: str):
        incident = crew_incident_for(self.technician, incident_id)
        data = _valid(tio.EtrInput, request.data, self)
        incidents.incident_set_etr(
            actor=self.actor(),
            incident_id=incident.pk,
            etr=data["etr"],
            note=data["note"],
            expected_version=_version(request, data),
        )
        return _incident_response(self, incident.pk)


class IncidentPartialView(TechAPI):
    """ "Nyala bertahap": part of the area has power again (with the ETR of the rest)."""

    @extend_schema(
        parameters=[INCIDENT_ID, IF_MATCH],
        request=tio.PartialInput,
        responses=tio.IncidentJobOutput,
    )
    def post(self, request, incident_id: str):
        incident = crew_incident_for(self.technician, incident_id)
        data = _valid(tio.PartialInput, request.data, self)
        incidents.incident_partial_restore(
            actor=self.actor(),
            incident_id=incident.pk,
            note=data["note"],
            etr=data["etr"],
            expected_version=_version(request, data),
        )
        return _incident_response(self, incident.pk)


class IncidentRestoreView(TechAPI):
    """Power is back: the incident is restored, the crew released, and every linked report
    resolved and its reporter told (after commit)."""

    @extend_schema(
        parameters=[INCIDENT_ID, IF_MATCH],
        request=tio.RestoreInput,
        responses=tio.IncidentJobOutput,
    )
    def post(self, request, incident_id: str):
        incident = crew_incident_for(self.technician, incident_id)
        data = _valid(tio.RestoreInput, request.data, self)
        incidents.incident_restore(
            actor=self.actor(),
            incident_id=incident.pk,
            note=data["note"],
            expected_version=_version(request, data),
        )
        return _incident_response(self, incident.pk)


# --- The technician ----------------------------------------------------------------------------


class PositionView(TechAPI):
    """Where the technician is now (dispatch chooses the nearest). A fix older than the one
    stored is ignored (``applied: false``): phones send queued fixes late."""

    @extend_schema(request=tio.PositionInput, responses=tio.PositionOutput)
    def post(self, request):
        data = _valid(tio.PositionInput, request.data, self)
        update = staff_services.technician_update_position(
            actor=self.actor(),
            technician=self.technician,
            latitude=data["latitude"],
            longitude=data["longitude"],
            at=data["at"],
        )
        update.technician.applied = update.applied
        return Response(tio.PositionOutput(update.technician).data)


class ShiftView(TechAPI):
    """``GET``: the technician's own record (shift, load, last position). ``POST``: start or
    end a shift; only technicians on shift are dispatched."""

    @extend_schema(responses=tio.TechnicianSelfOutput)
    def get(self, request):
        return Response(tio.TechnicianSelfOutput(self.technician).data)

    @extend_schema(request=tio.ShiftInput, responses=tio.TechnicianSelfOutput)
    def post(self, request):
        data = _valid(tio.ShiftInput, request.data, self)
        technician = staff_services.technician_set_shift(
            actor=self.actor(), technician=self.technician, on_shift=data["on_shift"]
        )
        return Response(tio.TechnicianSelfOutput(technician).data)
