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

from contextlib import AbstractContextManager

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
