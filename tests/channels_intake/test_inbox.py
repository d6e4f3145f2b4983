"""The raw inbox: stored before anything else, one row per provider id, processed in the intake
queue after commit, failures kept with their error and re-processable from the admin."""

from datetime import timedelta
from unittest import mock

import pytest

from channels_intake import tasks
from channels_intake.media import simulated_put
from channels_intake.models import InboundMessage, InboundStatus
from channels_intake.services import inbound_process
from complaints import clock
from config.celery import app
from tests.channels_intake.conftest import WHATSAPP_SECRET
from tests.channels_intake.helpers import (
    JPEG,
    WHATSAPP_URL,
    body_of,
    deliver_whatsapp,
    fixture,
    post_signed,
)

pytestmark = pytest.mark.usefixtures("channel_settings")


def test_a_delivery_is_stored_raw_with_its_headers_before_any_parsing(client, db):
    payload = fixture("whatsapp/text.json")

    response = post_signed(client, WHATSAPP_URL, payload, WHATSAPP_SECRET, REMOTE_ADDR="10.0.0.7")

    assert response.status_code == 200
    row = InboundMessage.objects.get()
    assert bytes(row.body) == body_of(payload)
    assert row.status == InboundStatus.RECEIVED
    assert row.provider_message_id.startswith("batch:")
    assert row.headers["x-hub-signature-256"].startswith("sha256=")
    assert "cookie" not in row.headers
    assert (row.content_type, row.remote_addr) == ("application/json", "10.0.0.7")


def test_a_repeated_delivery_is_a_noop_that_still_answers_200(client, db):
    payload = fixture("whatsapp/text.json")
    first = post_signed(client, WHATSAPP_URL, payload, WHATSAPP_SECRET)

    again = post_signed(client, WHATSAPP_URL, payload, WHATSAPP_SECRET)

    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.json()["status"], again.json()["status"]) == ("received", "duplicate")
    assert InboundMessage.objects.count() == 1


def test_processing_is_queued_on_the_intake_queue_after_commit(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        post_signed(client, WHATSAPP_URL, fixture("whatsapp/text.json"), WHATSAPP_SECRET)

    assert len(callbacks) == 1
    route = app.amqp.router.route({}, "channels_intake.tasks.process_inbound")
    assert route["queue"].name == "intake"
    with mock.patch.object(tasks.process_inbound, "delay") as delay:
        callbacks[0]()
    delay.assert_called_once_with(InboundMessage.objects.get().pk)


def test_a_duplicate_queues_nothing(client, db, django_capture_on_commit_callbacks):
    payload = fixture("whatsapp/text.json")
    post_signed(client, WHATSAPP_URL, payload, WHATSAPP_SECRET)

    with django_capture_on_commit_callbacks() as callbacks:
        post_signed(client, WHATSAPP_URL, payload, WHATSAPP_SECRET)

    assert callbacks == []


def test_the_webhook_answers_200_even_when_the_broker_is_down(
    client, db, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(tasks.process_inbound, "delay", side_effect=ConnectionError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post_signed(client, WHATSAPP_URL, fixture("whatsapp/text.json"), WHATSAPP_SECRET)

    assert response.status_code == 200
    row = InboundMessage.objects.get()
    assert row.status == InboundStatus.RECEIVED
    # The sweep finds the row whose task was lost, once it is clearly not just queued.
    with mock.patch.object(tasks.process_inbound, "delay") as delay:
        assert tasks.requeue_unprocessed_inbound() == 0
        with clock.travel(clock.now() + timedelta(minutes=5)):
            assert tasks.requeue_unprocessed_inbound() == 1
    delay.assert_called_once_with(row.pk)


def test_a_message_that_fails_stays_in_the_inbox_with_its_error(client, db):
    # An image whose media cannot be downloaded: the batch is split, the message row fails.
    batch = deliver_whatsapp(client, fixture("whatsapp/image.json"))

    assert batch.status == InboundStatus.PROCESSED
    row = InboundMessage.objects.get(provider_message_id__startswith="msg:")
    assert row.status == InboundStatus.FAILED
    assert "Simulated media 1234567890123456 not found" in row.error
    assert row.attempts == 1
    assert bytes(row.body)  # what Meta sent is all there, to re-process later


def test_a_body_that_is_not_whatsapp_fails_its_row_with_the_reason(client, db):
    row = deliver_whatsapp(client, {"object": "page", "entry": []})

    assert row.status == InboundStatus.FAILED
    assert (
        row.error
        == "channels_intake.payload.PayloadError: Not a WhatsApp Business webhook (object='page')."
    )


def test_staff_see_failures_in_the_admin_and_re_process_them(
    admin_client, db, eager_tasks, django_capture_on_commit_callbacks
):
    deliver_whatsapp(admin_client, fixture("whatsapp/image.json"))
    failed = InboundMessage.objects.get(status=InboundStatus.FAILED)

    page = admin_client.get(f"/admin/channels_intake/inboundmessage/{failed.pk}/change/")
    assert page.status_code == 200
    assert "Simulated media 1234567890123456 not found" in page.content.decode()
    listing = admin_client.get("/admin/channels_intake/inboundmessage/?status__exact=failed")
    assert failed.provider_message_id in listing.content.decode()

    simulated_put("1234567890123456", JPEG)  # the cause is fixed (media available again)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/channels_intake/inboundmessage/",
            {"action": "reprocess", "_selected_action": [failed.pk]},
        )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == (InboundStatus.PROCESSED, "", 2)


def test_processing_a_row_twice_does_nothing_the_second_time(client, db):
    batch = deliver_whatsapp(client, fixture("whatsapp/text.json"))

    assert inbound_process(batch.pk) == "skipped"
    assert InboundMessage.objects.count() == 2  # the batch and its one message
