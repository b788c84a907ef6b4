"""Writes for actions: gaps that people own and close (docs/workspace.md). PLACEHOLDER."""

from __future__ import annotations

from django.contrib.auth.models import User

from ..models import Assessment


def prefill_from_workspace(assessment: Assessment, previous: Assessment, *, by: User) -> None:
    """Called when a re-assessment is pre-filled from `previous`: carry over the evidence files linked to the old
    answers and what the actions closed since then say. PLACEHOLDER: does nothing yet."""
