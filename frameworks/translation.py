"""Which content fields are translated, registered with django-modeltranslation (docs/translations.md).

Each registered field gets a column per language in settings.LANGUAGES (`text_en`, `text_th` ...). Reading
`question.text` gives the active language's value, falling back to English field by field, so templates, forms and
the PDF keep reading `q.text`. English is the content itself: it is what the YAML files hold, what validation,
scoring, the comparison of editions and the published-edition checks see (`frameworks.loading` and
`frameworks.exporting` work in English, `in_english()`). The other languages are presentation: loaded from
`translations/<language>/*.yaml` beside the edition's files (`frameworks.content_translation`), never scored.

One list, `TRANSLATED_FIELDS`, says which fields these are; the translation files' keys map onto it through
`FILE_FIELDS` (a file's `evidence` is the model's `evidence_hint`).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from modeltranslation.translator import TranslationOptions, translator
from modeltranslation.utils import build_localized_fieldname
from modeltranslation.utils import get_language as mt_get_language

from .models import (
    Country,
    CountryFact,
    FrameworkVersion,
    GenAIDimension,
    GenAIRisk,
    GovernanceComponent,
    Option,
    Principle,
    Question,
    RegionalInstrument,
    RiskMethod,
    RiskQuestion,
)

# Model -> its translated fields. Sources are not here: a document keeps its original title; nor are instruments'
# names (official titles), codes, numbers, dates and legal references (`legal_basis`), which read the same in
# every language.
TRANSLATED_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    FrameworkVersion: ("label", "title", "description"),
    Principle: ("name", "short_name", "definition"),
    GovernanceComponent: ("name", "description"),
    GenAIRisk: ("name", "description"),
    GenAIDimension: ("name", "description", "adaptation"),
    Country: ("name",),
    CountryFact: ("summary", "status", "status_as_of", "confidence_note"),
    RegionalInstrument: ("status", "key_dates", "summary", "implication", "status_as_of", "confidence_note"),
    Question: (
        "text",
        "guidance",
        "evidence_hint",
        "recommendation",
        "applies_when",
        "in_force_note",
        "status_as_of",
        "confidence_note",
    ),
    Option: ("label", "descriptor"),
    # A risk method's `levels` is JSON: each language's column holds a copy of the English scales and rules in which
    # only the words people read differ (frameworks/risk_loading.py). Rules and scoring read the English column.
    RiskMethod: ("title", "description", "levels"),
    RiskQuestion: ("text", "guidance"),
}
# A key in the content and translation files -> the model field it fills, where the two names differ.
FILE_FIELDS = {"evidence": "evidence_hint"}

for _model, _fields in TRANSLATED_FIELDS.items():
    translator.register(_model, type(f"{_model.__name__}Translation", (TranslationOptions,), {"fields": _fields}))


def default_language() -> str:
    """The content's own language: English."""
    return str(getattr(settings, "MODELTRANSLATION_DEFAULT_LANGUAGE", settings.LANGUAGE_CODE))


def translation_languages() -> list[str]:
    """The languages content is translated into: every language of the interface but English."""
    return [code for code, _name in settings.LANGUAGES if code != default_language()]


def in_english() -> AbstractContextManager[None]:
    """Read and write the content itself (English columns), whatever language the request is in."""
    return translation.override(default_language())


def model_field(file_field: str) -> str:
    return FILE_FIELDS.get(file_field, file_field)


def is_translated(obj: object, field: str) -> bool:
    return field in TRANSLATED_FIELDS.get(type(obj), ())  # type: ignore[arg-type]


def shown_in_english(obj: object, field: str) -> bool:
    """Whether `obj.field` reads in English in place of a missing translation into the active language (so that
    pages can say so). False in English, for untranslated fields and for empty ones."""
    language = mt_get_language()
    if language == default_language() or not is_translated(obj, field):
        return False
    own = getattr(obj, build_localized_fieldname(field, language), None)
    return not (isinstance(own, str) and own.strip()) and bool(getattr(obj, field, ""))


def english(obj: object, field: str) -> Any:
    """The English value of a translated field (the content itself), whatever language is active."""
    return getattr(obj, build_localized_fieldname(field, default_language()))


# --- a risk method's words, taken from its levels (scales, adjustments, human involvement) -----------------------

# The parts of a risk method's `levels` whose entries people read, and the key that names each entry.
RISK_LEVEL_PARTS = {"probability": "code", "severity": "code", "adjustments": "code", "involvement": "level"}


class ContentText(str):
    """Content text in the active language; `in_english` when English stands in for a missing translation (pages
    mark it, `{% content_text %}`). Compares and prints as the plain text."""

    in_english: bool

    def __new__(cls, text: str, in_english: bool = False) -> ContentText:
        obj = super().__new__(cls, text)
        obj.in_english = in_english
        return obj


class ContentSentence(str):
    """A sentence of the interface (already translated, with `%(name)s` placeholders) with content put in. It reads
    as the plain sentence; `template` and `values` let a page mark the content that reads in English."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, values: Mapping[str, object]) -> ContentSentence:
        text = template % {key: str(value) for key, value in values.items()} if values else template
        obj = super().__new__(cls, text)
        obj.template = template
        obj.values = dict(values)
        return obj


def risk_level_entries(levels: Any, part: str) -> dict[str, dict[str, Any]]:
    """The entries of one part of a method's levels ("probability", "adjustments" ...) by their code (by risk level
    for "involvement")."""
    key = RISK_LEVEL_PARTS[part]
    entries = levels.get(part) if isinstance(levels, dict) else None
    return {str(e[key]): e for e in entries or [] if isinstance(e, dict) and key in e}


def risk_level_text(method: object, part: str, code: str, field: str) -> ContentText:
    """A word of a risk method's levels, e.g. ("probability", "rare", "label"), in the active language.

    Each language's `levels` column is a copy of the English one with the translated words put in; a word the copy
    has as in English (or not at all) reads in English, marked as such.
    """
    source = str(risk_level_entries(english(method, "levels"), part).get(code, {}).get(field) or "")
    language = mt_get_language()
    if language == default_language():
        return ContentText(source)
    own = risk_level_entries(getattr(method, build_localized_fieldname("levels", language), None), part)
    value = own.get(code, {}).get(field)
    if isinstance(value, str) and value.strip() and value != source:
        return ContentText(value)
    return ContentText(source, in_english=bool(source))
