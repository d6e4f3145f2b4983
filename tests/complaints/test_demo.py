"""The demo data set (``manage.py load_demo``) and the ``make run`` banner."""

import http.server
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from complaints.demo import DEMO_PASSWORD, DEMO_USERNAMES, LoadResult, load_demo
from complaints.identifiers import normalize_phone
from complaints.management.commands.demo_banner import render_banner, wait_until_ready
from complaints.models import (
    Case,
    CaseEvent,
    Category,
    Channel,
    ContactKind,
    Customer,
    CustomerContact,
    EventKind,
    Notification,
    SatisfactionAnswer,
)
from complaints.workflow import OPEN_STATES, TECHNICIAN_STATES, CaseStatus
from staff.access import unit_ids_for
from staff.models import ServiceUnit, StaffMember, Technician, UnitKind
from staff.roles import Role, roles_of

SMALL = {"seed": 7, "customers": 30, "cases": 120}
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MODELS = (ServiceUnit, User, StaffMember, Technician, Customer, CustomerContact, Case, CaseEvent)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[LoadResult]:
    """Loaded once for the module inside a transaction that is rolled back at its end; with
    the package's fast hasher (conftest), which is function-scoped and not yet active here."""
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield load_demo(**SMALL)
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo: LoadResult, db) -> LoadResult:
    return demo


def test_demo_load_reports_what_it_created(loaded):
    assert loaded.loaded
    assert loaded.counts["cases"] == Case.objects.count() == SMALL["cases"]
    assert loaded.counts["customers"] == Customer.objects.count() == SMALL["customers"]
    assert loaded.unassigned == 0


def test_demo_has_every_channel_category_and_state(loaded):
    assert set(Case.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Case.objects.values_list("category__code", flat=True)) == set(
        Category.objects.filter(active=True).values_list("code", flat=True)
    )
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)


def test_each_case_history_replays_to_its_status(loaded):
    history = defaultdict(list)
    for event in CaseEvent.objects.order_by("created_at", "id"):
        history[event.case_id].append(event)
    for case in Case.objects.all():
        events = history[case.pk]
        assert events[0].kind == EventKind.CREATED
        assert events[0].to_status == CaseStatus.RECEIVED
        assert events[0].created_at == case.created_at
        status = CaseStatus.RECEIVED
        for event in events[1:]:
            if event.kind == EventKind.STATUS_CHANGED:
                assert event.from_status == status, case.ticket
                status = event.to_status
        assert status == case.status, case.ticket


def test_event_times_never_go_backwards_or_into_the_future(loaded):
    now = timezone.now()
    by_id: dict[int, list] = defaultdict(list)
    for case_id, at in CaseEvent.objects.order_by("id").values_list("case_id", "created_at"):
        by_id[case_id].append(at)
    for times in by_id.values():
        assert times == sorted(times)
        assert times[-1] <= now
    oldest = Case.objects.order_by("created_at").values_list("created_at", flat=True).first()
    assert now - oldest <= timedelta(days=61)


def test_demo_history_sends_no_notifications(loaded):
    assert Notification.objects.count() == 0


def test_the_first_sla_sweep_after_loading_mails_nobody_about_old_breaches(loaded):
    from complaints.sla import sla_sweep

    open_breached = Case.objects.filter(
        status__in=OPEN_STATES, resolution_due_at__lt=timezone.now()
    ).exclude(status="waiting_customer")
    assert open_breached.exists()
    assert not open_breached.filter(resolution_alert=0).exists()

    assert sla_sweep() == 0
    assert not Notification.objects.filter(template__startswith="staff_sla").exists()


def test_some_closed_cases_have_a_survey_answer_that_left_them_closed(loaded):
    answers = list(SatisfactionAnswer.objects.select_related("case"))
    assert len(answers) >= 10
    for answer in answers:
        assert answer.case.status == CaseStatus.CLOSED
        assert answer.reopened is False
        assert answer.answered_at > answer.case.closed_at
    assert {answer.score for answer in answers} == {1, 2, 3, 4, 5}
    assert any(not answer.fixed for answer in answers)


def test_merged_cases_point_at_a_case_that_recorded_the_merge(loaded):
    merged = Case.objects.filter(status=CaseStatus.MERGED)
    assert merged.exists()
    for case in merged:
        assert CaseEvent.objects.filter(
            case_id=case.merged_into_id, kind=EventKind.MERGED_IN, data__case=case.pk
        ).exists()


def test_technician_bookings_match_their_open_field_cases(loaded):
    booked = Counter(
        Case.objects.filter(status__in=TECHNICIAN_STATES).values_list("technician_id", flat=True)
    )
    for technician in Technician.objects.all():
        assert technician.open_jobs == booked[technician.pk] <= technician.capacity
    field_open = Case.objects.filter(status__in=TECHNICIAN_STATES)
    assert all(case.category.is_field_work for case in field_open.select_related("category"))


def test_customer_identifiers_and_contacts_are_in_canonical_form(loaded):
    for customer in Customer.objects.all():
        assert len(customer.id_pelanggan) == 12
        assert customer.id_pelanggan.isdigit()
        assert customer.meter_number is None or len(customer.meter_number) == 11
    phones = CustomerContact.objects.filter(kind__in=[ContactKind.PHONE, ContactKind.WHATSAPP])
    assert phones.exists()
    for contact in phones:
        assert contact.value.startswith("+62")
        assert normalize_phone(contact.value) == contact.value


def test_units_span_three_time_zones_with_sibling_neighbours(loaded):
    regions = ServiceUnit.objects.filter(kind=UnitKind.REGION)
    assert set(regions.values_list("timezone", flat=True)) == {
        "Asia/Jakarta",
        "Asia/Makassar",
        "Asia/Jayapura",
    }
    for office in ServiceUnit.objects.filter(kind=UnitKind.OFFICE):
        siblings = set(office.parent.children.exclude(pk=office.pk))
        assert set(office.neighbours.all()) == siblings


def test_demo_logins_exist_with_the_demo_password(loaded):
    users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert set(users) == set(DEMO_USERNAMES)
    for user in users.values():
        assert user.check_password(DEMO_PASSWORD), user.username
    assert users["admin"].is_superuser
    assert roles_of(users["agent"]) == {Role.AGENT}
    assert roles_of(users["supervisor"]) == {Role.SUPERVISOR}
    assert roles_of(users["manager"]) == {Role.MANAGER}
    assert all(users[name].is_staff for name in ("agent", "supervisor", "manager"))
    assert Technician.objects.get(user=users["technician"]).service_unit.code == "ULP-CKN"


def test_agent_sees_every_jakarta_office_and_nothing_else(loaded):
    agent = User.objects.get(username="agent")
    jakarta = set(ServiceUnit.objects.filter(path__startswith="JKT").values_list("pk", flat=True))
    assert unit_ids_for(agent) == jakarta
    assert Case.objects.filter(service_unit__path__startswith="JKT/").exists()


def test_loading_again_creates_nothing(loaded):
    before = [model.objects.count() for model in MODELS]

    again = load_demo(**SMALL)

    assert not again.loaded
    assert [model.objects.count() for model in MODELS] == before


def test_load_demo_command_says_when_data_is_already_there(loaded):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "sudah ada" in out.getvalue()


# --- the banner ---


class _FlakyHealth(http.server.BaseHTTPRequestHandler):
    """Answers 503 twice, then 200, like /healthz while the web process warms up."""

    calls = 0

    def do_GET(self) -> None:
        type(self).calls += 1
        self.send_response(200 if type(self).calls > 2 else 503)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def health_url() -> Iterator[str]:
    _FlakyHealth.calls = 0
    server = http.server.HTTPServer(("127.0.0.1", 0), _FlakyHealth)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/healthz"
    server.shutdown()
    server.server_close()


def test_banner_waits_until_health_answers_200(health_url):
    assert wait_until_ready(health_url, timeout=10, interval=0.01)
    assert _FlakyHealth.calls == 3


def test_banner_wait_gives_up_after_the_timeout():
    calls = []

    def never(url: str) -> bool:
        calls.append(url)
        return False

    assert not wait_until_ready(
        "http://127.0.0.1:9/healthz", timeout=0.05, interval=0.01, check=never
    )
    assert len(calls) >= 2


def test_banner_lists_urls_and_logins(loaded, health_url):
    _FlakyHealth.calls = 2  # already warm: the next answer is 200
    out = StringIO()
    call_command("demo_banner", "--wait-for", health_url, "--no-block", stdout=out)
    text = out.getvalue()
    base = health_url.removesuffix("healthz")
    assert f"{base}admin/" in text
    assert f"{base}healthz" in text
    assert DEMO_PASSWORD in text
    for username in DEMO_USERNAMES:
        assert f"    {username} " in text


def test_banner_without_demo_data_says_how_to_load_it():
    text = render_banner("http://127.0.0.1:8000/", [])
    assert "load_demo" in text
    assert DEMO_PASSWORD not in text
