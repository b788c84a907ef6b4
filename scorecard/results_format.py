"""Read a stored results snapshot, whatever format it was written in (docs/json-format.md, "Results snapshot").

A submitted assessment keeps the snapshot written when it was submitted, forever. Format 2 (`"format": 2`) holds
codes and parameters: levels as numbers, priorities and statuses as codes, conditions and next steps as phrases
({"code", "params"}). Format 1 (no "format" key, `"schema": 1`) was written before issue 19 and holds English:
level names, status labels, priorities and sentences. `read_results` gives every reader the format 2 form, upgrading
a format 1 snapshot in memory (the stored JSON is never rewritten): codes are derived from the English the old
engine wrote, and a sentence that matches none of its wordings is kept as it was stored (`wording.STORED_TEXT`), so
an old snapshot always renders with the words it had.

Pure Python, no Django, like the engine: it can be tested on a snapshot alone.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from . import engine, readiness

FORMAT = 2
STORED_TEXT = "stored-text"  # a sentence kept as it was stored: params {"text": ...} (wording.STORED_TEXT)


class UnknownResultsFormat(ValueError):
    """A snapshot written by a newer version of the application than this one."""


def results_format(snapshot: Mapping[str, Any]) -> int:
    """The format a snapshot was written in: 1 for those written before formats were numbered."""
    return int(snapshot.get("format", 1))


def read_results(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The snapshot in the current format (format 2). A format 2 snapshot is returned as it is."""
    version = results_format(snapshot)
    if version == FORMAT:
        return dict(snapshot)
    if version == 1:
        return _upgrade_from_1(snapshot)
    raise UnknownResultsFormat(f"results format {version} is newer than this application reads ({FORMAT})")


# --- format 1 -> 2 -----------------------------------------------------------------------------------------------

# The English the format 1 engine wrote, exactly (scorecard/engine.py and readiness.py before issue 19).
_PRIORITIES_1 = {
    "key control": engine.KEY_CONTROL_PRIORITY,
    "mandatory requirement": engine.MANDATORY_PRIORITY,
    "gap": engine.GAP_PRIORITY,
}
_REACH_1 = re.compile(r"Reach “(?P<label>.*)” \(\+(?P<gain>\d+(?:\.\d+)?) points\)", re.DOTALL)
_PUT_IN_PLACE_1 = "Put in place: "
_NO_LAW_1 = "No comprehensive data protection law in force: legal uncertainty, not an easy market."
_REQUIREMENT_1 = re.compile(r"Requirement (?P<code>\S+) is not fully met\.")
_KEY_CONTROL_1 = re.compile(r"Key control (?P<code>\S+) failed in a principle this market emphasises\.")


def _stored_text(text: str) -> dict[str, Any]:
    return {"code": STORED_TEXT, "params": {"text": text}}


def _next_step_1(text: str | None) -> dict[str, Any] | None:
    """ "Reach “Defined” (+1 points)" and "Put in place: A; B" carry option labels, not codes: the labels stay in
    the params ("label", "labels") for the edge to match against the question's options."""
    if not text:
        return None
    reach = _REACH_1.fullmatch(text)
    if reach:
        gain = float(reach["gain"])
        return {"code": engine.REACH_OPTION, "params": {"label": reach["label"], "gain": gain}}
    if text.startswith(_PUT_IN_PLACE_1):
        return {"code": engine.PUT_IN_PLACE, "params": {"labels": text.removeprefix(_PUT_IN_PLACE_1).split("; ")}}
    return _stored_text(text)


def _condition_1(text: str) -> dict[str, Any]:
    if text == _NO_LAW_1:
        return {"code": readiness.NO_DATA_PROTECTION_LAW, "params": {}}
    requirement = _REQUIREMENT_1.fullmatch(text)
    if requirement:
        return {"code": readiness.REQUIREMENT_NOT_MET, "params": {"requirement": requirement["code"]}}
    key_control = _KEY_CONTROL_1.fullmatch(text)
    if key_control:
        return {"code": readiness.KEY_CONTROL_FAILED, "params": {"key_control": key_control["code"]}}
    return _stored_text(text)


def _area_1(area: dict[str, Any]) -> None:
    # The level is already a number; its name is said at the edge (wording.level_name).
    area.pop("level_name", None)
    if area.get("code") in (engine.OVERALL, engine.GENAI_AREA):
        area["name"] = ""  # named at the edge too (wording.area_name)
    for question in area.get("questions", ()):
        question["next_step"] = _next_step_1(question.get("next_step"))


def _upgrade_from_1(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    results: dict[str, Any] = copy.deepcopy(dict(snapshot))
    results.pop("schema", None)
    for area in (results.get("overall"), results.get("genai"), *results.get("principles", ())):
        if area:
            _area_1(area)
    for area in (*results.get("dimensions", ()), *results.get("risks", ())):
        _area_1(area)
    for market in results.get("markets", ()):
        market.pop("status_label", None)
        market["conditions"] = [_condition_1(text) for text in market.get("conditions", ())]
        for question in market.get("requirements", ()):
            question["next_step"] = _next_step_1(question.get("next_step"))
    for action in results.get("actions", ()):
        action["priority"] = _PRIORITIES_1.get(action.get("priority", ""), action.get("priority", ""))
        action["next_step"] = _next_step_1(action.get("next_step"))
    results["format"] = FORMAT
    return results
