"""The draft → publish workflow admins use, and what changed between two versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from .content import ContentError, ContentProblem, validate_content
from .exporting import version_to_content
from .loading import content_to_database
from .models import FrameworkVersion


@transaction.atomic
def version_clone(*, source: FrameworkVersion, code: str, label: str) -> FrameworkVersion:
    """A new draft with the same content as `source`, for admins to edit."""
    data = version_to_content(source)
    data["version"] = dict(data["version"], code=code, label=label)
    problems = [p for p in validate_content(data) if p.file == "version"]
    if FrameworkVersion.objects.filter(code=code).exists():
        problems.append(ContentProblem("version", "", "code", f"a version with code {code!r} already exists"))
    if problems:
        raise ContentError(problems)
    return content_to_database(data, status=FrameworkVersion.Status.DRAFT, based_on=source)


@transaction.atomic
def version_publish(*, version: FrameworkVersion) -> FrameworkVersion:
    """Run the same validation as loading; publish only when the content is complete and consistent."""
    locked = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != FrameworkVersion.Status.DRAFT:
        raise ContentError([ContentProblem("version", locked.code, "status", "only a draft can be published")])
    problems = validate_content(version_to_content(locked))
    if problems:
        raise ContentError(problems)
    locked.status = FrameworkVersion.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at"])
    return locked


# --- what changed ----------------------------------------------------------------------------------

TEXT_FIELDS = {
    "name",
    "short_name",
    "definition",
    "description",
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
}
WEIGHT_FIELDS = {"weight", "weights", "points", "options", "key_control", "mandatory"}


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, reworded, re-weighted, changed
    what: str  # e.g. "question TE-03"
    fields: tuple[str, ...] = ()


def _records(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for p in data["guide"]["principles"]:
        records[f"principle {p['code']}"] = p
    for c in data["guide"]["components"]:
        records[f"component {c['code']}"] = c
    for q in data["guide"]["questions"]:
        records[f"question {q['code']}"] = q
    for r in data["genai"]["risks"]:
        records[f"GenAI risk {r['code']}"] = r
    for d in data["genai"]["dimensions"]:
        records[f"GenAI dimension {d['code']}"] = d
    for q in data["genai"]["items"]:
        records[f"question {q['code']}"] = q
    for c in data["countries"]["countries"]:
        records[f"country {c['code']}"] = {k: v for k, v in c.items() if k != "requirements"}
        for q in c.get("requirements") or []:
            records[f"question {q['code']}"] = q
    for r in data["instruments"]["instruments"]:
        records[f"instrument {r['code']}"] = r
    return records


def version_diff(old: FrameworkVersion, new: FrameworkVersion) -> list[Change]:
    """Items added, removed, reworded or re-weighted between two versions."""
    before, after = _records(version_to_content(old)), _records(version_to_content(new))
    changes = [Change("added", key) for key in after if key not in before]
    changes += [Change("removed", key) for key in before if key not in after]
    for key in after.keys() & before.keys():
        fields = tuple(
            sorted(
                f
                for f in after[key].keys() | before[key].keys()
                if after[key].get(f) != before[key].get(f) and f != "order"
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
        changes.append(Change(kind, key, fields))
    order = {"added": 0, "removed": 1, "re-weighted": 2, "reworded": 3, "changed": 4}
    return sorted(changes, key=lambda c: (order[c.kind], c.what))
