"""Progress over time: the trend chart (a pure SVG function), the points it takes, the results page and the PDF."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from frameworks.models import Principle
from scorecard.models import Assessment
from scorecard.reports import trend
from scorecard.reports.charts import TREND_DASHES, TrendSeries, trend_svg
from scorecard.services.assessments import assessment_reassess, assessment_submit, assessment_update_profile
from tests.conftest import client_for
from tests.factories import AISystemFactory, AssessmentFactory, OrganisationFactory
from tests.scorecard.test_questionnaire import answer_everything
from tests.scorecard.test_reports import pdf_text

SVG = "{http://www.w3.org/2000/svg}"
CODES = ("TE", "FE", "SS", "HC", "PD", "AC", "RR")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def markers(root: ET.Element, tag: str) -> list[ET.Element]:
    """The markers drawn as `tag` (the pale boxes behind the overall figures left out)."""
    return [e for e in root.iter(f"{SVG}{tag}") if e.get("fill") != "#ffffff"]


def series(n: int, *, principles: int = 2) -> list[TrendSeries]:
    lines = [TrendSeries("Overall", [10.0 + 5 * i for i in range(n)])]
    lines += [TrendSeries(f"Principle {p}", [20.0 + p + 3 * i for i in range(n)]) for p in range(principles)]
    return lines


# The chart -----------------------------------------------------------------------------------------------------


def test_one_point_draws_markers_but_no_line() -> None:
    root = parse(trend_svg(["3 Mar\n2025"], series(1), title="Trend", description="One assessment"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "trend-title trend-desc"
    assert root.find(f"{SVG}title").text == "Trend" and root.find(f"{SVG}desc").text == "One assessment"
    assert root.findall(f".//{SVG}polyline") == []
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "3 Mar" in texts and "2025" in texts  # the date, over two lines
    assert "10" in texts  # the overall score written at its point
    assert {"Overall (10)", "Principle 0 (20)", "Principle 1 (21)"} <= set(texts)  # the legend, with latest values


def test_two_points_draw_one_line_per_series_each_with_its_own_dash_and_marker() -> None:
    root = parse(trend_svg(["1 Jan\n2025", "1 Jun\n2025"], series(2, principles=3)))
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 4
    dashes = [line.get("stroke-dasharray") or "" for line in lines]
    assert len(set(dashes)) == 4  # told apart without colour
    assert sorted(dashes) == sorted(TREND_DASHES[:4])
    overall = next(line for line in lines if not line.get("stroke-dasharray"))
    assert overall.get("stroke-width") == "3"  # the overall score stands out
    # Series markers: a circle for the overall score, then a square, a triangle and a diamond.
    assert len(markers(root, "circle")) == 2 + 1  # two points and the legend's sample
    assert len(markers(root, "rect")) == 2 + 1
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Overall (15)" in texts and "Principle 2 (25)" in texts
    assert root.find(f"{SVG}desc").text == "Overall: 1 Jan 2025: 10, 1 Jun 2025: 15."  # a default description


def test_twelve_points_are_spaced_evenly_and_labelled() -> None:
    labels = [f"{i + 1} Jan\n2025" for i in range(12)]
    root = parse(trend_svg(labels, series(12)))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for i in range(12):
        assert f"{i + 1} Jan" in texts
        assert f"{10 + 5 * i}" in texts  # every overall value is written out
    overall = next(line for line in root.findall(f".//{SVG}polyline") if not line.get("stroke-dasharray"))
    xs = [float(pair.split(",")[0]) for pair in overall.get("points").split()]
    gaps = [b - a for a, b in itertools.pairwise(xs)]
    assert len(xs) == 12 and max(gaps) - min(gaps) < 0.2
    ys = [float(pair.split(",")[1]) for pair in overall.get("points").split()]
    assert ys == sorted(ys, reverse=True)  # rising scores go up the chart


def test_a_missing_score_breaks_the_line_instead_of_dropping_to_zero() -> None:
    lines = [TrendSeries("Overall", [40.0, 50.0, 60.0]), TrendSeries("Privacy", [30.0, None, 70.0])]
    root = parse(trend_svg(["a", "b", "c"], [*lines, TrendSeries("Never scored", [None, None, None])]))
    polylines = root.findall(f".//{SVG}polyline")
    assert len(polylines) == 1  # only the overall line: Privacy's two points are no longer joined
    assert len(markers(root, "rect")) == 2 + 1  # Privacy's two markers and its legend sample
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Privacy (70)" in texts and "Never scored (n/a)" in texts
    lowest = max(float(p.split(",")[1]) for p in polylines[0].get("points").split())
    assert not any(float(r.get("y")) > lowest + 40 for r in markers(root, "rect")[:2])


def test_names_are_escaped() -> None:
    root = parse(trend_svg(["<b>"], [TrendSeries("R&D <lab>", [50.0])], title="A & B"))
    assert "R&D <lab> (50)" in [t.text for t in root.iter(f"{SVG}text")]
    assert root.find(f"{SVG}title").text == "A & B"


# The points ----------------------------------------------------------------------------------------------------


def snapshot(overall: float, principles: dict[str, float | None] | None = None) -> dict[str, Any]:
    scores = principles if principles is not None else dict.fromkeys(CODES, overall)
    return {
        "format": 2,
        "overall": {"code": "OVERALL", "score": overall, "level": 2},
        "principles": [{"code": code, "score": score} for code, score in scores.items()],
    }


def done(organisation: Any, day: int, overall: float, *, system: Any = None, **kwargs: Any) -> Assessment:
    """A submitted assessment with a small stored snapshot, submitted on the `day`th of 2025 (counted from 1 Jan)."""
    return AssessmentFactory(
        organisation=organisation,
        ai_system=system,
        status=Assessment.Status.SUBMITTED,
        submitted_at=datetime(2025, 1, 1, 9, tzinfo=UTC) + timedelta(days=day),
        overall_score=overall,
        overall_level=2,
        results=kwargs.pop("results", None) or snapshot(overall),
        **kwargs,
    )


def pks(assessment: Assessment) -> list[Any]:
    found = trend.context(assessment)["trend"]
    return [row["pk"] for row in found["rows"]] if found else []


@pytest.mark.django_db
def test_the_trend_keeps_to_the_assessments_scope(content: Any) -> None:
    organisation = OrganisationFactory()
    scorer, chatbot = AISystemFactory(organisation=organisation), AISystemFactory(organisation=organisation)
    org_1, org_2 = done(organisation, 1, 30), done(organisation, 50, 40)
    scorer_1, scorer_2, scorer_3 = (done(organisation, d, s, system=scorer) for d, s in ((10, 20), (60, 35), (90, 55)))
    chatbot_1 = done(organisation, 20, 70, system=chatbot)
    elsewhere = OrganisationFactory()
    done(elsewhere, 5, 90), done(elsewhere, 6, 91, system=AISystemFactory(organisation=elsewhere))
    AssessmentFactory(organisation=organisation, ai_system=scorer)  # a draft is no point of another's trend

    assert pks(scorer_3) == [scorer_1.pk, scorer_2.pk, scorer_3.pk]  # a system's own, oldest first
    assert pks(org_2) == [org_1.pk, org_2.pk]  # the organisation-level ones, no system's
    assert pks(scorer_2) == [scorer_1.pk, scorer_2.pk]  # a report is the record of its time: no later ones
    assert pks(chatbot_1) == [] and trend.context(chatbot_1) == {"trend": None}  # one point is no trend
    rows = trend.context(scorer_3)["trend"]["rows"]
    assert [r["overall"] for r in rows] == [20, 35, 55]
    assert [r["is_current"] for r in rows] == [False, False, True]


@pytest.mark.django_db
def test_at_most_the_last_twelve_and_two_queries(content: Any, django_assert_max_num_queries: Any) -> None:
    organisation = OrganisationFactory()
    made = [done(organisation, day, 10 + day) for day in range(15)]
    with django_assert_max_num_queries(2):  # the points with their snapshots, and the principles' names
        found = trend.context(made[-1])["trend"]
    assert [row["pk"] for row in found["rows"]] == [a.pk for a in made[3:]]
    version = made[-1].framework_version
    assert found["principles"] == [p.short_name for p in Principle.objects.filter(version=version)]
    assert found["principles"][0] == "Transparency"


@pytest.mark.django_db
def test_an_old_snapshot_without_a_principle_shows_no_score_for_it(content: Any) -> None:
    organisation = OrganisationFactory()
    old = snapshot(40, {"TE": 35, "FE": 45})  # written against content with fewer principles
    old.pop("format")  # and in the first snapshot format
    old["schema"] = 1
    done(organisation, 1, 40, results=old)
    latest = done(organisation, 2, 60)
    rows = trend.context(latest)["trend"]["rows"]
    first = {cell["code"]: cell["score"] for cell in rows[0]["cells"]}
    assert first["TE"] == 35 and first["FE"] == 45 and first["HC"] is None
    assert all(cell["score"] == 60 for cell in rows[1]["cells"])


@pytest.mark.django_db
def test_a_draft_preview_ends_with_now(assessment: Any, owner: Any) -> None:
    organisation = assessment.organisation
    assert trend.context(assessment) == {"trend": None}  # nothing submitted yet
    assert trend.fingerprint(assessment) == "trend:now"
    before = done(organisation, 1, 30)
    rows = trend.context(assessment)["trend"]["rows"]
    assert [r["pk"] for r in rows] == [before.pk, assessment.pk]
    assert rows[-1]["date"] is None and rows[-1]["is_current"]
    assert rows[-1]["overall"] == 0  # the draft's live results: nothing answered yet
    assert trend.fingerprint(assessment) == f"trend:{before.pk}@{before.submitted_at.isoformat()},now"


@pytest.mark.django_db
def test_the_fingerprint_changes_when_a_point_joins_and_not_after(content: Any) -> None:
    organisation = OrganisationFactory()
    first = done(organisation, 1, 30)
    draft = AssessmentFactory(organisation=organisation)
    before = trend.fingerprint(draft)
    second = done(organisation, 2, 40)
    assert trend.fingerprint(draft) != before  # the draft's trend gained a point
    settled = trend.fingerprint(second)
    done(organisation, 3, 50)
    assert trend.fingerprint(second) == settled  # a later assessment does not change an earlier report
    assert str(first.pk) in settled and str(second.pk) in settled


# The results page and the PDF --------------------------------------------------------------------------------


def pick(question: Any, index: int) -> str:
    options = list(question.options.all())
    return str(options[min(index, len(options) - 1)].code)


def shown_date(moment: datetime, format: str) -> str:
    return date_format(timezone.localtime(moment), format)


def chain(assessment: Assessment, owner: Any, choices: tuple[int, ...]) -> list[Assessment]:
    """Submit `assessment`, then a re-assessment per further choice: option index `choice` for every question."""
    done_list = []
    current = assessment
    for i, choice in enumerate(choices):
        if i:
            current, _created = assessment_reassess(assessment=current, by=owner)
        # The same profile each time: the same questions, so only the answers move the scores.
        assessment_update_profile(
            assessment=current,
            by=owner,
            name=f"Review {i + 1}",
            sector="finance",
            size="large",
            ai_role="deployer",
            uses_genai=False,
            target_markets=["SG"],
        )
        answer_everything(current, owner, choice_for=lambda q, c=choice: pick(q, c))
        current = assessment_submit(assessment=current, by=owner)
        done_list.append(current)
    return done_list


@pytest.mark.django_db
def test_the_results_page_shows_the_trend_with_its_table(assessment: Any, owner: Any) -> None:
    client = client_for(owner)
    first, second = chain(assessment, owner, (0, 2))
    page = client.get(reverse("assessment_results", args=[first.pk])).content.decode()
    assert "Progress over time" not in page  # one point
    page = client.get(reverse("assessment_results", args=[second.pk])).content.decode()
    section = page[page.index('id="trend"') :]
    section = section[: section.index("</section>")]
    assert "Progress over time" in section and 'role="img"' in section and "<details" in section
    assert f'href="{reverse("assessment_results", args=[first.pk])}"' in section  # earlier points link back
    for done_one in (first, second):
        assert f"{done_one.overall_score:.0f}</strong>" in section
        assert shown_date(done_one.submitted_at, "j F Y") in section
    assert "this assessment" in section


@pytest.mark.django_db
def test_the_pdf_has_a_progress_over_time_chapter_with_the_scores(assessment: Any, owner: Any) -> None:
    made = chain(assessment, owner, (0, 1, 3))
    assert len({a.overall_score for a in made}) == 3
    response = client_for(owner).get(reverse("report_pdf", args=[made[-1].pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert re.search(r"Progress over time[\s.]*\d+", pdf_text(response.content, 2))  # in the contents
    chapter = text[text.rindex("Progress over time") :]
    chapter = chapter[: chapter.index("Alignment with the seven principles")]
    day = shown_date(made[0].submitted_at, "j M Y")  # all three were submitted today
    rows = [line.strip() for line in chapter.splitlines() if line.strip().startswith(day)]
    assert len(rows) == 3, chapter
    for done_one, row in zip(made, rows, strict=True):
        figures = re.findall(r"\b(\d+|n/a)\b", row[len(day) :])
        assert len(figures) == 1 + 7, row
        assert figures[0] == f"{done_one.overall_score:.0f}", row
        principles = {p["code"]: p["score"] for p in done_one.results["principles"]}
        assert figures[1:] == [f"{principles[c]:.0f}" for c in CODES], row
    assert rows[-1][len(day) :].lstrip().startswith("*")  # this assessment is marked
    assert "Overall (" in chapter  # the chart's legend is text in the PDF, not an image
