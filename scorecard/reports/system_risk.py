"""PLACEHOLDER: the system_risk part of the report (scorecard/reports/workspace.py)."""

from __future__ import annotations

from typing import Any

from ..models import AISystem, Assessment


def context(assessment: Assessment) -> dict[str, Any]:
    return {}


def fingerprint(assessment: Assessment) -> str:
    return ""


def system_page_context(system: AISystem) -> dict[str, Any]:
    """What the AI system's page shows of the system's risk impact assessment (templates/systems/detail.html)."""
    return {}
