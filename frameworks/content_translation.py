"""The translatable text of a content edition, as one nested mapping keyed by natural codes.

A translation of an edition is a folder `translations/<language>/` in the edition's folder holding YAML files with
the same shape as `translation_template(folder)`: each content file's name, then its items by code, then the
translated fields. The files of one language are merged (so a long part can be split over several files); fields
left out fall back to English. Sources keep their original titles, and codes, numbers, dates and legal
references (`legal_basis`) are never translated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .content import RECORD_KINDS, ContentError, ContentProblem, dump_yaml

# The fields people read. Everything else (codes, weights, dates, sources, legal references) is the same in every
# language.
TRANSLATABLE_FIELDS = frozenset(
    {
        "adaptation",
        "applies_when",
        "confidence_note",
        "definition",
        "description",
        "descriptor",
        "evidence",
        "guidance",
        "implication",
        "in_force_note",
        "key_dates",
        "label",
        "name",
        "recommendation",
        "short_name",
        "status",
        "status_as_of",
        "summary",
        "text",
        "title",
    }
)
# Content files whose text is translated; sources.yaml is not (a source keeps its original title).
TRANSLATED_FILES = ("version", "guide", "genai", "countries", "instruments")
# Names that stay as published: the regional instruments are cited by their official titles.
KEEP_ORIGINAL = {("instruments", "name")}


def _strings(node: Any, file: str) -> Any:
    """The translatable part of `node`: dicts keep their translatable string fields and their nested parts;
    lists of items with a `code` become mappings by code. Returns None when nothing in `node` is translatable."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if isinstance(value, str):
                if key in TRANSLATABLE_FIELDS and (file, key) not in KEEP_ORIGINAL and value.strip():
                    out[key] = " ".join(value.split())
            else:
                nested = _strings(value, file)
                if nested:
                    out[key] = nested
        return out or None
    if isinstance(node, list) and node and all(isinstance(item, dict) and "code" in item for item in node):
        by_code = {str(item["code"]): _strings(item, file) for item in node}
        return {code: strings for code, strings in by_code.items() if strings} or None
    return None


def translation_template(folder: Path) -> dict[str, Any]:
    """Every translatable English string of the edition in `folder`, in the shape a translation file has."""
    template: dict[str, Any] = {}
    for name in TRANSLATED_FILES:
        strings = _strings(yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8")), name)
        if strings:
            template[name] = strings
    return template


# --- reading, checking and writing translation files --------------------------------------------------------------
# A translation travels with the content data (`frameworks.content`) as data["translations"]: {language: {file name:
# the file's mapping}}, the files as translators wrote them. `frameworks.loading` checks it with
# `validate_translations` and writes it to the language columns; `frameworks.exporting` gives the same shape back,
# one file per content file.

TRANSLATIONS_DIR = "translations"
# The word a record is called by in problem messages ("country VN > fact VN-F01"), by the key of its list. Below a
# scale's name come its options' codes.
_KINDS = {**RECORD_KINDS, "scales": "scale"}
_CODES_BELOW = {"scale": "option"}


def content_template(data: dict[str, Any]) -> dict[str, Any]:
    """`translation_template` of content data already read: what a translation of it may contain."""
    template: dict[str, Any] = {}
    for name in TRANSLATED_FILES:
        strings = _strings(data.get(name), name)
        if strings:
            template[name] = strings
    return template


def read_translation_file(path: Path, where: str, problems: list[ContentProblem]) -> Any:
    """The YAML in `path`; None for an empty file, or, with a problem added, for one that is not valid YAML or not
    UTF-8 text."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        problems.append(ContentProblem(where, "", "", f"{line}not valid YAML ({getattr(exc, 'problem', exc)})"))
    except UnicodeDecodeError:
        problems.append(ContentProblem(where, "", "", "not UTF-8 text"))
    return None


def read_translations(folder: Path) -> dict[str, dict[str, Any]]:
    """Every `translations/<language>/*.yaml` of the edition in `folder`: {language: {file name: its mapping}}.

    {} when the edition has no translations folder. Files other than *.yaml are left alone (notes, a glossary).
    """
    root = Path(folder) / TRANSLATIONS_DIR
    if not root.is_dir():
        return {}
    found: dict[str, dict[str, Any]] = {}
    problems: list[ContentProblem] = []
    for language_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        files = found.setdefault(language_dir.name, {})
        for path in sorted(language_dir.glob("*.yaml")):
            where = f"{TRANSLATIONS_DIR}/{language_dir.name}/{path.stem}"
            loaded = read_translation_file(path, where, problems)
            if loaded is None:  # an empty file (nothing translated yet), or one that cannot be read
                continue
            files[path.name] = loaded
    if problems:
        raise ContentError(problems)
    return found


def translation_record(path: tuple[str, ...]) -> tuple[str, str]:
    """The record and field a translation path names, as problems name them: ("guide", "questions", "TE-03",
    "options", "a", "label") -> ("question TE-03 > option a", "label")."""
    names: list[str] = []
    codes_of: str | None = None
    for key in path[1:-1]:
        if codes_of is not None:
            names.append(f"{codes_of} {key}")
            codes_of = _CODES_BELOW.get(codes_of)
        else:
            codes_of = _KINDS.get(key)
    return " > ".join(names), path[-1]


def translation_location(language: str, file_name: str) -> str:
    return f"{TRANSLATIONS_DIR}/{language}/{file_name.removesuffix('.yaml')}"


def _check_part(
    problems: list[ContentProblem], where: str, template: Any, given: Any, record: str, codes_of: str | None
) -> None:
    """Check `given` against the same part of the template: keys are codes of `codes_of` records, or else fields
    and lists of records. Every problem names the file, the record and the field."""
    if not isinstance(given, dict):
        problems.append(ContentProblem(where, record, "", "must be a mapping (codes or fields to text)"))
        return
    for raw_key, value in given.items():
        key = str(raw_key)
        if codes_of is not None:
            name = f"{record} > {codes_of} {key}".strip(" >")
            if key not in template:
                problems.append(
                    ContentProblem(where, record, "", f"unknown code: the English edition has no {codes_of} {key!r}")
                )
                continue
            _check_part(problems, where, template[key], value, name, _CODES_BELOW.get(codes_of))
            continue
        expected = template.get(key)
        if isinstance(expected, str):
            if value is not None and not isinstance(value, str):
                problems.append(ContentProblem(where, record, key, "must be text"))
        elif isinstance(expected, dict):
            _check_part(problems, where, expected, value, record, _KINDS.get(key))
        else:
            fields = ", ".join(k for k, v in template.items() if isinstance(v, str)) or "none"
            if key in TRANSLATABLE_FIELDS:
                why = "has no English text here to translate"
                if any(key == field for _file, field in KEEP_ORIGINAL):
                    why = "keeps its original (official) wording in every language"
            else:
                why = "is not a translated field"
            problems.append(ContentProblem(where, record, key, f"unknown field: {why} (translated here: {fields})"))


def validate_translations(data: dict[str, Any], languages: list[str]) -> list[ContentProblem]:
    """Every problem in data["translations"] against the English content in `data`: a language not in `languages`,
    an unknown content file, code or field, a value that is not text, or a field two files of a language translate
    differently. Each problem names the file, the record and the field. Placeholders and numbers are not checked."""
    problems: list[ContentProblem] = []
    template = content_template(data)
    for language, files in (data.get("translations") or {}).items():
        if language not in languages:
            for file_name in files:
                known = ", ".join(languages)
                message = f"{language!r} is not a language content is translated into (one of: {known})"
                problems.append(ContentProblem(translation_location(language, file_name), "", "", message))
            continue
        for file_name, mapping in files.items():
            where = translation_location(language, file_name)
            if not isinstance(mapping, dict):
                problems.append(ContentProblem(where, "", "", "must be a mapping of content files to their parts"))
                continue
            for part, value in mapping.items():
                if str(part) not in template:
                    known = ", ".join(template)
                    problems.append(ContentProblem(where, "", str(part), f"unknown content file (translated: {known})"))
                    continue
                _check_part(problems, where, template[str(part)], value, "", None)
        if not problems:
            _conflicts(problems, language, files)
    return problems


def translation_leaves(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in translation_leaves(value, (*path, str(key)))]
    return [(path, node)]


def _conflicts(problems: list[ContentProblem], language: str, files: dict[str, Any]) -> None:
    seen: dict[tuple[str, ...], tuple[str, Any]] = {}
    for file_name, mapping in files.items():
        for path, value in translation_leaves(mapping):
            if value in (None, ""):
                continue
            if path in seen and seen[path][1] != value:
                problems.append(
                    ContentProblem(
                        translation_location(language, file_name),
                        " > ".join(path[:-1]),
                        path[-1],
                        f"translated differently in {seen[path][0]}",
                    )
                )
            seen.setdefault(path, (file_name, value))


def merged_translation(files: dict[str, Any]) -> dict[tuple[str, ...], str]:
    """One language's files merged: {path of codes and keys: translated text}, e.g.
    ("guide", "questions", "TE-03", "text"). Blank values are left out: the field stays in English."""
    merged: dict[tuple[str, ...], str] = {}
    for mapping in files.values():
        for path, value in translation_leaves(mapping):
            if isinstance(value, str) and value.strip():
                merged.setdefault(path, value)
    return merged


def template_paths(template: dict[str, Any]) -> list[tuple[str, ...]]:
    """Every translatable field of an edition as a path, in the order of the English files."""
    return [path for path, _value in translation_leaves(template)]


def nest(values: dict[tuple[str, ...], str]) -> dict[str, Any]:
    """Paths and values back into the nested shape of a translation file (in the order given)."""
    out: dict[str, Any] = {}
    for path, value in values.items():
        node = out
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return out


def write_translations(translations: dict[str, dict[str, Any]], directory: Path | str) -> list[Path]:
    """Write {language: {file name: mapping}} as `directory/translations/<language>/<file name>`."""
    written = []
    for language, files in translations.items():
        folder = Path(directory) / TRANSLATIONS_DIR / language
        folder.mkdir(parents=True, exist_ok=True)
        for file_name, mapping in files.items():
            path = folder / file_name
            path.write_text(dump_yaml(mapping), encoding="utf-8")
            written.append(path)
    return written
