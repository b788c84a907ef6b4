"""The tracked actions as the results page, the PDF report and the AI system's page show them
(scorecard/reports/workspace.py merges `context` and `fingerprint`; docs/actions.md).

An action is shown with its question's recommendation in the reader's language (the record of its assessment's
framework version, looked up by code), its owner, due date and status, and whether it is overdue: a status said
in words and a badge, never by colour alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from frameworks.models import Question

from ..models import Action, AISystem, Assessment, Role
from ..permissions import role_allows
from ..scoring import framework_for
from ..services.actions import CLOSED, gaps_of, is_overdue, overdue_q


@dataclass(frozen=True)
class ActionRow:
    action: Action
    question: Question | None  # None when the question is not in the assessment's version (never, in practice)
    overdue: bool
    days_overdue: int  # 0 when not overdue

    @property
    def closed_on(self) -> dt.date | None:
        return timezone.localdate(self.action.closed_at) if self.action.closed_at else None

    @property
    def evidence_names(self) -> list[str]:
        return [f.name for f in self.action.evidence_files.all()]


def action_rows(actions: Iterable[Action], today: dt.date | None = None) -> list[ActionRow]:
    """Rows for `actions` (their assessments' framework versions loaded), each with its question record."""
    today = today or timezone.localdate()
    rows = []
    for action in actions:
        _, questions = framework_for(action.assessment.framework_version)
        overdue = is_overdue(action, today)
        days = (today - action.due_on).days if overdue and action.due_on else 0
        rows.append(ActionRow(action, questions.get(action.question_code), overdue, days))
    return rows


def _tracked(assessment: Assessment) -> list[Action]:
    return list(
        Action.objects.filter(assessment=assessment)
        .select_related("owner", "closed_by")
        .prefetch_related("evidence_files")
    )


def context(assessment: Assessment) -> dict[str, Any]:
    """`tracked_actions`: {question code: ActionRow} for the action plan's cells; `tracked_action_rows`: the same
    in the plan's order, for the PDF; `may_track_actions`: the reader may turn a gap into an action (an editor,
    on a submitted assessment; the role the selector found, absent in a background render)."""
    if not assessment.is_locked:
        return {"tracked_actions": {}, "tracked_action_rows": [], "may_track_actions": False}
    actions = _tracked(assessment)
    for action in actions:
        action.assessment = assessment  # one version for all: no query per row
    rank = {code: n for n, code in enumerate(gaps_of(assessment))}
    rows = sorted(action_rows(actions), key=lambda r: (rank.get(r.action.question_code, len(rank)), r.action.pk))
    return {
        "tracked_actions": {row.action.question_code: row for row in rows},
        "tracked_action_rows": rows,
        "may_track_actions": role_allows(getattr(assessment, "access_role", None), Role.EDITOR),
    }


def fingerprint(assessment: Assessment) -> str:
    """Changes whenever an action of the assessment changes (its count, the latest change, its evidence links),
    and when one becomes overdue, which happens with no change at all."""
    today = timezone.localdate()
    tracked = Action.objects.filter(assessment=assessment).aggregate(
        count=Count("pk"), last=Max("updated_at"), overdue=Count("pk", filter=overdue_q(today))
    )
    if not tracked["count"]:
        return "actions:0"
    links = Action.evidence_files.through.objects.filter(action__assessment=assessment).count()
    return f"actions:{tracked['count']}:{tracked['last'].isoformat()}:{tracked['overdue']}:{links}"


def system_page_context(system: AISystem) -> dict[str, Any]:
    """What the AI system's page shows of the actions: the open actions of the system's assessments, overdue
    first, then by due date (none last)."""
    today = timezone.localdate()
    actions = (
        Action.objects.filter(assessment__ai_system=system)
        .exclude(status__in=CLOSED)
        .select_related("owner", "assessment__framework_version")
        .defer("assessment__results")
    )
    rows = action_rows(actions, today)
    rows.sort(key=lambda r: (not r.overdue, r.action.due_on is None, r.action.due_on or today, r.action.question_code))
    return {
        "system_open_actions": rows,
        "system_overdue_count": sum(row.overdue for row in rows),
        "system_closed_count": Action.objects.filter(assessment__ai_system=system, status__in=CLOSED).count(),
    }
