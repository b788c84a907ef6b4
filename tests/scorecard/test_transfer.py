"""JSON export and import: round trip, and bad files rejected with every problem and nothing written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard.models import Answer, Assessment
from scorecard.services.assessments import answer_save
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def exported(assessment: Any, owner: Any) -> dict[str, Any]:
    from frameworks.models import Question

    for code, choice in (("TE-01", "3"), ("TE-05", "na"), ("FE-06", "checklist")):
        question = Question.objects.get(version=assessment.framework_version, code=code)
        answer_save(
            assessment=assessment,
            question=question,
            by=owner,
            choice=choice,
            checked=["bias-log"] if choice == "checklist" else [],
            na_justification="All models explainable" if choice == "na" else "",
            evidence_note="Évidence ghi chú ภาษาไทย",
        )
    response = client_for(owner).get(reverse("assessment_export_json", args=[assessment.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    return json.loads(response.content)


def upload(client: Any, organisation: Any, payload: Any) -> Any:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        reverse("assessment_import", args=[organisation.pk]),
        {"file": SimpleUploadedFile("a.json", raw, content_type="application/json")},
    )


def test_export_then_import_round_trips(assessment: Any, owner: Any, organisation: Any) -> None:
    data = exported(assessment, owner)
    assert data["schema"] == "asean-ai-scorecard/assessment" and data["schema_version"] == 1
    response = upload(client_for(owner), organisation, data)
    imported = Assessment.objects.exclude(pk=assessment.pk).get()
    assert response["Location"] == reverse("assessment_detail", args=[imported.pk])

    def answers(a: Any) -> list[tuple[Any, ...]]:
        return sorted(
            Answer.objects.filter(assessment=a).values_list(
                "question__code", "choice", "checked", "evidence_note", "na_justification"
            )
        )

    assert answers(imported) == answers(assessment)
    assert sorted(imported.target_markets) == sorted(assessment.target_markets)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["answers"].append({"question": "ZZ-99", "choice": "1"}), "ZZ-99: no such question"),
        (lambda d: d["answers"].append({"question": "TE-02", "choice": "maybe"}), "TE-02: “maybe” is not one"),
        (
            lambda d: d["answers"].append({"question": "TE-06", "choice": "na"}),
            "TE-06: “Not applicable” is not allowed",
        ),
        (lambda d: d["assessment"].update(target_markets=["FR"]), "target_markets"),
        (lambda d: d.update(schema_version=7), "Unsupported schema_version"),
        (lambda d: d.update(framework_version="asean-1999"), "not available here"),
    ],
)
def test_bad_imports_name_each_problem_and_write_nothing(
    assessment: Any, owner: Any, organisation: Any, mutate: Any, expected: str
) -> None:
    data = exported(assessment, owner)
    mutate(data)
    before = (Assessment.objects.count(), Answer.objects.count())
    response = upload(client_for(owner), organisation, data)
    assert response.status_code == 400 and expected in response.content.decode()
    assert (Assessment.objects.count(), Answer.objects.count()) == before


def test_several_problems_are_all_reported(assessment: Any, owner: Any, organisation: Any) -> None:
    data = exported(assessment, owner)
    data["answers"] += [{"question": "ZZ-1"}, {"question": "TE-02", "choice": "x"}]
    body = upload(client_for(owner), organisation, data).content.decode()
    assert "ZZ-1" in body and "TE-02" in body and "2 problems" in body


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b"[" * 100_000,  # too deep for the JSON decoder: a RecursionError, once a 500
        b"[" * 900 + b"]" * 900,  # deep but valid JSON
        b'{"answers": ' * 2_000 + b"0" + b"}" * 2_000,
    ],
    ids=["text", "not-utf8", "empty-list", "unclosed-deep", "deep-list", "deep-object"],
)
def test_garbage_files_get_a_clear_message(organisation: Any, owner: Any, content: Any, raw: bytes) -> None:
    response = upload(client_for(owner), organisation, raw)
    assert response.status_code == 400
    assert "problem" in response.content.decode()
    assert not Assessment.objects.exists()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.sampled_from(["TE-01", "na", "SG", "3"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    profile=st.dictionaries(
        st.sampled_from(["name", "sector", "size", "ai_role", "uses_genai", "target_markets"]), json_values, max_size=6
    ),
    answers=st.lists(
        st.dictionaries(
            st.sampled_from(["question", "choice", "checked", "evidence_link", "na_justification"]),
            json_values,
            max_size=5,
        ),
        max_size=4,
    ),
)
def test_any_json_is_either_imported_or_refused_with_reasons(
    content: Any, organisation: Any, owner: Any, profile: Any, answers: Any
) -> None:
    from django.core.exceptions import ValidationError

    from scorecard.transfer import assessment_import

    payload = {
        "schema": "asean-ai-scorecard/assessment",
        "schema_version": 1,
        "framework_version": "asean-2024-2025",
        "assessment": profile,
        "answers": answers,
    }
    before = Assessment.objects.count()
    try:
        assessment_import(organisation=organisation, by=owner, raw=json.dumps(payload).encode())
    except ValidationError as exc:
        assert exc.messages and Assessment.objects.count() == before
