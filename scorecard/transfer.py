"""JSON export and import of an assessment (schema documented in docs/json-format.md).

Import validates the file first and reports each problem by question code; it writes nothing unless everything
is valid. A file can be built to make that expensive (hundreds of thousands of bad entries, each one a message to
render), so the checks are bounded: the file's size is checked before it is parsed, checking stops after
MAX_PROBLEMS problems, and no message quotes more than a few dozen characters of the file.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from frameworks.models import Country, FrameworkVersion, Question

from .models import AIRole, Answer, Assessment, Organisation, Sector, Size
from .services.assessments import Profile, answer_problems, assessment_create_from_import

SCHEMA = "asean-ai-scorecard/assessment"
SCHEMA_VERSION = 1
MAX_PROBLEMS = 50  # enough to fix a real file in one go; a file with more is not worth reading further
QUOTE_CHARS = 40  # the most of a value from the file that a message repeats
ANSWER_FIELDS = ("choice", "checked", "evidence_note", "evidence_link", "na_justification")

# Text that JSON can carry but a database cannot store, nor a page show: NUL, and a UTF-16 surrogate left unpaired
# ("\ud800"). A correctly paired surrogate escape is decoded to one character by the JSON parser, so any surrogate
# still in a decoded string is a lone one.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class ImportRefused(ValidationError):
    """The file cannot be imported. `messages` are the problems found; `unchecked` counts the answers left
    unchecked when checking stopped at MAX_PROBLEMS (0 when the whole file was checked)."""

    def __init__(self, problems: list[str], *, unchecked: int = 0) -> None:
        super().__init__(problems)
        self.unchecked = unchecked

    @property
    def stopped_early(self) -> bool:
        return len(self.messages) >= MAX_PROBLEMS


def assessment_export(assessment: Assessment) -> dict[str, Any]:
    answers = assessment.answers.select_related("question").order_by("question__order")
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "framework_version": assessment.framework_version.code,
        "assessment": {
            "name": assessment.name,
            "status": assessment.status,
            "sector": assessment.sector,
            "size": assessment.size,
            "ai_role": assessment.ai_role,
            "uses_genai": assessment.uses_genai,
            "target_markets": list(assessment.target_markets),
        },
        "answers": [{"question": a.question.code, **a.as_dict()} for a in answers],
    }


def _quoted(value: object) -> str:
    """A value from the file as a message may repeat it: short, and escaped so it is safe to show.

    Lists and objects are named, not printed: printing one could be large, or nested deep enough to overflow.
    """
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    text = repr(value)  # escapes NUL and lone surrogates, so the message itself is always storable
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _clean_text(value: object) -> bool:
    return isinstance(value, str) and UNSTORABLE.search(value) is None


def _unstorable_message(where: str) -> str:
    return _(
        "%(where)s contains a NUL character (\\u0000) or an unpaired surrogate (\\ud800–\\udfff), which no text "
        "can hold. Remove it and try again."
    ) % {"where": where}


def _profile_problems(profile: dict[str, Any], known_markets: set[str]) -> list[str]:
    problems = []
    name = profile.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append(_("assessment.name must be text of 1 to 200 characters."))
    elif not _clean_text(name):
        problems.append(_unstorable_message("assessment.name"))
    for key, choices in (("sector", Sector), ("size", Size), ("ai_role", AIRole)):
        if not isinstance(profile.get(key), str) or profile.get(key) not in choices.values:
            problems.append(
                _("assessment.%(k)s: %(v)s is not one of %(c)s.")
                % {"k": key, "v": _quoted(profile.get(key)), "c": ", ".join(choices.values)}
            )
    if not isinstance(profile.get("uses_genai"), bool):
        problems.append(_("assessment.uses_genai must be true or false."))
    markets = profile.get("target_markets", [])
    if not isinstance(markets, list) or any(not isinstance(m, str) or m not in known_markets for m in markets):
        problems.append(
            _("assessment.target_markets must list ASEAN country codes (%(c)s).")
            % {"c": ", ".join(sorted(known_markets))}
        )
    return problems


def _answer_problems(index: int, raw: Any, questions: dict[str, Question], seen: set[str]) -> list[str]:
    """The problems of one entry of "answers" (the first is number 1); records its question in `seen`."""
    if not isinstance(raw, dict):
        return [_("answers[%(i)s]: must be an object.") % {"i": index}]
    code = raw.get("question")
    if not isinstance(code, str) or code not in questions:
        if not isinstance(code, str):
            where = f"answers[{index}]"
        else:
            where = code if _clean_text(code) and len(code) <= QUOTE_CHARS else _quoted(code)
        return [_("%(q)s: no such question in this framework version.") % {"q": where}]
    if code in seen:
        return [_("%(q)s: answered twice.") % {"q": code}]
    seen.add(code)
    fields = {k: raw.get(k, [] if k == "checked" else "") for k in ANSWER_FIELDS}
    checked = fields["checked"]
    texts = [fields[k] for k in ANSWER_FIELDS if k != "checked"]
    if not all(isinstance(t, str) for t in texts) or not isinstance(checked, list):
        return [_("%(q)s: choice and notes must be text and checked a list.") % {"q": code}]
    if not all(isinstance(c, str) for c in checked):
        return [_("%(q)s: choice and notes must be text and checked a list.") % {"q": code}]
    if not all(_clean_text(t) for t in [*texts, *checked]):
        return [_unstorable_message(code)]
    return [
        f"{code}: {problem}"
        for problem in answer_problems(
            questions[code],
            choice=fields["choice"],
            checked=checked,
            na_justification=fields["na_justification"],
            evidence_link=fields["evidence_link"],
            evidence_note=fields["evidence_note"],
        )
    ]


def _problems_in(payload: Any) -> tuple[list[str], int, dict[str, Any]]:
    """The problems in an import payload (at most MAX_PROBLEMS of them), how many answers were left unchecked
    when checking stopped there, and the validated pieces when there are no problems."""
    problems: list[str] = []
    if not isinstance(payload, dict):
        problems.append(_("The file must contain a JSON object."))
        return problems, 0, {}
    if payload.get("schema") != SCHEMA:
        problems.append(_("This is not an assessment export (schema should be “%(s)s”).") % {"s": SCHEMA})
    if payload.get("schema_version") != SCHEMA_VERSION:
        problems.append(
            _("Unsupported schema_version %(v)s; this version reads %(n)s.")
            % {"v": _quoted(payload.get("schema_version")), "n": SCHEMA_VERSION}
        )
    code = payload.get("framework_version")
    version = FrameworkVersion.objects.filter(code=code).first() if _clean_text(code) else None
    if version is None or version.status == FrameworkVersion.Status.DRAFT:
        problems.append(_("Framework version %(v)s is not available here.") % {"v": _quoted(code)})
    profile = payload.get("assessment")
    if not isinstance(profile, dict):
        problems.append(_("“assessment” must be an object with the profile."))
        profile = {}
    known_markets = set(Country.objects.filter(version=version).values_list("code", flat=True)) if version else set()
    problems += _profile_problems(profile, known_markets)
    answers = payload.get("answers", [])
    if not isinstance(answers, list):
        problems.append(_("“answers” must be a list."))
        answers = []
    questions = (
        {q.code: q for q in Question.objects.filter(version=version).prefetch_related("options")} if version else {}
    )
    if version is not None and len(answers) > len(questions):
        # Cheap, and it names the real trouble with a file padded with entries before any of them is read.
        problems.append(
            _("“answers” has %(n)s entries, but this framework version has only %(q)s questions, each answered once.")
            % {"n": f"{len(answers):,}", "q": len(questions)}
        )
    seen: set[str] = set()
    for index, raw in enumerate(answers, start=1):
        if len(problems) >= MAX_PROBLEMS:
            return problems[:MAX_PROBLEMS], len(answers) - index + 1, {}
        problems += _answer_problems(index, raw, questions, seen)
    if len(problems) >= MAX_PROBLEMS:
        return problems[:MAX_PROBLEMS], 0, {}
    return problems, 0, {"version": version, "profile": profile, "answers": answers, "questions": questions}


def _parse(raw: bytes) -> Any:
    if len(raw) > settings.IMPORT_MAX_BYTES:
        raise ImportRefused([too_large_message()])
    if b"\x00" in raw:
        raise ImportRefused(
            [_("The file contains NUL bytes, which an assessment export never does. Is it a JSON file in UTF-8?")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            [_("The file is not UTF-8 text (byte %(n)s cannot be read). Export it again.") % {"n": exc.start}]
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused([_("The file is not valid JSON (%(e)s).") % {"e": exc}]) from exc
    except RecursionError as exc:  # thousands of nested brackets: no export of ours looks like that
        raise ImportRefused([_("The file is not an assessment export: its JSON is nested too deeply.")]) from exc


def too_large_message() -> str:
    limit = settings.IMPORT_MAX_BYTES
    size = f"{limit // (1024 * 1024)} MB" if limit % (1024 * 1024) == 0 else f"{limit // 1024} KB"
    return _("The file is larger than %(size)s; an assessment export is far smaller.") % {"size": size}


def unchecked_message(unchecked: int) -> str:
    """The line that ends a list of problems cut short at MAX_PROBLEMS."""
    if not unchecked:
        return _("Checking stopped after the first %(n)s problems; there may be more.") % {"n": MAX_PROBLEMS}
    return ngettext(
        "Checking stopped after the first %(n)s problems, and %(more)s more answer was not checked.",
        "Checking stopped after the first %(n)s problems, and %(more)s more answers were not checked.",
        unchecked,
    ) % {"n": MAX_PROBLEMS, "more": f"{unchecked:,}"}


def assessment_import(*, organisation: Organisation, by: User, raw: bytes, role: str | None = None) -> Assessment:
    """Create a draft assessment from an export file. Raises ImportRefused (a ValidationError) listing the
    problems of the file, or ServiceError when the organisation cannot take an assessment; nothing is written
    in either case."""
    payload = _parse(raw)
    problems, unchecked, valid = _problems_in(payload)
    if problems:
        raise ImportRefused(problems, unchecked=unchecked)
    if valid["version"] != FrameworkVersion.objects.current():
        raise ImportRefused(
            [
                _(
                    "The file was answered against framework version %(v)s; only the current version "
                    "can be imported. Re-assess it in the version it came from instead."
                )
                % {"v": valid["version"].code}
            ]
        )
    profile = valid["profile"]
    return assessment_create_from_import(
        organisation=organisation,
        by=by,
        role=role,
        profile=Profile(
            name=profile["name"],
            sector=profile["sector"],
            size=profile["size"],
            ai_role=profile["ai_role"],
            uses_genai=profile["uses_genai"],
            target_markets=list(profile.get("target_markets", [])),
        ),
        answers=[
            Answer(
                question=valid["questions"][entry["question"]],
                choice=entry.get("choice", ""),
                checked=sorted(entry.get("checked", [])),
                evidence_note=entry.get("evidence_note", ""),
                evidence_link=entry.get("evidence_link", ""),
                na_justification=entry.get("na_justification", "") if entry.get("choice") == "na" else "",
            )
            for entry in valid["answers"]
        ],
    )
