"""Every word of the results, in one place: the engine's and readiness's codes said in the reader's language.

The engine (scorecard/engine.py) and readiness (scorecard/readiness.py) return codes and parameters, and results
snapshots store them (docs/json-format.md, "Results snapshot"). Templates, the PDF and the CSV turn them into words
here, at render time, in the active language: level 3 is "Defined", priority "key-control" is "key control", the
phrase {"code": "requirement-not-met", "params": {"requirement": "TH-DPIA"}} is "Requirement TH-DPIA is not fully
met." So `makemessages` finds every one of these strings, and a snapshot stored today reads in any language later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import engine, readiness
from .results_format import STORED_TEXT

LEVEL_NAMES: dict[int, Promise] = {
    5: pgettext_lazy("maturity level", "Optimised"),
    4: pgettext_lazy("maturity level", "Managed"),
    3: pgettext_lazy("maturity level", "Defined"),
    2: pgettext_lazy("maturity level", "Developing"),
    1: pgettext_lazy("maturity level", "Initial"),
}
NOT_SCORED = pgettext_lazy("maturity level", "Not scored")
NO_SCORE = pgettext_lazy("no score", "n/a")  # where a score would be: the area has nothing to score

STATUS_LABELS: dict[str, Promise] = {
    readiness.READY: pgettext_lazy("market readiness", "Ready"),
    readiness.CONDITIONS: pgettext_lazy("market readiness", "Ready with conditions"),
    readiness.NOT_READY: pgettext_lazy("market readiness", "Not ready"),
}

PRIORITY_LABELS: dict[str, Promise] = {
    engine.KEY_CONTROL_PRIORITY: pgettext_lazy("action priority", "key control"),
    engine.MANDATORY_PRIORITY: pgettext_lazy("action priority", "mandatory requirement"),
    engine.GAP_PRIORITY: pgettext_lazy("action priority", "gap"),
}

AREA_NAMES: dict[str, Promise] = {engine.OVERALL: _("Overall"), engine.GENAI_AREA: _("GenAI supplement")}


def level_name(level: int | str | None) -> str:
    """A maturity level's name: 3 -> "Defined"; None (no score) -> "Not scored"."""
    if level is None or level == "":
        return str(NOT_SCORED)
    name = LEVEL_NAMES.get(int(level))
    return str(name) if name is not None else str(level)


def status_label(status: str) -> str:
    """A market's readiness status in words: "conditions" -> "Ready with conditions"."""
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status


def priority_label(priority: str) -> str:
    """An action's priority in words: "key-control" -> "key control"."""
    label = PRIORITY_LABELS.get(priority)
    return str(label) if label is not None else priority


def area_name(code: str, stored: str = "") -> str:
    """The name of an area the engine adds (overall, GenAI supplement); a content area keeps its own name."""
    name = AREA_NAMES.get(code)
    return str(name) if name is not None else stored


def number(value: Decimal | float | int | str) -> str:
    """A figure as a person writes it, in the active language's format: 56, 63.2, 0.5 (never 56.0 or 1E+1)."""
    exact = Decimal(str(value))
    exact = exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact.normalize()
    return formats.number_format(exact)


# --- phrases ----------------------------------------------------------------------------------------------------

Params = Mapping[str, Any]
Labels = Mapping[str, str]


def _reach_option(params: Params, labels: Labels) -> str:
    option = params.get("option")
    label = labels.get(option, "") if option is not None else ""
    label = label or params.get("label") or option or ""
    return gettext("Reach “%(option)s” (+%(gain)s points)") % {"option": label, "gain": number(params["gain"])}


def _put_in_place(params: Params, labels: Labels) -> str:
    if "practices" in params:
        practices: Sequence[str] = [labels.get(code) or code for code in params["practices"]]
    else:  # an old snapshot whose practices could not be matched to their codes
        practices = params.get("labels", [])
    return gettext("Put in place: %(practices)s") % {"practices": "; ".join(practices)}


def _blocked(params: Params, labels: Labels) -> str:
    count = int(params["count"])
    return ngettext(
        "Not ready: %(count)s mandatory requirement is not met (see the blockers).",
        "Not ready: %(count)s mandatory requirements are not met (see the blockers).",
        count,
    ) % {"count": number(count)}


def _score_too_low(params: Params, labels: Labels) -> str:
    return gettext("Not ready: the readiness score (%(score)s) is under %(floor)s.") % {
        "score": number(params["score"]),
        "floor": number(params["floor"]),
    }


def _ready_score(params: Params, labels: Labels) -> str:
    return gettext("Ready: the readiness score (%(score)s) is %(threshold)s or more and no condition is open.") % {
        "score": number(params["score"]),
        "threshold": number(params["threshold"]),
    }


def _below_ready(params: Params, labels: Labels) -> str:
    count = int(params.get("conditions") or 0)
    values = {"score": number(params["score"]), "threshold": number(params["threshold"]), "count": number(count)}
    if not count:
        return (
            gettext(
                "Ready with conditions: the readiness score (%(score)s) is under %(threshold)s, the level for Ready."
            )
            % values
        )
    return (
        ngettext(
            "Ready with conditions: the readiness score (%(score)s) is under %(threshold)s, the level for Ready, "
            "and %(count)s condition is open.",
            "Ready with conditions: the readiness score (%(score)s) is under %(threshold)s, the level for Ready, "
            "and %(count)s conditions are open.",
            count,
        )
        % values
    )


def _conditions_open(params: Params, labels: Labels) -> str:
    count = int(params.get("conditions") or 0)
    values = {"score": number(params["score"]), "threshold": number(params["threshold"]), "count": number(count)}
    return (
        ngettext(
            "Ready with conditions: the readiness score (%(score)s) is %(threshold)s or more, but %(count)s condition "
            "is open.",
            "Ready with conditions: the readiness score (%(score)s) is %(threshold)s or more, but %(count)s conditions "
            "are open.",
            count,
        )
        % values
    )


PHRASES: dict[str, Callable[[Params, Labels], str]] = {
    # what would raise a question's score
    engine.REACH_OPTION: _reach_option,
    engine.PUT_IN_PLACE: _put_in_place,
    # conditions of a market
    readiness.NO_DATA_PROTECTION_LAW: lambda params, labels: gettext(
        "No comprehensive data protection law in force: legal uncertainty, not an easy market."
    ),
    readiness.REQUIREMENT_NOT_MET: lambda params, labels: (
        gettext("Requirement %(requirement)s is not fully met.") % {"requirement": params["requirement"]}
    ),
    readiness.KEY_CONTROL_FAILED: lambda params, labels: (
        gettext("Key control %(key_control)s failed in a principle this market emphasises.")
        % {"key_control": params["key_control"]}
    ),
    # why a market has its status
    readiness.BLOCKED: _blocked,
    readiness.NOTHING_SCORED: lambda params, labels: gettext("Not ready: no applicable answers to score yet."),
    readiness.SCORE_TOO_LOW: _score_too_low,
    readiness.READY_SCORE: _ready_score,
    readiness.BELOW_READY: _below_ready,
    readiness.CONDITIONS_OPEN: _conditions_open,
    # an old snapshot's sentence that matched no known wording, shown as it was stored (scorecard/results_format.py)
    STORED_TEXT: lambda params, labels: str(params.get("text", "")),
}


def say(phrase: engine.Phrase | Mapping[str, Any] | None, labels: Labels | None = None) -> str:
    """A phrase in words, in the active language; "" for no phrase.

    `phrase` is an engine.Phrase or its stored form {"code": ..., "params": {...}}, which may carry the option
    labels of its question under "labels" (scorecard/reports/context.py adds them); `labels` (option code ->
    label) overrides those. An unknown code is shown as it is rather than failing a whole page.
    """
    if not phrase:
        return ""
    code: str
    params: Params
    stored_labels: Labels
    if isinstance(phrase, engine.Phrase):
        code, params, stored_labels = phrase.code, phrase.params, {}
    else:
        code, params, stored_labels = phrase.get("code", ""), phrase.get("params") or {}, phrase.get("labels") or {}
    words = PHRASES.get(code)
    if words is None:
        return str(params.get("text") or code)
    return words(params, labels if labels is not None else stored_labels)


# --- answers ----------------------------------------------------------------------------------------------------

# An answer in words where it has no option label of its own.
ANSWER_NOT_APPLICABLE = _("Not applicable")
ANSWER_DONT_KNOW = _("Don't know")
ANSWER_NO_PRACTICE = _("None of the practices")
