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
