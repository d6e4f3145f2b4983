"""Free-text hints for channels without a category menu (e-mail): which complaint category and
which language. Keyword rules, ordered from the most specific; "" means "let intake use its
default" (a desk category an agent triages)."""

import re

# (category code, keywords). First match wins: a hazard outranks an outage, an area outage a
# house outage, a token problem a meter problem (token mail mentions the meter too).
CATEGORY_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "bahaya",
        (
            "tiang roboh",
            "tiang miring",
            "kabel putus",
            "kabel jatuh",
            "kabel menjuntai",
            "percikan api",
            "korsleting",
            "konslet",
            "kebakaran",
            "tersengat",
            "kesetrum",
            "bahaya",
            "fallen pole",
            "broken wire",
            "sparks",
            "hazard",
        ),
    ),
    (
        "info-padam",
        ("jadwal pemadaman", "informasi pemadaman", "info pemadaman", "pemadaman bergilir"),
    ),
    (
        "padam-area",
        (
            "padam meluas",
            "satu kampung",
            "satu komplek",
            "satu kompleks",
            "satu desa",
            "satu rt",
            "satu rw",
            "sekampung",
            "se-rt",
            "se-rw",
            "seluruh perumahan",
            "area outage",
            "whole neighbourhood",
            "whole neighborhood",
        ),
    ),
    (
        "token",
        ("token", "prabayar", "pulsa listrik", "stroom", "reject", "kwh tidak bertambah"),
    ),
    (
        "tegangan",
        ("berkedip", "kedip", "tegangan", "voltase", "voltage", "flicker", "redup", "naik turun"),
    ),
    (
        "padam-rumah",
        (
            "padam",
            "listrik mati",
            "mati listrik",
            "lampu mati",
            "tidak ada listrik",
            "tidak menyala",
            "gangguan listrik",
            "power outage",
            "power cut",
            "no power",
            "blackout",
        ),
    ),
    ("meter", ("kwh meter", "meteran", "meter rusak", "mcb", "periksa", "segel", "meter")),
    (
        "tagihan",
        (
            "tagihan",
            "rekening",
            "tarif",
            "pembayaran",
            "bayar",
            "lonjakan",
            "bill",
            "billing",
            "invoice",
        ),
    ),
)

_EN = frozenset(
    [
        "the",
        "and",
        "is",
        "are",
        "my",
        "our",
        "please",
        "since",
        "there",
        "no",
        "not",
        "have",
        "has",
        "electricity",
        "power",
        "was",
        "were",
        "this",
        "that",
        "with",
        "from",
        "hello",
        "dear",
        "thank",
        "you",
    ]
)
_ID = frozenset(
    [
        "yang",
        "dan",
        "di",
        "ke",
        "tidak",
        "listrik",
        "saya",
        "kami",
        "sejak",
        "mohon",
        "ini",
        "itu",
        "sudah",
        "belum",
        "ada",
        "dengan",
        "dari",
        "halo",
        "terima",
        "kasih",
        "bapak",
        "ibu",
    ]
)
_WORD = re.compile(r"[a-z]+")
# Whole words and phrases only: "periksa" (the meter's PERIKSA code) must not match
# "mohon diperiksa", which any complaint may say.
_PATTERNS = tuple(
    (code, re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keywords) + r")\b"))
    for code, keywords in CATEGORY_RULES
)


def guess_category(*texts: str) -> str:
    text = " ".join(t for t in texts if t).lower()[:20_000]
    for code, pattern in _PATTERNS:
        if pattern.search(text):
            return code
    return ""


def guess_language(text: str) -> str:
    """ "en" when the text reads clearly as English, else "" (the Indonesian default)."""
    words = _WORD.findall(text.lower()[:5_000])
    english = sum(word in _EN for word in words)
    indonesian = sum(word in _ID for word in words)
    return "en" if english >= 3 and english > 2 * indonesian else ""
