"""Writes that race or repeat cannot undo a submission or duplicate a draft, and imports stay cheap and safe.

The race tests use two connections (two threads) and need PostgreSQL's row locks; SQLite serialises whole
transactions and skips them. Each of them fails on code that saves a stale copy or takes no lock.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse

from scorecard.models import Answer, Assessment, AuditEntry, Role
from scorecard.services.assessments import (
    assessment_delete,
    assessment_reassess,
    assessment_submit,
    assessment_update_profile,
)
from scorecard.services.errors import NotAllowed, ServiceError
from scorecard.transfer import MAX_PROBLEMS, ImportRefused, assessment_import
from tests.conftest import client_for
from tests.factories import AssessmentFactory, MembershipFactory
from tests.scorecard.test_questionnaire import answer_everything

PROFILE = {
    "name": "Renamed by a colleague",
    "sector": "health",
    "size": "small",
    "ai_role": "deployer",
    "uses_genai": False,
    "target_markets": ["SG"],
}


def _submitted_state(assessment: Assessment) -> tuple[Any, ...]:
    fresh = Assessment.objects.get(pk=assessment.pk)
    return fresh.status, fresh.results, fresh.submitted_at, fresh.name, fresh.sector


# A profile save during a submission ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_profile_save_from_a_stale_copy_cannot_revert_a_submission(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    stale = Assessment.objects.get(pk=assessment.pk)  # a colleague's profile page, loaded while still a draft
    assessment_submit(assessment=assessment, by=owner)
    before = _submitted_state(assessment)
    assert before[0] == Assessment.Status.SUBMITTED and before[1]

    with pytest.raises(ServiceError, match="submitted and locked"):
        assessment_update_profile(assessment=stale, by=owner, **PROFILE)

    assert _submitted_state(assessment) == before
    assert not AuditEntry.objects.filter(action="assessment.profile").exists()


@pytest.mark.django_db
def test_the_profile_page_says_so_when_the_assessment_was_submitted_meanwhile(
    assessment: Assessment, owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page loaded a draft; the submission lands between that and the save. A message, not a 500."""
    from scorecard.forms import AssessmentProfileForm

    answer_everything(assessment, owner)
    is_valid = AssessmentProfileForm.is_valid

    def valid_then_submitted_elsewhere(form: AssessmentProfileForm) -> bool:
        assessment_submit(assessment=assessment, by=owner)
        return is_valid(form)

    monkeypatch.setattr(AssessmentProfileForm, "is_valid", valid_then_submitted_elsewhere)
    response = client_for(owner).post(reverse("assessment_profile", args=[assessment.pk]), PROFILE, follow=True)
    assert response.status_code == 200
    assert "submitted and locked" in response.content.decode()
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert fresh.status == Assessment.Status.SUBMITTED and fresh.results and fresh.name == assessment.name


@pytest.mark.django_db
def test_a_profile_save_writes_only_the_profile(assessment: Assessment, owner: Any) -> None:
    """A concurrent writer's other fields (here the resume position) survive a profile save from an old copy."""
    stale = Assessment.objects.get(pk=assessment.pk)
    Assessment.objects.filter(pk=assessment.pk).update(last_section="principle-FE", last_question="FE-02")
    saved = assessment_update_profile(assessment=stale, by=owner, **PROFILE)
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert (fresh.name, fresh.sector, fresh.target_markets) == (PROFILE["name"], "health", ["SG"])
    assert (fresh.last_section, fresh.last_question) == ("principle-FE", "FE-02")
    assert saved.last_section == "principle-FE"


def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL")


def _in_thread(target: Callable[[], Any], outcome: dict[str, Any], key: str) -> threading.Thread:
    def run() -> None:
        try:
            outcome[key] = target()
        except Exception as exc:  # reported to the test, which asserts on it
            outcome[key] = exc
        finally:
            connection.close()  # each thread has its own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _wait_for_a_blocked_lock(timeout: float = 5) -> bool:
    """Whether some connection came to wait for a lock another one holds (the race is really on), within
    `timeout` seconds. Code that takes no lock never waits; the test then checks what it did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_profile_save_racing_a_submission_cannot_revert_it(content: Any, owner: Any, organisation: Any) -> None:
    """Two connections: the submission holds its lock while a colleague's profile save (from a copy loaded
    before) arrives. The save must wait, see the submission, and refuse; on the old code it waited and then
    wrote the whole stale row back: status draft, results wiped."""
    _needs_postgres()
    assessment = AssessmentFactory(organisation=organisation, created_by=owner)
    answer_everything(assessment, owner)
    stale = Assessment.objects.get(pk=assessment.pk)
    submitted, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def submit() -> Assessment:
        with transaction.atomic():
            result = assessment_submit(assessment=assessment, by=owner)
            submitted.set()
            release.wait(30)  # hold the row lock until the profile save is queued behind it
            return result

    submitter = _in_thread(submit, outcome, "submit")
    assert submitted.wait(30)
    saver = _in_thread(lambda: assessment_update_profile(assessment=stale, by=owner, **PROFILE), outcome, "profile")
    try:
        waited = _wait_for_a_blocked_lock()
    finally:
        release.set()
        submitter.join(30)
        saver.join(30)

    assert isinstance(outcome["submit"], Assessment)
    assert isinstance(outcome["profile"], ServiceError) and "submitted and locked" in str(outcome["profile"])
    fresh = Assessment.objects.get(pk=assessment.pk)
    assert fresh.status == Assessment.Status.SUBMITTED and fresh.results is not None and fresh.submitted_at
    assert fresh.name == assessment.name and fresh.sector == assessment.sector
    assert waited, "the profile save should have waited for the submission's lock"


# Re-assess twice ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reassess_posted_twice_starts_one_draft(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    client = client_for(owner)
    first = client.post(reverse("assessment_reassess", args=[assessment.pk]))
    second = client.post(reverse("assessment_reassess", args=[assessment.pk]), follow=True)
    drafts = Assessment.objects.filter(previous=assessment)
    assert drafts.count() == 1
    assert first["Location"] == reverse("assessment_detail", args=[drafts.get().pk])
    assert second.redirect_chain[0][0] == first["Location"]
    assert "already in progress" in second.content.decode()
    assert AuditEntry.objects.filter(action="assessment.reassess").count() == 1


@pytest.mark.django_db
def test_a_new_reassessment_can_start_once_the_previous_one_is_submitted(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    draft, created = assessment_reassess(assessment=assessment, by=owner)
    assert created
    answer_everything(draft, owner)
    assessment_submit(assessment=draft, by=owner)
    again, created = assessment_reassess(assessment=assessment, by=owner)
    assert created and again.pk != draft.pk


@pytest.mark.django_db(transaction=True)
def test_two_reassess_requests_at_once_start_one_draft(content: Any, owner: Any, organisation: Any) -> None:
    _needs_postgres()
    assessment = AssessmentFactory(organisation=organisation, created_by=owner)
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    created, release = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def first() -> tuple[Assessment, bool]:
        with transaction.atomic():
            result = assessment_reassess(assessment=assessment, by=owner)
            created.set()
            release.wait(30)
            return result

    one = _in_thread(first, outcome, "first")
    assert created.wait(30)
    two = _in_thread(lambda: assessment_reassess(assessment=assessment, by=owner), outcome, "second")
    try:
        waited = _wait_for_a_blocked_lock()
    finally:
        release.set()
        one.join(30)
        two.join(30)

    assert Assessment.objects.filter(previous=assessment).count() == 1
    (draft, was_created), (same, again_created) = outcome["first"], outcome["second"]
    assert was_created and not again_created and same.pk == draft.pk
    assert waited, "the second request should have waited for the first one's lock"


# Services check their own preconditions --------------------------------------------------------------------------


@pytest.mark.django_db
def test_services_refuse_a_viewer_role(assessment: Assessment, owner: Any) -> None:
    with pytest.raises(NotAllowed):
        assessment_update_profile(assessment=assessment, by=owner, role=Role.VIEWER, **PROFILE)
    with pytest.raises(NotAllowed):
        assessment_submit(assessment=assessment, by=owner, role=Role.VIEWER)
    with pytest.raises(NotAllowed):
        assessment_delete(assessment=assessment, by=owner, role=Role.VIEWER)
    assert Assessment.objects.filter(pk=assessment.pk, name=assessment.name).exists()
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_submitted_assessment_cannot_be_deleted_or_submitted_again(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    with pytest.raises(ServiceError, match="cannot be deleted"):
        assessment_delete(assessment=assessment, by=owner)
    with pytest.raises(ServiceError, match="submitted and locked"):
        assessment_submit(assessment=assessment, by=owner)


@pytest.mark.django_db
def test_autosave_after_a_submission_elsewhere_shows_the_refusal_in_place(assessment: Assessment, owner: Any) -> None:
    editor = MembershipFactory(organisation=assessment.organisation, role=Role.EDITOR).user
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    response = client_for(editor).post(
        reverse("answer_autosave", args=[assessment.pk, "principle-TE", "TE-01"]),
        {"TE-01-choice": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "submitted and locked" in response.content.decode()


# JSON import: bounded work, clear messages, nothing half-saved ------------------------------------------------------


def _upload(client: Any, organisation: Any, raw: bytes) -> Any:
    return client.post(
        reverse("assessment_import", args=[organisation.pk]),
        {"file": SimpleUploadedFile("a.json", raw, content_type="application/json")},
    )


def _payload(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "schema": "asean-ai-scorecard/assessment",
        "schema_version": 1,
        "framework_version": "asean-2026-11",
        "assessment": {
            "name": "Imported",
            "sector": "finance",
            "size": "large",
            "ai_role": "both",
            "uses_genai": True,
            "target_markets": ["SG"],
        },
        "answers": [{"question": "TE-01", "choice": "3", "evidence_note": "Register kept"}],
    }
    payload.update(changes)
    return payload


def _nothing_written() -> bool:
    return not Assessment.objects.exists() and not Answer.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_file_of_600000_bad_entries_gets_a_short_answer(content: Any, organisation: Any, owner: Any) -> None:
    raw = json.dumps(_payload(answers=[{}] * 600_000), separators=(",", ":")).encode()
    assert 1_000_000 < len(raw) < 2 * 1024 * 1024  # under the size cap: the validation itself must stop early
    started = time.monotonic()
    response = _upload(client_for(owner), organisation, raw)
    elapsed = time.monotonic() - started
    body = response.content.decode()
    assert response.status_code == 400
    assert len(response.content) < 60_000  # the old page listed every entry: 26 MB
    listed = body.split('class="alert alert-danger"', 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == MAX_PROBLEMS
    assert "“answers” has 600,000 entries" in body
    assert f"The file has at least {MAX_PROBLEMS} problems; nothing was imported." in body
    assert "and 599,951 more answers were not checked" in body
    assert elapsed < 10, elapsed  # generous: it takes a fraction of a second; the old code took 9–23 s
    assert _nothing_written()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer",
    [
        {"question": "TE-01", "choice": "x" * 1_500_000},
        {"question": "FE-06", "choice": "checklist", "checked": ["bad"] * 250_000},
        {"question": "Z" * 1_500_000},
    ],
    ids=["huge-choice", "huge-checklist", "huge-code"],
)
def test_one_huge_value_is_not_repeated_back(content: Any, organisation: Any, owner: Any, answer: Any) -> None:
    raw = json.dumps(_payload(answers=[answer])).encode()
    response = _upload(client_for(owner), organisation, raw)
    assert response.status_code == 400 and len(response.content) < 60_000
    assert "The file has 1 problem" in response.content.decode()
    assert _nothing_written()


@pytest.mark.django_db
def test_the_import_service_reports_the_first_problems_and_how_much_was_not_checked(
    content: Any, organisation: Any, owner: Any
) -> None:
    answers = [{"question": f"ZZ-{i}"} for i in range(1_000)]
    with pytest.raises(ImportRefused) as refused:
        assessment_import(organisation=organisation, by=owner, raw=json.dumps(_payload(answers=answers)).encode())
    assert len(refused.value.messages) == MAX_PROBLEMS and refused.value.stopped_early
    assert refused.value.messages[1] == "ZZ-0: no such question in this framework version."
    assert refused.value.unchecked == 1_000 - (MAX_PROBLEMS - 1)
    assert _nothing_written()


@pytest.mark.django_db
def test_a_few_problems_are_all_listed_without_a_cut(content: Any, organisation: Any, owner: Any) -> None:
    answers = [{"question": "ZZ-1"}, {"question": "TE-01", "choice": "maybe"}]
    body = _upload(client_for(owner), organisation, json.dumps(_payload(answers=answers)).encode()).content.decode()
    assert "The file has 2 problems" in body and 'data-testid="import-cut-short"' not in body


@pytest.mark.django_db
@override_settings(IMPORT_MAX_BYTES=1024)
def test_an_oversized_file_is_refused_before_it_is_read(
    content: Any, organisation: Any, owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def must_not_run(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file was read")

    monkeypatch.setattr("scorecard.views.assessments.assessment_import", must_not_run)  # the view refuses first
    response = _upload(client_for(owner), organisation, b"{" + b" " * 2048 + b"}")
    monkeypatch.setattr("scorecard.transfer.json", SimpleNamespace(loads=must_not_run))  # so does the service
    assert response.status_code == 400 and "larger than 1 KB" in response.content.decode()
    with pytest.raises(ImportRefused, match="larger than 1 KB"):
        assessment_import(organisation=organisation, by=owner, raw=b"[" + b"0," * 1024 + b"0]")
    assert _nothing_written()


def _with_profile(**changes: Any) -> dict[str, Any]:
    payload = _payload()
    payload["assessment"].update(changes)
    return payload


def _with_answer(**fields: Any) -> dict[str, Any]:
    return _payload(answers=[{"question": "TE-01", "choice": "3", **fields}])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "where"),
    [
        (_with_profile(name="Bank\u0000Berhad"), "assessment.name contains a NUL character"),
        (_with_profile(name="Bank \ud800"), "assessment.name contains a NUL character"),
        (_with_answer(evidence_note="see\u0000file"), "TE-01 contains a NUL character"),
        (_with_answer(choice="\ud800"), "TE-01 contains a NUL character"),
        (_with_answer(evidence_link="https://example.org/\udfff"), "TE-01 contains a NUL character"),
        (_payload(answers=[{"question": "FE-06", "choice": "checklist", "checked": ["\ud83d"]}]), "FE-06 contains"),
        (_payload(answers=[{"question": "TE-\ud800"}]), "'TE-\\ud800': no such question"),
        (_payload(answers=[{"question": "TE-\u0000"}]), "'TE-\\x00': no such question"),
        (_with_profile(sector="fin\ud800"), "assessment.sector: 'fin\\ud800' is not one of"),
        (_payload(framework_version="asean-2026-11\u0000"), "Framework version 'asean-2026-11\\x00' is not available"),
    ],
    ids=[
        "nul-name",
        "surrogate-name",
        "nul-note",
        "surrogate-choice",
        "surrogate-link",
        "surrogate-checked",
        "surrogate-code",
        "nul-code",
        "surrogate-sector",
        "nul-version",
    ],
)
def test_nul_and_lone_surrogates_get_a_clear_message(
    content: Any, organisation: Any, owner: Any, payload: dict[str, Any], where: str
) -> None:
    raw = json.dumps(payload).encode()  # ensure_ascii: the characters travel as \u0000 and \ud800 escapes
    assert b"\\u0000" in raw or b"\\ud8" in raw or b"\\udf" in raw
    response = _upload(client_for(owner), organisation, raw)
    assert response.status_code == 400
    assert where in html.unescape(response.content.decode())
    assert _nothing_written()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"schema": "asean-ai-scorecard/assessment"\x00}', "contains NUL bytes"),
        ('{"a": "x"}'.encode("utf-16"), "contains NUL bytes"),
        (b'{"assessment": {"name": "\xed\xa0\x80"}}', "not UTF-8 text (byte 25"),  # a surrogate encoded raw
    ],
    ids=["nul-byte", "utf-16", "raw-surrogate"],
)
def test_unreadable_bytes_get_a_clear_message(
    content: Any, organisation: Any, owner: Any, raw: bytes, message: str
) -> None:
    response = _upload(client_for(owner), organisation, raw)
    assert response.status_code == 400 and message in response.content.decode()
    assert _nothing_written()


@pytest.mark.django_db
def test_a_clean_file_with_paired_surrogates_imports(content: Any, organisation: Any, owner: Any) -> None:
    """An emoji travels as a surrogate pair ("\\ud83d\\ude00"); it is one character, and welcome."""
    raw = json.dumps(_with_answer(evidence_note="Reviewed 😀")).encode()
    assert b"\\ud83d\\ude00" in raw
    response = _upload(client_for(owner), organisation, raw)
    assert response.status_code == 302
    assert Answer.objects.get().evidence_note == "Reviewed 😀"
