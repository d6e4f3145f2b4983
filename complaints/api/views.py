"""The staff API: one operation per method, input and output serializers, no logic. Reads go
through the selectors and staff.access (the console's scoping: a case outside the user's
units is a 404), writes through complaints.services; domain errors become HTTP answers in the
one exception handler (channels_intake.api_errors)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from channels_intake.api_errors import PayloadTooLarge, api_exception_handler
from complaints import clock, incident_selectors, selectors, services
from complaints.api import serializers as io
from complaints.api.authentication import ApiTokenAuthentication
from complaints.api.filters import CaseFilter, IncidentFilter, TechnicianFilter
from complaints.api.pagination import ById, NewestFirst, StartedNewestFirst
from complaints.api.permissions import IsDeskStaff
from complaints.api.schema import IF_MATCH, path_id
from complaints.api.throttling import StaffReadThrottle, StaffWriteThrottle
from complaints.models import Case
from staff.access import case_for, scope_cases
from staff.roles import Actor

JSON_MAX_BYTES = 64 * 1024
CASE_ID = path_id("case_id", "Case id (the ticket number is searchable with ?q=).")


class StaffAPI(APIView):
    """What every staff endpoint shares: token or console session, the console's roles,
    per-user limits, JSON bodies of bounded size, and the one error shape."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, IsDeskStaff]
    parser_classes = [JSONParser]
    max_body_bytes = JSON_MAX_BYTES

    def get_exception_handler(self):
        return api_exception_handler

    def get_throttles(self):
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return [StaffReadThrottle()]
        return [StaffWriteThrottle()]

    def initial(self, request, *args, **kwargs) -> None:
        # Refuse an oversize body before a parser reads it whole.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.max_body_bytes:
            raise PayloadTooLarge()
        super().initial(request, *args, **kwargs)

    def get_serializer_context(self) -> dict:
        return {"request": self.request, "view": self, "now": clock.now()}


def _valid(serializer_class, data, **context) -> dict:
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _case_response(request, case_id: int | str, *, status_code: int = 200) -> Response:
    """The case as the user now sees it, with its ETag (the version a write must match)."""
    case = case_for(request.user, case_id)
    output = io.CaseDetailOutput(case, context={"request": request, "now": clock.now()})
    response = Response(output.data, status=status_code)
    response["ETag"] = f'"{case.version}"'
    return response


# --- Cases -----------------------------------------------------------------------------------


class CasesView(StaffAPI, generics.ListAPIView):
    """``GET``: the user's cases, newest first (cursor pages), filtered like the console's
    queue. ``POST``: log a case (an agent or supervisor; the console's phone-complaint form)."""

    serializer_class = io.CaseOutput
    pagination_class = NewestFirst
    filter_backends = [DjangoFilterBackend]
    filterset_class = CaseFilter

    def get_queryset(self):
        # Queries per page (after auth, roles, units and the throttle counter): the page of
        # cases with category, unit and customer joined. No COUNT.
        return scope_cases(
            self.request.user,
            Case.objects.select_related("category", "service_unit", "customer"),
        )

    @extend_schema(
        request=io.CaseCreateInput,
        responses={201: io.CaseDetailOutput},
        operation_id="cases_create",
    )
    def post(self, request):
        data = _valid(io.CaseCreateInput, request.data, request=request)
        case = services.case_open(
            actor=Actor.staff(request.user),
            channel=data["channel"],
            category=data["category"],
            description=data["description"],
            customer=data["customer"],
            service_unit=data["service_unit"],
            reporter=services.Reporter(
                name=data["reporter_name"] or (data["customer"].name if data["customer"] else ""),
                contact_kind=data["reporter_contact_kind"],
                contact=data["reporter_contact"],
                language=data["reporter_language"],
            ),
            location_text=data["location_text"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            priority=data["priority"],
        )
        response = _case_response(request, case.pk, status_code=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(reverse("api:case", args=[case.pk]))
        return response


class CaseDetailView(StaffAPI):
    @extend_schema(parameters=[CASE_ID], responses=io.CaseDetailOutput)
    def get(self, request, case_id: str):
        return _case_response(request, case_id)


class CaseTransitionView(StaffAPI):
    """Move the case along the workflow (complaints.workflow.TRANSITIONS decides what may)."""

    @extend_schema(
        parameters=[CASE_ID, IF_MATCH], request=io.TransitionInput, responses=io.CaseDetailOutput
    )
    def post(self, request, case_id: str):
        case = case_for(request.user, case_id)
        data = _valid(io.TransitionInput, request.data, request=request, case=case)
        services.case_transition(
            actor=Actor.staff(request.user),
            case_id=case.pk,
            target=data["target"],
            expected_version=io.expected_version(
                request.headers.get("If-Match", ""), data.get("version")
            ),
            reason=data["reason"],
            resolution=data["resolution"],
            technician=data["technician"],
            merged_into=data["merged_into"],
            eta=data["eta"],
        )
        return _case_response(request, case.pk)


class CaseAssignView(StaffAPI):
    """Assign (or hand over to) a technician of the case's unit with the category's skill."""

    @extend_schema(
        parameters=[CASE_ID, IF_MATCH], request=io.AssignInput, responses=io.CaseDetailOutput
    )
    def post(self, request, case_id: str):
        case = case_for(request.user, case_id)
        data = _valid(io.AssignInput, request.data, request=request, case=case)
        services.case_assign(
            actor=Actor.staff(request.user),
            case_id=case.pk,
            technician=data["technician"],
            expected_version=io.expected_version(
                request.headers.get("If-Match", ""), data.get("version")
            ),
            note=data["note"],
        )
        return _case_response(request, case.pk)


class CaseNotesView(StaffAPI):
    """An internal note, or (``to_customer``) a message sent on the customer's channel."""

    @extend_schema(
        parameters=[CASE_ID, IF_MATCH], request=io.NoteInput, responses={201: io.EventOutput}
    )
    def post(self, request, case_id: str):
        case = case_for(request.user, case_id)
        data = _valid(io.NoteInput, request.data, request=request, case=case)
        event = services.case_add_note(
            actor=Actor.staff(request.user),
            case_id=case.pk,
            note=data["note"],
            to_customer=data["to_customer"],
            expected_version=io.expected_version(
                request.headers.get("If-Match", ""), data.get("version")
            ),
        )
        response = Response(io.EventOutput(event).data, status=status.HTTP_201_CREATED)
        response["ETag"] = f'"{event.case.version}"'
        return response


# --- Customers, categories, units, technicians -----------------------------------------------


class CustomerSearchView(StaffAPI):
    """Find a customer while the caller waits: ID pelanggan or meter number (or their start),
    phone number, or part of the name. At most ten, in the user's units."""

    @extend_schema(parameters=[io.CustomerSearchQuery], responses=io.CustomerOutput(many=True))
    def get(self, request):
        query = _valid(io.CustomerSearchQuery, request.query_params)
        customers = selectors.customer_search(user=request.user, query=query["q"])
        return Response(io.CustomerOutput(customers, many=True).data)


class CustomerDetailView(StaffAPI):
    @extend_schema(parameters=[path_id("customer_id")], responses=io.CustomerDetailOutput)
    def get(self, request, customer_id: str):
        customer = selectors.customer_for(request.user, customer_id)
        output = io.CustomerDetailOutput(customer, context=self.get_serializer_context())
        return Response(output.data)


class CategoriesView(StaffAPI):
    @extend_schema(responses=io.CategoryOutput(many=True))
    def get(self, request):
        return Response(io.CategoryOutput(selectors.active_categories(), many=True).data)


class ServiceUnitsView(StaffAPI, generics.ListAPIView):
    """The units whose cases the user sees (memberships and everything below them)."""

    serializer_class = io.ServiceUnitOutput
    pagination_class = ById

    def get_queryset(self):
        return selectors.service_units_for(self.request.user)


class TechniciansView(StaffAPI, generics.ListAPIView):
    serializer_class = io.TechnicianOutput
    pagination_class = ById
    filter_backends = [DjangoFilterBackend]
    filterset_class = TechnicianFilter

    def get_queryset(self):
        return selectors.technicians_for(self.request.user).select_related("user")


# --- Incidents and planned outages -----------------------------------------------------------


class IncidentsView(StaffAPI, generics.ListAPIView):
    """Outage incidents of the user's units, newest first."""

    serializer_class = io.IncidentOutput
    pagination_class = StartedNewestFirst
    filter_backends = [DjangoFilterBackend]
    filterset_class = IncidentFilter

    def get_queryset(self):
        return incident_selectors.incidents_for(self.request.user).select_related("service_unit")


class IncidentDetailView(StaffAPI):
    @extend_schema(parameters=[path_id("incident_id")], responses=io.IncidentDetailOutput)
    def get(self, request, incident_id: str):
        incident = incident_selectors.incident_for(request.user, incident_id)
        incident.case_counts = incident_selectors.incident_case_counts(incident)
        incident.timeline = incident_selectors.incident_timeline(incident)
        return Response(io.IncidentDetailOutput(incident).data)


class PlannedOutagesView(StaffAPI):
    """Planned outages going on or starting within ``ahead_days`` (public information, as on
    the public page), soonest first; at most 500."""

    @extend_schema(parameters=[io.PlannedOutageQuery], responses=io.PlannedOutageOutput(many=True))
    def get(self, request):
        query = _valid(io.PlannedOutageQuery, request.query_params)
        planned = incident_selectors.public_planned_outages(
            unit_id=query.get("unit"), ahead=query["ahead"]
        )
        return Response(io.PlannedOutageOutput(planned, many=True).data)


# --- Anything else -----------------------------------------------------------------------------


NOT_FOUND = _("Alamat API ini tidak ada.")


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([AllowAny])
def not_found(request, *args, **kwargs):
    raise NotFound(NOT_FOUND)
