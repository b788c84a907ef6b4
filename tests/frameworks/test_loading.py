"""Loading, validating, exporting and versioning the reference content."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from frameworks.content import ContentError, read_content, validate_content, write_content
from frameworks.exporting import export_version
from frameworks.loading import load_content
from frameworks.models import FrameworkVersion, Option, Principle, Question
from frameworks.versioning import version_clone, version_diff, version_publish
from tests.conftest import CONTENT_DIR

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        FrameworkVersion.objects.count(),
        Principle.objects.count(),
        Question.objects.count(),
        Option.objects.count(),
    )


def shipped() -> dict[str, Any]:
    return read_content(CONTENT_DIR)


def renamed(data: dict[str, Any], code: str = "asean-test") -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["version"]["code"] = code
    return data


def test_shipped_content_is_valid_and_loaded(content: FrameworkVersion) -> None:
    assert validate_content(shipped()) == []
    assert content.status == FrameworkVersion.Status.PUBLISHED
    assert FrameworkVersion.objects.current() == content


def test_reloading_unchanged_content_is_a_no_op(content: FrameworkVersion) -> None:
    before = counts()
    result = load_content(CONTENT_DIR)
    assert result.created is False and result.version == content
    assert counts() == before


def test_load_then_export_gives_the_same_files(content: FrameworkVersion, tmp_path: Path) -> None:
    export_version(content, tmp_path)
    for original in sorted(CONTENT_DIR.glob("*.yaml")):
        assert (tmp_path / original.name).read_text(encoding="utf-8") == original.read_text(encoding="utf-8"), original


def _break(data: dict[str, Any], how: str) -> None:
    questions = data["guide"]["questions"]
    if how == "unknown principle":
        questions[0]["principle"] = "XX"
    elif how == "duplicate code":
        questions[1]["code"] = questions[0]["code"]
    elif how == "points out of range":
        questions[0]["options"] = [{"code": "a", "label": "A", "points": 11}]
    elif how == "weight out of range":
        questions[0]["weight"] = 50
    elif how == "principle without questions":
        data["guide"]["questions"] = [q for q in questions if q["principle"] != "FE"]
    elif how == "market without weights":
        del data["countries"]["countries"][0]["weights"]["PD"]
    elif how == "fact without source":
        del data["countries"]["countries"][0]["facts"][0]["sources"]
    elif how == "reserved option code":
        questions[0]["options"] = [{"code": "na", "label": "A", "points": 1}]
    elif how == "unknown field":
        questions[0]["colour"] = "blue"
    elif how == "bad date":
        data["countries"]["countries"][0]["member_since"] = "sometime in 1984"
    elif how == "GenAI risk unknown":
        data["genai"]["items"][0]["risks"] = ["R-NOPE"]
    elif how == "dimension without items":
        data["genai"]["items"] = [i for i in data["genai"]["items"] if i["dimension"] != "D-PUB"]
    elif how == "principle given as a list":
        questions[0]["principle"] = ["TE"]
    elif how == "risk given as a mapping":
        data["genai"]["items"][0]["risks"] = [{"code": "R-MIS"}]
    elif how == "unknown confidence":
        data["countries"]["countries"][0]["facts"][0]["confidence"] = "sure"
    else:  # pragma: no cover
        raise AssertionError(how)


BAD = {
    "unknown principle": ("guide", "question TE-01", "principle"),
    "duplicate code": ("guide", "question TE-01", "code"),
    "points out of range": ("guide", "question TE-01 > option 1", "points"),
    "weight out of range": ("guide", "question TE-01", "weight"),
    "principle without questions": ("guide", "principle FE", "questions"),
    "market without weights": ("countries", "country BN", "weights"),
    "fact without source": ("countries", "country BN > fact BN-F01", "sources"),
    "reserved option code": ("guide", "question TE-01 > option 1", "code"),
    "unknown field": ("guide", "question TE-01", "colour"),
    "bad date": ("countries", "country BN", "member_since"),
    "GenAI risk unknown": ("genai", "question GA-01", "risks"),
    "dimension without items": ("genai", "dimension D-PUB", "items"),
    "unknown confidence": ("countries", "country BN > fact BN-F01", "confidence"),
    "principle given as a list": ("guide", "question TE-01", "principle"),
    "risk given as a mapping": ("genai", "question GA-01", "risks"),
}


@pytest.mark.parametrize("how", sorted(BAD))
def test_bad_content_is_refused_with_file_record_and_field_and_changes_nothing(content: Any, how: str) -> None:
    data = renamed(shipped())
    _break(data, how)
    before = counts()
    with pytest.raises(ContentError) as caught:
        load_content(data)
    file, record, field = BAD[how]
    assert any(p.file == file and p.record == record and p.field == field for p in caught.value.problems), [
        str(p) for p in caught.value.problems
    ]
    assert counts() == before


def test_yaml_syntax_error_names_the_file_and_line(content: Any, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(CONTENT_DIR, folder)
    (folder / "genai.yaml").write_text("risks:\n  - code: R-MIS\n  name: [unclosed\n", encoding="utf-8")
    before = counts()
    with pytest.raises(CommandError) as caught:
        call_command("load_content", str(folder))
    assert "genai.yaml" in str(caught.value) and "line" in str(caught.value)
    assert "Nothing was loaded" in str(caught.value)
    assert counts() == before


def test_missing_file_is_reported(tmp_path: Path) -> None:
    shutil.copytree(CONTENT_DIR, tmp_path / "c")
    (tmp_path / "c" / "countries.yaml").unlink()
    with pytest.raises(ContentError, match=r"countries.yaml: file is missing"):
        read_content(tmp_path / "c")


def test_published_version_cannot_be_overwritten(content: Any) -> None:
    data = shipped()
    data["guide"]["principles"][0]["name"] = "Something else"
    before = counts()
    with pytest.raises(ContentError, match="published and cannot change"):
        load_content(data)
    assert counts() == before
    assert Principle.objects.get(version=content, code="TE").name == "Transparency and Explainability"


def test_draft_clone_edit_publish_and_diff(content: FrameworkVersion) -> None:
    draft = version_clone(source=content, code="asean-next", label="next")
    assert draft.status == "draft" and draft.based_on == content
    assert Question.objects.filter(version=draft).count() == Question.objects.filter(version=content).count()
    Question.objects.filter(version=draft, code="TE-01").update(text="Reworded question?")
    Question.objects.filter(version=draft, code="FE-01").update(weight=3)
    Question.objects.filter(version=draft, code="RR-06").delete()
    changes = {(c.kind, c.what) for c in version_diff(content, draft)}
    assert ("reworded", "question TE-01") in changes
    assert ("re-weighted", "question FE-01") in changes
    assert ("removed", "question RR-06") in changes
    published = version_publish(version=draft, label="Next edition")
    assert published.status == "published" and published.label == "Next edition"
    assert FrameworkVersion.objects.current() == published
    # The original is untouched.
    assert Question.objects.get(version=content, code="TE-01").text.startswith("Do you tell people")


def test_publish_runs_the_same_validation(content: FrameworkVersion) -> None:
    draft = version_clone(source=content, code="asean-broken", label="broken")
    Question.objects.filter(version=draft, principle__code="HC").delete()
    with pytest.raises(ContentError, match="principle HC > questions: has no questions"):
        version_publish(version=draft, label="Broken edition")
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_write_content_then_read_round_trips(tmp_path: Path) -> None:
    data = shipped()
    write_content(data, tmp_path)
    assert read_content(tmp_path) == data


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=6)
    | st.sampled_from(["TE", "R-MIS", "maturity", "2024-01-01", "?"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_validation_reports_any_bad_value_instead_of_crashing(data: st.DataObject) -> None:
    content = shipped()
    file = data.draw(st.sampled_from(["version", "guide", "genai", "countries", "instruments"]))
    target = content[file]
    # Walk down a random path of mappings and lists, then replace what is there with random JSON.
    for _ in range(data.draw(st.integers(0, 3))):
        if isinstance(target, dict) and target:
            key = data.draw(st.sampled_from(sorted(target)))
            if not isinstance(target[key], dict | list) or not target[key]:
                break
            target = target[key]
        elif isinstance(target, list) and target:
            item = target[data.draw(st.integers(0, len(target) - 1))]
            if not isinstance(item, dict | list) or not item:
                break
            target = item
    if isinstance(target, dict) and target:
        target[data.draw(st.sampled_from(sorted(target)))] = data.draw(json_values)
    elif isinstance(target, list) and target:
        target[data.draw(st.integers(0, len(target) - 1))] = data.draw(json_values)
    problems = validate_content(content)
    assert all(p.file in {"version", "guide", "genai", "countries", "instruments"} and p.message for p in problems)
