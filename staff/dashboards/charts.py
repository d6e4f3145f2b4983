"""Charts as server-rendered SVG: no JavaScript, no CDN, nothing to download. Text takes the
page's colours (currentColor and the admin's CSS variables), so charts read in light and dark
mode; every bar and point carries a <title> that browsers show on hover and screen readers
read. Labels arrive translated; this module only draws."""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from staff.dashboards.metrics import format_number

# Tableau 10: distinguishable, also for the common colour-vision deficiencies.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
)
OTHER_COLOR = "#bab0ac"
WIDTH = 720
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 12, 34
MAX_X_LABELS = 12
# Bar lists sit in half-width sections: a narrower drawing keeps their text at page size.
HBAR_WIDTH = 480
BAR_ROW = 24
LABEL_WIDTH = 170
LABEL_CHARS = 26
GRID = 'stroke="var(--hairline-color, #ddd)" stroke-width="1"'
TEXT = 'fill="currentColor"'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    legend: Sequence[tuple[str, str]] = ()  # (name, colour)
    empty: bool = False


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def nice_ceiling(value: float, ticks: int = 4) -> tuple[float, float]:
    """An axis maximum and step of 1, 2, 2.5 or 5 x 10^k that covers ``value``."""
    if value <= 0:
        return 1.0, 1.0 / ticks if ticks else 1.0
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    return step * math.ceil(value / step), step


def _svg(height: int, title: str, body: list[str], *, kind: str, width: int = WIDTH) -> SafeString:
    return mark_safe(  # noqa: S308 - every label in body went through escape()
        f'<svg class="chart chart-{kind}" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'style="font: 12px system-ui, sans-serif; max-width: {width * 1.25:.0f}px">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _empty(title: str, text: str, kind: str, width: int = WIDTH, height: int = HEIGHT) -> Chart:
    body = [
        f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" {TEXT} '
        f'opacity="0.7">{escape(text)}</text>'
    ]
    return Chart(svg=_svg(height, title, body, kind=kind, width=width), empty=True)


def _y_axis(y_max: float, step: float, fmt: Callable[[float], str]) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = []
    tick = 0.0
    while tick <= y_max + step / 1000:
        y = TOP + plot_h - plot_h * tick / y_max
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" {GRID}/>')
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" {TEXT}>'
            f"{escape(fmt(tick))}</text>"
        )
        tick += step
    return parts


def _x_labels(labels: Sequence[str], slot: float) -> list[str]:
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    parts = []
    for index, label in enumerate(labels):
        if index % every:
            continue
        x = LEFT + slot * (index + 0.5)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" {TEXT}>'
            f"{escape(label)}</text>"
        )
    return parts


def stacked_bars(
    *,
    title: str,
    labels: Sequence[str],
    long_labels: Sequence[str],
    series: Sequence[Series],
    empty_text: str,
) -> Chart:
    """One bar per label, stacked by series (e.g. complaints per day by channel)."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    if not labels or not any(totals):
        return _empty(title, empty_text, "stacked")
    y_max, step = nice_ceiling(max(totals))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / len(labels)
    bar = max(1.0, slot * 0.78)
    body = _y_axis(y_max, step, format_number)
    for index in range(len(labels)):
        x = LEFT + slot * index + (slot - bar) / 2
        base = TOP + plot_h
        for s in series:
            value = s.values[index] or 0
            if not value:
                continue
            h = plot_h * value / y_max
            base -= h
            tip = f"{long_labels[index]} · {s.name}: {format_number(value)}"
            body.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{s.color}"><title>{escape(tip)}</title></rect>'
            )
    body += _x_labels(labels, slot)
    legend = [(s.name, s.color) for s in series]
    return Chart(svg=_svg(HEIGHT, title, body, kind="stacked"), legend=legend)


def lines(
    *,
    title: str,
    labels: Sequence[str],
    long_labels: Sequence[str],
    series: Sequence[Series],
    y_max: float,
    fmt: Callable[[float], str],
    empty_text: str,
) -> Chart:
    """Lines over the labels; a None value breaks the line (no data that day)."""
    if not labels or all(v is None for s in series for v in s.values):
        return _empty(title, empty_text, "line")
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / len(labels)
    _, step = nice_ceiling(y_max)
    body = _y_axis(y_max, step, fmt)
    for s in series:
        segment: list[str] = []
        segments = [segment]
        for index, value in enumerate(s.values):
            if value is None:
                segment = []
                segments.append(segment)
                continue
            x = LEFT + slot * (index + 0.5)
            y = TOP + plot_h - plot_h * min(value, y_max) / y_max
            segment.append(f"{x:.1f},{y:.1f}")
            tip = f"{long_labels[index]} · {s.name}: {fmt(value)}"
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{s.color}">'
                f"<title>{escape(tip)}</title></circle>"
            )
        for points in segments:
            if len(points) > 1:
                body.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{s.color}" '
                    'stroke-width="2"/>'
                )
    body += _x_labels(labels, slot)
    legend = [(s.name, s.color) for s in series]
    return Chart(svg=_svg(HEIGHT, title, body, kind="line"), legend=legend)


def horizontal_bars(
    *,
    title: str,
    items: Sequence[tuple[str, float | None, str]],
    empty_text: str,
    bar_color: str = PALETTE[0],
) -> Chart:
    """One labelled bar per item: (label, value, value as shown)."""
    values = [value or 0 for _, value, _ in items]
    if not items or not any(values):
        return _empty(title, empty_text, "hbar", width=HBAR_WIDTH, height=80)
    height = TOP + BAR_ROW * len(items) + 8
    right_text = 70
    plot_w = HBAR_WIDTH - LABEL_WIDTH - right_text
    top = max(values)
    body = []
    for index, (label, value, shown) in enumerate(items):
        y = TOP + BAR_ROW * index
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        w = plot_w * (value or 0) / top
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" {TEXT}>'
            f"<title>{escape(label)}</title>{escape(short)}</text>"
        )
        body.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{max(w, 1 if value else 0):.1f}" '
            f'height="{BAR_ROW - 8}" fill="{bar_color}" rx="2">'
            f"<title>{escape(label)}: {escape(shown)}</title></rect>"
        )
        body.append(
            f'<text x="{LABEL_WIDTH + w + 6:.1f}" y="{y + 16}" {TEXT}>{escape(shown)}</text>'
        )
    return Chart(svg=_svg(height, title, body, kind="hbar", width=HBAR_WIDTH))
