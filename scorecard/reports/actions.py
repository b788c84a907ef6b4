"""PLACEHOLDER: the actions part of the report (scorecard/reports/workspace.py)."""

from __future__ import annotations

from typing import Any

from ..models import Assessment


def context(assessment: Assessment) -> dict[str, Any]:
    return {}


def fingerprint(assessment: Assessment) -> str:
    return ""
