"""Random sequences of service calls on a few cases, with the domain's invariants checked after
every step.

The machine keeps its own small model of each case (status, version, technician, priority) and
predicts, from the workflow table and that model, whether each call succeeds or which domain
error it raises. After every step the database must agree with the model, and the timelines
must replay to the current state.

Each example runs inside its own savepoint, rolled back at teardown, so the examples do not see
each other and the test database stays clean.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.db.models import Count, Q
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from complaints import clock
from complaints.errors import (
    IllegalTransition,
    InvalidInput,
    MissingField,
    NotAllowed,
    StaleCase,
)
from complaints.models import Case, CaseEvent, EventKind, Priority
from complaints.services import (
    Reporter,
    case_add_note,
    case_assign,
    case_change_priority,
    case_merge,
    case_transition,
)
from complaints.workflow import (
    OPEN_STATES,
    TECHNICIAN_STATES,
    CaseStatus,
    find_transition,
    transitions_from,
)
from staff.models import ServiceUnit, Technician
from staff.roles import Actor, Role
from tests import factories

S = CaseStatus
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
ROLES = (Role.AGENT, Role.SUPERVISOR, Role.TECHNICIAN, Role.MANAGER, Role.SYSTEM, Role.CUSTOMER)
# Who may call the services other than case_transition (staff/test_roles.py checks these
# against the code; here they only predict outcomes).
NOTE_ROLES = {Role.AGENT, Role.SUPERVISOR, Role.TECHNICIAN, Role.SYSTEM}
PRIORITY_ROLES = {Role.AGENT, Role.SUPERVISOR, Role.SYSTEM}
ASSIGN_ROLES = {Role.SUPERVISOR, Role.SYSTEM}
CATEGORIES = ("padam-rumah", "tagihan", "meter", "bahaya")
MAX_CASES = 4
# The first choice is the one Hypothesis favours: make it the ordinary, valid one.
TEXTS = ("Pelanggan sudah dihubungi", "", "   ")
# ``advance`` tries these moves first, so that the favoured first choice is the road through
# field work to closing (and round again by reopening) rather than an early end.
FORWARD = frozenset(
    {
        (S.RECEIVED, S.VERIFIED),
        (S.WAITING_CUSTOMER, S.VERIFIED),
        (S.VERIFIED, S.ASSIGNED),
        (S.REOPENED, S.ASSIGNED),
        (S.ASSIGNED, S.DISPATCHED),
        (S.DISPATCHED, S.ON_SITE),
        (S.ON_SITE, S.RESOLVED),
        (S.RESOLVED, S.CLOSED),
        (S.CLOSED, S.REOPENED),
    }
)
STEPS = st.integers(min_value=1, max_value=6 * 3600)

# Filled across all examples of a run; the test asserts the run exercised the domain.
STATS: Counter = Counter()


@dataclass
class Model:
    status: str
    version: int
    priority: int
    skill: str
    technician_id: int | None = None
    merged_into_id: int | None = None


@dataclass
class Stage:
    """What every example shares: built once per test, outside the examples' savepoints."""

    unit: ServiceUnit
    actors: dict[Role, Actor]
    technicians: list[Technician]


def build_stage() -> Stage:
    unit = factories.make_unit_tree("SM")
    # Capacities are small so that "full" happens; the second technician cannot do meters.
    technicians = [
        factories.make_technician(unit, capacity=1),
        factories.make_technician(unit, capacity=2, skills=("distribution",)),
        factories.make_technician(unit, capacity=2),
    ]
    actors = {
        Role.AGENT: Actor.staff(factories.make_user(Role.AGENT, units=[unit])),
        Role.SUPERVISOR: Actor.staff(factories.make_user(Role.SUPERVISOR, units=[unit])),
        Role.TECHNICIAN: Actor.staff(technicians[0].user),
        Role.MANAGER: Actor.staff(factories.make_user(Role.MANAGER)),
        Role.SYSTEM: Actor.system("state-machine"),
        Role.CUSTOMER: Actor.customer("whatsapp"),
    }
    return Stage(unit=unit, actors=actors, technicians=technicians)


class CaseMachine(RuleBasedStateMachine):
    stage: Stage  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = START
        self.unit = self.stage.unit
        self.actors = self.stage.actors
        self.technicians = self.stage.technicians
        self.cases: dict[int, Model] = {}
        self.updated_at: dict[int, datetime] = {}
        self.steps = 0
        for code in CATEGORIES[:2]:
            self._open(code)

    def teardown(self) -> None:
        STATS["examples"] += 1
        STATS["steps"] += self.steps
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers -------------------------------------------------------------------------

    def _tick(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)
        self.steps += 1

    def _open(self, category_code: str) -> None:
        # Every other reporter can be told: notices are written along the way too.
        reporter = None if len(self.cases) % 2 == 0 else Reporter(name="Tanpa kontak")
        with clock.travel(self.now):
            case = factories.open_case(self.unit, category_code=category_code, reporter=reporter)
        # A hazard ("bahaya") is verified by the system as it opens (complaints.hazard).
        self.cases[case.pk] = Model(
            status=case.status,
            version=case.version,
            priority=case.priority,
            skill=case.category.skill,
        )
        self.updated_at[case.pk] = case.updated_at

    def _booked(self, technician_id: int) -> int:
        return sum(
            1
            for model in self.cases.values()
            if model.technician_id == technician_id and model.status in TECHNICIAN_STATES
        )

    def _bookable(self, model: Model, technician: Technician) -> bool:
        if model.skill and model.skill not in technician.skills:
            return False
        return self._booked(technician.pk) < technician.capacity

    def _call(self, action: str, expected: type[Exception] | None, call) -> bool:
        """Run ``call`` at the machine's clock; it must raise ``expected`` (or succeed when
        None). Returns whether it succeeded."""
        with clock.travel(self.now):
            if expected is None:
                call()
                STATS[f"ok:{action}"] += 1
                return True
            with pytest.raises(expected):
                call()
        STATS[f"refused:{action}:{expected.__name__}"] += 1
        return False

    def _wrote(self, case_id: int) -> None:
        self.cases[case_id].version += 1

    def _predict_transition(
        self, model: Model, target: str, role: Role, fields: dict, case_id: int
    ) -> type[Exception] | None:
        transition = find_transition(model.status, target)
        if transition is None:
            return IllegalTransition
        if role not in transition.roles:
            return NotAllowed
        for name in transition.required:
            value = fields[name]
            if not (value.strip() if isinstance(value, str) else value):
                return MissingField
        if transition.target == S.ASSIGNED and not self._bookable(model, fields["technician"]):
            return InvalidInput
        if transition.target == S.MERGED:
            into = fields["merged_into"]
            if into.pk == case_id or self.cases[into.pk].status not in OPEN_STATES:
                return InvalidInput
        return None

    def _apply_transition(self, case_id: int, target: str, fields: dict) -> None:
        model = self.cases[case_id]
        source = model.status
        transition = find_transition(source, target)
        model.status = transition.target
        if transition.target == S.ASSIGNED:
            model.technician_id = fields["technician"].pk
        if (
            source in TECHNICIAN_STATES
            and transition.target not in TECHNICIAN_STATES
            and transition.target != S.RESOLVED
        ):
            model.technician_id = None
        if transition.target == S.MERGED:
            model.merged_into_id = fields["merged_into"].pk
        self._wrote(case_id)

    def _transition(self, case_id: int, target: str, role: Role, fields: dict) -> None:
        model = self.cases[case_id]
        expected = self._predict_transition(model, target, role, fields, case_id)
        ok = self._call(
            f"transition:{target}",
            expected,
            lambda: case_transition(
                actor=self.actors[role],
                case_id=case_id,
                target=target,
                expected_version=model.version,
                **fields,
            ),
        )
        if ok:
            self._apply_transition(case_id, target, fields)

    # --- rules ---------------------------------------------------------------------------

    @precondition(lambda self: len(self.cases) < MAX_CASES)
    @rule(category=st.sampled_from(CATEGORIES), seconds=STEPS)
    def open_case(self, category, seconds):
        self._tick(seconds)
        self._open(category)
        STATS["ok:open"] += 1

    @rule(data=st.data(), seconds=STEPS)
    def transition_anywhere(self, data, seconds):
        """Any target or one the table has from here, by any role or an allowed one, with
        fields filled in, blank, or some of each: mostly refused."""
        self._tick(seconds)
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        moves = transitions_from(self.cases[case_id].status)
        if moves and data.draw(st.booleans()):
            transition = data.draw(st.sampled_from(moves))
            target = transition.target
            roles = sorted(transition.roles) if data.draw(st.booleans()) else ROLES
        else:
            target = data.draw(st.sampled_from(list(CaseStatus)))
            roles = ROLES
        role = data.draw(st.sampled_from(roles))
        if data.draw(st.booleans()):
            fields = {"reason": "  ", "resolution": "", "technician": None, "merged_into": None}
        else:
            fields = {
                "reason": data.draw(st.sampled_from(TEXTS)),
                "resolution": data.draw(st.sampled_from(TEXTS)),
                "technician": data.draw(st.sampled_from([None, *self.technicians])),
                "merged_into": data.draw(
                    st.sampled_from([None, *(Case(pk=pk) for pk in sorted(self.cases))])
                ),
            }
        self._transition(case_id, target, role, fields)

    @rule(data=st.data(), seconds=STEPS)
    def advance(self, data, seconds):
        """A few moves along the table by roles allowed to make them, fields filled in (still
        refused when a technician is full or a merge target is closed)."""
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
            self._tick(seconds)
            moves = sorted(
                transitions_from(self.cases[case_id].status),
                key=lambda t: (t.source, t.target) not in FORWARD,
            )
            if not moves:
                break
            transition = data.draw(st.sampled_from(moves))
            others = [pk for pk in sorted(self.cases) if pk != case_id]
            fields = {
                "reason": "Alasan",
                "resolution": "Sudah diperbaiki",
                "technician": data.draw(st.sampled_from(self.technicians)),
                "merged_into": Case(pk=data.draw(st.sampled_from(others))) if others else None,
                "eta": self.now + timedelta(hours=1),
            }
            role = data.draw(st.sampled_from(sorted(transition.roles)))
            self._transition(case_id, transition.target, role, fields)

    @rule(data=st.data(), seconds=STEPS)
    def assign(self, data, seconds):
        """Assign or hand over, mostly on cases a technician can take."""
        self._tick(seconds)
        assignable = {S.VERIFIED, S.REOPENED, *TECHNICIAN_STATES}
        candidates = [pk for pk in sorted(self.cases) if self.cases[pk].status in assignable]
        if not candidates or data.draw(st.booleans()):
            candidates = sorted(self.cases)
        case_id = data.draw(st.sampled_from(candidates))
        # The roomiest technician first: the favoured choice is one that can take the job.
        technician = data.draw(st.sampled_from(self.technicians[::-1]))
        role = data.draw(st.sampled_from((Role.SUPERVISOR, Role.SYSTEM, Role.AGENT)))
        model = self.cases[case_id]
        if role not in ASSIGN_ROLES:
            expected, change = NotAllowed, None
        elif model.status not in TECHNICIAN_STATES:
            fields = {"technician": technician, "reason": "", "merged_into": None}
            expected = self._predict_transition(model, S.ASSIGNED, role, fields, case_id)
            change = "assign"
        elif model.technician_id == technician.pk:
            expected, change = None, None
        else:
            expected = None if self._bookable(model, technician) else InvalidInput
            change = "reassign"
        ok = self._call(
            "assign",
            expected,
            lambda: case_assign(
                actor=self.actors[role],
                case_id=case_id,
                technician=technician,
                expected_version=model.version,
            ),
        )
        if ok and change == "assign":
            self._apply_transition(case_id, S.ASSIGNED, {"technician": technician})
        elif ok and change == "reassign":
            model.technician_id = technician.pk
            self._wrote(case_id)

    @rule(data=st.data(), seconds=STEPS)
    def merge(self, data, seconds):
        self._tick(seconds)
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        into_id = data.draw(st.sampled_from(sorted(self.cases)))
        role = data.draw(st.sampled_from(ROLES))
        fields = {"merged_into": Case(pk=into_id)}
        model = self.cases[case_id]
        expected = self._predict_transition(model, S.MERGED, role, fields, case_id)
        ok = self._call(
            "merge",
            expected,
            lambda: case_merge(
                actor=self.actors[role],
                case_id=case_id,
                into_case_id=into_id,
                expected_version=model.version,
            ),
        )
        if ok:
            self._apply_transition(case_id, S.MERGED, fields)

    @rule(data=st.data(), seconds=STEPS)
    def note(self, data, seconds):
        self._tick(seconds)
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        role = data.draw(st.sampled_from(ROLES))
        note = data.draw(st.sampled_from(TEXTS))
        to_customer = data.draw(st.booleans())
        model = self.cases[case_id]
        if role not in NOTE_ROLES:
            expected = NotAllowed
        elif not note.strip():
            expected = InvalidInput
        else:
            expected = None
        ok = self._call(
            "note",
            expected,
            lambda: case_add_note(
                actor=self.actors[role],
                case_id=case_id,
                note=note,
                to_customer=to_customer,
                expected_version=model.version,
            ),
        )
        if ok:
            self._wrote(case_id)

    @rule(data=st.data(), seconds=STEPS)
    def change_priority(self, data, seconds):
        self._tick(seconds)
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        role = data.draw(st.sampled_from(ROLES))
        priority = data.draw(st.sampled_from(list(Priority)))
        model = self.cases[case_id]
        if role not in PRIORITY_ROLES:
            expected = NotAllowed
        elif model.status not in OPEN_STATES:
            expected = IllegalTransition
        else:
            expected = None
        ok = self._call(
            "priority",
            expected,
            lambda: case_change_priority(
                actor=self.actors[role],
                case_id=case_id,
                priority=priority,
                expected_version=model.version,
            ),
        )
        if ok and priority != model.priority:
            model.priority = priority
            self._wrote(case_id)

    @rule(data=st.data(), seconds=STEPS, offset=st.sampled_from([-1, 1, 5]))
    def stale_write(self, data, seconds, offset):
        """Any write from a page that saw another version is refused, whatever it was."""
        self._tick(seconds)
        case_id = data.draw(st.sampled_from(sorted(self.cases)))
        stale = max(0, self.cases[case_id].version + offset)
        supervisor = self.actors[Role.SUPERVISOR]
        writes = {
            "transition": lambda: case_transition(
                actor=supervisor,
                case_id=case_id,
                target=S.VERIFIED,
                expected_version=stale,
            ),
            "note": lambda: case_add_note(
                actor=supervisor, case_id=case_id, note="Catatan", expected_version=stale
            ),
            "priority": lambda: case_change_priority(
                actor=supervisor, case_id=case_id, priority=Priority.LOW, expected_version=stale
            ),
            "assign": lambda: case_assign(
                actor=supervisor,
                case_id=case_id,
                technician=self.technicians[2],
                expected_version=stale,
            ),
        }
        kind = data.draw(st.sampled_from(sorted(writes)))
        self._call(f"stale:{kind}", StaleCase, writes[kind])

    # --- invariants ----------------------------------------------------------------------

    @invariant()
    def invariants_hold(self):
        # Three queries per step: the cases, their events, the technicians.
        cases = {
            row["pk"]: row
            for row in Case.objects.filter(pk__in=self.cases).values(
                "pk",
                "status",
                "version",
                "priority",
                "technician_id",
                "merged_into_id",
                "created_at",
                "updated_at",
            )
        }
        timelines: dict[int, list[CaseEvent]] = {pk: [] for pk in self.cases}
        for event in CaseEvent.objects.filter(case_id__in=self.cases).order_by("id"):
            timelines[event.case_id].append(event)
        self._check_model(cases)
        self._check_timelines(cases, timelines)
        self._check_bookings()
        self._check_merges(cases, timelines)

    def _check_model(self, cases: dict) -> None:
        """Status, version (one per successful write, none per refusal), priority, technician
        and merge target are what the model expects."""
        for pk, model in self.cases.items():
            row = cases[pk]
            assert (
                row["status"],
                row["version"],
                row["priority"],
                row["technician_id"],
                row["merged_into_id"],
            ) == (
                model.status,
                model.version,
                model.priority,
                model.technician_id,
                model.merged_into_id,
            ), pk

    def _check_timelines(self, cases: dict, timelines: dict) -> None:
        for pk, timeline in timelines.items():
            case = cases[pk]
            first = timeline[0]
            assert (first.kind, first.to_status) == (EventKind.CREATED, S.RECEIVED), pk
            status = S.RECEIVED
            for event in timeline[1:]:
                if event.kind == EventKind.STATUS_CHANGED:
                    assert event.from_status == status, (pk, event.pk)
                    if status == S.CLOSED:
                        assert event.to_status == S.REOPENED, (pk, event.pk)
                    status = event.to_status
            assert status == case["status"], pk
            times = [event.created_at for event in timeline]
            assert times == sorted(times), pk
            assert times[-1] <= self.now, pk
            # Stamps only move forward, and the last write of the case stamped it.
            assert case["updated_at"] >= self.updated_at[pk], pk
            assert case["updated_at"] >= case["created_at"], pk
            self.updated_at[pk] = case["updated_at"]

    def _check_bookings(self) -> None:
        booked = Technician.objects.filter(pk__in=[t.pk for t in self.technicians]).annotate(
            cases_booked=Count("cases", filter=Q(cases__status__in=sorted(TECHNICIAN_STATES)))
        )
        for technician in booked:
            assert technician.open_jobs == technician.cases_booked, technician.pk
            assert technician.open_jobs == self._booked(technician.pk), technician.pk
            assert technician.open_jobs <= technician.capacity, technician.pk

    def _check_merges(self, cases: dict, timelines: dict) -> None:
        """A merged case points at another case, which was open when the merge happened."""
        for pk, case in cases.items():
            if case["status"] != S.MERGED:
                continue
            into = case["merged_into_id"]
            assert into not in (None, pk), pk
            status_then = None
            for event in timelines[into]:
                if event.kind == EventKind.MERGED_IN and event.data["case"] == pk:
                    break
                if event.kind in (EventKind.CREATED, EventKind.STATUS_CHANGED):
                    status_then = event.to_status
            else:
                raise AssertionError(f"no merged_in event on {into} for {pk}")
            assert status_then in OPEN_STATES, (pk, into, status_then)


EXAMPLES = 30
STEP_COUNT = 30


def test_random_service_calls_keep_the_case_invariants(db, request):
    STATS.clear()
    CaseMachine.stage = build_stage()

    run_state_machine_as_test(
        CaseMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEP_COUNT,
            deadline=None,
            database=None,
            # The same examples every run: the coverage bounds below must not depend on luck.
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )

    if request.config.get_verbosity() > 1:
        print(sorted(STATS.items()))  # noqa: T201
    # The run must have exercised the domain, not just opened cases: many steps, many moves
    # through the workflow, and every kind of refusal and every end state at least once.
    # (The bounds are far below what a run gives, which varies with Hypothesis' choices.)
    assert STATS["examples"] >= EXAMPLES
    assert STATS["steps"] >= EXAMPLES * 10, STATS
    moves = sum(n for key, n in STATS.items() if key.startswith("ok:transition:"))
    assert moves >= 50, STATS
    for refusal in ("IllegalTransition", "NotAllowed", "MissingField", "InvalidInput", "StaleCase"):
        assert any(key.endswith(f":{refusal}") for key in STATS), (refusal, STATS)
    for reached in (S.ON_SITE, S.CLOSED, S.REOPENED, S.REJECTED, S.MERGED):
        assert STATS[f"ok:transition:{reached}"] >= 1, (reached, STATS)
    assert STATS["ok:assign"] >= 1, STATS
