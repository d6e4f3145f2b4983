"""Bulk-load a realistic Aduan dataset into a dedicated benchmark database.

    .venv/bin/python bench/load_cases.py --cases 1000000
    .venv/bin/python bench/load_cases.py --cases 10000000          # tops 1M up to 10M
    .venv/bin/python bench/load_cases.py --cases 1000000 --reset   # truncate, then load

The database (default postgres://postgres@127.0.0.1:5432/aduan_bench) is created if missing and
migrated. Service units, staff users and technicians go through the ORM (a hundred rows;
ServiceUnit.save computes the materialized path). Customers, contacts, cases, case events and
satisfaction survey answers are generated in Python and streamed with COPY; a few active outage
incidents are made from the open outage reports. The run tops up: with N cases present,
``--cases N`` does nothing and ``--cases M`` adds M - N.

    .venv/bin/python bench/load_cases.py --only satisfaction --only incidents

adds just the survey answers and incidents a database loaded before them lacks, without
loading or reloading anything else. See bench/README.md.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import itertools
import json
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/aduan_bench"
RESULTS = REPO / "bench" / "RESULTS.md"
LOAD_LOG = REPO / "bench" / "results" / "load.json"
CHUNK_CASES = 100_000  # per worker, one transaction per chunk: a killed run keeps what it committed
FLUSH_ROWS = 5_000  # rows buffered before a COPY write
DAY = 86_400
NULL = r"\N"

# --- Reference data -----------------------------------------------------------------------------

# (code, name, timezone, lat, lon, [(UP3 code, name, [(ULP code, name, weight), ...]), ...]).
# Weights are each office's share of customers and cases: Java has most customers.
UNITS = [
    (
        "JAYA", "UID Jakarta Raya", "Asia/Jakarta", -6.20, 106.84,
        [
            ("UP3-MTG", "UP3 Menteng", [("ULP-CKN", "ULP Cikini", 6),
                                        ("ULP-KBS", "ULP Kebon Sirih", 5)]),
            ("UP3-BLG", "UP3 Bulungan", [("ULP-KBB", "ULP Kebayoran Baru", 6),
                                         ("ULP-KBL", "ULP Kebayoran Lama", 5)]),
        ],
    ),
    (
        "JABAR", "UID Jawa Barat", "Asia/Jakarta", -6.91, 107.61,
        [
            ("UP3-BDG", "UP3 Bandung", [("ULP-BDU", "ULP Bandung Utara", 6),
                                        ("ULP-CJW", "ULP Cijawura", 5)]),
            ("UP3-BGR", "UP3 Bogor", [("ULP-BGK", "ULP Bogor Kota", 5),
                                      ("ULP-CBN", "ULP Cibinong", 5)]),
        ],
    ),
    (
        "BALI", "UID Bali", "Asia/Makassar", -8.65, 115.22,
        [
            ("UP3-BSL", "UP3 Bali Selatan", [("ULP-KTA", "ULP Kuta", 4),
                                             ("ULP-SNR", "ULP Sanur", 3),
                                             ("ULP-NSD", "ULP Nusa Dua", 2)]),
        ],
    ),
    (
        "SULSEL", "UID Sulselrabar", "Asia/Makassar", -5.14, 119.43,
        [
            ("UP3-MKS", "UP3 Makassar Selatan", [("ULP-MTO", "ULP Mattoanging", 4),
                                                 ("ULP-PNK", "ULP Panakkukang", 4)]),
        ],
    ),
    (
        "PAPUA", "UIW Papua dan Papua Barat", "Asia/Jayapura", -2.53, 140.72,
        [
            ("UP3-JPR", "UP3 Jayapura", [("ULP-ABP", "ULP Abepura", 2),
                                         ("ULP-STN", "ULP Sentani", 2)]),
        ],
    ),
]  # fmt: skip
AGENTS_PER_REGION = 4
SUPERVISORS_PER_REGION = 1
TECHNICIANS_PER_OFFICE = 6
STAFF_PREFIX = "bench."

CHANNEL_WEIGHTS = {
    "app": 30,
    "whatsapp": 25,
    "call_center": 25,
    "social": 8,
    "web": 6,
    "email": 4,
    "open311": 2,
}
CATEGORY_WEIGHTS = {
    "padam-rumah": 35,
    "padam-area": 8,
    "tegangan": 10,
    "bahaya": 3,
    "meter": 10,
    "token": 12,
    "tagihan": 10,
    "info-padam": 5,
    "layanan": 4,
    "lainnya": 3,
}
# Final status by the age of the case (seconds): new cases are still in the queue, old ones
# closed. About 1 % of a year's cases end up open, as in a healthy back office.
STATUS_BY_AGE = [
    (
        2 * 3600,
        {
            "received": 40, "verified": 20, "waiting_customer": 5, "assigned": 15,
            "dispatched": 10, "on_site": 5, "merged": 3, "rejected": 2,
        },
    ),
    (
        DAY,
        {
            "received": 5, "verified": 8, "waiting_customer": 5, "assigned": 8, "dispatched": 5,
            "on_site": 4, "resolved": 45, "closed": 10, "merged": 5, "rejected": 5,
        },
    ),
    (
        7 * DAY,
        {
            "received": 1, "verified": 2, "waiting_customer": 4, "assigned": 1, "dispatched": 0.5,
            "on_site": 0.5, "resolved": 15, "closed": 65, "reopened": 2, "merged": 5,
            "rejected": 4,
        },
    ),
    (
        10**12,
        {
            "verified": 0.2, "waiting_customer": 0.5, "resolved": 1, "closed": 88,
            "reopened": 0.3, "merged": 5, "rejected": 5,
        },
    ),
]  # fmt: skip
FIELD_ONLY = {"assigned", "dispatched", "on_site"}
# Status chains after "received" (each step a declared transition in complaints.workflow).
FIELD_RESOLVE = ["verified", "assigned", "dispatched", "on_site", "resolved"]
DESK_RESOLVE = ["verified", "resolved"]
# Seconds from the previous step: (min, max) per target status.
STEP_GAP = {
    "verified": (120, 3600),
    "waiting_customer": (300, 3600),
    "rejected": (300, 2 * DAY),
    "merged": (60, 1800),
    "assigned": (300, 5400),
    "dispatched": (300, 3600),
    "on_site": (600, 5400),
    "resolved": (900, 3 * 3600),
    "closed": (3600, 3 * DAY),
    "reopened": (3600, 2 * DAY),
}
DESK_RESOLVE_GAP = (3600, 5 * DAY)


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SYL_START = words(
    "A Ba Bu Da De Dwi E Fa Gu Ha He I In Ju Ka Ku Le Ma Me Mu Nu Pu Ra Re Ri Ru Sa Se Si Su "
    "Ta Tri Wa Wi Ya Yu"
)
SYL_MID = words("di ga har ja ko la lia man na ni pra ri san ta ti wan yo ra su me gus ndra")
SYL_END = words(
    "di man no to ti wati yanti sih yah ni ra dra ka na wan yono ati ning rini dewi yadi ah"
)
NAME_TITLES = ("", "", "", "", "", "H. ", "Hj. ", "Ir. ", "Drs. ")
STREETS = words(
    "Merdeka Sudirman Diponegoro Gatot_Subroto Ahmad_Yani Imam_Bonjol Pahlawan Veteran Kartini "
    "Gajah_Mada Hayam_Wuruk Pattimura Teuku_Umar Cendrawasih Melati Mawar Anggrek Kenanga "
    "Flamboyan Cempaka Nusantara Pemuda Garuda Rajawali Kaliurang"
)
VILLAGES = words(
    "Sukamaju Sukajadi Mekarsari Harapan_Jaya Sidomulyo Karanganyar Tegalsari Sumbersari "
    "Kebonsari Margahayu Cibeureum Pasirjaya Tanjung_Rejo Bukit_Indah Suka_Damai"
)
VILLAGE_NAMES = tuple(v.replace("_", " ") for v in VILLAGES)
LANDMARKS = (
    "masjid",
    "sekolah dasar",
    "pasar",
    "gardu",
    "pos ronda",
    "warung",
    "puskesmas",
    "kantor kelurahan",
    "jembatan",
    "tiang listrik nomor 12",
)
# Indonesian mobile prefixes (Telkomsel, Indosat, XL, Axis, Tri, Smartfren).
MOBILE_PREFIXES = words(
    "811 812 813 821 822 823 852 853 814 815 816 855 856 857 858 817 818 819 859 877 878 831 "
    "832 833 838 895 896 897 898 899 881 882 887 888"
)
DESCRIPTIONS = {
    "padam-rumah": (
        "Listrik di rumah padam sejak pukul {h}.{m}, rumah tetangga menyala.",
        "Listrik padam total, MCB sudah dinaikkan tapi tetap mati.",
        "Rumah gelap sejak {h}.{m}, token masih ada {n} kWh.",
    ),
    "padam-area": (
        "Padam satu RT sejak pukul {h}.{m}, sekitar {n} rumah.",
        "Satu kampung padam setelah terdengar ledakan di gardu.",
        "Listrik padam se-kelurahan, belum ada informasi pemadaman.",
    ),
    "tegangan": (
        "Lampu berkedip terus sejak sore, tegangan turun naik.",
        "Tegangan rendah, kulkas dan pompa air tidak mau menyala.",
        "Tegangan naik turun, {n} alat elektronik rusak.",
    ),
    "bahaya": (
        "Tiang listrik miring hampir roboh di depan rumah nomor {n}.",
        "Kabel putus menjuntai ke jalan, keluar percikan api.",
        "Ada percikan api di trafo dekat {l}.",
    ),
    "meter": (
        "kWh meter berbunyi terus dan layar tidak menyala.",
        "Meter prabayar error, muncul tulisan periksa.",
        "Segel meter rusak, angka meter tidak bergerak.",
    ),
    "token": (
        "Token {n} digit ditolak, muncul tulisan gagal.",
        "Sudah beli token tetapi nomor token tidak terkirim.",
        "Token sudah dimasukkan tapi kWh tidak bertambah.",
    ),
    "tagihan": (
        "Tagihan bulan ini naik {n} persen padahal pemakaian sama.",
        "Tagihan ganda untuk bulan yang sama.",
        "Minta rincian tagihan, angka stand meter tidak sesuai.",
    ),
    "info-padam": (
        "Mohon informasi jadwal pemadaman di daerah {v}.",
        "Apakah ada pemeliharaan jaringan minggu ini?",
        "Kapan listrik di daerah kami menyala kembali?",
    ),
    "layanan": (
        "Petugas belum datang padahal sudah dijanjikan kemarin.",
        "Call center lama merespons, sudah menunggu {n} menit.",
        "Petugas yang datang tidak membawa identitas.",
    ),
    "lainnya": (
        "Mohon pemindahan tiang listrik dari depan pagar rumah.",
        "Dahan pohon menyentuh kabel listrik di jalan {v}.",
        "Pertanyaan tentang tambah daya dari {n} VA.",
    ),
}
DEFAULT_DESCRIPTIONS = ("Pengaduan pelanggan nomor {n}.",)
NOTES = (
    "Pelanggan dihubungi, menunggu konfirmasi.",
    "Sudah dikoordinasikan dengan regu yantek.",
    "Pelanggan menelepon lagi menanyakan progres.",
    "Data pelanggan sudah diverifikasi.",
    "Informasi diteruskan ke posko ULP.",
)
MESSAGES = (
    "Laporan Anda sedang kami tangani.",
    "Petugas kami akan segera menuju lokasi.",
    "Mohon kirimkan foto kWh meter Anda.",
)
CUSTOMER_MESSAGES = (
    "Kapan petugas datang?",
    "Sudah lewat dua jam, belum ada petugas.",
    "Ini fotonya.",
    "Terima kasih.",
)
RESOLUTIONS = (
    "Sambungan rumah diperbaiki, listrik menyala.",
    "MCB diganti, listrik normal.",
    "Kabel SR diganti baru.",
    "Penyulang dinormalkan.",
    "Meter diganti.",
    "Token dikirim ulang ke pelanggan.",
    "Koreksi tagihan sudah diproses.",
)
REJECT_REASONS = (
    "Pelanggan belum melengkapi ID pelanggan.",
    "Laporan ganda.",
    "Bukan wewenang PLN (instalasi dalam rumah).",
)
REOPEN_REASON = "Masih padam lagi setelah diperbaiki."
# How many timeline entries a case gets at least (padded with notes and messages).
EVENTS_WANTED = (3, 3, 4, 4, 5, 6)
PADDING_KINDS = ("note", "message", "customer_message")
SOCIAL_KINDS = ("facebook", "instagram", "x")


def say(text: str) -> None:
    """Progress on stdout (this is a command-line tool)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


ONLY_PHASES = ("satisfaction", "incidents")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="total cases wanted")
    parser.add_argument("--customers", type=int, default=100_000, help="total customers wanted")
    parser.add_argument("--months", type=int, default=12, help="cases spread over this period")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reset", action="store_true", help="truncate bench tables first")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument(
        "--workers", type=int, default=2, help="generator processes (one per core is right)"
    )
    parser.add_argument("--no-record", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument(
        "--only",
        action="append",
        choices=ONLY_PHASES,
        help="on a loaded database, run only this phase (repeatable): add the survey answers "
        "or the active incidents the data lacks, without loading customers or cases",
    )
    return parser.parse_args()


# --- Database and Django setup ------------------------------------------------------------------


def ensure_database(url: str) -> None:
    params = psycopg.conninfo.conninfo_to_dict(url)
    name = params.get("dbname")
    if not name:
        raise SystemExit("the database URL must name a database")
    admin_params = {**params, "dbname": "postgres"}
    with psycopg.connect(**admin_params, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"created database {name}")


def setup_django(url: str) -> None:
    sys.path.insert(0, str(REPO))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DATABASE_URL"] = url
    # DEBUG off (`make` exports DJANGO_DEBUG=1); settings then want a key, and the loader
    # needs no secret.
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
    import django

    django.setup()


# Columns the generator does not know about (added to the models after it was written), filled
# with the field's default: table → (columns, "\t..." text appended to every row).
EXTRA_COLUMNS: dict[str, tuple[tuple[str, ...], str]] = {}


def plan_extra_columns(url: str) -> None:
    """COPY names its columns, so a column the loader does not fill gets NULL. Columns that
    exist in the database and have a constant default get that default; a NOT NULL column
    without one stops the run before anything is loaded."""
    from django.db.models import NOT_PROVIDED

    from complaints.models import Case, CaseEvent, Customer, CustomerContact, SatisfactionAnswer

    with psycopg.connect(url) as conn:
        for model, columns in (
            (Case, CASE_COLUMNS),
            (CaseEvent, EVENT_COLUMNS),
            (Customer, CUSTOMER_COLUMNS),
            (CustomerContact, CONTACT_COLUMNS),
            (SatisfactionAnswer, SATISFACTION_COLUMNS),
        ):
            table = model._meta.db_table
            in_db = {
                name
                for (name,) in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                    [table],
                )
            }
            extra, texts = [], []
            for f in model._meta.concrete_fields:
                # Identity primary keys number themselves.
                if f.column in columns or f.column not in in_db or f.primary_key:
                    continue
                if f.has_default():
                    extra.append(f.column)
                    texts.append(copy_text(f.get_default()))
                elif not f.null and f.db_default is NOT_PROVIDED:
                    raise SystemExit(
                        f"bench/load_cases.py does not fill {model.__name__}.{f.name} "
                        "(NOT NULL, no default): add it to the loader"
                    )
            if extra:
                say(f"{table}: filling {', '.join(extra)} with the model defaults")
            EXTRA_COLUMNS[table] = (tuple(extra), "".join("\t" + t for t in texts))


def copy_text(value: object) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


# --- Fast exact SLA arithmetic ------------------------------------------------------------------


@dataclass(frozen=True)
class UnitClock:
    """Working hours of a unit as plain seconds. Indonesian zones have no DST, so a fixed
    UTC offset is exact; checked against complaints.sla on a sample before loading."""

    offset: int
    start: int
    end: int
    # Days (since 1970-01-01, local) the unit is closed: national and its own holidays.
    holidays: frozenset[int] = frozenset()

    def add_working_seconds(self, at: int, seconds: int) -> int:
        holidays = self.holidays
        local = at + self.offset
        day, sec = divmod(local, DAY)
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        if weekday >= 5 or day in holidays or sec >= self.end:
            day, weekday, sec = day + 1, (weekday + 1) % 7, self.start
            while weekday >= 5 or day in holidays:
                day, weekday = day + 1, (weekday + 1) % 7
        sec = max(sec, self.start)
        available = self.end - sec
        if seconds <= available:
            return day * DAY + sec + seconds - self.offset
        seconds -= available
        full = self.end - self.start
        days_needed = -(-seconds // full)  # ceil
        remaining = seconds - (days_needed - 1) * full
        while days_needed:
            day, weekday = day + 1, (weekday + 1) % 7
            if weekday < 5 and day not in holidays:
                days_needed -= 1
        return day * DAY + self.start + remaining - self.offset


def verify_clock(clock: UnitClock, unit, rng: random.Random) -> None:
    from complaints.sla import add_working_minutes

    base = int(time.time()) - 400 * DAY
    for _ in range(500):
        at = base + rng.randrange(400 * DAY)
        minutes = rng.choice(
            (15, 60, 120, 480, 960, 2400, 3600, 4800, 7200, rng.randrange(1, 9000))
        )
        expected = add_working_minutes(datetime.fromtimestamp(at, UTC), minutes, unit).timestamp()
        got = clock.add_working_seconds(at, minutes * 60)
        if got != int(expected):
            raise SystemExit(
                f"bench SLA arithmetic disagrees with complaints.sla for {unit.code} at {at} "
                f"+{minutes} min: {got} != {expected}; update UnitClock"
            )


# --- Identifiers --------------------------------------------------------------------------------

_MASK35 = (1 << 35) - 1


def scramble35(n: int) -> int:
    """A bijection on 35-bit integers (odd multipliers and xor-shifts are invertible), so
    distinct case ids give distinct, random-looking tickets without a uniqueness check."""
    n = (n * 0x5DEECE66D + 0xB) & _MASK35
    n ^= n >> 17
    n = (n * 0x2545F4915) & _MASK35
    n ^= n >> 13
    return n


def ticket_for(case_id: int, alphabet: str, check_symbol: Callable[[str], str]) -> str:
    value = scramble35(case_id)
    body = "".join(alphabet[(value >> shift) & 31] for shift in range(30, -1, -5))
    symbols = body + check_symbol(body)
    return f"ADU-{symbols[:4]}-{symbols[4:]}"


def phone_for(index: int) -> str:
    """E.164 Indonesian mobile number, unique per customer index (< 10^8)."""
    prefix = MOBILE_PREFIXES[index % len(MOBILE_PREFIXES)]
    return f"+62{prefix}{(index * 7_654_321 + 1_234_567) % 100_000_000:08d}"


def make_name(rng: random.Random) -> str:
    def word() -> str:
        middle = rng.choice(SYL_MID) if rng.random() < 0.6 else ""
        return rng.choice(SYL_START) + middle + rng.choice(SYL_END)

    words = [word() for _ in range(rng.choice((1, 2, 2, 2, 3)))]
    return rng.choice(NAME_TITLES) + " ".join(words)


def make_address(rng: random.Random, city: str) -> str:
    street = rng.choice(STREETS).replace("_", " ")
    village = rng.choice(VILLAGES).replace("_", " ")
    return (
        f"Jl. {street} No. {rng.randint(1, 250)}, RT {rng.randint(1, 15):02d}/RW "
        f"{rng.randint(1, 12):02d}, Kel. {village}, {city}"
    )


# --- Timestamps as text -------------------------------------------------------------------------

_HOUR_TEXT: dict[int, str] = {}
_MMSS = [f"{m:02d}:{sec:02d}+00" for m in range(60) for sec in range(60)]


def ts(seconds: int) -> str:
    """COPY text for a UTC timestamp: an hour prefix from a cache and a "MM:SS" table, ten
    times faster than datetime.isoformat (the loader writes ~13 timestamps per case)."""
    hour, rest = divmod(seconds, 3600)
    prefix = _HOUR_TEXT.get(hour)
    if prefix is None:
        day, hour_of_day = divmod(hour, 24)
        prefix = _HOUR_TEXT[hour] = (
            f"{(date(1970, 1, 1) + timedelta(days=day)).isoformat()} {hour_of_day:02d}:"
        )
    return prefix + _MMSS[rest]


def tsn(seconds: int | None) -> str:
    return NULL if seconds is None else ts(seconds)


# --- COPY plumbing ------------------------------------------------------------------------------

CUSTOMER_COLUMNS = (
    "id",
    "id_pelanggan",
    "meter_number",
    "name",
    "address",
    "service_unit_id",
    "area_code",
    "latitude",
    "longitude",
    "created_at",
)
CONTACT_COLUMNS = ("id", "customer_id", "kind", "value", "created_at")
CASE_COLUMNS = (
    "id",
    "ticket",
    "channel",
    "category_id",
    "priority",
    "status",
    "customer_id",
    "reporter_name",
    "reporter_contact_kind",
    "reporter_contact",
    "description",
    "location_text",
    "latitude",
    "longitude",
    "service_unit_id",
    "assigned_agent_id",
    "technician_id",
    "merged_into_id",
    "created_at",
    "updated_at",
    "response_due_at",
    "resolution_due_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "version",
)
# No id: the identity column numbers events (nothing refers to them while loading).
EVENT_COLUMNS = (
    "case_id",
    "created_at",
    "actor_id",
    "actor_label",
    "kind",
    "from_status",
    "to_status",
    "note",
    "data",
)


class CopyStream:
    """One COPY FROM STDIN on its own connection, fed text rows in batches. Separate
    connections let cases and their events stream at the same time while Python generates
    them, so PostgreSQL works on one core while Python works on the other."""

    def __init__(self, conn: psycopg.Connection, table: str, columns: tuple[str, ...]) -> None:
        self.conn = conn
        extra, self.suffix = EXTRA_COLUMNS.get(table, ((), ""))
        self.statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns + extra))
        )
        self.rows: list[str] = []
        self.count = 0
        self._open()

    def _open(self) -> None:
        self._stack = contextlib.ExitStack()
        cursor = self._stack.enter_context(self.conn.cursor())
        self._copy = self._stack.enter_context(cursor.copy(self.statement))

    def add(self, row: str) -> None:
        self.rows.append(row + self.suffix)
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self._copy.write("\n".join(self.rows) + "\n")
            self.count += len(self.rows)
            self.rows = []

    def abort(self, exc: BaseException) -> None:
        """End the COPY with an error (CopyFail) so the connection's lock, held for the whole
        COPY, is free again and the connection can roll back and close."""
        with contextlib.suppress(Exception):
            self._stack.__exit__(type(exc), exc, exc.__traceback__)

    def commit(self, reopen: bool) -> None:
        self.flush()
        self._stack.close()  # ends the COPY, then closes the cursor
        self.conn.commit()
        if reopen:
            self._open()


def connect(url: str) -> psycopg.Connection:
    conn = psycopg.connect(url)
    # Bench data can be reloaded: do not wait for a WAL flush at every chunk commit.
    conn.execute("SET synchronous_commit = off")
    conn.commit()
    try:
        # Foreign keys are checked row by row at commit (~30 us a row here, more than the
        # insert itself), so this session skips the RI triggers and check_integrity()
        # verifies every foreign key set-based afterwards. Only this session is affected:
        # the constraints stay in place for the app. Needs a superuser; without one the
        # load is just slower.
        conn.execute("SET session_replication_role = replica")
        conn.commit()
    except psycopg.errors.InsufficientPrivilege:
        conn.rollback()
    return conn


# --- The generator ------------------------------------------------------------------------------


@dataclass
class Office:
    id: int
    code: str
    city: str
    region_code: str
    lat: float
    lon: float
    clock: UnitClock
    weight: int
    # (user id, username) of the region's agents
    agents: list[tuple[str, str]] = field(default_factory=list)
    # skill → [(technician id, user id, username)]; "" lists every technician of the office
    technicians: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Cat:
    id: int
    code: str
    field_work: bool
    default_priority: int
    hazard: bool
    response_minutes: int
    resolution_minutes: int
    skill: str


def weighted(rng: random.Random, weights: dict) -> Callable[[], str]:
    keys = list(weights)
    cumulative = list(itertools.accumulate(weights[k] for k in keys))
    total = cumulative[-1]
    choose = bisect.bisect_right
    rand = rng.random
    return lambda: keys[min(choose(cumulative, rand() * total), len(keys) - 1)]


def ensure_reference_data(rng: random.Random) -> tuple[list[Office], list[Cat]]:
    from django.contrib.auth.models import Group, User
    from django.db import transaction

    from complaints.models import Category
    from staff.models import ServiceUnit, StaffMember, Technician, UnitKind
    from staff.roles import Role

    offices: list[Office] = []
    with transaction.atomic():
        groups = {g.name: g for g in Group.objects.all()}
        for region_code, region_name, tz, lat, lon, areas in UNITS:
            region, _ = ServiceUnit.objects.get_or_create(
                code=region_code,
                defaults={
                    "name": region_name,
                    "kind": UnitKind.REGION,
                    "timezone": tz,
                    "latitude": lat,
                    "longitude": lon,
                },
            )
            agents: list[tuple[str, str]] = []
            for role, count in (
                (Role.AGENT, AGENTS_PER_REGION),
                (Role.SUPERVISOR, SUPERVISORS_PER_REGION),
            ):
                for n in range(1, count + 1):
                    username = f"{STAFF_PREFIX}{role.value.lower()}.{region_code.lower()}{n}"
                    user = _staff_user(User, username, rng)
                    if not user.groups.exists():
                        user.groups.add(groups[role.value])
                        member, _ = StaffMember.objects.get_or_create(user=user)
                        member.service_units.add(region)
                    if role == Role.AGENT:
                        agents.append((str(user.pk), username))
            for a_index, (area_code, area_name, ulps) in enumerate(areas):
                area, _ = ServiceUnit.objects.get_or_create(
                    code=area_code,
                    defaults={
                        "name": area_name,
                        "kind": UnitKind.AREA,
                        "parent": region,
                        "timezone": tz,
                        "latitude": lat + 0.05 * a_index,
                        "longitude": lon + 0.05 * a_index,
                    },
                )
                for o_index, (code, name, weight) in enumerate(ulps):
                    office, _ = ServiceUnit.objects.get_or_create(
                        code=code,
                        defaults={
                            "name": name,
                            "kind": UnitKind.OFFICE,
                            "parent": area,
                            "timezone": tz,
                            "latitude": area.latitude + 0.02 * o_index,
                            "longitude": area.longitude - 0.02 * o_index,
                        },
                    )
                    technicians = _technicians(office, rng, User, Technician, groups)
                    offices.append(
                        Office(
                            id=office.pk,
                            code=code,
                            city=name.removeprefix("ULP "),
                            region_code=region_code,
                            lat=office.latitude or lat,
                            lon=office.longitude or lon,
                            clock=_clock(office),
                            weight=weight,
                            agents=agents,
                            technicians=technicians,
                        )
                    )
                    verify_clock(offices[-1].clock, office, rng)
    cats = [
        Cat(
            id=c.pk,
            code=c.code,
            field_work=c.is_field_work,
            default_priority=c.default_priority,
            hazard=c.is_hazard,
            response_minutes=c.response_minutes,
            resolution_minutes=c.resolution_minutes,
            skill=c.skill,
        )
        for c in Category.objects.filter(active=True)
    ]
    if not cats:
        raise SystemExit("no active categories: did migration 0003_seed_categories run?")
    return offices, cats


def _staff_user(user_model, username: str, rng: random.Random):
    first, *rest = make_name(rng).replace("H. ", "").replace("Hj. ", "").split() or ["Staf"]
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": " ".join(rest)[:150], "is_staff": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _technicians(office, rng, user_model, technician_model, groups) -> dict:
    from staff.roles import Role

    existing = list(technician_model.objects.filter(service_unit=office).select_related("user"))
    for n in range(len(existing) + 1, TECHNICIANS_PER_OFFICE + 1):
        user = _staff_user(user_model, f"{STAFF_PREFIX}tek.{office.code.lower()}{n}", rng)
        user.is_staff = False
        user.save(update_fields=["is_staff"])
        user.groups.add(groups[Role.TECHNICIAN.value])
        skills = ["distribution", "meter"] if n <= 4 else ["distribution"]
        existing.append(
            technician_model.objects.create(
                user=user,
                service_unit=office,
                phone=phone_for(90_000_000 + office.pk * 100 + n),
                skills=skills,
                on_shift=rng.random() < 0.6,
                latitude=office.latitude,
                longitude=office.longitude,
            )
        )
    by_skill: dict[str, list[tuple[str, str, str]]] = {"": []}
    for tech in existing:
        entry = (str(tech.pk), str(tech.user_id), tech.user.username)
        by_skill[""].append(entry)
        for skill in tech.skills:
            by_skill.setdefault(skill, []).append(entry)
    return by_skill


def _clock(unit) -> UnitClock:
    from complaints.sla import holidays_between

    offset = int(unit.tz.utcoffset(datetime(2026, 1, 1)).total_seconds())  # noqa: DTZ001
    # Cases go back --months (at most a few years); due times run a few weeks ahead.
    today = datetime.now(UTC).date()
    epoch = date(1970, 1, 1)
    holidays = holidays_between(unit, today - timedelta(days=1500), today + timedelta(days=400))
    return UnitClock(
        offset=offset,
        start=unit.work_start.hour * 3600 + unit.work_start.minute * 60,
        end=unit.work_end.hour * 3600 + unit.work_end.minute * 60,
        holidays=frozenset((day - epoch).days for day in holidays),
    )


def next_ids(conn: psycopg.Connection, table: str) -> int:
    row = conn.execute(
        sql.SQL("SELECT coalesce(max(id), 0) FROM {}").format(sql.Identifier(table))
    ).fetchone()
    return row[0] + 1


def load_customers(url: str, offices: list[Office], wanted: int, rng: random.Random) -> int:
    """Customers and their contacts, indexes from the current count up to ``wanted``."""
    with connect(url) as conn:
        have = conn.execute("SELECT count(*) FROM complaints_customer").fetchone()[0]
        if have >= wanted:
            return 0
        customer_id = next_ids(conn, "complaints_customer")
        contact_id = next_ids(conn, "complaints_customercontact")
        pick_office = weighted(rng, {i: o.weight for i, o in enumerate(offices)})
        region_prefix = {r[0]: 51 + i for i, r in enumerate(UNITS)}
        now = int(time.time())
        customers = CopyStream(conn, "complaints_customer", CUSTOMER_COLUMNS)
        rows: list[tuple[int, int]] = []  # (customer id, index) for contacts
        for index in range(have, wanted):
            office = offices[pick_office()]
            # ID pelanggan: a unit prefix and a scrambled serial (unique below 10^7 customers).
            idpel = (
                f"{region_prefix[office.region_code]}{office.id % 1000:03d}"
                f"{(index * 7_919 + 12_345) % 10_000_000:07d}"
            )
            meter = (
                f"{rng.choice((14, 32, 45, 56))}{(index * 104_729 + 777) % 1_000_000_000:09d}"
                if rng.random() < 0.9
                else NULL
            )
            customers.add(
                "\t".join(
                    (
                        str(customer_id),
                        idpel,
                        meter,
                        make_name(rng),
                        make_address(rng, office.city),
                        str(office.id),
                        f"PYL-{office.code[4:]}-{rng.randint(1, 24):02d}",
                        f"{office.lat + rng.uniform(-0.08, 0.08):.6f}",
                        f"{office.lon + rng.uniform(-0.08, 0.08):.6f}",
                        ts(now - rng.randrange(5 * 365 * DAY)),
                    )
                )
            )
            rows.append((customer_id, index))
            customer_id += 1
        customers.commit(reopen=False)
        contacts = CopyStream(conn, "complaints_customercontact", CONTACT_COLUMNS)
        for cid, index in rows:
            phone = phone_for(index)
            created = ts(now - rng.randrange(365 * DAY))
            kinds = []
            if rng.random() < 0.95:
                kinds.append(("phone", phone))
                if rng.random() < 0.6:
                    kinds.append(("whatsapp", phone))
            if rng.random() < 0.3:
                domain = rng.choice(("gmail.com", "yahoo.co.id"))
                kinds.append(("email", f"pelanggan{index}@{domain}"))
            for kind, value in kinds:
                contacts.add(f"{contact_id}\t{cid}\t{kind}\t{value}\t{created}")
                contact_id += 1
        contacts.commit(reopen=False)
        return wanted - have


@dataclass(frozen=True)
class CustomerRow:
    id: int
    office: int  # index into offices
    name: str
    address: str
    phone: str
    email: str


def read_customers(url: str, offices: list[Office]) -> list[CustomerRow]:
    by_unit = {o.id: i for i, o in enumerate(offices)}
    with psycopg.connect(url) as conn:
        contacts: dict[int, dict[str, str]] = {}
        for customer_id, kind, value in conn.execute(
            "SELECT customer_id, kind, value FROM complaints_customercontact "
            "WHERE kind IN ('phone', 'email')"
        ):
            contacts.setdefault(customer_id, {})[kind] = value
        return [
            CustomerRow(cid, by_unit[unit], name, address, c.get("phone", ""), c.get("email", ""))
            for cid, unit, name, address in conn.execute(
                "SELECT id, service_unit_id, name, address FROM complaints_customer ORDER BY id"
            )
            if unit in by_unit
            for c in [contacts.get(cid, {})]
        ]


class CaseFactory:
    """Turns (case id, creation time) into a case row and its event rows, consistent with the
    workflow: each status is reached by a chain of declared transitions, field states have a
    technician, closed cases have closed_at, merged ones point at an earlier case, due times
    follow complaints.sla. Written for speed (it runs 10 million times): local names, text
    built with f-strings, no json.dumps."""

    PRIORITY_FACTOR = {1: 0.5, 2: 0.75, 3: 1.0, 4: 1.5}  # as complaints.sla

    def __init__(
        self,
        rng: random.Random,
        offices: list[Office],
        cats: list[Cat],
        customers: list[CustomerRow],
        now: int,
        alphabet: str,
        check_symbol: Callable[[str], str],
    ) -> None:
        self.rng = rng
        self.offices = offices
        self.customers = customers
        self.now = now
        self.alphabet = alphabet
        self.check_symbol = check_symbol
        self.pick_channel = weighted(rng, CHANNEL_WEIGHTS)
        by_code = {c.code: c for c in cats}
        self.pick_cat = weighted(rng, {code: CATEGORY_WEIGHTS.get(code, 2) for code in by_code})
        self.cat_by_code = by_code
        self.status_pickers = [(age, weighted(rng, table)) for age, table in STATUS_BY_AGE]
        self.pick_office = weighted(rng, {i: o.weight for i, o in enumerate(offices)})
        # The latest case of each office: a duplicate merges into it.
        self.last_case: dict[int, tuple[str, str, CustomerRow | None, Cat]] = {}

    def status_for(self, age: int, cat: Cat) -> str:
        status = "closed"
        for limit, picker in self.status_pickers:
            if age < limit:
                status = picker()
                break
        if status in FIELD_ONLY and not cat.field_work:
            status = "verified"
        return status

    def due(self, office: Office, cat: Cat, priority: int, at: int) -> tuple[int, int]:
        factor = self.PRIORITY_FACTOR.get(priority, 1.0)
        response = max(1, round(cat.response_minutes * factor))
        resolution = max(response, round(cat.resolution_minutes * factor))
        if not cat.field_work:
            return (
                office.clock.add_working_seconds(at, response * 60),
                office.clock.add_working_seconds(at, resolution * 60),
            )
        return at + response * 60, at + resolution * 60

    def chain(self, status: str, cat: Cat) -> list[str]:
        rand = self.rng.random
        resolve = FIELD_RESOLVE if cat.field_work else DESK_RESOLVE
        if status == "received":
            return []
        if status in ("verified", "assigned", "dispatched", "on_site", "resolved"):
            return resolve[: resolve.index(status) + 1]
        if status == "waiting_customer":
            return ["waiting_customer"] if rand() < 0.6 else ["verified", "waiting_customer"]
        if status == "rejected":
            return ["rejected"] if rand() < 0.7 else ["waiting_customer", "rejected"]
        if status == "merged":
            return ["merged"] if rand() < 0.7 else ["verified", "merged"]
        if status in ("closed", "reopened"):
            return [*resolve, status]
        raise ValueError(status)

    def build(self, case_id: int, created: int, cases: CopyStream, events: CopyStream) -> None:
        rand = self.rng.random

        def pick(seq):  # rng.choice without its overhead
            return seq[int(rand() * len(seq))]

        channel = self.pick_channel()
        cat = self.cat_by_code[self.pick_cat()]
        customer = self.customers[int(rand() * len(self.customers))]
        office_index = customer.office
        # Social media, web and email reports often come without an ID pelanggan.
        if channel in ("social", "web", "email", "open311") and rand() < 0.35:
            customer = None
            office_index = self.pick_office()
        office = self.offices[office_index]
        status = self.status_for(self.now - created, cat)
        merge_target = self.last_case.get(office_index) if status == "merged" else None
        if status == "merged" and merge_target is None:
            status = "verified"
        if merge_target is not None:
            # A duplicate: same customer and category as the case it folds into.
            _, _, customer, cat = merge_target
        priority = 1 if cat.hazard else cat.default_priority
        if not cat.hazard and rand() < 0.15:
            priority = min(4, max(1, priority + (1 if rand() < 0.5 else -1)))
        response_due, resolution_due = self.due(office, cat, priority, created)
        steps = self.chain(status, cat)

        # Times of each step; squeezed proportionally when they would run past now.
        gaps = []
        for step in steps:
            low, high = (
                DESK_RESOLVE_GAP if step == "resolved" and not cat.field_work else STEP_GAP[step]
            )
            gaps.append(low + (high - low) * rand())
        total = sum(gaps)
        room = self.now - created - 60
        if total and total > room:
            scale = max(room, 0) / total
            gaps = [g * scale for g in gaps]
        times = []
        at = created
        for gap in gaps:
            at += gap
            times.append(int(at))

        agent_id, agent_name = pick(office.agents)
        assigned_agent = agent_id if channel == "call_center" else NULL
        technician = None
        if "assigned" in steps:
            technician = pick(office.technicians.get(cat.skill) or office.technicians[""])
        first_response = resolved_at = closed_at = None
        merged_into = NULL
        cid = str(case_id)
        ticket = ticket_for(case_id, self.alphabet, self.check_symbol)
        customer_label = f"customer:{channel}"

        ev = events.add
        if channel == "call_center":
            ev(
                f"{cid}\t{ts(created)}\t{agent_id}\t{agent_name}\tcreated\t\treceived\t\t"
                f'{{"channel": "{channel}", "category": "{cat.code}", "priority": {priority}}}'
            )
        else:
            ev(
                f"{cid}\t{ts(created)}\t{NULL}\t{customer_label}\tcreated\t\treceived\t\t"
                f'{{"channel": "{channel}", "category": "{cat.code}", "priority": {priority}}}'
            )
        source = "received"
        for step, at in zip(steps, times, strict=True):
            data = "{}"
            note = ""
            actor, label = agent_id, agent_name
            if step in ("dispatched", "on_site") or (step == "resolved" and cat.field_work):
                _, actor, label = technician
                if step == "resolved":
                    note = pick(RESOLUTIONS)
            elif step == "assigned":
                actor, label = NULL, "system:dispatch"
                data = f'{{"technician": {technician[0]}}}'
            elif step == "verified" and source == "waiting_customer":
                actor, label = NULL, customer_label
            elif step == "closed":
                # The customer confirms in the survey, or the system closes after the wait.
                actor, label = NULL, customer_label if rand() < 0.7 else "system:auto_close"
            elif step == "reopened":
                actor, label, note = NULL, customer_label, REOPEN_REASON
            elif step in ("rejected", "waiting_customer"):
                note = pick(REJECT_REASONS)
            elif step == "resolved":
                note = pick(RESOLUTIONS)
            elif step == "merged":
                merged_into = merge_target[0]
                data = (
                    f'{{"merged_into": {merged_into}, "merged_into_ticket": "{merge_target[1]}"}}'
                )
            if source == "received" and actor is not NULL and first_response is None:
                first_response = at
            if step == "assigned" and first_response is None:
                first_response = at
            if step == "resolved":
                resolved_at = at
            elif step == "closed":
                closed_at = at
            elif step == "reopened":
                # A reopened case gets a fresh resolution target, as in case_transition.
                resolution_due = self.due(office, cat, priority, at)[1]
            when = ts(at)
            ev(f"{cid}\t{when}\t{actor}\t{label}\tstatus_changed\t{source}\t{step}\t{note}\t{data}")
            if step == "merged":
                ev(
                    f"{merged_into}\t{when}\t{actor}\t{label}\tmerged_in\t\t\t\t"
                    f'{{"case": {cid}, "ticket": "{ticket}"}}'
                )
            source = step

        # Notes and messages until the timeline has 3 to 6 entries (a closed field job has 7).
        last = times[-1] if times else created
        extra = max(0, pick(EVENTS_WANTED) - 1 - len(steps))
        horizon = max(last, min(self.now - 30, created + 6 * 3600))
        for _ in range(extra):
            at = created + 1 + int(rand() * max(1, horizon - created))
            kind = pick(PADDING_KINDS)
            if kind == "customer_message":
                actor, label, note = NULL, customer_label, pick(CUSTOMER_MESSAGES)
            else:
                actor, label = agent_id, agent_name
                note = pick(NOTES if kind == "note" else MESSAGES)
                if kind == "message" and first_response is None:
                    first_response = at
            ev(f"{cid}\t{ts(at)}\t{actor}\t{label}\t{kind}\t\t\t{note}\t{{}}")
            last = max(last, at)

        reporter_name, contact_kind, contact = self._reporter(channel, customer, pick)
        description = pick(DESCRIPTIONS.get(cat.code, DEFAULT_DESCRIPTIONS)).format(
            h=f"{int(rand() * 24):02d}",
            m=f"{int(rand() * 12) * 5:02d}",
            n=2 + int(rand() * 39),
            l=pick(LANDMARKS),
            v=pick(VILLAGE_NAMES),
        )
        location = (
            customer.address
            if customer and rand() < 0.8
            else f"Dekat {pick(LANDMARKS)}, {office.city}"
        )
        cases.add(
            f"{cid}\t{ticket}\t{channel}\t{cat.id}\t{priority}\t{status}\t"
            f"{customer.id if customer else NULL}\t{reporter_name}\t{contact_kind}\t{contact}\t"
            f"{description}\t{location}\t"
            f"{office.lat + (rand() - 0.5) * 0.16:.5f}\t{office.lon + (rand() - 0.5) * 0.16:.5f}\t"
            f"{office.id}\t{assigned_agent}\t{technician[0] if technician else NULL}\t"
            f"{merged_into}\t{ts(created)}\t{ts(last)}\t{ts(response_due)}\t"
            f"{ts(resolution_due)}\t{tsn(first_response)}\t{tsn(resolved_at)}\t"
            f"{tsn(closed_at)}\t{1 + len(steps) + extra}"
        )
        self.last_case[office_index] = (cid, ticket, customer, cat)

    def _reporter(
        self, channel: str, customer: CustomerRow | None, pick: Callable
    ) -> tuple[str, str, str]:
        rand = self.rng.random
        name = customer.name if customer and rand() < 0.85 else make_name(self.rng)
        if channel == "app":
            return name, "app", f"plnm-{int(rand() * 10**9):09d}"
        if channel == "social":
            handle = name.split()[-1].lower() + str(int(rand() * 1000))
            return name, pick(SOCIAL_KINDS), "@" + handle
        phone = (
            customer.phone
            if customer and customer.phone
            else phone_for(50_000_000 + int(rand() * 40_000_000))
        )
        if channel == "whatsapp":
            return name, "whatsapp", phone
        if channel == "call_center" or (channel == "web" and rand() < 0.5):
            return name, "phone", phone
        email = (
            customer.email
            if customer and customer.email
            else f"{name.split()[-1].lower()}{int(rand() * 10_000)}@gmail.com"
        )
        return name, "email", email


def creation_times(
    lo: int, hi: int, count: int, now: int, months: int, rng: random.Random
) -> Iterator[int]:
    """Times of cases ``lo``..``hi`` of ``count`` spread over the last ``months``: one per
    slot, so ids grow with creation time as they do in production."""
    span = months * 30 * DAY
    start = now - span
    step = span / count
    for i in range(lo, hi):
        yield int(start + (i + rng.random()) * step)


def load_cases(
    url: str, wanted: int, months: int, seed: int, workers: int, offices, cats
) -> tuple[int, int]:
    """Cases from the current count up to ``wanted``, in ``workers`` processes that each
    take a contiguous slice of ids and creation times. Returns (cases, events) added."""
    from django.db import connections

    customers = read_customers(url, offices)
    if not customers:
        raise SystemExit("no customers in the bench units")
    with psycopg.connect(url) as conn:
        have = conn.execute("SELECT count(*) FROM complaints_case").fetchone()[0]
        first_id = next_ids(conn, "complaints_case")
        events_before = conn.execute("SELECT count(*) FROM complaints_caseevent").fetchone()[0]
    if have >= wanted:
        return 0, 0
    adding = wanted - have
    now = int(time.time())
    bounds = [adding * k // workers for k in range(workers + 1)]
    connections.close_all()  # a forked child must not share the parent's socket
    context = multiprocessing.get_context("fork")  # children inherit customers without pickling
    processes = [
        context.Process(
            target=_case_worker,
            args=(
                url,
                k,
                bounds[k],
                bounds[k + 1],
                adding,
                first_id,
                now,
                months,
                f"{seed}-{have}-{k}",
                offices,
                cats,
                customers,
            ),
        )
        for k in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        raise SystemExit(f"case workers failed with exit codes {failed}")
    with psycopg.connect(url) as conn:
        events_after = conn.execute("SELECT count(*) FROM complaints_caseevent").fetchone()[0]
    return adding, events_after - events_before


def _case_worker(
    url: str,
    worker: int,
    lo: int,
    hi: int,
    count: int,
    first_id: int,
    now: int,
    months: int,
    seed: str,
    offices: list[Office],
    cats: list[Cat],
    customers: list[CustomerRow],
) -> None:
    from complaints import tickets

    rng = random.Random(seed)
    factory = CaseFactory(
        rng, offices, cats, customers, now, tickets.ALPHABET, tickets.check_symbol
    )
    with connect(url) as case_conn, connect(url) as event_conn:
        cases = CopyStream(case_conn, "complaints_case", CASE_COLUMNS)
        events = CopyStream(event_conn, "complaints_caseevent", EVENT_COLUMNS)
        started = time.monotonic()
        total = hi - lo
        try:
            for n, created in enumerate(creation_times(lo, hi, count, now, months, rng), 1):
                factory.build(first_id + lo + n - 1, created, cases, events)
                if n % CHUNK_CASES == 0 or n == total:
                    # Cases first: with foreign keys checked, events need committed cases.
                    cases.commit(reopen=n < total)
                    events.commit(reopen=n < total)
                    rate = n / (time.monotonic() - started)
                    say(
                        f"  [worker {worker}] cases {n:>10,}/{total:,}  "
                        f"events {events.count:>11,}  {rate:,.0f} cases/s"
                    )
        except BaseException as exc:
            cases.abort(exc)
            events.abort(exc)
            raise


# --- Satisfaction survey answers ----------------------------------------------------------------

SATISFACTION_COLUMNS = (
    "case_id",
    "score",
    "fixed",
    "comment",
    "channel",
    "answered_at",
    "answered_on",
    "reopened",
    "service_unit_id",
    "category_id",
)
# Share of closed cases whose reporter answers the survey (per mille). Which cases answer is a
# function of the case id, so a second run, or one after a top-up, answers the same cases and
# adds only the new ones.
SURVEY_ANSWERED_PER_MILLE = 450
SURVEY_NOT_FIXED = 0.15
# Scores: the happy majority gives 4-5; "not fixed" answers are mostly 1-3.
SCORES_FIXED = {5: 50, 4: 34, 3: 10, 2: 4, 1: 2}
SCORES_NOT_FIXED = {1: 32, 2: 28, 3: 25, 4: 10, 5: 5}
SURVEY_COMMENT_SHARE = 0.2
COMMENTS_FIXED = (
    "Terima kasih, petugas cepat datang.",
    "Pelayanan bagus, listrik sudah menyala.",
    "Mantap, respons cepat.",
    "Petugas ramah dan sigap.",
    "Agak lama, tapi sudah beres.",
)
COMMENTS_NOT_FIXED = (
    "Masih padam lagi sore ini.",
    "Lampu masih berkedip.",
    "Belum teratasi, token tetap ditolak.",
    "Tagihan belum dikoreksi.",
    "Petugas tidak datang, tiket ditutup begitu saja.",
)


def answers_survey(case_id: int) -> bool:
    """Whether the reporter of (closed) case ``case_id`` answers the survey: deterministic,
    so re-runs and top-ups never answer a case twice or change which cases answered."""
    return scramble35(case_id + 0x5A17) % 1000 < SURVEY_ANSWERED_PER_MILLE


def load_satisfaction(url: str, seed: int) -> int:
    """One SatisfactionAnswer for ~45 % of the closed cases that have none: 0-3 days after
    closing (most within hours of the "closed" notice), answered_on the unit's local day, 15 %
    "not fixed". Only the answers: the survey's timeline message and the reopening a "not
    fixed" answer triggers in the app are not written (the cases keep their loaded history,
    so this can run on a loaded database without rewriting cases). Returns rows added."""
    from django.conf import settings

    from staff.models import ServiceUnit

    offsets = {
        unit.pk: int(unit.tz.utcoffset(datetime(2026, 1, 1)).total_seconds())  # noqa: DTZ001
        for unit in ServiceUnit.objects.all()
    }
    reopen_window = settings.SURVEY_REOPEN_DAYS * DAY
    now = int(time.time())
    rng = random.Random(f"{seed}-satisfaction")
    rand = rng.random
    pick_fixed = weighted(rng, SCORES_FIXED)
    pick_not_fixed = weighted(rng, SCORES_NOT_FIXED)
    added = 0
    with psycopg.connect(url) as read_conn, connect(url) as write_conn:
        answers = CopyStream(write_conn, "complaints_satisfactionanswer", SATISFACTION_COLUMNS)
        # A named (server-side) cursor streams the closed cases instead of holding them all.
        with read_conn.cursor(name="closed_cases") as closed:
            closed.itersize = FLUSH_ROWS
            closed.execute("""
                SELECT c.id, c.channel, c.service_unit_id, c.category_id,
                       extract(epoch FROM c.closed_at)::bigint
                  FROM complaints_case c
                 WHERE c.status = 'closed'
                   AND NOT EXISTS (SELECT 1 FROM complaints_satisfactionanswer a
                                    WHERE a.case_id = c.id)
                 ORDER BY c.id
            """)
            try:
                for case_id, channel, unit_id, category_id, closed_at in closed:
                    if not answers_survey(case_id):
                        continue
                    # Most answers come within hours of the notice, a few days later at most.
                    delay = int(3 * DAY * rand() ** 2) + 30
                    at = closed_at + delay
                    if at > now - 60:
                        continue  # not answered yet
                    fixed = rand() >= SURVEY_NOT_FIXED
                    score = pick_fixed() if fixed else pick_not_fixed()
                    comment = ""
                    if rand() < SURVEY_COMMENT_SHARE:
                        comments = COMMENTS_FIXED if fixed else COMMENTS_NOT_FIXED
                        comment = comments[int(rand() * len(comments))]
                    # The survey link comes on the channel of the "closed" notice: WhatsApp
                    # reporters mostly reply with a digit, the others answer on the page.
                    answer_channel = channel if channel == "whatsapp" and rand() < 0.8 else "web"
                    local_day = date(1970, 1, 1) + timedelta(days=(at + offsets[unit_id]) // DAY)
                    # As satisfaction.record_answer: "not fixed" within the window reopens.
                    reopened = not fixed and delay <= reopen_window
                    answers.add(
                        f"{case_id}\t{score}\t{copy_text(fixed)}\t{comment}\t{answer_channel}\t"
                        f"{ts(at)}\t{local_day.isoformat()}\t{copy_text(reopened)}\t"
                        f"{unit_id}\t{category_id}"
                    )
                    added += 1
                    if added % CHUNK_CASES == 0:
                        answers.commit(reopen=True)
                        say(f"  satisfaction answers {added:>10,}")
                answers.commit(reopen=False)
            except BaseException as exc:
                answers.abort(exc)
                raise
    return added


# --- Active outage incidents --------------------------------------------------------------------

INCIDENTS_WANTED = 8
INCIDENT_MIN_REPORTERS = 3  # the default link rule's threshold (different customers)
INCIDENT_LOOKBACK = DAY  # open reports of the data set's last day


def load_incidents(url: str, rng: random.Random) -> tuple[int, int]:
    """A few active outage incidents, as complaints.incidents would have made them: for the
    feeders with the most open, unlinked outage reports from at least three customers in the
    data's last hours, an incident (some confirmed, with a crew and an ETR, one partly
    restored) with every such report linked and an ``incident_linked`` event on each case.
    Skipped when the bench units already have an active incident. Returns (incidents,
    linked cases)."""
    now = int(time.time())
    with connect(url) as conn:
        if conn.execute(
            "SELECT count(*) FROM complaints_incident WHERE status IN ('active', 'partial')"
        ).fetchone()[0]:
            say("active incidents present: none added")
            return 0, 0
        feeders = conn.execute(
            """
            SELECT c.service_unit_id, cu.area_code, array_agg(c.id ORDER BY c.created_at, c.id)
              FROM complaints_case c
              JOIN complaints_category cat ON cat.id = c.category_id AND cat.is_outage
              JOIN complaints_customer cu ON cu.id = c.customer_id AND cu.area_code <> ''
             WHERE c.status = ANY(%s) AND c.incident_id IS NULL
               AND c.created_at >= (SELECT max(created_at) FROM complaints_case) - %s
             GROUP BY c.service_unit_id, cu.area_code
            HAVING count(DISTINCT c.customer_id) >= %s
             ORDER BY count(*) DESC, c.service_unit_id, cu.area_code
             LIMIT %s
            """,
            [
                ["received", "verified", "waiting_customer", "assigned", "dispatched", "on_site"],
                timedelta(seconds=INCIDENT_LOOKBACK),
                INCIDENT_MIN_REPORTERS,
                INCIDENTS_WANTED,
            ],
        ).fetchall()
        linked = 0
        for n, (unit_id, area_code, case_ids) in enumerate(feeders):
            first, third, last = conn.execute(
                """SELECT min(created_at), (array_agg(created_at ORDER BY created_at))[%s],
                          max(created_at)
                     FROM complaints_case WHERE id = ANY(%s)""",
                [INCIDENT_MIN_REPORTERS, case_ids],
            ).fetchone()
            lat, lon = conn.execute(
                "SELECT latitude, longitude FROM complaints_case WHERE id = %s", [case_ids[0]]
            ).fetchone()
            crew = None
            if n % 4 != 3:  # most have a crew; one in four still waits for one
                crew = conn.execute(
                    """SELECT t.id, t.user_id, u.username
                         FROM staff_technician t JOIN auth_user u ON u.id = t.user_id
                        WHERE t.service_unit_id = %s AND 'distribution' = ANY(t.skills)
                        ORDER BY t.open_jobs, t.id LIMIT 1""",
                    [unit_id],
                ).fetchone()
            status = "partial" if n == 1 and crew else "active"
            created = third
            crew_at = created + timedelta(minutes=5) if crew else None
            etr = (
                datetime.fromtimestamp(now + 3600 + int(rng.random() * 3 * 3600), UTC)
                if crew
                else None
            )
            updated = max(last, crew_at or created)
            incident_id = conn.execute(
                """INSERT INTO complaints_incident
                       (kind, status, service_unit_id, area_key, area_code, latitude, longitude,
                        radius_m, title, etr, crew_id, crew_assigned_at, started_at,
                        created_at, updated_at, version)
                   VALUES ('fault', %s, %s, %s, %s, %s, %s, 0, '', %s, %s, %s, %s, %s, %s, %s)
                   RETURNING id""",
                [
                    status,
                    unit_id,
                    f"feeder:{area_code}",
                    area_code,
                    lat,
                    lon,
                    etr,
                    crew[0] if crew else None,
                    crew_at,
                    first,
                    created,
                    updated,
                    1 + (2 if crew else 0) + (status == "partial"),
                ],
            ).fetchone()[0]
            code = f"GGN-{incident_id:06d}"
            reports = {"reports": case_ids[:INCIDENT_MIN_REPORTERS]}
            # (time, actor user id, actor label, kind, from status, to status, data)
            history = [
                (created, None, "system:incident", "created", "", "",
                 {**reports, "threshold": INCIDENT_MIN_REPORTERS}),
            ]  # fmt: skip
            if crew:
                # Dispatch books the crew; the crew then sets the ETR (and, on one of them,
                # reports part of the area back on).
                history += [
                    (crew_at, None, "system:dispatch", "crew_assigned", "", "",
                     {"technician": crew[0], "previous": None}),
                    (crew_at, crew[1], crew[2], "etr_set", "", "",
                     {"etr": etr.isoformat(), "previous": None}),
                ]  # fmt: skip
                if status == "partial":
                    history.append(
                        (updated, crew[1], crew[2], "partial", "active", "partial",
                         {"etr": etr.isoformat()})
                    )  # fmt: skip
            with conn.cursor() as cursor:
                cursor.executemany(
                    """INSERT INTO complaints_incidentevent
                           (incident_id, created_at, actor_id, actor_label, kind, from_status,
                            to_status, note, data, fanout_done_at)
                       VALUES (%s, %s, %s, %s, %s, %s, %s, '', %s, %s)""",
                    [
                        (incident_id, at, user, label, kind, source, target, json.dumps(data), at)
                        for at, user, label, kind, source, target, data in history
                    ],
                )
                # Each report is linked when it arrives (the first ones when the threshold is
                # reached), as incidents.on_case_opened does.
                cursor.execute(
                    """UPDATE complaints_case
                          SET incident_id = %(incident)s,
                              incident_linked_at = greatest(created_at, %(created)s),
                              updated_at = greatest(updated_at, created_at, %(created)s),
                              version = version + 1
                        WHERE id = ANY(%(ids)s)""",
                    {"incident": incident_id, "created": created, "ids": case_ids},
                )
                cursor.execute(
                    """INSERT INTO complaints_caseevent
                           (case_id, created_at, actor_label, kind, from_status, to_status,
                            note, data)
                       SELECT id, incident_linked_at, 'system:incident', 'incident_linked',
                              '', '', '', jsonb_build_object('incident', %s::bigint,
                              'code', %s::text, 'automatic', true)
                         FROM complaints_case WHERE id = ANY(%s)""",
                    [incident_id, code, case_ids],
                )
            if crew:
                conn.execute(
                    "UPDATE staff_technician SET open_jobs = open_jobs + 1,"
                    " capacity = greatest(capacity, open_jobs + 1) WHERE id = %s",
                    [crew[0]],
                )
            linked += len(case_ids)
        conn.commit()
    return len(feeders), linked


def finish(url: str) -> None:
    """Sequences past the explicit ids, technicians' open jobs from their booked cases, and
    VACUUM ANALYZE so plans and index-only scans see the real table."""
    with psycopg.connect(url, autocommit=True) as conn:
        for table in (
            "complaints_customer",
            "complaints_customercontact",
            "complaints_case",
            "complaints_caseevent",
        ):
            conn.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
                    "greatest((SELECT max(id) FROM {i}), 1))"
                ).format(t=sql.Literal(table), i=sql.Identifier(table))
            )
        conn.execute("""
            UPDATE staff_technician t
               SET open_jobs = booked.n, capacity = greatest(t.capacity, booked.n)
              FROM (SELECT tech.id, count(c.id)
                               + (SELECT count(*) FROM complaints_incident i
                                   WHERE i.crew_id = tech.id
                                     AND i.status IN ('active', 'partial')) AS n
                      FROM staff_technician tech
                      LEFT JOIN complaints_case c
                        ON c.technician_id = tech.id
                       AND c.status IN ('assigned', 'dispatched', 'on_site')
                     GROUP BY tech.id) booked
             WHERE booked.id = t.id
        """)
        conn.execute("SET maintenance_work_mem = '1GB'")
        for table in (*VACUUMED, "staff_technician", "staff_serviceunit"):
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))


ADDED_TABLES = ("complaints_satisfactionanswer", "complaints_incident", "complaints_incidentevent")
VACUUMED = (
    "complaints_customer",
    "complaints_customercontact",
    "complaints_case",
    "complaints_caseevent",
    *ADDED_TABLES,
)


def vacuum(url: str, tables: tuple[str, ...]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        for table in tables:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))


def check_integrity(url: str) -> dict[str, int]:
    """Set-based checks of what the loader promises (cheap next to the load itself)."""
    checks: dict[str, str | sql.Composed] = {
        "tickets not unique": "SELECT count(*) - count(DISTINCT ticket) FROM complaints_case",
        "cases without created event": """SELECT count(*) FROM complaints_case c
            WHERE NOT EXISTS (SELECT 1 FROM complaints_caseevent e
                              WHERE e.case_id = c.id AND e.kind = 'created')""",
        "last status event disagrees with case": """SELECT count(*) FROM complaints_case c
            JOIN LATERAL (SELECT to_status FROM complaints_caseevent e
                          WHERE e.case_id = c.id AND e.kind IN ('created', 'status_changed')
                          ORDER BY e.created_at DESC, e.id DESC LIMIT 1) last ON true
            WHERE last.to_status <> c.status""",
        "survey answers not matching their closed case": """SELECT count(*)
              FROM complaints_satisfactionanswer a
              JOIN complaints_case c ON c.id = a.case_id
              JOIN staff_serviceunit u ON u.id = a.service_unit_id
             WHERE c.closed_at IS NULL OR a.answered_at < c.closed_at
                OR a.service_unit_id <> c.service_unit_id OR a.category_id <> c.category_id
                OR a.answered_on <> (a.answered_at AT TIME ZONE u.timezone)::date""",
        # Kept by a trigger (complaints migration 0019) that fires in this session's COPY too.
        "cases whose search_name is not their names": """SELECT count(*)
              FROM complaints_case c
              LEFT JOIN complaints_customer cu ON cu.id = c.customer_id
             WHERE c.search_name
                   <> upper(concat_ws(E'\\n', cu.name, nullif(c.reporter_name, '')))""",
        "incident reports not open outage reports of its unit": """SELECT count(*)
              FROM complaints_case c
              JOIN complaints_incident i ON i.id = c.incident_id
              JOIN complaints_category cat ON cat.id = c.category_id
             WHERE i.status IN ('active', 'partial')
               AND (c.service_unit_id <> i.service_unit_id OR NOT cat.is_outage
                    OR c.status IN ('resolved', 'closed', 'rejected', 'merged'))""",
    }
    with psycopg.connect(url) as conn:
        # Every single-column foreign key of the loaded tables, as one anti-join each.
        foreign_keys = conn.execute("""
            SELECT con.conname, con.conrelid::regclass::text, child.attname,
                   con.confrelid::regclass::text, parent.attname
              FROM pg_constraint con
              JOIN pg_attribute child
                ON child.attrelid = con.conrelid AND child.attnum = con.conkey[1]
              JOIN pg_attribute parent
                ON parent.attrelid = con.confrelid AND parent.attnum = con.confkey[1]
             WHERE con.contype = 'f' AND cardinality(con.conkey) = 1
               AND con.conrelid::regclass::text IN ('complaints_case', 'complaints_caseevent',
                   'complaints_customer', 'complaints_customercontact',
                   'complaints_satisfactionanswer')
        """).fetchall()
        for name, table, column, parent, parent_column in foreign_keys:
            checks[f"foreign key {name}"] = sql.SQL(
                "SELECT count(*) FROM {t} c WHERE c.{c} IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM {p} p WHERE p.{pc} = c.{c})"
            ).format(
                t=sql.Identifier(table),
                c=sql.Identifier(column),
                p=sql.Identifier(parent),
                pc=sql.Identifier(parent_column),
            )
        results = {name: conn.execute(query).fetchone()[0] for name, query in checks.items()}
    say(f"integrity: {len(results)} checks, {sum(1 for v in results.values() if v)} failed")
    return results


def table_stats(url: str) -> dict[str, tuple[int, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("""
            SELECT c.relname, c.reltuples::bigint, pg_size_pretty(pg_total_relation_size(c.oid))
              FROM pg_class c
             WHERE c.relname IN ('complaints_case', 'complaints_caseevent',
                                 'complaints_customer', 'complaints_customercontact',
                                 'complaints_satisfactionanswer')
             ORDER BY c.relname
        """).fetchall()
        db_size = conn.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        ).fetchone()[0]
    stats = {name: (count, size) for name, count, size in rows}
    stats["database"] = (0, db_size)
    return stats


def record(run: dict) -> None:
    """Keep every load in bench/results/load.json and rewrite its section of RESULTS.md."""
    LOAD_LOG.parent.mkdir(exist_ok=True)
    runs = json.loads(LOAD_LOG.read_text()) if LOAD_LOG.exists() else []
    runs.append(run)
    LOAD_LOG.write_text(json.dumps(runs, indent=2) + "\n")
    lines = [
        "| when (UTC) | command | added cases | total cases / events / customers | phases (s) "
        "| total | DB size |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in runs[-12:]:
        phases = ", ".join(f"{k} {v:.0f}" for k, v in r["phases"].items())
        lines.append(
            f"| {r['when']} | `{r['command']}` | {r['added_cases']:,} | {r['cases']:,} / "
            f"{r['events']:,} / {r['customers']:,} | {phases} | **{r['seconds'] / 60:.1f} min** "
            f"| {r['db_size']} |"
        )
    replace_section(RESULTS, "load", "\n".join(lines))


def replace_section(path: Path, name: str, body: str) -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    path.write_text(text)


def main() -> None:
    args = parse_args()
    url = args.database_url
    dbname = psycopg.conninfo.conninfo_to_dict(url).get("dbname", "")
    if "bench" not in str(dbname):
        raise SystemExit(f"refusing to load into {dbname!r}: use a database named *bench*")
    only = set(args.only or ())
    if only and args.reset:
        raise SystemExit("--only adds to a loaded database: it does not go with --reset")
    rng = random.Random(args.seed)
    started = time.monotonic()
    phases: dict[str, float] = {}

    def phase(name: str, since: float) -> float:
        phases[name] = time.monotonic() - since
        say(f"{name}: {phases[name]:.1f} s")
        return time.monotonic()

    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command

    mark = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    plan_extra_columns(url)
    mark = phase("migrate", mark)
    if args.reset:
        with psycopg.connect(url, autocommit=True) as conn:
            # CASCADE takes every table that points at cases (attachments, outbox, inbox,
            # survey answers); incidents go too, or the old ones would stay active, empty.
            conn.execute(
                "TRUNCATE complaints_caseevent, complaints_case, complaints_customercontact, "
                "complaints_customer, complaints_incidentevent, complaints_incident "
                "RESTART IDENTITY CASCADE"
            )
        mark = phase("reset", mark)
    added = added_events = added_customers = added_answers = added_incidents = 0
    if not only:
        offices, cats = ensure_reference_data(rng)
        mark = phase("units+staff", mark)
        added_customers = load_customers(url, offices, args.customers, rng)
        say(f"customers added: {added_customers:,}")
        mark = phase("customers", mark)
        added, added_events = load_cases(
            url, args.cases, args.months, args.seed, args.workers, offices, cats
        )
        say(f"cases added: {added:,}, events added: {added_events:,}")
        mark = phase("cases+events", mark)
    if not only or "satisfaction" in only:
        added_answers = load_satisfaction(url, args.seed)
        say(f"satisfaction answers added: {added_answers:,}")
        mark = phase("satisfaction", mark)
    if not only or "incidents" in only:
        added_incidents, linked = load_incidents(url, rng)
        say(f"active incidents added: {added_incidents}, reports linked: {linked}")
        mark = phase("incidents", mark)
    if only:
        # The tables --only writes; the few case rows linked to incidents need no new plans.
        vacuum(url, ADDED_TABLES)
    else:
        finish(url)
    mark = phase("vacuum", mark)
    total = time.monotonic() - started
    problems = check_integrity(url)
    phase("checks", mark)
    stats = table_stats(url)
    say(json.dumps({"integrity": problems, "tables": stats}, indent=2))
    say(f"total load time: {total:.1f} s ({total / 60:.1f} min)")
    if any(problems.values()):
        raise SystemExit(f"integrity problems: {problems}")
    if not args.no_record and (added or added_customers or added_answers or added_incidents):
        record(
            {
                "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
                "command": "bench/load_cases.py " + " ".join(sys.argv[1:]),
                "added_cases": added,
                "added_answers": added_answers,
                "added_incidents": added_incidents,
                "answers": stats["complaints_satisfactionanswer"][0],
                "cases": stats["complaints_case"][0],
                "events": stats["complaints_caseevent"][0],
                "customers": stats["complaints_customer"][0],
                "phases": {k: round(v, 1) for k, v in phases.items()},
                "seconds": round(total, 1),
                "db_size": stats["database"][1],
            }
        )


if __name__ == "__main__":
    main()
