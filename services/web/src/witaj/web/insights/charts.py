"""Charts drawn on the server as SVG: complete in the page, with JavaScript off, in print and in the PDF.

Colours are the Okabe-Ito palette, told apart by people with any common colour-vision deficiency, and
never carry meaning alone: a suppressed figure is a hatched mark with its word in the table, a figure not
released yet a dashed outline. A suppressed or pending figure is never drawn as zero. Every chart has a
title and a summary for screen readers (`role="img"`) and a table beside it with every figure.

Right-to-left interfaces get mirrored charts: time runs from right to left, the value axis stands on the
right and bars grow leftwards from labels on the right. Texts carry no `direction` of their own (every
renderer then shapes Arabic the same way); anchors are chosen for the side they stand on. Only
presentation attributes are used (no `style`), so the strict Content-Security-Policy holds and WeasyPrint
draws the same picture in the PDF.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
"""Okabe-Ito: blue, orange, bluish green, reddish purple, sky blue, vermilion, yellow, black."""
SEQUENTIAL = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
"""Light to dark blue (ColorBrewer Blues, safe for colour-blind readers) for maps: more is darker."""
INK = "#1b1f24"
SOFT = "#5b6570"
GRID = "#d0d5db"
HATCH = "#6b7580"
PENDING = "#8a939c"
FONT = 14


@dataclass(frozen=True)
class Datum:
    """One figure as the API gave it: `value` None unless `state` is 'shown'."""

    label: str
    value: float | None
    state: str = "shown"
    """'shown', 'suppressed' (hidden to protect people) or 'pending' (a day not released yet)."""
    text: str = ""
    """The figure as the table writes it ('1 234', 'suppressed'), shown beside bars."""


def _e(text: str) -> Markup:
    return escape(text)


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def nice_ceiling(value: float, *, whole: bool = True) -> tuple[float, float]:
    """A round top for the value axis, and the step between its four gridlines (whole numbers for
    counts, so an axis never reads 0.5 views)."""
    if value <= 0:
        return 4.0, 1.0
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if step >= raw:
            break
    if step >= 1 or whole:
        step = max(1, math.ceil(step))
    return step * 4, step


def _defs(chart_id: str) -> str:
    return (
        f'<defs><pattern id="{chart_id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<rect width="2.5" height="6" fill="{HATCH}"/></pattern></defs>'
    )


def _open(chart_id: str, width: int, height: int, title: str, summary: str, kind: str) -> str:
    return (
        f'<svg class="chart chart--{kind}" id="{chart_id}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'preserveAspectRatio="xMinYMin meet" font-size="{FONT}" font-family="DejaVu Sans, sans-serif" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{_e(title)}</title><desc id="{chart_id}-desc">{_e(summary)}</desc>'
        + _defs(chart_id)
    )


def columns(
    data: Sequence[Datum],
    *,
    chart_id: str,
    title: str,
    summary: str,
    rtl: bool = False,
    colour: str = PALETTE[0],
    ticks: Sequence[int] = (),
    width: int = 480,
    height: int = 220,
    whole: bool = True,
) -> Markup:
    """A time series as columns, one per window; `ticks` are the indices whose labels the axis shows."""
    axis, top_pad, bottom = 52, 12, 34
    plot_w, plot_h = width - axis - 8, height - top_pad - bottom
    shown = [d.value for d in data if d.state == "shown" and d.value is not None]
    ceiling, step = nice_ceiling(max(shown, default=0), whole=whole)
    n = max(len(data), 1)
    slot = plot_w / n
    gap = min(2.0, slot * 0.2)
    left = 8 if rtl else axis  # the plot's left edge

    def x_of(index: int) -> float:
        position = (n - 1 - index) if rtl else index
        return left + position * slot

    base = top_pad + plot_h
    parts = [_open(chart_id, width, height, title, summary, "columns")]
    for k in range(5):
        value = step * k
        y = base - plot_h * value / ceiling
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        label_x, anchor = (left + plot_w + 6, "start") if rtl else (axis - 6, "end")
        parts.append(
            f'<text x="{label_x}" y="{y + 4:.1f}" text-anchor="{anchor}" fill="{SOFT}">{_number(value)}</text>'
        )
    for index, datum in enumerate(data):
        x = x_of(index) + gap / 2
        w = max(slot - gap, 0.8)
        if datum.state == "shown" and datum.value is not None:
            h = plot_h * datum.value / ceiling
            if h > 0:
                parts.append(
                    f'<rect class="chart__value" x="{x:.2f}" y="{base - h:.2f}" width="{w:.2f}" '
                    f'height="{h:.2f}" fill="{colour}"><title>{_e(datum.label)}: {_e(datum.text)}</title></rect>'
                )
        elif datum.state == "suppressed":
            parts.append(
                f'<rect class="chart__suppressed" x="{x:.2f}" y="{top_pad}" width="{w:.2f}" height="{plot_h}" '
                f'fill="url(#{chart_id}-hatch)" opacity="0.55"><title>{_e(datum.label)}: {_e(datum.text)}</title></rect>'
            )
        elif datum.state == "pending":
            parts.append(
                f'<rect class="chart__pending" x="{x:.2f}" y="{top_pad}" width="{w:.2f}" height="{plot_h}" '
                f'fill="#f4f5f7" stroke="{PENDING}" stroke-dasharray="3 2">'
                f"<title>{_e(datum.label)}: {_e(datum.text)}</title></rect>"
            )
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{base}" y2="{base}" stroke="{INK}"/>')
    for index in ticks:
        if 0 <= index < len(data):
            x = x_of(index) + slot / 2
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 4}" stroke="{INK}"/>')
            parts.append(
                f'<text x="{x:.1f}" y="{base + 18}" text-anchor="middle" fill="{INK}">{_e(data[index].label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bars(
    data: Sequence[Datum],
    *,
    chart_id: str,
    title: str,
    summary: str,
    rtl: bool = False,
    colour: str = PALETTE[0],
    width: int = 480,
    label_chars: int = 22,
    maximum: float | None = None,
) -> Markup:
    """Horizontal bars with their labels and figures: top lists and breakdowns (one bar per cell)."""
    row, pad = 30, 6
    height = pad * 2 + row * max(len(data), 1)
    label_w = int(width * 0.42)
    value_w = 110
    plot_w = width - label_w - value_w - 12
    shown = [d.value for d in data if d.state == "shown" and d.value is not None]
    top = maximum if maximum is not None else max(shown, default=0)
    top = top or 1
    parts = [_open(chart_id, width, height, title, summary, "bars")]
    for index, datum in enumerate(data):
        y = pad + index * row
        middle = y + row / 2 + 4
        if rtl:
            label_x, label_anchor = width - 4, "end"
            origin = width - label_w - 4
        else:
            label_x, label_anchor = 4, "start"
            origin = label_w + 4
        parts.append(
            f'<text x="{label_x}" y="{middle:.1f}" text-anchor="{label_anchor}" fill="{INK}">'
            f"<title>{_e(datum.label)}</title>{_e(_shorten(datum.label, label_chars))}</text>"
        )
        if datum.state == "shown" and datum.value is not None:
            length = max(plot_w * datum.value / top, 1 if datum.value else 0)
            x = origin - length if rtl else origin
            parts.append(
                f'<rect class="chart__value" x="{x:.2f}" y="{y + 5}" width="{length:.2f}" height="{row - 10}" '
                f'fill="{colour}"/>'
            )
            end = x - 6 if rtl else x + length + 6
        else:
            length = 36
            x = origin - length if rtl else origin
            marker = (
                f'fill="url(#{chart_id}-hatch)" stroke="{HATCH}"'
                if datum.state == "suppressed"
                else f'fill="#f4f5f7" stroke="{PENDING}" stroke-dasharray="3 2"'
            )
            parts.append(
                f'<rect class="chart__{datum.state}" x="{x:.2f}" y="{y + 5}" width="{length}" '
                f'height="{row - 10}" {marker}/>'
            )
            end = x - 6 if rtl else x + length + 6
        parts.append(
            f'<text x="{end:.1f}" y="{middle:.1f}" text-anchor="{"end" if rtl else "start"}" '
            f'fill="{INK}">{_e(datum.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def tick_indices(count: int, most: int = 4) -> list[int]:
    """Which of `count` windows get a label on the time axis: at most `most`, evenly spread."""
    if count <= 0:
        return []
    if count <= most:
        return list(range(count))
    step = math.ceil(count / most)
    return list(range(0, count, step))
