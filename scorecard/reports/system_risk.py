"""The AI system's risk impact assessment and its readiness per market, as pages and the PDF show them.

Three readers: the risk assessment page (`risk_result_view`), the AI system's page (`system_page_context`: the
latest result, the draft in progress, the history, and the obligations of each market the system serves) and the
results page and PDF of an assessment about one system (`context`, `fingerprint`, scorecard/reports/workspace.py).

A stored result speaks codes (scorecard/risk.py); here they are put into words in the reader's language, with the
method's own words (its scales, adjustments and the component C.2 descriptions of human involvement). Those words
come from the method's records in the reader's language (`risk_level_text`: English where a translation is
missing, marked so that pages can say so); the structure (steps, matrix) always from its English rules.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from frameworks.models import Country, FrameworkVersion, Obligation, Question, RiskMethod
from frameworks.translation import ContentSentence, ContentText, risk_level_text

from .. import risk as rules
from ..models import (
    AffectedGroup,
    AISystem,
    Assessment,
    DataCategory,
    HumanInvolvement,
    RiskLevel,
    SystemRiskAssessment,
    person_label,
)
from ..readiness import status_reason
from ..results_format import read_results
from ..services.risk import latest_submitted, rules_levels

# --- one result in words ------------------------------------------------------------------------------------------


def _step_labels(method: RiskMethod, kind: str) -> dict[int, ContentText]:
    """A scale's step labels by value, in the reader's language."""
    return {
        int(step["value"]): risk_level_text(method, kind, str(step.get("code", "")), "label")
        for step in rules_levels(method).get(kind, [])
    }


def involvement_label(code: str) -> str:
    return str(HumanInvolvement(code).label) if code in HumanInvolvement.values else ""


def level_label(code: str) -> str:
    return str(RiskLevel(code).label) if code in RiskLevel.values else ""


def _finding_text(finding: str, current: str, recommended: str) -> str:
    if finding == rules.INVOLVEMENT_BELOW:
        return _(
            "The inventory records %(current)s for this system: less human involvement than the %(recommended)s "
            "its risk level calls for. Raise the human involvement, or record why the lower level is acceptable."
        ) % {"current": involvement_label(current), "recommended": involvement_label(recommended)}
    if finding == rules.INVOLVEMENT_NOT_RECORDED:
        return _(
            "The inventory does not record the system's level of human involvement: record it there to compare it "
            "with the %(recommended)s its risk level calls for."
        ) % {"recommended": involvement_label(recommended)}
    return ""


def _explanation(result: rules.RiskResult, method: RiskMethod) -> list[ContentSentence]:
    """The computation step by step, as the reader follows it in docs/risk-method.md: sentences of the interface
    with the method's words put in (a page marks those that read in English)."""
    probability = _step_labels(method, rules.PROBABILITY)
    severity = _step_labels(method, rules.SEVERITY)
    questions = dict(method.questions.values_list("kind", "code"))

    def named(labels: dict[int, ContentText], value: int) -> ContentSentence:
        return ContentSentence("%(value)s (%(label)s)", {"value": value, "label": labels.get(value, str(value))})

    steps = [
        ContentSentence(
            _("Probability of harm (%(question)s): %(value)s."),
            {"question": questions.get(rules.PROBABILITY, ""), "value": named(probability, result.probability)},
        ),
        ContentSentence(
            _("Severity of harm as answered (%(question)s): %(value)s."),
            {"question": questions.get(rules.SEVERITY, ""), "value": named(severity, result.answered_severity)},
        ),
    ]
    for applied in result.adjustments:
        label = risk_level_text(method, "adjustments", applied.code, "label") or applied.code
        if applied.raised_by:
            steps.append(
                ContentSentence(
                    _("%(reason)s (%(question)s answered yes): severity raised from %(before)s to %(after)s."),
                    {
                        "reason": label,
                        "question": applied.question,
                        "before": applied.severity_from,
                        "after": named(severity, applied.severity_to),
                    },
                )
            )
        else:
            steps.append(
                ContentSentence(
                    _("%(reason)s (%(question)s answered yes): severity is already at its highest step, %(after)s."),
                    {"reason": label, "question": applied.question, "after": named(severity, applied.severity_to)},
                )
            )
    if not result.adjustments:
        steps.append(ContentSentence(_("No adjustment applies: the severity stays as answered."), {}))
    steps.append(
        ContentSentence(
            _("Risk matrix: probability %(probability)s and severity %(severity)s give %(level)s risk."),
            {"probability": result.probability, "severity": result.severity, "level": level_label(result.risk_level)},
        )
    )
    steps.append(
        ContentSentence(
            _("%(level)s risk calls for %(involvement)s (the Guide's component C.2)."),
            {
                "level": level_label(result.risk_level),
                "involvement": involvement_label(result.recommended_involvement),
            },
        )
    )
    return steps


def _matrix(result: rules.RiskResult, method: RiskMethod) -> dict[str, Any]:
    """The matrix of the method's English rules, its steps named in the reader's language."""
    levels = rules_levels(method)

    def steps(kind: str) -> list[dict[str, Any]]:
        return [
            {"value": step["value"], "label": risk_level_text(method, kind, str(step.get("code", "")), "label")}
            for step in levels.get(kind, [])
        ]

    probability = steps(rules.PROBABILITY)
    severity = steps(rules.SEVERITY)
    rows = []
    for p_index, row in enumerate(levels.get("matrix", [])):
        p_step = probability[p_index] if p_index < len(probability) else {"value": p_index + 1, "label": ""}
        cells = [
            {
                "level": level,
                "label": level_label(level),
                "selected": p_step["value"] == result.probability and s_index + 1 == result.severity,
            }
            for s_index, level in enumerate(row)
        ]
        rows.append({"step": p_step, "cells": cells})
    return {"severity": severity, "rows": list(reversed(rows))}  # the most likely on top, as risk matrices are drawn


def risk_result_view(risk: SystemRiskAssessment, system: AISystem | None = None) -> dict[str, Any] | None:
    """A submitted risk assessment's result, ready to show; None for a draft.

    The finding compares the recommended involvement with the system's involvement as the inventory records it
    now, so that it disappears once the inventory is brought in line (the stored result keeps the value it had).
    """
    if not risk.result:
        return None
    system = system or risk.ai_system
    method = risk.method
    result = rules.result_from_snapshot(risk.result)
    current = system.human_involvement
    finding = rules.involvement_finding(current, result.recommended_involvement)
    return {
        "risk": risk,
        "method": method,
        "result": result,
        "level": result.risk_level,
        "level_label": level_label(result.risk_level),
        "involvement": result.recommended_involvement,
        "involvement_label": involvement_label(result.recommended_involvement),
        "involvement_description": risk_level_text(method, "involvement", result.risk_level, "description"),
        "current_involvement": current,
        "current_involvement_label": involvement_label(current),
        "finding": finding,
        "finding_text": _finding_text(finding, current, result.recommended_involvement),
        "explanation": _explanation(result, method),
        "matrix": _matrix(result, method),
        "sources": method_source_lines(method),
    }


def method_source_lines(method: RiskMethod) -> list[str]:
    """The method's sources, one line per document: publisher, title, date, then the parts followed (each part's
    heading, without its parenthesised summary)."""
    documents: dict[str, list[str]] = {}
    for source in method.sources:
        head = ", ".join(
            part for part in (source.get("publisher"), f"“{source.get('title')}”", source.get("date")) if part
        )
        parts = documents.setdefault(head, [])
        if source.get("part"):
            parts.append(str(source["part"]).split(" (")[0])
    return [f"{head}: {'; '.join(parts)}" if parts else head for head, parts in documents.items()]


# --- readiness per system -----------------------------------------------------------------------------------------

OBLIGATION_ORDER = list(Obligation.values)


def _applies(question: Question, system: AISystem) -> bool:
    """The questionnaire's applicability rule (scorecard/engine.py), with the system's role and GenAI use."""
    if question.applies_to == "developer" and system.ai_role not in ("developer", "both"):
        return False
    if question.applies_to == "deployer" and system.ai_role not in ("deployer", "both"):
        return False
    return not (question.requires_genai and not system.uses_genai)


def _requirement_state(row: dict[str, Any] | None) -> str:
    """A requirement's state in the latest submitted assessment: met, partly, not_met, na, or "" when not there."""
    if row is None:
        return ""
    if row.get("status") == "na":
        return "na"
    points, maximum = row.get("points") or 0, row.get("max_points") or 0
    if maximum and points >= maximum:
        return "met"
    return "partly" if points else "not_met"


def latest_system_assessment(system: AISystem) -> Assessment | None:
    return (
        Assessment.objects.filter(ai_system=system, status=Assessment.Status.SUBMITTED)
        .order_by("-submitted_at", "-created_at")
        .first()
    )


def system_readiness(system: AISystem) -> dict[str, Any]:
    """The obligations of each market the system serves, from the current edition, mandatory ones first, grouped by
    kind of obligation; with each market's readiness in the system's latest submitted assessment, if any."""
    version = FrameworkVersion.objects.current()
    codes = [code for code in system.markets if isinstance(code, str)]
    countries = {c.code: c for c in Country.objects.filter(version=version, code__in=codes)} if version else {}
    requirements = (
        Question.objects.filter(version=version, market__code__in=codes).select_related("market").order_by("order")
        if version
        else Question.objects.none()
    )
    assessment = latest_system_assessment(system)
    snapshot = read_results(assessment.results) if assessment is not None and assessment.results else None
    assessed = {m["code"]: m for m in snapshot["markets"]} if snapshot else {}
    by_market: dict[str, list[Question]] = defaultdict(list)
    for question in requirements:
        if _applies(question, system):
            by_market[question.market.code].append(question)  # type: ignore[union-attr]

    markets = []
    for code in codes:
        readiness = assessed.get(code)
        rows = {r["code"]: r for r in readiness["requirements"]} if readiness else {}
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for question in sorted(by_market.get(code, []), key=lambda q: (not q.mandatory, q.order)):
            groups[question.obligation or Obligation.OTHER].append(
                {"question": question, "state": _requirement_state(rows.get(question.code))}
            )
        ordered = sorted(
            groups.items(),
            key=lambda kv: (
                not any(r["question"].mandatory for r in kv[1]),
                OBLIGATION_ORDER.index(kv[0]) if kv[0] in OBLIGATION_ORDER else len(OBLIGATION_ORDER),
            ),
        )
        items = by_market.get(code, [])
        markets.append(
            {
                "code": code,
                "country": countries.get(code),
                "groups": [
                    {
                        "obligation": key,
                        "label": Obligation(key).label if key in Obligation.values else key,
                        "rows": rows_,
                    }
                    for key, rows_ in ordered
                ],
                "mandatory": sum(1 for q in items if q.mandatory),
                "total": len(items),
                "readiness": readiness,
                "status_reason": status_reason(
                    readiness["status"], readiness["score"], len(readiness["blockers"]), len(readiness["conditions"])
                )
                if readiness
                else None,
            }
        )
    return {"markets": markets, "assessment": assessment, "version": version}


# --- the system's page, the results page and the PDF ----------------------------------------------------------


def system_page_context(system: AISystem) -> dict[str, Any]:
    """What the AI system's page shows of its risk impact assessments and its markets' obligations
    (templates/systems/_system_risk.html and _system_readiness.html)."""
    submitted = list(
        system.risk_assessments.filter(status=SystemRiskAssessment.Status.SUBMITTED)
        .select_related("method", "submitted_by")
        .order_by("-submitted_at", "-created_at")
    )
    draft = system.risk_assessments.filter(status=SystemRiskAssessment.Status.DRAFT).select_related("method").first()
    return {
        "risk_latest": risk_result_view(submitted[0], system) if submitted else None,
        "risk_draft": draft,
        "risk_history": submitted,
        "risk_method_available": RiskMethod.current() is not None,
        "system_readiness": system_readiness(system),
    }


def system_profile(system: AISystem) -> list[tuple[str, str]]:
    """The system's inventory entry as (label, value) lines, for the PDF chapter."""

    def labels(values: list[Any], choices: type[Any]) -> str:
        return ", ".join(str(choices(v).label) if v in choices.values else str(v) for v in values) or "–"

    version = FrameworkVersion.objects.current()
    names = dict(Country.objects.filter(version=version, code__in=system.markets).values_list("code", "name"))
    return [
        (_("Purpose"), system.purpose or "–"),
        (_("Lifecycle stage"), str(system.get_lifecycle_display())),
        (_("Role with AI"), str(system.get_ai_role_display())),
        (_("Generative AI"), _("Yes") if system.uses_genai else _("No")),
        (_("Models and vendors used"), system.models_and_vendors or "–"),
        (_("Categories of data"), labels(system.data_categories, DataCategory)),
        (_("People affected"), labels(system.affected_groups, AffectedGroup)),
        (_("Markets served"), ", ".join(names.get(code, code) for code in system.markets) or "–"),
        (_("Human involvement (inventory)"), involvement_label(system.human_involvement) or _("Not recorded")),
        (_("Owner"), person_label(system.owner) if system.owner else "–"),
    ]


def _system_of(assessment: Assessment) -> AISystem | None:
    return assessment.ai_system if assessment.ai_system_id else None


def context(assessment: Assessment) -> dict[str, Any]:
    """For an assessment of one AI system: the system and its latest submitted risk result (None without one)."""
    system = _system_of(assessment)
    if system is None:
        return {}
    latest = latest_submitted(system)
    return {
        "system": system,
        "system_profile": system_profile(system),
        "system_risk": risk_result_view(latest, system) if latest is not None else None,
    }


def fingerprint(assessment: Assessment) -> str:
    """Changes when the system's profile changes, a new risk assessment of it is submitted, or the method's words
    the chapter shows change in the active language (its translations are updated on a published method)."""
    system = _system_of(assessment)
    if system is None:
        return ""
    latest = latest_submitted(system)
    words = ""
    if latest is not None:
        shown = json.dumps([latest.method.title, latest.method.levels], sort_keys=True, default=str)
        words = hashlib.sha256(shown.encode()).hexdigest()[:16]
    return f"risk:{system.pk}:{system.updated_at.isoformat()}:{latest.pk if latest else '-'}:{words}"
