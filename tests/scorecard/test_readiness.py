"""Cross-border readiness: the worked example of docs/methodology.md, blockers, missing laws, no answers."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from scorecard import engine, readiness
from scorecard.engine import Phrase
from scorecard.readiness import MarketDef
from tests.scorecard.test_engine import EXAMPLE, EXAMPLE_ANSWERS, EXAMPLE_PROFILE

VN = MarketDef(
    "VN",
    "Viet Nam",
    {"TE": D("1.25"), "PD": D("1.5")},
    True,
    {"VN-01": "Law 91/2025", "VN-02": "Law 134/2025/QH15"},
    {"VN-02": "Map obligations"},
)
SG = MarketDef("SG", "Singapore", {"TE": D(1), "PD": D(1)}, True, {"SG-01": "PDPA 2012"}, {})
KH = MarketDef("KH", "Cambodia", {"TE": D(1), "PD": D(1)}, False, {}, {})
TH = MarketDef("TH", "Thailand", {"TE": D(1), "PD": D(1)}, True, {}, {})


def report(answers: dict[str, engine.AnswerValue] = EXAMPLE_ANSWERS) -> dict[str, readiness.MarketReadiness]:
    scored = engine.score_assessment(EXAMPLE, EXAMPLE_PROFILE, answers)
    return {m.code: m for m in readiness.readiness_report(scored, [VN, SG, KH, TH])}


def test_worked_example_from_the_methodology() -> None:
    markets = report()
    vn, sg, kh = markets["VN"], markets["SG"], markets["KH"]
    assert (vn.principle_component, vn.requirement_component, vn.score) == (D("71.3"), D("33.3"), D("59.9"))
    assert vn.status == readiness.NOT_READY
    assert [(b.code, b.legal_basis) for b in vn.blockers] == [("VN-02", "Law 134/2025/QH15")]
    assert vn.cells["PD"] == D("65.0") and vn.cells["TE"] == D("62.5")
    assert (sg.principle_component, sg.requirement_component, sg.score, sg.status) == (
        D("70.6"),
        D("100.0"),
        D("79.4"),
        readiness.READY,
    )
    assert (kh.score, kh.status, kh.legal_uncertainty) == (D("70.6"), readiness.CONDITIONS, True)
    assert kh.conditions == (Phrase(readiness.NO_DATA_PROTECTION_LAW),)
    # Viet Nam weighs PD at 1.5, so PD-01's failure is a condition there; VN-01 (partial) is not fully met.
    assert vn.conditions == (
        Phrase(readiness.REQUIREMENT_NOT_MET, {"requirement": "VN-01"}),
        Phrase(readiness.KEY_CONTROL_FAILED, {"key_control": "PD-01"}),
    )
    assert sg.conditions == ()


def test_a_failed_mandatory_requirement_blocks_whatever_the_score() -> None:
    perfect = {code: engine.AnswerValue("4") for code in ("TE-01", "PD-01", "PD-03", "VN-02")}
    perfect |= {
        "TE-02": engine.AnswerValue("yes"),
        "TE-03": engine.AnswerValue("checklist", tuple("abcd")),
        "TE-04": engine.AnswerValue("4"),
        "PD-02": engine.AnswerValue("yes"),
        "VN-01": engine.AnswerValue("no"),
        "SG-01": engine.AnswerValue("yes"),
    }
    vn = report(perfect)["VN"]
    assert vn.score is not None and vn.score >= D(70)
    assert vn.status == readiness.NOT_READY and [b.code for b in vn.blockers] == ["VN-01"]
    assert report(perfect)["SG"].status == readiness.READY


def test_market_without_answers_is_not_ready_and_says_why() -> None:
    markets = report({})
    assert markets["VN"].score == D(0)
    assert markets["VN"].status == readiness.NOT_READY
    assert {b.status for b in markets["VN"].blockers} == {"unanswered"}


def test_missing_data_protection_law_is_never_simply_ready() -> None:
    perfect = {c: engine.AnswerValue("4") for c in ("TE-01", "TE-04", "PD-01", "PD-03")}
    perfect |= {
        "TE-02": engine.AnswerValue("yes"),
        "TE-03": engine.AnswerValue("checklist", tuple("abcd")),
        "PD-02": engine.AnswerValue("yes"),
    }
    kh = report(perfect)["KH"]
    assert kh.score == D("100.0")
    assert kh.status == readiness.CONDITIONS
    assert kh.conditions == (Phrase(readiness.NO_DATA_PROTECTION_LAW),)  # legal uncertainty, in words


def test_markets_not_selected_are_not_reported() -> None:
    assert "TH" not in report()


def reason(market: readiness.MarketReadiness) -> Phrase:
    return readiness.status_reason(market.status, market.score, len(market.blockers), len(market.conditions))


# The sentences these phrases become are in tests/scorecard/test_wording.py.
def test_each_status_names_the_rule_that_decided_it() -> None:
    worked, empty = report(), report({})
    assert reason(worked["VN"]) == Phrase(readiness.BLOCKED, {"count": 1})
    assert reason(empty["VN"]) == Phrase(readiness.BLOCKED, {"count": 2})
    assert reason(worked["SG"]) == Phrase(readiness.READY_SCORE, {"score": D("79.4"), "threshold": D(75)})
    assert reason(worked["KH"]) == Phrase(
        readiness.BELOW_READY, {"score": D("70.6"), "threshold": D(75), "conditions": 1}
    )
    # Not ready without any blocker: only the score explains it.
    assert empty["KH"].blockers == ()
    assert reason(empty["KH"]) == Phrase(readiness.SCORE_TOO_LOW, {"score": D(0), "floor": D(50)})


def test_status_reason_from_a_stored_snapshot() -> None:
    # Snapshots store scores as floats; the reason keeps the decimal that decided the status.
    assert readiness.status_reason(readiness.NOT_READY, 49.9, 0, 0) == Phrase(
        readiness.SCORE_TOO_LOW, {"score": D("49.9"), "floor": D(50)}
    )
    assert readiness.status_reason(readiness.NOT_READY, None, 0, 0) == Phrase(readiness.NOTHING_SCORED)
    assert readiness.status_reason(readiness.CONDITIONS, 80.0, 0, 2) == Phrase(
        readiness.CONDITIONS_OPEN, {"score": D("80.0"), "threshold": D(75), "conditions": 2}
    )
    assert readiness.status_reason(readiness.CONDITIONS, 74.9, 0, 0) == Phrase(
        readiness.BELOW_READY, {"score": D("74.9"), "threshold": D(75), "conditions": 0}
    )


# The second worked example of docs/methodology.md: Thailand's obligations in the shipped November 2026
# edition, scored by the same pure engine the app uses.
THAILAND_ANSWERS = {
    "TH-LEGALBASIS": engine.AnswerValue("yes"),
    "TH-TRANSFER": engine.AnswerValue("partial"),
    "TH-BREACH": engine.AnswerValue("yes"),
    "TH-DPO": engine.AnswerValue("na", na_justification="No large-scale monitoring; no sensitive data."),
    "TH-PLATFORM": engine.AnswerValue("na", na_justification="We run no digital platform service."),
    "TH-DPIA": engine.AnswerValue("partial"),
    "TH-AI-WATCH": engine.AnswerValue("no"),
}


def thailand(content: Any, **changed: engine.AnswerValue) -> readiness.MarketReadiness:
    from scorecard.scoring import framework_for, market_defs

    framework, _ = framework_for(content)
    answers = {}
    for question in framework.questions:
        if question.section == engine.PRINCIPLE:  # every principle question at full marks
            best = max(question.options, key=lambda o: o.points)
            checked = tuple(o.code for o in question.options) if question.scale == "checklist" else ()
            answers[question.code] = engine.AnswerValue("checklist" if checked else best.code, checked)
    answers |= THAILAND_ANSWERS | changed
    scored = engine.score_assessment(framework, engine.Profile("deployer", False, frozenset({"TH"})), answers)
    (market,) = readiness.readiness_report(scored, market_defs(content, ["TH"]))
    return market


@pytest.mark.django_db
def test_worked_example_on_the_shipped_thailand_catalogue(content: Any) -> None:
    th = thailand(content)
    assert (th.principle_component, th.requirement_component, th.score) == (D("100.0"), D("62.5"), D("88.8"))
    assert th.status == readiness.CONDITIONS and not th.blockers
    assert th.conditions == tuple(
        Phrase(readiness.REQUIREMENT_NOT_MET, {"requirement": c}) for c in ("TH-TRANSFER", "TH-DPIA", "TH-AI-WATCH")
    )
    assert readiness.status_reason(th.status, th.score, 0, 3) == Phrase(
        readiness.CONDITIONS_OPEN, {"score": D("88.8"), "threshold": D(75), "conditions": 3}
    )
    # Without a transfer mechanism the mandatory PDPA duty blocks Thailand, whatever the score.
    th = thailand(content, **{"TH-TRANSFER": engine.AnswerValue("no")})
    assert (th.requirement_component, th.score, th.status) == (D("50.0"), D("85.0"), readiness.NOT_READY)
    assert [b.code for b in th.blockers] == ["TH-TRANSFER"]
    assert readiness.status_reason(th.status, th.score, 1, len(th.conditions)) == Phrase(
        readiness.BLOCKED, {"count": 1}
    )
    assert th.blockers[0].legal_basis.startswith("PDPA B.E. 2562 ss.28–29")
