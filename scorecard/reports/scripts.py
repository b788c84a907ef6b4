"""Line-break opportunities for scripts written without spaces between words.

Pango breaks Thai lines with libthai, but finds no break opportunities in Khmer, Lao or Myanmar text, so a
long sentence in those scripts overflows its box. ICU's dictionary-based word break iterator knows where
their words end; we insert a zero-width space (U+200B) there, which is invisible but lets the line break.
"""

from __future__ import annotations

import re

import icu

# Thai, Lao, Myanmar (+ extended A/B), Khmer (+ symbols).
NO_SPACE_RUN = re.compile(r"[\u0E00-\u0EFF\u1000-\u109F\uA9E0-\uA9FF\uAA60-\uAA7F\u1780-\u17FF\u19E0-\u19FF]+")
ZWSP = "\u200b"


def _split_words(run: str) -> list[str]:
    iterator = icu.BreakIterator.createWordInstance(icu.Locale.getRoot())
    iterator.setText(run)
    pieces, start = [], 0
    for end in iterator:  # offsets are UTF-16 units; these scripts are all in the BMP, so they match str indices
        pieces.append(run[start:end])
        start = end
    return [p for p in pieces if p]


def add_break_opportunities(text: str) -> str:
    """`text` with zero-width spaces between words of Thai, Lao, Khmer and Myanmar runs."""
    if not text:
        return text
    return NO_SPACE_RUN.sub(lambda match: ZWSP.join(_split_words(match.group(0))), text)
