"""Stored results snapshots in both formats: format 1 (English words, before issue 19) and format 2 (codes).

The fixtures in tests/scorecard/data/ are real snapshots of the shipped November 2026 edition:
`results-format-1.json` and `results-format-1-ready.json` were written by the code before issue 19 (so they hold
its English), `results-format-2.json` by today's code from the same answers as `results-format-1.json`. A format 1
snapshot must render the results page, the readiness page, the CSV and the PDF with the words it always had, and a
format 2 snapshot with the same words.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from frameworks.models import FrameworkVersion
from scorecard import engine, readiness, wording
from scorecard.models import Assessment
from scorecard.reports.pdf import report_pdf_for
from scorecard.results_format import FORMAT, STORED_TEXT, UnknownResultsFormat, read_results
from scorecard.scoring import compute_results
from tests.conftest import client_for
from tests.factories import AssessmentFactory
from tests.scorecard.test_questionnaire import answer_everything
from tests.scorecard.test_reports import pdf_text

DATA = Path(__file__).parent / "data"
OLD, OLD_READY, NEW = "results-format-1.json", "results-format-1-ready.json", "results-format-2.json"

# What the readiness page said for the format 1 snapshots before issue 19 (captured from the page then).
REASONS_BEFORE = {
    OLD: {
        "KH": "Ready with conditions: the readiness score (56) is under 75, the level for Ready, and 4 conditions "
        "are open.",
        "MY": "Ready with conditions: the readiness score (63.2) is under 75, the level for Ready, and 3 conditions "
        "are open.",
        "SG": "Ready with conditions: the readiness score (66.5) is under 75, the level for Ready, and 3 conditions "
        "are open.",
        "TH": "Ready with conditions: the readiness score (61.2) is under 75, the level for Ready, and 3 conditions "
        "are open.",
        "VN": "Not ready: 4 mandatory requirements are not met (see the blockers).",
    },
    OLD_READY: {
        "KH": "Ready with conditions: the readiness score (94.8) is 75 or more, but 1 condition is open.",
        "SG": "Ready: the readiness score (94.9) is 75 or more and no condition is open.",
        "VN": "Not ready: 6 mandatory requirements are not met (see the blockers).",
    },
}


def snapshot(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text())


def areas(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        results["overall"],
        *results["principles"],
        *([results["genai"]] if results["genai"] else []),
        *results["dimensions"],
        *results["risks"],
    ]


def next_steps(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every question and action that carries a next step."""
    rows = [q for a in areas(results) for q in a.get("questions", ())]
    rows += [q for m in results["markets"] for q in m["requirements"]]
    return rows + results["actions"]


# --- reading, without a database ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [OLD, OLD_READY])
def test_a_format_1_snapshot_reads_as_codes(name: str) -> None:
    old = snapshot(name)
    assert "format" not in old and old["schema"] == 1
    results = read_results(old)
    assert results["format"] == FORMAT and "schema" not in results
    assert not any("level_name" in a for a in areas(results))
    assert all(1 <= a["level"] <= 5 for a in areas(results))
    assert all("status_label" not in m and m["status"] in readiness.STATUSES for m in results["markets"])
    assert {a["priority"] for a in results["actions"]} <= set(engine.PRIORITIES)
    conditions = {c["code"] for m in results["markets"] for c in m["conditions"]}
    assert conditions and conditions <= {
        readiness.NO_DATA_PROTECTION_LAW,
        readiness.REQUIREMENT_NOT_MET,
        readiness.KEY_CONTROL_FAILED,
    }
    steps = {r["next_step"]["code"] for r in next_steps(results) if r["next_step"]}
    assert steps == {engine.REACH_OPTION, engine.PUT_IN_PLACE} or steps == {engine.REACH_OPTION}
    assert old == snapshot(name), "reading never changes the stored snapshot"


@pytest.mark.parametrize("name", [OLD, OLD_READY])
def test_a_format_1_snapshot_says_the_words_it_stored(name: str) -> None:
    old, results = snapshot(name), read_results(snapshot(name))
    for stored, read in zip(areas(old), areas(results), strict=True):
        assert wording.level_name(read["level"]) == stored["level_name"], stored["code"]
    for stored, read in zip(old["markets"], results["markets"], strict=True):
        assert wording.status_label(read["status"]) == stored["status_label"]
        assert [wording.say(c) for c in read["conditions"]] == stored["conditions"]
        reason = readiness.status_reason(read["status"], read["score"], len(read["blockers"]), len(read["conditions"]))
        assert wording.say(reason) == REASONS_BEFORE[name][read["code"]]
    for stored, read in zip(old["actions"], results["actions"], strict=True):
        assert wording.priority_label(read["priority"]) == stored["priority"]
    for stored, read in zip(next_steps(old), next_steps(results), strict=True):
        # Without the question's options at hand, the labels the old snapshot stored name the options.
        assert wording.say(read["next_step"]) == stored["next_step"], stored["code"]


def test_the_upgrade_gives_what_the_engine_writes_today() -> None:
    """Format 1 read as format 2 equals the format 2 snapshot of the same answers, but for the time it was computed
    and the options a next step names: by label in an old snapshot, by code in a new one."""
    upgraded, new = read_results(snapshot(OLD)), snapshot(NEW)
    for results in (upgraded, new):
        results.pop("computed_at")
        for row in next_steps(results):
            step = row["next_step"]
            if step:
                step["params"] = {k: v for k, v in step["params"].items() if k in ("gain",)}
    assert upgraded == new


def test_a_sentence_the_reader_does_not_know_is_shown_as_stored() -> None:
    old = snapshot(OLD)
    old["markets"][0]["conditions"].append("A condition written by hand.")
    old["actions"][0]["next_step"] = "Ask the regulator."
    old["actions"][1]["priority"] = "urgent"
    results = read_results(old)
    assert results["markets"][0]["conditions"][-1] == {
        "code": STORED_TEXT,
        "params": {"text": "A condition written by hand."},
    }
    assert wording.say(results["markets"][0]["conditions"][-1]) == "A condition written by hand."
    assert wording.say(results["actions"][0]["next_step"]) == "Ask the regulator."
    assert wording.priority_label(results["actions"][1]["priority"]) == "urgent"


def test_a_format_2_snapshot_is_read_as_it_is_and_a_newer_one_is_refused() -> None:
    new = snapshot(NEW)
    assert read_results(new) == new
    with pytest.raises(UnknownResultsFormat):
        read_results({**new, "format": FORMAT + 1})


# --- rendering ---------------------------------------------------------------------------------------------------


def submitted_with(results: dict[str, Any], organisation: Any, owner: Any) -> Assessment:
    """A submitted assessment whose stored results are `results`, as a database holds it."""
    return AssessmentFactory(
        organisation=organisation,
        created_by=owner,
        framework_version=FrameworkVersion.objects.get(code=results["framework_version"]),
        ai_role="both",
        uses_genai=True,
        target_markets=[m["code"] for m in results["markets"]],
        status=Assessment.Status.SUBMITTED,
        submitted_at=timezone.now(),
        results=results,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", [OLD, NEW])
def test_results_page_csv_and_pdf_say_the_same_words_in_both_formats(
    name: str, content: Any, organisation: Any, owner: Any
) -> None:
    before = snapshot(OLD)  # the words, as the code before issue 19 wrote them
    assessment = submitted_with(snapshot(name), organisation, owner)
    client = client_for(owner)

    page = client.get(reverse("assessment_results", args=[assessment.pk])).content.decode()
    overall = before["overall"]
    assert f"Level {overall['level']}: {overall['level_name']}" in page
    for p in before["principles"]:
        row = page[page.index(f'data-testid="principle-{p["code"]}"') :].split("</tr>")[0]
        assert f"{p['level']} {p['level_name']}</span>" in row
    for action in before["actions"]:
        row = page[page.index(f'id="action-{action["rank"]}"') :].split("</tr>")[0]
        assert f">{escape(action['priority'])}</span>" in row
        assert f"({escape(action['next_step'])})" in row
    for p in before["principles"]:
        for q in p["questions"]:
            if q["next_step"]:
                assert escape(q["next_step"]) in page

    response = client.get(reverse("action_plan_csv", args=[assessment.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(r["question"], r["priority"], r["next_step"]) for r in rows] == [
        (a["code"], a["priority"], a["next_step"]) for a in before["actions"]
    ]

    text = " ".join(pdf_text(report_pdf_for(owner, assessment)).split())
    assert f"Level {overall['level']}: {overall['level_name']}" in text
    for market in before["markets"]:
        assert f"{market['name']} {market['score']:.0f}/100 · {market['status_label']}" in text
        assert REASONS_BEFORE[OLD][market["code"]] in text
        for condition in market["conditions"]:
            assert condition in text
    for action in before["actions"][:5]:  # the top gaps on the summary page
        assert f"{action['code']} ({action['priority']})" in text


@pytest.mark.django_db
@pytest.mark.parametrize("name", [OLD, NEW, OLD_READY])
def test_readiness_page_says_the_same_words_in_both_formats(
    name: str, content: Any, organisation: Any, owner: Any
) -> None:
    before = snapshot(OLD_READY if name == OLD_READY else OLD)
    assessment = submitted_with(snapshot(name), organisation, owner)
    page = client_for(owner).get(reverse("assessment_readiness", args=[assessment.pk])).content.decode()
    for market in before["markets"]:
        card = page.split(f'id="market-h-{market["code"]}"', 1)[1].split("</section>", 1)[0]
        assert f">{market['status_label']}</span>" in card
        reason = REASONS_BEFORE[OLD_READY if name == OLD_READY else OLD][market["code"]]
        assert f'data-testid="status-reason">{escape(reason)}</p>' in card
        for condition in market["conditions"]:
            assert f"<li>{escape(condition)}</li>" in card
        for requirement in market["requirements"]:
            if requirement["next_step"]:
                assert escape(requirement["next_step"]) in card


@pytest.mark.django_db
def test_a_new_snapshot_holds_codes_and_no_words(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    results = compute_results(assessment)
    assert results["format"] == FORMAT and "schema" not in results
    assert not any("level_name" in a for a in areas(results))
    assert not any("status_label" in m for m in results["markets"])
    assert {a["priority"] for a in results["actions"]} <= set(engine.PRIORITIES)
    for row in next_steps(results):
        assert row["next_step"] is None or set(row["next_step"]) == {"code", "params"}
    # Codes and numbers only: no sentence anywhere in what the engine stored (content texts aside).
    content_texts = {a["recommendation"] for a in results["actions"]} | {
        b[k] for m in results["markets"] for b in m["blockers"] for k in ("legal_basis", "recommendation")
    }
    content_texts |= {a["name"] for a in areas(results)} | {m["name"] for m in results["markets"]}

    def strings(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    sentences = [s for s in strings(results) if " " in s and s not in content_texts]
    assert sentences == []
    assert json.loads(json.dumps(results)) == results  # plain JSON
