"""Schemathesis against our own OpenAPI schema, in process (the WSGI app, the test database),
authenticated as a scoped agent: every operation of /api/ answers without a 5xx, and with
schema-valid input every answer (status, content type, body, headers) matches the schema.

Bounded: a fixed number of examples per operation, derandomized, so the run is reproducible
and stays within about a minute on a loaded two-core machine."""

from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from channels_intake.ratelimit import Rate
from complaints import incidents, services
from complaints.api.throttling import StaffReadThrottle, StaffWriteThrottle
from complaints.api.tokens import api_token_create
from staff.roles import Actor
from tests import factories
from tests.api.conftest import make_incident

POSITIVE_EXAMPLES = 8
NEGATIVE_EXAMPLES = 5
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# The schema document itself is tested in test_schema.py; generating it per example is slow.
SKIPPED_PATHS = {"/api/schema/"}
TECH_PREFIX = "/api/v1/tech/"


@contextmanager
def same_connection() -> Iterator[None]:
    """Requests run inside the test's transaction: as Django's test client does, keep the
    request signals from closing the connection that holds it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(monkeypatch) -> None:
    # Fairness limits are tested elsewhere; here they would only turn examples into 429s.
    monkeypatch.setattr(StaffReadThrottle, "rate", Rate(limit=10**6, seconds=60))
    monkeypatch.setattr(StaffWriteThrottle, "rate", Rate(limit=10**6, seconds=60))


@pytest.fixture
def schema(client) -> schemathesis.schemas.BaseSchema:
    document = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    return schemathesis.openapi.from_dict(document)


def _fuzz(operation, strategy, *, examples: int, checks, headers: dict, app) -> list[str]:
    failures: list[str] = []

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        try:
            case.call_and_validate(app=app, headers=headers, checks=checks)
        except Exception as exc:  # collected: one report for every operation that fails
            failures.append(f"{operation.label}: {exc}")
            raise

    # Hypothesis re-raises the shrunk failure; its text is already in ``failures``.
    with suppress(Exception, BaseExceptionGroup):
        run()
    return failures[:1]


def test_every_operation_answers_within_its_schema_and_never_5xx(world, schema, unthrottled):
    customer = factories.make_customer(world.unit_a)
    case = factories.open_case(customer=customer, category_code="meter")
    _, key = api_token_create(user=world.agent_a, name="fuzz")
    headers = {"Authorization": f"Bearer {key}"}
    app = WSGIHandler()
    incident = make_incident(world.unit_a)
    known_ids = {"case_id": case.pk, "customer_id": customer.pk, "incident_id": incident.pk}
    # The technician API (/api/v1/tech/) is fuzzed as the technician, on their own job and the
    # incident they are the crew of (as the agent every operation there is a plain 403).
    _, tech_key = api_token_create(user=world.technician_a.user, name="fuzz")
    tech_headers = {"Authorization": f"Bearer {tech_key}"}
    job = factories.open_case(customer=customer, category_code="meter")
    services.case_transition(actor=Actor.system("fuzz"), case_id=job.pk, target="verified")
    services.case_assign(
        actor=Actor.staff(world.supervisor_a), case_id=job.pk, technician=world.technician_a
    )
    crew_incident = incidents.incident_assign_crew(
        actor=Actor.staff(world.supervisor_a),
        incident_id=make_incident(world.unit_a, area_code="PNY-09").pk,
        technician=world.technician_a,
    )
    tech_ids = {"ticket": job.ticket, "incident_id": crew_incident.pk}
    failures: list[str] = []
    with same_connection():
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.path in SKIPPED_PATHS:
                continue
            strategies = [
                (operation.as_strategy(), POSITIVE_EXAMPLES, CONFORMANCE),
                (
                    operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
                    NEGATIVE_EXAMPLES,
                    [not_a_server_error],
                ),
            ]
            # Also on objects that exist, so the operations get past their 404.
            as_technician = operation.path.startswith(TECH_PREFIX)
            ids = {
                name: value
                for name, value in (tech_ids if as_technician else known_ids).items()
                if any(p.name == name for p in operation.path_parameters)
            }
            if ids:
                strategies.append(
                    (operation.as_strategy(path_parameters=ids), POSITIVE_EXAMPLES, CONFORMANCE)
                )
            for strategy, examples, checks in strategies:
                failures += _fuzz(
                    operation,
                    strategy,
                    examples=examples,
                    checks=checks,
                    headers=tech_headers if as_technician else headers,
                    app=app,
                )
    assert not failures, "\n\n".join(failures)
