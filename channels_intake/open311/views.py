"""GeoReport v2 endpoints, one operation each. The format is the URL's suffix (.xml, .json);
errors are the spec's list of {code, description} with the HTTP status it mandates (404
unknown resource, 403 missing or bad api_key, 400 anything else) and, where HTTP has a more
precise one, that one (405, 413, 415, 429)."""

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from channels_intake.open311 import selectors
from channels_intake.open311.keys import open311_client_for_key
from channels_intake.open311.parse import (
    ATTRIBUTE_IDPEL,
    ATTRIBUTE_METER,
    Open311Error,
    parse_request,
    service_for,
)
from channels_intake.open311.render import FORMATS, XML, error_response, respond
from channels_intake.open311.services import open311_submit
from channels_intake.ratelimit import Rate, client_ip, hit
from channels_intake.services import request_headers
from complaints import clock
from complaints.models import Case, CaseEvent, Category, WorkType
from complaints.workflow import OPEN_STATES, CaseStatus, customer_label

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (discovery's changeset).
CHANGESET = "2026-11-30T00:00:00Z"
MAX_BODY_BYTES = 64 * 1024
MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_OFFSET = timedelta(hours=14)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
READ_RATE = Rate(limit=300, seconds=60)  # per client IP
POST_RATE_PER_KEY = Rate(limit=1000, seconds=3600)  # an app reports for many people
POST_RATE_PER_IP = Rate(limit=60, seconds=60)

UNKNOWN_FORMAT = _("Format tidak dikenal; gunakan .xml atau .json (unknown format).")
UNKNOWN_JURISDICTION = _("jurisdiction_id tidak dikenal (unknown jurisdiction_id).")
METHOD_NOT_ALLOWED = _("Metode HTTP tidak didukung di sini (method not allowed).")
INVALID_API_KEY = _(
    "api_key tidak valid atau tidak ada (Invalid api_key received -- can't proceed with "
    "create_request)."
)
TOO_LARGE = _(
    "Kiriman terlalu besar, paling banyak %(limit)s bita; kirim foto sebagai media_url "
    "(request too large; send photos as media_url)."
)
WRONG_CONTENT_TYPE = _(
    "Kirim sebagai application/x-www-form-urlencoded (unsupported content type)."
)
THROTTLED = _("Terlalu banyak permintaan; coba lagi dalam %(seconds)s detik (too many requests).")
BAD_DATE = _("%(field)s bukan tanggal-waktu W3C (invalid date-time).")
DATE_SPAN = _("Rentang start_date sampai end_date paling lama 90 hari (span over 90 days).")
DATE_ORDER = _("end_date harus sesudah start_date (end_date before start_date).")
BAD_STATUS = _("status hanya open dan/atau closed (status is open and/or closed).")
BAD_PAGE = _("page dan page_size harus bilangan bulat positif (invalid paging).")
UNKNOWN_REQUEST = _("service_request_id tidak dikenal (unknown service_request_id).")
UNKNOWN_TOKEN = _("token tidak dikenal (unknown token).")
BAD_FORM = _("Isi formulir tidak dapat dibaca (malformed form body).")
RECEIVED_NOTICE = _("Laporan diterima. Simpan nomor tiket ini untuk menanyakan statusnya.")
STORED_NOTICE = _("Laporan tersimpan dan akan diproses petugas; nomor tiket menyusul (token).")
IDPEL_DESCRIPTION = _("ID pelanggan PLN (12 angka), bila pelapor pelanggan.")
METER_DESCRIPTION = _("Nomor meter kWh (11 angka), bila ID pelanggan tidak diketahui.")


def _throttle(key: str, rate: Rate) -> None:
    verdict = hit(key, rate)
    if not verdict.allowed:
        raise Open311Error(429, THROTTLED % {"seconds": verdict.retry_after})


def _check_form_body(request: HttpRequest) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise Open311Error(413, TOO_LARGE % {"limit": MAX_BODY_BYTES})
    if request.content_type not in FORM_TYPES:
        raise Open311Error(415, WRONG_CONTENT_TYPE)


def open311(*methods: str) -> Callable:
    """What every endpoint does first: a known format and method, our jurisdiction, a fair
    share of requests; and errors in GeoReport's shape."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt  # api_key, not cookies
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if fmt not in FORMATS:
                return error_response(XML, 404, str(UNKNOWN_FORMAT))
            if request.method not in methods:
                response = error_response(fmt, 405, str(METHOD_NOT_ALLOWED))
                response["Allow"] = ", ".join(methods)
                return response
            try:
                if request.method == "POST":
                    _check_form_body(request)  # before anything reads the body
                jurisdiction = (request.POST if request.method == "POST" else request.GET).get(
                    "jurisdiction_id"
                ) or request.GET.get("jurisdiction_id", "")
                if jurisdiction and jurisdiction.strip() != settings.OPEN311_JURISDICTION_ID:
                    raise Open311Error(404, UNKNOWN_JURISDICTION)
                if request.method == "GET":
                    _throttle(f"open311-read:{client_ip(request)}", READ_RATE)
                return view(request, fmt, **kwargs)
            except MultiPartParserError:
                return error_response(fmt, 400, str(BAD_FORM))
            except Open311Error as exc:
                response = error_response(fmt, exc.status, exc.description, exc.code)
                if exc.status == 429:
                    response["Retry-After"] = "60"
                return response

        return wrapper

    return decorate


# --- Discovery and services ------------------------------------------------------------------


@open311("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = settings.PUBLIC_BASE_URL + "/open311/v2/"
    return respond(
        fmt,
        "discovery",
        {
            "changeset": CHANGESET,
            "contact": settings.OPEN311_CONTACT,
            "key_service": settings.OPEN311_KEY_SERVICE,
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base,
                    "changeset": CHANGESET,
                    "type": "test" if settings.DEBUG else "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
    )


def _service(category: Category) -> dict:
    outage = category.is_outage or category.is_hazard
    return {
        "service_code": category.code,
        "service_name": str(category),
        "description": f"{category.name_id} / {category.name_en}",
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(category.code.split("-")),
        "group": "gangguan" if outage or category.work_type == WorkType.FIELD else "pelayanan",
    }


@open311("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "services", [_service(c) for c in selectors.services()])


def _attributes() -> list[dict]:
    return [
        {
            "variable": True,
            "code": ATTRIBUTE_IDPEL,
            "datatype": "string",
            "required": False,
            "datatype_description": "12 digits",
            "order": 1,
            "description": str(IDPEL_DESCRIPTION),
        },
        {
            "variable": True,
            "code": ATTRIBUTE_METER,
            "datatype": "string",
            "required": False,
            "datatype_description": "11 digits",
            "order": 2,
            "description": str(METER_DESCRIPTION),
        },
    ]


@open311("GET")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    category = service_for(service_code)
    return respond(
        fmt,
        "service_definition",
        {"service_code": category.code, "attributes": _attributes()},
    )


# --- Service requests ------------------------------------------------------------------------


def _request(case: Case, media_url: str = "") -> dict:
    """One case as a GeoReport request. No reporter contact, ever."""
    is_open = case.status in OPEN_STATES
    updated = (case.closed_at or case.resolved_at or case.updated_at) if not is_open else None
    return {
        "service_request_id": case.ticket,
        "status": "open" if is_open else "closed",
        "status_notes": customer_label(case.status, field_work=case.category.is_field_work),
        "service_name": str(case.category),
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": case.service_unit.name,
        "service_notice": "",
        "requested_datetime": case.created_at,
        "updated_datetime": updated or case.updated_at,
        "expected_datetime": case.resolution_due_at if is_open else None,
        "address": case.location_text,
        "address_id": "",
        "zipcode": "",
        "lat": case.latitude,
        "long": case.longitude,
        "media_url": media_url,
    }


def _requests_response(fmt: str, cases: list[Case]) -> HttpResponse:
    media = selectors.media_urls(cases)
    requests = [_request(case, media.get(case.pk, "")) for case in cases]
    return respond(fmt, "service_requests", requests)


def _moment(value: str, field: str) -> datetime | None:
    """A W3C date-time (or a date: its midnight); without an offset it is taken as UTC."""
    if not value:
        return None
    try:
        moment = parse_datetime(value) if "T" in value or " " in value else None
        day = parse_date(value) if moment is None and len(value) == 10 else None
    except ValueError:  # well-formed but not a real moment (2026-02-30)
        moment = day = None
    if moment is None and day is None:
        raise Open311Error(400, BAD_DATE % {"field": field})
    moment = moment or datetime.combine(day, time.min)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # Plausible moments only: PostgreSQL refuses offsets past ±15:59, and 90-day arithmetic
    # near year 1 or 9999 overflows.
    offset = moment.utcoffset()
    if not MIN_YEAR <= moment.year <= MAX_YEAR or (offset and abs(offset) > MAX_OFFSET):
        raise Open311Error(400, BAD_DATE % {"field": field})
    return moment


def _positive(value: str, default: int, maximum: int) -> int:
    if not value:
        return default
    if not value.isdigit() or not 0 < int(value) <= 10**6:
        raise Open311Error(400, BAD_PAGE)
    return min(int(value), maximum)


def _request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    query = request.GET
    ids = [item.strip() for item in query.get("service_request_id", "").split(",") if item.strip()]
    if ids:
        # GeoReport: service_request_id overrides every other argument.
        return _requests_response(fmt, selectors.requests_by_tickets(ids))
    start = _moment(query.get("start_date", "").strip(), "start_date")
    end = _moment(query.get("end_date", "").strip(), "end_date")
    if start and not end:
        end = start + selectors.DEFAULT_SPAN
    if start and end:
        if end < start:
            raise Open311Error(400, DATE_ORDER)
        if end - start > selectors.MAX_SPAN:
            raise Open311Error(400, DATE_SPAN)
    statuses = {item.strip() for item in query.get("status", "").split(",") if item.strip()}
    if not statuses <= {"open", "closed"}:
        raise Open311Error(400, BAD_STATUS)
    codes = [item.strip() for item in query.get("service_code", "").split(",") if item.strip()]
    page_size = _positive(
        query.get("page_size", ""), selectors.MAX_REQUESTS, selectors.MAX_REQUESTS
    )
    page = _positive(query.get("page", ""), 1, 10**6)
    cases = selectors.requests_between(
        start=start,
        end=end,
        service_codes=codes[:50],
        statuses=statuses,
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    return _requests_response(fmt, cases)


def _request_create(request: HttpRequest, fmt: str) -> HttpResponse:
    _throttle(f"open311-post-ip:{client_ip(request)}", POST_RATE_PER_IP)
    client = open311_client_for_key(request.POST.get("api_key", "").strip())
    if client is None:
        raise Open311Error(403, INVALID_API_KEY)
    _throttle(f"open311-post:{client.pk}", POST_RATE_PER_KEY)
    parsed = parse_request(request.POST)  # refused here is never stored: the client fixes it
    submitted = open311_submit(
        client=client,
        form=request.POST,
        idempotency_key=request.headers.get("Idempotency-Key", "").strip()[:100],
        headers=request_headers(request),
        remote_addr=client_ip(request) or None,
    )
    account_id = parsed.account_id or None
    if submitted.case is None:
        answer = {"token": submitted.token, "service_notice": str(STORED_NOTICE)}
        return respond(fmt, "service_requests", [{**answer, "account_id": account_id}], status=202)
    answer = {"service_request_id": submitted.case.ticket, "service_notice": str(RECEIVED_NOTICE)}
    return respond(fmt, "service_requests", [{**answer, "account_id": account_id}], status=201)


@open311("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: service requests reported through Open311; POST: report one (api_key)."""
    if request.method == "POST":
        return _request_create(request, fmt)
    return _request_list(request, fmt)


@open311("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    case = selectors.request_by_ticket(request_id)
    if case is None:
        raise Open311Error(404, UNKNOWN_REQUEST)
    return _requests_response(fmt, [case])


# Our states in the statuses FixMyStreet's update reader knows (mySociety's extension of
# open/closed); description carries the label the customer reads, never an internal note.
UPDATE_STATUSES = {
    CaseStatus.RECEIVED: "open",
    CaseStatus.VERIFIED: "open",
    CaseStatus.REOPENED: "open",
    CaseStatus.WAITING_CUSTOMER: "investigating",
    CaseStatus.ASSIGNED: "action_scheduled",
    CaseStatus.DISPATCHED: "in_progress",
    CaseStatus.ON_SITE: "in_progress",
    CaseStatus.RESOLVED: "fixed",
    CaseStatus.CLOSED: "closed",
    CaseStatus.REJECTED: "no_further_action",
    CaseStatus.MERGED: "duplicate",
}
DEFAULT_UPDATES_SPAN = timedelta(days=1)


def _update(event: CaseEvent) -> dict:
    case = event.case
    return {
        "update_id": str(event.pk),
        "service_request_id": case.ticket,
        "status": UPDATE_STATUSES[CaseStatus(event.to_status)],
        "updated_datetime": event.created_at,
        "description": customer_label(event.to_status, field_work=case.category.is_field_work),
        "media_url": "",
    }


@open311("GET")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET servicerequestupdates (mySociety's extension): the status changes of reports
    made through Open311 between start_date and end_date (default: the last day; at most 90
    days and 1000 updates, oldest first)."""
    query = request.GET
    start = _moment(query.get("start_date", "").strip(), "start_date")
    end = _moment(query.get("end_date", "").strip(), "end_date") or clock.now()
    start = start or end - DEFAULT_UPDATES_SPAN
    if end < start:
        raise Open311Error(400, DATE_ORDER)
    if end - start > selectors.MAX_SPAN:
        raise Open311Error(400, DATE_SPAN)
    events = selectors.request_updates_between(start=start, end=end)
    return respond(fmt, "service_request_updates", [_update(event) for event in events])


@open311("GET")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    row = selectors.inbox_row_for_token(token)
    if row is None:
        raise Open311Error(404, UNKNOWN_TOKEN)
    ticket = row.case.ticket if row.case is not None else None
    return respond(fmt, "service_requests", [{"service_request_id": ticket, "token": token}])
