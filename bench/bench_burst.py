"""Burst: outage reports fired at the running system at maximum rate through the WhatsApp webhook,
the public web form (/lapor/) and the customer app API (/api/v1/app/complaints), spread over a
few feeders of two service units. It proves that every report is stored once (zero lost, zero
duplicated) and ends up in its area's one incident, and records intake throughput, p99 intake
latency and the time until the last report is processed in bench/RESULTS.md (section burst).

    .venv/bin/python bench/bench_burst.py                          # 20,000 reports
    .venv/bin/python bench/bench_burst.py --reports 600 --no-record   # a quick look

The run owns everything it touches: a database (default aduan_burst, dropped and recreated),
Redis db 13 (flushed), a gunicorn and a Celery worker started on free ports with that database
and broker, and stopped (their process groups, by id) at the end, also after a failure.

How each path is driven, as a customer's device would:

- web form: a GET for the CSRF cookie once per client thread, then one POST per report; every
  simulated customer has their own address (X-Forwarded-For behind TRUSTED_PROXY_COUNT=1), as
  in a blackout, so the per-IP limit of the form applies per customer; ``submission_id`` makes
  a retried POST the same report;
- app API: one POST per report with the account's token and an ``Idempotency-Key``; accounts
  are seeded with their tokens (each files at most 15 reports, under the 20/hour limit);
- WhatsApp: the bot's real conversation (halo → 1 → 1 → ID pelanggan → name → address →
  description → lewati), one signed webhook POST per message; the next message is sent only
  once the previous one was processed (a person answers what the bot asked).

A request that fails on the network is retried with the same idempotency key (so a retry is
never a second report). Verification reads the database directly.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import requests

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "RESULTS.md"
JSON_OUT = REPO / "bench" / "results" / "burst.json"
VENV = REPO / ".venv" / "bin"
SECTION = "burst"
APP_SECRET = "bench-burst-app-secret"  # noqa: S105 - a local benchmark value
PHONE_NUMBER_ID = "106540352242922"
SECRET_KEY = "bench-burst-" + "x" * 40
REPORTS_PER_ACCOUNT = 15  # the app API allows 20 complaints per account per hour
# Two offices (ULP) of one UP3, feeders of each: the areas reports are spread over.
OFFICES = {"BRST-O1": ["PNY-A01", "PNY-A02", "PNY-A03"], "BRST-O2": ["PNY-B01", "PNY-B02"]}
ID_BASE = 547_000_000_000
UNUSABLE = "!"  # an unusable password hash: these users never log in


def say(message: str) -> None:
    sys.stdout.write(f"[{datetime.now(UTC):%H:%M:%S}] {message}\n")
    sys.stdout.flush()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument(
        "--share",
        default="0.05:0.475:0.475",
        help="whatsapp:web:api shares of the reports (WhatsApp costs 8 messages per report)",
    )
    parser.add_argument("--threads", type=int, default=12, help="web + API client threads")
    parser.add_argument("--wa-threads", type=int, default=48, help="WhatsApp conversations")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--concurrency", type=int, default=3, help="Celery worker processes")
    parser.add_argument("--db", default="aduan_burst")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds to wait for processing")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--no-record", action="store_true", help="do not write RESULTS.md")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- The system under test ---------------------------------------------------------------------


def server_env(args: argparse.Namespace, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"{args.pg}/{args.db}",
        "CELERY_BROKER_URL": args.broker,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Loopback HTTP stands in for the TLS proxy of a deployment.
        "SECURE_SSL_REDIRECT": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SESSION_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "TRUSTED_PROXY_COUNT": "1",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": "bench-burst",
        "WHATSAPP_PHONE_NUMBER_ID": PHONE_NUMBER_ID,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "ADUAN_VAR_DIR": str(REPO / "var" / "burst"),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }


@dataclass
class Processes:
    started: list[subprocess.Popen] = field(default_factory=list)

    def start(self, command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
        handle = log.open("ab")
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped by id, children included
        )
        self.started.append(process)
        return process

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        deadline = time.monotonic() + 30
        for process in self.started:
            try:
                process.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)


def group_cpu_seconds(groups: list[int]) -> float:
    """CPU time (user + system) of every live process in the given process groups, from
    /proc: what the system under test itself burnt, whatever else runs on the machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state ppid pgrp session … utime(12) stime(13) cutime cstime.
        if int(fields[2]) in groups:
            total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return total / ticks


def recreate_database(args: argparse.Namespace) -> None:
    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.db}"')


def flush_broker(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def setup_django(env: dict[str, str]) -> None:
    for key in (
        "DJANGO_SETTINGS_MODULE",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "DJANGO_DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_PHONE_NUMBER_ID",
        "ADUAN_VAR_DIR",
    ):
        os.environ[key] = env[key]
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


# --- Seeding -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    seq: int
    channel: str  # "whatsapp", "web", "api"
    customer_id: int
    id_pelanggan: str
    name: str
    address: str
    unit_code: str
    area_code: str
    contact: str  # E.164 phone (web, WhatsApp)
    token: str = ""  # app API


def seed(args: argparse.Namespace, run: str) -> list[Report]:
    from django.contrib.auth.models import User

    from channels_intake.mobile.services import token_hash
    from channels_intake.models import AppAccount, AppToken
    from complaints.models import Customer
    from staff.models import ServiceUnit, Technician, UnitKind

    rng = random.Random(args.seed)
    region = ServiceUnit.objects.create(code="BRST-R", name="UID Burst", kind=UnitKind.REGION)
    area = ServiceUnit.objects.create(
        code="BRST-A", name="UP3 Burst", kind=UnitKind.AREA, parent=region
    )
    offices = {
        code: ServiceUnit.objects.create(
            code=code, name=f"ULP {code[-2:]}", kind=UnitKind.OFFICE, parent=area
        )
        for code in OFFICES
    }
    users = User.objects.bulk_create(
        User(username=f"burst-tech-{n}", password=UNUSABLE, is_active=True) for n in range(6)
    )
    Technician.objects.bulk_create(
        Technician(
            user=user,
            service_unit=list(offices.values())[n % len(offices)],
            skills=["distribution"],
            capacity=5,
            on_shift=True,
            latitude=-6.2,
            longitude=106.8,
        )
        for n, user in enumerate(users)
    )
    areas = [(code, feeder) for code, feeders in OFFICES.items() for feeder in feeders]
    shares = [float(x) for x in args.share.split(":")]
    channels = rng.choices(["whatsapp", "web", "api"], weights=shares, k=args.reports)
    customers = []
    for n in range(args.reports):
        unit_code, feeder = areas[n % len(areas)]
        customers.append(
            Customer(
                id_pelanggan=f"{ID_BASE + n:012d}",
                name=f"Pelanggan Burst {n}",
                address=f"Jl. Gardu {feeder} No. {n}",
                service_unit=offices[unit_code],
                area_code=feeder,
            )
        )
    Customer.objects.bulk_create(customers, batch_size=5000)
    api_reports = channels.count("api")
    accounts = AppAccount.objects.bulk_create(
        AppAccount(
            id_pelanggan=f"{ID_BASE + n:012d}",
            name=f"Akun {n}",
            email=f"akun{n}@burst.example",
            phone=f"+62811{n:07d}",
            verified_at=datetime.now(UTC),
            created_at=datetime.now(UTC),
        )
        for n in range(max(1, math.ceil(api_reports / REPORTS_PER_ACCOUNT)))
    )
    keys = [secrets.token_urlsafe(32) for _ in accounts]
    AppToken.objects.bulk_create(
        AppToken(account=account, key_hash=token_hash(key), created_at=datetime.now(UTC))
        for account, key in zip(accounts, keys, strict=True)
    )
    reports = []
    api_n = 0
    for n, customer in enumerate(customers):
        unit_code, feeder = areas[n % len(areas)]
        token = ""
        if channels[n] == "api":
            token = keys[api_n // REPORTS_PER_ACCOUNT]
            api_n += 1
        reports.append(
            Report(
                seq=n,
                channel=channels[n],
                customer_id=customer.pk,
                id_pelanggan=customer.id_pelanggan,
                name=customer.name,
                address=customer.address,
                unit_code=unit_code,
                area_code=feeder,
                contact=f"+62813{n:08d}",
                token=token,
            )
        )
    rng.shuffle(reports)
    return reports


# --- Clients -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    channel: str
    ok: bool
    latencies: list[float]  # one per HTTP request (seconds)
    accepted_at: float  # monotonic time the report's last request was accepted
    retries: int = 0
    error: str = ""


def marker(run: str, seq: int) -> str:
    return f"BURST-{run}-{seq:06d}"


def description(run: str, report: Report) -> str:
    return f"Listrik padam sejak sore, tetangga juga padam. [{marker(run, report.seq)}]"


def client_ip(seq: int) -> str:
    return f"10.{(seq >> 16) & 255}.{(seq >> 8) & 255}.{seq & 255}"


def post_with_retry(send, attempts: int = 5) -> tuple[requests.Response, list[float], int]:
    latencies, retries = [], 0
    for attempt in range(attempts):
        started = time.monotonic()
        try:
            response = send()
        except requests.RequestException:
            latencies.append(time.monotonic() - started)
            retries += 1
            time.sleep(0.2 * (attempt + 1))
            continue
        latencies.append(time.monotonic() - started)
        if response.status_code >= 500 or response.status_code == 429:
            retries += 1
            time.sleep(0.2 * (attempt + 1))
            continue
        return response, latencies, retries
    raise RuntimeError(f"gave up after {attempts} attempts")


class WebClient:
    """One per thread: a browser session with its CSRF cookie."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()
        self.token = ""

    def ensure_csrf(self) -> None:
        if not self.token:
            self.session.get(f"{self.base}/lapor/", timeout=60)
            self.token = self.session.cookies.get("csrftoken", "")

    def web(self, run: str, report: Report) -> Outcome:
        self.ensure_csrf()
        data = {
            "csrfmiddlewaretoken": self.token,
            "category": "padam-rumah",
            "id_pelanggan": report.id_pelanggan,
            "meter_number": "",
            "name": report.name,
            "address": report.address,
            "phone": report.contact,
            "email": "",
            "description": description(run, report),
            "submission_id": marker(run, report.seq),
            "website": "",
        }
        response, latencies, retries = post_with_retry(
            lambda: self.session.post(
                f"{self.base}/lapor/",
                data=data,
                headers={"X-Forwarded-For": client_ip(report.seq)},
                allow_redirects=False,
                timeout=120,
            )
        )
        ok = response.status_code == 302 and "/lapor/terima/" in response.headers.get(
            "Location", ""
        )
        return Outcome(
            "web", ok, latencies, time.monotonic(), retries, "" if ok else _why(response)
        )

    def api(self, run: str, report: Report) -> Outcome:
        body = {
            "category": "padam-rumah",
            "description": description(run, report),
            "id_pelanggan": report.id_pelanggan,
            "location_text": report.address,
        }
        response, latencies, retries = post_with_retry(
            lambda: self.session.post(
                f"{self.base}/api/v1/app/complaints",
                json=body,
                headers={
                    "Authorization": f"Token {report.token}",
                    "Idempotency-Key": marker(run, report.seq),
                    "X-Forwarded-For": client_ip(report.seq),
                },
                timeout=120,
            )
        )
        ok = response.status_code in (201, 202)
        return Outcome(
            "api", ok, latencies, time.monotonic(), retries, "" if ok else _why(response)
        )


def _why(response: requests.Response) -> str:
    return f"HTTP {response.status_code}: {response.text[:200]}"


class InboxWatcher:
    """One thread and one database connection tell every waiting WhatsApp conversation when
    its last message has been processed (instead of a connection per conversation)."""

    FINAL = ("processed", "ignored", "failed")

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.waiting: dict[str, threading.Event] = {}
        self.failed: set[str] = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def wait_for(self, key: str, timeout: float) -> bool:
        event = threading.Event()
        with self.lock:
            self.waiting[key] = event
        done = event.wait(timeout)
        with self.lock:
            self.waiting.pop(key, None)
        return done and key not in self.failed

    def run(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self.stop.is_set():
                with self.lock:
                    keys = list(self.waiting)
                if keys:
                    rows = conn.execute(
                        "SELECT provider_message_id, status FROM channels_intake_inboundmessage "
                        "WHERE channel = 'whatsapp' AND provider_message_id = ANY(%s) "
                        "AND status = ANY(%s)",
                        [keys, list(self.FINAL)],
                    ).fetchall()
                    with self.lock:
                        for key, status in rows:
                            if status == "failed":
                                self.failed.add(key)
                            event = self.waiting.get(key)
                            if event is not None:
                                event.set()
                time.sleep(0.05)


def whatsapp_body(report: Report, text: str, wamid: str) -> bytes:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "628122123123",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [
                                {"profile": {"name": report.name}, "wa_id": report.contact[1:]}
                            ],
                            "messages": [
                                {
                                    "from": report.contact[1:],
                                    "id": wamid,
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload).encode()


def whatsapp(base: str, watcher: InboxWatcher, run: str, report: Report) -> Outcome:
    session = requests.Session()
    steps = [
        "halo",
        "1",  # gangguan listrik
        "1",  # padam di rumah
        report.id_pelanggan,
        report.name,
        report.address,
        description(run, report),
        "lewati",
    ]
    latencies, retries = [], 0
    for n, text in enumerate(steps):
        wamid = f"wamid.BURST{run}{report.seq:06d}S{n}"
        body = whatsapp_body(report, text, wamid)
        signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        response, lat, again = post_with_retry(
            lambda body=body, signature=signature: session.post(
                f"{base}/channels/whatsapp/webhook",
                data=body,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
                timeout=120,
            )
        )
        latencies += lat
        retries += again
        if response.status_code != 200:
            return Outcome("whatsapp", False, latencies, time.monotonic(), retries, _why(response))
        accepted = time.monotonic()
        # The person reads the bot's question before answering it.
        if not watcher.wait_for(f"msg:{wamid}", timeout=600):
            return Outcome(
                "whatsapp", False, latencies, accepted, retries, f"step {n} not processed"
            )
    return Outcome("whatsapp", True, latencies, accepted, retries)


# --- The run -----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def wait_until_processed(run: str, expected: int, fired_at: datetime, timeout: int) -> dict:
    from channels_intake.models import InboundMessage
    from complaints.models import Case

    started = time.monotonic()
    last_count = -1
    while time.monotonic() - started < timeout:
        count = Case.objects.filter(description__contains=f"BURST-{run}-").count()
        pending = InboundMessage.objects.filter(status="received").count()
        if count != last_count:
            say(f"  processed {count}/{expected} reports, {pending} inbox rows pending")
            last_count = count
        if count >= expected and pending == 0:
            break
        time.sleep(2)
    return {"waited_s": time.monotonic() - started}


def verify(run: str, reports: list[Report]) -> dict:
    from django.db.models import Count

    from channels_intake.models import InboundMessage
    from complaints.models import Case, Incident, Notification

    pattern = re.compile(rf"BURST-{run}-(\d{{6}})")
    cases = list(
        Case.objects.filter(description__contains=f"BURST-{run}-").values_list(
            "pk", "description", "incident_id", "customer_id", "channel", "created_at"
        )
    )
    seen = Counter()
    case_of_seq = {}
    for pk, text, incident_id, customer_id, channel, created_at in cases:
        match = pattern.search(text)
        if match:
            seq = int(match.group(1))
            seen[seq] += 1
            case_of_seq[seq] = (pk, incident_id, customer_id, channel, created_at)
    expected = {r.seq for r in reports}
    lost = sorted(expected - set(seen))
    duplicated = sorted(seq for seq, n in seen.items() if n > 1)
    incidents = {
        i.pk: i
        for i in Incident.objects.select_related("service_unit").filter(
            service_unit__code__startswith="BRST"
        )
    }
    by_area = defaultdict(set)
    wrong_area, unlinked = [], []
    channel_names = {"whatsapp": "whatsapp", "web": "web", "app": "api"}
    wrong_channel = []
    for report in reports:
        if report.seq not in case_of_seq:
            continue
        pk, incident_id, customer_id, channel, _ = case_of_seq[report.seq]
        if channel_names.get(channel) != report.channel or customer_id != report.customer_id:
            wrong_channel.append(report.seq)
        if incident_id is None:
            unlinked.append(report.seq)
            continue
        incident = incidents[incident_id]
        by_area[(report.unit_code, report.area_code)].add(incident_id)
        if (incident.service_unit.code, incident.area_code) != (report.unit_code, report.area_code):
            wrong_area.append(report.seq)
    areas = {(r.unit_code, r.area_code) for r in reports}
    one_incident_per_area = all(len(by_area[a]) == 1 for a in areas)
    told = Counter(
        Notification.objects.filter(
            case_id__in=[v[0] for v in case_of_seq.values()], template="incident_etr"
        ).values_list("case_id", flat=True)
    )
    told_not_once = sum(1 for v in case_of_seq.values() if told[v[0]] != 1)
    inbox = dict(
        InboundMessage.objects.values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    crews = sum(1 for i in incidents.values() if i.crew_id)
    created = [v[4] for v in case_of_seq.values()]
    return {
        "reports": len(reports),
        "stored": len(seen),
        "lost": len(lost),
        "lost_sample": lost[:10],
        "duplicated": len(duplicated),
        "duplicated_sample": duplicated[:10],
        "wrong_channel_or_customer": len(wrong_channel),
        "areas": len(areas),
        "incidents": len(incidents),
        "one_incident_per_area": one_incident_per_area,
        "unlinked": len(unlinked),
        "linked_to_wrong_area": len(wrong_area),
        "incidents_with_crew": crews,
        "reporters_told_not_exactly_once": told_not_once,
        "inbox": inbox,
        "last_case_created_at": max(created).isoformat() if created else None,
        "first_case_created_at": min(created).isoformat() if created else None,
    }


def machine() -> str:
    cpus = os.cpu_count()
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpus} CPUs ({model})"


def git_head() -> str:
    try:
        return subprocess.run(
            ["git", "log", "-1", "--format=%h %s"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "?"


def render(result: dict) -> str:
    v = result["verification"]
    rows = []
    for channel, figures in result["paths"].items():
        rows.append(
            f"| {channel} | {figures['reports']:,} | {figures['requests']:,} | "
            f"{figures['p50_ms']:.0f} | {figures['p99_ms']:.0f} | {figures['max_ms']:.0f} | "
            f"{figures['retries']} | {figures['failed']} |"
        )
    ok = (
        v["lost"] == 0
        and v["duplicated"] == 0
        and v["unlinked"] == 0
        and v["linked_to_wrong_area"] == 0
        and v["one_incident_per_area"]
        and v["reporters_told_not_exactly_once"] == 0
    )
    return "\n".join(
        [
            f"Run {result['when']} UTC against `{result['commit']}` plus uncommitted work; "
            f"command `{result['command']}`.",
            "",
            f"Machine: {result['machine']}, load average before/after "
            f"{result['load_before']:.1f} / {result['load_after']:.1f} (shared with other work). "
            f"System under test: gunicorn {result['web_workers']} sync workers, Celery "
            f"{result['concurrency']} worker processes (queues intake, notify, dispatch, "
            "periodic), PostgreSQL 15, Redis broker; DEBUG off; incident rules: 3 reports / "
            "60 min per feeder.",
            "",
            f"**{v['reports']:,} outage reports** over {v['areas']} feeders of 2 service units; "
            f"client: {result['threads']} web/API threads and {result['wa_threads']} concurrent "
            "WhatsApp conversations (8 webhook messages per report, each sent once the bot "
            "processed the previous one).",
            "",
            "| path | reports | HTTP requests | p50 ms | p99 ms | max ms | retried | failed |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
            f"| **all** | {v['reports']:,} | {result['requests']:,} | {result['p50_ms']:.0f} | "
            f"**{result['p99_ms']:.0f}** | {result['max_ms']:.0f} | {result['retries']} | "
            f"{result['failed']} |",
            "",
            f"- intake throughput: **{result['intake_rps']:.1f} reports/s** (all reports accepted "
            f"in {result['fire_s']:.0f} s; web + API alone {result['web_api_rps']:.1f} reports/s)",
            f"- time until the last report was processed (case opened and linked): "
            f"**{result['last_processed_s']:.0f} s** after the first request",
            f"- CPU of gunicorn + Celery (not PostgreSQL): {result['app_cpu_s']:.0f} s, "
            f"{result['app_cpu_ms_per_report']:.0f} ms per report (the application's own cost; "
            "the client and PostgreSQL ran on the same 2 CPUs)",
            f"- stored: {v['stored']:,} of {v['reports']:,} — lost **{v['lost']}**, duplicated "
            f"**{v['duplicated']}**; wrong channel/customer {v['wrong_channel_or_customer']}",
            f"- incidents: {v['incidents']} for {v['areas']} areas (one per area: "
            f"{'yes' if v['one_incident_per_area'] else '**no**'}), unlinked reports "
            f"**{v['unlinked']}**, linked to another area's incident {v['linked_to_wrong_area']}, "
            f"incidents with a crew {v['incidents_with_crew']}",
            f'- reporters told "outage known" other than exactly once: '
            f"{v['reporters_told_not_exactly_once']}; inbox rows by status: {v['inbox']}",
            "- verdict: "
            + ("✓ zero lost, zero duplicated, every report in its area's incident" if ok else "✗"),
        ]
    )


def replace_section(path: Path, name: str, body: str) -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = (
            text.rstrip("\n")
            + "\n\n## Outage burst: 20,000 reports on three channels (`bench/bench_burst.py`)\n\n"
            + f"{block}\n"
        )
    path.write_text(text)


def main() -> None:
    args = parse_args()
    run = datetime.now(UTC).strftime("%H%M%S")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(args, port)
    logs = REPO / "var" / "burst"
    logs.mkdir(parents=True, exist_ok=True)
    processes = Processes()
    try:
        say(f"database {args.db}: recreate, migrate, seed {args.reports:,} customers")
        recreate_database(args)
        flush_broker(args.broker)
        setup_django(env)
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        reports = seed(args, run)
        from django.db import connection

        connection.close()
        say(f"starting gunicorn on :{port} and a Celery worker")
        processes.start(
            [
                str(VENV / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.web_workers),
                "--backlog",
                "4096",
                "--timeout",
                "120",
                "--no-control-socket",
            ],
            env,
            logs / "gunicorn.log",
        )
        processes.start(
            [
                str(VENV / "celery"),
                "-A",
                "config",
                "worker",
                "--queues",
                "intake,notify,dispatch,periodic",
                "--concurrency",
                str(args.concurrency),
                "--loglevel",
                "WARNING",
                "--hostname",
                f"burst-{run}@%h",
            ],
            env,
            logs / "celery.log",
        )
        for _ in range(120):
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError("gunicorn did not come up; see var/burst/gunicorn.log")
        time.sleep(3)  # the worker connects to the broker

        watcher = InboxWatcher(f"{args.pg}/{args.db}")
        watcher.thread.start()
        whatsapp_reports = [r for r in reports if r.channel == "whatsapp"]
        other_reports = [r for r in reports if r.channel != "whatsapp"]
        local = threading.local()

        def fire(report: Report) -> Outcome:
            client = getattr(local, "client", None)
            if client is None:
                client = local.client = WebClient(base)
            try:
                return (
                    client.web(run, report) if report.channel == "web" else client.api(run, report)
                )
            except Exception as exc:  # noqa: BLE001 - recorded as a failed report
                return Outcome(report.channel, False, [], time.monotonic(), 0, repr(exc)[:200])

        def converse(report: Report) -> Outcome:
            try:
                return whatsapp(base, watcher, run, report)
            except Exception as exc:  # noqa: BLE001
                return Outcome("whatsapp", False, [], time.monotonic(), 0, repr(exc)[:200])

        groups = [process.pid for process in processes.started]
        cpu_before = group_cpu_seconds(groups)
        load_before = os.getloadavg()[0]
        say(
            f"firing {len(reports):,} reports: {len(whatsapp_reports):,} WhatsApp, "
            f"{sum(r.channel == 'web' for r in reports):,} web, "
            f"{sum(r.channel == 'api' for r in reports):,} API"
        )
        fired_at = datetime.now(UTC)
        t0 = time.monotonic()
        with (
            ThreadPoolExecutor(args.wa_threads) as wa_pool,
            ThreadPoolExecutor(args.threads) as pool,
        ):
            wa_futures = [wa_pool.submit(converse, r) for r in whatsapp_reports]
            outcomes = list(pool.map(fire, other_reports))
            web_api_done = time.monotonic()
            say(f"web + API accepted in {web_api_done - t0:.0f} s; waiting for WhatsApp")
            outcomes += [f.result() for f in wa_futures]
        fire_s = max((o.accepted_at for o in outcomes), default=time.monotonic()) - t0
        say(f"all accepted in {fire_s:.0f} s; waiting for processing")
        wait_until_processed(run, len(reports), fired_at, args.timeout)
        watcher.stop.set()
        cpu_used = group_cpu_seconds(groups) - cpu_before
        load_after = os.getloadavg()[0]
        verification = verify(run, reports)

        paths = {}
        all_latencies: list[float] = []
        for channel in ("whatsapp", "web", "api"):
            mine = [o for o in outcomes if o.channel == channel]
            latencies = [x for o in mine for x in o.latencies]
            all_latencies += latencies
            paths[channel] = {
                "reports": len(mine),
                "requests": len(latencies),
                "p50_ms": percentile(latencies, 50) * 1000,
                "p99_ms": percentile(latencies, 99) * 1000,
                "max_ms": max(latencies, default=0) * 1000,
                "retries": sum(o.retries for o in mine),
                "failed": sum(not o.ok for o in mine),
                "errors": [o.error for o in mine if not o.ok][:5],
            }
        last = verification["last_case_created_at"]
        last_processed_s = (
            (datetime.fromisoformat(last) - fired_at).total_seconds() if last else float("nan")
        )
        result = {
            "when": fired_at.strftime("%Y-%m-%d %H:%M"),
            "commit": git_head(),
            "command": "bench/bench_burst.py " + " ".join(sys.argv[1:]),
            "machine": machine(),
            "load_before": load_before,
            "load_after": load_after,
            "web_workers": args.web_workers,
            "concurrency": args.concurrency,
            "threads": args.threads,
            "wa_threads": args.wa_threads,
            "paths": paths,
            "requests": len(all_latencies),
            "p50_ms": percentile(all_latencies, 50) * 1000,
            "p99_ms": percentile(all_latencies, 99) * 1000,
            "max_ms": max(all_latencies, default=0) * 1000,
            "retries": sum(o.retries for o in outcomes),
            "failed": sum(not o.ok for o in outcomes),
            "fire_s": fire_s,
            "intake_rps": len(reports) / fire_s if fire_s else 0.0,
            "web_api_rps": len(other_reports) / (web_api_done - t0) if other_reports else 0.0,
            "last_processed_s": last_processed_s,
            "verification": verification,
            "latency_mean_ms": statistics.fmean(all_latencies) * 1000 if all_latencies else 0,
            "app_cpu_s": cpu_used,
            "app_cpu_ms_per_report": cpu_used * 1000 / len(reports) if reports else 0,
        }
        sys.stdout.write(json.dumps(result, indent=2, default=str) + "\n")
        if not args.no_record:
            JSON_OUT.parent.mkdir(parents=True, exist_ok=True)
            JSON_OUT.write_text(json.dumps(result, indent=2, default=str) + "\n")
            replace_section(RESULTS, SECTION, render(result))
            say(f"recorded in {RESULTS.relative_to(REPO)} (section {SECTION})")
        else:
            sys.stdout.write(render(result) + "\n")
    finally:
        say("stopping gunicorn and the worker")
        processes.stop()


if __name__ == "__main__":
    main()
