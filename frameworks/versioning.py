"""The draft → publish workflow admins use, and what changed between two versions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .content import SLUG_RE, ContentError, ContentProblem, validate_content
from .exporting import version_to_content, version_with_translations
from .loading import content_to_database
from .models import FrameworkVersion
from .translation import in_english


@transaction.atomic
def version_clone(*, source: FrameworkVersion, code: str, label: str) -> FrameworkVersion:
    """A new draft with the same content (and translations) as `source`, for admins to edit. Its label is chosen at
    publish time."""
    data = version_with_translations(source)
    data["version"] = {k: v for k, v in data["version"].items() if k != "released"} | {"code": code, "label": label}
    problems = [p for p in validate_content(data) if p.file == "version"]
    if FrameworkVersion.objects.filter(code=code).exists():
        problems.append(ContentProblem("version", "", "code", f"a version with code {code!r} already exists"))
    if problems:
        raise ContentError(problems)
    return content_to_database(data, status=FrameworkVersion.Status.DRAFT, based_on=source)


@transaction.atomic
def version_publish(
    *, version: FrameworkVersion, label: str, code: str | None = None, released_on: dt.date | None = None
) -> FrameworkVersion:
    """Publish a draft under the label people will see (e.g. "December 2026"); it becomes the current edition.

    The label is asked for here, not derived from the draft's, so it never compounds from one update to the
    next. The same validation as loading runs first; nothing changes unless the whole version is valid.
    """
    with in_english():  # the label and code are the content's own (English) ones
        return _publish(version=version, label=label, code=code, released_on=released_on)


def _publish(
    *, version: FrameworkVersion, label: str, code: str | None, released_on: dt.date | None
) -> FrameworkVersion:
    locked = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    code = (code or locked.code).strip()
    label = " ".join(label.split())
    problems: list[ContentProblem] = []
    if locked.status != FrameworkVersion.Status.DRAFT:
        problems.append(ContentProblem("version", locked.code, "status", "only a draft can be published"))
    if not label or len(label) > 60:
        problems.append(ContentProblem("version", locked.code, "label", "give a label of 1 to 60 characters"))
    elif FrameworkVersion.objects.exclude(pk=locked.pk).filter(label__iexact=label).exists():
        problems.append(ContentProblem("version", locked.code, "label", f"{label!r} is another version's label"))
    if not SLUG_RE.match(code) or len(code) > 60:
        problems.append(ContentProblem("version", locked.code, "code", f"{code!r} is not a valid code (a-z, 0-9, -)"))
    elif FrameworkVersion.objects.exclude(pk=locked.pk).filter(code=code).exists():
        problems.append(ContentProblem("version", locked.code, "code", f"a version with code {code!r} already exists"))
    if problems:
        raise ContentError(problems)
    locked.label, locked.code = label, code
    locked.released_on = released_on or timezone.localdate()
    problems = validate_content(version_to_content(locked))
    if problems:
        raise ContentError(problems)
    locked.status = FrameworkVersion.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at", "label", "code", "released_on"])
    return locked


# --- what changed ----------------------------------------------------------------------------------

TEXT_FIELDS = {
    "name",
    "short_name",
    "definition",
    "description",
    "adaptation",
    "text",
    "guidance",
    "evidence",
    "recommendation",
    "summary",
    "implication",
    "label",
    "descriptor",
    "legal_basis",
    "status",
    "key_dates",
    "guide_section",
    "applies_when",
    "in_force_note",
}
WEIGHT_FIELDS = {"weight", "weights", "points", "options", "key_control", "mandatory"}


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, reworded, re-weighted, changed
    what: str  # e.g. "question TE-03"
    fields: tuple[str, ...] = ()
    market: str = ""  # the country code for a market's facts and requirements
    values: tuple[tuple[str, str, str], ...] = ()  # (field, before, after) in words, for side-by-side reading

    @property
    def code(self) -> str:
        return self.what.rsplit(" ", 1)[-1]


def _records(data: dict[str, Any]) -> dict[str, tuple[dict[str, Any], str]]:
    """Every comparable record by name, with the market it belongs to ("" for the common content)."""
    records: dict[str, tuple[dict[str, Any], str]] = {}
    for p in data["guide"]["principles"]:
        records[f"principle {p['code']}"] = (p, "")
    for c in data["guide"]["components"]:
        records[f"component {c['code']}"] = (c, "")
    for q in data["guide"]["questions"]:
        records[f"question {q['code']}"] = (q, "")
    for r in data["genai"]["risks"]:
        records[f"GenAI risk {r['code']}"] = (r, "")
    for d in data["genai"]["dimensions"]:
        records[f"GenAI dimension {d['code']}"] = (d, "")
    for q in data["genai"]["items"]:
        records[f"question {q['code']}"] = (q, "")
    for c in data["countries"]["countries"]:
        market = c["code"]
        # Facts with an ID are compared one by one; the first edition's unnamed facts stay part of the country.
        named = [f for f in c.get("facts") or [] if f.get("code")]
        unnamed = [f for f in c.get("facts") or [] if not f.get("code")]
        records[f"country {market}"] = (
            {k: v for k, v in c.items() if k not in ("requirements", "facts")} | {"facts": unnamed},
            market,
        )
        for f in named:
            records[f"fact {f['code']}"] = (f, market)
        for q in c.get("requirements") or []:
            records[f"question {q['code']}"] = (q, market)
    for r in data["instruments"]["instruments"]:
        records[f"instrument {r['code']}"] = (r, "")
    return records


def version_diff(old: FrameworkVersion, new: FrameworkVersion) -> list[Change]:
    """Items added, removed, reworded or re-weighted between two versions."""
    before, after = _records(version_to_content(old)), _records(version_to_content(new))
    changes = [Change("added", key, market=after[key][1]) for key in after if key not in before]
    changes += [Change("removed", key, market=before[key][1]) for key in before if key not in after]
    for key in after.keys() & before.keys():
        new_record, old_record = after[key][0], before[key][0]
        fields = tuple(
            sorted(
                f
                for f in new_record.keys() | old_record.keys()
                if new_record.get(f) != old_record.get(f) and f not in ("order", "checked_on")
            )
        )
        if not fields:
            continue
        if set(fields) <= TEXT_FIELDS:
            kind = "reworded"
        elif set(fields) <= WEIGHT_FIELDS:
            kind = "re-weighted"
        else:
            kind = "changed"
        values = tuple((f, _shown(old_record.get(f)), _shown(new_record.get(f))) for f in fields)
        changes.append(Change(kind, key, fields, market=after[key][1], values=values))
    order = {"added": 0, "removed": 1, "re-weighted": 2, "reworded": 3, "changed": 4}
    return sorted(changes, key=lambda c: (order[c.kind], c.what))


def _shown(value: Any, limit: int = 600) -> str:
    """A field's value as an admin reads it in the comparison: text as is, lists and mappings compacted."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        text = ", ".join(
            str(item.get("code", item)) if isinstance(item, dict) else str(item)
            for item in (value if isinstance(value, list) else [f"{k}: {v}" for k, v in value.items()])
        )
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_diff_cache: dict[tuple[int, str, int, str], list[Change]] = {}


def published_diff(old: FrameworkVersion, new: FrameworkVersion) -> list[Change]:
    """version_diff for two published versions, computed once per process: published content never changes."""
    key = (old.pk, str(old.published_at), new.pk, str(new.published_at))
    if key not in _diff_cache:
        _diff_cache[key] = version_diff(old, new)
    return _diff_cache[key]


@dataclass(frozen=True)
class EditionUpdate:
    """What a newer edition changes for one organisation: per target market, and in the common questionnaire."""

    old: FrameworkVersion
    new: FrameworkVersion
    by_market: dict[str, list[Change]]
    questionnaire: list[Change]


def edition_update(version: FrameworkVersion, markets: list[str]) -> EditionUpdate | None:
    """None when `version` is the current edition; otherwise the current edition's changes that matter."""
    current = FrameworkVersion.objects.current()
    if current is None or current.pk == version.pk or version.status == FrameworkVersion.Status.DRAFT:
        return None
    changes = published_diff(version, current)
    by_market = {code: [c for c in changes if c.market == code] for code in markets}
    questionnaire = [c for c in changes if not c.market and c.what.startswith("question ")]
    return EditionUpdate(old=version, new=current, by_market=by_market, questionnaire=questionnaire)
