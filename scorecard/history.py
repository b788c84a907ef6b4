"""The change history as people read it: answers by their labels, and one row per burst of autosaves.

Autosave stores a change every time someone pauses typing, so one person writing one note leaves a dozen
rows. Consecutive changes by the same person to the same question within a few minutes read as one edit,
from the answer before the first to the answer after the last.

The history pages by changes (PER_PAGE a page, `?page=N`), so an assessment with thousands of changes costs
the same per page as one with ten, and nothing is left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from . import engine
from .models import AnswerChange, Assessment
from .scoring import framework_for

# Saves further apart than this are separate edits, even by the same person on the same question.
BURST = dt.timedelta(minutes=10)
PER_PAGE = 100  # changes per page of the history, newest first


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


def history_page(assessment: Assessment, number: str | int | None) -> tuple[Page[AnswerChange], list[HistoryRow]]:
    """One page of the history (`number` as the request gave it: anything that is not a page number gives the
    first or the last page, as Paginator.get_page does) and its changes as grouped rows, newest first.

    Pages hold PER_PAGE changes, so a page costs the same few queries however long the history is; a burst of
    autosaves that straddles two pages shows on each with the changes that page holds."""
    changes = assessment.changes.select_related("changed_by")  # newest first (AnswerChange.Meta.ordering)
    page = Paginator(changes, PER_PAGE).get_page(number)
    return page, grouped_rows(assessment, list(page.object_list))


def grouped_rows(assessment: Assessment, changes: list[AnswerChange]) -> list[HistoryRow]:
    """The changes (newest first) as rows, consecutive saves by one person to one question within BURST as one."""
    _, questions = framework_for(assessment.framework_version)  # cached, with the options' labels
    labels: dict[str, dict[str, str]] = {}
    rows: list[HistoryRow] = []
    for change in changes:  # newest first
        question = questions.get(change.question_code)
        if change.question_code not in labels:
            labels[change.question_code] = {o.code: o.label for o in question.options.all()} if question else {}
        words = labels[change.question_code]
        row = rows[-1] if rows else None
        if (
            row is not None
            and row.question_code == change.question_code
            and row.changed_by == change.changed_by
            and row.first_at - change.changed_at <= BURST
        ):
            row.first_at, row.saves = change.changed_at, row.saves + 1
            row.before = answer_words(change.before, words)
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
                    before=answer_words(change.before, words),
                    after=answer_words(change.after, words),
                    note_changed=_note(change.before) != _note(change.after),
                )
            )
    return rows


def _note(state: dict[str, Any] | None) -> str:
    return (state or {}).get("evidence_note") or ""
