"""Writes for the evidence library (docs/evidence.md): upload, delete, link to answers and unlink.

A file and its row exist together or not at all: the file is stored first, under a name the app chooses
(`<organisation id>/<random hex>`, never the uploaded name), and deleted again when the row cannot be written.
Deleting the row deletes the file after the commit (`scorecard/signals.py`), whichever way the row goes (this
service, an organisation deleted with its library).

Linking a file to an answer follows the assessment's rules: only while the assessment is a draft, only by an editor,
only files of the assessment's own organisation.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from frameworks.models import Question

from ..evidence_types import detect_evidence_type
from ..models import Answer, Assessment, EvidenceFile, Organisation, Role
from ..permissions import role_allows
from ..questionnaire import section_layout
from ..scoring import profile_for
from .audit import audit_record
from .errors import NotAllowed, ServiceError

DESCRIPTION_MAX = 500
HASH_CHUNK = 1024 * 1024


def _ensure_may_edit(role: str | None) -> None:
    """The role floor for every write here (views check it first; this is the second line)."""
    if role is not None and not role_allows(role, Role.EDITOR):
        raise NotAllowed(_("You can view this organisation's evidence but not change it."))


def megabytes(size: int) -> str:
    """A byte count in MB for a message: "20", "0.5"."""
    return f"{size / (1024 * 1024):.2f}".rstrip("0").rstrip(".")


def too_large_message() -> str:
    return _("The file is larger than %(mb)s MB, the limit for an evidence file.") % {
        "mb": megabytes(settings.EVIDENCE_MAX_BYTES)
    }


def _sha256(uploaded_file: UploadedFile) -> str:
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks(HASH_CHUNK):
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def delete_stored(name: str) -> None:
    """Delete a stored evidence file; for a file whose row is not (or no longer) saved."""
    storages["evidence"].delete(name)


def evidence_upload(
    *, organisation: Organisation, by: User, role: str | None, uploaded_file: UploadedFile, description: str = ""
) -> EvidenceFile:
    """Check and store one uploaded file in the organisation's library. Raises ValidationError with a message for
    the user (too large, a type not accepted) and stores nothing then."""
    _ensure_may_edit(role)
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(_("The description is limited to %(n)s characters.") % {"n": DESCRIPTION_MAX})
    size = uploaded_file.size or 0
    if size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(too_large_message(), code="too_large")  # refused before reading a byte of it
    detected = detect_evidence_type(uploaded_file, uploaded_file.name)
    sha256 = _sha256(uploaded_file)
    stored_name = storages["evidence"].save(f"{organisation.pk}/{secrets.token_hex(16)}", uploaded_file)
    try:
        with transaction.atomic():
            evidence = EvidenceFile.objects.create(
                organisation=organisation,
                name=detected.display_name,
                description=description,
                stored_name=stored_name,
                content_type=detected.content_type,
                size=size,
                sha256=sha256,
                uploaded_by=by,
            )
            audit_record(
                by=by,
                action="evidence.upload",
                organisation=organisation,
                detail=f"{evidence.name} ({evidence.pk})",
            )
    except BaseException:
        delete_stored(stored_name)
        raise
    return evidence


@dataclass(frozen=True)
class Supported:
    """What one evidence file supports: answers (question code, assessment) and actions."""

    answers: list[tuple[str, Assessment]]
    actions: list[str]

    def __str__(self) -> str:
        parts = [
            _("%(code)s in “%(assessment)s”") % {"code": code, "assessment": assessment.name}
            for code, assessment in self.answers
        ]
        parts += [_("the action “%(title)s”") % {"title": title} for title in self.actions]
        return "; ".join(parts)

    def __bool__(self) -> bool:
        return bool(self.answers or self.actions)


def evidence_supports(evidence: EvidenceFile) -> Supported:
    """The answers and actions `evidence` supports (uses prefetched `answers` and `actions` when there are)."""
    answers = sorted(
        ((answer.question.code, answer.assessment) for answer in evidence.answers.all()),
        key=lambda pair: (pair[1].name, pair[0]),
    )
    actions = sorted(f"{action.question_code}: {action.title}" for action in evidence.actions.all())
    return Supported(answers=answers, actions=actions)


@transaction.atomic
def evidence_delete(*, evidence: EvidenceFile, by: User, role: str | None) -> Supported:
    """Delete the file from the library and from storage (after the commit). Returns what it supported, for the
    confirmation."""
    _ensure_may_edit(role)
    locked = EvidenceFile.objects.select_for_update().filter(pk=evidence.pk).first()
    if locked is None:
        raise ServiceError(_("This file was already deleted."))
    supported = evidence_supports(
        EvidenceFile.objects.prefetch_related("answers__question", "answers__assessment", "actions").get(pk=locked.pk)
    )
    audit_record(
        by=by,
        action="evidence.delete",
        organisation=locked.organisation,
        detail=f"{locked.name} ({locked.pk})" + (f"; {_('supported')}: {supported}" if supported else ""),
    )
    locked.delete()  # the post_delete signal deletes the stored file once this commits
    return supported


def _lock_draft(assessment: Assessment) -> Assessment:
    locked = Assessment.objects.select_for_update().select_related("framework_version").get(pk=assessment.pk)
    if locked.is_locked:
        raise ServiceError(
            _("This assessment is submitted and locked: its evidence can no longer change. Start a re-assessment.")
        )
    return locked


def applicable_question(assessment: Assessment, code: str) -> tuple[str, Question] | None:
    """The section key and the question `code` when it applies to the assessment's profile; None otherwise."""
    for key, _title, questions in section_layout(assessment.framework_version, profile_for(assessment)):
        for question in questions:
            if question.code == code:
                return key, question
    return None


def _question(assessment: Assessment, code: str) -> Question:
    found = applicable_question(assessment, code)
    if found is None:
        raise ServiceError(_("That question is not part of this assessment."))
    return found[1]


def _files_of(assessment: Assessment, evidence_ids: list[UUID | str]) -> list[EvidenceFile]:
    """The files, locked (a file deleted meanwhile cannot be linked), all of the assessment's organisation."""
    wanted = {str(pk) for pk in evidence_ids}
    if not wanted:
        raise ServiceError(_("Choose at least one file."))
    try:
        files = list(
            EvidenceFile.objects.select_for_update()
            .filter(pk__in=wanted, organisation_id=assessment.organisation_id)
            .order_by("name")
        )
    except ValidationError as exc:  # not a UUID at all
        raise ServiceError(_("Some of these files are not in this organisation's evidence library.")) from exc
    if len(files) != len(wanted):
        raise ServiceError(_("Some of these files are not in this organisation's evidence library."))
    return files


def _answer_for(assessment: Assessment, question: Question, by: User) -> Answer:
    """The question's answer, created blank when there is none. A blank choice is no answer at all to the
    questionnaire (`questionnaire.is_answered`) and to scoring (`engine.question_result`: "unanswered"), so a file
    can be attached before the question is answered without changing the progress or the score."""
    answer = Answer.objects.select_for_update().filter(assessment=assessment, question=question).first()
    if answer is None:
        answer = Answer.objects.create(assessment=assessment, question_id=question.pk, updated_by=by)
    return answer


@transaction.atomic
def evidence_link_answer(
    *, assessment: Assessment, question_code: str, evidence_ids: list[UUID | str], by: User, role: str | None
) -> list[EvidenceFile]:
    """Link library files to the answer of `question_code` in a draft assessment. Returns the files newly linked."""
    _ensure_may_edit(role)
    locked = _lock_draft(assessment)
    question = _question(locked, question_code)
    files = _files_of(locked, evidence_ids)
    return _link(locked, question, files, by)


def _link(assessment: Assessment, question: Question, files: list[EvidenceFile], by: User) -> list[EvidenceFile]:
    answer = _answer_for(assessment, question, by)
    already = set(answer.evidence_files.values_list("pk", flat=True))
    new = [f for f in files if f.pk not in already]
    if new:
        answer.evidence_files.add(*new)
        audit_record(
            by=by,
            action="evidence.link",
            assessment=assessment,
            detail=f"{question.code}: " + ", ".join(f.name for f in new),
        )
    return new


@transaction.atomic
def evidence_unlink_answer(
    *, assessment: Assessment, question_code: str, evidence_ids: list[UUID | str], by: User, role: str | None
) -> list[EvidenceFile]:
    """Take files off the answer of `question_code` in a draft assessment (they stay in the library). Returns the
    files that were linked and no longer are."""
    _ensure_may_edit(role)
    locked = _lock_draft(assessment)
    question = _question(locked, question_code)
    files = _files_of(locked, evidence_ids)
    answer = Answer.objects.select_for_update().filter(assessment=locked, question=question).first()
    if answer is None:
        return []
    linked = set(answer.evidence_files.values_list("pk", flat=True))
    removed = [f for f in files if f.pk in linked]
    if removed:
        answer.evidence_files.remove(*removed)
        audit_record(
            by=by,
            action="evidence.unlink",
            assessment=locked,
            detail=f"{question.code}: " + ", ".join(f.name for f in removed),
        )
    return removed


@transaction.atomic
def evidence_upload_for_answer(
    *,
    assessment: Assessment,
    question_code: str,
    by: User,
    role: str | None,
    uploaded_file: UploadedFile,
    description: str = "",
) -> EvidenceFile:
    """Upload a file to the library and link it to the answer of `question_code`, both or neither."""
    _ensure_may_edit(role)
    locked = _lock_draft(assessment)  # checked before anything is stored
    question = _question(locked, question_code)
    evidence = evidence_upload(
        organisation=locked.organisation, by=by, role=role, uploaded_file=uploaded_file, description=description
    )
    try:
        _link(locked, question, [evidence], by)
    except BaseException:
        delete_stored(evidence.stored_name)  # the row goes with the rolled-back transaction
        raise
    return evidence
