"""Demo data for ``make run``: service units in three time zones, customers, technicians, staff
logins and about a thousand cases with their full histories.

Cases are not inserted as rows: every step goes through the services at the moment it
happened (``clock.travel``) with side effects switched off, so the timelines, SLA clocks,
technician bookings and versions are exactly what real use would have left behind. All plans are
made first and then run in global time order, so technician capacity and merge targets are
checked against the state of the world at that moment, as they would be live.
"""

from __future__ import annotations

import random
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from complaints import clock, effects, sla
from complaints import demo_data as data
from complaints.demo_data import OfficeSpec, RegionSpec
from complaints.identifiers import normalize_phone
from complaints.models import (
    Case,
    CaseEvent,
    Category,
    Channel,
    ContactKind,
    Customer,
    CustomerContact,
    Language,
    Priority,
)
from complaints.satisfaction import record_answer
from complaints.services import (
    Reporter,
    case_add_customer_message,
    case_add_note,
    case_assign,
    case_change_priority,
    case_merge,
    case_open,
    case_transition,
)
from complaints.workflow import OPEN_STATES, CaseStatus
from staff.models import ServiceUnit, StaffMember, Technician, UnitKind
from staff.roles import Actor, Role

DEMO_PASSWORD = "aduan-demo"  # noqa: S105 - published in the README and the banner
DEFAULT_SEED = 1945
DEFAULT_CUSTOMERS = 300
DEFAULT_CASES = 1000
HISTORY_DAYS = 60
# Satisfaction survey answers (complaints.satisfaction): the share of closed cases answered,
# the scores' weights, and the seed of their own generator.
SURVEY_ANSWER_SHARE = 0.45
SURVEY_SCORES = {5: 38, 4: 30, 3: 14, 2: 9, 1: 9}
SURVEY_SEED = 5
# Serializes concurrent loaders (two `make run` at once): the second waits, then skips.
ADVISORY_LOCK_KEY = 0x41_44_55_44  # "ADUD"

S = CaseStatus
StrOrPromise = str | Promise

# (username, first name, last name, role, region code or None); only the first three and the
# technician and admin below are logins, the regional desk staff act in the histories.
DESK_STAFF = (
    ("agent", "Siti", "Rahmawati", Role.AGENT, "JKT"),
    ("supervisor", "Bambang", "Hermawan", Role.SUPERVISOR, "JKT"),
    ("manager", "Dewi", "Lestari", Role.MANAGER, None),
    ("agen.bali", "Ni Kadek Ayu", "Pratiwi", Role.AGENT, "BALI"),
    ("spv.bali", "I Gusti Ngurah", "Wirawan", Role.SUPERVISOR, "BALI"),
    ("agen.papua", "Agustina", "Rumbiak", Role.AGENT, "PAPUA"),
    ("spv.papua", "Marthen", "Kambu", Role.SUPERVISOR, "PAPUA"),
)
DEMO_TECHNICIAN_OFFICE = "ULP-CKN"
# (skills, capacity) of each office's crews; the first in Cikini is the demo login.
CREWS = (
    (("distribution", "meter"), 4),
    (("distribution",), 4),
    (("distribution",), 3),
    (("meter",), 4),
    (("distribution", "meter"), 5),
    (("distribution",), 4),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: StrOrPromise
    scope: StrOrPromise


DEMO_LOGINS = (
    DemoLogin("agent", _("Agen call center"), "UID Jakarta Raya"),
    DemoLogin("supervisor", _("Supervisor"), "UID Jakarta Raya"),
    DemoLogin("manager", _("Manajer"), _("semua unit")),
    DemoLogin("technician", _("Teknisi"), _("ULP Cikini, lewat API aplikasi teknisi")),
    DemoLogin("admin", _("Superuser"), _("semua unit")),
)
DEMO_USERNAMES = tuple(login.username for login in DEMO_LOGINS)


# Weights: how PLN's customers use the channels (WhatsApp and PLN Mobile carry most).
CHANNEL_WEIGHTS = {
    Channel.WHATSAPP: 30,
    Channel.MOBILE_APP: 25,
    Channel.CALL_CENTER: 20,
    Channel.SOCIAL: 8,
    Channel.EMAIL: 7,
    Channel.WEB: 8,
    Channel.OPEN311: 2,
}
CATEGORY_WEIGHTS = {
    "padam-rumah": 25,
    "padam-area": 8,
    "tegangan": 10,
    "bahaya": 4,
    "meter": 12,
    "token": 12,
    "tagihan": 12,
    "info-padam": 7,
    "layanan": 5,
    "lainnya": 5,
}
# Where cases stand when the demo starts: a third still open, in every state.
STATE_WEIGHTS = {
    S.RECEIVED: 6,
    S.VERIFIED: 5,
    S.WAITING_CUSTOMER: 4,
    S.ASSIGNED: 4,
    S.DISPATCHED: 3,
    S.ON_SITE: 3,
    S.RESOLVED: 6,
    S.REOPENED: 2,
    S.CLOSED: 52,
    S.REJECTED: 7,
    S.MERGED: 8,
}
# Where visitors report in English, on the channels they use for it.
ENGLISH_OFFICES = frozenset({"ULP-KTA", "ULP-SNR"})
ENGLISH_CHANNELS = frozenset({Channel.WHATSAPP, Channel.EMAIL, Channel.MOBILE_APP, Channel.WEB})
FIELD_ONLY_STATES = frozenset({S.ASSIGNED, S.DISPATCHED, S.ON_SITE})
# How long an open case has been sitting in its state (minutes), before SLA-breaching ones.
OPEN_AGE_MINUTES = {
    S.RECEIVED: (3, 240),
    S.VERIFIED: (10, 480),
    S.WAITING_CUSTOMER: (60, 2880),
    S.ASSIGNED: (5, 90),
    S.DISPATCHED: (10, 60),
    S.ON_SITE: (10, 90),
    S.RESOLVED: (60, 1200),
    S.REOPENED: (10, 600),
}
# People report at daytime and in the evening (local time): weight per hour 0-23.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 8, 7, 7, 7, 7, 8, 9, 10, 10, 9, 7, 4, 2)


# --- Plans -----------------------------------------------------------------------------------


@dataclass
class Step:
    kind: str
    gap: timedelta  # after the previous step of the same case
    after: str = ""  # status the case has after this step ("" when it does not change)
    params: dict = field(default_factory=dict)
    at: datetime | None = None


@dataclass
class Plan:
    index: int
    office: ServiceUnit
    region: str
    category: Category
    channel: str
    target: str
    customer: Customer | None
    reporter: Reporter
    description: str
    location_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    steps: list[Step] = field(default_factory=list)
    host: Plan | None = None  # for duplicates: the case it is merged into
    case_id: int | None = None
    ticket: str = ""
    technician: Technician | None = None
    stopped: bool = False

    @property
    def opened_at(self) -> datetime:
        assert self.steps[0].at is not None
        return self.steps[0].at

    def open_until(self, horizon: datetime) -> datetime:
        """When this case first leaves the open states (or ``horizon`` if it never does)."""
        for step in self.steps:
            if step.after and step.after not in OPEN_STATES:
                assert step.at is not None
                return step.at
        return horizon


@dataclass
class LoadResult:
    loaded: bool
    message: str
    counts: dict[str, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    unassigned: int = 0  # field cases left waiting because every technician was busy


def demo_present() -> str | None:
    """What shows the demo data is already there, or None."""
    codes = [region.code for region in data.REGIONS]
    units = ServiceUnit.objects.filter(code__in=codes).order_by("pk")
    unit = units.values_list("code", flat=True).first()
    if unit:
        return str(_("unit layanan %(code)s") % {"code": unit})
    users = User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    username = users.first()
    if username:
        return str(_("pengguna %(username)s") % {"username": username})
    return None


def load_demo(
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    cases: int = DEFAULT_CASES,
    now: datetime | None = None,
) -> LoadResult:
    """Load the demo data set once; a second call finds it and does nothing."""
    started = time.monotonic()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        marker = demo_present()
        if marker:
            return LoadResult(
                loaded=False,
                message=str(
                    _("Data demo sudah ada (%(marker)s); tidak ada yang dimuat.")
                    % {"marker": marker}
                ),
            )
        loader = _Loader(random.Random(seed), now or timezone.now())
        loader.load(customers=customers, cases=cases)
    result = LoadResult(
        loaded=True,
        message=str(_("Data demo dimuat.")),
        counts={
            "service_units": ServiceUnit.objects.count(),
            "customers": Customer.objects.count(),
            "contacts": CustomerContact.objects.count(),
            "technicians": Technician.objects.count(),
            "cases": Case.objects.count(),
            "events": CaseEvent.objects.count(),
        },
        states=dict(loader.final_states),
        unassigned=loader.unassigned,
    )
    result.seconds = time.monotonic() - started
    return result


class _Loader:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        # Every step lies at least a minute before the loader started.
        self.now = now - timedelta(minutes=1)
        self.start = self.now - timedelta(days=HISTORY_DAYS)
        self.offices: list[tuple[ServiceUnit, OfficeSpec, RegionSpec]] = []
        self.regions: dict[str, ServiceUnit] = {}
        self.desk: dict[tuple[str, Role], User] = {}
        self.technicians: dict[int, list[Technician]] = {}  # office id → crew
        self.load_of: dict[int, int] = {}  # technician id → open jobs, mirrors the database
        self.customers_by_office: dict[int, list[Customer]] = {}
        self.contacts: dict[int, dict[str, str]] = {}  # customer id → kind → value
        self.spec_of: dict[int, OfficeSpec] = {}
        self.categories: dict[str, Category] = {}
        self.category_weights: dict[str, int] = {}
        self.actors: dict[int, Actor] = {}
        self.used_values: set[tuple[str, str]] = set()
        self.final_states: Counter[str] = Counter()
        self.unassigned = 0

    # -- entry point --

    def load(self, *, customers: int, cases: int) -> None:
        self.categories = {c.code: c for c in Category.objects.filter(active=True)}
        # Categories added after this was written still get some cases.
        self.category_weights = {c: CATEGORY_WEIGHTS.get(c, 3) for c in self.categories}
        self._units()
        self._users_and_technicians()
        self._customers(customers)
        plans = self._plans(cases)
        with effects.suppressed():
            self._run(plans)
            self._surveys(plans)
        # The history's breaches happened before today: the first beat must not mail them.
        sla.sla_settle_history()
        self.final_states.update(
            Case.objects.filter(pk__in=[p.case_id for p in plans if p.case_id]).values_list(
                "status", flat=True
            )
        )

    # -- units, staff, technicians --

    def _units(self) -> None:
        for region_spec in data.REGIONS:
            region = ServiceUnit.objects.create(
                code=region_spec.code,
                name=region_spec.name,
                kind=UnitKind.REGION,
                timezone=region_spec.timezone,
                latitude=region_spec.lat,
                longitude=region_spec.lon,
            )
            self.regions[region_spec.code] = region
            for area_spec in region_spec.areas:
                area = ServiceUnit.objects.create(
                    code=area_spec.code,
                    name=area_spec.name,
                    kind=UnitKind.AREA,
                    parent=region,
                    timezone=region_spec.timezone,
                    latitude=area_spec.offices[0].lat,
                    longitude=area_spec.offices[0].lon,
                )
                siblings = []
                for spec in area_spec.offices:
                    office = ServiceUnit.objects.create(
                        code=spec.code,
                        name=spec.name,
                        kind=UnitKind.OFFICE,
                        parent=area,
                        timezone=region_spec.timezone,
                        latitude=spec.lat,
                        longitude=spec.lon,
                    )
                    self.offices.append((office, spec, region_spec))
                    self.spec_of[office.pk] = spec
                    siblings.append(office)
                # Dispatch may borrow a technician from a sibling office of the same UP3.
                for office in siblings:
                    office.neighbours.add(*[o for o in siblings if o.pk != office.pk])

    def _users_and_technicians(self) -> None:
        groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
        # One hash for every demo login: hashing is deliberately slow and they share a password.
        password = make_password(DEMO_PASSWORD)
        for username, first, last, role, region_code in DESK_STAFF:
            user = User.objects.create(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@aduan.example",
                is_staff=True,
                password=password if username in DEMO_USERNAMES else make_password(None),
            )
            user.groups.add(groups[role.value])
            member = StaffMember.objects.create(user=user)
            if region_code:
                member.service_units.add(self.regions[region_code])
                self.desk[(region_code, role)] = user
        User.objects.create(
            username="admin",
            first_name="Admin",
            last_name="Aduan",
            email="admin@aduan.example",
            is_staff=True,
            is_superuser=True,
            password=password,
        )

        people = []
        for office, spec, region_spec in self.offices:
            crew = CREWS if region_spec.code == "JKT" else CREWS[:5]
            for n, (skills, capacity) in enumerate(crew, start=1):
                demo = spec.code == DEMO_TECHNICIAN_OFFICE and n == 1
                if demo:
                    first, last = "Agus", "Setiawan"
                else:
                    first, last = self._person_name(region_spec.names)
                username = "technician" if demo else f"tek.{spec.short.lower()}.{n}"
                people.append((office, skills, capacity, username, first, last))
        users = User.objects.bulk_create(
            [
                User(
                    username=username,
                    first_name=first[:150],
                    last_name=last[:150],
                    password=password if username == "technician" else make_password(None),
                )
                for _office, _skills, _capacity, username, first, last in people
            ]
        )
        User.groups.through.objects.bulk_create(
            [
                User.groups.through(user_id=user.pk, group_id=groups[Role.TECHNICIAN.value].pk)
                for user in users
            ]
        )
        rows = []
        for user, (office, skills, capacity, _u, _f, _l) in zip(users, people, strict=True):
            # About one in four is off shift now (PLN crews work three shifts).
            on_shift = user.username == "technician" or self.rng.random() < 0.75
            lat, lon = self._near(office.latitude, office.longitude, 0.01)
            rows.append(
                Technician(
                    user=user,
                    service_unit=office,
                    phone=self._mobile(),
                    skills=list(skills),
                    capacity=capacity,
                    on_shift=on_shift,
                    latitude=lat if on_shift else None,
                    longitude=lon if on_shift else None,
                    position_at=self.now - timedelta(minutes=self.rng.randint(1, 30))
                    if on_shift
                    else None,
                )
            )
        for technician in Technician.objects.bulk_create(rows):
            self.technicians.setdefault(technician.service_unit_id, []).append(technician)
            self.load_of[technician.pk] = 0

    # -- customers --

    def _customers(self, total: int) -> None:
        weights = [spec.weight for _o, spec, _r in self.offices]
        existing_ids = set(Customer.objects.values_list("id_pelanggan", flat=True))
        existing_meters = set(
            Customer.objects.exclude(meter_number=None).values_list("meter_number", flat=True)
        )
        self.used_values = set(CustomerContact.objects.values_list("kind", "value"))
        rows: list[tuple[Customer, list[tuple[str, str]]]] = []
        for _n in range(total):
            office, spec, region_spec = self.rng.choices(self.offices, weights)[0]
            business = self.rng.random() < 0.08
            if business:
                name = self.rng.choice(data.BUSINESSES[region_spec.names])
                first, last = name, ""
            else:
                first, last = self._person_name(region_spec.names)
                name = f"{first} {last}".strip()
            id_pelanggan = self._unique_digits(spec.id_prefix, 12, existing_ids)
            meter = (
                None
                if self.rng.random() < 0.05
                else self._unique_digits(
                    self.rng.choice(("14", "32", "45", "56")), 11, existing_meters
                )
            )
            lat, lon = self._near(spec.lat, spec.lon, 0.012)
            feeder = self.rng.randint(1, 4)
            customer = Customer(
                id_pelanggan=id_pelanggan,
                meter_number=meter,
                name=name[:120],
                address=self._address(spec),
                service_unit=office,
                area_code=f"{spec.short}-P{feeder:02d}-G{self.rng.randint(1, 60):03d}",
                latitude=round(lat, 6),
                longitude=round(lon, 6),
            )
            rows.append((customer, self._contact_values(first, last, region_spec, business)))
        created = Customer.objects.bulk_create([customer for customer, _c in rows])
        contacts = []
        for customer, values in zip(created, (v for _c, v in rows), strict=True):
            self.customers_by_office.setdefault(customer.service_unit_id, []).append(customer)
            self.contacts[customer.pk] = dict(values)
            contacts += [CustomerContact(customer=customer, kind=k, value=v) for k, v in values]
        CustomerContact.objects.bulk_create(contacts)
        # They were customers long before they complained (auto_now_add stamped today).
        for customer in created:
            customer.created_at = self.start - timedelta(days=self.rng.randint(30, 3650))
        Customer.objects.bulk_update(created, ["created_at"], batch_size=500)

    def _contact_values(
        self, first: str, last: str, region: RegionSpec, business: bool
    ) -> list[tuple[str, str]]:
        values: list[tuple[str, str]] = []
        if business and self.rng.random() < 0.5:
            self._add_unique(values, ContactKind.PHONE, self._landline(region.landline))
        mobile = self._mobile()
        if self.rng.random() < 0.92:
            self._add_unique(values, ContactKind.PHONE, mobile)
        if self.rng.random() < 0.65:
            # Mostly the same number on WhatsApp; sometimes a second phone.
            whatsapp = mobile if self.rng.random() < 0.85 else self._mobile()
            self._add_unique(values, ContactKind.WHATSAPP, whatsapp)
        if self.rng.random() < 0.45:
            self._add_unique(values, ContactKind.EMAIL, self._email(first, last))
        if self.rng.random() < 0.3:
            self._add_unique(values, ContactKind.APP, f"plnm-{self.rng.getrandbits(40):010x}")
        if self.rng.random() < 0.12:
            kind = self.rng.choice((ContactKind.INSTAGRAM, ContactKind.FACEBOOK, ContactKind.X))
            self._add_unique(values, kind, self._handle(first, last))
        return values

    def _add_unique(self, values: list[tuple[str, str]], kind: str, value: str) -> None:
        if (kind, value) not in self.used_values:
            self.used_values.add((kind, value))
            values.append((kind, value))

    # -- plans --

    def _plans(self, count: int) -> list[Plan]:
        specs = self._case_specs(count)
        plans: list[Plan] = []
        duplicates: list[Plan] = []
        for index, (target, channel, code) in enumerate(specs):
            plan = self._new_plan(index, target, channel, self.categories[code])
            if target == S.MERGED:
                duplicates.append(plan)
            else:
                plan.steps = self._lifecycle(plan)
                self._place(plan)
                plans.append(plan)
        for plan in duplicates:
            plans.append(self._duplicate(plan, plans))
        return plans

    def _case_specs(self, count: int) -> list[tuple[str, str, str]]:
        """(final state, channel, category) per case; every value of each appears at least
        once, the rest follow the weights."""
        states, channels = list(STATE_WEIGHTS), list(CHANNEL_WEIGHTS)
        weights = self.category_weights
        field_weights = {c: w for c, w in weights.items() if self.categories[c].is_field_work}
        specs = []
        for i in range(count):
            state = states[i] if i < len(states) else self._weighted(STATE_WEIGHTS)
            channel = channels[i] if i < len(channels) else self._weighted(CHANNEL_WEIGHTS)
            code = self._weighted(weights)
            if state in FIELD_ONLY_STATES and code not in field_weights:
                code = self._weighted(field_weights)
            specs.append([state, channel, code])
        # Give each missing category to a case whose state any category can reach.
        for code in weights:
            if any(spec[2] == code for spec in specs):
                continue
            counts = Counter(spec[2] for spec in specs)
            for spec in specs:
                if spec[0] not in FIELD_ONLY_STATES and counts[spec[2]] > 1:
                    spec[2] = code
                    break
        return [(state, channel, code) for state, channel, code in specs]

    def _new_plan(self, index: int, target: str, channel: str, category: Category) -> Plan:
        office, _spec, region = self.rng.choices(
            self.offices, [s.weight for _o, s, _r in self.offices]
        )[0]
        # Public reports (a fallen pole, a social media comment) often come from a passer-by.
        anonymous = channel in (Channel.OPEN311, Channel.SOCIAL) and self.rng.random() < 0.5
        anonymous = anonymous or (category.is_hazard and self.rng.random() < 0.4)
        pool = self.customers_by_office.get(office.pk) or []
        customer = None if anonymous or not pool else self.rng.choice(pool)
        return self._plan_for(index, target, channel, category, office, region, customer)

    def _plan_for(
        self,
        index: int,
        target: str,
        channel: str,
        category: Category,
        office: ServiceUnit,
        region: RegionSpec,
        customer: Customer | None,
    ) -> Plan:
        spec = self.spec_of[office.pk]
        english = (
            spec.code in ENGLISH_OFFICES
            and channel in ENGLISH_CHANNELS
            and category.code in data.DESCRIPTIONS_EN
            and self.rng.random() < 0.3
        )
        reporter = self._reporter(channel, customer, region)
        if english:
            reporter = replace(reporter, language=Language.ENGLISH)
        plan = Plan(
            index=index,
            office=office,
            region=region.code,
            category=category,
            channel=channel,
            target=target,
            customer=customer,
            reporter=reporter,
            description=self._description(category.code, spec, english=english),
        )
        if customer is None:
            plan.location_text = self._address(spec)
            lat, lon = self._near(spec.lat, spec.lon, 0.012)
            plan.latitude, plan.longitude = round(lat, 6), round(lon, 6)
        elif self.rng.random() < 0.3 and channel in (Channel.WHATSAPP, Channel.MOBILE_APP):
            # The app and WhatsApp share the phone's location.
            plan.latitude = round(customer.latitude + self.rng.gauss(0, 0.0003), 6)
            plan.longitude = round(customer.longitude + self.rng.gauss(0, 0.0003), 6)
        return plan

    def _lifecycle(self, plan: Plan) -> list[Step]:
        """The case's whole life up to its final state, with gaps between steps."""
        field_work = plan.category.is_field_work
        target = plan.target
        steps = [Step("open", timedelta(0), S.RECEIVED)]
        if target == S.RECEIVED:
            return steps + self._maybe(0.2, lambda: Step("note", self._minutes(2, 30)))
        if target == S.REJECTED and self.rng.random() < 0.6:
            return [*steps, Step("reject", self._verify_gap(plan), S.REJECTED)]
        # Reports without a known customer usually need more data before anyone can act.
        waits = (
            target in (S.WAITING_CUSTOMER, S.REJECTED)
            or (plan.customer is None and self.rng.random() < 0.5)
            or self.rng.random() < 0.08
        )
        if waits:
            steps.append(Step("wait", self._verify_gap(plan), S.WAITING_CUSTOMER))
            if target == S.WAITING_CUSTOMER:
                return steps
            if target == S.REJECTED:
                return [*steps, Step("reject", self._minutes(60 * 24, 60 * 72), S.REJECTED)]
            steps.append(Step("customer_message", self._minutes(5, 60 * 20), params={"reply": 1}))
            steps.append(Step("reply", self._minutes(1, 20), S.VERIFIED))
        else:
            steps.append(Step("verify", self._verify_gap(plan), S.VERIFIED))
        steps += self._maybe(0.15, lambda: Step("note", self._minutes(1, 30)))
        if plan.category.default_priority > Priority.HIGH and self.rng.random() < 0.06:
            steps.append(Step("priority", self._minutes(5, 120)))
        if target == S.VERIFIED:
            return steps
        if field_work:
            steps += self._field_work(plan, target)
        else:
            steps += self._desk_work()
        if target == S.RESOLVED or self._reached(steps, target):
            return self._cut(steps, target)
        reopen = target == S.REOPENED or self.rng.random() < 0.08
        if reopen:
            kind = "field" if field_work else "back_office"
            steps.append(
                Step(
                    "reopen",
                    self._minutes(60, 60 * 36),
                    S.REOPENED,
                    {"reason": self.rng.choice(data.REOPEN_REASONS[kind])},
                )
            )
            if target == S.REOPENED:
                return steps
            if field_work:
                steps += self._field_work(plan, S.CLOSED)
            else:
                steps.append(Step("reverify", self._minutes(10, 240), S.VERIFIED))
                steps += self._desk_work()
        # Customers confirm on their channel; silence closes the case after 3x24 hours.
        if self.rng.random() < 0.7:
            steps.append(Step("close", self._minutes(15, 60 * 20), S.CLOSED, {"by": "customer"}))
        else:
            steps.append(Step("close", timedelta(hours=72), S.CLOSED, {"by": "system"}))
        return steps

    def _field_work(self, plan: Plan, target: str) -> list[Step]:
        steps = [Step("assign", self._minutes(3, 45), S.ASSIGNED)]
        if target == S.ASSIGNED:
            return steps
        if self.rng.random() < 0.04:
            steps.append(Step("handover", self._minutes(5, 30)))
        steps.append(Step("dispatch", self._minutes(3, 30), S.DISPATCHED))
        steps += self._maybe(0.15, lambda: Step("customer_message", self._minutes(10, 60)))
        if target == S.DISPATCHED:
            return steps
        steps.append(Step("arrive", self._minutes(10, 75), S.ON_SITE))
        steps += self._maybe(0.2, lambda: Step("tech_note", self._minutes(5, 30)))
        if target == S.ON_SITE:
            return steps
        steps.append(Step("fix", self._minutes(15, 150), S.RESOLVED))
        return steps

    def _desk_work(self) -> list[Step]:
        steps = self._maybe(0.3, lambda: Step("message", self._minutes(10, 300)))
        steps.append(Step("desk_resolve", self._minutes(30, 60 * 40), S.RESOLVED))
        return steps

    @staticmethod
    def _reached(steps: list[Step], target: str) -> bool:
        return any(step.after == target for step in steps)

    @staticmethod
    def _cut(steps: list[Step], target: str) -> list[Step]:
        """The steps up to reaching ``target``, with the notes that follow it."""
        for n, step in enumerate(steps):
            if step.after == target:
                end = n + 1
                while end < len(steps) and not steps[end].after:
                    end += 1
                return steps[:end]
        return steps

    def _place(self, plan: Plan) -> None:
        """Give each step its moment: open cases end a little before now, finished ones
        anywhere in the history window."""
        duration = sum((step.gap for step in plan.steps), timedelta())
        if plan.target in OPEN_AGE_MINUTES:
            low, high = OPEN_AGE_MINUTES[plan.target]
            age = self._minutes(low, high)
            if self.rng.random() < 0.1:
                age *= 4  # some are overdue: the SLA pages need something to show
            begin = self.now - age - duration
        else:
            latest = self.now - duration - timedelta(minutes=30)
            begin = self._local_moment(plan.office.tz, latest)
        at = begin
        for step in plan.steps:
            at += step.gap
            step.at = at

    def _duplicate(self, plan: Plan, plans: list[Plan]) -> Plan:
        """A second report of something already open, merged into that case; or, when its
        office has nothing open long enough, a plain new report."""
        gap_open, gap_merge = self._minutes(2, 90), self._minutes(5, 120)
        need = gap_open + gap_merge + timedelta(minutes=1)
        hosts = [
            host
            for host in plans
            if host.host is None and host.open_until(self.now) - host.opened_at > need
        ]
        if not hosts:
            plan.target = S.RECEIVED
            plan.steps = [Step("open", timedelta(0), S.RECEIVED)]
            self._place(plan)
            return plan
        # Preferably the same kind of problem in the same office.
        local = [host for host in hosts if host.office.pk == plan.office.pk]
        same = [host for host in local if host.category.pk == plan.category.pk]
        host = self.rng.choice(same or local or hosts)
        region = next(r for r in data.REGIONS if r.code == host.region)
        customer = host.customer
        if host.category.is_outage or customer is None:
            # Neighbours on the same feeder report the same outage.
            feeder = customer.area_code[:7] if customer else ""
            pool = self.customers_by_office.get(host.office.pk, [])
            nearby = [c for c in pool if feeder and c.area_code.startswith(feeder)] or pool
            customer = self.rng.choice(nearby) if nearby else None
        channel = self.rng.choice([c for c in CHANNEL_WEIGHTS if c != host.channel])
        duplicate = self._plan_for(
            plan.index, S.MERGED, channel, host.category, host.office, region, customer
        )
        duplicate.host = host
        # Opened after the host, merged while the host is still open.
        latest_merge = host.open_until(self.now) - timedelta(minutes=1)
        earliest_open = host.opened_at + gap_open
        opened = earliest_open + ((latest_merge - gap_merge) - earliest_open) * self.rng.random()
        duplicate.steps = [Step("open", timedelta(0), S.RECEIVED, at=opened)]
        if duplicate.channel in (Channel.WHATSAPP, Channel.MOBILE_APP) and customer:
            duplicate.steps.append(
                Step("verify", gap_merge / 2, S.VERIFIED, at=opened + gap_merge / 2)
            )
        duplicate.steps.append(Step("merge", gap_merge, S.MERGED, at=opened + gap_merge))
        return duplicate

    # -- running the plans --

    def _run(self, plans: list[Plan]) -> None:
        timeline = sorted(
            (
                (step.at, plan.index, n, plan, step)
                for plan in plans
                for n, step in enumerate(plan.steps)
            ),
            key=lambda item: item[:3],
        )
        for at, _index, _n, plan, step in timeline:
            if plan.stopped:
                continue
            if at is None or at > self.now:
                raise ValueError(f"demo step {step.kind} of case {plan.index} is not in the past")
            with clock.travel(at):
                self._do(plan, step)

    def _do(self, plan: Plan, step: Step) -> None:
        kind = step.kind
        desk = self._desk_actor(plan, Role.AGENT)
        if kind == "open":
            case = case_open(
                actor=self._opener(plan),
                channel=plan.channel,
                category=plan.category,
                description=plan.description,
                customer=plan.customer,
                service_unit=None if plan.customer else plan.office,
                reporter=plan.reporter,
                location_text=plan.location_text,
                latitude=plan.latitude,
                longitude=plan.longitude,
            )
            plan.case_id, plan.ticket = case.pk, case.ticket
        elif kind == "verify":
            # Bots verify what they can match to a customer; people verify the rest.
            bot = plan.customer is not None and plan.channel in (
                Channel.WHATSAPP,
                Channel.MOBILE_APP,
            )
            actor = Actor.system("intake") if bot else desk
            self._move(plan, actor, S.VERIFIED)
        elif kind == "wait":
            self._move(plan, desk, S.WAITING_CUSTOMER, reason=self.rng.choice(data.WAIT_REASONS))
        elif kind == "reply":
            self._move(plan, self._customer_side(plan), S.VERIFIED)
        elif kind == "reject":
            self._move(plan, desk, S.REJECTED, reason=self.rng.choice(data.REJECT_REASONS))
        elif kind == "customer_message":
            english = plan.reporter.language == Language.ENGLISH
            if step.params.get("reply"):
                texts = data.CUSTOMER_REPLIES_EN if english else data.CUSTOMER_REPLIES
            else:
                texts = data.FOLLOW_UPS_EN if english else data.FOLLOW_UPS
            case_add_customer_message(
                actor=self._customer_side(plan),
                case_id=plan.case_id,
                text=self.rng.choice(texts),
                data={"channel": plan.channel},
            )
        elif kind == "note":
            self._note(plan, desk, self.rng.choice(data.DESK_NOTES))
        elif kind == "message":
            self._note(plan, desk, self.rng.choice(data.CUSTOMER_MESSAGES), to_customer=True)
        elif kind == "priority":
            case_change_priority(
                actor=self._desk_actor(plan, Role.SUPERVISOR),
                case_id=plan.case_id,
                priority=Priority.HIGH,
                note=self.rng.choice(data.PRIORITY_NOTES),
            )
        elif kind in ("assign", "handover"):
            self._assign(plan, handover=kind == "handover")
        elif kind == "dispatch":
            eta = clock.now() + self._minutes(20, 90)
            self._move(plan, self._technician_actor(plan), S.DISPATCHED, eta=eta)
        elif kind == "arrive":
            self._move(plan, self._technician_actor(plan), S.ON_SITE)
        elif kind == "tech_note":
            self._note(plan, self._technician_actor(plan), self.rng.choice(data.TECHNICIAN_NOTES))
        elif kind == "fix":
            resolution = self._text(data.RESOLUTIONS, plan.category.code)
            self._move(plan, self._technician_actor(plan), S.RESOLVED, resolution=resolution)
            self._release(plan.technician)
        elif kind == "desk_resolve":
            resolution = self._text(data.RESOLUTIONS, plan.category.code)
            self._move(plan, desk, S.RESOLVED, resolution=resolution)
        elif kind == "close":
            by_customer = step.params.get("by") == "customer"
            actor = self._customer_side(plan) if by_customer else Actor.system("auto-close")
            self._move(plan, actor, S.CLOSED)
        elif kind == "reopen":
            self._move(plan, self._customer_side(plan), S.REOPENED, reason=step.params["reason"])
        elif kind == "reverify":
            self._move(plan, desk, S.VERIFIED)
        elif kind == "merge":
            assert plan.host is not None
            case_merge(actor=desk, case_id=plan.case_id, into_case_id=plan.host.case_id)
        else:  # pragma: no cover - a typo in a plan
            raise ValueError(kind)

    def _surveys(self, plans: list[Plan]) -> None:
        """Some reporters answer the survey of the "closed" notice, after the timeline has
        run (closing is each case's last step) and from a random generator of its own, so the
        cases themselves stay what the seed makes them. A "not fixed" answer comes after the
        reopen window: recorded, and the case stays closed."""
        rng = random.Random(SURVEY_SEED)
        late = timedelta(days=settings.SURVEY_REOPEN_DAYS + 1)
        closed = Case.objects.filter(
            pk__in=[p.case_id for p in plans if p.case_id], status=S.CLOSED
        ).values_list("pk", "closed_at", "channel", "reporter_language")
        for case_id, closed_at, channel, language in closed.order_by("closed_at", "pk"):
            if rng.random() >= SURVEY_ANSWER_SHARE:
                continue
            score = rng.choices(list(SURVEY_SCORES), list(SURVEY_SCORES.values()))[0]
            fixed = score >= 3 or rng.random() < 0.5
            gap = timedelta(minutes=rng.randint(5, 60 * 30))
            if not fixed:
                gap += late
            if closed_at + gap > self.now:
                continue
            english = language == Language.ENGLISH
            comments = data.SURVEY_COMMENTS_EN if english else data.SURVEY_COMMENTS
            comment = rng.choice(comments[score]) if rng.random() < 0.4 else ""
            with clock.travel(closed_at + gap):
                record_answer(
                    case_id=case_id,
                    score=score,
                    fixed=fixed,
                    comment=comment,
                    channel=Channel.WHATSAPP if channel == Channel.WHATSAPP else Channel.WEB,
                )

    def _move(self, plan: Plan, actor: Actor, target: str, **fields) -> None:
        case_transition(actor=actor, case_id=plan.case_id, target=target, **fields)

    def _note(self, plan: Plan, actor: Actor, text: str, *, to_customer: bool = False) -> None:
        case_add_note(actor=actor, case_id=plan.case_id, note=text, to_customer=to_customer)

    def _assign(self, plan: Plan, *, handover: bool) -> None:
        technician = self._free_technician(plan, exclude=plan.technician if handover else None)
        if technician is None:
            if not handover:
                # Every suitable crew is busy: the case waits for dispatch, as it would live.
                plan.stopped = True
                self.unassigned += 1
            return
        if handover:
            actor = self._desk_actor(plan, Role.SUPERVISOR)
            note = "Dialihkan: teknisi sebelumnya menangani gangguan lain."
            self._release(plan.technician)
        else:
            # The dispatcher assigns most jobs; supervisors pick the crew for the rest.
            system = self.rng.random() < 0.6
            actor = Actor.system("dispatch") if system else self._desk_actor(plan, Role.SUPERVISOR)
            note = ""
        case_assign(actor=actor, case_id=plan.case_id, technician=technician, note=note)
        plan.technician = technician
        self.load_of[technician.pk] += 1

    def _free_technician(self, plan: Plan, exclude: Technician | None) -> Technician | None:
        skill = plan.category.skill
        offices = [plan.office.pk, *self._neighbour_ids(plan.office)]
        for office_id in offices:
            crew = [
                t
                for t in self.technicians.get(office_id, [])
                if (not skill or skill in t.skills)
                and self.load_of[t.pk] < t.capacity
                and t != exclude
            ]
            if crew:
                lowest = min(self.load_of[t.pk] for t in crew)
                return self.rng.choice([t for t in crew if self.load_of[t.pk] == lowest])
        return None

    def _neighbour_ids(self, office: ServiceUnit) -> list[int]:
        area = office.path.rsplit("/", 1)[0]
        return [o.pk for o, _s, _r in self.offices if o.path.startswith(area + "/") and o != office]

    def _release(self, technician: Technician | None) -> None:
        if technician is not None and self.load_of[technician.pk] > 0:
            self.load_of[technician.pk] -= 1

    # -- actors --

    def _actor(self, user: User) -> Actor:
        if user.pk not in self.actors:
            self.actors[user.pk] = Actor.staff(user)
        return self.actors[user.pk]

    def _desk_actor(self, plan: Plan, role: Role) -> Actor:
        return self._actor(self.desk[(plan.region, role)])

    def _technician_actor(self, plan: Plan) -> Actor:
        assert plan.technician is not None
        return self._actor(plan.technician.user)

    def _opener(self, plan: Plan) -> Actor:
        # Phone calls and social DMs are typed in by an agent; the other channels are
        # self-service and open the case on the customer's behalf.
        if plan.channel in (Channel.CALL_CENTER, Channel.SOCIAL):
            return self._desk_actor(plan, Role.AGENT)
        return Actor.customer(plan.channel)

    def _customer_side(self, plan: Plan) -> Actor:
        """Who records what the customer says: a caller speaks to an agent, the other channels
        take the customer's answer directly."""
        if plan.channel == Channel.CALL_CENTER:
            return self._desk_actor(plan, Role.AGENT)
        return Actor.customer(plan.channel)

    # -- small generators --

    def _text(self, texts: dict[str, tuple[str, ...]], code: str) -> str:
        return self.rng.choice(texts.get(code) or texts["lainnya"])

    def _weighted(self, weights: dict) -> str:
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def _minutes(self, low: int, high: int) -> timedelta:
        return timedelta(minutes=self.rng.randint(low, high), seconds=self.rng.randint(0, 59))

    def _maybe(self, chance: float, make: Callable[[], Step]) -> list[Step]:
        return [make()] if self.rng.random() < chance else []

    def _verify_gap(self, plan: Plan) -> timedelta:
        if plan.channel == Channel.CALL_CENTER:
            return self._minutes(1, 5)  # verified while the caller is on the line
        if plan.customer is not None and plan.channel in (Channel.WHATSAPP, Channel.MOBILE_APP):
            return self._minutes(1, 3)
        return self._minutes(10, 240)

    def _local_moment(self, tz: ZoneInfo, latest: datetime) -> datetime:
        """A moment in the history window at a plausible local hour, not after ``latest``."""
        days = max(0, (latest - self.start).days)
        for _attempt in range(20):
            day = (self.start + timedelta(days=self.rng.randint(0, days))).astimezone(tz)
            hour = self.rng.choices(range(24), HOUR_WEIGHTS)[0]
            moment = day.replace(hour=hour, minute=self.rng.randint(0, 59), second=0)
            if self.start <= moment <= latest:
                return moment
        return latest - self._minutes(0, 600)

    def _near(self, lat: float, lon: float, spread: float) -> tuple[float, float]:
        return lat + self.rng.gauss(0, spread), lon + self.rng.gauss(0, spread)

    def _unique_digits(self, prefix: str, length: int, used: set[str]) -> str:
        while True:
            value = prefix + "".join(
                str(self.rng.randint(0, 9)) for _ in range(length - len(prefix))
            )
            if value not in used:
                used.add(value)
                return value

    def _mobile(self) -> str:
        while True:
            local = self.rng.choice(data.MOBILE_PREFIXES) + "".join(
                str(self.rng.randint(0, 9)) for _ in range(self.rng.choice((7, 8)))
            )
            try:
                return normalize_phone(f"{local[:4]}-{local[4:8]}-{local[8:]}")
            except ValidationError:
                continue

    def _landline(self, area_code: str) -> str:
        digits = 8 if area_code == "021" else 6
        while True:
            number = area_code + "".join(str(self.rng.randint(0, 9)) for _ in range(digits))
            try:
                return normalize_phone(number)
            except ValidationError:
                continue

    def _email(self, first: str, last: str) -> str:
        base = ".".join(_ascii_words(f"{first} {last}")[-2:]) or "pelanggan"
        while True:
            value = f"{base}{self.rng.randint(1, 99)}@{self.rng.choice(data.EMAIL_DOMAINS)}"
            if (ContactKind.EMAIL, value) not in self.used_values:
                return value

    def _handle(self, first: str, last: str) -> str:
        return "_".join(_ascii_words(f"{first} {last}")[-2:]) + str(self.rng.randint(1, 999))

    def _person_name(self, pool: str) -> tuple[str, str]:
        rng = self.rng
        female = rng.random() < 0.5
        if pool == "bali" and rng.random() < 0.8:
            prefix = rng.choice(data.BALI_FEMALE_PREFIX if female else data.BALI_MALE_PREFIX)
            return prefix, rng.choice(data.BALI_FEMALE if female else data.BALI_MALE)
        if pool == "papua" and rng.random() < 0.65:
            first = rng.choice(data.PAPUA_FEMALE if female else data.PAPUA_MALE)
            return first, rng.choice(data.PAPUA_FAMILY)
        if pool == "papua" and rng.random() < 0.5:
            first, last = rng.choice(data.PAPUA_SETTLERS).split(" ", 1)
            return first, last
        if rng.random() < 0.1:
            return rng.choice(data.SINGLE_NAMES), ""
        first = rng.choice(data.JAKARTA_FEMALE if female else data.JAKARTA_MALE)
        return first, rng.choice(data.JAKARTA_FAMILY)

    def _address(self, spec: OfficeSpec) -> str:
        rng = self.rng
        return (
            f"{rng.choice(spec.streets)} No. {rng.randint(1, 180)}, "
            f"RT {rng.randint(1, 15):03d}/RW {rng.randint(1, 12):03d}, "
            f"Kel. {rng.choice(spec.kelurahan)}, Kec. {rng.choice(spec.kecamatan)}, {spec.city}"
        )

    def _description(self, code: str, spec: OfficeSpec, *, english: bool = False) -> str:
        rng = self.rng
        texts = data.DESCRIPTIONS_EN if english else data.DESCRIPTIONS
        return self._text(texts, code).format(
            hour=rng.randint(5, 23),
            minute=rng.choice((0, 10, 15, 20, 30, 40, 45)),
            kwh=rng.randint(3, 80),
            number=rng.randint(1, 120),
            amount=rng.choice(("20.000", "50.000", "100.000", "200.000")),
            street=rng.choice(spec.streets),
            kelurahan=rng.choice(spec.kelurahan),
        )

    def _reporter(self, channel: str, customer: Customer | None, region: RegionSpec) -> Reporter:
        known = self.contacts.get(customer.pk, {}) if customer else {}
        if customer is not None and self.rng.random() < 0.85:
            name = customer.name
        else:
            first, last = self._person_name(region.names)
            name = f"{first} {last}".strip()
        phone = known.get(ContactKind.WHATSAPP) or known.get(ContactKind.PHONE) or self._mobile()
        if channel == Channel.WHATSAPP:
            return Reporter(
                name=name,
                contact_kind=ContactKind.WHATSAPP,
                contact=known.get(ContactKind.WHATSAPP) or phone,
            )
        if channel == Channel.MOBILE_APP:
            account = known.get(ContactKind.APP) or f"plnm-{self.rng.getrandbits(40):010x}"
            return Reporter(name=name, contact_kind=ContactKind.APP, contact=account)
        if channel == Channel.CALL_CENTER:
            return Reporter(
                name=name,
                contact_kind=ContactKind.PHONE,
                contact=known.get(ContactKind.PHONE) or phone,
            )
        if channel == Channel.SOCIAL:
            for kind in (ContactKind.INSTAGRAM, ContactKind.FACEBOOK, ContactKind.X):
                if kind in known:
                    return Reporter(name=name, contact_kind=kind, contact=known[kind])
            kind = self.rng.choice((ContactKind.INSTAGRAM, ContactKind.FACEBOOK, ContactKind.X))
            first, _space, last = name.partition(" ")
            return Reporter(name=name, contact_kind=kind, contact=self._handle(first, last))
        email = known.get(ContactKind.EMAIL)
        if channel == Channel.WEB and not email:
            return Reporter(name=name, contact_kind=ContactKind.PHONE, contact=phone)
        first, _space, last = name.partition(" ")
        return Reporter(
            name=name, contact_kind=ContactKind.EMAIL, contact=email or self._email(first, last)
        )


def _ascii_words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = ("".join(ch for ch in word if ch.isalnum()) for word in plain.split())
    return [word for word in words if word]


def iter_logins() -> Iterator[DemoLogin]:
    """The demo logins that exist in this database (the banner lists only those)."""
    existing = set(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    )
    return (login for login in DEMO_LOGINS if login.username in existing)
