"""Build the data behind the results page, the readiness view, the print view and the PDF.

One builder for all of them, so the numbers in the PDF are the numbers on the results page. The results come
in the current snapshot format (scorecard/results_format.py), whatever format they were stored in: codes that the
templates say in the reader's language with scorecard/wording.py's filters (`level_name`, `status_label`,
`priority_label`, `wording`).

Content words come from the content itself, never from the snapshot: a snapshot stores some English (area and market
names, recommendations) as it was when computed, while the records of the assessment's framework version, looked up
by code (a version never changes), say the same in the reader's language (frameworks/translation.py), falling back
to English field by field. Templates show them with `{% content obj "field" %}`, which marks English shown in place
of a missing translation.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from frameworks.citations import instruments_cited, market_citations
from frameworks.models import GenAIDimension, GenAIRisk, Principle, Question

from .. import engine, wording
from ..models import Assessment
from ..readiness import status_reason
from ..results_format import read_results
from ..scoring import countries_by_code, framework_for, results_for
from .charts import radar_svg
from .workspace import workspace_context


def _previous_scores(assessment: Assessment) -> dict[str, float | None] | None:
    previous = assessment.previous
    if previous is None or not previous.results:
        return None
    results = read_results(previous.results)
    scores = {p["code"]: p["score"] for p in results["principles"]}
    scores["OVERALL"] = results["overall"]["score"]
    return scores


def _next_step(step: dict[str, Any] | None, options: dict[str, str]) -> dict[str, Any] | None:
    """A next step with its question's option labels, for the `wording` filter to name the options.

    A step upgraded from an old snapshot names its options by label: matched back to their codes here, so that
    it reads like a new one (and in the reader's language once options are translated); a label that matches
    no option is shown as it was stored.
    """
    if not step:
        return None
    params = dict(step.get("params") or {})
    codes = {label: code for code, label in options.items()}
    if step.get("code") == engine.REACH_OPTION and "option" not in params and params.get("label") in codes:
        params["option"] = codes[params.pop("label")]
    if step.get("code") == engine.PUT_IN_PLACE and "practices" not in params:
        labels = params.get("labels") or []
        if all(label in codes for label in labels):
            params = {"practices": [codes[label] for label in labels]}
    return {**step, "params": params, "labels": options}


def _named(record: Any, stored: dict[str, Any]) -> dict[str, Any]:
    """An area's or market's name from its record, in the reader's language; the stored name if it has none."""
    return {"name": record.name if record is not None else stored.get("name", "")}


def _said_by(question: Question | None) -> dict[str, Any]:
    """A gap's recommendation from its question, in the reader's language, and the question to mark it by."""
    return {"recommendation": question.recommendation, "question": question} if question is not None else {}


def report_context(assessment: Assessment) -> dict[str, Any]:
    results = read_results(results_for(assessment))
    version = assessment.framework_version
    _, questions = framework_for(version)
    principles = {p.code: p for p in Principle.objects.filter(version=version)}
    dimensions = {d.code: d for d in GenAIDimension.objects.filter(version=version)}
    risks = {r.code: r for r in GenAIRisk.objects.filter(version=version)}
    previous = _previous_scores(assessment)
    answers = {a.question.code: a for a in assessment.answers.select_related("question")}
    action_rank = {action["code"]: action["rank"] for action in results["actions"]}

    def question_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        enriched = []
        for row in rows:
            question: Question = questions[row["code"]]
            options = {o.code: o.label for o in question.options.all()}
            answer = answers.get(row["code"])
            shown = ""
            if answer is not None:
                if answer.choice == engine.CHECKLIST:
                    shown = "; ".join(options.get(c, c) for c in answer.checked) or str(wording.ANSWER_NO_PRACTICE)
                elif answer.choice == engine.NOT_APPLICABLE:
                    shown = str(wording.ANSWER_NOT_APPLICABLE)
                elif answer.choice == engine.DONT_KNOW:
                    shown = str(wording.ANSWER_DONT_KNOW)
                else:
                    shown = options.get(answer.choice, answer.choice)
            enriched.append(
                {
                    **row,
                    "next_step": _next_step(row.get("next_step"), options),
                    "question": question,
                    "answer": answer,
                    "answer_label": shown,
                    "action_rank": action_rank.get(row["code"]),
                }
            )
        return enriched

    principle_rows = []
    for p in results["principles"]:
        change = None
        if previous and previous.get(p["code"]) is not None and p["score"] is not None:
            change = round(p["score"] - previous[p["code"]], 1)
        principle_rows.append(
            {
                **p,
                **_named(principles.get(p["code"]), p),
                "principle": principles.get(p["code"]),
                "change": change,
                "rows": question_rows(p.get("questions", [])),
            }
        )

    countries = countries_by_code(version)
    markets = []
    for m in results["markets"]:
        country = countries.get(m["code"])
        rows = question_rows(m["requirements"])
        markets.append(
            {
                **m,
                **_named(country, m),
                "blockers": [{**b, **_said_by(questions.get(b["code"]))} for b in m["blockers"]],
                # Worked out from the stored figures, so it always matches the score shown.
                "status_reason": status_reason(m["status"], m["score"], len(m["blockers"]), len(m["conditions"])),
                "country": country,
                "rows": rows,
                "facts": list(country.facts.all()) if country else [],
                # Each source document once per market, numbered; facts and requirements cite the numbers.
                "citations": market_citations(country, [r["question"] for r in rows]),
            }
        )

    actions_by_principle: dict[str, list[dict[str, Any]]] = defaultdict(list)
    actions = []
    for action in results["actions"]:
        question = questions[action["code"]]
        options = {o.code: o.label for o in question.options.all()}
        enriched = {
            **action,
            **_said_by(question),
            "question": question,
            "next_step": _next_step(action.get("next_step"), options),
        }
        actions.append(enriched)
        actions_by_principle[action["principle"]].append(enriched)

    overall_change = None
    if previous and previous.get("OVERALL") is not None and results["overall"]["score"] is not None:
        overall_change = round(results["overall"]["score"] - previous["OVERALL"], 1)

    return {
        "assessment": assessment,
        "organisation": assessment.organisation,
        "version": version,
        "results": results,
        "overall": results["overall"],
        "overall_change": overall_change,
        "principles": principle_rows,
        "principle_names": {code: p.short_name for code, p in principles.items()},
        "genai": {**results["genai"], "rows": question_rows(results["genai"]["questions"])}
        if results["genai"]
        else None,
        "dimensions": [
            {
                **d,
                **_named(dimensions.get(d["code"]), d),
                "dimension": dimensions.get(d["code"]),
                "rows": question_rows(d["questions"]),
            }
            for d in results["dimensions"]
        ],
        "risks": [{**r, **_named(risks.get(r["code"]), r), "risk": risks.get(r["code"])} for r in results["risks"]],
        "markets": markets,
        "actions": actions,
        "actions_by_principle": [
            {"principle": principles.get(code), "code": code, "actions": items}
            for code, items in sorted(
                actions_by_principle.items(), key=lambda kv: principles[kv[0]].order if kv[0] in principles else 99
            )
        ],
        "top_gaps": actions[:5],
        "instruments": instruments_cited(version),
        "radar": radar_svg(
            [principles[p["code"]].short_name for p in results["principles"]],
            [p["score"] for p in results["principles"]],
            previous=[previous.get(p["code"]) for p in results["principles"]] if previous else None,
        ),
        "is_final": assessment.is_locked,
        "unanswered": results["applicable"] - results["answered"],
        # The trend, the system's risk assessment, the tracked actions and the evidence annex.
        **workspace_context(assessment),
    }
