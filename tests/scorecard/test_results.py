"""Results through the database equal the pure engine's; content updates reach only new assessments."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from frameworks.content import read_content
from frameworks.models import FrameworkVersion, MarketPrincipleWeight, Question
from frameworks.versioning import version_clone, version_publish
from scorecard import engine, readiness, wording
from scorecard.models import Assessment
from scorecard.scoring import compute_results
from scorecard.services.assessments import answer_save, assessment_create, assessment_submit
from tests.conftest import CONTENT_DIR, client_for
from tests.scorecard.test_questionnaire import answer_everything

pytestmark = pytest.mark.django_db


def engine_from_files() -> tuple[engine.Framework, list[readiness.MarketDef]]:
    """The framework built straight from the YAML files, without any database."""
    data = read_content(CONTENT_DIR)
    scales = data["guide"]["scales"]

    def options(q: dict[str, Any]) -> tuple[engine.OptionDef, ...]:
        return tuple(
            engine.OptionDef(str(o["code"]), Decimal(str(o["points"])), o["label"])
            for o in q.get("options") or scales[q["scale"]]
        )

    def question(q: dict[str, Any], **kw: Any) -> engine.QuestionDef:
        return engine.QuestionDef(
            code=q["code"],
            principle=q["principle"],
            weight=Decimal(str(q.get("weight", 1))),
            scale=q["scale"],
            options=options(q),
            key_control=q.get("key_control", False),
            allow_na=q.get("allow_na", False),
            applies_to=q.get("applies_to", "any"),
            requires_genai=q.get("requires_genai", False),
            **kw,
        )

    questions = [question(q, section=engine.PRINCIPLE) for q in data["guide"]["questions"]]
    for q in data["genai"]["items"]:
        base = question(q, section=engine.GENAI).__dict__
        questions.append(
            engine.QuestionDef(
                **{**base, "dimension": q["dimension"], "risks": tuple(q["risks"]), "requires_genai": True}
            )
        )
    markets = []
    for c in data["countries"]["countries"]:
        for q in c.get("requirements", []):
            questions.append(
                engine.QuestionDef(
                    **{**question(q, section=engine.MARKET).__dict__, "market": c["code"], "mandatory": q["mandatory"]}
                )
            )
        markets.append(
            readiness.MarketDef(
                c["code"],
                c["name"],
                {k: Decimal(str(v)) for k, v in c["weights"].items()},
                c["has_data_protection_law"],
                {q["code"]: q["legal_basis"] for q in c.get("requirements", [])},
                {},
            )
        )
    framework = engine.Framework(
        principles=tuple(
            engine.AreaDef(p["code"], p["name"], Decimal(str(p["weight"]))) for p in data["guide"]["principles"]
        ),
        questions=tuple(questions),
        dimensions=tuple(engine.AreaDef(d["code"], d["name"]) for d in data["genai"]["dimensions"]),
        risks=tuple(engine.AreaDef(r["code"], r["name"]) for r in data["genai"]["risks"]),
    )
    return framework, markets


def test_results_through_the_database_equal_the_pure_engine(assessment: Assessment, owner: Any) -> None:
    # Runs on SQLite and on PostgreSQL: decimals must survive both databases unchanged.
    answer_everything(assessment, owner, choice_for=lambda q: list(q.options.all())[-2].code)
    stored = compute_results(assessment)
    framework, markets = engine_from_files()
    answers = {
        a.question.code: engine.AnswerValue(a.choice, tuple(a.checked), a.na_justification)
        for a in assessment.answers.select_related("question")
    }
    profile = engine.Profile(assessment.ai_role, assessment.uses_genai, frozenset(assessment.target_markets))
    scored = engine.score_assessment(framework, profile, answers)
    assert stored["overall"]["score"] == float(scored.overall.score or 0)
    assert [p["score"] for p in stored["principles"]] == [float(p.score or 0) for p in scored.principles]
    expected = {m.code: float(m.score or 0) for m in readiness.readiness_report(scored, markets)}
    assert {m["code"]: m["score"] for m in stored["markets"]} == expected
    assert [a["code"] for a in stored["actions"]] == [a.code for a in scored.actions]


def test_a_content_update_changes_new_assessments_only(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    assessment.refresh_from_db()
    before = {m["code"]: m["score"] for m in assessment.results["markets"]}

    draft = version_clone(source=assessment.framework_version, code="asean-next", label="next")
    MarketPrincipleWeight.objects.filter(country__version=draft, country__code="VN").update(weight=Decimal("0.1"))
    MarketPrincipleWeight.objects.filter(country__version=draft, country__code="VN", principle__code="TE").update(
        weight=Decimal(10)
    )
    version_publish(version=draft, label="Next edition")
    assert FrameworkVersion.objects.current() == draft

    new = assessment_create(
        organisation=assessment.organisation,
        by=owner,
        name="After update",
        sector="finance",
        size="large",
        ai_role="both",
        uses_genai=True,
        target_markets=["SG", "VN", "KH"],
    )
    answer_everything(new, owner)
    after = {m["code"]: m["score"] for m in compute_results(new)["markets"]}
    assert new.framework_version == draft
    assert after["VN"] != before["VN"] and after["SG"] == before["SG"]
    assessment.refresh_from_db()
    page = client_for(owner).get(reverse("assessment_readiness", args=[assessment.pk]))
    assert {m["code"]: m["score"] for m in page.context["markets"]} == before


def test_action_plan_csv_lists_the_gaps_in_order(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    response = client_for(owner).get(reverse("action_plan_csv", args=[assessment.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    results = compute_results(assessment)
    assert [r["question"] for r in rows] == [a["code"] for a in results["actions"]]
    assert rows[0]["priority"] in {"key control", "mandatory requirement"}
    assert all(r["recommendation"] for r in rows)


def test_reassessment_shows_the_change(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    client = client_for(owner)
    client.post(reverse("assessment_reassess", args=[assessment.pk]))
    new = Assessment.objects.exclude(pk=assessment.pk).get()
    page = client.get(reverse("assessment_results", args=[new.pk]))
    assert page.context["overall_change"] == 0.0
    assert "Change since the previous assessment" in page.content.decode()


def test_readiness_page_lists_each_market_gap_with_its_recommendation(assessment: Assessment, owner: Any) -> None:
    page = client_for(owner).get(reverse("assessment_readiness", args=[assessment.pk])).content.decode()
    assert "What to do for Viet Nam" in page
    transfer = Question.objects.get(version=assessment.framework_version, code="VN-TRANSFER")
    assert escape(transfer.recommendation) in page
    assert "134/2025/QH15" in page
    assert "apply your strictest data protection standard here" in page  # Cambodia: no data protection law


def test_readiness_page_says_why_each_market_has_its_status(assessment: Assessment, owner: Any) -> None:
    page = client_for(owner).get(reverse("assessment_readiness", args=[assessment.pk]))
    html = page.content.decode()
    assert page.context["markets"]
    for market in page.context["markets"]:
        card = html.split(f'id="market-h-{market["code"]}"', 1)[1].split("</section>", 1)[0]
        # Nothing is answered yet: every market is Not ready, and the reason is the rule that decided it.
        assert market["status"] == "not_ready"
        assert f'data-testid="status-reason">{escape(wording.say(market["status_reason"]))}</p>' in card


def test_a_draft_preview_says_what_is_not_answered_yet(assessment: Assessment, owner: Any) -> None:
    client = client_for(owner)
    for code in ("TE-01", "TE-02"):
        question = Question.objects.get(version=assessment.framework_version, code=code)
        answer_save(assessment=assessment, question=question, by=owner, choice="3", checked=[])
    results = compute_results(assessment)
    unanswered = results["applicable"] - results["answered"]
    assert unanswered > 0

    for name in ("assessment_results", "assessment_readiness"):
        body = client.get(reverse(name, args=[assessment.pk])).content.decode()
        assert f"{unanswered} applicable questions are not answered yet" in body, name
    body = client.get(reverse("assessment_results", args=[assessment.pk])).content.decode()
    te, fe = (next(p for p in results["principles"] if p["code"] == c) for c in ("TE", "FE"))
    row = body[body.index('data-testid="principle-TE"') :].split("</tr>")[0]
    assert f'<td data-label="Answered">2 / {te["applicable"]}</td>' in row and "not answered yet" not in row
    row = body[body.index('data-testid="principle-FE"') :].split("</tr>")[0]
    assert (
        "not answered yet" in row
        and "Initial" not in row
        and f'<td data-label="Answered">0 / {fe["applicable"]}</td>' in row
    )

    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    body = client.get(reverse("assessment_results", args=[assessment.pk])).content.decode()
    assert "not answered yet" not in body and 'data-testid="preview-notice"' not in body


def test_a_change_since_the_last_assessment_is_signed_and_coloured(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    client = client_for(owner)
    client.post(reverse("assessment_reassess", args=[assessment.pk]))
    new = Assessment.objects.exclude(pk=assessment.pk).get()
    for question in Question.objects.filter(version=new.framework_version, principle__code="TE", market__isnull=True):
        best = max(question.options.all(), key=lambda o: o.points)
        choice = "checklist" if question.scale == "checklist" else best.code
        checked = [o.code for o in question.options.all()] if question.scale == "checklist" else []
        answer_save(assessment=new, question=question, by=owner, choice=choice, checked=checked)
    page = client.get(reverse("assessment_results", args=[new.pk]))
    change = page.context["overall_change"]
    assert change > 0
    assert f'<span class="text-success-emphasis fw-semibold">+{change}</span> points' in page.content.decode()


def test_scores_and_levels_share_one_colour_per_maturity_band(assessment: Assessment, owner: Any) -> None:
    from scorecard.reports.charts import BAND_COLOURS, bar_svg
    from scorecard.templatetags.scorecard_tags import heat_class, level_class

    for score, band in ((0, 0), (19.9, 0), (20, 1), (59.9, 2), (60, 3), (80, 4), (100, 4)):
        assert heat_class(score) == f"heat-{band}" and BAND_COLOURS[band] in bar_svg(score), score
    assert (level_class(1), level_class(5), level_class(None)) == ("band-0", "band-4", "band-na")
    answer_everything(assessment, owner)
    page = client_for(owner).get(reverse("assessment_results", args=[assessment.pk])).content.decode()
    te = page[page.index('data-testid="principle-TE"') :].split("</tr>")[0]
    level = compute_results(assessment)["principles"][0]["level"]
    assert f'class="band band-{level - 1}"' in te
