"""Charts drawn as SVG on the server: bar (grouped), stacked bar and line.

No JavaScript and no asset to serve: the markup is part of the page, so the CSP needs no
exception and the chart prints and scales like text (decision 0030). Every chart is an
`<svg role="img">` named by its own `<title>` and `<desc>`, draws on its own white
background in colours with at least 3:1 contrast against it (WCAG 1.4.11), tells series
apart by more than colour (a legend in words, white gaps between stacked parts, a marker
shape and dash per line) and scales to any width through its viewBox. The numbers are
always in a table next to it; the chart only shows them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 72
BACKGROUND = "#ffffff"
INK = "#1f2937"  # text and axes: 14.7:1 on white
GRID = "#6b7280"  # grid lines: 4.8:1 on white
# Series colours, each >= 3:1 against the white background (tests/reports/test_charts.py).
PALETTE = ("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490", "#374151")
MARKERS = ("circle", "square", "diamond", "triangle")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
FONT = 14


@dataclass(frozen=True)
class Series:
    """One named row of values; None is a value not shown (too few people, say)."""

    label: str
    values: Sequence[float | None]


def luminance(colour: str) -> float:
    """Relative luminance of a #rrggbb colour (WCAG 2)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _number(value: float) -> str:
    """A value as a label in the reader's number format (1,5 in Dutch): whole numbers
    without decimals, others with one."""
    if value == int(value):
        return number_format(int(value), use_l10n=True)
    return number_format(value, decimal_pos=1, use_l10n=True)


def _tick(value: float) -> str:
    """A tick of the value axis in the reader's number format, without rounding it (a
    tick of 1.25 reads 1.25, not 1.2)."""
    if value == int(value):
        return number_format(int(value), use_l10n=True)
    return number_format(round(value, 6), use_l10n=True)


def nice_top(value: float) -> float:
    """A round upper end for the value axis (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover  (the loop always returns)


def whole_axis(value: float) -> tuple[int, int]:
    """(top, step) of a value axis for whole numbers (people, say): every tick an integer,
    at most 5 steps, the step 1, 2 or 5 times a power of ten."""
    highest = max(math.ceil(value), 1)
    power = 1
    while True:
        for base in (1, 2, 5):
            step = base * power
            if math.ceil(highest / step) <= 5:
                return math.ceil(highest / step) * step, step
        power *= 10


def axis(values: Sequence[float | None], highest: float | None = None) -> tuple[float, float]:
    """(top, step) of the value axis for these values (up to `highest`, a stack's height,
    when given): whole-number ticks when every value is a whole number, else four steps
    up to a round top."""
    present = [v for v in values if v is not None]
    if highest is None:
        highest = max(present, default=0)
    if all(float(v).is_integer() for v in present):
        whole_top, whole_step = whole_axis(highest)
        return float(whole_top), float(whole_step)
    top = nice_top(float(highest))
    return top, top / 4


class _Canvas:
    """The parts every chart shares: frame, title, description, axes and legend."""

    def __init__(self, chart_id: str, title: str, desc: str) -> None:
        self.chart_id = chart_id
        self.parts: list[str] = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'class="kluis-chart" id="{chart_id}" font-family="system-ui, sans-serif" '
            f'font-size="{FONT}" preserveAspectRatio="xMidYMid meet">',
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
            f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="{BACKGROUND}"/>',
        ]
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM

    def y_of(self, value: float, top: float) -> float:
        return TOP + self.plot_h - (value / top) * self.plot_h

    def value_axis(self, top: float, step: float, unit: str) -> None:
        count = round(top / step)
        for index in range(count + 1):
            value = step * index
            y = self.y_of(value, top)
            self.parts.append(
                f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                f'stroke="{GRID}" stroke-width="{1 if index == 0 else 0.5}"/>'
            )
            self.parts.append(
                f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">'
                f"{escape(_tick(value))}{escape(unit)}</text>"
            )

    def category_axis(self, labels: Sequence[str], centre_of: list[float]) -> None:
        for index in shown_labels(len(labels)):
            label, x = labels[index], centre_of[index]
            y = TOP + self.plot_h + 18
            self.parts.append(
                f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="middle" fill="{INK}">'
                f"{escape(label)}</text>"
            )

    def legend(self, series: Sequence[Series], *, lines: bool = False) -> None:
        if len(series) < 2 and not lines:
            return
        x, y = LEFT, TOP + self.plot_h + 44
        for index, item in enumerate(series):
            colour = PALETTE[index % len(PALETTE)]
            needed = 34 + 8 * len(item.label)
            if x > LEFT and x + needed > WIDTH - RIGHT:
                x, y = LEFT, y + 20
            if lines:
                self.parts.append(
                    f'<line x1="{x}" y1="{y - 5}" x2="{x + 18}" y2="{y - 5}" stroke="{colour}" '
                    f'stroke-width="3"{_dash(index)}/>'
                )
                self.parts.append(_marker(index, x + 9, y - 5, colour))
            else:
                self.parts.append(
                    f'<rect x="{x}" y="{y - 12}" width="14" height="14" fill="{colour}"/>'
                )
            self.parts.append(
                f'<text x="{x + 22}" y="{y}" fill="{INK}">{escape(item.label)}</text>'
            )
            x += needed

    def markup(self) -> SafeString:
        return mark_safe("".join([*self.parts, "</svg>"]))  # noqa: S308  (every text escaped)


def shown_labels(count: int) -> list[int]:
    """The categories that get a label: at most about ten fit a phone-wide chart, so every
    n-th, and the last one always; the last takes the place of the one before it when the
    two would be closer than n apart (their texts would run into each other)."""
    every = max(1, math.ceil(count / 10))
    shown = list(range(0, count, every))
    last = count - 1
    if shown and shown[-1] != last:
        if last - shown[-1] < every and len(shown) > 1:
            shown[-1] = last
        else:
            shown.append(last)
    return shown


def _dash(index: int) -> str:
    dash = DASHES[index % len(DASHES)]
    return f' stroke-dasharray="{dash}"' if dash else ""


def _marker(index: int, x: float, y: float, colour: str) -> str:
    shape = MARKERS[index % len(MARKERS)]
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
    else:
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
    return f'<polygon points="{points}" fill="{colour}"/>'


def _slots(count: int, plot_w: float) -> tuple[float, list[float]]:
    width = plot_w / max(count, 1)
    return width, [LEFT + width * (i + 0.5) for i in range(count)]


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    stacked: bool = False,
) -> SafeString:
    """Bars per category: one per series side by side, or the series stacked."""
    canvas = _Canvas(chart_id, title, desc)
    if stacked:
        heights = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
        top, step = axis([v for s in series for v in s.values], max(heights, default=0))
    else:
        top, step = axis([v for s in series for v in s.values])
    canvas.value_axis(top, step, unit)
    slot, centres = _slots(len(labels), canvas.plot_w)
    lanes = 1 if stacked else max(len(series), 1)
    bar_w = slot * 0.7 / lanes
    few = len(labels) * lanes <= 14  # room to write each value above its bar
    for index, label in enumerate(labels):
        base = 0.0
        for lane, item in enumerate(series):
            value = item.values[index]
            if value is None:
                continue
            colour = PALETTE[lane % len(PALETTE)]
            x = centres[index] - slot * 0.35 + (0 if stacked else lane * bar_w)
            y_top = canvas.y_of(base + value, top)
            y_bottom = canvas.y_of(base, top)
            canvas.parts.append(
                f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{bar_w:.1f}" '
                f'height="{max(y_bottom - y_top, 0):.1f}" fill="{colour}" '
                f'stroke="{BACKGROUND}" stroke-width="1.5">'
                f"<title>{escape(label)}, {escape(item.label)}: "
                f"{escape(_number(value))}{escape(unit)}</title></rect>"
            )
            if few and not stacked and value:
                canvas.parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{y_top - 4:.1f}" text-anchor="middle" '
                    f'fill="{INK}">{escape(_number(value))}</text>'
                )
            if stacked:
                base += value
        if few and stacked and base:
            canvas.parts.append(
                f'<text x="{centres[index]:.1f}" y="{canvas.y_of(base, top) - 4:.1f}" '
                f'text-anchor="middle" fill="{INK}">{escape(_number(base))}</text>'
            )
    canvas.category_axis(labels, centres)
    canvas.legend(series)
    return canvas.markup()


def line_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
) -> SafeString:
    """A line per series over the categories; a missing value breaks the line."""
    canvas = _Canvas(chart_id, title, desc)
    top, step = axis([v for s in series for v in s.values])
    canvas.value_axis(top, step, unit)
    _slot, centres = _slots(len(labels), canvas.plot_w)
    for lane, item in enumerate(series):
        colour = PALETTE[lane % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(item.values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append((centres[index], canvas.y_of(value, top)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                canvas.parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{_dash(lane)}/>'
                )
        for index, value in enumerate(item.values):
            if value is None:
                continue
            x, y = centres[index], canvas.y_of(value, top)
            canvas.parts.append(
                f"<g>{_marker(lane, x, y, colour)}<title>{escape(labels[index])}, "
                f"{escape(item.label)}: {escape(_number(value))}{escape(unit)}</title></g>"
            )
    canvas.category_axis(labels, centres)
    canvas.legend(series, lines=True)
    return canvas.markup()
