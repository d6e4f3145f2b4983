"""API personas: each world user with a staff token, cases in unit A and unit B."""

from collections.abc import Callable, Iterator

import pytest
from rest_framework.test import APIClient

from complaints import clock
from complaints.api.tokens import api_token_create
from complaints.models import Incident, IncidentStatus
from config.celery import app
from tests import factories


@pytest.fixture
def client_for(world) -> Callable[[object], APIClient]:
    """An API client that carries a fresh staff token of ``user``."""

    def make(user) -> APIClient:
        _, key = api_token_create(user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make


@pytest.fixture
def agent_a(client_for, world) -> APIClient:
    return client_for(world.agent_a)


@pytest.fixture
def agent_b(client_for, world) -> APIClient:
    return client_for(world.agent_b)


@pytest.fixture
def supervisor_a(client_for, world) -> APIClient:
    return client_for(world.supervisor_a)


@pytest.fixture
def manager(client_for, world) -> APIClient:
    return client_for(world.manager)


@pytest.fixture
def customer_a(world):
    return factories.make_customer(world.unit_a, name="Siti Aminah")


@pytest.fixture
def case_a(world, customer_a):
    return factories.open_case(customer=customer_a, category_code="meter")


@pytest.fixture
def case_b(world):
    return factories.open_case(world.unit_b, category_code="meter")


def make_incident(unit, *, area_code: str = "PNY-01", status: str = IncidentStatus.ACTIVE):
    """An outage incident as complaints.incidents would have opened it (the API only reads)."""
    now = clock.now()
    return Incident.objects.create(
        service_unit=unit,
        status=status,
        area_key=f"feeder:{area_code}",
        area_code=area_code,
        title=f"Gangguan penyulang {area_code}",
        started_at=now,
        created_at=now,
        updated_at=now,
        restored_at=now if status in (IncidentStatus.RESTORED, IncidentStatus.CLOSED) else None,
    )


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks run inline when published: on-commit delivery happens in the test, and nothing
    reaches a broker."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
