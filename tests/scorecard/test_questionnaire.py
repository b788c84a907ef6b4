"""Answering: autosave, validation, N/A, the audit trail, submit and lock, re-assessment, query counts."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from frameworks.models import Principle, Question
from scorecard.models import Answer, AnswerChange, Assessment, Role
from scorecard.questionnaire import sections_for
from scorecard.services.assessments import answer_revision, answer_save, missing_answers
from tests.conftest import client_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def autosave(client: Any, assessment: Any, code: str, section: str, **fields: Any) -> Any:
    return client.post(
        reverse("answer_autosave", args=[assessment.pk, section, code]),
        {f"{code}-{k}": v for k, v in fields.items()},  # "shown" becomes CODE-shown, as the page sends it
        HTTP_HX_REQUEST="true",
    )


def answer_everything(assessment: Assessment, user: Any, choice_for: Any = None) -> None:
    for section in sections_for(assessment):
        for item in section.items:
            q = item.question
            if q.scale == "checklist":
                answer_save(
                    assessment=assessment,
                    question=q,
                    by=user,
                    choice="checklist",
                    checked=[o.code for o in q.options.all()][:2],
                )
            else:
                choice = choice_for(q) if choice_for else q.options.all()[1].code
                answer_save(assessment=assessment, question=q, by=user, choice=choice, checked=[])


def test_profile_decides_the_sections(assessment: Assessment) -> None:
    keys = [s.key for s in sections_for(assessment)]
    assert keys[:7] == [f"principle-{c}" for c in ("TE", "FE", "SS", "HC", "PD", "AC", "RR")]
    assert "genai" in keys and {"market-SG", "market-VN", "market-KH"} <= set(keys)
    assessment.uses_genai, assessment.target_markets, assessment.ai_role = False, ["TH"], "deployer"
    keys = [s.key for s in sections_for(assessment)]
    assert "genai" not in keys and "market-TH" in keys and "market-VN" not in keys
    te = next(s for s in sections_for(assessment) if s.key == "principle-TE")
    assert "TE-03" not in [i.question.code for i in te.items]  # developer-only question


def test_autosave_saves_and_records_who_changed_what(assessment: Assessment, owner: Any) -> None:
    client = client_for(owner)
    response = autosave(client, assessment, "TE-01", "principle-TE", choice="3", evidence_note="Notice on app")
    assert response.status_code == 200 and "Saved at" in response.content.decode()
    # The section's and the overall progress update in place (htmx out-of-band swaps).
    total = len(next(s for s in sections_for(assessment) if s.key == "principle-TE").items)
    assert f'id="progress-principle-TE" hx-swap-oob="true">1/{total}<' in response.content.decode()
    assert 'id="overall-progress" hx-swap-oob="true">1 of ' in response.content.decode()
    autosave(client, assessment, "TE-01", "principle-TE", choice="4", evidence_note="Notice on app")
    answer = Answer.objects.get(assessment=assessment, question__code="TE-01")
    assert (answer.choice, answer.evidence_note, answer.updated_by) == ("4", "Notice on app", owner)
    changes = list(AnswerChange.objects.filter(assessment=assessment).order_by("changed_at", "pk"))
    assert [(c.before and c.before["choice"], c.after["choice"]) for c in changes] == [(None, "3"), ("3", "4")]
    assert changes[-1].changed_by == owner
    assessment.refresh_from_db()
    assert (assessment.last_section, assessment.last_question) == ("principle-TE", "TE-01")


@pytest.mark.parametrize(
    ("code", "fields", "message"),
    [
        ("TE-01", {"choice": "na"}, "not one of the available choices"),
        ("TE-05", {"choice": "na", "na_justification": " "}, "Explain why"),
        ("TE-01", {"choice": "3", "evidence_link": "javascript:alert(1)"}, "full web address"),
        ("TE-01", {"choice": "99"}, "not one of the available choices"),
    ],
)
def test_invalid_answers_are_explained_and_nothing_is_saved(
    assessment: Assessment, owner: Any, code: str, fields: dict[str, str], message: str
) -> None:
    response = autosave(client_for(owner), assessment, code, "principle-TE", **fields)
    assert response.status_code == 200 and "Not saved" in response.content.decode()
    assert message in response.content.decode()
    assert not Answer.objects.filter(assessment=assessment).exists()


def test_na_with_justification_is_saved(assessment: Assessment, owner: Any) -> None:
    autosave(
        client_for(owner),
        assessment,
        "TE-05",
        "principle-TE",
        choice="na",
        na_justification="Every model we use is explainable",
    )
    assert Answer.objects.get(question__code="TE-05").na_justification == "Every model we use is explainable"


def test_two_tabs_answering_different_questions_lose_nothing(assessment: Assessment, owner: Any) -> None:
    tab1, tab2 = client_for(owner), client_for(owner)
    autosave(tab1, assessment, "TE-01", "principle-TE", choice="2")
    autosave(tab2, assessment, "TE-02", "principle-TE", choice="1", evidence_note="from tab 2")
    autosave(tab1, assessment, "TE-06", "principle-TE", choice="yes")
    saved = dict(Answer.objects.filter(assessment=assessment).values_list("question__code", "choice"))
    assert saved == {"TE-01": "2", "TE-02": "1", "TE-06": "yes"}


def test_no_javascript_section_save_keeps_valid_answers_and_reports_the_rest(
    assessment: Assessment, owner: Any
) -> None:
    url = reverse("assessment_section", args=[assessment.pk, "principle-TE"])
    response = client_for(owner).post(
        url, {"TE-01-choice": "3", "TE-05-choice": "na", "TE-02-evidence_note": "typed but no answer yet"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Explain why the question does not apply" in body
    assert "typed but no answer yet" in body  # nothing typed is lost
    saved = dict(Answer.objects.filter(assessment=assessment).values_list("question__code", "choice"))
    assert saved == {"TE-01": "3", "TE-02": ""}


def test_section_renders_with_a_fixed_number_of_queries(assessment: Assessment, owner: Any) -> None:
    client = client_for(owner)
    small = reverse("assessment_section", args=[assessment.pk, "market-SG"])  # 2 questions
    large = reverse("assessment_section", args=[assessment.pk, "principle-TE"])  # 6 questions
    client.get(large)  # warm the framework cache
    counts = []
    for url in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    answer_everything(assessment, owner)
    with CaptureQueriesContext(connection) as queries:
        client.get(large)
    assert counts[0] == counts[1] == len(queries), counts
    assert counts[0] <= 12


def test_submit_requires_every_applicable_answer_then_locks(assessment: Assessment, owner: Any) -> None:
    client = client_for(owner)
    response = client.post(reverse("assessment_submit", args=[assessment.pk]), follow=True)
    assert "still need an answer" in response.content.decode()
    answer_everything(assessment, owner)
    assert missing_answers(assessment) == []
    response = client.post(reverse("assessment_submit", args=[assessment.pk]))
    assert response["Location"] == reverse("assessment_results", args=[assessment.pk])
    assessment.refresh_from_db()
    assert assessment.is_locked and assessment.results["framework_version"] == "asean-2026-11"
    locked = autosave(client, assessment, "TE-01", "principle-TE", choice="0")
    assert "submitted and locked" in locked.content.decode()
    assert Answer.objects.get(assessment=assessment, question__code="TE-01").choice != "0"


def test_content_update_never_changes_a_submitted_assessment(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    client_for(owner).post(reverse("assessment_submit", args=[assessment.pk]))
    assessment.refresh_from_db()
    stored = assessment.results["overall"]["score"]
    # An admin re-weights a question in the published version's database rows directly (the worst case).
    Question.objects.filter(version=assessment.framework_version, code="TE-01").update(weight=5)
    page = client_for(owner).get(reverse("assessment_results", args=[assessment.pk]))
    assert page.context["overall"]["score"] == stored


def test_reassess_prefills_from_the_previous_assessment(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    client = client_for(owner)
    client.post(reverse("assessment_submit", args=[assessment.pk]))
    client.post(reverse("assessment_reassess", args=[assessment.pk]))
    new = Assessment.objects.exclude(pk=assessment.pk).get()
    assert new.previous == assessment and new.status == "draft"
    assert new.answers.count() == assessment.answers.count()


def test_resume_link_points_at_the_last_question(assessment: Assessment, owner: Any) -> None:
    client = client_for(owner)
    autosave(client, assessment, "PD-02", "principle-PD", choice="2")
    page = client.get(reverse("assessment_detail", args=[assessment.pk])).content.decode()
    assert reverse("assessment_section", args=[assessment.pk, "principle-PD"]) + "#q-PD-02" in page


def test_a_draft_can_be_deleted_after_confirmation_but_not_a_submitted_one(assessment: Assessment, owner: Any) -> None:
    client = client_for(owner)
    confirm = client.get(reverse("assessment_delete", args=[assessment.pk]))
    assert "cannot be undone" in confirm.content.decode()
    assert Assessment.objects.filter(pk=assessment.pk).exists()  # GET changes nothing
    answer_everything(assessment, owner)
    client.post(reverse("assessment_submit", args=[assessment.pk]))
    response = client.post(reverse("assessment_delete", args=[assessment.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert Assessment.objects.filter(pk=assessment.pk).exists()
    client.post(reverse("assessment_reassess", args=[assessment.pk]))
    draft = Assessment.objects.exclude(pk=assessment.pk).get()
    client.post(reverse("assessment_delete", args=[draft.pk]))
    assert not Assessment.objects.filter(pk=draft.pk).exists()


class _BrowserForm(HTMLParser):
    """What a browser would send from the questionnaire page's form: hidden and text fields, ticked boxes."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "textarea" and name:
            self._textarea = name
            self.data.setdefault(name, [""])
        elif tag == "input" and name and name != "csrfmiddlewaretoken":
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] = [self.data[self._textarea][0] + data]

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def open_section(client: Any, assessment: Assessment, section: str) -> dict[str, list[str]]:
    response = client.get(reverse("assessment_section", args=[assessment.pk, section]))
    assert response.status_code == 200
    form = _BrowserForm()
    form.feed(response.content.decode())
    return form.data


@pytest.fixture
def colleague(organisation: Any) -> Any:
    return MembershipFactory(organisation=organisation, role=Role.EDITOR, user__first_name="Siti").user


def test_saving_a_section_from_a_page_left_open_keeps_answers_changed_meanwhile(
    assessment: Assessment, owner: Any, colleague: Any
) -> None:
    answer_save(assessment=assessment, question=_question(assessment, "TE-02"), by=owner, choice="1", checked=[])
    client = client_for(owner)
    page = open_section(client, assessment, "principle-TE")
    assert page["TE-02-choice"] == ["1"] and page["TE-02-shown"] != [""]
    # A colleague changes TE-02 while the page is open; the owner then answers TE-01 and saves the section.
    autosave(client_for(colleague), assessment, "TE-02", "principle-TE", choice="3", evidence_note="Siti's note")
    page["TE-01-choice"] = ["2"]
    response = client.post(reverse("assessment_section", args=[assessment.pk, "principle-TE"]), page, follow=True)
    saved = {a.question.code: (a.choice, a.evidence_note) for a in assessment.answers.select_related("question")}
    assert saved == {"TE-01": ("2", ""), "TE-02": ("3", "Siti's note")}
    body = response.content.decode()
    assert "TE-02: This answer was changed by Siti" in body and "the newer answer was kept" in body


def test_an_edit_made_on_a_page_left_open_is_saved_and_says_what_it_replaced(
    assessment: Assessment, owner: Any, colleague: Any
) -> None:
    answer_save(assessment=assessment, question=_question(assessment, "TE-02"), by=owner, choice="1", checked=[])
    client = client_for(owner)
    shown = open_section(client, assessment, "principle-TE")["TE-02-shown"][0]
    autosave(client_for(colleague), assessment, "TE-02", "principle-TE", choice="3")

    response = autosave(client, assessment, "TE-02", "principle-TE", choice="4", shown=shown)
    body = response.content.decode()
    assert "Saved at" in body and "This answer had been changed by Siti" in body and "Your answer replaced it" in body
    answer = Answer.objects.get(assessment=assessment, question__code="TE-02")
    assert answer.choice == "4"
    history = AnswerChange.objects.filter(assessment=assessment, question_code="TE-02").order_by("changed_at", "pk")
    assert [c.after["choice"] for c in history] == ["1", "3", "4"]  # Siti's answer is kept in the history
    # The page now carries the new revision, so the next save from it is an ordinary one.
    assert f'name="TE-02-shown" id="shown-TE-02" value="{answer_revision(answer)}" hx-swap-oob="true"' in body
    again = autosave(
        client, assessment, "TE-02", "principle-TE", choice="4", evidence_note="x", shown=answer_revision(answer)
    )
    assert "Saved at" in again.content.decode() and "changed by" not in again.content.decode()


def test_a_page_left_open_that_only_shows_the_old_answer_does_not_put_it_back(
    assessment: Assessment, owner: Any
) -> None:
    """Same person, two windows: the older window's unchanged answer is not saved over the newer one."""
    answer_save(assessment=assessment, question=_question(assessment, "TE-02"), by=owner, choice="1", checked=[])
    old_window, new_window = client_for(owner), client_for(owner)
    shown = open_section(old_window, assessment, "principle-TE")["TE-02-shown"][0]
    autosave(new_window, assessment, "TE-02", "principle-TE", choice="3")
    response = autosave(old_window, assessment, "TE-02", "principle-TE", choice="1", shown=shown)
    body = response.content.decode()
    assert "Not saved:" in body and "changed by you, in another window" in body and "Saved at" not in body
    assert Answer.objects.get(assessment=assessment, question__code="TE-02").choice == "3"


def _question(assessment: Assessment, code: str) -> Question:
    return Question.objects.get(version=assessment.framework_version, code=code)


def test_each_principle_section_opens_with_the_guides_definition(assessment: Assessment, owner: Any) -> None:
    client = client_for(owner)
    for principle in Principle.objects.filter(version=assessment.framework_version):
        url = reverse("assessment_section", args=[assessment.pk, f"principle-{principle.code}"])
        page = client.get(url).content.decode()
        intro = page.split('data-testid="principle-definition"', 1)[1].split("</div>", 1)[0]
        assert escape(principle.definition) in intro and principle.guide_section in intro, principle.code
    market = client.get(reverse("assessment_section", args=[assessment.pk, "market-SG"])).content.decode()
    assert "principle-definition" not in market


def test_the_change_history_shows_labels_and_one_row_per_burst_of_autosaves(assessment: Assessment, owner: Any) -> None:
    questions = {
        q.code: q for q in Question.objects.filter(version=assessment.framework_version, code__in=["TE-04", "TE-05"])
    }

    def save(code: str, by: Any, choice: str, **kw: Any) -> None:
        answer_save(assessment=assessment, question=questions[code], by=by, choice=choice, checked=[], **kw)

    for note in ("N", "No", "Notice", "Notice on app"):  # one person typing: four autosaves
        save("TE-05", owner, "2", evidence_note=note)
    save("TE-04", owner, "partial")
    colleague = MembershipFactory(organisation=assessment.organisation, role=Role.EDITOR).user
    save("TE-05", colleague, "na", na_justification="Every model we run is interpretable by design")
    assert AnswerChange.objects.filter(assessment=assessment).count() == 6

    page = client_for(owner).get(reverse("assessment_history", args=[assessment.pk])).content.decode()
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    assert len(rows) == 3  # the colleague's change, TE-04, and the four saves of TE-05 as one
    label = questions["TE-05"].options.get(code="2").label
    assert "4 saves" in rows[2] and "no answer" in rows[2] and escape(label) in rows[2]
    assert "Partly" in rows[1] and ">partial<" not in rows[1]
    assert "Not applicable" in rows[0] and escape(label) in rows[0]
    assert 'aria-label="Breadcrumb"' in page
