"""Tables shown on the dashboards. One structure feeds both the HTML table and its CSV export,
so every table on a page can be downloaded exactly as shown (raw numbers in the CSV)."""

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from staff.dashboards.metrics import format_minutes, format_number, format_percent


class Kind:
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"  # one decimal place
    PERCENT = "percent"
    MINUTES = "minutes"
    DATE = "date"
    WHEN = "when"  # a time already formatted for the unit ("02 Mar 2026 08:00 WIB")
    CODE = "code"  # a ticket number: never broken over two lines


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = Kind.TEXT

    @property
    def numeric(self) -> bool:
        return self.kind not in (Kind.TEXT, Kind.DATE, Kind.WHEN, Kind.CODE)

    @property
    def css(self) -> str:
        if self.numeric:
            return "num"
        return "nowrap" if self.kind in (Kind.DATE, Kind.WHEN, Kind.CODE) else ""

    @property
    def csv_label(self) -> str:
        if self.kind == Kind.MINUTES:
            return _("%(label)s (menit)") % {"label": self.label}
        return str(self.label)


@dataclass(frozen=True)
class Value:
    """A figure that brings its own kind, in a column of mixed figures (the summary)."""

    raw: float | None
    kind: str


@dataclass(frozen=True)
class Link:
    text: str
    url: str

    def __str__(self) -> str:
        return str(self.text)


@dataclass
class Table:
    key: str
    title: str
    columns: Sequence[Column]
    rows: list[Sequence] = field(default_factory=list)
    empty_text: str = ""
    # A link to the full list (the case queue, filtered), when the table shows only the top.
    more_url: str = ""
    more_text: str = ""

    def as_html(self) -> SafeString:
        """The table as HTML, built here rather than in a template loop: a long range has
        thousands of cells, and the template engine (or format_html per cell) took longer
        than the database took for the whole page. Every text and URL is escaped."""
        if not self.rows:
            return format_html(
                '<p class="dash-empty" data-empty="{}">{}</p>',
                self.key,
                self.empty_text or _("Tidak ada data."),
            )
        head = "".join(
            f'<th scope="col"{_css(column)}>{escape(column.label)}</th>' for column in self.columns
        )
        body = "\n".join(f"<tr>{self._cells(row)}</tr>" for row in self.rows)
        html = (
            f'<table class="dash-table" data-table="{escape(self.key)}"><thead><tr>{head}'
            f"</tr></thead><tbody>{body}</tbody></table>"
        )
        if self.more_text:
            more = escape(self.more_text)
            if self.more_url:
                more = f'<a href="{escape(self.more_url)}">{more}</a>'
            html += f'<p class="dash-more">{more}</p>'
        return mark_safe(html)  # noqa: S308 - every text above went through escape()

    def _cells(self, row: Sequence) -> str:
        cells = []
        for value, column in zip(row, self.columns, strict=True):
            text = escape(_display(value, column.kind))
            if isinstance(value, Link):
                text = f'<a href="{escape(value.url)}">{text}</a>'
            cells.append(f"<td{_css(column)}>{text}</td>")
        return "".join(cells)


def _css(column: Column) -> str:
    # Column.css is one of three constants, never user input.
    return f' class="{column.css}"' if column.css else ""


def date_text(day: date, fmt: str = "D, d M Y") -> str:
    return _date_text(day, fmt, get_language())


@lru_cache(maxsize=4096)
def _date_text(day: date, fmt: str, language: str) -> str:
    # Formatting a date looks up translated month and day names: the same few hundred dates
    # come back in every chart label and table row (``language`` keys the cache).
    return date_format(day, fmt)


def _display(value, kind: str) -> str:
    if isinstance(value, Value):
        return _display(value.raw, value.kind)
    if value is None:
        return "—"
    if kind == Kind.INT:
        return format_number(value)
    if kind == Kind.DECIMAL:
        return format_number(value, 1)
    if kind == Kind.PERCENT:
        return format_percent(value)
    if kind == Kind.MINUTES:
        return format_minutes(value)
    if kind == Kind.DATE and isinstance(value, date):
        return date_text(value)
    return str(value)


def _raw(value, kind: str) -> str:
    """CSV values: machine-readable (ISO dates, dot decimals), not the page's formatting."""
    if isinstance(value, Value):
        return _raw(value.raw, value.kind)
    if value is None:
        return ""
    if kind in (Kind.DECIMAL, Kind.PERCENT, Kind.MINUTES) and isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_response(table: Table, *, filename: str) -> HttpResponse:
    """UTF-8 with a byte-order mark, so Excel opens Indonesian names correctly."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([column.csv_label for column in table.columns])
    for row in table.rows:
        writer.writerow(
            [_raw(value, column.kind) for value, column in zip(row, table.columns, strict=True)]
        )
    return response
