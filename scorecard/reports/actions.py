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

from django.db.models import Count, Max, QuerySet
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
    carried: bool = False  # opened on an earlier assessment and still open: the gap is still there

    @property
    def closed_on(self) -> dt.date | None:
        return timezone.localdate(self.action.closed_at) if self.action.closed_at else None

    @property
    def evidence_names(self) -> list[str]:
        return [f.name for f in self.action.evidence_files.all()]


def action_rows(actions: Iterable[Action], today: dt.date | None = None, *, carried: bool = False) -> list[ActionRow]:
    """Rows for `actions` (their assessments' framework versions loaded), each with its question record."""
    today = today or timezone.localdate()
    rows = []
    for action in actions:
        _, questions = framework_for(action.assessment.framework_version)
        overdue = is_overdue(action, today)
        days = (today - action.due_on).days if overdue and action.due_on else 0
        rows.append(ActionRow(action, questions.get(action.question_code), overdue, days, carried))
    return rows


def _earlier_open(assessment: Assessment) -> QuerySet[Action]:
    """Open actions of earlier assessments of the same organisation and the same AI system (or of the organisation
    as a whole, for an organisation-level assessment). Why: a re-assessment whose gap is still there must show the
    action someone already owns, not offer to track the gap a second time."""
    return (
        Action.objects.filter(
            organisation_id=assessment.organisation_id,
            assessment__ai_system_id=assessment.ai_system_id,
            assessment__created_at__lt=assessment.created_at,
        )
        .exclude(assessment=assessment)
        .exclude(status__in=CLOSED)
    )


def _carried(assessment: Assessment, gap_codes: Iterable[str], tracked_codes: set[str]) -> list[Action]:
    """The newest earlier open action per gap of `assessment` that it does not track itself."""
    codes = set(gap_codes) - tracked_codes
    if not codes:
        return []
    newest: dict[str, Action] = {}
    earlier = (
        _earlier_open(assessment)
        .filter(question_code__in=codes)
        .select_related("owner", "closed_by", "assessment__framework_version")
        .defer("assessment__results")
        .prefetch_related("evidence_files")
        .order_by("-assessment__created_at", "-created_at")
    )
    for action in earlier:
        newest.setdefault(action.question_code, action)
    return list(newest.values())


def _tracked(assessment: Assessment) -> list[Action]:
    return list(
        Action.objects.filter(assessment=assessment)
        .select_related("owner", "closed_by")
        .prefetch_related("evidence_files")
    )


def context(assessment: Assessment) -> dict[str, Any]:
    """`tracked_actions`: {question code: ActionRow} for the action plan's cells, with the open actions of earlier
    assessments whose gap is still a gap here (`carried`); `tracked_action_rows`: the same in the plan's order, for
    the PDF; `may_track_actions`: the reader may turn a gap into an action (an editor,
    on a submitted assessment; the role the selector found, absent in a background render)."""
    if not assessment.is_locked:
        return {"tracked_actions": {}, "tracked_action_rows": [], "may_track_actions": False}
    actions = _tracked(assessment)
    for action in actions:
        action.assessment = assessment  # one version for all: no query per row
    rank = {code: n for n, code in enumerate(gaps_of(assessment))}
    carried = _carried(assessment, rank, {action.question_code for action in actions})
    rows = sorted(
        action_rows(actions) + action_rows(carried, carried=True),
        key=lambda r: (rank.get(r.action.question_code, len(rank)), r.action.pk),
    )
    return {
        "tracked_actions": {row.action.question_code: row for row in rows},
        "tracked_action_rows": rows,
        "may_track_actions": role_allows(getattr(assessment, "access_role", None), Role.EDITOR),
    }


def fingerprint(assessment: Assessment) -> str:
    """Changes whenever an action of the assessment changes (its count, the latest change, its evidence links),
    and when one becomes overdue, which happens with no change at all."""
    today = timezone.localdate()
    summary = {"count": Count("pk"), "last": Max("updated_at"), "overdue": Count("pk", filter=overdue_q(today))}
    tracked = Action.objects.filter(assessment=assessment).aggregate(**summary)
    # The earlier open actions a submitted assessment shows (context): closing one takes it off the report.
    earlier = _earlier_open(assessment).aggregate(**summary) if assessment.is_locked else {"count": 0}
    if not tracked["count"] and not earlier["count"]:
        return "actions:0"
    links = Action.evidence_files.through.objects.filter(action__assessment=assessment).count()
    parts = [tracked["count"], tracked["last"], tracked["overdue"], links]
    if earlier["count"]:
        parts += [earlier["count"], earlier["last"], earlier["overdue"]]
    return "actions:" + ":".join(p.isoformat() if isinstance(p, dt.datetime) else str(p) for p in parts)


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
