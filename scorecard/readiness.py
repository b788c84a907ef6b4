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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .engine import AssessmentScore, QuestionResult

READY, CONDITIONS, NOT_READY = "ready", "conditions", "not_ready"
STATUS_LABELS = {READY: "Ready", CONDITIONS: "Ready with conditions", NOT_READY: "Not ready"}
PRINCIPLE_SHARE = Decimal("0.7")
REQUIREMENT_SHARE = Decimal("0.3")
READY_AT = Decimal(75)
NOT_READY_BELOW = Decimal(50)
ZERO = Decimal(0)


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
    status: str
    blockers: tuple[Blocker, ...]
    conditions: tuple[str, ...]
    legal_uncertainty: bool
    cells: Mapping[str, Decimal | None]  # principle code -> heat map score
    requirements: tuple[QuestionResult, ...]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


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
    conditions: list[str] = []
    if not market.has_data_protection_law:
        conditions.append("No comprehensive data protection law in force: legal uncertainty, not an easy market.")
    conditions += [
        f"Requirement {r.code} is not fully met." for r in requirements if r.is_gap and not r.mandatory_failed
    ]
    # Why: a failed key control matters more where the market gives its principle extra weight.
    conditions += [
        f"Key control {code} failed in a principle this market emphasises."
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


def _score_words(score: Decimal | float) -> str:
    # Scores are kept to one decimal; show it unless whole. Rounding further could print "50 is under 50".
    return str(Decimal(str(score))).removesuffix(".0")


def status_reason(status: str, score: Decimal | float | None, blockers: int, conditions: int) -> str:
    """Why a market has its status, in one sentence naming the rule that decided it.

    Works from a stored snapshot's figures as well as from a MarketReadiness, so a submitted assessment
    explains itself with the numbers it was given. Without it a market can be "Not ready" with no blocker
    and no condition in sight (a score under 50), and the reader is left to guess.
    """
    label = STATUS_LABELS[status]
    if status == NOT_READY:
        if blockers:
            noun = "requirement is" if blockers == 1 else "requirements are"
            return f"{label}: {blockers} mandatory {noun} not met (see the blockers)."
        if score is None:
            return f"{label}: no applicable answers to score yet."
        return f"{label}: the readiness score ({_score_words(score)}) is under {NOT_READY_BELOW}."
    score_words = _score_words(score if score is not None else ZERO)
    open_conditions = "1 condition is open" if conditions == 1 else f"{conditions} conditions are open"
    if status == READY:
        return f"{label}: the readiness score ({score_words}) is {READY_AT} or more and no condition is open."
    if score is not None and Decimal(str(score)) < READY_AT:
        reason = f"the readiness score ({score_words}) is under {READY_AT}, the level for Ready"
        return f"{label}: {reason}{', and ' + open_conditions if conditions else ''}."
    return f"{label}: the readiness score ({score_words}) is {READY_AT} or more, but {open_conditions}."


def readiness_report(scored: AssessmentScore, markets: list[MarketDef]) -> tuple[MarketReadiness, ...]:
    """Readiness for each chosen market, in the order given. Markets not chosen are not reported."""
    return tuple(readiness_for_market(scored, m) for m in markets if m.code in scored.requirements)
