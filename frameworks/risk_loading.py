"""Risk impact assessment methods: one YAML file each under fixtures/risk-methods/, validated, then loaded atomically.

A method file holds the questions of the Guide's Annex A and the rules that turn the answers into a risk level
(docs/risk-method.md describes every field). Like a framework edition, a published method never changes: the same
code with different content is refused, and a new code makes a new method. Loading an unchanged file again does
nothing. Validation lists every problem, each naming the file, the record and the field, before anything is written.

Nothing here knows how a risk level is computed (scorecard/risk.py does); this module only checks that the rules
are complete and consistent, so that the computation never meets a gap.

A method's text is translated like an edition's (docs/translations.md): `translations/<language>/<code>.yaml` beside
the method file holds the title, the description, the words of the levels (scale steps, adjustments, human
involvement) and the questions' text and guidance, by code. They are checked with the method and written to the
language columns; each language's `levels` column is a copy of the English one with the translated words put in.
English stays the content: the rules and every comparison read it (`in_english()`), and the translations of a
published method are updated when its English is unchanged.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname

from .content import INTERNAL_MARKERS, NOT_A_DOCUMENT, SLUG_RE, URL_RE, ContentError, ContentProblem, _Checker
from .content_translation import TRANSLATIONS_DIR, read_translation_file
from .models import RiskMethod, RiskQuestion
from .translation import english, in_english, risk_level_entries, translation_languages

TOP_FIELDS = ("code", "title", "description", "released", "sources", "levels", "questions")
SOURCE_FIELDS = ("publisher", "title", "date", "part", "url")
LEVEL_FIELDS = ("probability", "severity", "adjustments", "matrix", "involvement")
SCALE_FIELDS = ("value", "code", "label", "description")
ADJUSTMENT_FIELDS = ("code", "question", "answer", "raise", "label")
INVOLVEMENT_FIELDS = ("level", "involvement", "description")
QUESTION_FIELDS = ("code", "section", "kind", "annex_ref", "text", "guidance", "required")
RISK_LEVELS = ("low", "medium", "high")  # lowest first; scorecard.models.RiskLevel
INVOLVEMENTS = ("out", "over", "in")  # least human involvement first; scorecard.models.HumanInvolvement
YES_NO = ("yes", "no")
SECTIONS = tuple(RiskQuestion.Section.values)
KINDS = tuple(RiskQuestion.Kind.values)
QUESTION_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")


# What a translation file may translate: the method's own fields, the words of each part of its levels (with the
# longest each may be, as for the English), and the questions' fields.
METHOD_TEXT = {"title": 200, "description": None}
LEVEL_TEXT: dict[str, dict[str, int | None]] = {
    "probability": {"label": 80, "description": None},
    "severity": {"label": 80, "description": None},
    "adjustments": {"label": 200},
    "involvement": {"description": None},
}
QUESTION_TEXT: dict[str, int | None] = {"text": None, "guidance": None}
# The word a problem calls an entry of each part by ("levels > probability step rare").
LEVEL_ENTRY = {
    "probability": "probability step",
    "severity": "severity step",
    "adjustments": "adjustment",
    "involvement": "involvement for",
}


@dataclass(frozen=True)
class RiskLoadResult:
    method: RiskMethod
    created: bool
    translations_updated: bool = False

    @property
    def message(self) -> str:
        if self.created:
            return f"Loaded the risk method {self.method.code} ({self.method.get_status_display()})."
        if self.translations_updated:
            return f"The risk method {self.method.code} is already loaded and unchanged; its translations were updated."
        return f"The risk method {self.method.code} is already loaded and unchanged."


# --- reading ------------------------------------------------------------------------------------------------------


def read_risk_method(path: Path | str) -> dict[str, Any]:
    """A method file as data; ContentError when it cannot be read as a YAML mapping."""
    path = Path(path)
    name = path.stem
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContentError([ContentProblem(name, "", "", f"the file {path} does not exist")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        problem = ContentProblem(name, "", "", f"{line}not valid YAML ({getattr(exc, 'problem', exc)})")
        raise ContentError([problem]) from exc
    except UnicodeDecodeError as exc:
        raise ContentError([ContentProblem(name, "", "", "not UTF-8 text")]) from exc
    if not isinstance(loaded, dict):
        raise ContentError([ContentProblem(name, "", "", "must be a mapping of keys to values")])
    return loaded


def read_risk_translations(path: Path | str) -> dict[str, Any]:
    """The translations of the method file at `path`: {language: the mapping of
    `translations/<language>/<file name>` beside it}, for every language folder that has one.

    A missing or empty file is left out (the method reads in English); ContentError when a file cannot be read.
    """
    path = Path(path)
    root = path.parent / TRANSLATIONS_DIR
    if not root.is_dir():
        return {}
    found: dict[str, Any] = {}
    problems: list[ContentProblem] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        file = folder / path.name
        if not file.is_file():
            continue
        where = translation_file(folder.name, path.stem)
        loaded = read_translation_file(file, where, problems)
        if loaded is not None:  # not an empty file (nothing translated yet), nor one that cannot be read
            found[folder.name] = loaded
    if problems:
        raise ContentError(problems)
    return found


def translation_file(language: str, code: str) -> str:
    """A translation file as problems name it (they add ".yaml")."""
    return f"{TRANSLATIONS_DIR}/{language}/{code}"


# --- validation ---------------------------------------------------------------------------------------------------


def validate_risk_method(data: Any, *, file: str | None = None) -> list[ContentProblem]:
    """Every problem of a method's data, each naming the file, the record and the field. Empty means valid.

    `file` is the file's name without `.yaml`; when given it must be the method's code, so that a copied file
    cannot load over another method by accident.
    """
    name = file or (str(data.get("code")) if isinstance(data, dict) and data.get("code") else "risk-method")
    problems: list[ContentProblem] = []
    top = _Checker(problems, name, "", data)
    top.allowed(*TOP_FIELDS)
    code = top.code("code", pattern=SLUG_RE, max_length=60)
    if file is not None and code and code != file:
        top.fail("code", f"{code!r} differs from the file name {file!r}.yaml; name the file after the code")
    top.text("title", max_length=200)
    top.text("description", required=False)
    top.date("released")
    _check_sources(problems, name, top.items("sources"))
    questions = _check_questions(problems, name, top.items("questions"))
    levels = top.values.get("levels")
    if levels is None:
        top.fail("levels", "is required (the scales and rules)")
    else:
        _check_levels(problems, name, levels, questions)
    _check_public_text(problems, name, top.values)
    return problems


def _check_sources(problems: list[ContentProblem], file: str, sources: list[Any]) -> None:
    if not sources:
        problems.append(ContentProblem(file, "", "sources", "name at least one public document the method follows"))
    for index, source in enumerate(sources, start=1):
        check = _Checker(problems, file, f"source {index}", source)
        check.allowed(*SOURCE_FIELDS)
        check.text("publisher", max_length=200)
        title = check.text("title", max_length=300)
        if title and NOT_A_DOCUMENT.search(title):
            check.fail("title", "must name a public document, not notes")
        check.text("date", required=False, max_length=40)
        check.text("part", required=False, max_length=400)
        url = check.text("url", required=False, max_length=500)
        if url and not URL_RE.match(url):
            check.fail("url", f"{url!r} is not a web address (http:// or https://)")


def _check_questions(problems: list[ContentProblem], file: str, questions: list[Any]) -> dict[str, dict[str, Any]]:
    """Check each question; returns the valid-looking ones by code, for the rules to refer to."""
    found: dict[str, dict[str, Any]] = {}
    if not questions:
        problems.append(ContentProblem(file, "", "questions", "is required (a list of questions)"))
    for index, question in enumerate(questions, start=1):
        code = question.get("code") if isinstance(question, dict) else None
        check = _Checker(problems, file, f"question {code or index}", question)
        check.allowed(*QUESTION_FIELDS)
        code = check.code("code", pattern=QUESTION_CODE_RE)
        if code and code in found:
            check.fail("code", f"question code {code!r} is used twice")
        section = check.choice("section", SECTIONS)
        kind = check.choice("kind", KINDS)
        check.text("annex_ref", required=False, max_length=60)
        check.text("text")
        check.text("guidance", required=False)
        required = check.flag("required") if "required" in check.values else True
        if kind in ("probability", "severity") and not required:
            check.fail("required", f"a {kind} question must be answered: the risk level rests on it")
        if code and code not in found:
            found[code] = {"section": section, "kind": kind, "required": required}
    if questions:
        present = {q["section"] for q in found.values()}
        for section in SECTIONS:
            if section not in present:
                problems.append(
                    ContentProblem(file, "", "questions", f"no question in the Annex A section {section!r}")
                )
        for kind in ("probability", "severity"):
            if not any(q["kind"] == kind for q in found.values()):
                problems.append(ContentProblem(file, "", "questions", f"needs at least one {kind} question"))
    return found


def _check_scale(problems: list[ContentProblem], file: str, name: str, points: Any) -> int:
    """Check one scale (probability or severity); returns how many steps it has (0 when unusable)."""
    check = _Checker(problems, file, "levels", {name: points})
    points = check.items(name)
    if len(points) < 2:
        check.fail(name, "needs at least two steps")
        return 0
    codes: set[str] = set()
    usable = True
    for index, point in enumerate(points, start=1):
        step = _Checker(problems, file, f"levels > {name} step {index}", point)
        step.allowed(*SCALE_FIELDS)
        value = step.values.get("value")
        if value != index or isinstance(value, bool):
            step.fail("value", f"must be {index}: the steps are numbered 1, 2, 3 ... from the lowest")
            usable = False
        code = step.code("code", pattern=SLUG_RE, max_length=30)
        if code in codes:
            step.fail("code", f"{code!r} is used twice in the {name} scale")
        codes.add(code)
        step.text("label", max_length=80)
        step.text("description")
    return len(points) if usable else 0


def _check_levels(problems: list[ContentProblem], file: str, levels: Any, questions: dict[str, dict[str, Any]]) -> None:
    check = _Checker(problems, file, "levels", levels)
    if not isinstance(levels, dict):
        return
    check.allowed(*LEVEL_FIELDS)
    rows = _check_scale(problems, file, "probability", levels.get("probability"))
    columns = _check_scale(problems, file, "severity", levels.get("severity"))

    adjustments = check.items("adjustments", required=False)
    seen: set[str] = set()
    for index, adjustment in enumerate(adjustments, start=1):
        step = _Checker(problems, file, f"levels > adjustment {index}", adjustment)
        step.allowed(*ADJUSTMENT_FIELDS)
        code = step.code("code", pattern=SLUG_RE, max_length=30)
        if code in seen:
            step.fail("code", f"adjustment code {code!r} is used twice")
        seen.add(code)
        question = step.values.get("question")
        if question not in questions:
            step.fail("question", f"{question!r} is not a question of this method")
        elif questions[question]["kind"] != "yes-no":
            step.fail("question", f"{question} must be a yes-no question to trigger an adjustment")
        step.choice("answer", YES_NO)
        raise_by = step.integer("raise", required=True)
        if raise_by == 0:
            step.fail("raise", "must raise the severity by at least one step")
        step.text("label", max_length=200)

    matrix = check.items("matrix")
    if matrix:
        _check_matrix(check, matrix, rows, columns)

    involvement = check.items("involvement")
    calls: dict[str, str] = {}
    for index, entry in enumerate(involvement, start=1):
        step = _Checker(problems, file, f"levels > involvement {index}", entry)
        step.allowed(*INVOLVEMENT_FIELDS)
        level = step.choice("level", RISK_LEVELS)
        if level in calls:
            step.fail("level", f"{level!r} is given twice")
        calls[level] = step.choice("involvement", INVOLVEMENTS)
        step.text("description")
    if involvement:
        missing = [level for level in RISK_LEVELS if level not in calls]
        if missing:
            check.fail("involvement", f"say which human involvement these risk levels call for: {', '.join(missing)}")
        elif all(calls.values()):
            ranks = [INVOLVEMENTS.index(calls[level]) for level in RISK_LEVELS]
            if ranks != sorted(ranks):
                check.fail("involvement", "a higher risk level must never call for less human involvement")


def _check_matrix(check: _Checker, matrix: list[Any], rows: int, columns: int) -> None:
    """The matrix has a row per probability step and a column per severity step; risk never falls as either rises."""
    if rows and len(matrix) != rows:
        check.fail("matrix", f"has {len(matrix)} rows; the probability scale has {rows} steps, one row each")
    cells: list[list[int]] = []
    for index, row in enumerate(matrix, start=1):
        if not isinstance(row, list):
            check.fail("matrix", f"row {index} must be a list of risk levels")
            return
        if columns and len(row) != columns:
            check.fail("matrix", f"row {index} has {len(row)} cells; the severity scale has {columns} steps")
        bad = [cell for cell in row if cell not in RISK_LEVELS]
        if bad:
            check.fail("matrix", f"row {index}: {bad[0]!r} is not one of: {', '.join(RISK_LEVELS)}")
            return
        cells.append([RISK_LEVELS.index(cell) for cell in row])
    if any(len(row) != len(cells[0]) for row in cells):
        return
    for r, row in enumerate(cells):
        for c, rank in enumerate(row):
            if (c and rank < row[c - 1]) or (r and rank < cells[r - 1][c]):
                check.fail(
                    "matrix",
                    f"row {r + 1}, cell {c + 1}: the risk level must not fall as severity or probability rises",
                )
                return


def _check_public_text(problems: list[ContentProblem], file: str, data: dict[str, Any]) -> None:
    """Clients read every line of a method in the PDF: no mention of our own files or notes (as in content)."""

    def walk(value: Any, record: str, field: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in ("url", "code", "question"):
                    walk(item, record, str(key))
        elif isinstance(value, list):
            for item in value:
                walk(item, record, field)
        elif isinstance(value, str) and (found := INTERNAL_MARKERS.search(value)):
            problems.append(
                ContentProblem(file, record, field, f"mentions {found.group(0)!r}: cite public documents only")
            )

    for key in ("title", "description", "sources", "levels", "questions"):
        if key in data:
            walk(data[key], "", key)


def check_risk_method(data: dict[str, Any], *, file: str | None = None) -> None:
    problems = validate_risk_method(data, file=file)
    if problems:
        raise ContentError(problems)


# --- translations ---------------------------------------------------------------------------------------------------


def risk_translation_template(data: dict[str, Any]) -> dict[str, Any]:
    """Every translatable English string of valid method data, in the shape of a translation file (what
    translators start from): title, description, the levels' words by code, the questions' text and guidance."""

    def words(values: dict[str, Any], fields: Any) -> dict[str, str]:
        return {field: " ".join(str(values[field]).split()) for field in fields if str(values.get(field) or "").strip()}

    levels = {
        part: {code: words(entry, fields) for code, entry in risk_level_entries(data["levels"], part).items()}
        for part, fields in LEVEL_TEXT.items()
    }
    template: dict[str, Any] = {
        **words(data, METHOD_TEXT),
        "levels": {part: entries for part, entries in levels.items() if entries},
        "questions": {str(q["code"]): words(q, QUESTION_TEXT) for q in data["questions"]},
    }
    return template


def _check_words(
    problems: list[ContentProblem],
    where: str,
    record: str,
    given: Any,
    english_words: dict[str, str],
    limits: dict[str, int | None],
) -> None:
    """The translated fields of one record: known fields that have English to translate, text within its limit."""
    if not isinstance(given, dict):
        problems.append(ContentProblem(where, record, "", "must be a mapping of fields to their translation"))
        return
    for raw_key, value in given.items():
        key = str(raw_key)
        if key not in english_words:
            translated = ", ".join(english_words) or "none"
            why = "has no English text here to translate" if key in limits else "is not a translated field"
            problems.append(ContentProblem(where, record, key, f"unknown field: {why} (translated here: {translated})"))
        elif value is None:
            continue  # left blank: reads in English
        elif not isinstance(value, str):
            problems.append(ContentProblem(where, record, key, "must be text"))
        elif (limit := limits[key]) and len(value) > limit:
            message = f"is {len(value)} characters long; at most {limit} allowed"
            problems.append(ContentProblem(where, record, key, message))
        elif found := INTERNAL_MARKERS.search(value):
            problems.append(
                ContentProblem(where, record, key, f"mentions {found.group(0)!r}: cite public documents only")
            )


def _check_codes(
    problems: list[ContentProblem],
    where: str,
    record: str,
    given: Any,
    english_entries: dict[str, dict[str, str]],
    kind: str,
    limits: dict[str, int | None],
) -> None:
    """Records given by code (`kind` names them): each code must be one of the English method's."""
    if not isinstance(given, dict):
        problems.append(ContentProblem(where, record, "", f"must be a mapping of {kind} codes to their fields"))
        return
    for raw_code, fields in given.items():
        code = str(raw_code)
        name = f"{record} > {kind} {code}" if record else f"{kind} {code}"
        if code not in english_entries:
            message = f"unknown code: the English method has no {kind} {code!r}"
            problems.append(ContentProblem(where, record, "", message))
            continue
        _check_words(problems, where, name, fields, english_entries[code], limits)


def validate_risk_translations(data: dict[str, Any], translations: Any, languages: list[str]) -> list[ContentProblem]:
    """Every problem of a method's translations ({language: mapping}) against its valid English `data`: a language
    the site does not offer, an unknown field or code, a value that is not text, a text longer than its field may
    be. Each problem names the file, the record and the field. Placeholders and numbers are not checked."""
    problems: list[ContentProblem] = []
    if not translations:
        return problems
    code = str(data["code"])
    if not isinstance(translations, dict):
        return [ContentProblem(code, "", "translations", "must be a mapping of languages to their translation")]
    template = risk_translation_template(data)
    method_words = {field: template[field] for field in METHOD_TEXT if field in template}
    for raw_language, mapping in translations.items():
        language = str(raw_language)
        where = translation_file(language, code)
        if language not in languages:
            message = f"{language!r} is not a language content is translated into (one of: {', '.join(languages)})"
            problems.append(ContentProblem(where, "", "", message))
            continue
        if mapping is None:
            continue
        if not isinstance(mapping, dict):
            problems.append(ContentProblem(where, "", "", "must be a mapping of fields to their translation"))
            continue
        for raw_key, value in mapping.items():
            key = str(raw_key)
            if key == "levels":
                _check_levels_translation(problems, where, value, template["levels"])
            elif key == "questions":
                _check_codes(problems, where, "", value, template["questions"], "question", QUESTION_TEXT)
            elif key in METHOD_TEXT:
                _check_words(problems, where, "", {key: value}, method_words, METHOD_TEXT)
            else:
                known = ", ".join([*method_words, "levels", "questions"])
                message = f"unknown field: is not a translated field (translated: {known})"
                problems.append(ContentProblem(where, "", key, message))
    return problems


def _check_levels_translation(
    problems: list[ContentProblem], where: str, given: Any, english_levels: dict[str, Any]
) -> None:
    if not isinstance(given, dict):
        problems.append(ContentProblem(where, "", "levels", "must be a mapping of the levels' parts to their words"))
        return
    for raw_part, entries in given.items():
        part = str(raw_part)
        if part not in english_levels:
            translated = ", ".join(english_levels)
            why = (
                "is not a translated part (codes, numbers and the matrix read the same in every language)"
                if part in LEVEL_FIELDS
                else "the method's levels have no such part"
            )
            problems.append(ContentProblem(where, "levels", part, f"unknown field: {why} (translated: {translated})"))
            continue
        _check_codes(problems, where, "levels", entries, english_levels[part], LEVEL_ENTRY[part], LEVEL_TEXT[part])


def check_risk_translations(data: dict[str, Any], translations: Any) -> None:
    problems = validate_risk_translations(data, translations, translation_languages())
    if problems:
        raise ContentError(problems)


def _text(value: Any) -> str | None:
    """A translation as stored: None for a blank one (the field then reads in English)."""
    return value if isinstance(value, str) and value.strip() else None


def _translated_levels(levels: dict[str, Any], given: Any) -> dict[str, Any] | None:
    """A copy of the English `levels` with the translated words of `given` put in; None when it translates none."""
    if not isinstance(given, dict):
        return None
    copied = copy.deepcopy(levels)
    changed = False
    for part, fields in LEVEL_TEXT.items():
        words = given.get(part)
        if not isinstance(words, dict):
            continue
        entries = risk_level_entries(copied, part)
        for code, values in words.items():
            entry = entries.get(str(code))
            if entry is None or not isinstance(values, dict):
                continue
            for field in fields:
                value = _text(values.get(field))
                if value is not None:
                    entry[field] = value
                    changed = True
    return copied if changed else None


def risk_translations_to_database(method: RiskMethod, translations: dict[str, Any]) -> bool:
    """Write checked translations ({language: mapping}) to the language columns of `method` and its questions,
    replacing what they held: a field no file translates is emptied and reads in English. The English columns are
    never written. Returns whether anything changed. Call inside a transaction."""
    english_levels = english(method, "levels") or {}
    questions = list(method.questions.all())
    method_columns: set[str] = set()
    question_columns: set[str] = set()
    changed_questions: dict[int, RiskQuestion] = {}
    for language in translation_languages():
        mapping = translations.get(language)
        mapping = mapping if isinstance(mapping, dict) else {}
        wanted: dict[str, Any] = {field: _text(mapping.get(field)) for field in METHOD_TEXT}
        wanted["levels"] = _translated_levels(english_levels, mapping.get("levels"))
        for field, value in wanted.items():
            column = build_localized_fieldname(field, language)
            if (getattr(method, column) or None) != value:
                setattr(method, column, value)
                method_columns.add(column)
        given = mapping.get("questions")
        given = given if isinstance(given, dict) else {}
        for question in questions:
            words = given.get(question.code)
            words = words if isinstance(words, dict) else {}
            for field in QUESTION_TEXT:
                column = build_localized_fieldname(field, language)
                value = _text(words.get(field))
                if (getattr(question, column) or None) != value:
                    setattr(question, column, value)
                    changed_questions[question.pk] = question
                    question_columns.add(column)
    if method_columns:
        method.save(update_fields=sorted(method_columns))
    if changed_questions:
        RiskQuestion.objects.bulk_update(list(changed_questions.values()), sorted(question_columns))
    return bool(method_columns or changed_questions)


def method_translations(method: RiskMethod) -> dict[str, dict[str, Any]]:
    """The translations of `method` in the files' shape, {language: mapping}; languages with nothing translated
    are left out. Loading them again changes nothing."""
    english_levels = english(method, "levels") or {}
    questions = list(method.questions.order_by("order", "code"))
    out: dict[str, dict[str, Any]] = {}
    for language in translation_languages():
        mapping: dict[str, Any] = {}
        for field in METHOD_TEXT:
            if (value := _text(getattr(method, build_localized_fieldname(field, language)))) is not None:
                mapping[field] = value
        own = getattr(method, build_localized_fieldname("levels", language)) or {}
        levels: dict[str, Any] = {}
        for part, fields in LEVEL_TEXT.items():
            source = risk_level_entries(english_levels, part)
            for code, entry in risk_level_entries(own, part).items():
                for field in fields:
                    value = _text(entry.get(field))
                    if value is not None and code in source and value != source[code].get(field):
                        levels.setdefault(part, {}).setdefault(code, {})[field] = value
        if levels:
            mapping["levels"] = levels
        for question in questions:
            for field in QUESTION_TEXT:
                if (value := _text(getattr(question, build_localized_fieldname(field, language)))) is not None:
                    mapping.setdefault("questions", {}).setdefault(question.code, {})[field] = value
        if mapping:
            out[language] = mapping
    return out


# --- the canonical form: files and database compared --------------------------------------------------------------


def canonical_method(data: dict[str, Any]) -> dict[str, Any]:
    """Valid method data with every default written out, as `method_to_data` reads it back from the database."""
    released = data["released"]
    return {
        "code": data["code"],
        "title": data["title"],
        "description": data.get("description") or "",
        "released": released if isinstance(released, dt.date) else dt.date.fromisoformat(released),
        "sources": [{field: source.get(field) or "" for field in SOURCE_FIELDS} for source in data["sources"]],
        "levels": {
            "probability": [dict(point) for point in data["levels"]["probability"]],
            "severity": [dict(point) for point in data["levels"]["severity"]],
            "adjustments": [dict(a) for a in data["levels"].get("adjustments") or []],
            "matrix": [list(row) for row in data["levels"]["matrix"]],
            "involvement": [dict(entry) for entry in data["levels"]["involvement"]],
        },
        "questions": [
            {
                "code": q["code"],
                "section": q["section"],
                "kind": q["kind"],
                "annex_ref": q.get("annex_ref") or "",
                "text": q["text"],
                "guidance": q.get("guidance") or "",
                "required": q.get("required", True),
            }
            for q in data["questions"]
        ],
    }


def method_to_data(method: RiskMethod) -> dict[str, Any]:
    """A method in the database as the data of its file (in canonical form): its English, whatever the language."""
    with in_english():
        return _method_data(method)


def _method_data(method: RiskMethod) -> dict[str, Any]:
    return {
        "code": method.code,
        "title": method.title,
        "description": method.description,
        "released": method.released_on,
        "sources": [dict(source) for source in method.sources],
        "levels": dict(method.levels),
        "questions": [
            {
                "code": q.code,
                "section": q.section,
                "kind": q.kind,
                "annex_ref": q.annex_ref,
                "text": q.text,
                "guidance": q.guidance,
                "required": q.required,
            }
            for q in method.questions.order_by("order", "code")
        ],
    }


# --- loading ------------------------------------------------------------------------------------------------------


def load_risk_method(source: Path | str | dict[str, Any], *, publish: bool = True) -> RiskLoadResult:
    """Validate a method (a file or its data) and write it, atomically.

    Its translations (`translations/<language>/<file name>` beside the file, or data["translations"]) are checked
    with it and loaded into the language columns. Loading an unchanged published method again changes nothing but
    its translations, which are presentation (nothing is scored on them). A published method never changes:
    different English content under its code is refused (give it a new code). A draft with the same code is
    replaced.
    """
    if isinstance(source, dict):
        translations = source.get("translations") or {}
        data, file = {key: value for key, value in source.items() if key != "translations"}, None
    else:
        data, file = read_risk_method(source), Path(source).stem
        translations = read_risk_translations(source)
    check_risk_method(data, file=file)
    wanted = canonical_method(data)
    check_risk_translations(wanted, translations)
    name = file or wanted["code"]
    with in_english(), transaction.atomic():
        existing = RiskMethod.objects.select_for_update().filter(code=wanted["code"]).first()
        if existing is not None:
            if existing.status != RiskMethod.Status.DRAFT:
                if method_to_data(existing) == wanted:
                    updated = risk_translations_to_database(existing, translations)
                    return RiskLoadResult(existing, created=False, translations_updated=updated)
                raise ContentError(
                    [
                        ContentProblem(
                            name,
                            "",
                            "code",
                            f"the risk method {wanted['code']!r} is published and cannot change; give the changed "
                            "method a new code (and name its file after it)",
                        )
                    ]
                )
            try:
                existing.delete()
            except ProtectedError as exc:  # a draft someone answered: keep their answers' method
                raise ContentError(
                    [ContentProblem(name, "", "code", "this draft method has risk assessments; give it a new code")]
                ) from exc
        method = _method_to_database(wanted, publish=publish)
        risk_translations_to_database(method, translations)
    return RiskLoadResult(method, created=True)


def _method_to_database(data: dict[str, Any], *, publish: bool) -> RiskMethod:
    method = RiskMethod.objects.create(
        code=data["code"],
        title=data["title"],
        description=data["description"],
        released_on=data["released"],
        status=RiskMethod.Status.PUBLISHED if publish else RiskMethod.Status.DRAFT,
        published_at=timezone.now() if publish else None,
        levels=data["levels"],
        sources=data["sources"],
    )
    RiskQuestion.objects.bulk_create(
        RiskQuestion(method=method, order=order, **question) for order, question in enumerate(data["questions"], 1)
    )
    return method


@transaction.atomic
def risk_method_publish(method: RiskMethod) -> RiskMethod:
    """Publish a draft made or edited in the admin, after the same validation as a file gets."""
    locked = RiskMethod.objects.select_for_update().get(pk=method.pk)
    if locked.status != RiskMethod.Status.DRAFT:
        raise ContentError([ContentProblem(locked.code, "", "status", "only a draft can be published")])
    data = method_to_data(locked)  # its English: the rules, whatever language the admin is in
    if data["released"] is None:
        data["released"] = timezone.localdate()
    check_risk_method(data)
    locked.status = RiskMethod.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.released_on = data["released"]
    locked.save(update_fields=["status", "published_at", "released_on"])
    return locked
