"""Plain text out of mail bodies: HTML to text, and the new part of a reply without the quoted
history under it. Pure functions; they never raise on odd input."""

import contextlib
import re
from html.parser import HTMLParser

# Elements whose content is never text a person wrote.
_SKIPPED = frozenset({"head", "style", "script", "title", "template", "noscript"})
_BLOCK = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "div",
        "dl",
        "dt",
        "dd",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    }
)
# Quoted history in HTML mail: Gmail, Outlook (desktop and web), Apple Mail, Yahoo, Thunderbird.
_QUOTE_MARKERS = ("gmail_quote", "divrplyfwdmsg", "appendonsend", "yahoo_quoted", "moz-cite-prefix")


class _TextExtractor(HTMLParser):
    def __init__(self, *, drop_quotes: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.drop_quotes = drop_quotes
        self.parts: list[str] = []
        self._skip_depth = 0
        # Depth counter of open elements inside a quoted block, to know where it ends.
        self._quote_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._quote_depth:
            if tag not in _VOID:
                self._quote_depth += 1
            return
        if tag in _SKIPPED:
            self._skip_depth += 1
            return
        if self.drop_quotes and tag not in _VOID and _is_quote(tag, attrs):
            self._quote_depth = 1
            return
        if tag == "br" or tag in _BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self._quote_depth and not self._skip_depth and tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._quote_depth:
            if tag not in _VOID:
                self._quote_depth -= 1
            return
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip_depth or self._quote_depth:
            return
        self.parts.append(re.sub(r"\s+", " ", data))


_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def _is_quote(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    values = dict(attrs)
    if tag == "blockquote" and (
        values.get("type") == "cite" or "gmail_quote" in (values.get("class") or "")
    ):
        return True
    marker = f"{values.get('class') or ''} {values.get('id') or ''}".lower()
    return any(name in marker for name in _QUOTE_MARKERS)


def html_to_text(html: str, *, drop_quotes: bool = False) -> str:
    """Readable text of an HTML body: block elements become line breaks, scripts and styles
    vanish, entities are decoded."""
    parser = _TextExtractor(drop_quotes=drop_quotes)
    # HTMLParser is lenient; should it still give up, we keep the text it collected.
    with contextlib.suppress(Exception):
        parser.feed(html)
        parser.close()
    return tidy("".join(parser.parts))


def tidy(text: str) -> str:
    """Trim every line, drop NULs and collapse runs of blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [line.strip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()


# A line that starts the quoted original in a reply: "On Mon, 3 Mar 2025, Budi wrote:",
# "Pada tanggal … menulis:", Outlook's "-----Original Message-----" or its From:/Sent: block.
_REPLY_HEADER = re.compile(
    r"^(?:"
    r"On\s.{1,200}\swrote:|"
    r"Pada\s.{1,200}\s(?:menulis|wrote):|"
    r"-{2,}\s*(?:Original Message|Pesan Asli|Forwarded message|Pesan yang diteruskan)\s*-{2,}|"
    r"_{10,}|"
    r"(?:From|Dari):\s.+"
    r")\s*$",
    re.IGNORECASE,
)
_OUTLOOK_NEXT = re.compile(r"^(?:Sent|Date|Dikirim|Tanggal|To|Kepada|Subject|Perihal):", re.I)


def strip_quoted_reply(text: str) -> str:
    """The part of a reply the sender wrote now: everything above the quoted original. Falls
    back to the whole text when that would leave nothing."""
    lines = text.split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        if _REPLY_HEADER.match(stripped):
            if stripped.lower().startswith(("from:", "dari:")):
                following = [ln.strip() for ln in lines[index + 1 : index + 4]]
                if not any(_OUTLOOK_NEXT.match(ln) for ln in following):
                    kept.append(line)
                    continue
            break
        kept.append(line)
    new = tidy("\n".join(kept))
    return new or tidy(text)
