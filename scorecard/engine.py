"""Pure scoring: a framework definition and answers in, results out. No Django imports (a test checks).

The rules, documented with a worked example in docs/methodology.md:

* A question's result is its points: the chosen option's points, or for a checklist the sum of the ticked
  practices. "Don't know" and unanswered score 0. A justified N/A (only where the question allows it)
  removes the question from both the points and the maximum.
* An area's score (a principle, a GenAI dimension) is 100 x sum(weight x points) / sum(weight x maximum)
  over its applicable questions, rounded to one decimal. With nothing to score it is None ("not scored").
* Maturity levels come from score bands (`LEVEL_BANDS`). A key control "fails" when it earns less than half
  its maximum; a failed key control caps its principle at level 2 and the overall level at 3.
* The overall score is the principle-weighted mean of the principle scores that exist.
* The action plan lists every gap: failed key controls and failed mandatory market requirements first, then
  the rest by impact = question weight x share of its maximum missing.

The engine speaks codes, never sentences: a level is a number, a priority a code, and what to do next a `Phrase`
(a code and its parameters). scorecard/wording.py says them in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

NOT_APPLICABLE = "na"
DONT_KNOW = "unknown"
CHECKLIST = "checklist"

PRINCIPLE, GENAI, MARKET = "principle", "genai", "market"
OVERALL, GENAI_AREA = "OVERALL", "GENAI"  # the codes of the two areas the engine adds to the content's
KEY_CONTROL_PASS = Decimal("0.5")
KEY_CONTROL_PRINCIPLE_CAP = 2
KEY_CONTROL_OVERALL_CAP = 3
ZERO = Decimal(0)
HUNDRED = Decimal(100)

# (lower bound inclusive, level). A score of 100 is level 5. Levels are numbers; their names are words
# (scorecard/wording.py: 5 Optimised, 4 Managed, 3 Defined, 2 Developing, 1 Initial).
LEVEL_BANDS: tuple[tuple[Decimal, int], ...] = (
    (Decimal(80), 5),
    (Decimal(60), 4),
    (Decimal(40), 3),
    (Decimal(20), 2),
    (Decimal(0), 1),
)

# Action plan priorities, most urgent first.
KEY_CONTROL_PRIORITY, MANDATORY_PRIORITY, GAP_PRIORITY = "key-control", "mandatory-requirement", "gap"
PRIORITIES = (KEY_CONTROL_PRIORITY, MANDATORY_PRIORITY, GAP_PRIORITY)

# What would raise a question's score (a QuestionResult's next_step).
REACH_OPTION = "reach-option"  # params: option (its code), gain (points gained)
PUT_IN_PLACE = "put-in-place"  # params: practices (the codes of the checklist options not ticked)


@dataclass(frozen=True)
class Phrase:
    """A sentence kept as a code and its parameters, so that it can be said in any language later.

    Parameters are codes and numbers only (never words): scorecard/wording.py turns a phrase into text, and a
    results snapshot stores it as {"code": ..., "params": {...}}.
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params)}


# --- inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionDef:
    code: str
    points: Decimal
    label: str = ""


@dataclass(frozen=True)
class QuestionDef:
    code: str
    section: str  # PRINCIPLE, GENAI or MARKET
    principle: str
    weight: Decimal
    scale: str
    options: tuple[OptionDef, ...]
    key_control: bool = False
    allow_na: bool = False
    applies_to: str = "any"  # any, developer, deployer
    requires_genai: bool = False
    dimension: str | None = None
    risks: tuple[str, ...] = ()
    market: str | None = None
    mandatory: bool = False
    text: str = ""
    recommendation: str = ""
    legal_basis: str = ""

    @property
    def max_points(self) -> Decimal:
        points = [o.points for o in self.options]
        return sum(points, ZERO) if self.scale == CHECKLIST else max(points, default=ZERO)


@dataclass(frozen=True)
class AreaDef:
    code: str
    name: str
    weight: Decimal = Decimal(1)


@dataclass(frozen=True)
class Framework:
    principles: tuple[AreaDef, ...]
    questions: tuple[QuestionDef, ...]
    dimensions: tuple[AreaDef, ...] = ()
    risks: tuple[AreaDef, ...] = ()


@dataclass(frozen=True)
class Profile:
    ai_role: str  # developer, deployer, both
    uses_genai: bool
    markets: frozenset[str] = frozenset()


@dataclass(frozen=True)
class AnswerValue:
    choice: str = ""
    checked: tuple[str, ...] = ()
    na_justification: str = ""


# --- outputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionResult:
    code: str
    section: str
    principle: str
    status: str  # answered, na, unknown, unanswered
    points: Decimal
    max_points: Decimal  # 0 when N/A
    weight: Decimal
    key_control: bool
    failed_key_control: bool
    mandatory_failed: bool
    next_step: Phrase | None  # what answer would raise the score; None when full marks or N/A

    @property
    def weighted_points(self) -> Decimal:
        return self.weight * self.points

    @property
    def weighted_max(self) -> Decimal:
        return self.weight * self.max_points

    @property
    def is_gap(self) -> bool:
        return self.status != "na" and self.points < self.max_points

    @property
    def share_missing(self) -> Decimal:
        return (self.max_points - self.points) / self.max_points if self.max_points else ZERO


@dataclass(frozen=True)
class AreaScore:
    code: str
    name: str
    score: Decimal | None
    points: Decimal
    max_points: Decimal
    level: int | None  # 1-5, None when not scored
    capped: bool
    failed_key_controls: tuple[str, ...]
    answered: int
    applicable: int
    questions: tuple[QuestionResult, ...] = field(repr=False, default=())

    @property
    def completeness(self) -> Decimal:
        return _pct(Decimal(self.answered), Decimal(self.applicable)) if self.applicable else HUNDRED


@dataclass(frozen=True)
class ActionItem:
    rank: int
    code: str
    principle: str
    section: str
    priority: str  # KEY_CONTROL_PRIORITY, MANDATORY_PRIORITY or GAP_PRIORITY
    impact: Decimal
    points: Decimal
    max_points: Decimal
    recommendation: str
    next_step: Phrase | None


@dataclass(frozen=True)
class AssessmentScore:
    overall: AreaScore
    principles: tuple[AreaScore, ...]
    genai: AreaScore | None
    dimensions: tuple[AreaScore, ...]
    risks: tuple[AreaScore, ...]
    requirements: Mapping[str, tuple[QuestionResult, ...]]  # market code -> results
    actions: tuple[ActionItem, ...]
    answered: int
    applicable: int

    @property
    def completeness(self) -> Decimal:
        return _pct(Decimal(self.answered), Decimal(self.applicable)) if self.applicable else HUNDRED

    def principle(self, code: str) -> AreaScore:
        return next(p for p in self.principles if p.code == code)


# --- rules -----------------------------------------------------------------------------------------


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return _round(HUNDRED * part / whole)


def level_for(score: Decimal | None) -> int | None:
    """The maturity level (1-5) of a score's band; None when the area is not scored."""
    if score is None:
        return None
    return next((level for lower, level in LEVEL_BANDS if score >= lower), 1)


def is_applicable(question: QuestionDef, profile: Profile) -> bool:
    """Whether the profile makes the question apply: role, GenAI use, and chosen markets."""
    if question.applies_to == "developer" and profile.ai_role not in ("developer", "both"):
        return False
    if question.applies_to == "deployer" and profile.ai_role not in ("deployer", "both"):
        return False
    if question.requires_genai and not profile.uses_genai:
        return False
    return not (question.market and question.market not in profile.markets)


def question_result(question: QuestionDef, answer: AnswerValue | None) -> QuestionResult:
    answer = answer or AnswerValue()
    maximum = question.max_points
    points = ZERO
    status = "unanswered"
    if answer.choice == NOT_APPLICABLE and question.allow_na and answer.na_justification.strip():
        status, maximum = "na", ZERO
    elif answer.choice == DONT_KNOW:
        status = "unknown"
    elif question.scale == CHECKLIST and answer.choice == CHECKLIST:
        ticked = set(answer.checked)
        points = sum((o.points for o in question.options if o.code in ticked), ZERO)
        status = "answered"
    else:
        chosen = next((o for o in question.options if o.code == answer.choice), None)
        if chosen is not None:
            points, status = chosen.points, "answered"
    below_pass = status != "na" and maximum > 0 and points < KEY_CONTROL_PASS * maximum
    return QuestionResult(
        code=question.code,
        section=question.section,
        principle=question.principle,
        status=status,
        points=points,
        max_points=maximum,
        weight=question.weight,
        key_control=question.key_control,
        failed_key_control=question.key_control and below_pass,
        mandatory_failed=question.section == MARKET and question.mandatory and below_pass,
        next_step=_next_step(question, points, answer) if status != "na" else None,
    )


def _next_step(question: QuestionDef, points: Decimal, answer: AnswerValue) -> Phrase | None:
    """The practices not yet in place (checklist), or the next option up and the points it adds."""
    if question.scale == CHECKLIST:
        missing = [o.code for o in question.options if o.code not in set(answer.checked)]
        return Phrase(PUT_IN_PLACE, {"practices": missing}) if missing else None
    better = sorted((o for o in question.options if o.points > points), key=lambda o: o.points)
    if not better:
        return None
    step = better[0]
    return Phrase(REACH_OPTION, {"option": step.code, "gain": step.points - points})


def area_score(code: str, name: str, results: Iterable[QuestionResult], *, cap_on_key_control: bool) -> AreaScore:
    results = tuple(results)
    points = sum((r.weighted_points for r in results), ZERO)
    maximum = sum((r.weighted_max for r in results), ZERO)
    score = _pct(points, maximum) if maximum else None
    level = level_for(score)
    failed = tuple(r.code for r in results if r.failed_key_control)
    capped = False
    if cap_on_key_control and failed and level is not None and level > KEY_CONTROL_PRINCIPLE_CAP:
        level, capped = KEY_CONTROL_PRINCIPLE_CAP, True
    answered = sum(1 for r in results if r.status != "unanswered")
    return AreaScore(code, name, score, points, maximum, level, capped, failed, answered, len(results), results)


def _overall(
    principles: tuple[AreaScore, ...], weights: Mapping[str, Decimal], answered: int, applicable: int
) -> AreaScore:
    scored = [p for p in principles if p.score is not None]
    weight_sum = sum((weights[p.code] for p in scored), ZERO)
    weighted = sum((weights[p.code] * p.score for p in scored if p.score is not None), ZERO)
    score = _round(weighted / weight_sum) if weight_sum else None
    level = level_for(score)
    failed = tuple(code for p in principles for code in p.failed_key_controls)
    capped = False
    if failed and level is not None and level > KEY_CONTROL_OVERALL_CAP:
        level, capped = KEY_CONTROL_OVERALL_CAP, True
    return AreaScore(
        OVERALL,
        "",  # named at the edge (scorecard/wording.py), like the GenAI supplement
        score,
        weighted,
        HUNDRED * weight_sum,
        level,
        capped,
        failed,
        answered,
        applicable,
    )


def action_plan(results: Iterable[QuestionResult], questions: Mapping[str, QuestionDef]) -> tuple[ActionItem, ...]:
    def priority(r: QuestionResult) -> str:
        if r.failed_key_control:
            return KEY_CONTROL_PRIORITY
        if r.mandatory_failed:
            return MANDATORY_PRIORITY
        return GAP_PRIORITY

    gaps = [r for r in results if r.is_gap]
    # Why: a failed key control or mandatory requirement blocks a level or a market whatever its weight.
    gaps.sort(key=lambda r: (priority(r) == GAP_PRIORITY, -(r.weight * r.share_missing), r.code))
    return tuple(
        ActionItem(
            rank=i,
            code=r.code,
            principle=r.principle,
            section=r.section,
            priority=priority(r),
            impact=(r.weight * r.share_missing).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            points=r.points,
            max_points=r.max_points,
            recommendation=questions[r.code].recommendation,
            next_step=r.next_step,
        )
        for i, r in enumerate(gaps, start=1)
    )


def score_assessment(framework: Framework, profile: Profile, answers: Mapping[str, AnswerValue]) -> AssessmentScore:
    """Score every applicable question and roll the results up. Answers to other questions are ignored."""
    applicable = [q for q in framework.questions if is_applicable(q, profile)]
    results = {q.code: question_result(q, answers.get(q.code)) for q in applicable}
    by_code = {q.code: q for q in applicable}

    principles = tuple(
        area_score(
            p.code,
            p.name,
            (results[q.code] for q in applicable if q.section == PRINCIPLE and q.principle == p.code),
            cap_on_key_control=True,
        )
        for p in framework.principles
    )
    genai_questions = [q for q in applicable if q.section == GENAI]
    genai = (
        area_score(GENAI_AREA, "", (results[q.code] for q in genai_questions), cap_on_key_control=False)
        if genai_questions
        else None
    )
    dimensions = (
        tuple(
            area_score(
                d.code,
                d.name,
                (results[q.code] for q in genai_questions if q.dimension == d.code),
                cap_on_key_control=False,
            )
            for d in framework.dimensions
        )
        if genai_questions
        else ()
    )
    risks = (
        tuple(
            area_score(
                r.code,
                r.name,
                (results[q.code] for q in genai_questions if r.code in q.risks),
                cap_on_key_control=False,
            )
            for r in framework.risks
        )
        if genai_questions
        else ()
    )
    requirements = {
        market: tuple(results[q.code] for q in applicable if q.section == MARKET and q.market == market)
        for market in sorted(profile.markets)
    }
    core = [results[q.code] for q in applicable if q.section == PRINCIPLE]
    answered_core = sum(1 for r in core if r.status != "unanswered")
    overall = _overall(principles, {p.code: p.weight for p in framework.principles}, answered_core, len(core))
    all_results = list(results.values())
    return AssessmentScore(
        overall=overall,
        principles=principles,
        genai=genai,
        dimensions=dimensions,
        risks=risks,
        requirements=requirements,
        actions=action_plan(all_results, by_code),
        answered=sum(1 for r in all_results if r.status != "unanswered"),
        applicable=len(all_results),
    )
