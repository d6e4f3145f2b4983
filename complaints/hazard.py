"""The hazard lane (issue 5): a fallen pole, a broken or hanging wire, sparks, smoke, a shock —
reported under any category, on any channel — is an emergency from the first second.

``case_open`` asks ``assess`` which lane a new report takes, and calls ``open_lane`` once the
case exists. A hazard case is priority 1, verified by the system at once (which schedules its
own dispatch: a hazard is never folded into an outage incident), its reporter gets a safety
message that is sent immediately and never replaced, and the unit's supervisors are mailed.

Keyword matching errs on the side of safety. A report filed under another category whose text
names a hazard moves to the hazard category: that is the queue, the SLA targets and the skill a
supervisor works a hazard by, and a billing or outage category would not dispatch it as one
(a desk category is never dispatched; an outage category may join an incident). The category
the reporter chose and the words that matched are kept on the hazard event. Only an explicit
negation just before the words ("tidak ada kabel putus", "no sparks", "kabel tidak putus")
cancels a match; a false alarm costs a supervisor a look, a missed one can cost a life.

The lane is a live operation: while history is loaded (``effects.suppressed``), recorded
cases keep their category and workflow (a hazard category still opens at priority 1).
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from complaints import clock, effects, events, staff_notices
from complaints.models import Case, Category
from complaints.notifications import queue_customer_notice
from complaints.workflow import CaseStatus
from staff.roles import Actor

HAZARD_REASON = "hazard"
SAFETY_TEMPLATE = "hazard_safety"
SYSTEM = Actor.system("hazard")
HAZARD_NOTE = _("Laporan bahaya: %(words)s. Prioritas darurat, diverifikasi otomatis.")
HAZARD_CATEGORY_NOTE = _("Laporan kategori bahaya. Prioritas darurat, diverifikasi otomatis.")
RECATEGORISED_NOTE = _("Dilaporkan dengan kategori %(category)s; dipindah ke %(hazard)s.")

# A keyword is words in order; a word is alternatives separated by "/", and one ending in "*"
# matches any word it begins ("korslet*": korsleting, korsletting). Between two words of a
# keyword up to KEYWORD_GAP other words may stand ("kabel di depan rumah saya putus"). A word
# also matches with the enclitic "-nya" ("kabelnya putus"). The timeline names a match by the
# words as the reporter wrote them. HAZARD_KEYWORDS (settings) replaces this list.
# Not here on purpose: "bahaya"/"dangerous" alone ("tegangan naik turun, bahaya untuk kulkas")
# and "darurat"/"emergency" (said of any long outage).
DEFAULT_KEYWORDS: tuple[str, ...] = (
    # Wires
    "kabel/kbl/kawat putus/pts/jatuh/menjuntai/terjuntai/njuntai/juntai/lepas/terlepas/"
    "terkelupas/mengelupas/terbuka/terbakar/meleleh/melorot",
    "kabel/kbl/kawat menyentuh/kena/nyangkut/tersangkut/mengenai/melilit",
    "putus/menjuntai kabel/kbl/kawat",
    # Poles
    "tiang/tng roboh/rubuh/ambruk/tumbang/miring/doyong/patah/jatuh/rebah",
    "roboh/rubuh/ambruk/tumbang tiang/tng",
    "pohon/dahan/ranting tumbang/roboh/patah/menimpa/mengenai/menyentuh/kena/nyangkut/"
    "tersangkut kabel/kbl/tiang/jaringan",
    # Short circuits, sparks, fire, smoke, explosions
    "korslet*/konslet*/korselet*/korsluit*/konsluit*",
    "arus pendek",
    "percikan/percik/memercik/mercik/pijar api/bunga",
    "keluar/muncul/ada/timbul api/asap/percikan",
    "berasap/mengepul/gosong",
    "bau hangus",
    "kebakaran/terbakar/meledak/ledakan/dentuman",
    # Electric shock and leakage
    "tersengat/kesetrum/tersetrum/nyetrum/kesetrom/tersetrom/nyetrom",
    "sengatan/bocor listrik/arus",
    "terkena/kena aliran/sengatan listrik",
    # English
    "fallen/falling/leaning/broken/downed/collapsed pole/poles/post",
    "pole/poles/post fell/fallen/down/collapsed/leaning/broken/falling",
    "broken/fallen/downed/hanging/dangling/exposed/live/loose/snapped wire/wires/cable/cables/"
    "line/lines",
    "wire/wires/cable/cables/line/lines down/broken/snapped/hanging/dangling/fell/fallen/"
    "sparking/burning",
    "tree/trees/branch/branches wire/wires/cable/cables/line/lines/pole",
    "spark/sparks/sparking",
    "short circuit/circuiting",
    "smoke/smoking/burning/fire/explosion/exploded/exploding",
    "electrocuted/electrocution",
    "electric/electrical shock/shocks",
)
# Up to this many other words may stand between two words of one keyword.
KEYWORD_GAP = 4
# Words that cancel a match when they stand just before it (or between its words) in the
# same clause: "tidak ada kabel putus", "bukan korsleting", "no sparks", "kabel tidak putus".
NEGATIONS = frozenset(
    {
        "tidak",
        "tdk",
        "tak",
        "gak",
        "ga",
        "nggak",
        "ngga",
        "enggak",
        "engga",
        "bukan",
        "tanpa",
        "no",
        "not",
        "without",
        "never",
        "isnt",
        "arent",
        "wasnt",
        "werent",
    }
)
NEGATION_REACH = 2
# Punctuation and conjunctions end a clause: "listrik tidak ada, kabel putus" is a hazard.
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\[\]\n\r]+|\s(?:dan|tapi|tetapi|namun|and|but)\s")
_WORD = re.compile(r"[a-z0-9]+")
# "putusss", "konsleeet": stretched letters, as typed in chats.
_STRETCHED = re.compile(r"([a-z])\1{2,}")
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Keyword:
    words: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]  # (exact words, prefixes)


@dataclass(frozen=True)
class Lane:
    """What ``assess`` decided: the hazard category the case opens in, the words that matched,
    and the category the reporter chose when it was another one."""

    category: Category
    matched: tuple[str, ...]
    reported_category: Category | None = None


def parse_keyword(keyword: str) -> Keyword:
    words = []
    for word in keyword.lower().split():
        exact, prefixes = [], []
        for alternative in word.split("/"):
            alternative = alternative.strip()
            if alternative.endswith("*") and alternative[:-1]:
                prefixes.append(alternative[:-1])
            elif alternative:
                exact.append(alternative)
        if exact or prefixes:
            words.append((tuple(exact), tuple(prefixes)))
    return Keyword(words=tuple(words))


@lru_cache(maxsize=8)
def _parsed(keywords: tuple[str, ...]) -> tuple[Keyword, ...]:
    return tuple(k for k in (parse_keyword(keyword) for keyword in keywords) if k.words)


def configured_keywords() -> tuple[str, ...]:
    """HAZARD_KEYWORDS (else DEFAULT_KEYWORDS), then HAZARD_EXTRA_KEYWORDS."""
    base = getattr(settings, "HAZARD_KEYWORDS", None) or DEFAULT_KEYWORDS
    return (*base, *getattr(settings, "HAZARD_EXTRA_KEYWORDS", ()))


def _clauses(text: str) -> list[list[str]]:
    text = unicodedata.normalize("NFKD", text[:MAX_TEXT].lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # "isn't" → "isnt": the apostrophe would split the negation in two.
    text = re.sub(r"['\u2019`]", "", text)
    clauses = []
    for clause in _CLAUSE_BREAK.split(f" {text} "):
        words = [_STRETCHED.sub(r"\1", word) for word in _WORD.findall(clause)]
        if words:
            clauses.append(words)
    return clauses


def _is(token: str, word: tuple[tuple[str, ...], tuple[str, ...]]) -> str:
    """The token as the word matched it ("kabelnya" → "kabel"), or "" when it does not."""
    exact, prefixes = word
    if token in exact or any(token.startswith(prefix) for prefix in prefixes):
        return token
    if token.endswith("nya") and token[:-3] in exact:
        return token[:-3]
    return ""


def _match_at(tokens: list[str], start: int, keyword: Keyword) -> tuple[str, ...]:
    """The words of ``keyword`` as written from ``tokens[start]`` on (at most KEYWORD_GAP
    other words between two of them, no negation among those, none just before the first),
    or () when the keyword does not start there."""
    first = _is(tokens[start], keyword.words[0])
    if not first or any(t in NEGATIONS for t in tokens[max(0, start - NEGATION_REACH) : start]):
        return ()

    def rest(position: int, index: int) -> tuple[str, ...] | None:
        if index == len(keyword.words):
            return ()
        for nxt in range(position + 1, min(len(tokens), position + 2 + KEYWORD_GAP)):
            if tokens[nxt] in NEGATIONS:
                return None
            word = _is(tokens[nxt], keyword.words[index])
            if word and (more := rest(nxt, index + 1)) is not None:
                return (word, *more)
        return None

    more = rest(start, 1)
    return (first, *more) if more is not None else ()


def detect_hazard(text: str, keywords: Iterable[str] | None = None) -> tuple[str, ...]:
    """The hazards ``text`` names, as written there ("kbl putus", "tiang miring",
    "konsleting"), in the order they appear; () when none. Case, accents, punctuation,
    stretched letters ("putusss") and "-nya" do not matter. A negated mention does not count,
    nor does it cancel another one ("tidak ada korsleting, tapi kabel menjuntai")."""
    parsed = _parsed(tuple(keywords) if keywords is not None else configured_keywords())
    found: list[tuple[int, int, str]] = []
    for clause, tokens in enumerate(_clauses(text or "")):
        for start in range(len(tokens)):
            for keyword in parsed:
                if words := _match_at(tokens, start, keyword):
                    found.append((clause, start, " ".join(words)))
    return tuple(dict.fromkeys(label for _, _, label in sorted(found)))


def hazard_category() -> Category | None:
    return Category.objects.filter(is_hazard=True, active=True).order_by("sort_order", "pk").first()


def assess(category: Category, description: str) -> Lane | None:
    """The lane of a new report: a hazard category, or any category whose description names a
    hazard (moved to the hazard category when one exists). None for everything else, and
    while history is loaded."""
    if not effects.enabled():
        return None
    matched = detect_hazard(description)
    if category.is_hazard:
        return Lane(category=category, matched=matched)
    if not matched:
        return None
    target = hazard_category()
    if target is None:
        # No hazard category configured: the report keeps its own, still as an emergency.
        return Lane(category=category, matched=matched)
    return Lane(category=target, matched=matched, reported_category=category)


def open_lane(*, case: Case, lane: Lane) -> Case:
    """Called by ``case_open`` in its transaction after the case and its receipt, in place of
    the outage-incident check (a hazard is dispatched on its own): the hazard event, the
    safety message, the supervisors' alert, and the system's verification (which schedules
    the dispatch). Returns the case as verified."""
    from complaints.services import case_transition

    at = clock.now()
    if lane.matched:
        note = str(HAZARD_NOTE % {"words": ", ".join(lane.matched)})
    else:
        note = str(HAZARD_CATEGORY_NOTE)
    if lane.reported_category is not None:
        note += " " + str(
            RECATEGORISED_NOTE
            % {"category": str(lane.reported_category), "hazard": str(lane.category)}
        )
    event = events.record_hazard(
        case,
        SYSTEM,
        at,
        matched=lane.matched,
        reported_category=lane.reported_category.code if lane.reported_category else "",
        note=note,
    )
    queue_customer_notice(case, event, SAFETY_TEMPLATE)
    staff_notices.notify_supervisors(case=case, event=event, alert=HAZARD_REASON)
    return case_transition(actor=SYSTEM, case_id=case.pk, target=CaseStatus.VERIFIED)
