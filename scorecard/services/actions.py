"""Writes for actions: the gaps of a submitted assessment that people own and close (docs/actions.md).

One action per gap (the assessment and the question code, a unique constraint): created from the gap in the
assessment's results snapshot, given to a member of the organisation with a due date, moved through open, in
progress, done or risk accepted (with a justification), with notes and evidence files from the organisation's
library. What a closed action says is carried into the next re-assessment (`prefill_from_workspace`), and owners
get a daily e-mail about their overdue and soon-due actions (`remind_action_owners`).

Every write checks the caller's role again, locks the row it changes and leaves an audit entry whose detail starts
with the question code, so that an action's history is the audit entries of its assessment for its code.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from frameworks.models import Question

from ..languages import email_language
from ..models import (
    Action,
    Answer,
    Assessment,
    AuditEntry,
    EvidenceFile,
    Membership,
    Organisation,
    Role,
    person_label,
)
from ..permissions import role_allows
from ..results_format import read_results
from ..scoring import framework_for
from ..selectors import members_of
from ..validators import one_line
from . import evidence as evidence_services
from .audit import audit_record
from .errors import NotAllowed, ServiceError

logger = logging.getLogger(__name__)

CLOSED = (Action.Status.DONE, Action.Status.RISK_ACCEPTED)
MAX_TEXT = 10_000  # notes and justifications, as for the answers' notes
DUE_SOON_DAYS = 7  # a reminder lists the actions due within this many days, besides the overdue ones
NOTE_CHARS = 300  # the most of an action's notes that the re-assessment's evidence note repeats
CHAIN_LIMIT = 200  # re-assessments followed back at most (a guard: `previous` links never loop in practice)
SHOWN_FILES = 5  # evidence names an audit detail lists before "and N more"


# --- Reading an action's state ----------------------------------------------------------------------------------


def overdue_q(today: dt.date) -> Q:
    """Overdue: not closed, and the due date is before today."""
    return Q(due_on__lt=today) & ~Q(status__in=CLOSED)


def is_overdue(action: Action, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return not action.is_closed and action.due_on is not None and action.due_on < today


def gaps_of(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """The gaps of a submitted assessment by question code, as its results snapshot lists them in its action plan
    (code, priority, rank, recommendation...). Empty for a draft: its results are not final."""
    if assessment.status != Assessment.Status.SUBMITTED or not assessment.results:
        return {}
    return {gap["code"]: gap for gap in read_results(assessment.results).get("actions", ())}


def action_history(action: Action) -> QuerySet[AuditEntry]:
    """The audit entries of one action, newest first: its assessment's action entries for its question code
    (one action per gap, so the code names it)."""
    return AuditEntry.objects.filter(
        assessment_id=action.assessment_id,
        action__startswith="action.",
        detail__startswith=f"{action.question_code}:",
    ).select_related("user")


# --- Checks ------------------------------------------------------------------------------------------------------


def _ensure_may_edit(role: str | None) -> None:
    """Viewers read actions; editors (consultant editors included) write. Views check first; this is the second
    line, as in services/assessments.py."""
    if role is not None and not role_allows(role, Role.EDITOR):
        raise NotAllowed(_("You can view this action but not change it."))


def _check_owner(owner: User | None, organisation: Organisation) -> None:
    if owner is not None and not members_of(organisation).filter(pk=owner.pk).exists():
        raise ValidationError(
            {
                "owner": _("%(person)s is not a member of this organisation. Give the action to one of its members.")
                % {"person": person_label(owner)}
            }
        )


def _check_texts(**texts: str) -> None:
    too_long = {name: _("At most %(n)s characters.") % {"n": MAX_TEXT} for name, text in texts.items()}
    too_long = {name: message for name, message in too_long.items() if len(texts[name]) > MAX_TEXT}
    if too_long:
        raise ValidationError(too_long)


def _evidence_in(organisation_id: Any, evidence_ids: Iterable[Any]) -> list[EvidenceFile]:
    """The organisation's evidence files with these ids. Refuses the whole list when one id is not one of its
    files, so that a forged id can never link another organisation's file."""
    refused = ValidationError({"evidence_ids": _("That evidence file is not in this organisation's library.")})
    wanted: set[uuid.UUID] = set()
    for value in evidence_ids:
        try:
            wanted.add(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))
        except ValueError as exc:
            raise ValidationError(
                {"evidence_ids": _("That evidence file is not in this organisation's library.")}
            ) from exc
    # Locked: a file deleted from the library meanwhile is not linked (the deletion waits, or has happened).
    files = list(EvidenceFile.objects.select_for_update().filter(organisation_id=organisation_id, pk__in=wanted))
    if len(files) != len(wanted):
        raise refused
    return files


def _names(files: Iterable[EvidenceFile]) -> str:
    names = sorted(f.name for f in files)
    shown = ", ".join(names[:SHOWN_FILES])
    return shown + (f" (+{len(names) - SHOWN_FILES})" if len(names) > SHOWN_FILES else "")


# --- Writes ------------------------------------------------------------------------------------------------------


@transaction.atomic
def action_create(
    *,
    assessment: Assessment,
    by: User,
    role: str | None,
    question_code: str,
    owner: User | None = None,
    due_on: dt.date | None = None,
    notes: str = "",
) -> Action:
    """Track one gap of a submitted assessment as an action, open, with its priority and recommendation from the
    results snapshot. Refused for a draft, for a question that is not a gap, and for a gap already tracked."""
    _ensure_may_edit(role)
    # The assessment's lock queues two people tracking the same gap at once: the second finds the first's action.
    locked = Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    if locked.status != Assessment.Status.SUBMITTED:
        raise ServiceError(_("Actions track the gaps of a submitted assessment. Submit this assessment first."))
    gap = gaps_of(locked).get(question_code)
    if gap is None:
        raise ServiceError(
            _("%(code)s is not a gap of this assessment, so there is nothing to track for it.")
            % {"code": question_code[:20]}
        )
    existing = Action.objects.filter(assessment=locked, question_code=question_code).first()
    if existing is not None:
        raise ServiceError(_("%(code)s is already tracked as an action: one action per gap.") % {"code": question_code})
    _check_owner(owner, locked.organisation)
    _check_texts(notes=notes)
    try:
        with transaction.atomic():
            action = Action.objects.create(
                organisation=locked.organisation,
                assessment=locked,
                question_code=question_code,
                title=(gap.get("recommendation") or question_code)[:500],
                priority=gap.get("priority", "")[:24],
                owner=owner,
                due_on=due_on,
                notes=notes,
                created_by=by,
            )
    except IntegrityError as exc:  # the unique constraint, should the lock above ever be bypassed
        raise ServiceError(
            _("%(code)s is already tracked as an action: one action per gap.") % {"code": question_code}
        ) from exc
    audit_record(
        by=by,
        action="action.create",
        assessment=locked,
        detail=f"{question_code}: owner {owner.email if owner else '-'}; due {due_on.isoformat() if due_on else '-'}",
    )
    return action


def action_update(
    *,
    action: Action,
    by: User,
    role: str | None,
    status: str,
    owner: User | None,
    due_on: dt.date | None,
    notes: str,
    justification: str,
    evidence_ids: Iterable[Any],
    upload: UploadedFile | None = None,
) -> Action:
    """Change an action: its status, owner, due date, notes, justification and evidence files.

    `evidence_ids` is the whole set of linked files (each one of the organisation's); `upload`, a new file, is
    checked and stored in the library (services/evidence.py) and linked too. Risk accepted needs a justification.
    Closing (done or risk accepted) records when and by whom; re-opening clears it. Raises ValidationError keyed
    by field, or ServiceError; nothing is saved then, and a file stored for the upload is deleted again (its row
    went with the transaction, whether the update failed or its commit did).
    """
    stored: list[str] = []
    try:
        return _action_update(
            action=action,
            by=by,
            role=role,
            status=status,
            owner=owner,
            due_on=due_on,
            notes=notes,
            justification=justification,
            evidence_ids=evidence_ids,
            upload=upload,
            stored=stored,
        )
    except BaseException:
        for name in stored:
            evidence_services.delete_stored(name)
        raise


@transaction.atomic
def _action_update(
    *,
    action: Action,
    by: User,
    role: str | None,
    status: str,
    owner: User | None,
    due_on: dt.date | None,
    notes: str,
    justification: str,
    evidence_ids: Iterable[Any],
    upload: UploadedFile | None,
    stored: list[str],
) -> Action:
    _ensure_may_edit(role)
    locked = Action.objects.select_for_update(of=("self",)).select_related("organisation", "owner").get(pk=action.pk)
    if status not in Action.Status.values:
        raise ValidationError({"status": _("Choose one of the statuses: open, in progress, done or risk accepted.")})
    _check_owner(owner, locked.organisation)
    _check_texts(notes=notes, justification=justification)
    if status == Action.Status.RISK_ACCEPTED and not justification.strip():
        raise ValidationError({"justification": _("Say why the risk is accepted: who decided, and on what grounds.")})
    files = _evidence_in(locked.organisation_id, evidence_ids)

    changes = []
    if locked.status != status:
        changes.append(f"status {locked.status} -> {status}")
    if locked.owner_id != (owner.pk if owner else None):
        before = locked.owner.email if locked.owner else "-"
        changes.append(f"owner {before} -> {owner.email if owner else '-'}")
    if locked.due_on != due_on:
        changes.append(f"due {due_on.isoformat() if due_on else '-'}")
    if locked.notes != notes:
        changes.append("notes")
    if locked.justification != justification:
        changes.append("justification")

    if upload is not None:
        # Last, once everything else is known to be valid: a refused update then stores no file.
        try:
            new_file = evidence_services.evidence_upload(
                organisation=locked.organisation, by=by, role=role, uploaded_file=upload
            )
        except ValidationError as exc:
            raise ValidationError({"upload": exc.messages}) from exc
        stored.append(new_file.stored_name)
        files.append(new_file)
    linked = {f.pk: f for f in locked.evidence_files.all()}
    wanted = {f.pk: f for f in files}
    added = [f for pk, f in wanted.items() if pk not in linked]
    removed = [f for pk, f in linked.items() if pk not in wanted]
    if added:
        changes.append(f"evidence + {_names(added)}")
    if removed:
        changes.append(f"evidence - {_names(removed)}")
    if not changes:
        return locked

    if locked.status != status:
        closing = status in CLOSED
        locked.closed_at = timezone.now() if closing else None
        locked.closed_by = by if closing else None
    locked.status, locked.owner, locked.due_on = status, owner, due_on
    locked.notes, locked.justification = notes, justification
    # Saved even when only the files changed: `updated_at` is what the report's cache key reads.
    locked.save()
    if added or removed:
        locked.evidence_files.set(list(wanted.values()))
    audit_record(
        by=by,
        action="action.update",
        organisation=locked.organisation,
        assessment=locked.assessment,
        detail=f"{locked.question_code}: " + "; ".join(changes),
    )
    return locked


# --- The re-assessment -------------------------------------------------------------------------------------------


def _chain(previous: Assessment) -> list[Any]:
    """The ids of `previous` and of the assessments it re-assesses, back to the first."""
    ids: list[Any] = []
    pk: Any = previous.pk
    while pk is not None and pk not in ids and len(ids) < CHAIN_LIMIT:
        ids.append(pk)
        pk = Assessment.objects.filter(pk=pk).values_list("previous_id", flat=True).first()
    return ids


def closed_action_line(action: Action) -> str:
    """What a re-assessment's evidence note says of an action closed as done, in the current language:
    "Action closed on 4 December 2026 by Ana: new notice published. Evidence: notice.pdf, screen.png"."""
    closed_on = timezone.localdate(action.closed_at) if action.closed_at else timezone.localdate()
    line = _("Action closed on %(date)s by %(person)s") % {
        "date": date_format(closed_on, "j F Y"),
        "person": person_label(action.closed_by),
    }
    notes = one_line(action.notes).strip().rstrip(".")
    if len(notes) > NOTE_CHARS:
        notes = notes[: NOTE_CHARS - 1].rstrip() + "…"
    line += (": " + notes if notes else "") + "."
    names = sorted(f.name for f in action.evidence_files.all())
    if names:
        line += " " + _("Evidence: %(files)s") % {"files": ", ".join(names)}
    return line


def prefill_from_workspace(assessment: Assessment, previous: Assessment, *, by: User) -> None:
    """Called when a re-assessment is pre-filled from `previous` (services/assessments.py, in its transaction):

    * the evidence files linked to the old answers are linked to the new answers of the same questions;
    * each action closed as done, of `previous` or of an earlier assessment it re-assesses (same organisation, same
      system), adds a line to its question's evidence note and links its evidence files to that answer. When the
      new draft has no answer to the question, one is made with no choice: the question stays unanswered, as the
      person must still choose the answer that is true now.

    An action of an earlier assessment closed before `previous` was started was carried into `previous` already,
    and its line came across with `previous`'s answers; it is not added twice.
    """
    answers = {a.question.code: a for a in assessment.answers.select_related("question")}
    copied = _copy_answer_evidence(previous, answers)
    carried = _carry_closed_actions(assessment, previous, answers, by=by)
    if copied or carried:
        detail = _("%(links)s evidence link(s) from the previous answers; closed actions: %(codes)s") % {
            "links": copied,
            "codes": ", ".join(carried) or "-",
        }
        audit_record(by=by, action="assessment.prefill_actions", assessment=assessment, detail=detail)


def _copy_answer_evidence(previous: Assessment, answers: dict[str, Answer]) -> int:
    link = EvidenceFile.answers.through
    old = link.objects.filter(answer__assessment=previous).values_list("evidencefile_id", "answer__question__code")
    links = [link(evidencefile_id=file_id, answer_id=answers[code].pk) for file_id, code in old if code in answers]
    link.objects.bulk_create(links, ignore_conflicts=True)
    return len(links)


def _carry_closed_actions(
    assessment: Assessment, previous: Assessment, answers: dict[str, Answer], *, by: User
) -> list[str]:
    done = (
        Action.objects.filter(
            organisation_id=previous.organisation_id,
            assessment_id__in=_chain(previous),
            assessment__ai_system_id=assessment.ai_system_id,
            status=Action.Status.DONE,
        )
        .select_related("closed_by")
        .prefetch_related("evidence_files")
        .order_by("closed_at", "question_code")
    )
    actions = [
        a for a in done if a.assessment_id == previous.pk or (a.closed_at and a.closed_at >= previous.created_at)
    ]
    questions = {
        q.code: q
        for q in Question.objects.filter(
            version=assessment.framework_version, code__in={a.question_code for a in actions}
        )
    }
    carried = []
    for action in actions:
        question = questions.get(action.question_code)
        if question is None:  # the question left the questionnaire in the new edition
            continue
        answer = answers.get(question.code)
        if answer is None:
            answer = Answer.objects.create(assessment=assessment, question=question, choice="", updated_by=by)
            answers[question.code] = answer
        line = closed_action_line(action)
        note = answer.evidence_note.rstrip()
        if line not in note and len(note) + len(line) + 1 <= MAX_TEXT:
            answer.evidence_note = f"{note}\n{line}" if note else line
            answer.save(update_fields=["evidence_note", "updated_at"])
        answer.evidence_files.add(*action.evidence_files.all())
        carried.append(action.question_code)
    return carried


# --- Reminders ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderRun:
    emails: int  # e-mails sent, one per owner
    actions: int  # actions they listed
    failed: int  # owners whose e-mail could not be sent (tried again at the next run)


@dataclass(frozen=True)
class ReminderItem:
    action: Action
    link: str  # the action's page, a full address
    recommendation: str  # in the recipient's language when the content has it


def _recommendation(action: Action) -> str:
    """The gap's recommendation in the active language, from its question; the stored title otherwise."""
    question = framework_for(action.assessment.framework_version)[1].get(action.question_code)
    return (question.recommendation if question is not None else "") or action.title


def site_url() -> str:
    """The address e-mails link to, without a trailing slash: settings.SITE_URL when set, else the first of
    CSRF_TRUSTED_ORIGINS (set in production, docs/deploy.md), else the development server's."""
    configured = getattr(settings, "SITE_URL", "") or next(iter(settings.CSRF_TRUSTED_ORIGINS), "")
    return (configured or "http://localhost:8000").rstrip("/")


def reminder_candidates(today: dt.date) -> QuerySet[Action]:
    """Open actions with an owner who is still a member of the action's organisation, overdue or due within
    DUE_SOON_DAYS, whose owner has not been reminded of them today."""
    still_member = Membership.objects.filter(user_id=OuterRef("owner_id"), organisation_id=OuterRef("organisation_id"))
    return (
        Action.objects.exclude(status__in=CLOSED)
        .filter(owner__isnull=False, owner__is_active=True, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        .exclude(owner__email="")
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
        .filter(Exists(still_member))
    )


def remind_action_owners(*, today: dt.date | None = None, base_url: str = "") -> ReminderRun:
    """Send each owner one e-mail listing their overdue actions and those due in the next DUE_SOON_DAYS days, in
    their language, with a link to each. An owner reminded today gets nothing more today (`reminded_on`, set
    under a lock, so two runs at once send once); one who has left the organisation gets nothing for it."""
    today = today or timezone.localdate()
    base_url = (base_url or site_url()).rstrip("/")
    owners = list(
        User.objects.filter(pk__in=reminder_candidates(today).values("owner_id")).order_by("pk").only("pk", "email")
    )
    emails = listed = failed = 0
    for owner in owners:
        sent = _remind_owner(owner, today=today, base_url=base_url)
        if sent is None:
            failed += 1
        elif sent:
            emails += 1
            listed += sent
    return ReminderRun(emails=emails, actions=listed, failed=failed)


def _remind_owner(owner: User, *, today: dt.date, base_url: str) -> int | None:
    """Remind one owner: the number of actions listed (0: nothing left to say), None when sending failed.

    The actions are claimed first (`reminded_on` set under a lock, in a short transaction), the e-mail is sent
    after the commit, and a failed send gives the claim back. Why: a slow mail server must not hold the database's
    write lock (all of it, on SQLite), and two runs at once still send once."""
    actions, previous = _claim_reminders(owner, today)
    if not actions:
        return 0
    with translation.override(email_language(owner.email)):
        items = [ReminderItem(a, base_url + reverse("action_detail", args=[a.pk]), _recommendation(a)) for a in actions]
        overdue = [item for item in items if item.action.due_on is not None and item.action.due_on < today]
        due_soon = [item for item in items if item not in overdue]
        context = {"owner": owner, "overdue": overdue, "due_soon": due_soon, "today": today, "base_url": base_url}
        subject = one_line(render_to_string("actions/email/reminder_subject.txt", context))
        body = render_to_string("actions/email/reminder_body.txt", context)
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[owner.email])
    except (smtplib.SMTPException, OSError) as exc:  # refused, unreachable or timed out: the next run tries again
        logger.warning("Action reminder to %s failed: %r", owner.email, exc)
        for day, pks in previous.items():
            Action.objects.filter(pk__in=pks, reminded_on=today).update(reminded_on=day)
        return None
    with transaction.atomic():
        for action in actions:
            audit_record(
                by=None,
                action="action.remind",
                organisation=action.organisation,
                assessment=action.assessment,
                detail=f"{action.question_code}: reminder to {owner.email}",
            )
    return len(actions)


@transaction.atomic
def _claim_reminders(owner: User, today: dt.date) -> tuple[list[Action], dict[dt.date | None, list[Any]]]:
    """The owner's actions to remind of today, marked as reminded; and their previous `reminded_on`, to give the
    claim back if the e-mail cannot be sent."""
    actions = list(
        reminder_candidates(today)
        .filter(owner=owner)
        .select_for_update(of=("self",))
        .select_related("organisation", "assessment__ai_system", "assessment__framework_version")
        .defer("assessment__results")
        .order_by("due_on", "question_code")
    )
    previous: dict[dt.date | None, list[Any]] = {}
    for action in actions:
        previous.setdefault(action.reminded_on, []).append(action.pk)
    if actions:
        Action.objects.filter(pk__in=[a.pk for a in actions]).update(reminded_on=today)
    return actions, previous
