"""Nothing internal reaches a user: no repository file, "seed", "FACTS" or research remark in any page,
e-mail or PDF; and every market's facts show their sources, when they were checked and how sure we are."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from frameworks.models import FrameworkVersion
from scorecard.models import Action, AISystem, Assessment
from scorecard.scoring import compute_results
from scorecard.services.assessments import answer_save, assessment_submit
from tests.conftest import client_for
from tests.factories import AssessmentFactory
from tests.scorecard.test_reports import pdf_text

pytestmark = pytest.mark.django_db

# "FACTS" in capitals is the name of our fact file; the English word "facts" is fine.
INTERNAL = re.compile(
    r"(?-i:\bFACTS(?:-v\d)?\b)|\bseeds?\s*0*\d+|\bseed\b|\b[\w-]+\.(?:md|ya?ml|py)\b|shared/|docs/|fixtures?/"
    r"|not retrieved|stored cop|in the source code|\bv1\b|techjacksolutions|\(\?\)|confidence \?",
    re.IGNORECASE,
)


def assert_clean(text: str, where: str) -> None:
    found = INTERNAL.search(text)
    assert found is None, f"{where}: {text[max(0, found.start() - 80) : found.end() + 80]!r}"


@pytest.fixture
def demo(content: Any) -> dict[str, Any]:
    call_command("setup_demo", stdout=io.StringIO())
    users = get_user_model().objects
    return {
        "owner": users.get(username="demo@example.org"),
        "consultant": users.get(username="consultant@example.org"),
        "submitted": Assessment.objects.get(status=Assessment.Status.SUBMITTED, ai_system=None),
        "draft": Assessment.objects.get(status=Assessment.Status.DRAFT),
        "system": AISystem.objects.get(),
    }


def pages_of(assessment: Assessment) -> list[str]:
    pk = assessment.pk
    sections = [
        "principle-HC",
        *(["genai"] if assessment.uses_genai else []),
        *(f"market-{code}" for code in assessment.target_markets),
    ]
    return [
        reverse("assessment_detail", args=[pk]),
        reverse("assessment_results", args=[pk]),
        reverse("assessment_readiness", args=[pk]),
        reverse("assessment_history", args=[pk]),
        reverse("report_print", args=[pk]),
        reverse("action_plan_csv", args=[pk]),
        *(reverse("assessment_section", args=[pk, s]) for s in sections),
    ]


def workspace_pages(system: AISystem) -> list[str]:
    """The demo's AI system: its page, its risk impact assessment, the inventory, the action list and its
    actions, the evidence library, and each of its assessments' pages."""
    organisation = system.organisation.pk
    urls = [
        reverse("system_list", args=[organisation]),
        reverse("system_detail", args=[system.pk]),
        reverse("system_export_csv", args=[organisation]),
        reverse("action_list", args=[organisation]),
        reverse("action_export_csv", args=[organisation]),
        reverse("evidence_library", args=[organisation]),
        *(reverse("risk_assessment", args=[risk.pk]) for risk in system.risk_assessments.all()),
        *(reverse("action_detail", args=[action.pk]) for action in Action.objects.filter(organisation=organisation)),
    ]
    for assessment in system.assessments.all():
        urls += pages_of(assessment)
    return urls


def test_no_page_of_the_demo_shows_an_internal_marker(demo: dict[str, Any]) -> None:
    consultant, owner = client_for(demo["consultant"]), client_for(demo["owner"])
    urls = [
        (consultant, reverse("home")),
        (consultant, reverse("about")),
        (consultant, reverse("dashboard")),
        (consultant, reverse("portfolio")),
        (consultant, reverse("organisation_detail", args=[demo["submitted"].organisation.pk])),
        *((consultant, url) for url in pages_of(demo["submitted"])),
        (owner, reverse("organisation_detail", args=[demo["draft"].organisation.pk])),
        *((owner, url) for url in pages_of(demo["draft"])),
        *((owner, url) for url in workspace_pages(demo["system"])),
    ]
    for client, url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(response.content.decode(), url)


def test_the_demo_pdf_shows_obligations_with_their_legal_basis_and_sources(demo: dict[str, Any]) -> None:
    response = client_for(demo["consultant"]).get(reverse("report_pdf", args=[demo["submitted"].pk]))
    assert response.status_code == 200
    text = " ".join(pdf_text(response.content).split())
    assert_clean(text, "demo PDF")
    # Per market: obligations with their legal basis and in-force date, numbered sources, checked-on dates.
    assert "TH-TRANSFER" in text and "Legal basis:" in text and "in force since" in text
    assert "Sources for Thailand" in text and "Sources for Viet Nam" in text
    assert "checked on 22 Nov 2026" in text
    assert "uncertain" in text and "high confidence" in text
    assert "Decree 142/2026" in text or "142/2026/ND-CP" in text


def test_the_demo_system_pdf_is_clean(demo: dict[str, Any]) -> None:
    """The system's latest assessment: its risk impact assessment, trend, tracked actions and evidence annex."""
    review = demo["system"].assessments.order_by("-created_at").first()
    response = client_for(demo["owner"]).get(reverse("report_pdf", args=[review.pk]))
    assert response.status_code == 200
    text = " ".join(pdf_text(response.content).split())
    assert_clean(text, "system PDF")
    assert "Risk impact assessment" in text and "Progress over time" in text and "Annex: evidence" in text


def test_the_draft_pdf_preview_is_clean_too(demo: dict[str, Any]) -> None:
    response = client_for(demo["owner"]).get(reverse("report_pdf", args=[demo["draft"].pk]))
    assert response.status_code == 200
    assert_clean(" ".join(pdf_text(response.content).split()), "draft PDF")


def test_an_assessment_on_the_first_edition_never_shows_its_internal_notes(
    legacy_content: FrameworkVersion, organisation: Any, owner: Any
) -> None:
    assessment = AssessmentFactory(
        organisation=organisation, created_by=owner, framework_version=legacy_content, target_markets=["ID", "VN"]
    )
    client = client_for(owner)
    for url in (reverse("assessment_readiness", args=[assessment.pk]), reverse("report_print", args=[assessment.pk])):
        page = client.get(url).content.decode()
        assert_clean(page, url)
        assert "no public source recorded" in page
    pdf = client.get(reverse("report_pdf", args=[assessment.pk]))
    assert_clean(" ".join(pdf_text(pdf.content).split()), "first-edition PDF")


def test_invitation_emails_are_clean(organisation: Any, owner: Any) -> None:
    client_for(owner).post(
        reverse("invitation_create", args=[organisation.pk]), {"email": "new@example.org", "role": "editor"}
    )
    assert mail.outbox
    for message in mail.outbox:
        assert_clean(f"{message.subject}\n{message.body}", "invitation e-mail")


def test_stale_facts_are_flagged_on_the_readiness_page(
    assessment: Any, owner: Any, settings: Any, monkeypatch: Any
) -> None:
    page = client_for(owner).get(reverse("assessment_readiness", args=[assessment.pk])).content.decode()
    assert "stale" not in page and "on 22 November 2026" in page
    settings.CONTENT_STALE_AFTER_DAYS = 30
    import frameworks.freshness as freshness

    monkeypatch.setattr(freshness.timezone, "localdate", lambda: __import__("datetime").date(2027, 1, 15))
    page = client_for(owner).get(reverse("assessment_readiness", args=[assessment.pk])).content.decode()
    assert "stale: not re-checked recently" in page and "some facts are stale" in page


def test_the_organisation_page_offers_the_new_edition_in_one_click(
    legacy_content: FrameworkVersion, content: FrameworkVersion, organisation: Any, owner: Any
) -> None:
    old = AssessmentFactory(
        organisation=organisation,
        created_by=owner,
        framework_version=legacy_content,
        uses_genai=False,
        target_markets=["TH", "SG"],
    )
    from frameworks.models import Question

    for question in Question.objects.filter(version=legacy_content, market__isnull=True, genai_dimension__isnull=True):
        answer_save(assessment=old, question=question, by=owner, choice="unknown", checked=[])
    for question in Question.objects.filter(version=legacy_content, market__code__in=["TH", "SG"]):
        answer_save(assessment=old, question=question, by=owner, choice="unknown", checked=[])
    assessment_submit(assessment=old, by=owner)
    old.refresh_from_db()
    results_before = old.results

    client = client_for(owner)
    page = client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert 'data-testid="edition-update"' in page
    assert "New content edition: November 2026" in page and "TH-TRANSFER" in page and "Singapore" in page

    response = client.post(reverse("assessment_reassess", args=[old.pk]))
    new = Assessment.objects.exclude(pk=old.pk).get(organisation=organisation)
    assert response.status_code == 302 and new.framework_version == content
    # Answers carried over by code; the finished assessment kept its results.
    assert new.answers.filter(question__code="TE-01").exists()
    old.refresh_from_db()
    assert old.results == results_before and compute_results(new)["framework_version"] == "asean-2026-11"
    page = client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert 'data-testid="edition-update"' not in page


def test_an_older_edition_says_which_edition_superseded_it(
    legacy_content: FrameworkVersion, content: FrameworkVersion, organisation: Any, owner: Any
) -> None:
    old = AssessmentFactory(organisation=organisation, created_by=owner, framework_version=legacy_content)
    client = client_for(owner)
    for url in (reverse("assessment_detail", args=[old.pk]), reverse("report_print", args=[old.pk])):
        assert "2024/2025 (superseded by November 2026)" in client.get(url).content.decode(), url
    current = AssessmentFactory(organisation=organisation, created_by=owner)
    assert "superseded" not in client.get(reverse("assessment_detail", args=[current.pk])).content.decode()
