"""The risk impact assessment of one AI system: answers in, risk level and recommended human involvement out.

Pure Python, no Django (a test checks), like the engine. The rules come from the published risk method
(`RiskMethod.levels`, fixtures/risk-methods/*.yaml) and are documented with a worked example in docs/risk-method.md:

* The probability of harm is the answer to the method's probability question (the highest, if it has several);
  the severity likewise. Both are steps of the method's scales, numbered from 1 (the lowest).
* Each adjustment whose yes-no question got its trigger answer (vulnerable groups affected, many people affected:
  component C.2 of the Guide) raises the severity by its number of steps, never above the scale's highest step.
* The risk level is the matrix cell at (probability, severity after the adjustments): low, medium or high.
* Each risk level calls for one level of human involvement (component C.2): high -> human-in-the-loop,
  medium -> human-over-the-loop, low -> human-out-of-the-loop, as the method says.
* A finding is raised when the system's current human involvement (from the inventory) is less than recommended,
  or is not recorded at all.

The Guide gives the two axes and the three categories, not numbers: the scales, the adjustments and the matrix are
the method's reading of it. The result speaks codes; pages and the PDF put them into words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

LOW, MEDIUM, HIGH = "low", "medium", "high"
RISK_LEVELS = (LOW, MEDIUM, HIGH)  # lowest first
IN_THE_LOOP, OVER_THE_LOOP, OUT_OF_THE_LOOP = "in", "over", "out"
INVOLVEMENTS = (OUT_OF_THE_LOOP, OVER_THE_LOOP, IN_THE_LOOP)  # least human involvement first
PROBABILITY, SEVERITY, YES_NO, TEXT = "probability", "severity", "yes-no", "text"
YES, NO = "yes", "no"

# Findings about the system's current human involvement, compared with the recommended one.
INVOLVEMENT_BELOW = "involvement-below-recommended"
INVOLVEMENT_NOT_RECORDED = "involvement-not-recorded"

SNAPSHOT_FORMAT = 1


class MissingAnswers(ValueError):
    """The answers lack what the risk level rests on (the probability or the severity); `codes` names them."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.codes = tuple(codes)
        super().__init__(self.codes)


@dataclass(frozen=True)
class ScaleStep:
    value: int
    code: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Adjustment:
    """Raise the severity by `raise_by` steps when question `question` is answered `answer`."""

    code: str
    question: str
    answer: str
    raise_by: int
    label: str = ""


@dataclass(frozen=True)
class RiskRules:
    probability: tuple[ScaleStep, ...]
    severity: tuple[ScaleStep, ...]
    matrix: tuple[tuple[str, ...], ...]  # matrix[probability - 1][severity - 1]
    involvement: Mapping[str, str]  # risk level -> human involvement
    adjustments: tuple[Adjustment, ...] = ()
    probability_questions: tuple[str, ...] = ()
    severity_questions: tuple[str, ...] = ()
    involvement_descriptions: Mapping[str, str] | None = None  # risk level -> the method's words for it

    @classmethod
    def from_method(cls, levels: Mapping[str, Any], questions: Iterable[tuple[str, str]]) -> RiskRules:
        """The rules of a method from its `levels` and its questions as (code, kind) pairs.

        `levels` is the method's English column (`services.risk.rules_levels`): the codes, values, matrix and
        involvement there are the rules. Translated copies differ only in words and are never read here, so the
        result is the same whatever language the reader uses; the words kept here are English, for logs and tests.
        """
        questions = list(questions)

        def scale(name: str) -> tuple[ScaleStep, ...]:
            return tuple(
                ScaleStep(int(s["value"]), str(s["code"]), str(s["label"]), str(s.get("description", "")))
                for s in levels[name]
            )

        return cls(
            probability=scale(PROBABILITY),
            severity=scale(SEVERITY),
            matrix=tuple(tuple(str(cell) for cell in row) for row in levels["matrix"]),
            involvement={str(e["level"]): str(e["involvement"]) for e in levels["involvement"]},
            involvement_descriptions={str(e["level"]): str(e.get("description", "")) for e in levels["involvement"]},
            adjustments=tuple(
                Adjustment(str(a["code"]), str(a["question"]), str(a["answer"]), int(a["raise"]), str(a["label"]))
                for a in levels.get("adjustments") or ()
            ),
            probability_questions=tuple(code for code, kind in questions if kind == PROBABILITY),
            severity_questions=tuple(code for code, kind in questions if kind == SEVERITY),
        )

    @property
    def top_severity(self) -> int:
        return max(step.value for step in self.severity)

    def level_for(self, probability: int, severity: int) -> str:
        return self.matrix[probability - 1][severity - 1]


@dataclass(frozen=True)
class AppliedAdjustment:
    code: str
    question: str
    raised_by: int  # the steps actually added (less than asked when the top of the scale was reached)
    severity_from: int
    severity_to: int
    capped: bool


@dataclass(frozen=True)
class RiskResult:
    probability: int
    answered_severity: int
    severity: int  # after the adjustments
    adjustments: tuple[AppliedAdjustment, ...]
    risk_level: str
    recommended_involvement: str
    current_involvement: str  # "" when the inventory does not record it
    finding: str  # "", INVOLVEMENT_BELOW or INVOLVEMENT_NOT_RECORDED

    @property
    def involvement_below(self) -> bool:
        return self.finding == INVOLVEMENT_BELOW

    def as_snapshot(self, method: str) -> dict[str, Any]:
        """The result as stored in `SystemRiskAssessment.result`: plain JSON, codes only."""
        return {
            "format": SNAPSHOT_FORMAT,
            "method": method,
            "probability": self.probability,
            "severity_answered": self.answered_severity,
            "severity": self.severity,
            "adjustments": [
                {
                    "code": a.code,
                    "question": a.question,
                    "raised_by": a.raised_by,
                    "from": a.severity_from,
                    "to": a.severity_to,
                    "capped": a.capped,
                }
                for a in self.adjustments
            ],
            "risk_level": self.risk_level,
            "recommended_involvement": self.recommended_involvement,
            "current_involvement": self.current_involvement,
            "finding": self.finding,
        }


def result_from_snapshot(snapshot: Mapping[str, Any]) -> RiskResult:
    """A stored result read back."""
    return RiskResult(
        probability=int(snapshot["probability"]),
        answered_severity=int(snapshot["severity_answered"]),
        severity=int(snapshot["severity"]),
        adjustments=tuple(
            AppliedAdjustment(
                str(a["code"]), str(a["question"]), int(a["raised_by"]), int(a["from"]), int(a["to"]), bool(a["capped"])
            )
            for a in snapshot.get("adjustments") or ()
        ),
        risk_level=str(snapshot["risk_level"]),
        recommended_involvement=str(snapshot["recommended_involvement"]),
        current_involvement=str(snapshot.get("current_involvement") or ""),
        finding=str(snapshot.get("finding") or ""),
    )


def answer_value(answers: Mapping[str, Any], code: str) -> Any:
    """The value of one answer: stored answers are {"value": ..., "note": ...}; a bare value is accepted too."""
    answer = answers.get(code)
    if isinstance(answer, Mapping):
        answer = answer.get("value")
    return None if answer in (None, "") else answer


def _highest(rules_scale: tuple[ScaleStep, ...], answers: Mapping[str, Any], codes: tuple[str, ...]) -> int | None:
    allowed = {step.value for step in rules_scale}
    values = []
    for code in codes:
        value = answer_value(answers, code)
        if value is None:
            continue
        number = int(value)
        if number not in allowed:
            raise ValueError(code)
        values.append(number)
    return max(values) if values else None


def involvement_finding(current: str, recommended: str) -> str:
    """What to flag about the current human involvement: nothing when it is at least the recommended one."""
    if current not in INVOLVEMENTS:
        return INVOLVEMENT_NOT_RECORDED
    if INVOLVEMENTS.index(current) < INVOLVEMENTS.index(recommended):
        return INVOLVEMENT_BELOW
    return ""


def assess(rules: RiskRules, answers: Mapping[str, Any], *, current_involvement: str = "") -> RiskResult:
    """The risk level of a system from its answers, and the human involvement that level calls for.

    Raises MissingAnswers when no probability or no severity answer is given.
    """
    probability = _highest(rules.probability, answers, rules.probability_questions)
    severity = _highest(rules.severity, answers, rules.severity_questions)
    missing = [
        *(rules.probability_questions if probability is None else ()),
        *(rules.severity_questions if severity is None else ()),
    ]
    if probability is None or severity is None:
        raise MissingAnswers(missing)

    answered_severity, applied = severity, []
    for adjustment in rules.adjustments:
        if answer_value(answers, adjustment.question) != adjustment.answer:
            continue
        raised = min(severity + adjustment.raise_by, rules.top_severity)
        applied.append(
            AppliedAdjustment(
                code=adjustment.code,
                question=adjustment.question,
                raised_by=raised - severity,
                severity_from=severity,
                severity_to=raised,
                capped=raised < severity + adjustment.raise_by,
            )
        )
        severity = raised

    level = rules.level_for(probability, severity)
    recommended = rules.involvement[level]
    return RiskResult(
        probability=probability,
        answered_severity=answered_severity,
        severity=severity,
        adjustments=tuple(applied),
        risk_level=level,
        recommended_involvement=recommended,
        current_involvement=current_involvement if current_involvement in INVOLVEMENTS else "",
        finding=involvement_finding(current_involvement, recommended),
    )
