"""/api/v1/tech/: the technician API (jobs, accept, on the way, on site, resolve with photos,
the crew's incident moves, position and shift)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints import clock, incidents, services
from complaints.api.serializers import MomentField
from complaints.api.tech import NOT_TECHNICIAN
from complaints.api.tech_serializers import ETA_IN_PAST, ETA_TOO_FAR
from complaints.models import (
    Attachment,
    Case,
    CaseEvent,
    EventKind,
    Incident,
    IncidentEvent,
    IncidentEventKind,
    IncidentStatus,
    Notification,
)
from complaints.tech_services import PHOTO_TYPE_NOT_ALLOWED
from complaints.workflow import CaseStatus
from staff.dispatch import choose_technician
from staff.models import Technician
from staff.roles import Actor
from tests import factories
from tests.api.conftest import make_incident

TECH = "/api/v1/tech"
JOBS = f"{TECH}/jobs"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"\x00" * 64


def job_url(case, action: str = "") -> str:
    return f"{JOBS}/{case.ticket}" + (f"/{action}" if action else "")


def soon(minutes: int = 30) -> str:
    return (clock.now() + timedelta(minutes=minutes)).isoformat()


def assign(world, case, technician=None) -> Case:
    """Verified by the system, then assigned by the supervisor (as dispatch would)."""
    system = Actor.system("test")
    if case.status == CaseStatus.RECEIVED:
        services.case_transition(actor=system, case_id=case.pk, target=CaseStatus.VERIFIED)
    return services.case_assign(
        actor=Actor.staff(world.supervisor_a),
        case_id=case.pk,
        technician=technician or world.technician_a,
    )


def move(world, case, *targets: str, **fields) -> Case:
    actor = Actor.staff(world.technician_a.user)
    for target in targets:
        case = services.case_transition(actor=actor, case_id=case.pk, target=target, **fields)
    return case


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def tech(client_for, world):
    return client_for(world.technician_a.user)


@pytest.fixture
def other_technician(world) -> Technician:
    return factories.make_technician(world.unit_a)


@pytest.fixture
def job(world, customer_a) -> Case:
    factories.add_contact(customer_a, "phone", "+6281311112222")
    case = factories.open_case(
        customer=customer_a, category_code="meter", location_text="Depan masjid, Jl. Melati 3"
    )
    return assign(world, case)


@pytest.fixture
def crew_incident(world) -> Incident:
    incident = make_incident(world.unit_a)
    return incidents.incident_assign_crew(
        actor=Actor.staff(world.supervisor_a),
        incident_id=incident.pk,
        technician=world.technician_a,
    )


# --- Who may use it --------------------------------------------------------------------------


def test_anonymous_is_401(client, db):
    response = client.get(JOBS)
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


@pytest.mark.parametrize("persona", ["agent_a", "supervisor_a", "manager"])
def test_desk_staff_are_403_on_every_tech_endpoint(request, persona, job):
    client = request.getfixturevalue(persona)
    for method, url in [
        ("get", JOBS),
        ("post", job_url(job, "accept")),
        ("post", f"{TECH}/position"),
        ("post", f"{TECH}/shift"),
    ]:
        response = getattr(client, method)(url, {}, format="json")
        assert response.status_code == 403, (persona, url)
        assert response.json() == {"error": "permission_denied", "detail": str(NOT_TECHNICIAN)}


def test_another_technicians_job_is_404_like_an_unknown_ticket(client_for, job, other_technician):
    other = client_for(other_technician.user)
    assert other.get(job_url(job)).status_code == 404
    for action in ("accept", "on-site"):
        response = other.post(job_url(job, action), {}, format="json")
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
    assert other.post(f"{JOBS}/ADU-0000-0000/accept", {}, format="json").status_code == 404
    assert other.post(f"{JOBS}/not-a-ticket/accept", {}, format="json").status_code == 404
    assert not CaseEvent.objects.filter(case=job, data__accepted=True).exists()


def test_a_job_handed_to_another_technician_is_403_for_the_previous_one(
    tech, world, job, other_technician
):
    services.case_assign(
        actor=Actor.staff(world.supervisor_a), case_id=job.pk, technician=other_technician
    )
    response = tech.post(job_url(job, "on-the-way"), {"eta": soon()}, format="json")
    assert response.status_code == 403
    assert response.json()["error"] == "not_allowed"
    assert job.ticket in response.json()["detail"]
    assert Case.objects.get(pk=job.pk).status == CaseStatus.ASSIGNED


def test_schema_documents_every_technician_operation(client, db):
    document = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {
        "/api/v1/tech/jobs",
        "/api/v1/tech/jobs/{ticket}",
        "/api/v1/tech/jobs/{ticket}/accept",
        "/api/v1/tech/jobs/{ticket}/on-the-way",
        "/api/v1/tech/jobs/{ticket}/on-site",
        "/api/v1/tech/jobs/{ticket}/resolve",
        "/api/v1/tech/incidents/{incident_id}/etr",
        "/api/v1/tech/incidents/{incident_id}/partial",
        "/api/v1/tech/incidents/{incident_id}/restore",
        "/api/v1/tech/position",
        "/api/v1/tech/shift",
    } <= set(document["paths"])
    resolve = document["paths"]["/api/v1/tech/jobs/{ticket}/resolve"]["post"]
    assert "multipart/form-data" in resolve["requestBody"]["content"]


# --- The jobs list ---------------------------------------------------------------------------


def test_jobs_list_the_technicians_open_cases_with_what_the_field_needs(
    tech, world, job, customer_a, other_technician
):
    assign(world, factories.open_case(customer=customer_a, category_code="meter"), other_technician)
    done = assign(world, factories.open_case(customer=customer_a, category_code="meter"))
    move(world, done, CaseStatus.DISPATCHED, CaseStatus.ON_SITE)
    move(world, done, CaseStatus.RESOLVED, resolution="Selesai")
    page = tech.get(JOBS).json()
    assert page["next_cursor"] is None
    assert page["incidents"] == []
    [row] = page["cases"]
    assert row["ticket"] == job.ticket
    assert row["status"] == "assigned"
    assert row["category"] == "meter"
    assert row["priority"] == job.priority
    assert row["description"] == "Listrik mati sejak pagi"
    assert row["address"] == "Depan masjid, Jl. Melati 3"
    assert row["customer_name"] == "Siti Aminah"
    # The reporter wrote on WhatsApp: their number first.
    assert row["customer_phone"] == "+6281234567890"
    assert row["id_pelanggan"] == customer_a.id_pelanggan
    assert row["resolution_due_at"] is not None
    assert row["accepted_at"] is None
    assert row["version"] == job.version
    assert row["actions"] == ["accept", "on-the-way"]


def test_jobs_list_crew_incidents_first_then_cases_in_keyset_pages(
    tech, world, crew_incident, customer_a
):
    cases = [
        assign(world, factories.open_case(customer=customer_a, category_code="meter"))
        for _ in range(2)
    ]
    first = tech.get(JOBS, {"page_size": 2}).json()
    assert [row["code"] for row in first["incidents"]] == [crew_incident.code]
    assert first["incidents"][0]["actions"] == ["etr", "partial", "restore"]
    assert [row["ticket"] for row in first["cases"]] == [cases[0].ticket]
    second = tech.get(JOBS, {"page_size": 2, "cursor": first["next_cursor"]}).json()
    assert second["incidents"] == []
    assert [row["ticket"] for row in second["cases"]] == [cases[1].ticket]
    assert second["next_cursor"] is None


def test_a_forged_cursor_is_422_naming_the_cursor(tech, job):
    response = tech.get(JOBS, {"cursor": "bm9wZQ"})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["cursor"]


def test_jobs_query_count_does_not_grow_with_the_jobs(
    tech, world, crew_incident, customer_a, django_assert_num_queries
):
    world.technician_a.capacity = 30
    world.technician_a.save(update_fields=["capacity"])

    def add_jobs(count: int) -> None:
        for _ in range(count):
            customer = factories.make_customer(world.unit_a)
            factories.add_contact(customer, "phone", f"+62813{factories.unique():08d}")
            assign(world, factories.open_case(customer=customer, category_code="meter"))

    add_jobs(1)
    tech.get(JOBS)  # the token's first use is recorded, the throttle window opened
    # 1 token with its user, 2 the user's groups (roles), 3 the technician profile, 4 the
    # throttle counter, 5 the crew's incidents with their report counts, 6 the cases with
    # category, customer and incident joined and their acceptance, 7 the customers' phones.
    with django_assert_num_queries(7):
        assert len(tech.get(JOBS).json()["cases"]) == 1
    add_jobs(9)
    with django_assert_num_queries(7):
        assert len(tech.get(JOBS).json()["cases"]) == 10


# --- Accept ----------------------------------------------------------------------------------


def test_accept_records_the_acknowledgement_once(tech, world, job):
    response = tech.post(job_url(job, "accept"), {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "assigned"
    assert body["accepted_at"] is not None
    assert body["actions"] == ["on-the-way"]
    assert response["ETag"] == f'"{body["version"]}"'
    accepted = CaseEvent.objects.filter(case=job, kind=EventKind.ASSIGNED, data__accepted=True)
    event = accepted.get()
    assert event.actor == world.technician_a.user
    assert event.data == {"technician": world.technician_a.pk, "accepted": True}
    again = tech.post(job_url(job, "accept"), {}, format="json")
    assert again.status_code == 200
    assert again.json()["version"] == body["version"]
    assert accepted.count() == 1


def test_a_new_assignment_asks_for_acceptance_again(tech, world, job, other_technician):
    tech.post(job_url(job, "accept"), {}, format="json")
    services.case_assign(
        actor=Actor.staff(world.supervisor_a), case_id=job.pk, technician=other_technician
    )
    services.case_assign(
        actor=Actor.staff(world.supervisor_a), case_id=job.pk, technician=world.technician_a
    )
    assert tech.get(job_url(job)).json()["actions"] == ["accept", "on-the-way"]


def test_accept_after_leaving_is_422_with_the_allowed_moves(tech, world, job):
    move(world, job, CaseStatus.DISPATCHED)
    response = tech.post(job_url(job, "accept"), {}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "illegal_transition"
    assert [move["target"] for move in body["allowed_transitions"]] == ["on_site"]


# --- On the way, on site ---------------------------------------------------------------------


def test_on_the_way_needs_a_near_future_eta(tech, job):
    for payload, message in [
        ({}, None),
        ({"eta": "besok"}, None),
        ({"eta": (clock.now() - timedelta(minutes=1)).isoformat()}, str(ETA_IN_PAST)),
        (
            {"eta": (clock.now() + timedelta(hours=25)).isoformat()},
            str(ETA_TOO_FAR) % {"hours": 24},
        ),
        # No offset: WIB, WITA or WIT? Refused rather than read as Jakarta time.
        (
            {"eta": (clock.now() + timedelta(hours=1)).replace(tzinfo=None).isoformat()},
            str(MomentField.default_error_messages["naive"]),
        ),
    ]:
        response = tech.post(job_url(job, "on-the-way"), payload, format="json")
        assert response.status_code == 422, payload
        assert list(response.json()["fields"]) == ["eta"]
        if message:
            assert response.json()["fields"]["eta"] == [message]
    assert Case.objects.get(pk=job.pk).status == CaseStatus.ASSIGNED


def test_on_the_way_then_on_site_tell_the_customer(tech, world, job):
    eta = soon(45)
    response = tech.post(job_url(job, "on-the-way"), {"eta": eta}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "dispatched"
    assert response.json()["actions"] == ["on-site"]
    event = CaseEvent.objects.filter(case=job, to_status=CaseStatus.DISPATCHED).get()
    assert event.actor == world.technician_a.user
    assert event.data["eta"] is not None
    response = tech.post(job_url(job, "on-site"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "on_site"
    assert response.json()["actions"] == ["resolve"]
    templates = set(Notification.objects.filter(case=job).values_list("template", flat=True))
    assert {"dispatched", "on_site"} <= templates


def test_on_site_before_on_the_way_is_422_listing_the_allowed_move(tech, job):
    response = tech.post(job_url(job, "on-site"), {}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "illegal_transition"
    assert [(m["target"], m["optional"]) for m in body["allowed_transitions"]] == [
        ("dispatched", ["eta"])
    ]
    assert Case.objects.get(pk=job.pk).status == CaseStatus.ASSIGNED


def test_a_stale_version_is_409(tech, world, job):
    stale = job.version
    services.case_add_note(actor=Actor.staff(world.supervisor_a), case_id=job.pk, note="Cek")
    response = tech.post(
        job_url(job, "on-the-way"), {"eta": soon()}, format="json", HTTP_IF_MATCH=f'"{stale}"'
    )
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    fresh = Case.objects.get(pk=job.pk).version
    response = tech.post(
        job_url(job, "on-the-way"), {"eta": soon(), "version": fresh}, format="json"
    )
    assert response.status_code == 200


# --- Resolve ---------------------------------------------------------------------------------


@pytest.fixture
def on_site(world, job) -> Case:
    return move(world, job, CaseStatus.DISPATCHED, CaseStatus.ON_SITE)


def photo(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_resolve_stores_the_photos_and_resolves_in_one_go(tech, world, on_site):
    response = tech.post(
        job_url(on_site, "resolve"),
        {"note": "MCB diganti", "photos": [photo("sebelum.jpg", JPEG), photo("sesudah.png", PNG)]},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "resolved"
    assert response.json()["actions"] == []
    attachments = Attachment.objects.filter(case=on_site).order_by("pk")
    assert [(a.original_name, a.content_type) for a in attachments] == [
        ("sebelum.jpg", "image/jpeg"),
        ("sesudah.png", "image/png"),
    ]
    assert all(a.event.kind == EventKind.ATTACHMENT for a in attachments)
    resolved = CaseEvent.objects.get(case=on_site, to_status=CaseStatus.RESOLVED)
    assert resolved.note == "MCB diganti"
    assert resolved.pk > max(a.event_id for a in attachments)
    assert Notification.objects.filter(case=on_site, template="resolved").exists()
    assert Technician.objects.get(pk=world.technician_a.pk).open_jobs == 0


def test_resolve_without_photos_takes_json_too(tech, on_site):
    response = tech.post(job_url(on_site, "resolve"), {"note": "Sekring"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "note"),
        ({"note": "   "}, "note"),
        ({"note": "Ok", "photos": [photo(f"{n}.jpg", JPEG) for n in range(6)]}, "photos"),
        ({"note": "Ok", "photos": [photo("kosong.jpg", b"")]}, "photos"),
    ],
)
def test_resolve_refuses_invalid_input_with_422(tech, on_site, payload, field):
    response = tech.post(job_url(on_site, "resolve"), payload, format="multipart")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    assert Case.objects.get(pk=on_site.pk).status == CaseStatus.ON_SITE
    assert not Attachment.objects.filter(case=on_site).exists()


def test_resolve_refuses_a_photo_over_the_limit_with_413(tech, on_site, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    big = JPEG + b"\x00" * 100
    response = tech.post(
        job_url(on_site, "resolve"),
        {"note": "Ok", "photos": [photo("a.jpg", JPEG), photo("besar.jpg", big)]},
        format="multipart",
    )
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert "besar.jpg" in response.json()["detail"]
    assert not Attachment.objects.filter(case=on_site).exists()
    assert Case.objects.get(pk=on_site.pk).status == CaseStatus.ON_SITE


def test_resolve_refuses_anything_but_jpeg_and_png_with_415(tech, on_site):
    response = tech.post(
        job_url(on_site, "resolve"),
        {"note": "Ok", "photos": [photo("a.jpg", JPEG), photo("laporan.jpg", PDF)]},
        format="multipart",
    )
    assert response.status_code == 415
    assert response.json() == {
        "error": "unsupported_media_type",
        "detail": str(PHOTO_TYPE_NOT_ALLOWED) % {"name": "laporan.jpg"},
    }
    assert not Attachment.objects.filter(case=on_site).exists()
    assert Case.objects.get(pk=on_site.pk).status == CaseStatus.ON_SITE


def test_resolve_before_on_site_is_422_and_stores_nothing(tech, job):
    response = tech.post(
        job_url(job, "resolve"),
        {"note": "Ok", "photos": [photo("a.jpg", JPEG)]},
        format="multipart",
    )
    assert response.status_code == 422
    assert response.json()["error"] == "illegal_transition"
    assert not Attachment.objects.filter(case=job).exists()


# --- The crew's incident moves ---------------------------------------------------------------


def incident_url(incident, action: str) -> str:
    return f"{TECH}/incidents/{incident.pk}/{action}"


def test_crew_sets_and_revises_the_etr(tech, world, crew_incident):
    etr = clock.now() + timedelta(hours=2)
    response = tech.post(
        incident_url(crew_incident, "etr"), {"etr": etr.isoformat(), "note": "Trafo"}, format="json"
    )
    assert response.status_code == 200
    assert response["ETag"] == f'"{response.json()["version"]}"'
    revised = etr + timedelta(hours=1)
    response = tech.post(
        incident_url(crew_incident, "etr"), {"etr": revised.isoformat()}, format="json"
    )
    assert response.status_code == 200
    assert Incident.objects.get(pk=crew_incident.pk).etr == revised
    events = IncidentEvent.objects.filter(incident=crew_incident, kind=IncidentEventKind.ETR_SET)
    assert [e.actor for e in events] == [world.technician_a.user] * 2


def test_an_etr_in_the_past_is_422(tech, crew_incident):
    past = (clock.now() - timedelta(minutes=5)).isoformat()
    response = tech.post(incident_url(crew_incident, "etr"), {"etr": past}, format="json")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["etr"]


def test_crew_restores_partially_then_fully(tech, crew_incident):
    etr = (clock.now() + timedelta(hours=1)).isoformat()
    response = tech.post(
        incident_url(crew_incident, "partial"), {"note": "Sebagian", "etr": etr}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == IncidentStatus.PARTIAL
    response = tech.post(incident_url(crew_incident, "restore"), {"note": "Nyala"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == IncidentStatus.RESTORED
    assert response.json()["actions"] == []
    kinds = list(
        IncidentEvent.objects.filter(incident=crew_incident)
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds[-2:] == [IncidentEventKind.PARTIAL, IncidentEventKind.RESTORED]
    again = tech.post(incident_url(crew_incident, "restore"), {}, format="json")
    assert again.status_code == 422


def test_an_incident_of_another_crew_is_404(client_for, crew_incident, other_technician, world):
    other = client_for(other_technician.user)
    response = other.post(incident_url(crew_incident, "restore"), {}, format="json")
    assert response.status_code == 404
    uncrewed = make_incident(world.unit_a, area_code="PNY-02")
    tech = client_for(world.technician_a.user)
    assert tech.post(incident_url(uncrewed, "restore"), {}, format="json").status_code == 404
    assert Incident.objects.get(pk=crew_incident.pk).status == IncidentStatus.ACTIVE


def test_a_stale_incident_version_is_409(tech, crew_incident):
    response = tech.post(
        incident_url(crew_incident, "restore"),
        {"version": crew_incident.version + 1},
        format="json",
    )
    assert (response.status_code, response.json()["error"]) == (409, "conflict")
    crew_incident.refresh_from_db()
    assert (crew_incident.status, crew_incident.restored_at) == (IncidentStatus.ACTIVE, None)


# --- Position and shift ----------------------------------------------------------------------


def test_position_updates_where_dispatch_sees_the_technician(tech, world):
    response = tech.post(
        f"{TECH}/position", {"latitude": -6.2, "longitude": 106.8, "accuracy": 12}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["applied"] is True
    stored = Technician.objects.get(pk=world.technician_a.pk)
    assert (stored.latitude, stored.longitude) == (-6.2, 106.8)
    assert stored.position_at is not None


def test_a_late_older_fix_is_ignored(tech, world):
    tech.post(f"{TECH}/position", {"latitude": -6.2, "longitude": 106.8}, format="json")
    earlier = (clock.now() - timedelta(minutes=5)).isoformat()
    response = tech.post(
        f"{TECH}/position", {"latitude": 1, "longitude": 2, "at": earlier}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["applied"] is False
    assert response.json()["latitude"] == -6.2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"latitude": 91, "longitude": 0}, "latitude"),
        ({"latitude": 0, "longitude": -180.5}, "longitude"),
        ({"latitude": "x", "longitude": 0}, "latitude"),
        ({"latitude": 0}, "longitude"),
        ({"latitude": 0, "longitude": 0, "accuracy": 5000}, "accuracy"),
        ({"latitude": 0, "longitude": 0, "accuracy": -1}, "accuracy"),
    ],
)
def test_position_refuses_out_of_range_values(tech, world, payload, field):
    response = tech.post(f"{TECH}/position", payload, format="json")
    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]
    assert Technician.objects.get(pk=world.technician_a.pk).position_at is None


def test_a_fix_from_the_future_is_422(tech, world):
    later = (clock.now() + timedelta(hours=1)).isoformat()
    response = tech.post(
        f"{TECH}/position", {"latitude": 0, "longitude": 0, "at": later}, format="json"
    )
    assert response.status_code == 422
    # Stored, it would outrank every real fix sent before that hour.
    stored = Technician.objects.values_list("latitude", "longitude", "position_at").get(
        pk=world.technician_a.pk
    )
    assert stored == (None, None, None)


def test_shift_switch(tech, world):
    response = tech.post(f"{TECH}/shift", {"on_shift": False}, format="json")
    assert response.status_code == 200
    assert response.json()["on_shift"] is False
    assert Technician.objects.get(pk=world.technician_a.pk).on_shift is False
    assert tech.get(f"{TECH}/shift").json()["on_shift"] is False
    tech.post(f"{TECH}/shift", {"on_shift": True}, format="json")
    assert Technician.objects.get(pk=world.technician_a.pk).on_shift is True
    assert tech.post(f"{TECH}/shift", {}, format="json").status_code == 422


def test_dispatch_chooses_the_technician_whose_last_position_is_nearest(
    tech, client_for, world, customer_a, other_technician
):
    case = factories.open_case(
        customer=customer_a, category_code="meter", latitude=-6.20, longitude=106.80
    )
    far = {"latitude": -6.90, "longitude": 107.60}
    near = {"latitude": -6.21, "longitude": 106.81}
    assert tech.post(f"{TECH}/position", far, format="json").status_code == 200
    other = client_for(other_technician.user)
    assert other.post(f"{TECH}/position", near, format="json").status_code == 200
    assert choose_technician(case) == other_technician
    assert other.post(f"{TECH}/shift", {"on_shift": False}, format="json").status_code == 200
    assert choose_technician(case) == world.technician_a
