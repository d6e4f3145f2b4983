"""The public web form (/lapor/) and the status page (/status/)."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels_intake.models import InboundMessage, InboundStatus
from channels_intake.ratelimit import Rate
from channels_intake.web import views
from channels_intake.web.processor import parse_web_submission
from channels_intake.web.selectors import public_status
from channels_intake.web.submission import SubmissionInvalid
from complaints.models import Attachment, Case, Channel, ContactKind, Notification
from complaints.services import Reporter, case_add_note, case_transition
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests import factories

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
SUBMISSION_ID = "0123456789abcdef0123456789abcdef"


def form_data(**overrides) -> dict:
    data = {
        "category": "padam-rumah",
        "id_pelanggan": "5300 1234 5678",
        "meter_number": "",
        "name": "Budi Santoso",
        "address": "Jl. Kenanga No. 12, Jakarta Pusat",
        "phone": "0812-3456-7890",
        "email": "",
        "description": "Listrik padam sejak subuh, tetangga menyala.",
        "submission_id": SUBMISSION_ID,
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def budi(world):
    return factories.make_customer(world.unit_a, id_pelanggan="530012345678", name="Budi Santoso")


@pytest.fixture
def no_limits(monkeypatch):
    for name in (
        "SUBMIT_RATE",
        "LOOKUP_RATE",
        "PHONE_ATTEMPTS_PER_TICKET",
        "PHONE_ATTEMPTS_PER_IP",
    ):
        monkeypatch.setattr(views, name, Rate(limit=10**6, seconds=60))


def lapor(client, **overrides):
    return client.post(reverse("public:lapor"), form_data(**overrides))


# --- /lapor/ --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_page_renders_with_csrf_categories_and_a_submission_id(client):
    response = client.get(reverse("public:lapor"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<option value="padam-rumah">Listrik padam (rumah)</option>' in html
    assert re.search(r'name="submission_id" value="[0-9a-f]{32}"', html)
    assert 'lang="id"' in html


@pytest.mark.django_db
def test_a_valid_report_opens_a_case_and_the_confirmation_shows_the_ticket(client, budi):
    photo = SimpleUploadedFile("meteran.jpg", JPEG, content_type="image/jpeg")

    response = lapor(client, photo=photo)

    assert response.status_code == 302
    case = Case.objects.get()
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    assert f'<div class="ticket" id="ticket">{case.ticket}</div>' in confirmation.content.decode()
    assert (case.channel, case.customer, case.category.code) == (Channel.WEB, budi, "padam-rumah")
    assert (case.reporter_contact_kind, case.reporter_contact) == (
        ContactKind.PHONE,
        "+6281234567890",
    )
    assert case.location_text == "Jl. Kenanga No. 12, Jakarta Pusat"
    assert Attachment.objects.get(case=case).original_name == "meteran.jpg"
    # The ticket also goes out by SMS through the outbox.
    assert Notification.objects.get(case=case).channel == "sms"


@pytest.mark.django_db
def test_what_the_browser_sent_is_stored_before_it_is_processed(client, budi):
    lapor(client, photo=SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg"))

    row = InboundMessage.objects.get()
    stored = json.loads(bytes(row.body))
    assert (row.channel, row.status) == ("web", InboundStatus.PROCESSED)
    assert row.provider_message_id.startswith(f"form:{SUBMISSION_ID}:")
    assert stored["fields"]["description"] == ["Listrik padam sejak subuh, tetangga menyala."]
    assert stored["fields"]["_language"] == ["id"]
    assert "csrfmiddlewaretoken" not in stored["fields"]
    assert stored["files"][0]["name"] == "a.jpg"
    assert row.case == Case.objects.get()


@pytest.mark.django_db
def test_a_double_submit_is_one_case(client, budi):
    first = lapor(client)
    second = lapor(client)

    assert Case.objects.count() == 1
    assert InboundMessage.objects.count() == 1
    shown = [client.get(r["Location"]).context["receipt"].ticket for r in (first, second)]
    assert shown == [Case.objects.get().ticket] * 2


@pytest.mark.django_db
def test_the_same_form_sent_again_with_other_words_is_a_new_complaint(client, budi):
    lapor(client)
    lapor(client, description="Sekarang tegangan naik turun, lampu berkedip.")

    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_a_hazard_can_be_reported_without_id_pelanggan(client, world):
    response = lapor(
        client, category="bahaya", id_pelanggan="", description="Tiang roboh di jalan."
    )

    assert response.status_code == 302
    assert Case.objects.get().customer is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"id_pelanggan": "", "meter_number": ""},
            "id_pelanggan",
            "Isi ID pelanggan atau nomor meter (salah satu cukup).",
        ),
        (
            {"id_pelanggan": "12345"},
            "id_pelanggan",
            "ID pelanggan harus 12 angka (tertera di rekening atau struk token).",
        ),
        (
            {"phone": "", "email": ""},
            "phone",
            "Isi nomor telepon atau email agar kami bisa mengabari Anda.",
        ),
        (
            {"phone": "12"},
            "phone",
            "Nomor telepon tidak valid. Contoh: 0812-1234-5678 atau +62 812 1234 5678.",
        ),
        ({"category": "nope"}, "category", None),
        ({"description": "padam"}, "description", None),
    ],
)
def test_invalid_reports_are_422_with_the_message_under_the_field(
    client, world, overrides, field, message
):
    response = lapor(client, **overrides)

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
        assert message in response.content.decode()
    assert not Case.objects.exists()
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_a_photo_that_is_not_an_image_is_refused(client, world):
    fake = SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not a jpeg", content_type="image/jpeg")

    response = lapor(client, photo=fake)

    assert response.status_code == 422
    assert response.context["form"].errors["photo"] == [
        "Lampiran harus berupa foto (JPEG, PNG, WebP) atau PDF."
    ]


@pytest.mark.django_db
def test_errors_are_in_english_when_english_is_chosen(client, world):
    client.post(reverse("set_language"), {"language": "en", "next": "/lapor/"})

    response = lapor(client, id_pelanggan="", meter_number="", phone="12")

    html = response.content.decode()
    assert response.status_code == 422
    assert "Enter the ID pelanggan or the meter number (either is enough)." in html
    assert "Invalid phone number. Example: 0812-1234-5678 or +62 812 1234 5678." in html
    assert 'lang="en"' in html


@pytest.mark.django_db
def test_the_form_needs_its_csrf_token(world):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("public:lapor"), form_data())

    assert response.status_code == 403
    assert "Muat ulang halaman" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_the_honeypot_stops_bots(client, world):
    response = lapor(client, website="http://spam.example")

    assert response.status_code == 422
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_submissions_are_rate_limited_per_ip_with_a_friendly_429(client, world, monkeypatch):
    monkeypatch.setattr(views, "SUBMIT_RATE", Rate(limit=2, seconds=600))

    statuses = [lapor(client, description="").status_code for _ in range(3)]
    other_ip = client.post(
        reverse("public:lapor"), form_data(description=""), REMOTE_ADDR="10.1.2.3"
    )

    assert statuses == [422, 422, 429]
    assert other_ip.status_code == 422
    limited = lapor(client)
    assert int(limited["Retry-After"]) > 0
    assert "Mohon tunggu sebentar" in limited.content.decode()


@pytest.mark.django_db
def test_an_oversize_post_is_413(client, world, settings):
    settings.ATTACHMENT_MAX_BYTES = 10

    response = client.post(
        reverse("public:lapor"),
        form_data(),
        CONTENT_LENGTH=str(10 + views.FORM_OVERHEAD_BYTES + 1),
    )

    assert response.status_code == 413


@pytest.mark.django_db
def test_a_broken_multipart_body_is_400(client, world):
    response = client.generic(
        "POST",
        reverse("public:lapor"),
        b'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nBudi',
        content_type="multipart/form-data",  # no boundary parameter
    )

    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_a_failed_processing_keeps_the_report_and_shows_a_reference(client, world, monkeypatch):
    def explode(request, **kwargs):
        raise RuntimeError("intake down")

    monkeypatch.setattr("channels_intake.web.processor.intake_submit", explode)

    response = lapor(client)
    page = client.get(response["Location"]).content.decode()

    row = InboundMessage.objects.get()
    assert row.status == InboundStatus.FAILED
    assert f"W-{row.pk}" in page


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "category",
                "id_pelanggan",
                "meter_number",
                "name",
                "address",
                "phone",
                "email",
                "description",
                "submission_id",
                "website",
                "x",
            ]
        ),
        st.text(max_size=60),
        max_size=10,
    )
)
@pytest.mark.django_db
def test_no_form_input_makes_the_page_fail(client, world, no_limits, data):
    response = client.post(reverse("public:lapor"), data)

    assert response.status_code in (302, 422)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    raw=st.one_of(
        st.binary(max_size=300),
        st.builds(
            lambda fields, files: json.dumps(
                {"format": "aduan-submission/1", "fields": fields, "files": files}
            ).encode(),
            st.dictionaries(st.text(max_size=8), st.lists(st.text(max_size=8), max_size=3)),
            st.lists(st.dictionaries(st.text(max_size=6), st.text(max_size=10)), max_size=2),
        ),
    )
)
@pytest.mark.django_db
def test_the_stored_submission_parser_raises_only_submission_invalid(raw):
    try:
        form, _language = parse_web_submission(raw)
    except SubmissionInvalid:
        return
    form.is_valid()


# --- /status/ -------------------------------------------------------------------------------


@pytest.fixture
def reported(world):
    customer = factories.make_customer(world.unit_a, name="Budi Santoso")
    return factories.open_case(
        customer=customer,
        reporter=Reporter(
            name="Budi Santoso", contact_kind=ContactKind.PHONE, contact="+6281234567890"
        ),
        description="Listrik padam, rumah nomor 12",
    )


PERSONAL = ("Budi Santoso", "+6281234567890", "Listrik padam, rumah nomor 12", "Jl. Merdeka")


@pytest.mark.django_db
def test_status_shows_the_status_and_public_timeline_without_personal_data(client, reported, world):
    case_transition(
        actor=Actor.staff(world.agent_a), case_id=reported.pk, target=CaseStatus.VERIFIED
    )
    case_add_note(actor=Actor.staff(world.agent_a), case_id=reported.pk, note="Rumah Budi Santoso")

    response = client.get(reverse("public:status"), {"ticket": reported.ticket.lower()})

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["case_status"].status_label == "Lapor"
    assert [e.label for e in response.context["case_status"].timeline] == ["Lapor"]
    assert reported.ticket in html
    for value in (*PERSONAL, "Rumah Budi"):
        assert value not in html


@pytest.mark.django_db
def test_status_of_a_mistyped_ticket_is_422_and_an_unknown_one_404(client, world):
    assert client.get(reverse("public:status"), {"ticket": "ADU-1234"}).status_code == 422
    response = client.get(reverse("public:status"), {"ticket": "ADU-0000-0000"})
    assert response.status_code == 404
    assert "Tiket ADU-0000-0000 tidak ditemukan" in response.content.decode()


@pytest.mark.django_db
def test_details_need_the_last_four_digits_of_the_reporters_phone(client, reported):
    wrong = client.post(reverse("public:status"), {"ticket": reported.ticket, "last4": "0000"})
    right = client.post(reverse("public:status"), {"ticket": reported.ticket, "last4": "7890"})

    assert wrong.status_code == 403
    assert "Budi Santoso" not in wrong.content.decode()
    assert right.status_code == 200
    html = right.content.decode()
    assert "Budi Santoso" in html
    assert "Listrik padam, rumah nomor 12" in html


@pytest.mark.django_db
def test_guessing_the_digits_is_stopped_after_five_tries_per_ticket(client, reported):
    url = reverse("public:status")
    codes = [
        client.post(
            url, {"ticket": reported.ticket, "last4": f"{n:04d}"}, REMOTE_ADDR=f"10.0.0.{n}"
        ).status_code
        for n in range(6)
    ]
    # Even the right digits wait now: the ticket is locked for the hour.
    late = client.post(url, {"ticket": reported.ticket, "last4": "7890"}, REMOTE_ADDR="10.9.9.9")

    assert codes == [403, 403, 403, 403, 403, 429]
    assert late.status_code == 429


@pytest.mark.django_db
def test_lookups_are_rate_limited_per_ip(client, reported, monkeypatch):
    monkeypatch.setattr(views, "LOOKUP_RATE", Rate(limit=3, seconds=600))

    codes = [
        client.get(reverse("public:status"), {"ticket": reported.ticket}).status_code
        for _ in range(4)
    ]

    assert codes == [200, 200, 200, 429]


@pytest.mark.django_db
def test_a_case_reported_without_a_phone_cannot_be_unlocked(client, world):
    case = factories.open_case(
        world.unit_a, reporter=Reporter(contact_kind=ContactKind.EMAIL, contact="a@example.com")
    )

    response = client.post(reverse("public:status"), {"ticket": case.ticket, "last4": "1234"})

    assert response.status_code == 403
    assert "tanpa nomor telepon" in response.content.decode()


@pytest.mark.django_db
def test_public_status_takes_two_queries(reported, django_assert_num_queries):
    # 1: the case with category, service unit and merge target; 2: its status events.
    with django_assert_num_queries(2):
        status = public_status(reported.ticket)

    assert status.ticket == reported.ticket
