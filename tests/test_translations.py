"""Every string of ours has an English translation, the committed .mo files are compiled from
the committed .po files, and a staff user who picks English reads the console in English.

The catalogs are refreshed in a copy of the source tree with the options of `make messages`
(MESSAGES_OPTIONS in the Makefile), so a string added without a translation fails here, with
its catalog and msgid, until someone runs `make messages` and fills it in."""

import ast
import gettext
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from tests import factories

ROOT = Path(settings.BASE_DIR)
GETTEXT_PROGRAMS = ("xgettext", "msguniq", "msgmerge", "msgattrib", "msgfmt")
CATALOG = Path("locale") / "en" / "LC_MESSAGES" / "django.po"


def ensure_gettext() -> None:
    """makemessages and msgfmt need GNU gettext; install Debian's package when we may."""
    if all(shutil.which(program) for program in GETTEXT_PROGRAMS):
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.fail(
            f"GNU gettext ({', '.join(GETTEXT_PROGRAMS)}) is missing and cannot be installed "
            "here (needs root apt): install the Debian package `gettext`"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "gettext"], check=True, env=env, timeout=1200
    )


def messages_options() -> list[str]:
    """The makemessages options of `make messages`: one definition, in the Makefile."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^MESSAGES_OPTIONS\s*:?=\s*(.+)$", makefile, re.MULTILINE)
    assert match is not None, "MESSAGES_OPTIONS is missing from the Makefile"
    return shlex.split(match.group(1))


# --- A small reader of .po files (the test must not need polib) ---


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def untranslated(self) -> bool:
        return not self.msgstrs or any(not text for text in self.msgstrs)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def read_po(path: Path) -> list[Entry]:
    """Entries in file order, the header (msgid "") included; obsolete (#~) entries skipped."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        fields: dict[str, str] = {}
        flags: set[str] = set()
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                fields[key] += ast.literal_eval(line)
            else:
                key, _, quoted = line.partition(" ")
                fields[key] = ast.literal_eval(quoted)
        if "msgid" not in fields:
            continue
        msgstrs = [text for name, text in fields.items() if name.startswith("msgstr")]
        context, plural = fields.get("msgctxt"), fields.get("msgid_plural")
        entries.append(Entry(fields["msgid"], context, plural, msgstrs, flags))
    return entries


def catalogs(root: Path) -> list[Path]:
    found = list(root.glob(f"*/{CATALOG}"))
    if (root / CATALOG).exists():
        found.append(root / CATALOG)
    return sorted(found)


def committed_catalogs() -> list[Path]:
    return [path for path in catalogs(ROOT) if not path.is_relative_to(ROOT / ".venv")]


# --- The catalogs refreshed from the sources, in a copy of the tree ---


def source_tree_parts() -> list[Path]:
    """What makemessages reads: our apps (with their locale dirs), templates, config (the
    LANGUAGES names) and the project locale dir; manage.py is copied beside them."""
    local_apps = {Path(app.path) for app in apps.get_app_configs() if Path(app.path).parent == ROOT}
    parts = {*local_apps, ROOT / "templates", ROOT / "config", ROOT / "locale"}
    return sorted(part for part in parts if part.exists())


@pytest.fixture(scope="module")
def refreshed_tree(tmp_path_factory) -> Path:
    ensure_gettext()
    tree = tmp_path_factory.mktemp("aduan-messages")
    for part in source_tree_parts():
        shutil.copytree(
            part, tree / part.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    shutil.copy2(ROOT / "manage.py", tree / "manage.py")
    # As `make messages` runs it: manage.py picks the settings, the Makefile sets DJANGO_DEBUG.
    env = {**os.environ, "DJANGO_DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", *messages_options()],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return tree


def test_every_msgid_has_an_english_translation(refreshed_tree: Path) -> None:
    problems = []
    for path in catalogs(refreshed_tree):
        for entry in read_po(path):
            if entry.fuzzy or (entry.msgid and entry.untranslated):
                state = "fuzzy" if entry.fuzzy else "empty"
                problems.append(f"{path.relative_to(refreshed_tree)} [{state}] {entry.msgid!r}")

    assert catalogs(refreshed_tree), "makemessages wrote no catalog"
    if problems:
        pytest.fail(
            f"{len(problems)} strings need an English translation: run `make messages`, fill "
            "these msgstr (and remove `#, fuzzy`), then run `make messages` again:\n"
            + "\n".join(problems),
            pytrace=False,
        )


def test_a_string_in_several_catalogs_has_one_translation() -> None:
    # Django merges every catalog into one mapping (LOCALE_PATHS over apps, earlier apps over
    # later ones), so a msgid translated differently in two catalogs silently loses one; a word
    # with two meanings needs a context (pgettext_lazy, {% translate ... context ... %}).
    seen: dict[tuple[str | None, str], dict[tuple[str, ...], list[str]]] = {}
    for path in committed_catalogs():
        for entry in read_po(path):
            if entry.msgid and not entry.untranslated and not entry.fuzzy:
                translations = seen.setdefault((entry.msgctxt, entry.msgid), {})
                translations.setdefault(tuple(entry.msgstrs), []).append(
                    str(path.relative_to(ROOT).parts[0])
                )

    conflicts = {key: translations for key, translations in seen.items() if len(translations) > 1}

    assert conflicts == {}


def compiled(path: Path) -> dict:
    with path.open("rb") as mo:
        # GNUTranslations keeps the msgid → msgstr mapping in _catalog (plural forms are keyed
        # (msgid, n)); comparing it is comparing what Django will serve.
        return gettext.GNUTranslations(mo)._catalog


def is_git_ignored(path: Path) -> bool:
    """A fresh machine may have no msgfmt: the .mo files must be in the repository."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return False
    result = subprocess.run(
        ["git", "check-ignore", "--quiet", str(path)], cwd=ROOT, timeout=60, check=False
    )
    return result.returncode == 0


def test_committed_mo_files_are_compiled_from_the_committed_po_files(tmp_path: Path) -> None:
    ensure_gettext()
    stale = []
    for po in committed_catalogs():
        mo = po.with_suffix(".mo")
        name = str(po.relative_to(ROOT))
        if not mo.exists():
            stale.append(f"{name}: no .mo")
            continue
        fresh = tmp_path / name.replace("/", "_").replace(".po", ".mo")
        # The same msgfmt options as compilemessages.
        subprocess.run(
            ["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True, timeout=120
        )
        if compiled(fresh) != compiled(mo):
            stale.append(f"{name}: the .mo differs from the .po")
        if is_git_ignored(mo):
            stale.append(f"{name}: the .mo is ignored by git")

    assert committed_catalogs()
    assert stale == [], "run `make messages` and commit the .mo files: " + "; ".join(stale)


# --- A staff user who picks English reads English ---


class VisibleText(HTMLParser):
    """The text a user reads: text nodes outside script/style, and the attributes shown."""

    SHOWN_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden += 1
        shown = dict(attrs)
        self.parts += [value for name, value in attrs if name in self.SHOWN_ATTRIBUTES and value]
        if tag == "input" and shown.get("type") in {"submit", "button"} and shown.get("value"):
            self.parts.append(shown["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[-#0 +]*\d*(?:\.\d+)?[sdfr]")


def literal(text: str) -> str:
    """A string with placeholders is looked for by its longest literal part."""
    return max(PLACEHOLDER.split(text), key=len).strip()


def our_translations() -> Iterator[Entry]:
    for path in committed_catalogs():
        yield from (entry for entry in read_po(path) if entry.msgid and entry.msgstrs)


def words(text: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")


def indonesian_in(text: str) -> list[str]:
    """Our msgids on the page that read differently in English ("WhatsApp" does not). English
    that quotes Indonesian on purpose ("ID pelanggan (customer ID)", "Bahasa Indonesia" in
    the language menu) is taken out first."""
    entries = list(our_translations())
    indonesian = {literal(entry.msgid) for entry in entries if entry.msgid not in entry.msgstrs}
    found = {msgid for msgid in indonesian if len(msgid) > 1 and words(msgid).search(text)}
    english = {literal(msgstr) for entry in entries for msgstr in entry.msgstrs}
    quoting = sorted(
        (line for line in english if any(words(msgid).search(line) for msgid in found)),
        key=len,
        reverse=True,
    )
    for line in quoting:
        text = words(line).sub(" ", text)
    return sorted(msgid for msgid in found if words(msgid).search(text))


def test_staff_user_who_picks_english_reads_the_console_in_english(world, client) -> None:
    customer = factories.make_customer(world.unit_a, name="Dewi Lestari")
    case = factories.open_case(customer=customer, description="No power since 7 am")
    client.force_login(world.agent_a)

    switched = client.post(reverse("staff_set_language"), {"language": "en", "next": "/admin/"})
    pages = {
        name: visible_text(client.get(url).content.decode())
        for name, url in {
            "changelist": reverse("admin:complaints_case_changelist"),
            "case": reverse("admin:complaints_case_change", args=[case.pk]),
            "phone": reverse("admin:complaints_case_phone"),
        }.items()
    }

    assert switched.status_code == 302
    assert "Log a phone complaint" in pages["changelist"]
    assert "Take over this complaint" in pages["case"]
    assert re.search(r"remaining \d+ h \d\d m", pages["case"])
    assert "Find the customer" in pages["phone"]
    assert {name: indonesian_in(text) for name, text in pages.items()} == {
        "changelist": [],
        "case": [],
        "phone": [],
    }


def test_staff_user_reads_indonesian_by_default(world, client) -> None:
    client.force_login(world.agent_a)

    text = visible_text(client.get(reverse("admin:complaints_case_phone")).content.decode())

    assert "Find the customer" not in text
    # The check the English pages pass does see Indonesian.
    assert {"Cari pelanggan", "Simpan pengaduan"} <= set(indonesian_in(text))
