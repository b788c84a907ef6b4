"""Writes for assessments and answers. Every write checks the assessment is still a draft."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frameworks.models import FrameworkVersion, Question

from .. import engine
from ..models import Answer, AnswerChange, Assessment, Organisation
from ..questionnaire import is_answered
from ..scoring import compute_results, framework_for, profile_for
from ..tasks import prerender_report

MAX_TEXT = 10_000


def answer_problems(
    question: Question,
    *,
    choice: str,
    checked: list[str],
    na_justification: str,
    evidence_link: str = "",
    evidence_note: str = "",
) -> list[str]:
    """What is wrong with an answer to `question`, in words for the person who typed it. Empty when valid.

    Used by the questionnaire forms, the autosave endpoint and the JSON import, so every path accepts the
    same answers.
    """
    problems = []
    option_codes = [o.code for o in question.options.all()]
    allowed = {engine.DONT_KNOW, ""}
    allowed |= {engine.CHECKLIST} if question.scale == Question.Scale.CHECKLIST else set(option_codes)
    if question.allow_na:
        allowed.add(engine.NOT_APPLICABLE)
    if choice not in allowed:
        if choice == engine.NOT_APPLICABLE:
            problems.append(_("“Not applicable” is not allowed for this question."))
        else:
            problems.append(_("“%(choice)s” is not one of this question's answers.") % {"choice": choice})
    if choice == engine.NOT_APPLICABLE and not na_justification.strip():
        problems.append(_("Explain why the question does not apply."))
    unknown = [c for c in checked if c not in option_codes]
    if unknown:
        problems.append(_("Unknown practices: %(codes)s.") % {"codes": ", ".join(map(str, unknown))})
    if checked and question.scale != Question.Scale.CHECKLIST:
        problems.append(_("This question does not take a checklist."))
    if evidence_link:
        try:
            URLValidator(schemes=["http", "https"])(evidence_link)
        except ValidationError:
            problems.append(_("The evidence link must be a full web address starting with http:// or https://."))
        if len(evidence_link) > 500:
            problems.append(_("The evidence link is longer than 500 characters."))
    if len(evidence_note) > MAX_TEXT or len(na_justification) > MAX_TEXT:
        problems.append(_("Notes are limited to %(n)s characters.") % {"n": MAX_TEXT})
    return problems


def applicable_questions(assessment: Assessment) -> dict[str, Question]:
    framework, questions = framework_for(assessment.framework_version)
    profile = profile_for(assessment)
    return {q.code: questions[q.code] for q in framework.questions if engine.is_applicable(q, profile)}


def _ensure_draft(assessment: Assessment) -> None:
    if assessment.is_locked:
        raise ValidationError(_("This assessment is submitted and locked. Start a re-assessment to change answers."))


@transaction.atomic
def assessment_create(
    *,
    organisation: Organisation,
    by: User,
    name: str,
    sector: str,
    size: str,
    ai_role: str,
    uses_genai: bool,
    target_markets: list[str],
    previous: Assessment | None = None,
) -> Assessment:
    version = FrameworkVersion.objects.current()
    if version is None:
        raise ValidationError(_("No framework content is published yet. Ask an administrator to load it."))
    if organisation.is_consultancy:
        raise ValidationError(_("Assessments belong to client organisations, not to the consultancy itself."))
    assessment = Assessment.objects.create(
        organisation=organisation,
        framework_version=version,
        name=name,
        sector=sector,
        size=size,
        ai_role=ai_role,
        uses_genai=uses_genai,
        target_markets=sorted(set(target_markets)),
        created_by=by,
        previous=previous,
    )
    if previous is not None:
        _prefill_from(assessment, previous, by=by)
    return assessment


def _prefill_from(assessment: Assessment, previous: Assessment, *, by: User) -> None:
    """Copy answers by question code; an answer that no longer fits the new version's question is dropped."""
    questions = {
        q.code: q for q in Question.objects.filter(version=assessment.framework_version).prefetch_related("options")
    }
    copies = []
    for old in previous.answers.select_related("question"):
        question = questions.get(old.question.code)
        if question is None or answer_problems(
            question, choice=old.choice, checked=list(old.checked), na_justification=old.na_justification
        ):
            continue
        copies.append(
            Answer(
                assessment=assessment,
                question=question,
                choice=old.choice,
                checked=old.checked,
                evidence_note=old.evidence_note,
                evidence_link=old.evidence_link,
                na_justification=old.na_justification,
                updated_by=by,
            )
        )
    Answer.objects.bulk_create(copies)


@transaction.atomic
def assessment_update_profile(*, assessment: Assessment, **profile: Any) -> Assessment:
    _ensure_draft(assessment)
    for key in ("name", "sector", "size", "ai_role", "uses_genai"):
        setattr(assessment, key, profile[key])
    assessment.target_markets = sorted(set(profile["target_markets"]))
    assessment.save()
    return assessment


@transaction.atomic
def answer_save(
    *,
    assessment: Assessment,
    question: Question,
    by: User,
    choice: str,
    checked: list[str],
    evidence_note: str = "",
    evidence_link: str = "",
    na_justification: str = "",
    section: str = "",
) -> Answer:
    """Save one answer and record the change. Raises ValidationError (nothing saved) when it is not valid.

    Each question has its own row, locked while it is written, so two tabs answering different questions
    never overwrite each other.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _ensure_draft(locked)
    if question.version_id != locked.framework_version_id:
        raise ValidationError(_("That question is not part of this assessment."))
    if question.scale == Question.Scale.CHECKLIST and checked and not choice:
        choice = engine.CHECKLIST  # ticking a practice answers the checklist
    problems = answer_problems(
        question,
        choice=choice,
        checked=checked,
        na_justification=na_justification,
        evidence_link=evidence_link,
        evidence_note=evidence_note,
    )
    if problems:
        raise ValidationError(problems)
    fields = _as_stored(
        question,
        choice=choice,
        checked=checked,
        evidence_note=evidence_note,
        evidence_link=evidence_link,
        na_justification=na_justification,
    )
    answer = Answer.objects.select_for_update().filter(assessment=locked, question=question).first()
    before = answer.as_dict() if answer else None
    if answer is None:
        answer = Answer(assessment=locked, question=question, updated_by=by)
    for name, value in fields.items():
        setattr(answer, name, value)
    after = answer.as_dict()
    if before != after:
        answer.updated_by = by
        answer.save()
        AnswerChange.objects.create(
            assessment=locked, question_code=question.code, changed_by=by, before=before, after=after
        )
    if section:
        Assessment.objects.filter(pk=locked.pk).update(
            last_section=section, last_question=question.code, updated_at=timezone.now()
        )
    return answer


def _as_stored(
    question: Question,
    *,
    choice: str,
    checked: list[str],
    evidence_note: str,
    evidence_link: str,
    na_justification: str,
) -> dict[str, Any]:
    """The fields as an answer stores them (the keys of Answer.as_dict): a justification only for N/A, ticked
    practices only for a checklist, practices in a stable order."""
    if question.scale == Question.Scale.CHECKLIST and checked and not choice:
        choice = engine.CHECKLIST
    return {
        "choice": choice,
        "checked": sorted(checked) if choice == engine.CHECKLIST else [],
        "evidence_note": evidence_note,
        "evidence_link": evidence_link,
        "na_justification": na_justification if choice == engine.NOT_APPLICABLE else "",
    }


def _revision_of(fields: dict[str, Any] | None) -> str:
    if not fields or not any(fields.values()):
        return ""  # no answer and an empty answer are the same thing to the person looking at the page
    canonical = {**fields, "checked": sorted(fields.get("checked") or [])}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()[:16]


def answer_revision(answer: Answer | None) -> str:
    """A short fingerprint of an answer's content. A questionnaire page carries the fingerprint of each answer
    as it showed it, so that a save from that page can tell whether someone changed the answer meanwhile."""
    return _revision_of(answer.as_dict() if answer else None)


@dataclass(frozen=True)
class Overlap:
    """The answer was saved by someone (or another window) after the page being saved was opened."""

    changed_by: User
    changed_at: datetime
    kept_theirs: bool  # the page had not changed this answer, so the newer one was kept and nothing saved


@dataclass(frozen=True)
class PageSave:
    revision: str  # the revision the page should carry from now on
    overlap: Overlap | None = None


@transaction.atomic
def answer_save_from_page(
    *,
    assessment: Assessment,
    question: Question,
    by: User,
    shown: str | None,
    choice: str,
    checked: list[str],
    evidence_note: str = "",
    evidence_link: str = "",
    na_justification: str = "",
    section: str = "",
) -> PageSave:
    """Save an answer sent from a questionnaire page without silently undoing a later change by someone else.

    `shown` is the answer's revision when the page was rendered (None when the page did not say). Why: a page
    left open keeps the old values of every question on it, so a "Save section" from it would otherwise put
    back answers a colleague (or another tab) changed meanwhile. Rules:
    * nobody changed the answer since the page was rendered: save as usual;
    * someone did, and the page still holds what it was shown: keep theirs, save nothing;
    * someone did, and this person changed it too: their deliberate edit is saved (the last save wins, as
      everywhere), the other version stays in the change history, and the caller tells them.
    Raises ValidationError (nothing saved) like answer_save.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)  # saves of one assessment queue here
    _ensure_draft(locked)
    fields: dict[str, Any] = {
        "choice": choice,
        "checked": checked,
        "evidence_note": evidence_note,
        "evidence_link": evidence_link,
        "na_justification": na_justification,
    }
    stored = Answer.objects.filter(assessment=locked, question=question).select_related("updated_by").first()
    mine = _revision_of(_as_stored(question, **fields))
    if shown is None or stored is None or answer_revision(stored) in (shown, mine):
        answer = answer_save(assessment=locked, question=question, by=by, section=section, **fields)
        return PageSave(revision=answer_revision(answer))
    if mine == shown:
        return PageSave(revision=shown, overlap=Overlap(stored.updated_by, stored.updated_at, kept_theirs=True))
    answer = answer_save(assessment=locked, question=question, by=by, section=section, **fields)
    return PageSave(
        revision=answer_revision(answer), overlap=Overlap(stored.updated_by, stored.updated_at, kept_theirs=False)
    )


def missing_answers(assessment: Assessment) -> list[str]:
    """Codes of applicable questions without a valid answer, in questionnaire order."""
    questions = applicable_questions(assessment)
    answers = {a.question.code: a for a in assessment.answers.select_related("question")}
    return [code for code in questions if not is_answered(answers.get(code))]


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by: User) -> Assessment:
    locked = Assessment.objects.select_for_update().select_related("framework_version").get(pk=assessment.pk)
    _ensure_draft(locked)
    missing = missing_answers(locked)
    if missing:
        raise ValidationError(
            _("%(n)s question(s) still need an answer: %(codes)s.") % {"n": len(missing), "codes": ", ".join(missing)}
        )
    locked.results = compute_results(locked)
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = by
    locked.save()
    if settings.REPORT_PRERENDER:
        transaction.on_commit(lambda: prerender_report.enqueue(str(locked.pk), by.pk))
    return locked


@transaction.atomic
def assessment_reassess(*, assessment: Assessment, by: User) -> Assessment:
    """A new draft on the current content, pre-filled from `assessment`."""
    return assessment_create(
        organisation=assessment.organisation,
        by=by,
        name=_("%(name)s (re-assessment)") % {"name": assessment.name},
        sector=assessment.sector,
        size=assessment.size,
        ai_role=assessment.ai_role,
        uses_genai=assessment.uses_genai,
        target_markets=list(assessment.target_markets),
        previous=assessment,
    )


@transaction.atomic
def assessment_delete(*, assessment: Assessment) -> None:
    """Delete a draft. Submitted assessments are kept: they are the record of what was assessed."""
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.is_locked:
        raise ValidationError(_("Submitted assessments cannot be deleted; they are kept as a record."))
    locked.delete()
