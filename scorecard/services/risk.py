"""Writes for the risk impact assessments of AI systems (docs/risk-method.md).

A risk assessment is started on the current published method, answered over as many visits as needed, then
submitted: the result is computed by scorecard/risk.py, stored with the assessment (the snapshot never changes),
and its risk level is copied to the system. A submitted assessment is locked; a new one can be started later, and
the earlier ones stay as the system's history.

Like the assessment services, every write locks the row it changes, reads its state again under the lock, refuses
to change a submitted assessment and leaves an audit entry. Refusals raise ServiceError (NotAllowed when the
caller's role is too low); problems in an answer raise ValidationError, keyed by the question's code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frameworks.models import RiskMethod, RiskQuestion
from frameworks.translation import english

from ..models import AISystem, Role, SystemRiskAssessment
from ..permissions import role_allows
from ..risk import NO, YES, RiskRules, answer_value, assess
from .audit import audit_record
from .errors import NotAllowed, ServiceError

MAX_TEXT = 5_000
MAX_NOTE = 2_000
Answers = Mapping[str, Mapping[str, Any]]  # question code -> {"value": ..., "note": ...}


def rules_levels(method: RiskMethod) -> dict[str, Any]:
    """A method's scales and rules as they count: its English levels. The other languages' copies hold only the
    words people read, so a translation can never change a result (docs/translations.md)."""
    levels = english(method, "levels")
    return levels if isinstance(levels, dict) else {}


def rules_for(method: RiskMethod) -> RiskRules:
    """The computation rules of a method, as scorecard/risk.py reads them (from the English levels)."""
    return RiskRules.from_method(rules_levels(method), method.questions.values_list("code", "kind"))


def scale_values(method: RiskMethod, kind: str) -> list[int]:
    return [int(step["value"]) for step in rules_levels(method).get(kind, [])]


def risk_answer_problems(question: RiskQuestion, value: Any, note: Any, *, method: RiskMethod) -> list[str]:
    """What is wrong with one answer, in words for the person who gave it. Empty when valid (or empty)."""
    problems = []
    if note not in (None, "") and not isinstance(note, str):
        problems.append(_("The note must be text."))
    elif isinstance(note, str) and len(note) > MAX_NOTE:
        problems.append(_("Keep the note under %(n)s characters.") % {"n": MAX_NOTE})
    if value in (None, ""):
        return problems
    kind = question.kind
    if kind in (RiskQuestion.Kind.PROBABILITY, RiskQuestion.Kind.SEVERITY):
        allowed = scale_values(method, kind)
        if isinstance(value, bool) or str(value).strip() not in {str(v) for v in allowed}:
            problems.append(_("Choose one of the steps %(steps)s.") % {"steps": ", ".join(str(v) for v in allowed)})
    elif kind == RiskQuestion.Kind.YES_NO:
        if value not in (YES, NO):
            problems.append(_("Answer yes or no."))
    elif not isinstance(value, str):
        problems.append(_("The answer must be text."))
    elif len(value) > MAX_TEXT:
        problems.append(_("Keep the answer under %(n)s characters.") % {"n": MAX_TEXT})
    return problems


def _stored(question: RiskQuestion, value: Any, note: Any) -> dict[str, Any] | None:
    """An answer as stored, or None when it says nothing (the question is then unanswered)."""
    if isinstance(value, str):
        value = value.strip()
    if question.kind in (RiskQuestion.Kind.PROBABILITY, RiskQuestion.Kind.SEVERITY) and value not in (None, ""):
        value = int(value)
    note = note.strip() if isinstance(note, str) and question.kind != RiskQuestion.Kind.TEXT else ""
    if value in (None, "") and not note:
        return None
    return {"value": None if value == "" else value, "note": note}


def _ensure_may_edit(role: str | None) -> None:
    """The role floor for every write here (views check it first; this is the second line, as for assessments)."""
    if role is not None and not role_allows(role, Role.EDITOR):
        raise NotAllowed(_("You can view this risk assessment but not change it."))


def _ensure_draft(risk: SystemRiskAssessment) -> None:
    if risk.is_locked:
        raise ServiceError(
            _("This risk assessment is submitted and locked. Start a new one from the system's page to change it.")
        )


def _lock(risk: SystemRiskAssessment) -> SystemRiskAssessment:
    """The risk assessment's row, locked and read again (must run inside a transaction)."""
    return (
        SystemRiskAssessment.objects.select_for_update(of=("self",))
        .select_related("method", "ai_system__organisation")
        .get(pk=risk.pk)
    )


def _carried_over(previous: SystemRiskAssessment | None, method: RiskMethod) -> dict[str, Any]:
    """The answers of the system's last submitted assessment that still fit `method` (same code, valid value)."""
    if previous is None:
        return {}
    carried = {}
    for question in method.questions.all():
        answer = previous.answers.get(question.code)
        if isinstance(answer, Mapping) and not risk_answer_problems(
            question, answer.get("value"), answer.get("note"), method=method
        ):
            stored = _stored(question, answer.get("value"), answer.get("note"))
            if stored is not None:
                carried[question.code] = stored
    return carried


@transaction.atomic
def risk_assessment_start(*, system: AISystem, by: User, role: str | None) -> tuple[SystemRiskAssessment, bool]:
    """The system's risk assessment in progress, or a new one on the current method, pre-filled with the answers
    of the last submitted one. Returns it and whether it was created."""
    _ensure_may_edit(role)
    locked = AISystem.objects.select_for_update().get(pk=system.pk)  # one draft at a time, even when two click
    draft = locked.risk_assessments.filter(status=SystemRiskAssessment.Status.DRAFT).first()
    if draft is not None:
        return draft, False
    method = RiskMethod.current()
    if method is None:
        raise ServiceError(_("No risk assessment method is published yet: an administrator loads one first."))
    previous = latest_submitted(locked)
    risk = SystemRiskAssessment.objects.create(
        ai_system=locked, method=method, created_by=by, answers=_carried_over(previous, method)
    )
    audit_record(by=by, action="risk.start", organisation=locked.organisation, detail=f"{locked.name} ({method.code})")
    return risk, True


@transaction.atomic
def risk_assessment_save(
    *, risk: SystemRiskAssessment, by: User, role: str | None, answers: Answers
) -> SystemRiskAssessment:
    """Save the given answers (other questions keep theirs); an empty answer clears the question.

    Raises ValidationError keyed by question code, and saves nothing, when any answer is not valid.
    """
    _ensure_may_edit(role)
    locked = _lock(risk)
    _ensure_draft(locked)
    questions = {q.code: q for q in locked.method.questions.all()}
    errors: dict[str, list[str]] = {}
    stored = dict(locked.answers)
    changed = []
    for code, answer in answers.items():
        question = questions.get(code)
        if question is None:
            errors.setdefault("__all__", []).append(_("%(code)s is not a question of this method.") % {"code": code})
            continue
        value, note = answer.get("value"), answer.get("note")
        problems = risk_answer_problems(question, value, note, method=locked.method)
        if problems:
            errors[code] = problems
            continue
        new = _stored(question, value, note)
        if new != stored.get(code):
            changed.append(code)
            if new is None:
                stored.pop(code, None)
            else:
                stored[code] = new
    if errors:
        raise ValidationError(errors)
    if changed:
        locked.answers = stored
        locked.save(update_fields=["answers", "updated_at"])
        audit_record(
            by=by,
            action="risk.save",
            organisation=locked.ai_system.organisation,
            detail=f"{locked.ai_system.name}: {', '.join(changed)}",
        )
    return locked


def missing_risk_answers(risk: SystemRiskAssessment) -> list[str]:
    """Codes of required questions without an answer, in the method's order."""
    return [
        q.code
        for q in risk.method.questions.order_by("order", "code")
        if q.required and answer_value(risk.answers, q.code) is None
    ]


@transaction.atomic
def risk_assessment_submit(*, risk: SystemRiskAssessment, by: User, role: str | None) -> SystemRiskAssessment:
    """Compute and store the result, copy the risk level to the system and lock the assessment."""
    _ensure_may_edit(role)
    locked = _lock(risk)
    _ensure_draft(locked)
    missing = missing_risk_answers(locked)
    if missing:
        raise ServiceError(
            _("%(n)s question(s) still need an answer: %(codes)s.") % {"n": len(missing), "codes": ", ".join(missing)}
        )
    for question in locked.method.questions.all():
        answer = locked.answers.get(question.code) or {}
        if risk_answer_problems(question, answer.get("value"), answer.get("note"), method=locked.method):
            raise ServiceError(_("The answer to %(code)s is not valid: answer it again.") % {"code": question.code})
    system = AISystem.objects.select_for_update().get(pk=locked.ai_system_id)
    result = assess(rules_for(locked.method), locked.answers, current_involvement=system.human_involvement)
    locked.result = result.as_snapshot(locked.method.code)
    locked.risk_level = result.risk_level
    locked.recommended_involvement = result.recommended_involvement
    locked.status = SystemRiskAssessment.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = by
    locked.save(
        update_fields=[
            "result",
            "risk_level",
            "recommended_involvement",
            "status",
            "submitted_at",
            "submitted_by",
            "updated_at",
        ]
    )
    system.risk_level = result.risk_level
    system.save(update_fields=["risk_level", "updated_at"])
    audit_record(
        by=by,
        action="risk.submit",
        organisation=system.organisation,
        detail=f"{system.name}: {result.risk_level} risk, human involvement {result.recommended_involvement}",
    )
    return locked


def latest_submitted(system: AISystem) -> SystemRiskAssessment | None:
    """The system's most recently submitted risk assessment: the one its risk level comes from."""
    return (
        system.risk_assessments.filter(status=SystemRiskAssessment.Status.SUBMITTED)
        .select_related("method", "submitted_by")
        .order_by("-submitted_at", "-created_at")
        .first()
    )
