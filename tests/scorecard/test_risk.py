"""The risk impact assessment's pure logic (scorecard/risk.py): every matrix cell, the adjustments, the finding,
and the worked example of docs/risk-method.md on the shipped method's numbers. No database."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from scorecard import risk
from scorecard.risk import Adjustment, MissingAnswers, RiskRules, ScaleStep, assess, result_from_snapshot

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "fixtures" / "risk-methods" / "asean-annex-a-2026-12.yaml"
DOC = ROOT / "docs" / "risk-method.md"


def shipped_rules() -> RiskRules:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    return RiskRules.from_method(data["levels"], [(q["code"], q["kind"]) for q in data["questions"]])


def scale(*labels: str) -> tuple[ScaleStep, ...]:
    return tuple(ScaleStep(i, label.lower(), label) for i, label in enumerate(labels, start=1))


# A small method of its own, so the tests of the rules do not move when the shipped content does.
RULES = RiskRules(
    probability=scale("Rare", "Possible", "Likely"),
    severity=scale("Minor", "Significant", "Severe"),
    matrix=(("low", "low", "medium"), ("low", "medium", "high"), ("medium", "high", "high")),
    involvement={"low": "out", "medium": "over", "high": "in"},
    adjustments=(Adjustment("vulnerable", "V", "yes", 1), Adjustment("many", "M", "yes", 1)),
    probability_questions=("P",),
    severity_questions=("S",),
)
EXPECTED_MATRIX = {
    (1, 1): "low",
    (1, 2): "low",
    (1, 3): "medium",
    (2, 1): "low",
    (2, 2): "medium",
    (2, 3): "high",
    (3, 1): "medium",
    (3, 2): "high",
    (3, 3): "high",
}
INVOLVEMENT_FOR = {"low": "out", "medium": "over", "high": "in"}


def answers(p: int, s: int, **yes_no: str) -> dict[str, Any]:
    given_answers: dict[str, Any] = {"P": {"value": p, "note": ""}, "S": {"value": s, "note": ""}}
    given_answers.update({code: {"value": value, "note": ""} for code, value in yes_no.items()})
    return given_answers


@pytest.mark.parametrize(("cell", "level"), sorted(EXPECTED_MATRIX.items()))
def test_every_matrix_cell_and_its_human_involvement(cell: tuple[int, int], level: str) -> None:
    probability, severity = cell
    result = assess(RULES, answers(probability, severity, V="no", M="no"), current_involvement="in")
    assert (result.probability, result.severity, result.risk_level) == (probability, severity, level)
    assert result.recommended_involvement == INVOLVEMENT_FOR[level]
    assert result.adjustments == () and result.finding == ""


def test_the_shipped_matrix_is_the_documented_one() -> None:
    rules = shipped_rules()
    assert {(p, s): rules.level_for(p, s) for p in (1, 2, 3) for s in (1, 2, 3)} == EXPECTED_MATRIX
    assert dict(rules.involvement) == INVOLVEMENT_FOR
    assert rules.probability_questions == ("HI-02",) and rules.severity_questions == ("HI-03",)
    assert [(a.question, a.answer, a.raise_by) for a in rules.adjustments] == [("HI-04", "yes", 1), ("HI-05", "yes", 1)]


def test_an_adjustment_raises_the_severity_by_one_step() -> None:
    result = assess(RULES, answers(2, 1, V="yes", M="no"))
    assert (result.answered_severity, result.severity, result.risk_level) == (1, 2, "medium")
    (applied,) = result.adjustments
    assert (applied.code, applied.severity_from, applied.severity_to, applied.raised_by, applied.capped) == (
        "vulnerable",
        1,
        2,
        1,
        False,
    )


def test_adjustments_add_up_but_never_above_the_top_step() -> None:
    both = assess(RULES, answers(1, 1, V="yes", M="yes"))
    assert both.severity == 3 and both.risk_level == "medium"
    assert [(a.severity_from, a.severity_to) for a in both.adjustments] == [(1, 2), (2, 3)]
    capped = assess(RULES, answers(1, 2, V="yes", M="yes"))
    assert capped.severity == 3
    assert [(a.raised_by, a.capped) for a in capped.adjustments] == [(1, False), (0, True)]


def test_a_no_or_a_missing_answer_triggers_no_adjustment() -> None:
    assert assess(RULES, answers(2, 2, V="no")).adjustments == ()
    assert assess(RULES, answers(2, 2)).severity == 2


@pytest.mark.parametrize(
    ("current", "recommended_for", "finding"),
    [
        ("out", (3, 3), risk.INVOLVEMENT_BELOW),  # high risk, nobody in the loop
        ("over", (3, 3), risk.INVOLVEMENT_BELOW),
        ("in", (3, 3), ""),
        ("out", (2, 2), risk.INVOLVEMENT_BELOW),  # medium risk calls for over the loop
        ("over", (2, 2), ""),
        ("in", (1, 1), ""),  # more involvement than needed is no finding
        ("", (1, 1), risk.INVOLVEMENT_NOT_RECORDED),
        ("sometimes", (1, 1), risk.INVOLVEMENT_NOT_RECORDED),
    ],
)
def test_the_current_involvement_is_compared_with_the_recommended(
    current: str, recommended_for: tuple[int, int], finding: str
) -> None:
    result = assess(RULES, answers(*recommended_for), current_involvement=current)
    assert result.finding == finding
    assert result.involvement_below == (finding == risk.INVOLVEMENT_BELOW)


def test_missing_probability_or_severity_is_named() -> None:
    with pytest.raises(MissingAnswers) as missing:
        assess(RULES, {"P": {"value": 2, "note": ""}, "S": {"value": None, "note": "unsure"}})
    assert missing.value.codes == ("S",)
    with pytest.raises(MissingAnswers) as both:
        assess(RULES, {})
    assert both.value.codes == ("P", "S")


def test_a_value_outside_the_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="P"):
        assess(RULES, answers(4, 1))


def test_the_snapshot_is_plain_json_of_codes_and_reads_back() -> None:
    result = assess(RULES, answers(2, 2, V="yes", M="yes"), current_involvement="over")
    snapshot = result.as_snapshot("test-method")
    assert snapshot == {
        "format": 1,
        "method": "test-method",
        "probability": 2,
        "severity_answered": 2,
        "severity": 3,
        "adjustments": [
            {"code": "vulnerable", "question": "V", "raised_by": 1, "from": 2, "to": 3, "capped": False},
            {"code": "many", "question": "M", "raised_by": 0, "from": 3, "to": 3, "capped": True},
        ],
        "risk_level": "high",
        "recommended_involvement": "in",
        "current_involvement": "over",
        "finding": risk.INVOLVEMENT_BELOW,
    }
    assert result_from_snapshot(snapshot) == result


# --- the worked example of docs/risk-method.md ------------------------------------------------------------------


def _doc_table(marker: str) -> dict[str, str]:
    """The first two columns of the table between `<!-- marker -->` and `<!-- /marker -->` in the doc."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split(f"<!-- {marker} -->")[1].split(f"<!-- /{marker} -->")[0]
    rows = [line.strip().strip("|").split("|") for line in block.strip().splitlines()[2:]]
    return {cells[0].strip(): cells[1].strip() for cells in rows}


def test_worked_example_from_the_docs() -> None:
    """The credit-scoring system serving Thailand and Viet Nam, on the shipped method's numbers."""
    given_answers = _doc_table("risk-worked-example-answers")
    expected = _doc_table("risk-worked-example-result")
    assert set(given_answers) == {"HI-02", "HI-03", "HI-04", "HI-05"}
    stored = {
        code: {"value": int(value) if value.isdigit() else value, "note": ""} for code, value in given_answers.items()
    }
    # The inventory records credit officers supervising and able to override: human-over-the-loop.
    result = assess(shipped_rules(), stored, current_involvement="over")
    assert str(result.probability) == expected["probability"]
    assert str(result.severity) == expected["severity"]
    assert result.risk_level == expected["risk level"]
    assert result.recommended_involvement == expected["recommended involvement"]
    assert result.finding == expected["finding"]
    # The steps the doc walks through: raised from 2 to 3 by HI-04, then HI-05 capped at the top.
    assert [(a.question, a.severity_from, a.severity_to, a.capped) for a in result.adjustments] == [
        ("HI-04", 2, 3, False),
        ("HI-05", 3, 3, True),
    ]
    doc = DOC.read_text(encoding="utf-8")
    assert re.search(r"probability 2 and severity 3 gives \*\*high\*\* risk", doc)


# --- properties -------------------------------------------------------------------------------------------------

LEVEL_RANK = {"low": 0, "medium": 1, "high": 2}
INVOLVEMENT_RANK = {"out": 0, "over": 1, "in": 2}


@given(
    p=st.integers(1, 3),
    s=st.integers(1, 3),
    vulnerable=st.sampled_from(["yes", "no"]),
    many=st.sampled_from(["yes", "no"]),
)
def test_more_probability_severity_or_adjustments_never_lower_the_risk(
    p: int, s: int, vulnerable: str, many: str
) -> None:
    rules = shipped_rules()
    base = assess(rules, {"HI-02": p, "HI-03": s, "HI-04": vulnerable, "HI-05": many})
    assert 1 <= base.severity <= 3 and base.severity >= base.answered_severity
    for more in (
        {"HI-02": min(p + 1, 3), "HI-03": s, "HI-04": vulnerable, "HI-05": many},
        {"HI-02": p, "HI-03": min(s + 1, 3), "HI-04": vulnerable, "HI-05": many},
        {"HI-02": p, "HI-03": s, "HI-04": "yes", "HI-05": many},
    ):
        higher = assess(rules, more)
        assert LEVEL_RANK[higher.risk_level] >= LEVEL_RANK[base.risk_level]
        assert INVOLVEMENT_RANK[higher.recommended_involvement] >= INVOLVEMENT_RANK[base.recommended_involvement]


def test_risk_imports_nothing_from_django_and_speaks_codes() -> None:
    tree = ast.parse((ROOT / "scorecard" / "risk.py").read_text(encoding="utf-8"))
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(name.startswith("django") for name in imported), imported
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]
    assert not [t for t in texts if " " in t]
