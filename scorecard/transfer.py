"""JSON export and import of an assessment (schema documented in docs/json-format.md).

Import validates the whole file first and reports each problem by question code; it writes nothing
unless everything is valid.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from frameworks.models import Country, FrameworkVersion, Question

from .models import AIRole, Answer, Assessment, Organisation, Sector, Size
from .services.assessments import answer_problems, assessment_create

SCHEMA = "asean-ai-scorecard/assessment"
SCHEMA_VERSION = 1
MAX_IMPORT_BYTES = 2 * 1024 * 1024


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


def _problems_in(payload: Any) -> tuple[list[str], dict[str, Any]]:
    """Every problem in an import payload, and the validated pieces when there are none."""
    if not isinstance(payload, dict):
        return [_("The file must contain a JSON object.")], {}
    problems: list[str] = []
    if payload.get("schema") != SCHEMA:
        problems.append(_("This is not an assessment export (schema should be “%(s)s”).") % {"s": SCHEMA})
    if payload.get("schema_version") != SCHEMA_VERSION:
        problems.append(
            _("Unsupported schema_version %(v)r; this version reads %(n)s.")
            % {"v": payload.get("schema_version"), "n": SCHEMA_VERSION}
        )
    version = FrameworkVersion.objects.filter(code=payload.get("framework_version")).first()
    if version is None or version.status == FrameworkVersion.Status.DRAFT:
        problems.append(_("Framework version %(v)r is not available here.") % {"v": payload.get("framework_version")})
    profile = payload.get("assessment")
    if not isinstance(profile, dict):
        problems.append(_("“assessment” must be an object with the profile."))
        profile = {}
    name = profile.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append(_("assessment.name must be text of 1 to 200 characters."))
    for key, choices in (("sector", Sector), ("size", Size), ("ai_role", AIRole)):
        if not isinstance(profile.get(key), str) or profile.get(key) not in choices.values:
            problems.append(
                _("assessment.%(k)s: %(v)r is not one of %(c)s.")
                % {"k": key, "v": profile.get(key), "c": ", ".join(choices.values)}
            )
    if not isinstance(profile.get("uses_genai"), bool):
        problems.append(_("assessment.uses_genai must be true or false."))
    markets = profile.get("target_markets", [])
    known_markets = set(Country.objects.filter(version=version).values_list("code", flat=True)) if version else set()
    if not isinstance(markets, list) or any(not isinstance(m, str) or m not in known_markets for m in markets):
        problems.append(
            _("assessment.target_markets must list ASEAN country codes (%(c)s).")
            % {"c": ", ".join(sorted(known_markets))}
        )
    answers = payload.get("answers", [])
    if not isinstance(answers, list):
        problems.append(_("“answers” must be a list."))
        answers = []
    questions = (
        {q.code: q for q in Question.objects.filter(version=version).prefetch_related("options")} if version else {}
    )
    seen: set[str] = set()
    for index, raw in enumerate(answers, start=1):
        if not isinstance(raw, dict):
            problems.append(_("answers[%(i)s]: must be an object.") % {"i": index})
            continue
        code = raw.get("question")
        where = code if isinstance(code, str) else f"answers[{index}]"
        if not isinstance(code, str) or code not in questions:
            problems.append(_("%(q)s: no such question in this framework version.") % {"q": where})
            continue
        if code in seen:
            problems.append(_("%(q)s: answered twice.") % {"q": code})
        seen.add(code)
        fields = {
            k: raw.get(k, "" if k != "checked" else [])
            for k in ("choice", "checked", "evidence_note", "evidence_link", "na_justification")
        }
        checked = fields["checked"]
        texts_ok = all(isinstance(fields[k], str) for k in fields if k != "checked")
        if not texts_ok or not isinstance(checked, list) or not all(isinstance(c, str) for c in checked):
            problems.append(_("%(q)s: choice and notes must be text and checked a list.") % {"q": code})
            continue
        for problem in answer_problems(
            questions[code],
            choice=fields["choice"],
            checked=fields["checked"],
            na_justification=fields["na_justification"],
            evidence_link=fields["evidence_link"],
            evidence_note=fields["evidence_note"],
        ):
            problems.append(f"{code}: {problem}")
    return problems, {"version": version, "profile": profile, "answers": answers, "questions": questions}


def assessment_import(*, organisation: Organisation, by: User, raw: bytes) -> Assessment:
    """Create a draft assessment from an export file. Raises ValidationError listing every problem."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is larger than 2 MB."))
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError(_("The file is not valid JSON (%(e)s).") % {"e": exc}) from exc
    except RecursionError as exc:  # thousands of nested brackets: no export of ours looks like that
        raise ValidationError(_("The file is not an assessment export: its JSON is nested too deeply.")) from exc
    problems, valid = _problems_in(payload)
    if problems:
        raise ValidationError(problems)
    if valid["version"] != FrameworkVersion.objects.current():
        raise ValidationError(
            _(
                "The file was answered against framework version %(v)s; only the current version "
                "can be imported. Re-assess it in the version it came from instead."
            )
            % {"v": valid["version"].code}
        )
    profile = valid["profile"]
    with transaction.atomic():
        assessment = assessment_create(
            organisation=organisation,
            by=by,
            name=profile["name"],
            sector=profile["sector"],
            size=profile["size"],
            ai_role=profile["ai_role"],
            uses_genai=profile["uses_genai"],
            target_markets=list(profile.get("target_markets", [])),
        )
        Answer.objects.bulk_create(
            Answer(
                assessment=assessment,
                question=valid["questions"][raw_answer["question"]],
                choice=raw_answer.get("choice", ""),
                checked=sorted(raw_answer.get("checked", [])),
                evidence_note=raw_answer.get("evidence_note", ""),
                evidence_link=raw_answer.get("evidence_link", ""),
                na_justification=raw_answer.get("na_justification", "") if raw_answer.get("choice") == "na" else "",
                updated_by=by,
            )
            for raw_answer in valid["answers"]
        )
    return assessment
