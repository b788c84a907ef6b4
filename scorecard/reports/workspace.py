"""What the AI-system workspace adds to the results page and the PDF report (docs/workspace.md).

Four parts, each in its own module: the score trend across submitted assessments, the assessed system's risk
impact assessment, the actions opened from the assessment's gaps, and the evidence annex. Each module gives a
context (merged into `report_context`) and a fingerprint: a short string that changes whenever what it shows
changes, so that a cached PDF is rendered again (`scorecard.reports.pdf.cache_key`).
"""

from __future__ import annotations

from typing import Any

from ..models import Assessment
from . import actions, evidence, system_risk, trend

PARTS = (trend, system_risk, actions, evidence)


def workspace_context(assessment: Assessment) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for part in PARTS:
        context.update(part.context(assessment))
    return context


def workspace_fingerprint(assessment: Assessment) -> str:
    return "|".join(part.fingerprint(assessment) for part in PARTS)
