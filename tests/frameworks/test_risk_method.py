"""Risk impact assessment methods as content: the shipped file, validation that lists every problem and loads
nothing, published methods that never change, repeatable loading, and the admin."""

from __future__ import annotations

import copy
import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from frameworks.content import ContentError
from frameworks.models import RiskMethod, RiskQuestion
from frameworks.risk_loading import load_risk_method, method_to_data, validate_risk_method
from tests.factories import RiskAssessmentFactory, UserFactory

pytestmark = pytest.mark.django_db

SHIPPED = Path(__file__).resolve().parents[2] / "fixtures" / "risk-methods" / "asean-annex-a-2026-12.yaml"
CODE = "asean-annex-a-2026-12"


def shipped_data() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def write(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / f"{data['code']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_the_shipped_method_is_loaded_published_and_current(content: Any) -> None:
    method = RiskMethod.objects.get(code=CODE)
    assert method.status == "published" and method.published_at and method.released_on == dt.date(2026, 12, 4)
    assert RiskMethod.current() == method
    questions = list(method.questions.all())
    assert 15 <= len(questions) <= 20
    assert {q.section for q in questions} == set(RiskQuestion.Section.values)
    assert [q.code for q in questions if q.kind == "probability"] == ["HI-02"]
    assert [q.code for q in questions if q.kind == "severity"] == ["HI-03"]
    assert all(q.annex_ref.startswith("Annex A") for q in questions)
    assert method.levels["matrix"] == [["low", "low", "medium"], ["low", "medium", "high"], ["medium", "high", "high"]]
    assert {e["level"]: e["involvement"] for e in method.levels["involvement"]} == {
        "high": "in",
        "medium": "over",
        "low": "out",
    }
    # It cites the Guide itself, never our files or third-party readings of it.
    assert {(s["publisher"], s["title"]) for s in method.sources} == {
        ("ASEAN", "ASEAN Guide on AI Governance and Ethics")
    }
    parts = " ".join(s["part"] for s in method.sources)
    assert "Component C.2" in parts and "Annex A" in parts
    assert "CIRIS" not in SHIPPED.read_text() and "FACTS" not in SHIPPED.read_text()
    # The description says plainly that the numbers are this tool's reading.
    assert "this tool's reading" in method.description and "not the Guide's own numbers" in method.description
    assert method_to_data(method)["questions"][0]["code"] == "OB-01"


def test_reloading_is_a_no_op(content: Any) -> None:
    before = RiskMethod.objects.get(code=CODE)
    result = load_risk_method(SHIPPED)
    assert not result.created and result.method.pk == before.pk
    out = StringIO()
    call_command("load_content", stdout=out)
    assert f"The risk method {CODE} is already loaded and unchanged." in out.getvalue()
    assert RiskMethod.objects.filter(code=CODE).count() == 1
    assert RiskQuestion.objects.filter(method=before).count() == len(shipped_data()["questions"])


def test_a_bad_file_is_refused_with_every_problem_and_nothing_loaded(content: Any, tmp_path: Path) -> None:
    data = shipped_data()
    data["code"] = "bad-method"
    data["colour"] = "red"  # unknown field
    data["sources"][0]["title"] = "Our notes on the Guide"  # not a document
    data["description"] += " See FACTS-v2.md."  # an internal file
    data["levels"]["matrix"][1] = ["low", "high"]  # a row too short
    data["levels"]["matrix"][2] = ["medium", "low", "high"]  # falls as severity rises
    data["levels"]["adjustments"][0]["question"] = "HI-01"  # a text question
    data["levels"]["adjustments"][1]["question"] = "HI-99"  # no such question
    data["levels"]["involvement"][0]["involvement"] = "out"  # high risk calling for less than medium
    data["questions"] = [q for q in data["questions"] if q["section"] != "stakeholders"]
    data["questions"][3]["kind"] = "maybe"
    data["questions"][4]["code"] = data["questions"][3]["code"]  # a code used twice
    hi03 = next(q for q in data["questions"] if q["code"] == "HI-03")
    hi03["required"] = False
    path = write(tmp_path, data)
    methods, questions = RiskMethod.objects.count(), RiskQuestion.objects.count()

    with pytest.raises(ContentError) as refused:
        load_risk_method(path)
    messages = [str(p) for p in refused.value.problems]
    expected = [
        "bad-method.yaml: colour: unknown field",
        "bad-method.yaml: source 1 > title: must name a public document",
        "bad-method.yaml: description: mentions 'FACTS-v2': cite public documents only",
        "bad-method.yaml: levels > matrix: row 2 has 2 cells; the severity scale has 3 steps",
        "bad-method.yaml: levels > adjustment 1 > question: HI-01 must be a yes-no question",
        "bad-method.yaml: levels > adjustment 2 > question: 'HI-99' is not a question of this method",
        "bad-method.yaml: levels > involvement: a higher risk level must never call for less human involvement",
        "bad-method.yaml: questions: no question in the Annex A section 'stakeholders'",
        "'maybe' is not one of: probability, severity, yes-no, text",
        "is used twice",
        "bad-method.yaml: question HI-03 > required: a severity question must be answered",
    ]
    for message in expected:
        assert any(message in m for m in messages), (message, messages)
    assert RiskMethod.objects.count() == methods and RiskQuestion.objects.count() == questions
    assert not RiskMethod.objects.filter(code="bad-method").exists()

    # The command says the same, all at once.
    with pytest.raises(CommandError) as failed:
        call_command("load_content", str(path))
    assert f"Nothing was loaded from {path}; fix these {len(messages)} problem(s)" in str(failed.value)


def test_a_falling_matrix_is_refused(tmp_path: Path) -> None:
    data = shipped_data()
    data["levels"]["matrix"][2] = ["medium", "low", "high"]
    problems = [str(p) for p in validate_risk_method(data)]
    assert problems == [
        f"{CODE}.yaml: levels > matrix: row 3, cell 2: the risk level must not fall as severity or probability rises"
    ]


def test_the_file_must_be_named_after_the_code_and_be_yaml(tmp_path: Path) -> None:
    data = shipped_data()
    path = tmp_path / "other-name.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ContentError, match="differs from the file name 'other-name'"):
        load_risk_method(path)
    broken = tmp_path / "broken.yaml"
    broken.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"broken.yaml: line \d+: not valid YAML"):
        load_risk_method(broken)


def test_a_changed_published_method_is_refused_and_a_new_code_makes_a_new_method(content: Any, tmp_path: Path) -> None:
    published = RiskMethod.objects.get(code=CODE)
    risk = RiskAssessmentFactory(method=published)
    data = shipped_data()
    data["levels"]["matrix"][0] = ["low", "medium", "high"]
    with pytest.raises(ContentError, match="is published and cannot change; give the changed method a new code"):
        load_risk_method(write(tmp_path, data))
    published.refresh_from_db()
    assert published.levels["matrix"][0] == ["low", "low", "medium"]

    data["code"], data["released"] = "asean-annex-a-2027-06", dt.date(2027, 6, 1)
    result = load_risk_method(write(tmp_path, data))
    assert result.created and result.method.status == "published"
    assert RiskMethod.current() == result.method  # new risk assessments use it
    risk.refresh_from_db()
    assert risk.method == published  # the old one keeps its method


def test_a_draft_is_replaced_and_published_from_the_admin(content: Any, tmp_path: Path) -> None:
    data = shipped_data()
    data["code"], data["released"] = "asean-annex-a-draft", dt.date(2027, 1, 1)
    path = write(tmp_path, data)
    out = StringIO()
    call_command("load_content", str(path), "--draft", stdout=out)
    draft = RiskMethod.objects.get(code="asean-annex-a-draft")
    assert draft.status == "draft" and RiskMethod.current().code == CODE  # a draft is never current
    data["title"] = "A retitled draft"
    load_risk_method(write(tmp_path, data), publish=False)
    assert RiskMethod.objects.get(code="asean-annex-a-draft").title == "A retitled draft"

    staff = Client()
    staff.force_login(UserFactory(email="staff@example.org", is_staff=True, is_superuser=True))
    draft = RiskMethod.objects.get(code="asean-annex-a-draft")
    # A broken draft is not published: the same validation as a file.
    RiskQuestion.objects.filter(method=draft, kind="probability").update(kind="text")
    changelist = reverse("admin:frameworks_riskmethod_changelist")
    refused = staff.post(changelist, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert "was not published" in refused.content.decode() and "needs at least one probability question" in (
        refused.content.decode()
    )
    RiskQuestion.objects.filter(method=draft, code="HI-02").update(kind="probability")
    staff.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == "published" and RiskMethod.current() == draft


def test_a_published_method_is_read_only_in_the_admin(content: Any) -> None:
    staff = Client()
    staff.force_login(UserFactory(email="staff@example.org", is_staff=True, is_superuser=True))
    method = RiskMethod.objects.get(code=CODE)
    url = reverse("admin:frameworks_riskmethod_change", args=[method.pk])
    page = staff.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "is published" in text and 'name="_save"' not in text and "HI-02" in text
    before = copy.deepcopy(method.levels)
    staff.post(url, {"title": "Hijacked?", "levels": "{}"})
    method.refresh_from_db()
    assert method.title.startswith("AI risk impact assessment") and method.levels == before
    assert staff.get(reverse("admin:frameworks_riskmethod_changelist")).status_code == 200
