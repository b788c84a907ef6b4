"""Actions: a gap of a submitted assessment that someone owns and closes (scorecard/services/actions.py, the views,
the exports, the results page, the PDF and the re-assessment it pre-fills)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from scorecard.models import Action, Answer, AuditEntry, EvidenceFile, Role
from scorecard.questionnaire import is_answered
from scorecard.reports import actions as report_actions
from scorecard.reports.context import report_context
from scorecard.services import actions as services
from scorecard.services.assessments import answer_save, assessment_reassess, assessment_submit, missing_answers
from scorecard.services.errors import NotAllowed, ServiceError
from tests.conftest import client_for
from tests.factories import AISystemFactory, AssessmentFactory, MembershipFactory, UserFactory, stored_evidence
from tests.scorecard.test_questionnaire import answer_everything

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _full_marks_for_te01(question: Any) -> str:
    """TE-01 at its top option (so it is no gap); every other question at its second option (a gap)."""
    options = list(question.options.all())
    return options[-1].code if question.code == "TE-01" else options[1].code


@pytest.fixture
def submitted(assessment: Any, owner: Any) -> Any:
    answer_everything(assessment, owner, choice_for=_full_marks_for_te01)
    return assessment_submit(assessment=assessment, by=owner)


@pytest.fixture
def editor(organisation: Any) -> Any:
    return MembershipFactory(organisation=organisation, role=Role.EDITOR, user=UserFactory(email="ed@example.org")).user


@pytest.fixture
def viewer(organisation: Any) -> Any:
    return MembershipFactory(organisation=organisation, role=Role.VIEWER, user=UserFactory(email="vi@example.org")).user


def first_gaps(assessment: Any, n: int = 2) -> list[dict[str, Any]]:
    return list(services.gaps_of(assessment).values())[:n]


def create(assessment: Any, by: Any, code: str, **kwargs: Any) -> Action:
    return services.action_create(assessment=assessment, by=by, role=Role.OWNER, question_code=code, **kwargs)


def update(action: Action, by: Any, **changes: Any) -> Action:
    fields: dict[str, Any] = {
        "status": action.status,
        "owner": action.owner,
        "due_on": action.due_on,
        "notes": action.notes,
        "justification": action.justification,
        "evidence_ids": [f.pk for f in action.evidence_files.all()],
    }
    fields.update(changes)
    return services.action_update(action=action, by=by, role=Role.OWNER, **fields)


def png_upload(name: str = "screenshot.png") -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(data, "PNG")
    return SimpleUploadedFile(name, data.getvalue(), content_type="image/png")


# --- Creating ----------------------------------------------------------------------------------------------------


def test_a_gap_of_a_submitted_assessment_becomes_an_action_with_its_priority_and_recommendation(
    submitted: Any, owner: Any, editor: Any
) -> None:
    gap = first_gaps(submitted, 1)[0]
    due = TODAY + dt.timedelta(days=30)
    action = create(submitted, owner, gap["code"], owner=editor, due_on=due, notes="Start with the register")
    assert (action.question_code, action.priority, action.title) == (
        gap["code"],
        gap["priority"],
        gap["recommendation"],
    )
    assert (action.organisation, action.owner, action.due_on, action.status) == (
        submitted.organisation,
        editor,
        due,
        Action.Status.OPEN,
    )
    entry = AuditEntry.objects.get(action="action.create")
    assert (
        entry.assessment_id == submitted.pk
        and entry.detail.startswith(f"{gap['code']}:")
        and editor.email in entry.detail
    )


def test_an_action_is_refused_for_a_draft_and_for_a_question_that_is_not_a_gap(
    assessment: Any, submitted: Any, owner: Any
) -> None:
    draft = AssessmentFactory(organisation=assessment.organisation, created_by=owner)
    with pytest.raises(ServiceError, match="submitted assessment"):
        create(draft, owner, "TE-01")
    assert "TE-01" not in services.gaps_of(submitted)  # answered at full marks
    with pytest.raises(ServiceError, match="not a gap"):
        create(submitted, owner, "TE-01")
    with pytest.raises(ServiceError, match="not a gap"):
        create(submitted, owner, "NO-SUCH")
    assert not Action.objects.exists() and not AuditEntry.objects.filter(action="action.create").exists()


def test_the_create_page_sends_a_draft_or_a_non_gap_back_with_a_message(assessment: Any, owner: Any) -> None:
    client = client_for(owner)
    response = client.get(reverse("action_create", args=[assessment.pk]) + "?question=AC-01", follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessment_detail", args=[assessment.pk])
    assert "Submit this assessment first" in response.content.decode()
    answer_everything(assessment, owner, choice_for=_full_marks_for_te01)
    assessment_submit(assessment=assessment, by=owner)
    response = client.post(reverse("action_create", args=[assessment.pk]) + "?question=TE-01", {}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessment_results", args=[assessment.pk]) + "#h-actions"
    assert "TE-01 is not one of this assessment" in response.content.decode()
    assert not Action.objects.exists()


def test_one_action_per_gap(submitted: Any, owner: Any) -> None:
    code = first_gaps(submitted, 1)[0]["code"]
    first = create(submitted, owner, code)
    with pytest.raises(ServiceError, match="one action per gap"):
        create(submitted, owner, code)
    assert Action.objects.filter(assessment=submitted, question_code=code).count() == 1
    # The page for a gap already tracked opens its action instead of a second form.
    response = client_for(owner).get(reverse("action_create", args=[submitted.pk]) + f"?question={code}")
    assert response.status_code == 302 and response["Location"] == reverse("action_detail", args=[first.pk])


def test_the_owner_must_be_a_member_of_the_organisation(submitted: Any, owner: Any, outsider: Any) -> None:
    code = first_gaps(submitted, 1)[0]["code"]
    with pytest.raises(ValidationError) as refused:
        create(submitted, owner, code, owner=outsider)
    assert "not a member" in str(refused.value.message_dict["owner"])
    assert not Action.objects.exists()
    action = create(submitted, owner, code)
    with pytest.raises(ValidationError, match="not a member"):
        update(action, owner, owner=outsider)
    action.refresh_from_db()
    assert action.owner is None
    # Through the page: the form offers members only, so a forged id is an error beside the field.
    response = client_for(owner).post(
        reverse("action_create", args=[submitted.pk]) + f"?question={first_gaps(submitted, 2)[1]['code']}",
        {"owner": outsider.pk},
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert Action.objects.count() == 1


def test_a_viewer_cannot_create_or_change_an_action(submitted: Any, owner: Any, viewer: Any) -> None:
    code = first_gaps(submitted, 1)[0]["code"]
    with pytest.raises(NotAllowed):
        services.action_create(assessment=submitted, by=viewer, role=Role.VIEWER, question_code=code)
    action = create(submitted, owner, code)
    client = client_for(viewer)
    assert client.get(reverse("action_detail", args=[action.pk])).status_code == 200
    response = client.post(reverse("action_detail", args=[action.pk]), {"status": "done"})
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN


def test_the_create_page_tracks_the_gap(submitted: Any, owner: Any, editor: Any) -> None:
    gap = first_gaps(submitted, 1)[0]
    url = reverse("action_create", args=[submitted.pk]) + f"?question={gap['code']}"
    client = client_for(editor)
    page = client.get(url).content.decode()
    assert gap["code"] in page and 'name="owner"' in page and 'for="id_due_on"' in page
    response = client.post(url, {"owner": owner.pk, "due_on": "2031-05-06", "notes": "Draft the register"})
    action = Action.objects.get()
    assert response["Location"] == reverse("action_detail", args=[action.pk])
    assert (action.owner, action.due_on, action.created_by) == (owner, dt.date(2031, 5, 6), editor)
    history = client.get(response["Location"]).content.decode().split('data-testid="action-history"')[1]
    assert "Tracked as an action" in history and "Due date: 6 May 2031" in history and editor.email in history


# --- Changing and closing ----------------------------------------------------------------------------------------


def test_risk_accepted_needs_a_justification(submitted: Any, owner: Any) -> None:
    action = create(submitted, owner, first_gaps(submitted, 1)[0]["code"])
    with pytest.raises(ValidationError) as refused:
        update(action, owner, status=Action.Status.RISK_ACCEPTED, justification="  ")
    assert "justification" in refused.value.message_dict
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN
    response = client_for(owner).post(
        reverse("action_detail", args=[action.pk]), {"status": "risk_accepted", "justification": ""}
    )
    assert response.status_code == 200 and "Say why the risk is accepted" in response.content.decode()
    accepted = update(action, owner, status=Action.Status.RISK_ACCEPTED, justification="Board decision 12/2026")
    assert accepted.status == Action.Status.RISK_ACCEPTED and accepted.closed_at is not None


def test_closing_as_done_with_an_uploaded_file_links_it_and_reopening_clears_the_closure(
    submitted: Any, owner: Any, editor: Any
) -> None:
    action = create(submitted, owner, first_gaps(submitted, 1)[0]["code"], owner=editor)
    client = client_for(editor)
    response = client.post(
        reverse("action_detail", args=[action.pk]),
        {"status": "done", "owner": editor.pk, "notes": "Register published", "upload": png_upload()},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    action.refresh_from_db()
    assert action.status == Action.Status.DONE and action.closed_by == editor and action.closed_at is not None
    stored = action.evidence_files.get()
    assert stored.organisation == submitted.organisation and stored.name == "screenshot.png"
    assert storages["evidence"].exists(stored.stored_name)
    page = client.get(reverse("action_detail", args=[action.pk])).content.decode()
    assert "screenshot.png" in page and reverse("evidence_download", args=[stored.pk]) in page
    assert "Status: Open → Done" in page and "Evidence added: screenshot.png" in page  # the history
    reopened = update(action, editor, status=Action.Status.IN_PROGRESS)
    assert reopened.closed_at is None and reopened.closed_by is None
    assert list(reopened.evidence_files.all()) == [stored]


def test_a_refused_upload_changes_nothing(submitted: Any, owner: Any) -> None:
    action = create(submitted, owner, first_gaps(submitted, 1)[0]["code"])
    program = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        update(action, owner, status=Action.Status.DONE, upload=program)
    assert "upload" in refused.value.message_dict
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN and not EvidenceFile.objects.exists()


def test_a_failure_after_the_upload_was_stored_leaves_no_file_behind(
    submitted: Any, owner: Any, monkeypatch: Any
) -> None:
    action = create(submitted, owner, first_gaps(submitted, 1)[0]["code"])

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_record", broken)  # the last step, after the file is stored and linked
    with pytest.raises(RuntimeError):
        update(action, owner, status=Action.Status.DONE, upload=png_upload("proof.png"))
    action.refresh_from_db()
    assert action.status == Action.Status.OPEN and not EvidenceFile.objects.exists()
    _dirs, names = storages["evidence"].listdir(str(submitted.organisation.pk))
    assert names == []


def test_linking_library_files_and_never_another_organisations(submitted: Any, owner: Any, outsider: Any) -> None:
    action = create(submitted, owner, first_gaps(submitted, 1)[0]["code"])
    ours = stored_evidence(submitted.organisation, "policy.pdf")
    theirs = stored_evidence(outsider.memberships.get().organisation, "secret.pdf")
    with pytest.raises(ValidationError) as refused:
        update(action, owner, evidence_ids=[ours.pk, theirs.pk])
    assert "evidence_ids" in refused.value.message_dict
    assert not action.evidence_files.exists()
    with pytest.raises(ValidationError):
        update(action, owner, evidence_ids=["not-a-uuid"])
    # Through the page too: the form offers the organisation's library only.
    response = client_for(owner).post(
        reverse("action_detail", args=[action.pk]), {"status": "open", "evidence_ids": [str(theirs.pk)]}
    )
    assert response.status_code == 200 and not action.evidence_files.exists()
    linked = update(action, owner, evidence_ids=[ours.pk])
    assert list(linked.evidence_files.all()) == [ours]
    assert "evidence + policy.pdf" in AuditEntry.objects.filter(action="action.update").first().detail  # type: ignore[union-attr]


def test_an_update_that_changes_nothing_writes_nothing(submitted: Any, owner: Any) -> None:
    action = create(submitted, owner, first_gaps(submitted, 1)[0]["code"])
    update(action, owner)
    assert not AuditEntry.objects.filter(action="action.update").exists()


# --- The list, the exports, overdue ------------------------------------------------------------------------------


@pytest.fixture
def three_actions(submitted: Any, owner: Any, editor: Any) -> list[Action]:
    """One overdue (owner: editor), one due later (owner: owner), one done with a file."""
    gaps = first_gaps(submitted, 3)
    overdue = create(submitted, owner, gaps[0]["code"], owner=editor, due_on=TODAY - dt.timedelta(days=3))
    later = create(submitted, owner, gaps[1]["code"], owner=owner, due_on=TODAY + dt.timedelta(days=40))
    done = create(submitted, owner, gaps[2]["code"], owner=owner, due_on=TODAY - dt.timedelta(days=10))
    done = update(done, owner, status="done", notes="=cmd|' /C calc'!A0", upload=png_upload("proof.png"))
    return [overdue, later, done]


def test_overdue_actions_stand_out_in_the_list_with_a_badge_and_text(three_actions: list[Action], owner: Any) -> None:
    overdue, later, done = three_actions
    assert services.is_overdue(overdue) and not services.is_overdue(later) and not services.is_overdue(done)
    client = client_for(owner)
    url = reverse("action_list", args=[overdue.organisation_id])
    page = client.get(url).content.decode()
    row = page.split(f'data-testid="action-{overdue.question_code}"')[1].split("</tr>")[0]
    assert 'data-testid="overdue-badge"' in row and "overdue by 3 days" in row and "action-overdue" in page
    for other in (later, done):
        other_row = page.split(f'data-testid="action-{other.question_code}"')[1].split("</tr>")[0]
        assert "overdue-badge" not in other_row
    counts = page.split('data-testid="action-counts"')[1].split("</ul>")[0]
    assert "3 actions" in counts and "1 overdue" in counts
    only_overdue = client.get(url + "?overdue=on").content.decode()
    assert f"action-{overdue.question_code}" in only_overdue and f"action-{later.question_code}" not in only_overdue
    by_status = client.get(url + "?status=done").content.decode()
    assert f"action-{done.question_code}" in by_status and f"action-{overdue.question_code}" not in by_status
    by_owner = client.get(url + f"?owner={owner.pk}").content.decode()
    assert f"action-{later.question_code}" in by_owner and f"action-{overdue.question_code}" not in by_owner
    assert client.get(url + "?status=bogus&owner=x&system=y").status_code == 200  # unknown values are ignored


def test_the_list_filters_by_system(submitted: Any, owner: Any, organisation: Any) -> None:
    system = AISystemFactory(organisation=organisation, name="Loan scorer")
    system_assessment = AssessmentFactory(organisation=organisation, created_by=owner, ai_system=system)
    answer_everything(system_assessment, owner)
    system_assessment = assessment_submit(assessment=system_assessment, by=owner)
    org_action = create(submitted, owner, first_gaps(submitted, 1)[0]["code"])
    system_action = create(system_assessment, owner, first_gaps(system_assessment, 2)[1]["code"])
    client = client_for(owner)
    url = reverse("action_list", args=[organisation.pk])
    page = client.get(url + f"?system={system.pk}").content.decode()
    assert f"action-{system_action.question_code}" in page and f"action-{org_action.question_code}" not in page
    page = client.get(url + "?system=organisation").content.decode()
    assert f"action-{org_action.question_code}" in page and f"action-{system_action.question_code}" not in page


def test_csv_and_xlsx_exports_read_back(three_actions: list[Action], owner: Any, editor: Any) -> None:
    overdue, later, done = three_actions
    client = client_for(owner)
    response = client.get(reverse("action_export_csv", args=[overdue.organisation_id]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    headers = rows[0]
    assert headers[:8] == [
        "question",
        "action",
        "priority",
        "system",
        "assessment",
        "owner_email",
        "due_date",
        "status",
    ] and headers[-3:] == ["notes", "evidence_files", "closed_on"]
    by_code = {row[0]: dict(zip(headers, row, strict=True)) for row in rows[1:]}
    assert set(by_code) == {overdue.question_code, later.question_code, done.question_code}
    assert by_code[overdue.question_code]["owner_email"] == editor.email
    assert by_code[overdue.question_code]["overdue"] == "yes" and by_code[later.question_code]["overdue"] == ""
    assert (
        by_code[done.question_code]["status"] == "Done" and by_code[done.question_code]["evidence_files"] == "proof.png"
    )
    assert by_code[done.question_code]["closed_on"] == TODAY.isoformat()
    assert by_code[done.question_code]["notes"].startswith("'=")  # a formula is kept as text
    assert by_code[overdue.question_code]["assessment"] == overdue.assessment.name

    response = client.get(reverse("action_export_xlsx", args=[overdue.organisation_id]) + "?status=done")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == headers and len(values) == 2  # the filter applies to the export too
    row = dict(zip(headers, values[1], strict=True))
    assert row["question"] == done.question_code and row["evidence_files"] == "proof.png"
    assert row["owner_email"] == owner.email and row["due_date"].date() == done.due_on


# --- The results page, the PDF context, the system page ----------------------------------------------------------


def test_the_results_action_plan_shows_tracked_actions_and_offers_to_track_the_others(
    submitted: Any, owner: Any, viewer: Any
) -> None:
    tracked, other = first_gaps(submitted, 2)
    action = create(submitted, owner, tracked["code"], owner=owner, due_on=TODAY - dt.timedelta(days=1))
    url = reverse("assessment_results", args=[submitted.pk])
    page = client_for(owner).get(url).content.decode()
    cell = page.split(f'data-testid="tracked-{tracked["code"]}"')[0].rsplit("<td", 1)[1]
    assert reverse("action_detail", args=[action.pk]) in cell
    after = page.split(f'data-testid="tracked-{tracked["code"]}"')[1].split("</td>")[0]
    assert "Overdue" in after and owner.email in after
    track = reverse("action_create", args=[submitted.pk]) + f"?question={other['code']}"
    assert track in page
    viewer_page = client_for(viewer).get(url).content.decode()
    assert track not in viewer_page and reverse("action_detail", args=[action.pk]) in viewer_page


def test_the_report_context_lists_the_tracked_actions_and_its_fingerprint_follows_them(
    submitted: Any, owner: Any
) -> None:
    first, second = first_gaps(submitted, 2)
    before = report_actions.fingerprint(submitted)
    late = create(submitted, owner, second["code"], owner=owner)
    early = create(submitted, owner, first["code"])
    after_create = report_actions.fingerprint(submitted)
    assert after_create != before
    context = report_context(submitted)
    assert [row.action for row in context["tracked_action_rows"]] == [early, late]  # in the plan's order
    assert set(context["tracked_actions"]) == {first["code"], second["code"]}
    update(late, owner, status="risk_accepted", justification="Accepted by the board")
    assert report_actions.fingerprint(submitted) != after_create


def test_the_pdf_lists_the_tracked_actions(submitted: Any, owner: Any) -> None:
    from tests.scorecard.test_reports import pdf_text

    first, second = first_gaps(submitted, 2)
    create(submitted, owner, first["code"], owner=owner, due_on=dt.date(2031, 1, 15))
    accepted = create(submitted, owner, second["code"])
    update(accepted, owner, status="risk_accepted", justification="Accepted by the board", upload=png_upload("m.png"))
    pdf = client_for(owner).get(reverse("report_pdf", args=[submitted.pk])).content
    text = " ".join(pdf_text(pdf).split())
    assert "Tracked actions" in text
    tracked = text.split("Tracked actions", 1)[1]
    # Narrow columns wrap, and pdftotext interleaves wrapped cells line by line.
    assert re.search(r"15 January .{0,80}2031", tracked) and "Accepted by the board" in tracked
    closed_on = TODAY.strftime("%-d %B") + r" .{0,80}" + str(TODAY.year)
    assert "m.png" in tracked and "Risk accepted" in tracked and re.search(closed_on, tracked)
    assert owner.email in "".join(tracked.split())  # a narrow column wraps the address


def test_the_system_page_context_lists_open_actions_overdue_first(
    submitted: Any, owner: Any, organisation: Any
) -> None:
    system = AISystemFactory(organisation=organisation)
    submitted.ai_system = system
    submitted.save(update_fields=["ai_system"])
    a, b, c = first_gaps(submitted, 3)
    soon = create(submitted, owner, a["code"], due_on=TODAY + dt.timedelta(days=2))
    late = create(submitted, owner, b["code"], due_on=TODAY - dt.timedelta(days=5))
    closed = create(submitted, owner, c["code"])
    update(closed, owner, status="done")
    context = report_actions.system_page_context(system)
    assert [row.action for row in context["system_open_actions"]] == [late, soon]
    assert context["system_overdue_count"] == 1 and context["system_closed_count"] == 1


# --- The re-assessment -------------------------------------------------------------------------------------------


def test_a_re_assessment_carries_the_closed_actions_notes_and_files_into_its_answers(
    submitted: Any, owner: Any, editor: Any
) -> None:
    gaps = first_gaps(submitted, 3)
    with_answer, without_answer, still_open = (gap["code"] for gap in gaps)
    # Evidence linked to an old answer follows it into the re-assessment.
    library = stored_evidence(submitted.organisation, "register.pdf")
    library.answers.add(submitted.answers.get(question__code=with_answer))
    done = create(submitted, owner, with_answer, owner=editor)
    done = update(done, editor, status="done", notes="Register published.", upload=png_upload("notice.png"))
    other = create(submitted, owner, without_answer)
    update(other, owner, status="done", evidence_ids=[library.pk])
    create(submitted, owner, still_open)
    # An answer that did not come across (say the question changed): the closed action still lands there.
    Answer.objects.filter(assessment=submitted, question__code=without_answer).delete()

    draft, _new = assessment_reassess(assessment=submitted, by=owner)

    answer = draft.answers.get(question__code=with_answer)
    closed_on = timezone.localdate(done.closed_at).strftime("%-d %B %Y")
    line = f"Action closed on {closed_on} by {editor.email}: Register published. Evidence: notice.png"
    assert answer.evidence_note.endswith(line)
    assert {f.name for f in answer.evidence_files.all()} == {"register.pdf", "notice.png"}
    blank = draft.answers.get(question__code=without_answer)
    assert blank.choice == "" and not is_answered(blank) and without_answer in missing_answers(draft)
    assert blank.evidence_note.startswith("Action closed on") and list(blank.evidence_files.all()) == [library]
    assert "Action closed" not in draft.answers.get(question__code=still_open).evidence_note
    assert AuditEntry.objects.filter(action="assessment.prefill_actions", assessment_id=draft.pk).exists()


def test_a_closed_action_is_carried_once_along_a_chain_of_re_assessments(submitted: Any, owner: Any) -> None:
    code = first_gaps(submitted, 1)[0]["code"]
    action = create(submitted, owner, code)
    update(action, owner, status="done", notes="Done once")
    second, _new = assessment_reassess(assessment=submitted, by=owner)
    carried = second.answers.select_related("question").get(question__code=code)
    assert carried.evidence_note.count("Action closed on") == 1
    answer_everything(second, owner, choice_for=_full_marks_for_te01)
    # The person keeps the note as it came (answer_everything saves every answer without one).
    answer_save(
        assessment=second,
        question=carried.question,
        by=owner,
        choice=carried.choice,
        checked=list(carried.checked),
        evidence_note=carried.evidence_note,
    )
    second = assessment_submit(assessment=second, by=owner)
    third, _new = assessment_reassess(assessment=second, by=owner)
    note = third.answers.get(question__code=code).evidence_note
    assert note.count("Action closed on") == 1, note


def test_a_re_assessment_of_another_system_gets_nothing_from_these_actions(
    submitted: Any, owner: Any, organisation: Any
) -> None:
    code = first_gaps(submitted, 1)[0]["code"]
    update(create(submitted, owner, code), owner, status="done", notes="Org-level work")
    # The organisation's re-assessment gets it; the chain decides, and both are organisation-level.
    draft, _new = assessment_reassess(assessment=submitted, by=owner)
    assert "Org-level work" in draft.answers.get(question__code=code).evidence_note
    # A system's assessment in the same organisation, re-assessed, does not.
    system = AISystemFactory(organisation=organisation)
    other = AssessmentFactory(organisation=organisation, created_by=owner, ai_system=system)
    answer_everything(other, owner)
    other = assessment_submit(assessment=other, by=owner)
    other_draft, _new = assessment_reassess(assessment=other, by=owner)
    assert "Org-level work" not in other_draft.answers.get(question__code=code).evidence_note


def test_a_re_assessment_shows_the_earlier_open_action_of_a_gap_still_there(submitted: Any, owner: Any) -> None:
    still_open, closed, untouched = (gap["code"] for gap in first_gaps(submitted, 3))
    open_action = create(submitted, owner, still_open, owner=owner, due_on=TODAY - dt.timedelta(days=2))
    update(create(submitted, owner, closed), owner, status="done", notes="Fixed")
    draft, _new = assessment_reassess(assessment=submitted, by=owner)
    answer_everything(draft, owner, choice_for=_full_marks_for_te01)  # the same gaps again
    review = assessment_submit(assessment=draft, by=owner)
    before = report_actions.fingerprint(review)

    context = report_context(review)
    row = context["tracked_actions"][still_open]
    assert row.action == open_action and row.carried and row.overdue
    assert closed not in context["tracked_actions"] and untouched not in context["tracked_actions"]
    page = client_for(owner).get(reverse("assessment_results", args=[review.pk])).content.decode()
    assert reverse("action_detail", args=[open_action.pk]) in page
    assert f'data-testid="carried-{still_open}"' in page and submitted.name in page
    track = reverse("action_create", args=[review.pk])
    assert f"{track}?question={still_open}" not in page and f"{track}?question={untouched}" in page

    # Closing the earlier action takes it off the re-assessment, and its report is made again.
    update(open_action, owner, status="done", notes="Fixed later")
    assert still_open not in report_context(review)["tracked_actions"]
    assert report_actions.fingerprint(review) != before
    # The earlier assessment never shows the later one's actions.
    later = create(review, owner, untouched)
    assert later not in [r.action for r in report_context(submitted)["tracked_action_rows"]]


def test_removing_a_member_leaves_their_systems_and_open_actions_unowned(
    submitted: Any, owner: Any, editor: Any
) -> None:
    from scorecard.models import Membership
    from scorecard.services.organisations import membership_remove

    organisation = submitted.organisation
    system = AISystemFactory(organisation=organisation, owner=editor)
    still_open, closed = (gap["code"] for gap in first_gaps(submitted, 2))
    open_action = create(submitted, owner, still_open, owner=editor, due_on=TODAY)
    done = update(create(submitted, owner, closed, owner=editor), owner, status="done")
    before = report_actions.fingerprint(submitted)

    membership_remove(membership=Membership.objects.get(organisation=organisation, user=editor), by=owner)

    system.refresh_from_db()
    open_action.refresh_from_db()
    done.refresh_from_db()
    assert system.owner is None and open_action.owner is None
    assert done.owner == editor  # the record of who closed the gap stays
    assert report_actions.fingerprint(submitted) != before
    entry = AuditEntry.objects.filter(action="membership.remove").latest("created_at")
    assert "owner of 1 system(s), 1 open action(s)" in entry.detail
