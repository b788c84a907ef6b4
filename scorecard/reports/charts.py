"""SVG charts drawn on the server: no JavaScript, no network, the same markup in the page and the PDF."""

from __future__ import annotations

import math
from collections.abc import Sequence

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
