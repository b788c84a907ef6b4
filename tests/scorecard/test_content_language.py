"""The reference content in the reader's language: results, readiness, the print view and the PDF in Thai.

Content words come from the records of the assessment's framework version, translated (frameworks/translation.py),
never from the English a stored snapshot holds; English shown in place of a missing translation is marked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from frameworks.models import FrameworkVersion, Principle
from scorecard import answer_forms, scoring
from scorecard.reports.pdf import report_pdf_for
from scorecard.reports.scripts import ZWSP
from scorecard.services.assessments import assessment_submit
from tests.conftest import client_for
from tests.frameworks.test_content_translation import (
    THAI_PRINCIPLE,
    THAI_QUESTION,
    THAI_RECOMMENDATION,
    THAI_VIET_NAM,
    load_thai,
)
from tests.scorecard.test_questionnaire import answer_everything
from tests.scorecard.test_reports import pdf_text

pytestmark = pytest.mark.django_db

ENGLISH_PRINCIPLE = "Transparency and Explainability"


def forget_cached_content() -> None:
    """What processes keep per published edition was read before this test changed its translations (a server is
    restarted after `load_content`, docs/translations.md)."""
    for cache in (scoring._framework_cache, scoring._markets_cache, scoring._countries_cache):
        cache.clear()
    getattr(answer_forms, "_widgets_cache", {}).clear()


@pytest.fixture
def thai(content: FrameworkVersion, tmp_path: Path) -> Iterator[FrameworkVersion]:
    """The small Thai translation of tests/frameworks/test_content_translation.py, and nothing else translated."""
    load_thai(tmp_path)
    forget_cached_content()
    yield content
    forget_cached_content()


def in_thai(user: Any) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    return client


def get(client: Client, name: str, pk: Any) -> str:
    response = client.get(reverse(name, args=[pk]), HTTP_ACCEPT_LANGUAGE="th")
    assert response.status_code == 200
    return response.content.decode()


def test_the_results_page_in_thai_shows_the_translation_and_marks_english(
    thai: FrameworkVersion, assessment: Any, owner: Any
) -> None:
    answer_everything(assessment, owner)
    html = get(in_thai(owner), "assessment_results", assessment.pk)
    assert f'data-testid="principle-TE"><th scope="row">{THAI_PRINCIPLE}</th>' in html
    assert THAI_QUESTION in html and THAI_RECOMMENDATION in html
    # Field by field: the principle's definition has no Thai, so it reads in English, marked as such.
    definition = Principle.objects.get(version=thai, code="TE").definition_en
    marked = f'<span lang="en">{escape(definition)}</span> <span class="badge text-bg-light border fallback-mark">'
    assert marked in html
    assert '<span aria-hidden="true">EN</span><span class="visually-hidden">' in html
    # A translated field carries no mark.
    assert f'<span lang="en">{THAI_PRINCIPLE}' not in html


def test_a_submitted_assessment_reads_in_thai_from_the_content_not_from_its_stored_english(
    content: FrameworkVersion, assessment: Any, owner: Any, tmp_path: Path
) -> None:
    answer_everything(assessment, owner)
    forget_cached_content()
    with translation.override("en"):  # submitted in English, before the content had a Thai translation
        assessment_submit(assessment=assessment, by=owner)
    assessment.refresh_from_db()
    stored = assessment.results
    te = next(p for p in stored["principles"] if p["code"] == "TE")
    assert te["name"] == ENGLISH_PRINCIPLE, "the snapshot holds the English of its day"
    assert any(a["code"] == "TE-01" for a in stored["actions"])

    load_thai(tmp_path)
    forget_cached_content()
    try:
        client = in_thai(owner)
        results = get(client, "assessment_results", assessment.pk)
        assert f'data-testid="principle-TE"><th scope="row">{THAI_PRINCIPLE}</th>' in results
        assert f'<th scope="row">{ENGLISH_PRINCIPLE}</th>' not in results
        assert THAI_RECOMMENDATION in results, "the action plan says the question's recommendation in Thai"
        assert f'<option value="VN">{THAI_VIET_NAM}</option>' in results
        readiness = get(client, "assessment_readiness", assessment.pk)
        assert f'id="market-h-VN">{THAI_VIET_NAM} <span' in readiness
        csv = client.get(reverse("action_plan_csv", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="th")
        assert THAI_RECOMMENDATION in csv.content.decode("utf-8-sig")
        assessment.refresh_from_db()
        assert assessment.results == stored, "reading never rewrites the stored results"
    finally:
        forget_cached_content()


def test_the_pdf_and_the_print_view_in_thai(thai: FrameworkVersion, assessment: Any, owner: Any) -> None:
    answer_everything(assessment, owner)
    with translation.override("th"):
        text = pdf_text(report_pdf_for(owner, assessment))
    assert THAI_PRINCIPLE in text and THAI_QUESTION in text and THAI_VIET_NAM in text
    printed = get(in_thai(owner), "report_print", assessment.pk).replace(ZWSP, "")
    assert f"{THAI_PRINCIPLE} <span" in printed
    # The report's own classes: a visible "EN" and the words for screen readers in its hidden class.
    assert '<span class="fallback-mark"><span aria-hidden="true">EN</span><span class="sr">' in printed


def test_in_english_nothing_is_marked(thai: FrameworkVersion, assessment: Any, owner: Any) -> None:
    answer_everything(assessment, owner)
    client = client_for(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("assessment_results", args=[assessment.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ENGLISH_PRINCIPLE in html and THAI_PRINCIPLE not in html and "fallback-mark" not in html
