"""Cross-border readiness per target market. Pure Python, like the engine (no Django imports).

For each chosen market (docs/methodology.md, "Cross-border readiness"):

* principle component = the market-weighted mean of the principle scores;
* requirement component = 100 x sum(weight x points) / sum(weight x max) over the market's requirement items;
* readiness score = 70% principle component + 30% requirement component (the principle component alone
  when the market has no applicable requirement items);
* status: **Not ready** when a mandatory requirement fails (below half marks, "don't know" or unanswered)
  whatever the score, or when the score is under 50; **Ready** at 75 or more with no failed requirement
  and a data protection law in force; otherwise **Ready with conditions**. A market without a data
  protection law is flagged as legal uncertainty and is never simply "Ready".
* heat map cell (market x principle) = the principle's questions plus that market's requirement items on
  the same principle, scored together.

Like the engine, this module speaks codes: a status is a code, and conditions and the reason for a status are
`Phrase`s (a code and its parameters) that scorecard/wording.py says in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .engine import AssessmentScore, Phrase, QuestionResult

READY, CONDITIONS, NOT_READY = "ready", "conditions", "not_ready"
STATUSES = (READY, CONDITIONS, NOT_READY)
PRINCIPLE_SHARE = Decimal("0.7")
REQUIREMENT_SHARE = Decimal("0.3")
READY_AT = Decimal(75)
NOT_READY_BELOW = Decimal(50)
ZERO = Decimal(0)

# Conditions: what stands between a market and "Ready".
NO_DATA_PROTECTION_LAW = "no-data-protection-law"  # no params: legal uncertainty, not an easy market
REQUIREMENT_NOT_MET = "requirement-not-met"  # params: requirement (its code)
KEY_CONTROL_FAILED = "key-control-failed"  # params: key_control (its code), in a principle the market weighs > 1

# Why a market has its status (status_reason): the rule that decided it.
BLOCKED = "blocked"  # not ready; params: count (mandatory requirements not met)
NOTHING_SCORED = "nothing-scored"  # not ready; no applicable answers to score
SCORE_TOO_LOW = "score-too-low"  # not ready; params: score, floor (NOT_READY_BELOW)
READY_SCORE = "ready-score"  # ready; params: score, threshold (READY_AT)
BELOW_READY = "below-ready"  # with conditions; params: score, threshold, conditions (how many are open)
CONDITIONS_OPEN = "conditions-open"  # with conditions; params: score, threshold, conditions


@dataclass(frozen=True)
class MarketDef:
    code: str
    name: str
    weights: Mapping[str, Decimal]  # principle code -> weight in this market
    has_data_protection_law: bool
    legal_basis: Mapping[str, str]  # requirement code -> the law it comes from
    recommendations: Mapping[str, str]  # requirement code -> recommendation


@dataclass(frozen=True)
class Blocker:
    code: str
    legal_basis: str
    recommendation: str
    status: str  # the answer status: answered (too low), unknown or unanswered


@dataclass(frozen=True)
class MarketReadiness:
    code: str
    name: str
    score: Decimal | None
    principle_component: Decimal | None
    requirement_component: Decimal | None
    status: str  # READY, CONDITIONS or NOT_READY
    blockers: tuple[Blocker, ...]
    conditions: tuple[Phrase, ...]
    legal_uncertainty: bool
    cells: Mapping[str, Decimal | None]  # principle code -> heat map score
    requirements: tuple[QuestionResult, ...]


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _ratio(results: list[QuestionResult]) -> Decimal | None:
    maximum = sum((r.weighted_max for r in results), ZERO)
    return _round(100 * sum((r.weighted_points for r in results), ZERO) / maximum) if maximum else None


def readiness_for_market(scored: AssessmentScore, market: MarketDef) -> MarketReadiness:
    principles = [p for p in scored.principles if p.score is not None]
    weight_sum = sum((market.weights.get(p.code, ZERO) for p in principles), ZERO)
    principle_component = (
        _round(sum((market.weights.get(p.code, ZERO) * (p.score or ZERO) for p in principles), ZERO) / weight_sum)
        if weight_sum
        else None
    )
    requirements = list(scored.requirements.get(market.code, ()))
    requirement_component = _ratio(requirements)
    if principle_component is None:
        score = requirement_component
    elif requirement_component is None:
        score = principle_component
    else:
        score = _round(PRINCIPLE_SHARE * principle_component + REQUIREMENT_SHARE * requirement_component)

    blockers = tuple(
        Blocker(r.code, market.legal_basis.get(r.code, ""), market.recommendations.get(r.code, ""), r.status)
        for r in requirements
        if r.mandatory_failed
    )
    conditions: list[Phrase] = []
    if not market.has_data_protection_law:
        conditions.append(Phrase(NO_DATA_PROTECTION_LAW))
    conditions += [
        Phrase(REQUIREMENT_NOT_MET, {"requirement": r.code})
        for r in requirements
        if r.is_gap and not r.mandatory_failed
    ]
    # Why: a failed key control matters more where the market gives its principle extra weight.
    conditions += [
        Phrase(KEY_CONTROL_FAILED, {"key_control": code})
        for p in scored.principles
        if market.weights.get(p.code, ZERO) > 1
        for code in p.failed_key_controls
    ]

    if blockers or score is None or score < NOT_READY_BELOW:
        status = NOT_READY
    elif score >= READY_AT and not conditions:
        status = READY
    else:
        status = CONDITIONS

    cells: dict[str, Decimal | None] = {}
    for p in scored.principles:
        cells[p.code] = _ratio(list(p.questions) + [r for r in requirements if r.principle == p.code])
    return MarketReadiness(
        code=market.code,
        name=market.name,
        score=score,
        principle_component=principle_component,
        requirement_component=requirement_component,
        status=status,
        blockers=blockers,
        conditions=tuple(conditions),
        legal_uncertainty=not market.has_data_protection_law,
        cells=cells,
        requirements=tuple(requirements),
    )


def status_reason(status: str, score: Decimal | float | None, blockers: int, conditions: int) -> Phrase:
    """Why a market has its status: the rule that decided it, as a phrase (one sentence once worded).

    Works from a stored snapshot's figures as well as from a MarketReadiness, so a submitted assessment
    explains itself with the numbers it was given. Without it a market can be "Not ready" with no blocker
    and no condition in sight (a score under 50), and the reader is left to guess. The score is passed on as
    the decimal it was stored as (one decimal place), so the words never say "50 is under 50".
    """
    exact = None if score is None else Decimal(str(score))
    if status == NOT_READY:
        if blockers:
            return Phrase(BLOCKED, {"count": blockers})
        if exact is None:
            return Phrase(NOTHING_SCORED)
        return Phrase(SCORE_TOO_LOW, {"score": exact, "floor": NOT_READY_BELOW})
    shown = exact if exact is not None else ZERO
    if status == READY:
        return Phrase(READY_SCORE, {"score": shown, "threshold": READY_AT})
    if exact is not None and exact < READY_AT:
        return Phrase(BELOW_READY, {"score": shown, "threshold": READY_AT, "conditions": conditions})
    return Phrase(CONDITIONS_OPEN, {"score": shown, "threshold": READY_AT, "conditions": conditions})


def readiness_report(scored: AssessmentScore, markets: list[MarketDef]) -> tuple[MarketReadiness, ...]:
    """Readiness for each chosen market, in the order given. Markets not chosen are not reported."""
    return tuple(readiness_for_market(scored, m) for m in markets if m.code in scored.requirements)
