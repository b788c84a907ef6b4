"""Template helpers for scores: level badges, heat map classes, SVG bars, and results' codes in words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from frameworks.freshness import is_stale
from frameworks.translation import ContentSentence, shown_in_english

from .. import wording
from ..models import person_label
from ..reports.charts import bar_svg, score_band
from ..reports.scripts import add_break_opportunities

register = template.Library()
register.filter("person", person_label)

# Results speak codes (scorecard/wording.py); these say them in the active language.
# {{ p.level|level_name }} -> "Defined" (None: "Not scored"); {{ m.status|status_label }} -> "Ready with
# conditions"; {{ a.priority|priority_label }} -> "key control"; {{ c|wording }} -> "Requirement TH-DPIA is not
# fully met." (a phrase: a condition, a next step, a market's status reason).
register.filter("level_name", wording.level_name)
register.filter("status_label", wording.status_label)
register.filter("priority_label", wording.priority_label)
register.filter("wording", wording.say)


@register.filter
def heat_class(score: float | None) -> str:
    band = score_band(score)
    return "heat-na" if band is None else f"heat-{band}"


@register.filter
def num(value: float | None) -> str:
    """A number as a person writes it: 4.5, 12, 0.25 (no trailing zeros, no float noise), with the decimal
    separator of the active language (4,5 in Bahasa Indonesia and Tiếng Việt)."""
    if value is None:
        return "–"
    return formats.number_format(Decimal(str(value)).normalize())


@register.filter
def score_text(score: float | None) -> str:
    return str(wording.NO_SCORE) if score is None else f"{score:.0f}"


@register.simple_tag
def score_bar(score: float | None, label: str = "") -> SafeString:
    return bar_svg(score, label=label)


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def status_badge(status: str) -> str:
    return {"ready": "text-bg-success", "conditions": "text-bg-warning", "not_ready": "text-bg-danger"}.get(
        status, "text-bg-secondary"
    )


@register.filter
def breakable(text: str | None) -> str:
    """Text with line-break opportunities for Khmer, Lao, Myanmar and Thai (escaped by the template as usual)."""
    return add_break_opportunities(str(text)) if text else ""


CONFIDENCE_WORDS = {"H": _("high confidence"), "M": _("medium confidence"), "?": _("uncertain")}


@register.filter
def confidence_words(code: str) -> str:
    """A confidence mark in words: readers never see a bare "?"."""
    return str(CONFIDENCE_WORDS.get(code, _("confidence not stated")))


@register.filter
def cite(numbers: list[int] | None) -> str:
    """Source numbers as a reference: "[1, 3]"."""
    return f"[{', '.join(map(str, numbers))}]" if numbers else ""


@register.filter
def stale(checked_on: dt.date | None) -> bool:
    return is_stale(checked_on)


@register.filter
def clause(text: str | None) -> str:
    """Text joined into a longer sentence: without its own closing full stop, so none is doubled."""
    return (text or "").rstrip().rstrip(".")


@register.filter
def edition(version: Any) -> str:
    """A content edition's label, saying when a newer one replaced it: "2024/2025 (superseded by November 2026)"."""
    newer = version.superseded_by
    if newer is None:
        return str(version.label)
    return str(_("%(label)s (superseded by %(newer)s)") % {"label": version.label, "newer": newer.label})


@register.filter
def signed_change(value: float | Decimal | None) -> SafeString | str:
    """A score change with its sign and colour: "+2.9" in green, "−1.5" in red, "±0" in grey (the decimal
    separator as the active language writes it)."""
    if value is None:
        return "–"
    number = Decimal(str(value))
    if number > 0:
        return format_html('<span class="text-success-emphasis fw-semibold">+{}</span>', formats.number_format(number))
    if number < 0:
        return format_html('<span class="text-danger-emphasis fw-semibold">−{}</span>', formats.number_format(-number))
    return SafeString('<span class="text-body-secondary">±0</span>')


@register.filter
def level_class(level: int | None) -> str:
    """The CSS class of a maturity level shown as text, in its band's colour: level 4 -> "band-3".

    By level, not score: a failed key control caps the level below the score's band, and the colour says so.
    """
    return f"band-{int(level) - 1}" if level else "band-na"


# --- reference content in the reader's language -------------------------------------------------------------------

IN_ENGLISH = _("(in English)")


@register.simple_tag
def content(
    obj: Any, field: str, default: str = "", pdf: bool = False, words: int = 0, clause: bool = False
) -> SafeString:
    """A content field (`{% content q "text" %}`) in the active language (frameworks/translation.py).

    Where the field has no translation into that language it reads in English: the text is then marked
    `lang="en"`, so that screen readers switch voice, and followed by a small "EN" badge with a hidden "(in English)".
    `default`: the text to show when there is no record (a stored name); `pdf`: the report's styles and line-break
    opportunities for Thai, Khmer, Lao and Myanmar; `words`: cut to that many words; `clause`: without its closing
    full stop, to be joined into a longer sentence.
    """
    value = str(getattr(obj, field, "") or "") if obj is not None else str(default or "")
    if words:
        value = Truncator(value).words(words)
    if clause:
        value = value.rstrip().rstrip(".")
    text = add_break_opportunities(value) if pdf else value
    if obj is None or not value or not shown_in_english(obj, field):
        return conditional_escape(text)
    return _in_english(text, pdf=pdf)


def _in_english(text: str, *, pdf: bool) -> SafeString:
    """English text standing in for a missing translation: marked `lang="en"` and followed by the EN badge."""
    hidden = "sr" if pdf else "visually-hidden"
    badge = "fallback-mark" if pdf else "badge text-bg-light border fallback-mark"
    return format_html(
        '<span lang="en">{}</span> <span class="{}"><span aria-hidden="true">EN</span>'
        '<span class="{}">{}</span></span>',
        text,
        badge,
        hidden,
        IN_ENGLISH,
    )


@register.simple_tag
def content_text(value: Any, pdf: bool = False) -> SafeString:
    """Content text already taken in the active language (`{% content_text c.label %}`), as `{% content %}` shows
    a field: a ContentText that reads in English is marked so; a ContentSentence (an interface sentence with content
    put in, such as a risk result's steps) marks the English parts inside it. Anything else is shown as text.
    `pdf`: the report's styles and line-break opportunities."""
    if isinstance(value, ContentSentence):
        template = add_break_opportunities(value.template) if pdf else value.template
        if not value.values:
            return conditional_escape(template)
        parts = {key: content_text(part, pdf=pdf) for key, part in value.values.items()}
        return SafeString(str(conditional_escape(template)) % parts)
    text = "" if value is None else str(value)
    shown = add_break_opportunities(text) if pdf else text
    if text and getattr(value, "in_english", False):
        return _in_english(shown, pdf=pdf)
    return conditional_escape(shown)
