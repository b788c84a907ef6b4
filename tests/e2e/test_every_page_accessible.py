"""axe finds no serious or critical problem on any page kind a signed-in person opens."""

from __future__ import annotations

from typing import Any

import pytest

from frameworks.models import Question
from scorecard.services.assessments import answer_save
from tests.e2e.test_browser_flows import assert_accessible

pytestmark = [pytest.mark.e2e]


def test_every_page_kind_passes_axe(open_section: Any) -> None:
    page = open_section("principle-TE")
    assessment = page.assessment
    question = Question.objects.get(version=assessment.framework_version, code="TE-01")
    answer_save(assessment=assessment, question=question, by=assessment.created_by, choice="2", checked=[])
    org, pk = assessment.organisation.pk, assessment.pk
    for url in (
        "/about/",
        "/dashboard/",
        f"/orgs/{org}/edit/",
        f"/orgs/{org}/delete/",
        f"/orgs/{org}/assessments/new/",
        f"/orgs/{org}/assessments/import/",
        f"/assessments/{pk}/profile/",
        f"/assessments/{pk}/history/",
        f"/assessments/{pk}/delete/",
        f"/assessments/{pk}/report/",
        f"/assessments/{pk}/sections/market-SG/",
    ):
        page.goto(url)
        assert_accessible(page)


def test_every_workspace_page_kind_passes_axe(open_section: Any) -> None:
    """The AI-system workspace's pages that the browser journey (test_workspace_journey.py) does not open."""
    from tests.factories import AISystemFactory, RiskAssessmentFactory, stored_evidence

    page = open_section("principle-TE")
    assessment = page.assessment
    organisation = assessment.organisation
    system = AISystemFactory(organisation=organisation, markets=["SG", "TH"])
    risk = RiskAssessmentFactory(ai_system=system, answers={"OB-01": {"value": "Ranks loan applications."}})
    evidence = stored_evidence(organisation, "ai-policy.pdf")
    org, pk = organisation.pk, assessment.pk
    for url in (
        f"/orgs/{org}/systems/",
        f"/orgs/{org}/systems/import/",
        f"/systems/{system.pk}/edit/",
        f"/systems/{system.pk}/delete/",
        f"/risk-assessments/{risk.pk}/",
        f"/orgs/{org}/actions/",
        f"/orgs/{org}/evidence/",
        f"/evidence/{evidence.pk}/delete/",
        f"/assessments/{pk}/answers/TE-01/evidence/",
    ):
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert page.locator("main h1").count() == 1, url
        assert_accessible(page)
