"""At 390 px no table cuts off its columns and no page scrolls sideways: tables become cards."""

from __future__ import annotations

from typing import Any

import pytest

from frameworks.models import Question
from scorecard.services.assessments import answer_save

pytestmark = [pytest.mark.e2e]

OVERFLOWING = """() => [...document.querySelectorAll('.table-responsive')]
  .filter(t => t.scrollWidth > t.clientWidth + 1)
  .map(t => (t.querySelector('caption') || {}).textContent)"""


def test_tables_fit_a_phone(open_section: Any) -> None:
    page = open_section("principle-TE")
    assessment = page.assessment
    for question in Question.objects.filter(version=assessment.framework_version, principle__code="TE")[:3]:
        option = question.options.first()
        choice = "checklist" if question.scale == "checklist" else option.code
        answer_save(assessment=assessment, question=question, by=assessment.created_by, choice=choice, checked=[])
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (
        "/dashboard/",
        f"/assessments/{assessment.pk}/",
        f"/assessments/{assessment.pk}/results/",
        f"/assessments/{assessment.pk}/history/",
    ):
        page.goto(url)
        assert page.evaluate(OVERFLOWING) == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
