"""SVG charts drawn on the server: no JavaScript, no network, the same markup in the page and the PDF."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from ..wording import NO_SCORE

LABEL_MARGIN = 60


def radar_svg(
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    size: int = 360,
    previous: Sequence[float | None] | None = None,
    title: str | None = None,
) -> SafeString:
    """A radar (spider) chart of 0-100 scores. `None` values are drawn at 0 and labelled "n/a" (in the active
    language, like the default title)."""
    title = gettext("Principle scores") if title is None else title
    n = len(labels)
    cx = cy = size / 2
    radius = size / 2 - 70
    parts = [
        # Room left and right of the square for labels: long principle names (Thai, Vietnamese) were clipped.
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{-LABEL_MARGIN} 0 {size + 2 * LABEL_MARGIN} {size}" '
        f'role="img" aria-label="{escape(title)}" font-family="Noto Sans, DejaVu Sans, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * max(0.0, min(100.0, value)) / 100
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    for ring in (20, 40, 60, 80, 100):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(n)))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="#ced4da" stroke-width="1"/>')
    for i, label in enumerate(labels):
        x, y = point(i, 100)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ced4da"/>')
        lx, ly = point(i, 122)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        value = values[i]
        shown = str(NO_SCORE) if value is None else f"{value:.0f}"
        parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" fill="#212529">{escape(label)}</text>')
        parts.append(
            f'<text x="{lx:.1f}" y="{ly + 13:.1f}" text-anchor="{anchor}" fill="#495057" '
            f'font-weight="bold">{shown}</text>'
        )
    if previous is not None:
        prev_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v or 0) for i, v in enumerate(previous)))
        parts.append(
            f'<polygon points="{prev_points}" fill="none" stroke="#6c757d" stroke-dasharray="4 3" stroke-width="1.5"/>'
        )
    shape = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v or 0) for i, v in enumerate(values)))
    parts.append(f'<polygon points="{shape}" fill="#0d6efd" fill-opacity="0.25" stroke="#0d6efd" stroke-width="2"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


# One colour per maturity band (Initial under 20 ... Optimised 80+, docs/methodology.md), dark enough for a bar;
# the heat map cells use the light tints of the same hues (heat-0 ... heat-4 in app.css and report.css).
BAND_COLOURS = ("#b02a37", "#ca6510", "#997404", "#198754", "#0f5132")


def score_band(score: float | None) -> int | None:
    """The maturity band of a 0-100 score: 0 (Initial) to 4 (Optimised); None without a score."""
    if score is None:
        return None
    return max(0, min(4, int(float(score) // 20)))


def bar_svg(value: float | None, *, width: int = 200, height: int = 12, label: str = "") -> SafeString:
    """A horizontal 0-100 bar in its band's colour. (Inline styles are forbidden by the CSP; SVG attributes are not.)"""
    filled = 0 if value is None else max(0.0, min(100.0, value)) * width / 100
    band = score_band(value)
    colour = BAND_COLOURS[band] if band is not None else "#6c757d"
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}"><rect width="{width}" height="{height}" rx="3" fill="#e9ecef"/>'
        f'<rect width="{filled:.1f}" height="{height}" rx="3" fill="{colour}"/></svg>'
    )


# --- The trend chart (progress over time) ----------------------------------------------------------------------
# Each series has its own marker and dash pattern besides its colour, so that it can be told apart in black and
# white and by people who do not see the colours. The first series (the overall score) is drawn thick and dark.
TREND_COLOURS = ("#212529", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#8c6d1f", "#56b4e9", "#6f42c1")
TREND_DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 3", "10 4", "6 2 2 2")
TREND_MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "cross", "plus", "bar")


@dataclass(frozen=True)
class TrendSeries:
    """One line of the trend chart: a name and one 0-100 score (or None: no score) per point."""

    name: str
    values: Sequence[float | None]


def _marker(kind: str, x: float, y: float, colour: str, size: float) -> str:
    """A point's marker: a shape per series, drawn with plain elements (WeasyPrint draws no SVG <marker>)."""
    s = size
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{s:.1f}" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" fill="{colour}"/>'
    if kind in ("triangle", "triangle-down", "diamond"):
        shapes = {
            "triangle": ((0, -1.2), (1.1, 0.9), (-1.1, 0.9)),
            "triangle-down": ((0, 1.2), (1.1, -0.9), (-1.1, -0.9)),
            "diamond": ((0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)),
        }
        points = " ".join(f"{x + dx * s:.1f},{y + dy * s:.1f}" for dx, dy in shapes[kind])
        return f'<polygon points="{points}" fill="{colour}"/>'
    if kind == "cross":
        return (
            f'<path d="M{x - s:.1f},{y - s:.1f}L{x + s:.1f},{y + s:.1f}'
            f'M{x - s:.1f},{y + s:.1f}L{x + s:.1f},{y - s:.1f}" stroke="{colour}" stroke-width="2" fill="none"/>'
        )
    if kind == "plus":
        return (
            f'<path d="M{x - s:.1f},{y:.1f}H{x + s:.1f}M{x:.1f},{y - s:.1f}V{y + s:.1f}" '
            f'stroke="{colour}" stroke-width="2" fill="none"/>'
        )
    return f'<rect x="{x - s / 2:.1f}" y="{y - s * 1.3:.1f}" width="{s:.1f}" height="{2.6 * s:.1f}" fill="{colour}"/>'


def _segments(points: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive points with a score: a missing score breaks the line rather than drawing it at 0."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]


def trend_svg(
    labels: Sequence[str],
    series: Sequence[TrendSeries],
    *,
    title: str | None = None,
    description: str | None = None,
    id_prefix: str = "trend",
    width: int = 640,
) -> SafeString:
    """A line chart of 0-100 scores over successive points (assessments), one line per series, with a legend.

    `labels` name the points in order (a "\\n" splits a label over two lines); the points are evenly spaced,
    oldest on the left. The first series is the overall score: thick, dark, with its value written at each
    point. A missing value breaks its line. Every series has its own colour, dash pattern and marker, repeated in
    the legend with the series' latest value, so that no line is told apart by colour alone.
    """
    title = gettext("Scores over time") if title is None else title
    n = len(labels)
    left, right, top, plot_height = 34, 18, 22, 220
    plot_width = width - left - right
    axis_bottom = top + plot_height
    legend_top = axis_bottom + 44
    columns = 2
    legend_rows = math.ceil(len(series) / columns)
    height = legend_top + legend_rows * 18 + 6

    def x_of(i: int) -> float:
        return left + plot_width / 2 if n <= 1 else left + 14 + (plot_width - 28) * i / (n - 1)

    def y_of(value: float) -> float:
        return axis_bottom - plot_height * max(0.0, min(100.0, value)) / 100

    if description is None and series:
        first = series[0]
        shown = ", ".join(
            f"{label.replace(chr(10), ' ')}: {NO_SCORE if v is None else f'{v:.0f}'}"
            for label, v in zip(labels, first.values, strict=False)
        )
        description = f"{first.name}: {shown}."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'font-family="Noto Sans, DejaVu Sans, sans-serif" font-size="11">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description or "")}</desc>',
    ]
    # The grid: a line every 20 points, the limits of the maturity bands.
    for tick in range(0, 101, 20):
        y = y_of(tick)
        stroke = "#6c757d" if tick == 0 else "#dee2e6"
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{stroke}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#495057">{tick}</text>')
    for i, label in enumerate(labels):
        x = x_of(i)
        parts.append(f'<line x1="{x:.1f}" y1="{axis_bottom}" x2="{x:.1f}" y2="{axis_bottom + 4}" stroke="#6c757d"/>')
        for line_number, line in enumerate(label.split("\n")[:2]):
            parts.append(
                f'<text x="{x:.1f}" y="{axis_bottom + 16 + 12 * line_number}" text-anchor="middle" '
                f'fill="#212529">{escape(line)}</text>'
            )
    # Principles first, the overall score last: drawn on top of the others.
    for index in reversed(range(len(series))):
        one = series[index]
        colour = TREND_COLOURS[index % len(TREND_COLOURS)]
        dash = TREND_DASHES[index % len(TREND_DASHES)]
        marker = TREND_MARKERS[index % len(TREND_MARKERS)]
        overall = index == 0
        points = [None if v is None else (x_of(i), y_of(v)) for i, v in enumerate(one.values[:n])]
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append('<g aria-hidden="true">')
        for run in _segments(points):
            if len(run) > 1:
                coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(
                    f'<polyline points="{coordinates}" fill="none" stroke="{colour}" '
                    f'stroke-width="{3 if overall else 1.6}"{dash_attribute}/>'
                )
        for point in points:
            if point is not None:
                parts.append(_marker(marker, point[0], point[1], colour, 4.5 if overall else 3.5))
        if overall:
            for point, value in zip(points, one.values, strict=False):
                if point is not None and value is not None:
                    # A pale box under the figure keeps it legible where other lines cross it.
                    box = 7 * len(f"{value:.0f}") + 6
                    parts.append(
                        f'<rect x="{point[0] - box / 2:.1f}" y="{point[1] - 21:.1f}" width="{box}" height="14" '
                        f'rx="2" fill="#ffffff" fill-opacity="0.85"/>'
                    )
                    parts.append(
                        f'<text x="{point[0]:.1f}" y="{point[1] - 9:.1f}" text-anchor="middle" font-weight="bold" '
                        f'fill="{colour}">{value:.0f}</text>'
                    )
        parts.append("</g>")
    # The legend: each series' line, marker, name and latest value.
    column_width = (width - left) / columns
    for index, one in enumerate(series):
        colour = TREND_COLOURS[index % len(TREND_COLOURS)]
        dash = TREND_DASHES[index % len(TREND_DASHES)]
        x = left + (index % columns) * column_width
        y = legend_top + (index // columns) * 18
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 30:.1f}" y2="{y:.1f}" stroke="{colour}" '
            f'stroke-width="{3 if index == 0 else 1.6}"{dash_attribute}/>'
        )
        parts.append(_marker(TREND_MARKERS[index % len(TREND_MARKERS)], x + 15, y, colour, 4 if index == 0 else 3.5))
        latest = next((v for v in reversed(one.values[:n]) if v is not None), None)
        shown = str(NO_SCORE) if latest is None else f"{latest:.0f}"
        weight = ' font-weight="bold"' if index == 0 else ""
        parts.append(
            f'<text x="{x + 38:.1f}" y="{y + 4:.1f}" fill="#212529"{weight}>{escape(one.name)} ({shown})</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
