"""The evidence part of the results page and the report (scorecard/reports/workspace.py, docs/evidence.md).

The report lists evidence by name, type, size, date and who uploaded it, and what each file supports. It never
receives the files themselves, nor a link to them: the PDF renderer gets names and dates only.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

from django.db.models import F, Prefetch, Q

from ..evidence_types import type_label
from ..models import Action, Answer, Assessment, EvidenceFile, person_label
from ..scoring import framework_for


def evidence_by_question(assessment: Assessment) -> dict[str, list[EvidenceFile]]:
    """The files linked to each answer of the assessment, by question code, by name: one query (the question
    codes come from the cached framework, not from a join)."""
    codes = {question.pk: code for code, question in framework_for(assessment.framework_version)[1].items()}
    files = (
        EvidenceFile.objects.filter(answers__assessment=assessment)
        .annotate(linked_question_id=F("answers__question_id"))
        .order_by("name", "pk")
    )
    found: dict[str, list[EvidenceFile]] = defaultdict(list)
    for evidence in files:
        code = codes.get(evidence.linked_question_id)
        if code is not None:
            found[code].append(evidence)
    return dict(found)


def annex_rows(assessment: Assessment) -> list[dict[str, Any]]:
    """Every file linked to the assessment's answers or to actions opened from it, by name."""
    files = (
        EvidenceFile.objects.filter(Q(answers__assessment=assessment) | Q(actions__assessment=assessment))
        .distinct()
        .select_related("uploaded_by")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.filter(assessment=assessment).select_related("question"),
                to_attr="answers_here",
            ),
            Prefetch("actions", queryset=Action.objects.filter(assessment=assessment), to_attr="actions_here"),
        )
        .order_by("name", "pk")
    )
    rows = []
    for evidence in files:
        rows.append(
            {
                "id": str(evidence.pk),
                "name": evidence.name,
                "type": type_label(evidence.content_type),
                "size": evidence.size,
                "uploaded_at": evidence.uploaded_at,
                "uploaded_by": person_label(evidence.uploaded_by),
                "questions": sorted(answer.question.code for answer in evidence.answers_here),
                "actions": sorted(f"{action.question_code}: {action.title}" for action in evidence.actions_here),
            }
        )
    return rows


def context(assessment: Assessment) -> dict[str, Any]:
    return {"evidence_annex": annex_rows(assessment), "evidence_by_question": evidence_by_question(assessment)}


def fingerprint(assessment: Assessment) -> str:
    """Changes whenever the annex would: a file linked, unlinked, renamed, replaced or deleted."""
    rows = [
        {**row, "uploaded_at": row["uploaded_at"].isoformat(), "uploaded_by": row["uploaded_by"]}
        for row in annex_rows(assessment)
    ]
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:16]
