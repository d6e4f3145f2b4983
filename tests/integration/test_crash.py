"""Crash test: many cases through their whole lifecycle with a real Celery worker on the real
broker, the worker SIGKILLed (whole process group) while a WhatsApp message and an SMS are in
flight, a new worker started, and the beat sweep run, as in production.

What it proves: every notice that should reach a customer reached the fake provider exactly
once (WhatsApp: one accepted message per outbox id, never repeated although its answer was
lost; SMS: sent again after the crash and de-duplicated by the gateway on our idempotency
key; e-mail and push: one message each), no superseded notice was sent, nothing is left
pending, and every field case got exactly one technician, whose capacity was given back.
"""

import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import pytest

from complaints import clock
from complaints.models import Case, CaseEvent, ContactKind, EventKind, Notification
from complaints.models import NotificationStatus as S
from complaints.notifications import notification_status_update
from complaints.outbound.whatsapp import notification_id_from_callback_data
from complaints.services import Reporter, case_transition
from complaints.tasks import requeue_pending_notifications
from complaints.workflow import CaseStatus
from config.celery import QUEUES, app
from staff.models import Technician
from staff.roles import Actor, Role
from tests import factories
from tests.fakes.providers import FakeFcm, FakeSmsGateway, FakeWhatsApp
from tests.fakes.smtp import FakeSmtp
from tests.integration.worker import WorkerLauncher, queue_depths, wait_until

pytestmark = pytest.mark.integration
committed_db = pytest.mark.django_db(transaction=True)

CASES = {ContactKind.WHATSAPP: 16, ContactKind.PHONE: 8, ContactKind.EMAIL: 8, ContactKind.APP: 8}
TECHNICIANS, CAPACITY = 14, 3
# Field work dispatched case by case (outage reports may join an incident instead).
CATEGORY = "tegangan"
# Short clocks so a crash is recovered within the test; the same values go to the worker
# (environment) and to this process (settings), which plays web, beat and Meta's webhooks.
TIMING = {
    "NOTIFY_QUIET_SECONDS": 2,
    "NOTIFY_RETRY_BASE_SECONDS": 1,
    "NOTIFY_RETRY_CAP_SECONDS": 4,
    "NOTIFY_REQUEUE_GRACE_SECONDS": 2,
    # Longer than it takes to catch both sends in flight, or the first one times out first.
    "OUTBOUND_HTTP_TIMEOUT": 15,
    "EMAIL_TIMEOUT": 15,
    "NOTIFY_SENDING_TIMEOUT": 17,
    "NOTIFY_RECONCILE_SECONDS": 35,
}
# Meta's status webhooks arrive this long after the send: later than the sending timeout
# (so the lost WhatsApp send is first marked "unknown"), sooner than the reconcile window.
STATUS_DELAY = 20.0
VISIBILITY_TIMEOUT = 10
RUN_TIMEOUT = 90.0
SUPERVISOR = Actor(roles=frozenset({Role.SUPERVISOR}), label="test:supervisor")
NEXT = {
    CaseStatus.ASSIGNED: CaseStatus.DISPATCHED,
    CaseStatus.DISPATCHED: CaseStatus.ON_SITE,
    CaseStatus.ON_SITE: CaseStatus.RESOLVED,
    CaseStatus.RESOLVED: CaseStatus.CLOSED,
}
OPEN_NOTICE = (S.PENDING, S.SENDING, S.UNKNOWN)


@dataclass
class Providers:
    whatsapp: FakeWhatsApp
    sms: FakeSmsGateway
    fcm: FakeFcm
    smtp: FakeSmtp


@pytest.fixture
def providers(settings, monkeypatch):
    with FakeWhatsApp() as wa, FakeSmsGateway() as sms, FakeFcm() as fcm, FakeSmtp() as smtp:
        environment = {
            "WHATSAPP_API_BASE_URL": wa.url,
            "WHATSAPP_ACCESS_TOKEN": wa.token,
            "WHATSAPP_PHONE_NUMBER_ID": wa.phone_number_id,
            "SMS_GATEWAY_URL": f"{sms.url}/v1/messages",
            "SMS_GATEWAY_TOKEN": sms.token,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "FCM_API_URL": fcm.send_url,
            "FCM_ACCESS_TOKEN": fcm.token,
            # Redis re-delivers the killed worker's unacknowledged tasks after this long.
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            **{name: str(value) for name, value in TIMING.items()},
        }
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        for name, value in TIMING.items():
            setattr(settings, name, value)
        yield Providers(wa, sms, fcm, smtp)


def reporters() -> list[Reporter]:
    contact = {
        ContactKind.WHATSAPP: "+62812{:08d}",
        ContactKind.PHONE: "+62813{:08d}",
        ContactKind.EMAIL: "pelanggan{}@example.id",
        ContactKind.APP: "device-token-{}",
    }
    return [
        Reporter(name=f"Pelapor {n}", contact_kind=kind, contact=contact[kind].format(n))
        for kind, count in CASES.items()
        for n in range(count)
    ]


class Run:
    """The test process's side of the run: staff moving cases on, beat, Meta's webhooks."""

    def __init__(self, case_ids: list[int], providers: Providers) -> None:
        self.case_ids = case_ids
        self.providers = providers
        self.replayed: Counter = Counter()
        # Statuses one outbox row was seen in, round after round.
        self.watched: int | None = None
        self.history: list[str] = []

    def advance(self) -> None:
        """Move every case that waits for staff one step on, as technicians and agents do."""
        for pk, status in Case.objects.filter(
            pk__in=self.case_ids, status__in=list(NEXT)
        ).values_list("pk", "status"):
            case_transition(
                actor=SUPERVISOR,
                case_id=pk,
                target=NEXT[status],
                eta=clock.now() + timedelta(hours=1),
                resolution="Sambungan rumah diperbaiki, listrik menyala",
            )

    def whatsapp_webhooks(self) -> None:
        """Meta's status webhooks for what it accepted, late, repeated and out of order: each
        round replays "delivered" then "sent" (twice) for what is older than STATUS_DELAY."""
        for wamid, callback in self.providers.whatsapp.status_webhooks(older_than=STATUS_DELAY):
            if self.replayed[wamid] >= 2:
                continue
            self.replayed[wamid] += 1
            for status in ("delivered", "sent"):
                notification_status_update(
                    channel="whatsapp",
                    provider_message_id=wamid,
                    notification_id=notification_id_from_callback_data(callback),
                    status=status,
                )

    def beat(self) -> None:
        requeue_pending_notifications()

    def finished(self) -> bool:
        closed = Case.objects.filter(pk__in=self.case_ids, status=CaseStatus.CLOSED).count()
        return (
            closed == len(self.case_ids)
            and not Notification.objects.filter(status__in=OPEN_NOTICE).exists()
        )

    def observe(self) -> None:
        if self.watched is not None:
            status = Notification.objects.values_list("status", flat=True).get(pk=self.watched)
            if not self.history or self.history[-1] != status:
                self.history.append(status)

    def round(self) -> bool:
        for step in (self.advance, self.beat, self.whatsapp_webhooks):
            step()
            self.observe()
        return self.finished()


def unacked_tasks() -> int:
    with app.connection_for_read() as connection:
        return connection.default_channel.client.hlen("unacked")


@committed_db
def test_worker_killed_mid_send_loses_no_notice_sends_none_twice_and_books_one_technician(
    celery_worker_process: WorkerLauncher, providers: Providers
):
    started = time.monotonic()
    # It starts while the cases are written, and sends their receipts as they commit.
    worker = celery_worker_process.start(concurrency=2, wait_ready=False)
    unit = factories.make_unit_tree()
    technicians = [
        factories.make_technician(unit, skills=["distribution"], capacity=CAPACITY)
        for _ in range(TECHNICIANS)
    ]
    cases = [
        factories.open_case(unit, category_code=CATEGORY, reporter=reporter)
        for reporter in reporters()
    ]
    run = Run([case.pk for case in cases], providers)
    for case in cases:
        case_transition(actor=Actor.system("test"), case_id=case.pk, target=CaseStatus.VERIFIED)

    # Mid-run: dispatch and delivery well under way…
    def under_way() -> bool:
        assigned = Case.objects.filter(pk__in=run.case_ids, technician__isnull=False).count()
        return assigned >= 10 and Notification.objects.filter(status=S.SENT).count() >= 20

    assert wait_until(under_way, timeout=45), worker.log_tail()
    # …catch one WhatsApp message and one SMS in flight: the providers take them but keep
    # the answer back, so both pool processes are stuck mid-send when the worker dies.
    providers.whatsapp.hold_next()
    providers.sms.hold_next()
    run.advance()
    assert providers.whatsapp.wait_held(timeout=20), worker.log_tail()
    assert providers.sms.wait_held(timeout=TIMING["OUTBOUND_HTTP_TIMEOUT"] - 2), worker.log_tail()
    worker.kill()
    providers.whatsapp.release()
    providers.sms.release()
    killed_at = time.monotonic() - started

    in_flight = list(Notification.objects.filter(status=S.SENDING))
    assert sorted(row.channel for row in in_flight) == ["sms", "whatsapp"]
    lost_whatsapp = next(row for row in in_flight if row.channel == "whatsapp")
    lost_sms = next(row for row in in_flight if row.channel == "sms")
    # The lifecycle goes on while no worker runs: notices pile up in the outbox.
    run.advance()

    run.watched = lost_whatsapp.pk
    run.observe()
    # Beat and Meta's webhooks do not wait for the new worker to be up.
    restarted = celery_worker_process.start(concurrency=2, wait_ready=False)
    assert wait_until(run.round, timeout=RUN_TIMEOUT, interval=0.5), restarted.log_tail()
    # Redis hands the dead worker's unacknowledged tasks back after the visibility timeout;
    # they find their rows done and do nothing.
    seen: list = []

    def drained() -> bool:
        seen[:] = [unacked_tasks(), queue_depths()]
        return seen == [0, dict.fromkeys(QUEUES, 0)]

    assert wait_until(drained, timeout=3 * VISIBILITY_TIMEOUT), (seen, restarted.log_tail())
    elapsed = time.monotonic() - started

    rows = list(Notification.objects.filter(case_id__in=run.case_ids))
    live = [row for row in rows if row.status != S.SUPERSEDED]
    by_channel = {
        channel: {row.pk for row in live if row.channel == channel}
        for channel in ("whatsapp", "sms", "email", "app")
    }

    # Nothing left behind, nothing failed.
    assert Counter(row.status for row in rows).keys() <= {S.SENT, S.DELIVERED, S.SUPERSEDED}
    # Every customer got the ticket number and the final "closed" notice, once each.
    assert Counter(row.template for row in live if row.template in ("received", "closed")) == {
        "received": len(cases),
        "closed": len(cases),
    }

    # WhatsApp: one accepted message per live row, none for superseded rows. The lost send
    # was resolved by its status webhook, not sent again.
    assert providers.whatsapp.accepted_per_callback_data() == Counter(
        {f"aduan-outbox:{pk}": 1 for pk in by_channel["whatsapp"]}
    )
    lost_whatsapp.refresh_from_db()
    assert (lost_whatsapp.status, lost_whatsapp.attempts) == (S.DELIVERED, 1)
    assert run.history == [S.SENDING, S.UNKNOWN, S.DELIVERED]
    # SMS: the lost send was sent again; the gateway kept one message per outbox row.
    assert providers.sms.messages_per_client_ref() == Counter(
        {str(pk): 1 for pk in by_channel["sms"]}
    )
    lost_sms.refresh_from_db()
    assert (lost_sms.status, lost_sms.attempts) == (S.SENT, 2)
    assert sum(1 for r in providers.sms.requests if r.json["client_ref"] == str(lost_sms.pk)) == 2
    # E-mail and push: one message per live row.
    mail_ids = Counter(message["Message-ID"] for _, _, message in providers.smtp.messages)
    assert mail_ids == Counter(
        {row.provider_message_id: 1 for row in live if row.channel == "email"}
    )
    pushes = Counter(m["data"]["notification_id"] for _, m in providers.fcm.accepted)
    assert pushes == Counter({str(pk): 1 for pk in by_channel["app"]})

    # Dispatch: every field case was assigned exactly once, and every booking was released.
    assignments = Counter(
        CaseEvent.objects.filter(
            case_id__in=run.case_ids, kind=EventKind.STATUS_CHANGED, to_status=CaseStatus.ASSIGNED
        ).values_list("case_id", flat=True)
    )
    assert assignments == Counter(dict.fromkeys(run.case_ids, 1))
    assert not Case.objects.filter(pk__in=run.case_ids, technician__isnull=True).exists()
    assert not CaseEvent.objects.filter(case_id__in=run.case_ids, kind=EventKind.ASSIGNED).exists()
    assert [t.open_jobs for t in Technician.objects.filter(pk__in=[t.pk for t in technicians])] == [
        0
    ] * TECHNICIANS

    print(  # noqa: T201 - the measured run time is part of what this test reports
        f"\ncrash test: {len(cases)} cases, {len(rows)} outbox rows ({len(live)} sent), "
        f"worker killed at {killed_at:.1f}s, all settled at {elapsed:.1f}s"
    )
