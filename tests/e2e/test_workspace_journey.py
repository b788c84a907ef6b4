"""The AI-system workspace end to end in Chromium (issue 20's "done means"):

create a system, run its risk impact assessment, assess it, turn two gaps into actions with owners and dates,
close one with an uploaded file, re-assess, and see the trend and the closed action in the results and the PDF.

The questionnaire itself is answered server-side (`answer_everything`): answering it in the browser is
test_browser_flows.py's job, and 60 questions by hand would only slow this journey down. axe checks every new page.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfWriter

from scorecard.models import Action, AISystem, Assessment, Role
from tests.e2e.test_browser_flows import assert_accessible
from tests.factories import MembershipFactory
from tests.scorecard.test_questionnaire import answer_everything

pytestmark = [pytest.mark.e2e]


def signed_in_page(new_page: Any, live_server: Any, user: Any) -> Any:
    client = Client()
    client.force_login(user)
    page = new_page()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def a_pdf(tmp_path: Path, name: str) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / name
    with path.open("wb") as out:
        writer.write(out)
    return path


def submit(page: Any, assessment: Assessment) -> None:
    page.goto(f"/assessments/{assessment.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())  # "Submit this assessment? …"
    page.get_by_role("button", name="Submit assessment").click()
    page.wait_for_url(re.compile(r"/results/"))


def pdf_text(page: Any) -> str:
    with page.expect_download(timeout=90_000) as download:
        page.locator("form[action$='/report.pdf'] [type=submit]").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    Path("/tmp/workspace-journey.pdf").write_bytes(data)
    read = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return read.stdout.decode()


def test_inventory_risk_assessment_actions_evidence_and_trend(new_page: Any, live_server: Any, tmp_path: Path) -> None:
    owner_membership = MembershipFactory(role=Role.OWNER, user__email="ana@example.org")
    organisation, owner = owner_membership.organisation, owner_membership.user
    colleague = MembershipFactory(organisation=organisation, role=Role.EDITOR, user__email="budi@example.org").user
    page = signed_in_page(new_page, live_server, owner)

    # 1. The inventory: add a system serving Thailand and Viet Nam.
    page.goto(f"/orgs/{organisation.pk}/")
    page.locator("main").get_by_role("link", name=re.compile("AI systems")).first.click()
    page.wait_for_url(re.compile(r"/systems/$"))
    assert_accessible(page)
    page.locator("main").get_by_role("link", name=re.compile("Add a system|New system|Add an AI system")).first.click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Loan assistant")
    page.get_by_label("Purpose").fill("Answers customers' questions about loans and pre-screens applications.")
    page.get_by_label("Owner").select_option(label="ana@example.org")
    page.get_by_label("Lifecycle stage").select_option(label="In use")
    page.get_by_label("AI deployer (we use AI systems built by others)").check()
    page.get_by_label("It is or uses generative AI").check()
    page.get_by_label("Personal data", exact=True).check()
    page.get_by_label("Customers").check()
    page.get_by_label("Thailand").check()
    page.get_by_label("Viet Nam").check()
    page.get_by_role("button", name="Add the system").click()
    page.wait_for_url(re.compile(r"/systems/[0-9a-f-]+/$"))
    system = AISystem.objects.get(organisation=organisation, name="Loan assistant")
    assert system.markets == ["TH", "VN"] and system.owner == owner
    assert "not assessed yet" in page.locator("main").inner_text()
    # Readiness per system: the obligations of the markets it serves, and only those.
    readiness = page.locator("main").inner_text()
    assert "TH-TRANSFER" in readiness and "VN-TRANSFER" in readiness and "SG-" not in readiness
    assert_accessible(page)

    # 2. Its risk impact assessment (Annex A): possible harm, significant, to many people -> high risk.
    page.get_by_role("button", name="Start the risk impact assessment").click()
    page.wait_for_url(re.compile(r"/risk-assessments/[0-9a-f-]+/$"))
    assert_accessible(page)
    for text in page.locator("main form textarea[name$='-value']").all():
        text.fill("Applicants could be refused a loan on a wrong pre-screen.")
    for card in page.locator("main form .question-card").all():
        yes = card.locator("input[type=radio][value=yes]")
        if yes.count():
            yes.check()
    page.locator("input[name='HI-02-value']").nth(1).check()  # 2. Possible
    page.locator("input[name='HI-03-value']").nth(1).check()  # 2. Significant
    page.get_by_role("button", name="Save and submit").click()
    page.wait_for_load_state()
    system.refresh_from_db()
    assert system.risk_level, "the submitted risk assessment sets the system's risk level"
    risk_label = system.get_risk_level_display()
    page.goto(f"/systems/{system.pk}/")
    header = page.locator("main").inner_text()
    assert str(risk_label) in header
    assert_accessible(page)

    # 3. Assess the system: the profile comes from the system.
    page.get_by_role("link", name="Start an assessment of this system").click()
    assert page.locator("input[name=target_markets][value=TH]").is_checked()
    assert page.locator("input[name=target_markets][value=VN]").is_checked()
    assert page.locator("input[name=ai_role][value=deployer]").is_checked()
    assert_accessible(page)
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url(re.compile(r"/assessments/[0-9a-f-]+/$"))
    first = Assessment.objects.get(ai_system=system)
    answer_everything(first, owner, choice_for=lambda q: min(q.options.all(), key=lambda o: o.points).code)  # many gaps
    submit(page, first)
    assert page.get_by_test_id("assessed-system").is_visible()
    assert_accessible(page)

    # 4. Two gaps become actions with owners and due dates.
    first.refresh_from_db()
    track = page.locator("main a", has_text="Track as action")
    codes = [re.search(r"question=([A-Z0-9-]+)", track.nth(i).get_attribute("href") or "").group(1) for i in (0, 1)]  # type: ignore[union-attr]
    due = dt.date.today() + dt.timedelta(days=30)
    for code, person in zip(codes, ("ana@example.org", "budi@example.org"), strict=True):
        page.goto(f"/assessments/{first.pk}/results/")
        page.locator(f"main a[href*='question={code}']").click()
        assert_accessible(page)
        page.get_by_label("Owner").select_option(label=person)
        page.get_by_label("Due date").fill(due.isoformat())
        page.get_by_role("button", name="Track as action").click()
        page.wait_for_url(re.compile(r"/actions/[0-9a-f-]+/$"))
    assert_accessible(page)
    actions = {a.question_code: a for a in Action.objects.filter(assessment=first)}
    assert set(actions) == set(codes)
    assert actions[codes[1]].owner == colleague and actions[codes[1]].due_on == due

    # 5. Close the first one as done with an uploaded file.
    page.goto(f"/actions/{actions[codes[0]].pk}/")
    page.locator("input[name=status][value=done]").check()
    page.get_by_label("Upload a new evidence file").set_input_files(str(a_pdf(tmp_path, "credit-policy-v3.pdf")))
    page.get_by_role("button", name="Save the action").click()
    page.wait_for_load_state()
    closed = Action.objects.get(pk=actions[codes[0]].pk)
    assert closed.status == Action.Status.DONE and closed.closed_at is not None
    assert [f.name for f in closed.evidence_files.all()] == ["credit-policy-v3.pdf"]
    assert_accessible(page)

    # The action plan of the organisation shows both, the open one with its owner.
    page.goto(f"/orgs/{organisation.pk}/actions/")
    plan = page.locator("main").inner_text()
    assert codes[0] in plan and codes[1] in plan and "budi@example.org" in plan
    assert_accessible(page)
    page.goto(f"/orgs/{organisation.pk}/evidence/")
    assert "credit-policy-v3.pdf" in page.locator("main").inner_text()
    assert_accessible(page)

    # The first assessment's results show the closed action in its row of the action plan.
    page.goto(f"/assessments/{first.pk}/results/")
    assert "Done" in page.get_by_test_id(f"tracked-{codes[0]}").inner_text()

    # 6. Re-assess: the closed action's evidence comes across to the matching answer.
    page.goto(f"/assessments/{first.pk}/")
    page.get_by_role("button", name=re.compile("Re-assess")).click()
    page.wait_for_url(re.compile(r"/assessments/[0-9a-f-]+/$"))
    second = Assessment.objects.exclude(pk=first.pk).get(ai_system=system)
    carried = second.answers.get(question__code=codes[0])
    assert "credit-policy-v3.pdf" in [f.name for f in carried.evidence_files.all()]
    answer_everything(second, owner, choice_for=lambda q: max(q.options.all(), key=lambda o: o.points).code)  # better
    submit(page, second)
    second.refresh_from_db()
    assert second.results["overall"]["score"] > first.results["overall"]["score"]

    # The trend on the results page: both assessments, oldest first.
    trend = page.locator("#trend")
    assert trend.locator("svg").count() == 1
    rows = trend.locator("#trend-table tbody tr")
    assert rows.count() == 2
    assert f"{round(second.results['overall']['score'])}" in (rows.nth(1).text_content() or "")
    assert_accessible(page)

    # 7. The PDF of the re-assessment: the trend, and the closed action's file in the evidence annex.
    text = pdf_text(page)
    assert "Progress over time" in text
    assert "credit-policy-v3.pdf" in text
    assert "Loan assistant" in text
    assert str(risk_label) in text

    # The PDF of the first assessment lists the tracked actions with the closed one done.
    page.goto(f"/assessments/{first.pk}/results/")
    first_text = pdf_text(page)
    assert "Tracked actions" in first_text
    tracked = first_text.split("Tracked actions", 1)[1]
    row = next(line for line in tracked.splitlines() if line.strip().startswith(codes[0]))
    assert "Done" in row and "ana@example.org" in first_text
