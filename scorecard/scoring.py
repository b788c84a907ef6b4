"""The bridge between the database and the pure engine: build engine inputs, turn results into a snapshot.

The snapshot (plain JSON) is what results pages, the CSV action plan and the PDF render. A submitted
assessment keeps its snapshot forever; a draft's snapshot is computed on each view.
"""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType
from typing import Any

from django.utils import timezone

from frameworks.models import (
    Country,
    FrameworkVersion,
    GenAIDimension,
    GenAIRisk,
    MarketPrincipleWeight,
    Principle,
    Question,
)
from frameworks.selectors import countries_for, questions_for
from frameworks.translation import in_english

from . import engine, readiness
from .models import Answer, Assessment
from .results_format import FORMAT

# What is built from a published version, per process (published versions never change; see published_key).
_framework_cache: dict[tuple[int, str, str], tuple[engine.Framework, dict[str, Question]]] = {}
_markets_cache: dict[tuple[int, str, str], tuple[readiness.MarketDef, ...]] = {}
_countries_cache: dict[tuple[int, str, str], dict[str, Country]] = {}


def _section(question: Question) -> str:
    if question.market_id:
        return engine.MARKET
    if question.genai_dimension_id:
        return engine.GENAI
    return engine.PRINCIPLE


def published_key(version: FrameworkVersion) -> tuple[int, str, str] | None:
    """The key under which what is built from a published (or superseded) version is cached in the process, or
    None for a draft version, which an admin may still be editing and which is therefore never cached.

    A published version never changes: a content change is a new version, with a new key. Keyed on more than
    the pk: a test database (or a re-created database) may reuse a pk for other content.
    """
    if version.status == FrameworkVersion.Status.DRAFT:
        return None
    return (version.pk, version.code, str(version.published_at))


def framework_for(version: FrameworkVersion) -> tuple[engine.Framework, dict[str, Question]]:
    """Engine definitions in English whatever the request's language: they are cached per process and their names
    go into stored snapshots; pages translate by code at render time (scorecard/reports/context.py)."""
    with in_english():
        return _framework_for(version)


def _framework_for(version: FrameworkVersion) -> tuple[engine.Framework, dict[str, Question]]:
    """Engine definitions for a version, plus its questions by code. Cached for published versions, which
    never change."""
    key = published_key(version)
    cached = _framework_cache.get(key) if key else None
    if cached:
        return cached
    questions = list(questions_for(version))
    for q in questions:
        q.version = version  # what is cached per version (the answer fields' choices) is keyed on it
    definitions = tuple(
        engine.QuestionDef(
            code=q.code,
            section=_section(q),
            principle=q.principle.code,
            weight=q.weight,
            scale=q.scale,
            options=tuple(engine.OptionDef(o.code, o.points, o.label) for o in q.options.all()),
            key_control=q.key_control,
            allow_na=q.allow_na,
            applies_to=q.applies_to,
            requires_genai=q.requires_genai,
            dimension=q.genai_dimension.code if q.genai_dimension else None,
            risks=tuple(r.code for r in q.risks.all()),
            market=q.market.code if q.market else None,
            mandatory=q.mandatory,
            text=q.text,
            recommendation=q.recommendation,
            legal_basis=q.legal_basis,
        )
        for q in questions
    )
    framework = engine.Framework(
        principles=tuple(engine.AreaDef(p.code, p.name, p.weight) for p in Principle.objects.filter(version=version)),
        questions=definitions,
        dimensions=tuple(engine.AreaDef(d.code, d.name) for d in GenAIDimension.objects.filter(version=version)),
        risks=tuple(engine.AreaDef(r.code, r.name) for r in GenAIRisk.objects.filter(version=version)),
    )
    result = (framework, {q.code: q for q in questions})
    if key:
        _framework_cache[key] = result
    return result


def profile_for(assessment: Assessment) -> engine.Profile:
    return engine.Profile(
        ai_role=assessment.ai_role, uses_genai=assessment.uses_genai, markets=frozenset(assessment.target_markets)
    )


def answer_values(answers: Any) -> dict[str, engine.AnswerValue]:
    return {a.question.code: engine.AnswerValue(a.choice, tuple(a.checked or ()), a.na_justification) for a in answers}


def answers_for(assessment: Assessment) -> dict[str, engine.AnswerValue]:
    """The assessment's answers as the engine reads them, by question code: plain rows, no model objects (building
    150 Answers and their Questions was a third of a draft's live results)."""
    rows = Answer.objects.filter(assessment=assessment).values_list(
        "question__code", "choice", "checked", "na_justification"
    )
    return {code: engine.AnswerValue(choice, tuple(checked or ()), na) for code, choice, checked, na in rows}


def market_defs(version: FrameworkVersion, codes: list[str]) -> list[readiness.MarketDef]:
    """The readiness definitions of the chosen markets, in the version's market order."""
    chosen = set(codes)
    return [m for m in _market_definitions(version) if m.code in chosen]


def _market_definitions(version: FrameworkVersion) -> tuple[readiness.MarketDef, ...]:
    with in_english():  # cached per process and stored in snapshots: English, as framework_for
        return _market_definitions_in_english(version)


def _market_definitions_in_english(version: FrameworkVersion) -> tuple[readiness.MarketDef, ...]:
    """Every market's readiness definition. Built once per published version, which never changes (as the
    framework is, see framework_for); for a draft, which an admin may be editing, read on every call. Reading
    them took most of a draft's live results (about 11 of 13 ms)."""
    key = published_key(version)
    if key and (cached := _markets_cache.get(key)) is not None:
        return cached
    legal: dict[str, dict[str, str]] = {}
    recommendations: dict[str, dict[str, str]] = {}
    requirements = Question.objects.filter(version=version, market__isnull=False).values_list(
        "market__code", "code", "legal_basis", "recommendation"
    )
    for market, code, legal_basis, recommendation in requirements:
        legal.setdefault(market, {})[code] = legal_basis
        recommendations.setdefault(market, {})[code] = recommendation
    weights: dict[int, dict[str, Decimal]] = {}
    for country_id, principle, weight in MarketPrincipleWeight.objects.filter(country__version=version).values_list(
        "country_id", "principle__code", "weight"
    ):
        weights.setdefault(country_id, {})[principle] = weight
    # Shared between requests: read-only mappings, so that no caller can change another's definitions.
    definitions = tuple(
        readiness.MarketDef(
            code=code,
            name=name,
            weights=MappingProxyType(weights.get(pk, {})),
            has_data_protection_law=has_law,
            legal_basis=MappingProxyType(legal.get(code, {})),
            recommendations=MappingProxyType(recommendations.get(code, {})),
        )
        for pk, code, name, has_law in Country.objects.filter(version=version)
        .order_by("order", "code")
        .values_list("pk", "code", "name", "has_data_protection_law")
    )
    if key:
        _markets_cache[key] = definitions
    return definitions


def _n(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _phrase(phrase: engine.Phrase | None) -> dict[str, Any] | None:
    """A phrase as JSON: {"code", "params"}, its decimals as numbers."""
    if phrase is None:
        return None
    params = {k: float(v) if isinstance(v, Decimal) else v for k, v in phrase.params.items()}
    return {"code": phrase.code, "params": params}


def _question(r: engine.QuestionResult) -> dict[str, Any]:
    return {
        "code": r.code,
        "status": r.status,
        "points": _n(r.points),
        "max_points": _n(r.max_points),
        "weight": _n(r.weight),
        "key_control": r.key_control,
        "failed_key_control": r.failed_key_control,
        "mandatory_failed": r.mandatory_failed,
        "next_step": _phrase(r.next_step),
        "principle": r.principle,
    }


def _area(a: engine.AreaScore, *, with_questions: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": a.code,
        "name": a.name,
        "score": _n(a.score),
        "level": a.level,
        "capped": a.capped,
        "failed_key_controls": list(a.failed_key_controls),
        "points": _n(a.points),
        "max_points": _n(a.max_points),
        "answered": a.answered,
        "applicable": a.applicable,
        "completeness": _n(a.completeness),
    }
    if with_questions:
        out["questions"] = [_question(r) for r in a.questions]
    return out


def snapshot(
    scored: engine.AssessmentScore, markets: tuple[readiness.MarketReadiness, ...], version: FrameworkVersion
) -> dict[str, Any]:
    """The results as stored JSON, format 2: codes and numbers, never words (docs/json-format.md)."""
    return {
        "format": FORMAT,
        "framework_version": version.code,
        "computed_at": timezone.now().isoformat(),
        "overall": _area(scored.overall, with_questions=False),
        "principles": [_area(p) for p in scored.principles],
        "genai": _area(scored.genai) if scored.genai else None,
        "dimensions": [_area(d) for d in scored.dimensions],
        "risks": [_area(r, with_questions=False) for r in scored.risks],
        "markets": [
            {
                "code": m.code,
                "name": m.name,
                "score": _n(m.score),
                "status": m.status,
                "principle_component": _n(m.principle_component),
                "requirement_component": _n(m.requirement_component),
                "legal_uncertainty": m.legal_uncertainty,
                "blockers": [vars(b) for b in m.blockers],
                "conditions": [_phrase(c) for c in m.conditions],
                "cells": {k: _n(v) for k, v in m.cells.items()},
                "requirements": [_question(r) for r in m.requirements],
            }
            for m in markets
        ],
        "actions": [
            {
                "rank": a.rank,
                "code": a.code,
                "principle": a.principle,
                "section": a.section,
                "priority": a.priority,
                "impact": _n(a.impact),
                "points": _n(a.points),
                "max_points": _n(a.max_points),
                "recommendation": a.recommendation,
                "next_step": _phrase(a.next_step),
            }
            for a in scored.actions
        ],
        "answered": scored.answered,
        "applicable": scored.applicable,
        "completeness": _n(scored.completeness),
    }


def compute_results(assessment: Assessment) -> dict[str, Any]:
    framework, _ = framework_for(assessment.framework_version)
    scored = engine.score_assessment(framework, profile_for(assessment), answers_for(assessment))
    markets = readiness.readiness_report(
        scored, market_defs(assessment.framework_version, list(assessment.target_markets))
    )
    return snapshot(scored, markets, assessment.framework_version)


def results_for(assessment: Assessment) -> dict[str, Any]:
    """The stored snapshot of a submitted assessment; live results for a draft."""
    if assessment.is_locked and assessment.results:
        return assessment.results
    return compute_results(assessment)


def countries_by_code(version: FrameworkVersion) -> dict[str, Country]:
    """The version's countries with their facts and sources (countries_for), by code. Cached per published
    version like the market definitions: the Country objects are shared, so never change them."""
    key = published_key(version)
    cached = _countries_cache.get(key) if key else None
    if cached is None:
        cached = {c.code: c for c in countries_for(version)}
        if key:
            _countries_cache[key] = cached
    return dict(cached)
