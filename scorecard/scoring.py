"""The bridge between the database and the pure engine: build engine inputs, turn results into a snapshot.

The snapshot (plain JSON) is what results pages, the CSV action plan and the PDF render. A submitted
assessment keeps its snapshot forever; a draft's snapshot is computed on each view.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from frameworks.models import Country, FrameworkVersion, GenAIDimension, GenAIRisk, Principle, Question
from frameworks.selectors import countries_for, questions_for

from . import engine, readiness
from .models import Answer, Assessment

_framework_cache: dict[tuple[int, str, str], tuple[engine.Framework, dict[str, Question]]] = {}


def _section(question: Question) -> str:
    if question.market_id:
        return engine.MARKET
    if question.genai_dimension_id:
        return engine.GENAI
    return engine.PRINCIPLE


def framework_for(version: FrameworkVersion) -> tuple[engine.Framework, dict[str, Question]]:
    """Engine definitions for a version, plus its questions by code. Cached for published versions, which
    never change."""
    # Keyed on more than the pk: a test database (or a re-created database) may reuse a pk for other content.
    key = (version.pk, version.code, str(version.published_at))
    cached = _framework_cache.get(key)
    if cached and version.status != FrameworkVersion.Status.DRAFT:
        return cached
    questions = list(questions_for(version))
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
    if version.status != FrameworkVersion.Status.DRAFT:
        _framework_cache[key] = result
    return result


def profile_for(assessment: Assessment) -> engine.Profile:
    return engine.Profile(
        ai_role=assessment.ai_role, uses_genai=assessment.uses_genai, markets=frozenset(assessment.target_markets)
    )


def answer_values(answers: Any) -> dict[str, engine.AnswerValue]:
    return {a.question.code: engine.AnswerValue(a.choice, tuple(a.checked or ()), a.na_justification) for a in answers}


def answers_for(assessment: Assessment) -> dict[str, engine.AnswerValue]:
    return answer_values(Answer.objects.filter(assessment=assessment).select_related("question"))


def market_defs(version: FrameworkVersion, codes: list[str]) -> list[readiness.MarketDef]:
    chosen = set(codes)
    requirements = Question.objects.filter(version=version, market__code__in=chosen).select_related("market")
    legal: dict[str, dict[str, str]] = {}
    recommendations: dict[str, dict[str, str]] = {}
    for q in requirements:
        legal.setdefault(q.market.code, {})[q.code] = q.legal_basis  # type: ignore[union-attr]
        recommendations.setdefault(q.market.code, {})[q.code] = q.recommendation  # type: ignore[union-attr]
    return [
        readiness.MarketDef(
            code=c.code,
            name=c.name,
            weights={w.principle.code: w.weight for w in c.principle_weights.all()},
            has_data_protection_law=c.has_data_protection_law,
            legal_basis=legal.get(c.code, {}),
            recommendations=recommendations.get(c.code, {}),
        )
        for c in countries_for(version)
        if c.code in chosen
    ]


def _n(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


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
        "next_step": r.next_step,
        "principle": r.principle,
    }


def _area(a: engine.AreaScore, *, with_questions: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": a.code,
        "name": a.name,
        "score": _n(a.score),
        "level": a.level,
        "level_name": a.level_name,
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
    return {
        "schema": 1,
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
                "status_label": m.status_label,
                "principle_component": _n(m.principle_component),
                "requirement_component": _n(m.requirement_component),
                "legal_uncertainty": m.legal_uncertainty,
                "blockers": [vars(b) for b in m.blockers],
                "conditions": list(m.conditions),
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
                "next_step": a.next_step,
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
    return {c.code: c for c in countries_for(version)}
