"""End to end in a real browser: sign up, answer with autosave, reload, submit; invite, grant, revoke.

axe-core checks each page for serious or critical accessibility violations.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail

from scorecard.models import Answer, Assessment

pytestmark = [pytest.mark.e2e]
PASSWORD = "a-Long-unusual-pass-42"
axe = Axe()


def assert_accessible(page: Any) -> None:
    results = axe.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in bad]


def sign_up(page: Any, email: str, organisation: str, kind: str = "organisation") -> None:
    """Sign up, then confirm the address with the link e-mailed to it (the test outbox), which logs in."""
    page.goto("/accounts/signup/")
    assert_accessible(page)
    page.get_by_label("Work e-mail").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("Organisation name").fill(organisation)
    page.get_by_label("Account type").select_option(kind)
    page.get_by_label("Sector").select_option("finance")
    page.get_by_label("Size").select_option("small")
    page.get_by_label("Country of headquarters").select_option("VN")
    page.get_by_role("button", name="Create account").click()
    page.get_by_test_id("verification-sent").wait_for()
    assert_accessible(page)
    message = next(m for m in reversed(mail.outbox) if m.to == [email.lower()])
    page.goto(re.search(r"http://[^\s]+/accounts/confirm-email/[^\s]+/", message.body).group(0))  # type: ignore[union-attr]
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/orgs/"))


def start_questionnaire(page: Any, email: str, organisation: str, assessment: str) -> None:
    """Sign up, start a deployer assessment and open its first section."""
    sign_up(page, email, organisation)
    page.get_by_role("link", name="Start an assessment").click()
    page.get_by_label("Assessment name").fill(assessment)
    page.get_by_label("AI deployer (we use AI systems built by others)").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Start the questionnaire").click()
    page.wait_for_url(re.compile(r"/sections/principle-TE/"))


def test_self_assessment_flow_with_autosave_reload_and_submit(new_page: Any) -> None:
    page = new_page()
    page.goto("/")
    assert_accessible(page)
    sign_up(page, "owner@example.org", "Mekong Analytics")
    page.get_by_role("link", name="Start an assessment").click()
    page.get_by_label("Assessment name").fill("First review")
    page.get_by_label("AI deployer (we use AI systems built by others)").check()
    page.get_by_label("Singapore").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(re.compile(r"/assessments/[0-9a-f-]+/$"))
    assert_accessible(page)
    page.get_by_role("link", name="Start the questionnaire").click()
    page.wait_for_url(re.compile(r"/sections/principle-TE/"))

    # Keyboard only: Tab to the first question's answers, choose with the arrow keys.
    first = page.locator("#q-TE-01")
    first.get_by_label("Implemented").focus()
    page.keyboard.press("ArrowUp")  # moves the selection to "Defined" and fires change
    page.locator("#state-TE-01").get_by_text("Saved at").wait_for()
    with page.expect_response(lambda r: "/answers/TE-01/" in r.url and r.ok):
        first.get_by_label("Evidence note").fill("Chatbot banner in Tiếng Việt and English")
    page.locator("#q-TE-02").get_by_label("Don't know (scores nothing)").check()
    page.locator("#state-TE-02").get_by_text("Saved at").wait_for()
    assert_accessible(page)

    page.reload()
    assert page.locator("#q-TE-01").get_by_label("Defined").is_checked()
    assert page.locator("#q-TE-01").get_by_label("Evidence note").input_value() == (
        "Chatbot banner in Tiếng Việt and English"
    )
    assert page.locator("#q-TE-02").get_by_label("Don't know (scores nothing)").is_checked()

    # A bad N/A (no justification) is refused in place, and the page keeps what was chosen.
    te05 = page.locator("#q-TE-05")
    te05.get_by_label("Not applicable (explain why)").check()
    page.locator("#state-TE-05").get_by_text("Not saved").wait_for()
    assert te05.get_by_label("Not applicable (explain why)").is_checked()

    # A preview of the draft says that unanswered questions count as no points yet.
    section_url = page.url
    page.goto(section_url.split("/sections/")[0] + "/results/")
    assert "not answered yet" in page.get_by_test_id("preview-notice").inner_text()
    assert_accessible(page)
    page.goto(section_url)

    # Answer the rest section by section with the no-JavaScript save buttons.
    while True:
        for card in page.locator("fieldset.question-card").all():
            options = card.locator("input[type=radio][value=unknown]")
            if not card.locator("input[type=radio]:checked").count() or card.get_attribute("id") == "q-TE-05":
                options.check()
        next_button = page.get_by_role("button", name="Save and go to the next section")
        if next_button.count():
            next_button.click()
            page.wait_for_load_state()
        else:
            page.get_by_role("button", name="Save section").click()
            page.wait_for_load_state()
            break
    page.get_by_role("link", name="First review").click()
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit this assessment? …"
    page.get_by_role("button", name="Submit assessment").click()
    page.wait_for_url(re.compile(r"/results/"))
    assessment = Assessment.objects.get(name="First review")
    stored = assessment.results["overall"]["score"]
    assert stored > 0  # TE-01 "Defined" earns points; every other answer is "don't know"
    assert page.get_by_test_id("overall-score").inner_text() == f"{stored:.0f} / 100"
    assert_accessible(page)
    page.get_by_role("link", name="Cross-border readiness").click()
    assert "Singapore" in page.get_by_test_id("market-SG").inner_text()
    assert_accessible(page)

    assert assessment.is_locked
    assert Answer.objects.get(assessment=assessment, question__code="TE-01").choice == "2"


def test_invite_accept_grant_and_revoke(new_page: Any) -> None:
    owner = new_page()
    sign_up(owner, "boss@example.org", "Kampot Insurance")
    org_url = owner.url
    owner.locator("#invite_email").fill("colleague@example.org")
    owner.locator("#invite_role").select_option("viewer")
    owner.get_by_role("button", name="Send invitation").click()
    owner.get_by_text("Invitation sent to colleague@example.org").wait_for()
    link = re.search(r"http://[^\s]+/invitations/[^\s]+/", mail.outbox[-1].body).group(0)  # type: ignore[union-attr]

    colleague = new_page()
    colleague.goto(link)
    assert_accessible(colleague)
    colleague.locator("#id_password1").fill(PASSWORD)
    colleague.locator("#id_password2").fill(PASSWORD)
    colleague.get_by_role("button", name="Create account and join").click()
    colleague.get_by_text("You joined Kampot Insurance").wait_for()

    consultant = new_page()
    sign_up(consultant, "advisor@example.org", "Lanna Advisory", kind="consultancy")
    owner.goto(org_url)
    owner.locator("#grant_consultant_email").fill("advisor@example.org")
    owner.get_by_role("button", name="Grant access").click()
    owner.get_by_text("Lanna Advisory now has access").wait_for()
    assert_accessible(owner)  # the organisation page with members, invitations and grants
    consultant.goto("/portfolio/")
    assert consultant.get_by_role("link", name="Kampot Insurance").count() == 1
    assert_accessible(consultant)

    owner.get_by_role("button", name="Revoke access for Lanna Advisory").click()
    owner.get_by_text("Access for Lanna Advisory was revoked").wait_for()
    consultant.reload()
    assert consultant.get_by_role("link", name="Kampot Insurance").count() == 0


def test_a_failed_save_keeps_the_answer_and_retries(new_page: Any) -> None:
    page = new_page()
    start_questionnaire(page, "outage@example.org", "Brunei Logistics", "Outage test")

    attempts = []

    def flaky(route: Any) -> None:
        attempts.append(route.request.url)
        if len(attempts) == 1:
            route.abort("internetdisconnected")  # the first save never reaches the server
        else:
            route.continue_()

    page.route("**/answers/TE-01/", flaky)
    card = page.locator("#q-TE-01")
    card.get_by_label("Evidence note").fill("Typed during an outage")
    page.locator("#state-TE-01").get_by_text("Not saved yet").wait_for()
    assert card.get_by_label("Evidence note").input_value() == "Typed during an outage"
    page.locator("#state-TE-01").get_by_text("Saved at").wait_for(timeout=20_000)  # automatic retry
    assert len(attempts) >= 2
    answer = Answer.objects.get(assessment__name="Outage test", question__code="TE-01")
    assert answer.evidence_note == "Typed during an outage"


def test_a_window_left_open_is_told_when_its_answer_was_changed_elsewhere(new_page: Any) -> None:
    old_window = new_page()
    start_questionnaire(old_window, "two-windows@example.org", "Lao Agritech", "Two windows")

    new_window = old_window.context.new_page()  # same person, same session, opened later
    new_window.goto(old_window.url)
    new_window.locator("#q-TE-01").get_by_label("Implemented").check()
    new_window.locator("#state-TE-01").get_by_text("Saved at").wait_for()

    old_window.locator("#q-TE-01").get_by_label("Defined").check()
    state = old_window.locator("#state-TE-01")
    state.get_by_text("This answer had been changed by you, in another window").wait_for()
    assert "Saved at" in state.inner_text()
    assert_accessible(old_window)
    # The page now knows the answer it saved: the next change is an ordinary save, with no warning.
    with old_window.expect_response(lambda r: "/answers/TE-01/" in r.url and r.ok):
        old_window.locator("#q-TE-01").get_by_label("Evidence note").fill("Signed off by the board")
    old_window.wait_for_function("!document.querySelector('#state-TE-01').innerText.includes('changed by')")
    answer = Answer.objects.get(assessment__name="Two windows", question__code="TE-01")
    assert (answer.choice, answer.evidence_note) == ("2", "Signed off by the board")
