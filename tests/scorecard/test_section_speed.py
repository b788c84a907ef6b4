"""The questionnaire's section page and autosave read the database a fixed number of times: however many
questions are answered, whichever section is shown, and without reading the published framework again (it is
cached per version). Speed itself is measured by benchmarks, never asserted in tests (docs/performance.md)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from scorecard.answer_forms import answer_fields
from scorecard.models import Answer, Assessment
from scorecard.questionnaire import sections_for
from scorecard.services.assessments import answer_revision
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

FRAMEWORK_TABLES = ("frameworks_question", "frameworks_option", "frameworks_country", "frameworks_principle")


def answer_all_but(assessment: Assessment, owner: Any, keep: Collection[str] = ()) -> int:
    """Answer every applicable question except those in `keep`, straight into the table; returns how many."""
    answers = []
    for section in sections_for(assessment):
        for item in section.items:
            q = item.question
            if q.code in keep:
                continue
            options = [o.code for o in q.options.all()]
            checklist = q.scale == "checklist"
            answers.append(
                Answer(
                    assessment=assessment,
                    question=q,
                    choice="checklist" if checklist else options[1],
                    checked=options[:2] if checklist else [],
                    evidence_note=f"Evidence for {q.code}",
                    updated_by=owner,
                )
            )
    Answer.objects.bulk_create(answers)
    return len(answers)


def queries_of(client: Client, method: str, url: str, data: dict[str, Any] | None = None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url) if method == "get" else client.post(url, data or {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.content[:500]
    return [q["sql"] for q in captured.captured_queries]


def test_section_page_queries_do_not_grow_with_answers_or_section_size(assessment: Assessment, owner: Any) -> None:
    client = client_for(owner)
    small = reverse("assessment_section", args=[assessment.pk, "market-SG"])
    large = reverse("assessment_section", args=[assessment.pk, "genai"])
    client.get(large)  # warms the per-version caches, as any earlier request in the process would

    none_answered = queries_of(client, "get", large)
    assert answer_all_but(assessment, owner) > 50
    all_answered = queries_of(client, "get", large)
    small_section = queries_of(client, "get", small)

    assert len(none_answered) == len(all_answered) == len(small_section)
    # Answers in one query, without joining their questions; nothing of the (cached) framework is read again.
    answer_reads = [sql for sql in all_answered if 'FROM "scorecard_answer"' in sql]
    assert len(answer_reads) == 1 and "frameworks_question" not in answer_reads[0]
    assert not [sql for sql in all_answered if any(f'FROM "{table}"' in sql for table in FRAMEWORK_TABLES)]


def test_section_page_with_errors_reads_no_more_per_question(assessment: Assessment, owner: Any) -> None:
    """The no-JavaScript save of a whole section with problems in it: each question saved costs the same."""
    client = client_for(owner)
    url = reverse("assessment_section", args=[assessment.pk, "principle-TE"])
    client.get(url)
    bad = {"TE-01-choice": "na", "TE-02-choice": "nonsense", "TE-03-evidence_link": "not a link"}
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, bad)
        assert response.status_code == 200 and "need attention" in response.content.decode()
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_autosave_queries_do_not_grow_with_answers(assessment: Assessment, owner: Any) -> None:
    client = client_for(owner)
    section = "principle-TE"
    te01 = reverse("answer_autosave", args=[assessment.pk, section, "TE-01"])
    te02 = reverse("answer_autosave", args=[assessment.pk, section, "TE-02"])
    client.post(te01, {"TE-01-choice": "1"}, HTTP_HX_REQUEST="true")  # warms the caches; TE-01 now has an answer

    first = queries_of(client, "post", te01, {"TE-01-choice": "2", "TE-01-shown": _shown(assessment, "TE-01")})
    answer_all_but(assessment, owner, keep={"TE-01", "TE-02"})
    many = queries_of(client, "post", te01, {"TE-01-choice": "3", "TE-01-shown": _shown(assessment, "TE-01")})
    assert len(first) == len(many)
    # A first answer (an insert instead of an update) costs the same number of queries too.
    new = queries_of(client, "post", te02, {"TE-02-choice": "1", "TE-02-shown": ""})
    assert len(new) == len(many)
    assert not [sql for sql in many if any(f'FROM "{table}"' in sql for table in FRAMEWORK_TABLES)]


def test_autosave_progress_counts_the_saved_answer(assessment: Assessment, owner: Any) -> None:
    """Progress after a save is counted with one small query for the saved answer: it must still be right."""
    total = answer_all_but(assessment, owner, keep={"TE-01"}) + 1
    response = client_for(owner).post(
        reverse("answer_autosave", args=[assessment.pk, "principle-TE", "TE-01"]),
        {"TE-01-choice": "2"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert f"{total} of {total} answered" in body
    te = next(s for s in sections_for(assessment) if s.key == "principle-TE")
    assert f'<span id="progress-principle-TE" hx-swap-oob="true">{te.total}/{te.total}</span>' in body
    assert 'id="unanswered-here"' in body and "Unanswered here" not in body


def _shown(assessment: Assessment, code: str) -> str:
    return answer_revision(Answer.objects.filter(assessment=assessment, question__code=code).first())


def test_what_is_cached_per_version_is_kept_per_language(assessment: Assessment) -> None:
    """Section titles, question headings and choices are cached per published version and language: a page in one
    language never shows what was cached for another."""
    for language in ("en", "vi", "en"):
        with translation.override(language):
            te = next(s for s in sections_for(assessment) if s.key == "principle-TE")
            question = te.items[0].question
            assert te.title == question.principle.name
            fields = answer_fields(question)
            labels = {option.value: option.label for option, _selected in fields.groups[0].options}
            assert labels["unknown"] == escape(translation.gettext("Don't know (scores nothing)"))
            assert escape(question.text) in fields.widgets.intro
