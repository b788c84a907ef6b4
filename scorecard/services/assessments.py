"""Writes for assessments and answers.

Every write locks the assessment's row, reads its state again under the lock, refuses to change a submitted
assessment, saves only the fields it changes, and leaves an audit entry. Why: a write that trusted the copy a view
loaded earlier could put back a state that someone else changed meanwhile (a profile saved while the assessment
was being submitted sent it back to draft and wiped its results).

Refusals raise ServiceError (NotAllowed when the caller's role is too low); problems in an answer raise
ValidationError.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frameworks.models import FrameworkVersion, Question

from .. import engine
from ..models import AISystem, Answer, AnswerChange, Assessment, Organisation, Role
from ..permissions import role_allows
from ..questionnaire import is_answered
from ..scoring import compute_results, framework_for, profile_for
from ..tasks import prerender_report
from .actions import prefill_from_workspace
from .audit import audit_record
from .errors import NotAllowed, ServiceError

MAX_TEXT = 10_000
SHOWN_CHARS = 40  # the most of a value someone sent that a message repeats back
SHOWN_CODES = 10  # and the most unknown codes it lists


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


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
            problems.append(_("“%(choice)s” is not one of this question's answers.") % {"choice": _shown(choice)})
    if choice == engine.NOT_APPLICABLE and not na_justification.strip():
        problems.append(_("Explain why the question does not apply."))
    unknown = [c for c in checked if c not in option_codes]
    if unknown:
        codes = ", ".join(_shown(code) for code in unknown[:SHOWN_CODES])
        if len(unknown) > SHOWN_CODES:
            codes += " " + _("and %(n)s more") % {"n": len(unknown) - SHOWN_CODES}
        problems.append(_("Unknown practices: %(codes)s.") % {"codes": codes})
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


class Profile(TypedDict):
    """What describes the organisation being assessed; it decides which questions apply."""

    name: str
    sector: str
    size: str
    ai_role: str
    uses_genai: bool
    target_markets: list[str]


PROFILE_FIELDS = ("name", "sector", "size", "ai_role", "uses_genai", "target_markets")


def _ensure_may_edit(role: str | None) -> None:
    """The role floor for every write here. `role` is the caller's role on the organisation, when the caller
    knows it; views also check it before calling, so this is the second line."""
    if role is not None and not role_allows(role, Role.EDITOR):
        raise NotAllowed(_("You can view this assessment but not change it."))


def _ensure_draft(assessment: Assessment) -> None:
    if assessment.is_locked:
        raise ServiceError(_("This assessment is submitted and locked. Start a re-assessment to change answers."))


def _lock(assessment: Assessment) -> Assessment:
    """The assessment's row, locked until the transaction ends and read again: its state as it is now, not as
    the caller's copy remembers it. Must run inside a transaction."""
    return Assessment.objects.select_for_update().select_related("framework_version").get(pk=assessment.pk)


def _new_assessment(
    *,
    organisation: Organisation,
    by: User,
    profile: Profile,
    previous: Assessment | None = None,
    ai_system: AISystem | None = None,
) -> Assessment:
    version = FrameworkVersion.objects.current()
    if version is None:
        raise ServiceError(_("No framework content is published yet. Ask an administrator to load it."))
    if organisation.is_consultancy:
        raise ServiceError(_("Assessments belong to client organisations, not to the consultancy itself."))
    assessment = Assessment.objects.create(
        organisation=organisation,
        framework_version=version,
        name=profile["name"],
        sector=profile["sector"],
        size=profile["size"],
        ai_role=profile["ai_role"],
        uses_genai=profile["uses_genai"],
        target_markets=sorted(set(profile["target_markets"])),
        created_by=by,
        previous=previous,
        ai_system=ai_system,
    )
    if previous is not None:
        _prefill_from(assessment, previous, by=by)
    return assessment


@transaction.atomic
def assessment_create(
    *,
    organisation: Organisation,
    by: User,
    role: str | None = None,
    name: str,
    sector: str,
    size: str,
    ai_role: str,
    uses_genai: bool,
    target_markets: list[str],
    ai_system: AISystem | None = None,
) -> Assessment:
    """A new draft for the organisation, or for one of its AI systems (`ai_system`)."""
    _ensure_may_edit(role)
    profile: Profile = {
        "name": name,
        "sector": sector,
        "size": size,
        "ai_role": ai_role,
        "uses_genai": uses_genai,
        "target_markets": target_markets,
    }
    if ai_system is not None:
        # Locked so that the system cannot be deleted between this check and the new row pointing at it.
        locked_system = AISystem.objects.select_for_update().filter(pk=ai_system.pk, organisation=organisation).first()
        if locked_system is None:
            raise ServiceError(_("That AI system is not in this organisation's inventory (any more)."))
        ai_system = locked_system
    assessment = _new_assessment(organisation=organisation, by=by, profile=profile, ai_system=ai_system)
    detail = assessment.name
    if ai_system is not None:
        detail = _("%(name)s (AI system: %(system)s)") % {"name": assessment.name, "system": ai_system.name}
    audit_record(by=by, action="assessment.create", assessment=assessment, detail=detail)
    return assessment


@transaction.atomic
def assessment_create_from_import(
    *, organisation: Organisation, by: User, role: str | None = None, profile: Profile, answers: list[Answer]
) -> Assessment:
    """A new draft from an import file that has already been validated (scorecard.transfer): `answers` are
    unsaved Answer objects without an assessment. All or nothing."""
    _ensure_may_edit(role)
    assessment = _new_assessment(organisation=organisation, by=by, profile=profile)
    for answer in answers:
        answer.assessment = assessment
        answer.updated_by = by
    Answer.objects.bulk_create(answers)
    audit_record(
        by=by,
        action="assessment.import",
        assessment=assessment,
        detail=_("%(name)s: %(n)s answers from a JSON file") % {"name": assessment.name, "n": len(answers)},
    )
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
    # The evidence files behind the old answers, and what the actions closed since say (services/actions.py).
    prefill_from_workspace(assessment, previous, by=by)


@transaction.atomic
def assessment_update_profile(
    *,
    assessment: Assessment,
    by: User,
    role: str | None = None,
    name: str,
    sector: str,
    size: str,
    ai_role: str,
    uses_genai: bool,
    target_markets: list[str],
) -> Assessment:
    """Change a draft's profile. Returns the assessment as saved; the caller's copy may be out of date."""
    _ensure_may_edit(role)
    locked = _lock(assessment)
    _ensure_draft(locked)
    new: dict[str, Any] = {
        "name": name,
        "sector": sector,
        "size": size,
        "ai_role": ai_role,
        "uses_genai": uses_genai,
        "target_markets": sorted(set(target_markets)),
    }
    changed = [key for key in PROFILE_FIELDS if getattr(locked, key) != new[key]]
    if changed:
        for key in changed:
            setattr(locked, key, new[key])
        locked.save(update_fields=[*changed, "updated_at"])
        audit_record(by=by, action="assessment.profile", assessment=locked, detail=", ".join(changed))
    return locked


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
    role: str | None = None,
) -> Answer:
    """Save one answer and record the change. Raises ValidationError (nothing saved) when it is not valid,
    ServiceError when the assessment cannot be changed.

    Each question has its own row, locked while it is written, so two tabs answering different questions
    never overwrite each other.
    """
    _ensure_may_edit(role)
    locked = _lock(assessment)
    _ensure_draft(locked)
    if question.version_id != locked.framework_version_id:
        raise ServiceError(_("That question is not part of this assessment."))
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
        # AnswerChange keeps the before and after; the audit trail notes that it happened, beside other writes.
        audit_record(by=by, action="answer.save", assessment=locked, detail=question.code)
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
    role: str | None = None,
) -> PageSave:
    """Save an answer sent from a questionnaire page without silently undoing a later change by someone else.

    `shown` is the answer's revision when the page was rendered (None when the page did not say). Why: a page
    left open keeps the old values of every question on it, so a "Save section" from it would otherwise put
    back answers a colleague (or another tab) changed meanwhile. Rules:
    * nobody changed the answer since the page was rendered: save as usual;
    * someone did, and the page still holds what it was shown: keep theirs, save nothing;
    * someone did, and this person changed it too: their deliberate edit is saved (the last save wins, as
      everywhere), the other version stays in the change history, and the caller tells them.
    Raises ValidationError or ServiceError (nothing saved) like answer_save.
    """
    _ensure_may_edit(role)
    locked = _lock(assessment)  # saves of one assessment queue here
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
        answer = answer_save(assessment=locked, question=question, by=by, section=section, role=role, **fields)
        return PageSave(revision=answer_revision(answer))
    if mine == shown:
        return PageSave(revision=shown, overlap=Overlap(stored.updated_by, stored.updated_at, kept_theirs=True))
    answer = answer_save(assessment=locked, question=question, by=by, section=section, role=role, **fields)
    return PageSave(
        revision=answer_revision(answer), overlap=Overlap(stored.updated_by, stored.updated_at, kept_theirs=False)
    )


def missing_answers(assessment: Assessment) -> list[str]:
    """Codes of applicable questions without a valid answer, in questionnaire order."""
    questions = applicable_questions(assessment)
    answers = {a.question.code: a for a in assessment.answers.select_related("question")}
    return [code for code in questions if not is_answered(answers.get(code))]


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by: User, role: str | None = None) -> Assessment:
    """Store the results and lock the assessment. Returns it as saved."""
    _ensure_may_edit(role)
    locked = _lock(assessment)
    _ensure_draft(locked)
    missing = missing_answers(locked)
    if missing:
        raise ServiceError(
            _("%(n)s question(s) still need an answer: %(codes)s.") % {"n": len(missing), "codes": ", ".join(missing)}
        )
    locked.results = compute_results(locked)
    locked.overall_score = locked.results["overall"]["score"]
    locked.overall_level = locked.results["overall"]["level"]
    locked.status = Assessment.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = by
    locked.save(
        update_fields=[
            "results",
            "overall_score",
            "overall_level",
            "status",
            "submitted_at",
            "submitted_by",
            "updated_at",
        ]
    )
    audit_record(by=by, action="assessment.submit", assessment=locked, detail=locked.name)
    if settings.REPORT_PRERENDER:
        transaction.on_commit(lambda: prerender_report.enqueue(str(locked.pk), by.pk))
    return locked


@transaction.atomic
def assessment_reassess(*, assessment: Assessment, by: User, role: str | None = None) -> tuple[Assessment, bool]:
    """A new draft on the current content, pre-filled from `assessment`, and True; or, when a draft made from
    `assessment` already exists, that draft and False. Why: "Re-assess" posted twice (a double click, two tabs,
    two colleagues) must not start two drafts. The lock on `assessment` queues concurrent calls, so the second
    one finds the first one's draft."""
    _ensure_may_edit(role)
    previous = _lock(assessment)
    existing = (
        Assessment.objects.filter(previous=previous, status=Assessment.Status.DRAFT).order_by("created_at").first()
    )
    if existing is not None:
        return existing, False
    profile: Profile = {
        "name": _("%(name)s (re-assessment)") % {"name": previous.name},
        "sector": previous.sector,
        "size": previous.size,
        "ai_role": previous.ai_role,
        "uses_genai": previous.uses_genai,
        "target_markets": list(previous.target_markets),
    }
    draft = _new_assessment(
        organisation=previous.organisation, by=by, profile=profile, previous=previous, ai_system=previous.ai_system
    )
    audit_record(
        by=by,
        action="assessment.reassess",
        assessment=draft,
        detail=_("re-assessment of %(name)s (%(pk)s)") % {"name": previous.name, "pk": previous.pk},
    )
    return draft, True


@transaction.atomic
def assessment_delete(*, assessment: Assessment, by: User, role: str | None = None) -> None:
    """Delete a draft. Submitted assessments are kept: they are the record of what was assessed."""
    _ensure_may_edit(role)
    locked = _lock(assessment)
    if locked.is_locked:
        raise ServiceError(_("Submitted assessments cannot be deleted; they are kept as a record."))
    audit_record(by=by, action="assessment.delete", assessment=locked, detail=locked.name)
    locked.delete()
