"""Translation files <-> the language columns of an edition's records (docs/translations.md).

`frameworks.content_translation` reads and checks the files without a database; this module finds the record and
column each translated field belongs to: `translations_to_database` writes a translation (loading a new edition, or
updating the translations of a published one, whose English it never touches), `version_translations` reads it
back in the files' shape (export, drafting a new version).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import models
from modeltranslation.utils import build_localized_fieldname

from .content import ContentProblem
from .content_translation import (
    content_template,
    merged_translation,
    nest,
    template_paths,
    translation_leaves,
    translation_location,
    translation_record,
)
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
from .translation import model_field, translation_languages

Path = tuple[str, ...]
SCALE = "scale"  # the answer scales' default options, kept in FrameworkVersion.scale_translations
_RECORDS: dict[str, type[models.Model]] = {
    "principles": Principle,
    "components": GovernanceComponent,
    "risks": GenAIRisk,
    "dimensions": GenAIDimension,
    "questions": Question,
    "items": Question,
    "requirements": Question,
    "instruments": RegionalInstrument,
}


def resolve(path: Path) -> tuple[type[models.Model] | str, tuple[str, ...], str]:
    """The record kind, its codes and the model field a translation path fills, e.g. ("guide", "questions", "TE-03",
    "options", "a", "label") -> (Option, ("TE-03", "a"), "label")."""
    file, *rest = path
    field = model_field(rest[-1])
    if file == "version":
        return FrameworkVersion, (), field
    if rest[0] == "scales":
        return SCALE, (rest[1], rest[2]), field
    if file == "countries":
        country = rest[1]
        if len(rest) == 3:
            return Country, (country,), field
        if rest[2] == "facts":
            return CountryFact, (country, rest[3]), field
        rest = rest[2:]  # a requirement: a question like the others
    if len(rest) == 5 and rest[2] == "options":
        return Option, (rest[1], rest[3]), field
    return _RECORDS[rest[0]], (rest[1],), field


def _max_length(kind: type[models.Model] | str, field: str) -> int | None:
    model = Option if kind == SCALE else kind
    return getattr(model._meta.get_field(field), "max_length", None)  # type: ignore[union-attr]


def translation_length_problems(data: dict[str, Any]) -> list[ContentProblem]:
    """Translations longer than their column (checked after `validate_translations`, before anything is written)."""
    problems = []
    for language, files in (data.get("translations") or {}).items():
        for file_name, mapping in files.items():
            for path, value in translation_leaves(mapping):
                if not isinstance(value, str):
                    continue
                kind, _codes, field = resolve(path)
                limit = _max_length(kind, field)
                if limit and len(value) > limit:
                    record, key = translation_record(path)
                    where = translation_location(language, file_name)
                    message = f"is {len(value)} characters long; at most {limit} allowed"
                    problems.append(ContentProblem(where, record, key, message))
    return problems


class _Records:
    """An edition's records by their codes, read once."""

    def __init__(self, version: FrameworkVersion):
        self.version = version
        self.by_kind: dict[type[models.Model], dict[tuple[str, ...], models.Model]] = {FrameworkVersion: {(): version}}
        for model in (Principle, GovernanceComponent, GenAIRisk, GenAIDimension, Country, RegionalInstrument, Question):
            self.by_kind[model] = {(o.code,): o for o in model.objects.filter(version=version)}
        self.by_kind[CountryFact] = {
            (f.country.code, f.code): f
            for f in CountryFact.objects.filter(country__version=version).select_related("country")
            if f.code
        }
        options = Option.objects.filter(question__version=version).select_related("question")
        self.by_kind[Option] = {(o.question.code, o.code): o for o in options}

    def get(self, kind: type[models.Model], codes: tuple[str, ...]) -> models.Model:
        return self.by_kind[kind][codes]


def _default_scale_questions(data: dict[str, Any]) -> dict[str, list[str]]:
    """The questions whose options are their scale's defaults (the files list no options for them), by scale."""
    questions = [
        *data["guide"]["questions"],
        *data["genai"]["items"],
        *(q for c in data["countries"]["countries"] for q in c.get("requirements") or []),
    ]
    by_scale: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        if "options" not in q:
            by_scale[q["scale"]].append(q["code"])
    return by_scale


def _targets(version: FrameworkVersion, data: dict[str, Any]) -> dict[Path, list[tuple[models.Model, str]]]:
    """Every translatable field of the edition (its path, in the files' order) -> the records and fields it fills.
    A scale option's path fills the option of every question that uses the scale's defaults."""
    records = _Records(version)
    on_default_scale = _default_scale_questions(data)
    targets: dict[Path, list[tuple[models.Model, str]]] = {}
    for path in template_paths(content_template(data)):
        kind, codes, field = resolve(path)
        if kind == SCALE:
            scale, option = codes
            targets[path] = [(records.get(Option, (q, option)), field) for q in on_default_scale.get(scale, ())]
        else:
            targets[path] = [(records.get(kind, codes), field)]  # type: ignore[arg-type]
    return targets


def _blank(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def translations_to_database(version: FrameworkVersion, data: dict[str, Any]) -> bool:
    """Write data["translations"] (checked already) to the language columns of `version`'s records, replacing what
    they held: a field no file translates is emptied and reads in English. The English columns are never written.
    Returns whether anything changed. Call inside a transaction."""
    targets = _targets(version, data)
    given = {language: merged_translation(files) for language, files in (data.get("translations") or {}).items()}
    changed: dict[type[models.Model], dict[int, models.Model]] = defaultdict(dict)
    columns: dict[type[models.Model], set[str]] = defaultdict(set)
    scales: dict[str, Any] = {}
    for language in translation_languages():
        values = given.get(language, {})
        for path, fills in targets.items():
            value = _blank(values.get(path))
            if path[1] == "scales" and value is not None:
                _file, _scales, scale, option, field = path
                scales.setdefault(language, {}).setdefault(scale, {}).setdefault(option, {})[field] = value
            for record, field in fills:
                column = build_localized_fieldname(field, language)
                if _blank(getattr(record, column)) != value:
                    setattr(record, column, value)
                    changed[type(record)][record.pk] = record
                    columns[type(record)].add(column)
    if (version.scale_translations or {}) != scales:
        version.scale_translations = scales
        changed[FrameworkVersion][version.pk] = version
        columns[FrameworkVersion].add("scale_translations")
    for model, records in changed.items():
        # Only the language columns: the English text of a published edition stays exactly as it was.
        model.objects.bulk_update(list(records.values()), sorted(columns[model]), batch_size=500)  # type: ignore[attr-defined]
    return bool(changed)


def version_translations(version: FrameworkVersion, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The translations of `version` (whose English content data is `data`) in the files' shape: {language:
    {"guide.yaml": {"guide": ...}, ...}}, one file per content file, fields in the English files' order. Languages
    with nothing translated are left out."""
    targets = _targets(version, data)
    scale_translations = version.scale_translations or {}
    out: dict[str, dict[str, Any]] = {}
    for language in translation_languages():
        values: dict[Path, str] = {}
        for path, fills in targets.items():
            if path[1] == "scales":
                _file, _scales, scale, option, field = path
                value = _blank(scale_translations.get(language, {}).get(scale, {}).get(option, {}).get(field))
            else:
                record, field = fills[0]
                value = _blank(getattr(record, build_localized_fieldname(field, language)))
            if value is not None:
                values[path] = value
        if values:
            out[language] = {f"{name}.yaml": {name: part} for name, part in nest(values).items()}
    return out
