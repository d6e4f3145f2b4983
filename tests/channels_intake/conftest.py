"""Fixtures for the WhatsApp, social and simulator tests: provider secrets, Celery tasks run in
process (no test publishes to a broker), a customer with known numbers."""

from collections.abc import Iterator

import pytest

from config.celery import app
from tests import factories

WHATSAPP_SECRET = "test_app_secret"
META_SECRET = "test_meta_secret"
ID_PELANGGAN = "541100000001"
METER_NUMBER = "14100000001"


@pytest.fixture
def channel_settings(settings, tmp_path):
    settings.WHATSAPP_APP_SECRET = WHATSAPP_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = "wa-verify-token"
    settings.WHATSAPP_ACCESS_TOKEN = ""
    settings.WHATSAPP_PHONE_NUMBER_ID = ""
    settings.META_APP_SECRET = META_SECRET
    settings.META_VERIFY_TOKEN = "meta-verify-token"
    settings.META_PAGE_ACCESS_TOKEN = ""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.WHATSAPP_CONVERSATION_IDLE_MINUTES = 30
    settings.NOTIFY_QUIET_SECONDS = 0
    settings.INTAKE_FALLBACK_UNIT = ""
    return settings


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks run inline when published: on-commit work (processing, delivery) happens in the
    test, and nothing reaches a broker."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def customer(world):
    return factories.make_customer(
        world.unit_a,
        id_pelanggan=ID_PELANGGAN,
        meter_number=METER_NUMBER,
        name="Siti Aminah",
        address="Jl. Cikini Raya No. 73",
    )
