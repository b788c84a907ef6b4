"""Assessing one AI system, and the systems on the dashboard, the portfolio and the organisation page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scorecard.models import Action, Assessment, AuditEntry, Role
from scorecard.services.assessments import assessment_create, assessment_reassess
from scorecard.services.errors import ServiceError
from scorecard.views.assessments import system_assessment_name
from tests.conftest import client_for
from tests.factories import (
    ActionFactory,
    AISystemFactory,
    AssessmentFactory,
    ConsultancyFactory,
    GrantFactory,
    MembershipFactory,
    OrganisationFactory,
    stored_evidence,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def system(content: Any, organisation: Any) -> Any:
    organisation.sector, organisation.size = "health", "medium"
    organisation.save()
    return AISystemFactory(
        organisation=organisation, name="Triage assistant", ai_role="developer", uses_genai=True, markets=["TH", "VN"]
    )


def profile(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Triage assistant review",
        "sector": "health",
        "size": "medium",
        "ai_role": "developer",
        "uses_genai": "on",
        "target_markets": ["TH", "VN"],
    }
    return {**data, **overrides}


# Starting an assessment of a system ----------------------------------------------------------------------------


def test_the_profile_is_filled_in_from_the_system_and_its_organisation(system: Any, owner: Any) -> None:
    response = client_for(owner).get(reverse("system_assessment_create", args=[system.pk]))
    assert response.status_code == 200
    initial = response.context["form"].initial
    today = timezone.localdate()
    assert initial["name"] == system_assessment_name(system, today)
    assert initial["name"].startswith("Triage assistant assessment ") and str(today.year) in initial["name"]
    assert (initial["sector"], initial["size"]) == ("health", "medium")  # the organisation's
    assert (initial["ai_role"], initial["uses_genai"], initial["target_markets"]) == ("developer", True, ["TH", "VN"])
    page = response.content.decode()
    for code, checked in (("TH", True), ("VN", True), ("SG", False)):
        assert bool(re.search(rf'value="{code}"\s+id="[^"]+" checked', page)) is checked, code
    assert "Assess the AI system Triage assistant" in page


def test_a_long_system_name_still_gives_a_valid_name(content: Any, organisation: Any) -> None:
    system = AISystemFactory(organisation=organisation, name="X" * 200)
    name = system_assessment_name(system, timezone.localdate())
    assert len(name) <= 200 and name.startswith("XXX") and "assessment" in name


def test_posting_creates_the_assessment_of_the_system(system: Any, owner: Any) -> None:
    client = client_for(owner)
    response = client.post(reverse("system_assessment_create", args=[system.pk]), profile())
    created = Assessment.objects.get(name="Triage assistant review")
    assert response.status_code == 302 and response["Location"] == reverse("assessment_detail", args=[created.pk])
    assert created.ai_system == system and created.organisation == system.organisation
    assert (created.ai_role, created.uses_genai, created.target_markets) == ("developer", True, ["TH", "VN"])
    entry = AuditEntry.objects.get(action="assessment.create", assessment_id=created.pk)
    assert "Triage assistant" in entry.detail and entry.user == owner
    # The assessment's pages name the system beside the organisation.
    page = client.get(reverse("assessment_detail", args=[created.pk])).content.decode()
    assert "Assessment of the AI system Triage assistant" in page
    assert reverse("system_detail", args=[system.pk]) in page
    results = client.get(reverse("assessment_results", args=[created.pk])).content.decode()
    assert "Assessment of the AI system Triage assistant" in results


def test_bad_data_shows_the_form_again_and_creates_nothing(system: Any, owner: Any) -> None:
    response = client_for(owner).post(reverse("system_assessment_create", args=[system.pk]), {})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Assessment.objects.filter(ai_system=system).exists()


def test_a_viewer_may_not_and_an_outsider_sees_nothing(system: Any, outsider: Any) -> None:
    viewer = MembershipFactory(organisation=system.organisation, role=Role.VIEWER).user
    url = reverse("system_assessment_create", args=[system.pk])
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(viewer).post(url, profile()).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(outsider).post(url, profile()).status_code == 404
    assert not Assessment.objects.filter(ai_system=system).exists()


def test_another_organisations_system_is_not_found(system: Any, outsider: Any) -> None:
    theirs = AISystemFactory(organisation=outsider.memberships.get().organisation)
    owner = system.organisation.memberships.get().user
    response = client_for(owner).post(reverse("system_assessment_create", args=[theirs.pk]), profile())
    assert response.status_code == 404
    assert not Assessment.objects.filter(ai_system=theirs).exists()


def test_the_service_refuses_a_system_of_another_organisation(system: Any, outsider: Any) -> None:
    theirs = outsider.memberships.get().organisation
    with pytest.raises(ServiceError, match="not in this organisation's inventory"):
        assessment_create(
            organisation=theirs,
            by=outsider,
            role=Role.OWNER,
            ai_system=system,
            name="Borrowed",
            sector="finance",
            size="large",
            ai_role="deployer",
            uses_genai=False,
            target_markets=[],
        )
    assert not Assessment.objects.filter(name="Borrowed").exists()


def test_a_consultant_with_an_editor_grant_may_assess_a_system(system: Any) -> None:
    consultant = MembershipFactory(organisation=ConsultancyFactory(), role=Role.EDITOR).user
    GrantFactory(client=system.organisation, consultancy=consultant.memberships.get().organisation, role=Role.EDITOR)
    response = client_for(consultant).post(reverse("system_assessment_create", args=[system.pk]), profile())
    assert response.status_code == 302
    assert Assessment.objects.get(ai_system=system).created_by == consultant


def test_a_re_assessment_keeps_the_system(system: Any, owner: Any) -> None:
    first = AssessmentFactory(
        organisation=system.organisation, ai_system=system, status=Assessment.Status.SUBMITTED, created_by=owner
    )
    again, created = assessment_reassess(assessment=first, by=owner)
    assert created and again.ai_system == system and again.previous == first


# Dashboard, portfolio and organisation page --------------------------------------------------------------------


def workspace_of(organisation: Any, *, systems: int = 3) -> list[Any]:
    """`systems` AI systems, the first with two submitted assessments (the newer counts), a high risk level and
    three actions: two open (one overdue) and one done; an organisation-level action too."""
    made = [AISystemFactory(organisation=organisation) for _ in range(systems)]
    first = made[0]
    first.risk_level = "high"
    first.save()
    now = timezone.now()
    for days_ago, score, level in ((30, 41.0, 3), (2, 77.0, 4)):
        assessed = AssessmentFactory(
            organisation=organisation,
            ai_system=first,
            status=Assessment.Status.SUBMITTED,
            submitted_at=now - timedelta(days=days_ago),
            overall_score=score,
            overall_level=level,
        )
    today = timezone.localdate()
    ActionFactory(assessment=assessed, question_code="TE-01", due_on=today - timedelta(days=3))  # overdue
    ActionFactory(assessment=assessed, question_code="TE-02", due_on=today + timedelta(days=3))
    ActionFactory(assessment=assessed, question_code="TE-03", due_on=today - timedelta(days=9), status="done")
    organisation_level = AssessmentFactory(organisation=organisation, status=Assessment.Status.SUBMITTED)
    ActionFactory(assessment=organisation_level, question_code="FE-01", status=Action.Status.IN_PROGRESS)
    return made


def test_the_dashboard_shows_each_system_with_its_score_risk_and_actions(content: Any, organisation: Any) -> None:
    owner = organisation.memberships.get().user
    first, second, _third = workspace_of(organisation)
    page = client_for(owner).get(reverse("dashboard")).content.decode()
    row = page[page.index(f'data-testid="system-{first.pk}"') :]
    row = row[: row.index("</tr>")]
    assert first.name in row and "77 / 100" in row and "band-3" in row  # the newer assessment's figures
    assert "41 / 100" not in row
    assert "High" in row and "text-bg-danger" in row
    assert ">2 · " in row and "1 overdue" in row  # two open, one of them overdue; the done one is not counted
    other = page[page.index(f'data-testid="system-{second.pk}"') :]
    other = other[: other.index("</tr>")]
    assert "not assessed yet" in other and ">0</td>" in other
    summary = page[page.index(f'data-testid="org-workspace-{organisation.pk}"') :]
    assert summary.startswith(f'data-testid="org-workspace-{organisation.pk}">3 AI systems · 3 open actions')


def test_the_portfolio_shows_each_clients_systems(content: Any) -> None:
    consultant = MembershipFactory(organisation=ConsultancyFactory(), role=Role.OWNER).user
    client = GrantFactory(consultancy=consultant.memberships.get().organisation, client=OrganisationFactory()).client
    first, *_others = workspace_of(client)
    # The system's newer assessment is the client's latest: the client's latest result names the system.
    Assessment.objects.filter(ai_system=first, overall_score=77).update(updated_at=timezone.now() + timedelta(hours=1))
    page = client_for(consultant).get(reverse("portfolio")).content.decode()
    item = page[page.index(f'data-testid="system-{first.pk}"') :]
    item = item[: item.index("</li>")]
    assert first.name in item and "77 / 100" in item and "High" in item
    assert "2 open actions" in item and "1 overdue" in item
    assert "3 open actions · " in page  # the client's own and its systems' actions
    latest = page[page.index('data-label="Latest result"') :]
    assert latest[: latest.index("</td>")].count(f"AI system: {first.name}") == 1


def count_queries(client: Any, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def test_the_dashboard_and_portfolio_read_a_fixed_number_of_queries(content: Any) -> None:
    consultant = MembershipFactory(organisation=ConsultancyFactory(), role=Role.OWNER).user
    consultancy = consultant.memberships.get().organisation
    browser = client_for(consultant)

    def add_client() -> None:
        workspace_of(GrantFactory(consultancy=consultancy, client=OrganisationFactory()).client)

    add_client()
    one = {url: len(count_queries(browser, url)) for url in (reverse("dashboard"), reverse("portfolio"))}
    for _ in range(9):
        add_client()
    for url, count in one.items():
        sql = count_queries(browser, url)
        assert len(sql) == count, url
        assert not any('"results"' in q for q in sql), url  # scores from the columns, never the snapshot
    page = browser.get(reverse("portfolio")).content.decode()
    assert page.count('data-testid="system-') == 30


def test_the_organisation_page_leads_to_the_workspace_with_counts(content: Any, organisation: Any) -> None:
    owner = organisation.memberships.get().user
    workspace_of(organisation)
    stored_evidence(organisation)
    page = client_for(owner).get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    nav = page[page.index('data-testid="workspace-nav"') :]
    nav = nav[: nav.index("</nav>")]
    assert "AI governance workspace" in nav
    assert reverse("system_list", args=[organisation.pk]) in nav and "3 AI systems" in nav
    assert reverse("action_list", args=[organisation.pk]) in nav and "3 open" in nav and "1 overdue" in nav
    assert reverse("evidence_library", args=[organisation.pk]) in nav and "1 file" in nav
    viewer = MembershipFactory(organisation=organisation, role=Role.VIEWER).user
    assert (
        "AI governance workspace"
        in client_for(viewer).get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    )
    consultancy = ConsultancyFactory()
    consultancy_owner = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    other = client_for(consultancy_owner).get(reverse("organisation_detail", args=[consultancy.pk])).content.decode()
    assert "AI governance workspace" not in other  # a consultancy has no inventory of its own
