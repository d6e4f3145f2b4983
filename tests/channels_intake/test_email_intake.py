"""E-mail in: the inbound-parse endpoint, the SMTP server, and processing of recorded mail into
cases (new complaint, reply threading, auto-replies and bounces never answered)."""

import smtplib
import uuid
from pathlib import Path

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels_intake import tasks
from channels_intake.email.smtp import IntakeHandler, make_controller
from channels_intake.models import InboundMessage, InboundStatus
from channels_intake.services import inbound_process
from complaints.models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
    ContactKind,
    EventKind,
    Notification,
    Priority,
)
from complaints.services import Reporter, case_assign, case_transition
from complaints.workflow import CaseStatus
from staff.roles import Actor
from tests import factories

FIXTURES = Path(__file__).parent / "fixtures" / "email"
SECRET = "inbound-test-secret"


def fixture(name: str, *, ticket: str = "", our_id: str = "") -> bytes:
    raw = (FIXTURES / name).read_bytes()
    return raw.replace(b"{{TICKET}}", ticket.encode()).replace(
        b"{{OUR_MESSAGE_ID}}", our_id.encode()
    )


def post_raw(client, raw: bytes, *, secret: str | None = SECRET, **headers):
    if secret is not None:
        headers["HTTP_X_INBOUND_SECRET"] = secret
    return client.post(
        reverse("channels_intake:email_inbound"),
        data=raw,
        content_type="message/rfc822",
        **headers,
    )


def receive_and_process(client, raw: bytes) -> InboundMessage:
    response = post_raw(client, raw)
    assert response.status_code == 200, response.content
    message = InboundMessage.objects.get(pk=response.json()["id"])
    inbound_process(message.pk)
    message.refresh_from_db()
    return message


@pytest.fixture
def inbound_secret(settings):
    settings.EMAIL_INBOUND_SECRET = SECRET
    return SECRET


@pytest.fixture
def budi(world):
    return factories.make_customer(world.unit_a, id_pelanggan="530012345678", name="Budi Santoso")


def sent_notice(case: Case, message_id: str) -> Notification:
    """Our acknowledgement as the SMTP backend leaves it: sent, with its Message-ID stored."""
    notice = Notification.objects.get(case=case, channel=Channel.EMAIL, template="received")
    Notification.objects.filter(pk=notice.pk).update(provider_message_id=message_id)
    return notice


def siti_case(world) -> Case:
    customer = factories.make_customer(world.unit_a, name="Siti Rahmawati")
    return factories.open_case(
        customer=customer,
        channel=Channel.EMAIL,
        reporter=Reporter(
            name="Siti Rahmawati",
            contact_kind=ContactKind.EMAIL,
            contact="siti.rahmawati@outlook.co.id",
        ),
    )


# --- The HTTP endpoint --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("secret", [None, "", "wrong-secret"])
def test_inbound_endpoint_refuses_a_bad_secret_with_403_and_stores_nothing(
    client, inbound_secret, secret
):
    response = post_raw(client, fixture("gmail_multipart_alternative.eml"), secret=secret)

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
def test_inbound_endpoint_is_closed_until_a_secret_is_configured(client, settings):
    settings.EMAIL_INBOUND_SECRET = ""

    response = post_raw(client, fixture("gmail_multipart_alternative.eml"), secret="")

    assert response.status_code == 403
    assert response.json()["error"] == "not_configured"


@pytest.mark.django_db
def test_inbound_endpoint_accepts_the_secret_as_basic_auth_password(client, inbound_secret):
    import base64

    token = base64.b64encode(f"mailgun:{SECRET}".encode()).decode()
    response = post_raw(
        client,
        fixture("gmail_multipart_alternative.eml"),
        secret=None,
        HTTP_AUTHORIZATION=f"Basic {token}",
    )

    assert response.status_code == 200


@pytest.mark.django_db
def test_inbound_endpoint_refuses_oversize_mail_with_413(client, inbound_secret, settings):
    settings.EMAIL_INBOUND_MAX_BYTES = 1000

    response = post_raw(client, fixture("gmail_multipart_alternative.eml"))

    assert response.status_code == 413
    assert response.json() == {
        "error": "too_large",
        "detail": "Pesan terlalu besar: maksimal 1000 bita.",
    }
    assert not InboundMessage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code"),
    [(b"", "empty"), (b'{"from": "a@b.c"}', "not_an_email"), (b"halo\r\n\r\n", "not_an_email")],
)
def test_malformed_input_is_400_and_still_kept_as_failed(client, inbound_secret, body, code):
    response = post_raw(client, body)

    assert response.status_code == 400
    assert response.json()["error"] == code
    row = InboundMessage.objects.get()
    assert (row.channel, row.status, bytes(row.body)) == ("email", InboundStatus.FAILED, body)
    assert row.error


@pytest.mark.django_db
def test_mail_is_stored_verbatim_first_and_processed_after_commit(
    client, inbound_secret, django_capture_on_commit_callbacks
):
    raw = fixture("gmail_multipart_alternative.eml")

    with django_capture_on_commit_callbacks() as callbacks:
        response = post_raw(client, raw)

    assert response.status_code == 200
    assert response.json()["status"] == "stored"
    row = InboundMessage.objects.get()
    assert bytes(row.body) == raw
    assert row.provider_message_id == (
        "<CAJx8Fq3mL0vR9nYt2c5Kp1Wd7sE4hZbQ6uXoN2aG8fVjT1rM4w@mail.gmail.com>"
    )
    assert (row.status, row.headers) == (InboundStatus.RECEIVED, {"via": "http"})
    assert len(callbacks) == 1  # the processing task, published only after the commit


@pytest.mark.django_db
def test_the_same_message_twice_is_one_row(client, inbound_secret):
    raw = fixture("gmail_multipart_alternative.eml")

    first = post_raw(client, raw).json()
    second = post_raw(client, raw).json()

    assert second == {"status": "duplicate", "id": first["id"]}
    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db
def test_a_failing_processor_keeps_the_raw_mail_with_its_error(
    client, inbound_secret, world, monkeypatch
):
    def explode(request, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("channels_intake.email.processor.intake_submit", explode)
    raw = fixture("gmail_multipart_alternative.eml")

    message = receive_and_process(client, raw)

    assert message.status == InboundStatus.FAILED
    assert "database hiccup" in message.error
    assert bytes(message.body) == raw


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.binary(max_size=600))
@pytest.mark.django_db
def test_no_body_makes_the_endpoint_fail(client, inbound_secret, body):
    response = post_raw(client, body)

    assert response.status_code in (200, 400)
    assert InboundMessage.objects.filter(body=body).exists()
    assert post_raw(client, body, secret="nope").status_code == 403


# --- Processing recorded mail -------------------------------------------------------------


@pytest.mark.django_db
def test_gmail_complaint_opens_a_case_for_the_customer_named_by_id_pelanggan(
    client, inbound_secret, budi
):
    message = receive_and_process(client, fixture("gmail_multipart_alternative.eml"))

    assert message.status == InboundStatus.PROCESSED
    case = message.case
    assert (case.channel, case.customer, case.category.code) == (Channel.EMAIL, budi, "padam-rumah")
    assert (case.reporter_name, case.reporter_contact_kind, case.reporter_contact) == (
        "Budi Santoso",
        ContactKind.EMAIL,
        "budi.santoso@gmail.com",
    )
    assert case.description.startswith(
        "Pengaduan Gangguan Listrik \u2013 ID Pelanggan 530012345678\n\nSelamat pagi PLN,"
    )
    # The acknowledgement goes out through the outbox, to the sender's address.
    notice = Notification.objects.get(case=case)
    assert (notice.channel, notice.recipient, notice.template) == (
        Channel.EMAIL,
        "budi.santoso@gmail.com",
        "received",
    )


@pytest.mark.django_db
def test_a_phone_in_the_body_finds_the_customer_when_no_id_is_given(client, inbound_secret, world):
    customer = factories.make_customer(world.unit_a)
    factories.add_contact(customer, ContactKind.PHONE, "+6281398765432")
    raw = fixture("outlook_reply_qp_windows1252.eml", our_id="unknown@example.com")

    message = receive_and_process(client, raw)

    assert message.case.customer == customer


@pytest.mark.django_db
def test_reply_quoting_the_ticket_in_the_subject_is_added_to_that_case(
    client, inbound_secret, world
):
    case = siti_case(world)
    notices_before = Notification.objects.count()
    raw = fixture("outlook_reply_qp_windows1252.eml", ticket=case.ticket, our_id="x@elsewhere")

    message = receive_and_process(client, raw)

    assert message.case == case
    assert Case.objects.count() == 1
    event = CaseEvent.objects.get(case=case, kind=EventKind.CUSTOMER_MESSAGE)
    assert "Petugas belum datang \u2013 mohon kabari kapan “regu” tiba." in event.note
    assert "nomor tiket" not in event.note  # the quoted acknowledgement is not repeated
    assert not event.note.startswith("RE:")  # our own subject is not the customer's words
    assert Notification.objects.count() == notices_before  # a follow-up is not acknowledged


@pytest.mark.django_db
def test_reply_is_threaded_by_in_reply_to_our_message_id(client, inbound_secret, world):
    case = siti_case(world)
    our_id = "<aduan.77.5e8a1c2b3d4f@pln123.example>"
    sent_notice(case, our_id)
    # No ticket in the subject: only In-Reply-To/References point at our acknowledgement.
    raw = fixture("outlook_reply_qp_windows1252.eml", ticket="", our_id=our_id.strip("<>"))

    message = receive_and_process(client, raw)

    assert message.case == case
    assert Case.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.CUSTOMER_MESSAGE).count() == 1


@pytest.mark.django_db
def test_a_ticket_quoted_by_a_stranger_opens_a_new_case(client, inbound_secret, world):
    other = factories.open_case(world.unit_a)  # reported on WhatsApp by someone else
    raw = fixture("outlook_reply_qp_windows1252.eml", ticket=other.ticket, our_id="x@y")

    message = receive_and_process(client, raw)

    assert message.case != other
    assert not CaseEvent.objects.filter(case=other, kind=EventKind.CUSTOMER_MESSAGE).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["outlook_out_of_office.eml", "gmail_vacation_autoreply.eml"])
def test_auto_replies_are_stored_but_never_answered(client, inbound_secret, world, name):
    case = siti_case(world)
    our_id = "<aduan.78.0a1b2c3d4e5f@pln123.example>"
    sent_notice(case, our_id)
    notices_before = Notification.objects.count()
    events_before = CaseEvent.objects.count()
    raw = fixture(name, ticket=case.ticket, our_id=our_id.strip("<>"))

    message = receive_and_process(client, raw)

    assert message.status == InboundStatus.IGNORED
    assert bytes(message.body) == raw
    assert Case.objects.count() == 1
    assert Notification.objects.count() == notices_before
    assert CaseEvent.objects.count() == events_before


@pytest.mark.django_db
def test_mail_from_our_own_address_is_never_answered(client, inbound_secret, world, settings):
    settings.DEFAULT_FROM_EMAIL = "PLN 123 <pengaduan@pln123.example>"
    raw = (
        b"From: PLN 123 <Pengaduan@pln123.example>\r\nSubject: Listrik padam\r\n"
        b"Message-ID: <loop-1@pln123.example>\r\n\r\nListrik padam sejak pagi\r\n"
    )

    message = receive_and_process(client, raw)

    assert message.status == InboundStatus.IGNORED
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_a_hard_bounce_of_our_notice_leaves_a_note_and_no_answer(client, inbound_secret, world):
    case = siti_case(world)
    our_id = "<aduan.79.aa11bb22cc33@pln123.example>"
    sent_notice(case, our_id)
    notices_before = Notification.objects.count()
    raw = fixture("bounce_dsn_postfix.eml", ticket=case.ticket, our_id=our_id.strip("<>"))

    message = receive_and_process(client, raw)

    assert message.status == InboundStatus.IGNORED
    note = CaseEvent.objects.get(case=case, kind=EventKind.NOTE)
    assert "budi.salah.ketik@gmial.com" in note.note
    assert "5.1.1" in note.note
    assert Notification.objects.count() == notices_before


@pytest.mark.django_db
def test_html_only_hazard_report_without_known_customer_opens_an_emergency_case(
    client, inbound_secret, world
):
    message = receive_and_process(client, fixture("html_only_base64.eml"))

    case = message.case
    assert case.customer is None
    assert (case.category.code, case.priority) == ("bahaya", Priority.EMERGENCY)
    assert "Ada kabel putus menjuntai" in case.description
    assert "<p>" not in case.description
    note = CaseEvent.objects.get(case=case, kind=EventKind.NOTE)
    assert "531234567890" in note.note  # the unknown ID pelanggan is left for the agent


@pytest.mark.django_db
def test_photo_attachments_reach_the_case_and_other_files_stay_in_the_raw_mail(
    client, inbound_secret, world
):
    customer = factories.make_customer(world.unit_a, meter_number="14987654321")

    message = receive_and_process(client, fixture("iphone_photo_attachment.eml"))

    case = message.case
    assert (case.customer, case.category.code) == (customer, "token")
    attachment = Attachment.objects.get(case=case)
    assert (attachment.content_type, attachment.original_name) == ("image/jpeg", "IMG_4821.jpeg")


@pytest.mark.django_db
def test_english_mail_gets_english_notices(client, inbound_secret, budi):
    raw = (
        b"From: Expat Tenant <tenant@example.com>\r\n"
        b"Subject: Power outage, customer ID 530012345678\r\n"
        b"Message-ID: <en-1@example.com>\r\n\r\n"
        b"Dear PLN, the power has been out since this morning and the neighbours have it.\r\n"
        b"Please send a technician, thank you.\r\n"
    )

    message = receive_and_process(client, raw)

    assert message.case.reporter_language == "en"
    assert message.case.customer == budi


@pytest.mark.django_db
def test_a_reply_to_a_closed_case_opens_a_new_one_naming_the_old(client, inbound_secret, world):
    case = siti_case(world)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.REJECTED)
    raw = fixture("outlook_reply_qp_windows1252.eml", ticket=case.ticket, our_id="x@y")

    message = receive_and_process(client, raw)

    assert message.case != case
    assert case.ticket in CaseEvent.objects.get(case=message.case, kind=EventKind.NOTE).note


# --- Issue 6: answers to "Listrik sudah menyala? 1 Ya / 2 Tidak" --------------------------


def repaired(world, case: Case) -> Case:
    """The outage case is repaired on its own: its reporter is asked whether power is back."""
    case_transition(actor=world.actor(world.agent_a), case_id=case.pk, target="verified")
    case_assign(
        actor=world.actor(world.supervisor_a), case_id=case.pk, technician=world.technician_a
    )
    technician = Actor.staff(world.technician_a.user)
    for target in ("dispatched", "on_site", "resolved"):
        case_transition(actor=technician, case_id=case.pk, target=target, resolution="MCB naik")
    assert case.notifications.filter(template="restoration_check", channel=Channel.EMAIL)
    return case


def plain_mail(*, subject: str, body: str, in_reply_to: str = "") -> bytes:
    thread = f"In-Reply-To: <{in_reply_to}>\nReferences: <{in_reply_to}>\n" if in_reply_to else ""
    return (
        "From: Siti Rahmawati <siti.rahmawati@outlook.co.id>\n"
        "To: PLN 123 Pengaduan <pengaduan@pln123.example>\n"
        f"Subject: {subject}\n"
        f"Message-ID: <{uuid.uuid4().hex}@outlook.co.id>\n"
        f"{thread}"
        "Date: Mon, 3 Mar 2025 09:00:00 +0000\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        f"{body}\n"
    ).encode()


@pytest.mark.django_db
def test_a_reply_tidak_to_the_restoration_question_opens_the_follow_up(
    client, inbound_secret, world
):
    case = repaired(world, siti_case(world))
    raw = plain_mail(
        subject=f"RE: [{case.ticket}] Listrik sudah menyala?",
        body="Tidak, sampai sekarang masih gelap.\n\nSalam,\nSiti",
    )

    message = receive_and_process(client, raw)

    follow_up = Case.objects.get(follow_up_of=case)
    assert message.case == follow_up
    assert (follow_up.channel, follow_up.reporter_contact) == (
        Channel.EMAIL,
        "siti.rahmawati@outlook.co.id",
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    # The customer hears the new ticket (its receipt), not "closed, please rate us".
    assert Notification.objects.filter(case=follow_up, template="received").exists()


@pytest.mark.django_db
def test_a_reply_ya_threaded_by_in_reply_to_confirms_and_closes(client, inbound_secret, world):
    case = repaired(world, siti_case(world))
    our_id = "aduan.91.77aa@pln123.example"
    Notification.objects.filter(case=case, template="restoration_check").update(
        provider_message_id=f"<{our_id}>"
    )
    raw = plain_mail(
        subject="RE: Pengaduan Anda", body="Ya, sudah menyala. Terima kasih.", in_reply_to=our_id
    )

    message = receive_and_process(client, raw)

    case.refresh_from_db()
    assert message.case == case
    assert case.status == CaseStatus.CLOSED
    assert not Case.objects.filter(follow_up_of=case).exists()
    answer = CaseEvent.objects.get(case=case, kind=EventKind.CUSTOMER_MESSAGE)
    assert (answer.data["restoration_answer"], answer.data["channel"]) == ("yes", "email")


@pytest.mark.django_db
def test_a_new_mail_starting_with_tidak_is_a_complaint_not_an_answer(client, inbound_secret, world):
    case = repaired(world, siti_case(world))
    raw = plain_mail(subject="Listrik padam lagi", body="Tidak ada listrik sejak pagi di rumah.")

    message = receive_and_process(client, raw)

    assert message.case != case
    assert message.case.follow_up_of_id is None
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED


# --- The SMTP server ----------------------------------------------------------------------


@pytest.fixture
def smtp_server(transactional_db, monkeypatch, settings):
    """The real aiosmtpd server on an ephemeral loopback port. Its worker threads have their
    own connections, hence a transactional database (restored afterwards, seeded categories
    and groups included). The processing task is not published (no broker in these tests):
    we record what would have been enqueued."""
    published: list[int] = []
    monkeypatch.setattr(tasks.process_inbound, "delay", published.append)
    settings.EMAIL_INBOUND_MAX_BYTES = 20_000
    handler = IntakeHandler(workers=2)
    controller = make_controller(host="127.0.0.1", port=0, handler=handler)
    controller.start()
    try:
        yield controller, published
    finally:
        controller.stop()
        handler.close()


def smtp_send(controller, raw: bytes, *, sender: str = "budi.santoso@gmail.com"):
    with smtplib.SMTP(controller.hostname, controller.port, timeout=10) as client:
        client.ehlo("relay.pln123.example")
        return client.sendmail(sender, ["pengaduan@pln123.example"], raw)


def test_smtp_server_stores_mail_and_answers_after_the_commit(smtp_server):
    controller, published = smtp_server
    raw = fixture("gmail_multipart_alternative.eml")

    with smtplib.SMTP(controller.hostname, controller.port, timeout=10) as client:
        client.ehlo("relay.pln123.example")
        client.mail("budi.santoso@gmail.com")
        client.rcpt("pengaduan@pln123.example")
        code, reply = client.data(raw)

    row = InboundMessage.objects.get()
    assert code == 250
    assert reply.decode() == f"2.0.0 OK: stored as {row.pk}"
    assert bytes(row.body) == raw
    assert row.headers == {
        "via": "smtp",
        "envelope-from": "budi.santoso@gmail.com",
        "envelope-to": "pengaduan@pln123.example",
    }
    assert str(row.remote_addr) == "127.0.0.1"
    assert published == [row.pk]


def test_smtp_server_takes_a_repeat_delivery_once(smtp_server):
    controller, published = smtp_server
    raw = fixture("gmail_multipart_alternative.eml")

    smtp_send(controller, raw)
    smtp_send(controller, raw)

    assert InboundMessage.objects.count() == 1
    assert len(published) == 1


def test_smtp_server_refuses_oversize_mail_with_552(smtp_server):
    controller, _ = smtp_server
    raw = fixture("gmail_multipart_alternative.eml") + b"x" * 30_000 + b"\r\n"

    with pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused:
        smtp_send(controller, raw)

    assert refused.value.smtp_code == 552
    assert not InboundMessage.objects.exists()


def test_smtp_server_keeps_a_bounce_with_its_null_sender(smtp_server):
    controller, _ = smtp_server

    smtp_send(controller, fixture("bounce_dsn_postfix.eml", our_id="a@b"), sender="")

    assert InboundMessage.objects.get().headers["envelope-from"] == ""


def test_smtp_server_refuses_data_that_is_not_mail_but_keeps_it(smtp_server):
    controller, published = smtp_server

    with pytest.raises(smtplib.SMTPDataError) as refused:
        smtp_send(controller, b"no headers at all, just words\r\n")

    assert refused.value.smtp_code == 550
    row = InboundMessage.objects.get()
    assert row.status == InboundStatus.FAILED
    assert published == []


def test_smtp_server_answers_451_when_the_database_fails(smtp_server, monkeypatch):
    controller, _ = smtp_server
    handler = controller.handler

    def broken(*args, **kwargs):
        raise OSError("database unreachable")

    monkeypatch.setattr(handler, "store", broken)

    with pytest.raises(smtplib.SMTPDataError) as refused:
        smtp_send(controller, fixture("gmail_multipart_alternative.eml"))

    assert refused.value.smtp_code == 451


# --- The management command, as a real process --------------------------------------------


@pytest.mark.integration
def test_run_smtp_intake_command_receives_and_processes_mail(transactional_db, world, tmp_path):
    """``manage.py run_smtp_intake`` in its own process, on the test database. Tasks run
    eagerly in that process (no broker involved), so the mail becomes a case end to end."""
    import os
    import re
    import signal
    import subprocess
    import sys
    import time

    from django.conf import settings as django_settings

    from tests.dburl import child_database_url

    factories.make_customer(world.unit_a, id_pelanggan="530012345678")
    env = {
        **os.environ,
        "DATABASE_URL": child_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "DJANGO_DEBUG": "1",
        "ADUAN_VAR_DIR": str(tmp_path),
    }
    log = (tmp_path / "smtp.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_smtp_intake", "--host", "127.0.0.1", "--port", "0"],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        port = None
        deadline = time.monotonic() + 30
        while port is None and time.monotonic() < deadline:
            time.sleep(0.2)
            log.seek(0)
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", log.read())
            port = int(found.group(1)) if found else None
        assert port, "the SMTP intake did not start"
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.sendmail(
                "budi.santoso@gmail.com",
                ["pengaduan@pln123.example"],
                fixture("gmail_multipart_alternative.eml"),
            )
        row = InboundMessage.objects.get()
        assert row.status == InboundStatus.PROCESSED
        assert row.case.customer.id_pelanggan == "530012345678"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        log.close()
    assert process.returncode == 0
