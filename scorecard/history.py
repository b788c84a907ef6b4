"""The change history as people read it: answers by their labels, and one row per burst of autosaves.

Autosave stores a change every time someone pauses typing, so one person writing one note leaves a dozen
rows. Consecutive changes by the same person to the same question within a few minutes read as one edit,
from the answer before the first to the answer after the last.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from frameworks.models import Question

from . import engine
from .models import Assessment

# Saves further apart than this are separate edits, even by the same person on the same question.
BURST = dt.timedelta(minutes=10)
LIMIT = 500  # changes read per page view; older ones are summarised by a count


@dataclass
class HistoryRow:
    question_code: str
    question_text: str
    changed_by: Any
    first_at: dt.datetime
    last_at: dt.datetime
    saves: int
    before: str  # the answer in words, "" when there was none
    after: str
    note_changed: bool


def answer_words(state: dict[str, Any] | None, labels: dict[str, str]) -> str:
    """An answer snapshot ({"choice", "checked", ...}) in words: "Partly", "N/A", "Policy; Training"."""
    if not state:
        return ""
    choice = state.get("choice") or ""
    if choice == engine.NOT_APPLICABLE:
        return _("Not applicable")
    if choice == engine.DONT_KNOW:
        return _("Don't know")
    if choice == engine.CHECKLIST:
        checked = [labels.get(code, code) for code in state.get("checked") or []]
        return "; ".join(checked) if checked else _("none of the practices")
    return labels.get(choice, choice) if choice else "—"


def history_rows(assessment: Assessment) -> tuple[list[HistoryRow], int]:
    """The grouped rows, newest first, and how many older changes were left out."""
    total = assessment.changes.count()
    changes = list(assessment.changes.select_related("changed_by")[:LIMIT])
    questions = {
        q.code: q
        for q in Question.objects.filter(
            version=assessment.framework_version, code__in={c.question_code for c in changes}
        ).prefetch_related("options")
    }
    rows: list[HistoryRow] = []
    for change in changes:  # newest first
        question = questions.get(change.question_code)
        labels = {o.code: o.label for o in question.options.all()} if question else {}
        row = rows[-1] if rows else None
        if (
            row is not None
            and row.question_code == change.question_code
            and row.changed_by == change.changed_by
            and row.first_at - change.changed_at <= BURST
        ):
            row.first_at, row.saves = change.changed_at, row.saves + 1
            row.before = answer_words(change.before, labels)
            row.note_changed = row.note_changed or _note(change.before) != _note(change.after)
        else:
            rows.append(
                HistoryRow(
                    question_code=change.question_code,
                    question_text=question.text if question else "",
                    changed_by=change.changed_by,
                    first_at=change.changed_at,
                    last_at=change.changed_at,
                    saves=1,
                    before=answer_words(change.before, labels),
                    after=answer_words(change.after, labels),
                    note_changed=_note(change.before) != _note(change.after),
                )
            )
    return rows, max(0, total - len(changes))


def _note(state: dict[str, Any] | None) -> str:
    return (state or {}).get("evidence_note") or ""
