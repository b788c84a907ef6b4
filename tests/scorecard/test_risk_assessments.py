"""Risk impact assessments of AI systems through their pages and services: start, save, submit, read-only for
viewers and once submitted, audit entries, the system's page, the results page and the PDF chapter."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from frameworks.models import RiskMethod
from scorecard.models import Assessment, AuditEntry, Role, SystemRiskAssessment
from scorecard.reports import system_risk
from scorecard.reports.workspace import workspace_fingerprint
from scorecard.services import risk as services
from scorecard.services.assessments import assessment_submit
from scorecard.services.errors import NotAllowed, ServiceError
from tests.conftest import client_for
from tests.factories import AISystemFactory, AssessmentFactory, MembershipFactory
from tests.scorecard.test_questionnaire import answer_everything
from tests.scorecard.test_reports import pdf_text

pytestmark = pytest.mark.django_db

# The worked example of docs/risk-method.md: a credit-scoring system serving Thailand and Viet Nam.
SCALES = {"HI-02": "2", "HI-03": "2"}
TEXT = "Applicants could be refused credit because informal incomes are under-rated."


@pytest.fixture
def system(content: Any, organisation: Any, owner: Any) -> Any:
    return AISystemFactory(
        organisation=organisation, name="Credit scoring", owner=owner, markets=["TH", "VN"], human_involvement="over"
    )


@pytest.fixture
def viewer(organisation: Any) -> Any:
    return MembershipFactory(organisation=organisation, role=Role.VIEWER).user


@pytest.fixture
def editor(organisation: Any) -> Any:
    return MembershipFactory(organisation=organisation, role=Role.EDITOR).user


def posted(method: RiskMethod, *, leave_out: tuple[str, ...] = (), **override: str) -> dict[str, str]:
    """The questionnaire's POST with every question answered as in the worked example."""
    data = {"risk-answers": "1"}
    for q in method.questions.all():
        if q.code in leave_out:
            continue
        value = {"probability": SCALES.get(q.code, "2"), "severity": SCALES.get(q.code, "2"), "yes-no": "yes"}.get(
            q.kind, TEXT
        )
        data[f"{q.code}-value"] = override.get(q.code, value)
        if q.kind != "text":
            data[f"{q.code}-note"] = ""
    return data


def started(system: Any, user: Any) -> SystemRiskAssessment:
    response = client_for(user).post(reverse("risk_assessment_start", args=[system.pk]))
    risk = SystemRiskAssessment.objects.get(ai_system=system, status="draft")
    assert response.status_code == 302 and response["Location"] == reverse("risk_assessment", args=[risk.pk])
    return risk


def test_start_creates_one_draft_on_the_current_method_and_audits_it(system: Any, owner: Any) -> None:
    client = client_for(owner)
    assert client.get(reverse("risk_assessment_start", args=[system.pk])).status_code == 405
    risk = started(system, owner)
    assert risk.method == RiskMethod.current() and risk.method.code == "asean-annex-a-2026-12"
    assert risk.answers == {} and risk.created_by == owner
    again = client.post(reverse("risk_assessment_start", args=[system.pk]), follow=True)
    assert "already in progress" in again.content.decode()
    assert SystemRiskAssessment.objects.filter(ai_system=system).count() == 1
    entry = AuditEntry.objects.get(action="risk.start")
    assert entry.user == owner and entry.organisation == system.organisation and "Credit scoring" in entry.detail


def test_the_questionnaire_is_grouped_by_the_five_annex_a_sections(system: Any, owner: Any) -> None:
    risk = started(system, owner)
    page = client_for(owner).get(reverse("risk_assessment", args=[risk.pk])).content.decode()
    headings = re.findall(r'<h2 id="h-([a-z-]+)"', page)
    assert headings == ["objectives", "governance", "human-involvement", "operations", "stakeholders"]
    for question in risk.method.questions.all():
        assert f'name="{question.code}-value"' in page
    assert 'for="id_HI-02-value_2"' in page and "Annex A 3.1" in page
    assert "this tool&#x27;s reading" in page or "this tool's reading" in page


def test_save_stores_valid_answers_and_refuses_bad_ones_whole(system: Any, editor: Any) -> None:
    risk = started(system, editor)
    client = client_for(editor)
    url = reverse("risk_assessment", args=[risk.pk])
    response = client.post(url, posted(risk.method, leave_out=("HI-05",)))
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.answers["HI-02"] == {"value": 2, "note": ""} and risk.answers["HI-04"]["value"] == "yes"
    assert "HI-05" not in risk.answers and risk.answers["OB-01"] == {"value": TEXT, "note": ""}
    assert AuditEntry.objects.filter(action="risk.save", user=editor).count() == 1

    bad = client.post(
        url, {**posted(risk.method), "HI-03-value": "9", "ST-01-value": "maybe", "OB-01-value": "Changed"}
    )
    assert bad.status_code == 200
    text = bad.content.decode()
    assert 'href="#q-HI-03"' in text and 'href="#q-ST-01"' in text and 'aria-invalid="true"' in text
    risk.refresh_from_db()
    assert risk.answers["OB-01"]["value"] == TEXT  # nothing of the bad post was saved
    # An empty answer clears the question.
    client.post(url, {**posted(risk.method), "HI-02-value": ""})
    risk.refresh_from_db()
    assert "HI-02" not in risk.answers


def test_the_service_checks_each_value_against_its_kind(system: Any, owner: Any) -> None:
    risk, _ = services.risk_assessment_start(system=system, by=owner, role="owner")
    with pytest.raises(ValidationError) as refused:
        services.risk_assessment_save(
            risk=risk,
            by=owner,
            role="owner",
            answers={
                "HI-02": {"value": 4},
                "HI-04": {"value": "perhaps"},
                "XX-01": {"value": "yes"},
                "OB-02": {"value": "yes"},
            },
        )
    errors = refused.value.message_dict
    assert set(errors) == {"HI-02", "HI-04", "__all__"}
    assert "1, 2, 3" in errors["HI-02"][0]
    risk.refresh_from_db()
    assert risk.answers == {}
    with pytest.raises(NotAllowed):
        services.risk_assessment_save(risk=risk, by=owner, role="viewer", answers={"OB-02": {"value": "yes"}})


def test_submit_with_missing_answers_is_refused_and_names_them(system: Any, owner: Any) -> None:
    risk = started(system, owner)
    client = client_for(owner)
    client.post(reverse("risk_assessment", args=[risk.pk]), posted(risk.method, leave_out=("HI-03", "ST-02")))
    # The roles matrix posts nothing: the answers saved so far are kept.
    response = client.post(reverse("risk_assessment_submit", args=[risk.pk]), {}, follow=True)
    assert "2 question(s) still need an answer: HI-03, ST-02." in response.content.decode()
    risk.refresh_from_db()
    assert risk.status == "draft" and risk.result is None and "HI-02" in risk.answers
    system.refresh_from_db()
    assert system.risk_level == ""


def test_submit_stores_the_result_sets_the_systems_level_and_locks(system: Any, owner: Any) -> None:
    risk = started(system, owner)
    client = client_for(owner)
    # "Save and submit": the answers come with the submit.
    response = client.post(reverse("risk_assessment_submit", args=[risk.pk]), posted(risk.method))
    assert response.status_code == 302
    risk.refresh_from_db()
    system.refresh_from_db()
    assert risk.status == "submitted" and risk.submitted_by == owner and risk.submitted_at
    assert (risk.risk_level, risk.recommended_involvement) == ("high", "in")
    assert risk.result["probability"] == 2 and risk.result["severity"] == 3
    assert risk.result["method"] == "asean-annex-a-2026-12" and risk.result["current_involvement"] == "over"
    assert system.risk_level == "high"
    assert AuditEntry.objects.filter(action="risk.submit", detail__contains="high").count() == 1

    page = client.get(reverse("risk_assessment", args=[risk.pk])).content.decode()
    assert 'data-testid="risk-cell-selected"' in page and "this system" in page
    assert re.search(r'data-testid="risk-level">High<', page)
    assert "Human-in-the-loop" in page and 'data-testid="risk-finding"' in page
    assert 'name="HI-02-value"' not in page  # read-only once submitted
    assert "severity raised from 2 to 3" in page

    # Locked: neither the page nor the service changes it.
    again = client.post(reverse("risk_assessment", args=[risk.pk]), posted(risk.method, **{"HI-02": "1"}), follow=True)
    assert "submitted and locked" in again.content.decode()
    with pytest.raises(ServiceError):
        services.risk_assessment_save(risk=risk, by=owner, role="owner", answers={"HI-02": {"value": 1}})
    with pytest.raises(ServiceError):
        services.risk_assessment_submit(risk=risk, by=owner, role="owner")
    risk.refresh_from_db()
    assert risk.answers["HI-02"]["value"] == 2


def test_a_new_assessment_starts_from_the_last_and_keeps_the_history(system: Any, owner: Any) -> None:
    first = started(system, owner)
    client = client_for(owner)
    client.post(reverse("risk_assessment_submit", args=[first.pk]), posted(first.method))
    second = started(system, owner)
    assert second.pk != first.pk and second.answers == SystemRiskAssessment.objects.get(pk=first.pk).answers
    # The harm is now rare: probability 1, severity 3 after the adjustments, medium risk, over the loop, which the
    # inventory records: no finding.
    client.post(reverse("risk_assessment_submit", args=[second.pk]), posted(second.method, **{"HI-02": "1"}))
    second.refresh_from_db()
    assert second.status == "submitted" and second.risk_level == "medium"
    system.refresh_from_db()
    assert system.risk_level == "medium"
    page = system_risk.system_page_context(system)
    assert page["risk_latest"]["risk"] == second and page["risk_history"] == [second, first]
    assert page["risk_latest"]["finding"] == "" and page["risk_draft"] is None


def test_viewers_read_and_change_nothing(system: Any, owner: Any, viewer: Any) -> None:
    risk = started(system, owner)
    client_for(owner).post(reverse("risk_assessment", args=[risk.pk]), posted(risk.method))
    client = client_for(viewer)
    page = client.get(reverse("risk_assessment", args=[risk.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="HI-02-value"' not in text and "Save and submit" not in text and "2. Possible" in text
    assert (
        client.post(reverse("risk_assessment", args=[risk.pk]), posted(risk.method, **{"HI-02": "1"})).status_code
        == 403
    )
    assert client.post(reverse("risk_assessment_submit", args=[risk.pk]), posted(risk.method)).status_code == 403
    assert client.post(reverse("risk_assessment_start", args=[system.pk])).status_code == 403
    risk.refresh_from_db()
    assert risk.status == "draft" and risk.answers["HI-02"]["value"] == 2


def test_without_a_published_method_nothing_starts(system: Any, owner: Any) -> None:
    RiskMethod.objects.update(status=RiskMethod.Status.RETIRED)
    response = client_for(owner).post(reverse("risk_assessment_start", args=[system.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("system_detail", args=[system.pk])
    assert not SystemRiskAssessment.objects.filter(ai_system=system).exists()


# --- the system's page: risk and readiness per market -----------------------------------------------------------


def _submitted_system_assessment(system: Any, owner: Any) -> Assessment:
    assessment = AssessmentFactory(
        organisation=system.organisation,
        created_by=owner,
        ai_system=system,
        ai_role="deployer",
        uses_genai=False,
        target_markets=["TH", "VN"],
    )
    answer_everything(assessment, owner)
    return assessment_submit(assessment=assessment, by=owner)


def test_system_readiness_lists_exactly_its_markets_obligations_mandatory_first(system: Any, owner: Any) -> None:
    readiness = system_risk.system_readiness(system)
    assert [m["code"] for m in readiness["markets"]] == ["TH", "VN"]
    for market in readiness["markets"]:
        rows = [row for group in market["groups"] for row in group["rows"]]
        assert rows and all(row["question"].market.code == market["code"] for row in rows)
        assert market["total"] == len(rows) and market["mandatory"] == sum(r["question"].mandatory for r in rows)
        for group in market["groups"]:
            flags = [row["question"].mandatory for row in group["rows"]]
            assert flags == sorted(flags, reverse=True)  # mandatory ones first
            assert {row["question"].obligation or "other" for row in group["rows"]} == {group["obligation"]}
        groups_mandatory = [any(r["question"].mandatory for r in g["rows"]) for g in market["groups"]]
        assert groups_mandatory == sorted(groups_mandatory, reverse=True)
        assert market["readiness"] is None
    codes = {row["question"].code for m in readiness["markets"] for g in m["groups"] for row in g["rows"]}
    assert {"TH-TRANSFER", "VN-AI-CLASSIFY", "TH-DPIA"} <= codes
    assert not [code for code in codes if not code.startswith(("TH-", "VN-"))]

    system.access_role = "viewer"
    html = render_to_string(
        "systems/_system_readiness.html", {"system": system, **system_risk.system_page_context(system)}
    )
    assert 'data-testid="system-market-TH"' in html and 'data-testid="system-market-VN"' in html
    assert 'data-testid="system-market-SG"' not in html and "Mandatory" in html
    assert "No assessment of this system has been submitted yet" in html

    # Once an assessment of the system is submitted, each market shows its readiness from the snapshot.
    assessment = _submitted_system_assessment(system, owner)
    readiness = system_risk.system_readiness(system)
    assert readiness["assessment"] == assessment
    stored = {m["code"]: m["status"] for m in assessment.results["markets"]}
    assert {m["code"]: m["readiness"]["status"] for m in readiness["markets"]} == stored
    states = {row["state"] for m in readiness["markets"] for g in m["groups"] for row in g["rows"]}
    assert states <= {"met", "partly", "not_met", "na"} and states
    html = render_to_string(
        "systems/_system_readiness.html", {"system": system, **system_risk.system_page_context(system)}
    )
    assert f"Readiness from the assessment “{assessment.name}”" in html and "In that assessment" in html


def test_the_systems_risk_partial_for_editors_and_viewers(system: Any, owner: Any) -> None:
    system.access_role = "editor"
    empty = render_to_string("systems/_system_risk.html", {"system": system, **system_risk.system_page_context(system)})
    assert "No risk impact assessment submitted yet" in empty and "Start the risk impact assessment" in empty
    risk = started(system, owner)
    draft = render_to_string("systems/_system_risk.html", {"system": system, **system_risk.system_page_context(system)})
    assert "in progress" in draft and "Continue it" in draft and "Start the" not in draft
    client_for(owner).post(reverse("risk_assessment_submit", args=[risk.pk]), posted(risk.method))
    system.refresh_from_db()
    system.access_role = "viewer"
    done = render_to_string("systems/_system_risk.html", {"system": system, **system_risk.system_page_context(system)})
    assert "Human-in-the-loop" in done and "Start a new" not in done and 'data-testid="system-risk-finding"' in done
    assert reverse("risk_assessment", args=[risk.pk]) in done


# --- the results page and the PDF -----------------------------------------------------------------------------


def test_results_and_pdf_of_a_system_assessment_carry_its_risk_chapter(system: Any, owner: Any) -> None:
    assessment = _submitted_system_assessment(system, owner)
    client = client_for(owner)
    results = client.get(reverse("assessment_results", args=[assessment.pk])).content.decode()
    assert 'data-testid="system-risk-summary"' in results and "No risk impact assessment" in results
    before = workspace_fingerprint(assessment)

    risk = started(system, owner)
    client.post(reverse("risk_assessment_submit", args=[risk.pk]), posted(risk.method))
    assessment.refresh_from_db()
    assert workspace_fingerprint(assessment) != before  # a cached PDF is rendered again

    results = client.get(reverse("assessment_results", args=[assessment.pk])).content.decode()
    assert "AI system: Credit scoring" in results and "Human-in-the-loop" in results

    response = client.get(reverse("report_pdf", args=[assessment.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "Risk impact assessment of the AI system" in text
    assert "Risk level: High" in text and "recommended human involvement: Human-in-the-loop" in text
    assert "this system" in text and "Possible" in text and "Severe or irreversible" in text
    assert "Method: AI risk impact assessment (ASEAN Guide, component" in text and "(asean-annex-a-2026-12)" in text
    assert "ASEAN Guide on AI Governance and Ethics" in text and "Annex A, AI Risk Impact Assessment Template" in text
    assert "not the Guide's own numbers" in text
    assert "Markets served Thailand, Viet Nam" in text
    assert re.search(r"Human involvement (\(inventory\) )?Human-over-the-loop", text)  # the label may wrap


def test_an_organisation_assessment_has_no_system_chapter(assessment: Any) -> None:
    assert system_risk.context(assessment) == {} and system_risk.fingerprint(assessment) == ""


def shown_on_the_page(client: Any, risk: SystemRiskAssessment) -> dict[str, str]:
    """The questionnaire as a browser would post it back unchanged: every field with the value the page shows."""
    page = client.get(reverse("risk_assessment", args=[risk.pk])).context["form"]
    data = {"risk-answers": "1", "risk-shown": page["risk-shown"].value()}
    for name in page.fields:
        if name != "risk-shown":
            data[name] = page[name].value() or ""
    return data


def test_two_editors_answering_different_questions_keep_both_answers(system: Any, owner: Any) -> None:
    risk = started(system, owner)
    editor = MembershipFactory(organisation=system.organisation, role=Role.EDITOR).user
    mine, theirs = client_for(owner), client_for(editor)
    # Both open the page before either saves.
    my_page, their_page = shown_on_the_page(mine, risk), shown_on_the_page(theirs, risk)
    my_page["OB-01-value"] = "Ranks loan applications."
    their_page["GO-01-value"] = "yes"
    assert mine.post(reverse("risk_assessment", args=[risk.pk]), my_page).status_code == 302
    assert theirs.post(reverse("risk_assessment", args=[risk.pk]), their_page).status_code == 302
    risk.refresh_from_db()
    assert risk.answers["OB-01"]["value"] == "Ranks loan applications."  # not undone by the second save
    assert risk.answers["GO-01"]["value"] == "yes"
    # Clearing an answer on the page still clears it.
    page = shown_on_the_page(mine, risk)
    page["GO-01-value"] = ""
    mine.post(reverse("risk_assessment", args=[risk.pk]), page)
    risk.refresh_from_db()
    assert "GO-01" not in risk.answers and "OB-01" in risk.answers
