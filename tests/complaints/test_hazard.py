"""The hazard lane (issue 5): hazard words on any channel, or the hazard category, make an
emergency at once — verified by the system, dispatched, the reporter warned, supervisors told."""

from datetime import timedelta

import pytest

from complaints import clock, effects
from complaints.hazard import DEFAULT_KEYWORDS, SAFETY_TEMPLATE, detect_hazard, parse_keyword
from complaints.models import (
    Case,
    CaseEvent,
    Channel,
    ContactKind,
    EventKind,
    Notification,
    NotificationStatus,
    Priority,
)
from complaints.notifications import IMMEDIATE_TEMPLATES, STATUS_UPDATES, TEMPLATE_PARAMETERS
from complaints.services import Reporter
from complaints.workflow import CaseStatus
from staff.dispatch import choose_technician
from staff.roles import Role
from tests import factories

WHATSAPP = Reporter(name="Budi", contact_kind=ContactKind.WHATSAPP, contact="+6281234567890")


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("Kabel putus menjuntai di depan rumah", ("kabel putus",)),
        ("KBL PUTUSSS!!! tolong", ("kbl putus",)),
        ("kabel listrik depan rumah saya putus", ("kabel putus",)),
        ("kabelnya menjuntai ke jalan", ("kabel menjuntai",)),
        ("Tiang listrik roboh!", ("tiang roboh",)),
        ("tiangnya miring hampir jatuh", ("tiang miring",)),
        ("tiang patah kena truk", ("tiang patah",)),
        ("ada korsleting di meteran", ("korsleting",)),
        ("Konslet terus, bunyi", ("konslet",)),
        ("sering korslet", ("korslet",)),
        ("keluar percikan api dari trafo", ("keluar percikan", "percikan api")),
        ("meteran berasap", ("berasap",)),
        ("kebakaran di gardu", ("kebakaran",)),
        ("anak saya tersengat listrik", ("tersengat",)),
        ("pohon tumbang menimpa kabel", ("pohon tumbang kabel",)),
        ("korsleting listrik dan tiang roboh", ("korsleting", "tiang roboh")),
        # Punctuation ends a clause: the negation belongs to the power, not to the wire.
        ("tidak ada listrik, kabel putus", ("kabel putus",)),
        ("tidak ada korsleting tapi kabel menjuntai", ("kabel menjuntai",)),
        ("Fallen pole on the road", ("fallen pole",)),
        ("the wire is down near the school", ("wire down",)),
        ("there are sparks", ("sparks",)),
        ("a tree fell on the power lines", ("tree lines",)),
        ("Tiáng róboh", ("tiang roboh",)),
    ],
)
def test_hazard_words_are_found_whatever_the_spelling(text, matched):
    assert detect_hazard(text, DEFAULT_KEYWORDS) == matched


@pytest.mark.parametrize(
    "text",
    [
        "Listrik padam sejak pagi",
        "Tagihan bulan ini naik dua kali lipat",
        "Token tidak masuk, pulsa listrik habis",
        "MCB turun terus",
        "Sekering putus",  # a blown fuse in the meter box: a routine job
        "jaringan internet putus",
        "Lampu berkedip, bahaya untuk kulkas",  # "bahaya" alone is not a hazard
        "Padam darurat, sudah dua hari",
        # Negated: the reporter says there is none.
        "tidak ada kabel putus, cuma padam",
        "kabel tidak putus",
        "bukan korsleting",
        "no sparks, just no power",
        "",
    ],
)
def test_ordinary_and_negated_texts_are_no_hazard(text):
    assert detect_hazard(text, DEFAULT_KEYWORDS) == ()


def test_a_keyword_has_alternatives_prefixes_and_gaps():
    keyword = parse_keyword("gardu/trafo bunyi/mendengung*")

    assert keyword.words == ((("gardu", "trafo"), ()), (("bunyi",), ("mendengung",)))
    assert detect_hazard("Trafo dekat pasar mendengungnya keras", ["gardu/trafo mendengung*"]) == (
        "trafo mendengungnya",
    )
    # More than four words between two words of a keyword: not one phrase.
    assert detect_hazard("kabel di depan rumah pak rt putus", ["kabel putus"]) == ()


def test_settings_replace_or_extend_the_keywords(settings):
    settings.HAZARD_KEYWORDS = ["trafo mendengung"]
    settings.HAZARD_EXTRA_KEYWORDS = ["gardu bau"]

    assert detect_hazard("Kabel putus. Trafo mendengung, gardu bau.") == (
        "trafo mendengung",
        "gardu bau",
    )

    settings.HAZARD_KEYWORDS = []
    assert detect_hazard("Kabel putus. Gardu bau.") == ("kabel putus", "gardu bau")


def test_the_safety_message_is_immediate_and_has_a_whatsapp_template():
    assert SAFETY_TEMPLATE in IMMEDIATE_TEMPLATES
    assert SAFETY_TEMPLATE not in STATUS_UPDATES
    assert TEMPLATE_PARAMETERS[SAFETY_TEMPLATE] == ("ticket",)


# --- Opening a case ------------------------------------------------------------------------


@pytest.fixture
def boss(world):
    return factories.make_user(Role.SUPERVISOR, units=[world.unit_a], email="boss@pln.test")


@pytest.fixture
def scheduled(monkeypatch) -> list[int]:
    """Cases whose dispatch was published after commit (nothing reaches a broker)."""
    queued: list[int] = []
    monkeypatch.setattr("staff.tasks.dispatch_case.delay", queued.append)
    monkeypatch.setattr("complaints.tasks.kick_delivery", lambda *args, **kwargs: None)
    return queued


def test_hazard_words_under_another_category_make_an_emergency_that_is_dispatched_at_once(
    world, boss, scheduled, django_capture_on_commit_callbacks
):
    factories.make_user(Role.SUPERVISOR, units=[world.unit_b], email="other@pln.test")
    with django_capture_on_commit_callbacks(execute=True):
        case = factories.open_case(
            world.unit_a,
            category_code="padam-rumah",
            description="Listrik padam, kabel putus menjuntai ke jalan!",
            reporter=WHATSAPP,
        )

    case.refresh_from_db()
    assert (case.category.code, case.priority, case.status) == (
        "bahaya",
        Priority.EMERGENCY,
        CaseStatus.VERIFIED,
    )
    assert case.incident_id is None
    assert scheduled == [case.pk]
    timeline = list(CaseEvent.objects.filter(case=case).order_by("pk"))
    assert [(e.kind, e.actor_label) for e in timeline] == [
        (EventKind.CREATED, "system:test"),
        (EventKind.ESCALATED, "system:hazard"),
        (EventKind.STATUS_CHANGED, "system:hazard"),
    ]
    hazard_event = timeline[1]
    assert hazard_event.data == {
        "reason": "hazard",
        "matched": ["kabel putus"],
        "reported_category": "padam-rumah",
    }
    assert "kabel putus" in hazard_event.note
    assert timeline[0].data["category"] == "bahaya"
    assert (timeline[2].from_status, timeline[2].to_status) == (
        CaseStatus.RECEIVED,
        CaseStatus.VERIFIED,
    )


def test_the_reporter_gets_the_safety_message_at_once_and_supervisors_are_mailed_once(
    world, boss, settings
):
    settings.NOTIFY_QUIET_SECONDS = 300
    now = clock.now()
    with clock.travel(now):
        case = factories.open_case(
            world.unit_a, description="Ada korsleting, keluar asap dari meteran", reporter=WHATSAPP
        )

    rows = {n.template: n for n in Notification.objects.filter(case=case)}
    assert set(rows) == {"received", SAFETY_TEMPLATE, "verified"}
    safety = rows[SAFETY_TEMPLATE]
    assert (safety.channel, safety.recipient, safety.status) == (
        Channel.WHATSAPP,
        "+6281234567890",
        NotificationStatus.PENDING,
    )
    assert safety.next_attempt_at == now
    assert safety.event.data["reason"] == "hazard"
    assert safety.context["params"] == [case.ticket]
    assert "Jauhi lokasi".lower() in safety.body.lower()
    assert "123" in safety.body
    # The status update waits for the quiet period; the safety message neither waits nor is
    # replaced by it.
    assert rows["verified"].next_attempt_at == now + timedelta(seconds=300)
    assert rows["verified"].superseded_by is None
    staff = list(Notification.objects.filter(template="staff_hazard"))
    assert [(n.channel, n.recipient, n.case_id) for n in staff] == [
        ("email", "boss@pln.test", None)
    ]
    assert staff[0].context["subject"].startswith(f"[#{case.ticket}] BAHAYA")
    assert "keluar asap" in staff[0].body


def test_an_office_without_supervisors_has_its_alerts_mailed_to_the_nearest_unit_above(world):
    # Supervisors are often members of the UP3 or the region only (they see the cases below):
    # the alert goes to the nearest unit's supervisors, never to nobody nor to every level.
    # (supervisor_a is the office's own, without an e-mail address.)
    area = world.unit_a.parent
    factories.make_user(Role.SUPERVISOR, units=[area.parent], email="uid@pln.test")
    factories.make_user(Role.SUPERVISOR, units=[area], email="up3@pln.test")
    factories.make_user(Role.SUPERVISOR, units=[world.unit_b], email="bali@pln.test")

    first = factories.open_case(world.unit_a, description="Tiang roboh di depan rumah")
    factories.make_user(Role.SUPERVISOR, units=[world.unit_a, area], email="ulp@pln.test")
    second = factories.open_case(world.unit_a, description="Kabel putus menjuntai")

    def mailed(case) -> list[str]:
        rows = Notification.objects.filter(template="staff_hazard", context__case_id=case.pk)
        return sorted(rows.values_list("recipient", flat=True))

    assert mailed(first) == ["up3@pln.test"]
    assert mailed(second) == ["ulp@pln.test"]


def test_an_english_reporter_is_warned_in_english(world):
    case = factories.open_case(
        world.unit_a,
        description="There is a broken wire hanging over the road",
        reporter=Reporter(
            name="John", contact_kind=ContactKind.EMAIL, contact="john@example.com", language="en"
        ),
    )

    safety = Notification.objects.get(case=case, template=SAFETY_TEMPLATE)
    assert safety.channel == Channel.EMAIL
    assert safety.body.startswith(f"SAFETY WARNING ({case.ticket})")


def test_the_hazard_category_takes_the_lane_without_any_keyword(world, boss, scheduled):
    case = factories.open_case(
        world.unit_a, category_code="bahaya", description="Tolong cek depan sekolah", priority=3
    )

    assert (case.priority, case.status) == (Priority.EMERGENCY, CaseStatus.VERIFIED)
    event = CaseEvent.objects.get(case=case, kind=EventKind.ESCALATED)
    assert event.data == {"reason": "hazard", "matched": []}
    assert Notification.objects.filter(case=case, template=SAFETY_TEMPLATE).count() == 1
    assert Notification.objects.filter(template="staff_hazard").count() == 1


def test_ordinary_text_is_left_as_it_was(world, boss):
    case = factories.open_case(
        world.unit_a,
        category_code="tegangan",
        description="Tegangan naik turun, bahaya untuk kulkas; tidak ada kabel putus.",
        reporter=WHATSAPP,
    )

    case.refresh_from_db()
    assert (case.category.code, case.priority, case.status) == (
        "tegangan",
        Priority.NORMAL,
        CaseStatus.RECEIVED,
    )
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).exists()
    assert list(Notification.objects.values_list("template", flat=True)) == ["received"]


def test_a_back_office_category_with_hazard_words_is_dispatched_as_a_hazard(
    world, scheduled, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = factories.open_case(
            world.unit_a,
            category_code="tagihan",
            description="Mau tanya tagihan. Oh ya, tiang depan rumah miring mau roboh.",
        )

    case.refresh_from_db()
    assert (case.category.code, case.category.is_field_work) == ("bahaya", True)
    assert scheduled == [case.pk]
    event = CaseEvent.objects.get(case=case, kind=EventKind.ESCALATED)
    assert event.data["reported_category"] == "tagihan"


def test_loading_history_keeps_the_recorded_category_and_workflow(world):
    with effects.suppressed():
        described = factories.open_case(world.unit_a, description="Kabel putus di jalan")
        hazard = factories.open_case(world.unit_a, category_code="bahaya")

    assert (described.category.code, described.priority, described.status) == (
        "padam-rumah",
        Priority.HIGH,
        CaseStatus.RECEIVED,
    )
    assert (hazard.priority, hazard.status) == (Priority.EMERGENCY, CaseStatus.RECEIVED)
    assert not CaseEvent.objects.filter(kind=EventKind.ESCALATED).exists()


def test_a_hazard_phoned_in_by_an_agent_takes_the_lane_too(world, boss):
    case = factories.open_case(
        world.unit_a,
        actor=world.actor(world.agent_a),
        channel=Channel.CALL_CENTER,
        category_code="padam-rumah",
        description="Penelepon: ada percikan api di tiang dekat rumahnya",
        reporter=Reporter(name="Ani", contact_kind=ContactKind.PHONE, contact="+6281311112222"),
    )

    assert (case.category.code, case.status, case.assigned_agent) == (
        "bahaya",
        CaseStatus.VERIFIED,
        world.agent_a,
    )
    safety = Notification.objects.get(case=case, template=SAFETY_TEMPLATE)
    assert (safety.channel, safety.recipient) == ("sms", "+6281311112222")


# --- Dispatch ---------------------------------------------------------------------------------

CASE_AT = (-6.2000, 106.8000)
NEAR = (-6.2010, 106.8010)
FAR = (-6.2500, 106.8500)


def test_an_emergency_gets_the_nearest_crew_even_of_a_neighbour_unit(world):
    neighbour = factories.make_unit_tree()
    world.unit_a.neighbours.add(neighbour)
    world.technician_a.delete()
    own = factories.make_technician(world.unit_a, latitude=FAR[0], longitude=FAR[1])
    nearer = factories.make_technician(neighbour, latitude=NEAR[0], longitude=NEAR[1])
    with effects.suppressed():
        routine = factories.open_case(
            world.unit_a, category_code="tegangan", latitude=CASE_AT[0], longitude=CASE_AT[1]
        )
        emergency = factories.open_case(
            world.unit_a, category_code="bahaya", latitude=CASE_AT[0], longitude=CASE_AT[1]
        )

    assert choose_technician(Case.objects.get(pk=routine.pk)) == own
    assert choose_technician(Case.objects.get(pk=emergency.pk)) == nearer
