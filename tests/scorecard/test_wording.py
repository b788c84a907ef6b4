"""The words for the results' codes (scorecard/wording.py): the same English the engine used to write itself."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.template import Context, Template
from django.utils import translation

from scorecard import engine, readiness, wording
from scorecard.engine import Phrase


def test_levels_statuses_and_priorities_in_words() -> None:
    assert [wording.level_name(level) for level in (1, 2, 3, 4, 5)] == [
        "Initial",
        "Developing",
        "Defined",
        "Managed",
        "Optimised",
    ]
    assert wording.level_name(None) == "Not scored"
    assert [wording.status_label(s) for s in readiness.STATUSES] == ["Ready", "Ready with conditions", "Not ready"]
    assert [wording.priority_label(p) for p in engine.PRIORITIES] == ["key control", "mandatory requirement", "gap"]
    assert wording.area_name(engine.OVERALL) == "Overall" and wording.area_name("TE", "Transparency") == "Transparency"


@pytest.mark.parametrize(
    ("phrase", "words"),
    [
        (Phrase(engine.REACH_OPTION, {"option": "3", "gain": D(1)}), "Reach “Implemented” (+1 points)"),
        (Phrase(engine.REACH_OPTION, {"option": "yes", "gain": D("1.5")}), "Reach “Yes” (+1.5 points)"),
        (Phrase(engine.PUT_IN_PLACE, {"practices": ["a", "c"]}), "Put in place: Policy; Training"),
        (
            Phrase(readiness.NO_DATA_PROTECTION_LAW),
            "No comprehensive data protection law in force: legal uncertainty, not an easy market.",
        ),
        (Phrase(readiness.REQUIREMENT_NOT_MET, {"requirement": "TH-DPIA"}), "Requirement TH-DPIA is not fully met."),
        (
            Phrase(readiness.KEY_CONTROL_FAILED, {"key_control": "PD-01"}),
            "Key control PD-01 failed in a principle this market emphasises.",
        ),
    ],
)
def test_phrases_in_words(phrase: Phrase, words: str) -> None:
    labels = {"3": "Implemented", "yes": "Yes", "a": "Policy", "c": "Training"}
    assert wording.say(phrase, labels) == words
    assert wording.say(phrase.as_dict() | {"labels": labels}) == words  # as a snapshot stores it


def test_each_status_reason_in_one_sentence() -> None:
    """The sentences of docs/methodology.md ("why"), from the phrases readiness.status_reason returns."""

    def reason(status: str, score: float | None, blockers: int = 0, conditions: int = 0) -> str:
        return wording.say(readiness.status_reason(status, score, blockers, conditions))

    assert reason(readiness.NOT_READY, 59.9, 1) == "Not ready: 1 mandatory requirement is not met (see the blockers)."
    assert reason(readiness.NOT_READY, 0.0, 2) == "Not ready: 2 mandatory requirements are not met (see the blockers)."
    assert reason(readiness.NOT_READY, 49.9) == "Not ready: the readiness score (49.9) is under 50."
    assert reason(readiness.NOT_READY, 0.0) == "Not ready: the readiness score (0) is under 50."
    assert reason(readiness.NOT_READY, None) == "Not ready: no applicable answers to score yet."
    assert reason(readiness.READY, 79.4) == "Ready: the readiness score (79.4) is 75 or more and no condition is open."
    assert reason(readiness.CONDITIONS, 70.6, conditions=1) == (
        "Ready with conditions: the readiness score (70.6) is under 75, the level for Ready, and 1 condition is open."
    )
    assert reason(readiness.CONDITIONS, 74.9) == (
        "Ready with conditions: the readiness score (74.9) is under 75, the level for Ready."
    )
    assert reason(readiness.CONDITIONS, 80.0, conditions=2) == (
        "Ready with conditions: the readiness score (80) is 75 or more, but 2 conditions are open."
    )
    assert reason(readiness.CONDITIONS, 88.8, conditions=1) == (
        "Ready with conditions: the readiness score (88.8) is 75 or more, but 1 condition is open."
    )


def test_numbers_are_written_as_people_write_them() -> None:
    assert [wording.number(v) for v in (D("56.0"), 63.2, D(10), D("0.50"), 100.0)] == ["56", "63.2", "10", "0.5", "100"]


def test_no_phrase_no_words_and_an_unknown_code_shows_itself() -> None:
    assert wording.say(None) == "" and wording.say({}) == ""
    assert wording.say({"code": "from-the-future", "params": {}}) == "from-the-future"


def test_template_filters_say_the_codes() -> None:
    template = Template(
        "{% load scorecard_tags %}{{ 3|level_name }} · {{ none|level_name }} · {{ 'not_ready'|status_label }} · "
        "{{ 'key-control'|priority_label }} · {{ reason|wording }}"
    )
    reason = {"code": readiness.REQUIREMENT_NOT_MET, "params": {"requirement": "VN-01"}}
    with translation.override("en"):
        shown = template.render(Context({"none": None, "reason": reason}))
    assert shown == "Defined · Not scored · Not ready · key control · Requirement VN-01 is not fully met."
