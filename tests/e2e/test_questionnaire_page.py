"""The questionnaire page as a person types: every note autosaves, nothing jumps under the pointer, leaving
after Save section asks nothing, and the list of unanswered questions follows the answers."""

from __future__ import annotations

import re
from typing import Any

import pytest

from scorecard.models import Answer

pytestmark = [pytest.mark.e2e]


def test_an_evidence_note_on_a_question_that_allows_na_autosaves_while_typing(open_section: Any) -> None:
    page = open_section("principle-TE")
    card = page.locator("#q-TE-05")
    assert card.locator("textarea").count() == 2  # the N/A justification comes first
    card.get_by_label("Evidence note").press_sequentially("Model cards for every scoring model")
    page.wait_for_timeout(2500)  # no blur, no click: only the typing
    page.reload()
    assert page.locator("#q-TE-05").get_by_label("Evidence note").input_value() == (
        "Model cards for every scoring model"
    )
    assert Answer.objects.get(assessment=page.assessment, question__code="TE-05").evidence_note


def test_save_section_right_after_typing_leaves_without_asking(open_section: Any) -> None:
    page = open_section("principle-TE")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    page.locator("#q-TE-01").locator("input[type=radio]").first.check()
    page.locator("#state-TE-01").get_by_text(re.compile("Saved at")).wait_for()
    # Typing, then the button at once: leaving the field fires one more autosave, still in flight.
    page.locator("#q-TE-01").get_by_label("Evidence note").fill("Notice on every channel")
    page.get_by_role("button", name="Save and go to the next section").click()
    page.wait_for_url(re.compile(r"/sections/principle-FE/"))
    assert dialogs == []


def test_a_save_does_not_move_the_buttons_under_the_pointer(open_section: Any) -> None:
    page = open_section("principle-TE")
    button = page.get_by_role("button", name="Save section")

    def top() -> float:  # in page coordinates: Playwright scrolls to what it clicks
        return float(button.evaluate("b => b.getBoundingClientRect().top + window.scrollY"))

    before = top()
    page.locator("#q-TE-01").get_by_label("Evidence note").fill("Notice on every channel")
    page.locator("#q-TE-01").locator("input[type=radio]").first.check()
    page.locator("#state-TE-01").get_by_text(re.compile("Saved at")).wait_for()
    assert top() == before


def test_unanswered_here_follows_the_autosaves(open_section: Any) -> None:
    page = open_section("principle-TE")
    listed = page.locator("#unanswered-here")
    assert "TE-01" in listed.inner_text()
    page.locator("#q-TE-01").locator("input[type=radio]").first.check()
    page.locator("#state-TE-01").get_by_text(re.compile("Saved at")).wait_for()
    assert "TE-01" not in listed.inner_text() and "TE-02" in listed.inner_text()


def test_on_a_phone_the_questions_come_before_the_list_of_sections(open_section: Any) -> None:
    page = open_section("principle-TE")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.get_by_role("heading", level=1).bounding_box()["y"] < 300
    assert page.locator("#q-TE-01").bounding_box()["y"] < 844  # the first question is on the first screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_autosave_after_signing_out_keeps_the_answer_and_retries_after_signing_in(
    open_section: Any, live_server: Any
) -> None:
    page = open_section("principle-TE")
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    page.context.clear_cookies(name="sessionid")  # as if signed out in another tab
    note = page.locator("#q-TE-01").get_by_label("Evidence note")
    note.press_sequentially("Notice on every channel")
    state = page.locator("#state-TE-01")
    state.get_by_text("You were signed out; this answer was not saved.").wait_for()
    assert note.input_value() == "Notice on every channel"
    assert page.locator("#q-TE-01 form, #q-TE-01 input[name=password]").count() == 0  # no log-in page swapped in
    assert not Answer.objects.filter(assessment=page.assessment).exists()
    page.context.add_cookies([session])  # signed in again in the new tab
    state.get_by_role("button", name="Retry").click()
    state.get_by_text(re.compile("Saved at")).wait_for()
    assert Answer.objects.get(assessment=page.assessment, question__code="TE-01").evidence_note == (
        "Notice on every channel"
    )


def test_submitting_asks_for_confirmation_first(open_section: Any) -> None:
    from scorecard.services.assessments import answer_save, applicable_questions

    page = open_section("principle-TE")
    assessment = page.assessment
    for question in applicable_questions(assessment).values():
        option = question.options.first()
        answer_save(
            assessment=assessment,
            question=question,
            by=assessment.created_by,
            choice="checklist" if question.scale == "checklist" else option.code,
            checked=[],
        )
    page.goto(f"/assessments/{assessment.pk}/")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Submit assessment").click()
    page.wait_for_timeout(500)
    assessment.refresh_from_db()
    assert asked and "locked" in asked[0] and assessment.status == "draft"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit assessment").click()
    page.wait_for_url(re.compile(r"/results/"))
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
