"""`manage.py setup_demo` (run by `make run`): log-ins and two assessments a newcomer can explore at once."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from frameworks.models import FrameworkVersion
from scorecard.models import Action, AISystem, Assessment
from scorecard.services.assessments import missing_answers
from tests.conftest import client_for


def setup_demo() -> str:
    out = io.StringIO()
    call_command("setup_demo", stdout=out)
    return out.getvalue()


def test_demo_has_a_submitted_assessment_and_a_draft_to_resume(content: Any) -> None:
    printed = setup_demo()
    assert "demo@example.org" in printed and "consultant@example.org" in printed

    submitted = Assessment.objects.get(status=Assessment.Status.SUBMITTED, organisation__name="Demo Retail Co")
    assert not missing_answers(submitted)
    markets = submitted.results["markets"]
    assert [m["code"] for m in markets] == ["ID", "MY", "PH", "SG", "TH", "VN"]
    # A mix of answers, not a perfect score: the demo shows gaps, an action plan and more than one status.
    assert submitted.results["actions"] and len({m["status"] for m in markets}) > 1
    assert submitted.answers.exclude(evidence_note="").exists()

    draft = Assessment.objects.get(status=Assessment.Status.DRAFT)
    assert draft.organisation.name == "Demo Bank Berhad"
    assert draft.answers.exists() and missing_answers(draft)

    consultant = get_user_model().objects.get(username="consultant@example.org")
    page = client_for(consultant).get(reverse("assessment_readiness", args=[submitted.pk]))
    assert page.status_code == 200 and "Philippines" in page.content.decode()
    # The submitted assessment's page offers its PDF report; a draft's report is previewed from its results.
    detail = client_for(consultant).get(reverse("assessment_detail", args=[submitted.pk])).content.decode()
    assert reverse("report_pdf", args=[submitted.pk]) in detail
    owner = get_user_model().objects.get(username="demo@example.org")
    draft_page = client_for(owner).get(reverse("assessment_detail", args=[draft.pk])).content.decode()
    assert reverse("report_pdf", args=[draft.pk]) not in draft_page


def test_demo_has_an_ai_system_workspace(content: Any) -> None:
    setup_demo()
    system = AISystem.objects.get(organisation__name="Demo Bank Berhad")
    assert system.risk_level and system.risk_assessments.filter(status="submitted").exists()
    baseline, review = Assessment.objects.filter(ai_system=system).order_by("created_at")
    assert baseline.is_locked and review.is_locked and review.previous == baseline
    assert review.results["overall"]["score"] > baseline.results["overall"]["score"]  # the trend rises
    done, overdue = sorted(Action.objects.filter(assessment=baseline), key=lambda a: a.status != "done")
    assert done.status == "done" and [f.name for f in done.evidence_files.all()] == ["credit-model-review-policy.txt"]
    assert overdue.status == "open" and overdue.due_on < done.due_on
    # The closed action's evidence came across to the re-assessment's answer.
    assert review.answers.get(question__code=done.question_code).evidence_files.exists()
    owner = get_user_model().objects.get(username="demo@example.org")
    results = client_for(owner).get(reverse("assessment_results", args=[review.pk])).content.decode()
    assert 'id="trend"' in results and system.name in results


def test_running_it_again_changes_nothing(content: Any) -> None:
    setup_demo()
    assert "(already created)" in setup_demo()
    assert get_user_model().objects.count() == 3
    assert Assessment.objects.count() == 4
    assert AISystem.objects.count() == 1 and Action.objects.count() == 2


@pytest.mark.django_db
def test_without_published_content_it_still_creates_the_log_ins() -> None:
    FrameworkVersion.objects.update(status=FrameworkVersion.Status.DRAFT)
    assert "no demo assessments" in setup_demo()
    assert get_user_model().objects.count() == 3 and not Assessment.objects.exists()
