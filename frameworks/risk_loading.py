"""Risk impact assessment methods: one YAML file each under fixtures/risk-methods/, validated, then loaded atomically.

A method file holds the questions of the Guide's Annex A and the rules that turn the answers into a risk level
(docs/risk-method.md describes every field). Like a framework edition, a published method never changes: the same
code with different content is refused, and a new code makes a new method. Loading an unchanged file again does
nothing. Validation lists every problem, each naming the file, the record and the field, before anything is written.

Nothing here knows how a risk level is computed (scorecard/risk.py does); this module only checks that the rules
are complete and consistent, so that the computation never meets a gap.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from .content import INTERNAL_MARKERS, NOT_A_DOCUMENT, SLUG_RE, URL_RE, ContentError, ContentProblem, _Checker
from .models import RiskMethod, RiskQuestion

TOP_FIELDS = ("code", "title", "description", "released", "sources", "levels", "questions")
SOURCE_FIELDS = ("publisher", "title", "date", "part", "url")
LEVEL_FIELDS = ("probability", "severity", "adjustments", "matrix", "involvement")
SCALE_FIELDS = ("value", "code", "label", "description")
ADJUSTMENT_FIELDS = ("code", "question", "answer", "raise", "label")
INVOLVEMENT_FIELDS = ("level", "involvement", "description")
QUESTION_FIELDS = ("code", "section", "kind", "annex_ref", "text", "guidance", "required")
RISK_LEVELS = ("low", "medium", "high")  # lowest first; scorecard.models.RiskLevel
INVOLVEMENTS = ("out", "over", "in")  # least human involvement first; scorecard.models.HumanInvolvement
YES_NO = ("yes", "no")
SECTIONS = tuple(RiskQuestion.Section.values)
KINDS = tuple(RiskQuestion.Kind.values)
QUESTION_CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")


@dataclass(frozen=True)
class RiskLoadResult:
    method: RiskMethod
    created: bool

    @property
    def message(self) -> str:
        if self.created:
            return f"Loaded the risk method {self.method.code} ({self.method.get_status_display()})."
        return f"The risk method {self.method.code} is already loaded and unchanged."


# --- reading ------------------------------------------------------------------------------------------------------


def read_risk_method(path: Path | str) -> dict[str, Any]:
    """A method file as data; ContentError when it cannot be read as a YAML mapping."""
    path = Path(path)
    name = path.stem
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ContentError([ContentProblem(name, "", "", f"the file {path} does not exist")]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark else ""
        problem = ContentProblem(name, "", "", f"{line}not valid YAML ({getattr(exc, 'problem', exc)})")
        raise ContentError([problem]) from exc
    except UnicodeDecodeError as exc:
        raise ContentError([ContentProblem(name, "", "", "not UTF-8 text")]) from exc
    if not isinstance(loaded, dict):
        raise ContentError([ContentProblem(name, "", "", "must be a mapping of keys to values")])
    return loaded


# --- validation ---------------------------------------------------------------------------------------------------


def validate_risk_method(data: Any, *, file: str | None = None) -> list[ContentProblem]:
    """Every problem of a method's data, each naming the file, the record and the field. Empty means valid.

    `file` is the file's name without `.yaml`; when given it must be the method's code, so that a copied file
    cannot load over another method by accident.
    """
    name = file or (str(data.get("code")) if isinstance(data, dict) and data.get("code") else "risk-method")
    problems: list[ContentProblem] = []
    top = _Checker(problems, name, "", data)
    top.allowed(*TOP_FIELDS)
    code = top.code("code", pattern=SLUG_RE, max_length=60)
    if file is not None and code and code != file:
        top.fail("code", f"{code!r} differs from the file name {file!r}.yaml; name the file after the code")
    top.text("title", max_length=200)
    top.text("description", required=False)
    top.date("released")
    _check_sources(problems, name, top.items("sources"))
    questions = _check_questions(problems, name, top.items("questions"))
    levels = top.values.get("levels")
    if levels is None:
        top.fail("levels", "is required (the scales and rules)")
    else:
        _check_levels(problems, name, levels, questions)
    _check_public_text(problems, name, top.values)
    return problems


def _check_sources(problems: list[ContentProblem], file: str, sources: list[Any]) -> None:
    if not sources:
        problems.append(ContentProblem(file, "", "sources", "name at least one public document the method follows"))
    for index, source in enumerate(sources, start=1):
        check = _Checker(problems, file, f"source {index}", source)
        check.allowed(*SOURCE_FIELDS)
        check.text("publisher", max_length=200)
        title = check.text("title", max_length=300)
        if title and NOT_A_DOCUMENT.search(title):
            check.fail("title", "must name a public document, not notes")
        check.text("date", required=False, max_length=40)
        check.text("part", required=False, max_length=400)
        url = check.text("url", required=False, max_length=500)
        if url and not URL_RE.match(url):
            check.fail("url", f"{url!r} is not a web address (http:// or https://)")


def _check_questions(problems: list[ContentProblem], file: str, questions: list[Any]) -> dict[str, dict[str, Any]]:
    """Check each question; returns the valid-looking ones by code, for the rules to refer to."""
    found: dict[str, dict[str, Any]] = {}
    if not questions:
        problems.append(ContentProblem(file, "", "questions", "is required (a list of questions)"))
    for index, question in enumerate(questions, start=1):
        code = question.get("code") if isinstance(question, dict) else None
        check = _Checker(problems, file, f"question {code or index}", question)
        check.allowed(*QUESTION_FIELDS)
        code = check.code("code", pattern=QUESTION_CODE_RE)
        if code and code in found:
            check.fail("code", f"question code {code!r} is used twice")
        section = check.choice("section", SECTIONS)
        kind = check.choice("kind", KINDS)
        check.text("annex_ref", required=False, max_length=60)
        check.text("text")
        check.text("guidance", required=False)
        required = check.flag("required") if "required" in check.values else True
        if kind in ("probability", "severity") and not required:
            check.fail("required", f"a {kind} question must be answered: the risk level rests on it")
        if code and code not in found:
            found[code] = {"section": section, "kind": kind, "required": required}
    if questions:
        present = {q["section"] for q in found.values()}
        for section in SECTIONS:
            if section not in present:
                problems.append(
                    ContentProblem(file, "", "questions", f"no question in the Annex A section {section!r}")
                )
        for kind in ("probability", "severity"):
            if not any(q["kind"] == kind for q in found.values()):
                problems.append(ContentProblem(file, "", "questions", f"needs at least one {kind} question"))
    return found


def _check_scale(problems: list[ContentProblem], file: str, name: str, points: Any) -> int:
    """Check one scale (probability or severity); returns how many steps it has (0 when unusable)."""
    check = _Checker(problems, file, "levels", {name: points})
    points = check.items(name)
    if len(points) < 2:
        check.fail(name, "needs at least two steps")
        return 0
    codes: set[str] = set()
    usable = True
    for index, point in enumerate(points, start=1):
        step = _Checker(problems, file, f"levels > {name} step {index}", point)
        step.allowed(*SCALE_FIELDS)
        value = step.values.get("value")
        if value != index or isinstance(value, bool):
            step.fail("value", f"must be {index}: the steps are numbered 1, 2, 3 ... from the lowest")
            usable = False
        code = step.code("code", pattern=SLUG_RE, max_length=30)
        if code in codes:
            step.fail("code", f"{code!r} is used twice in the {name} scale")
        codes.add(code)
        step.text("label", max_length=80)
        step.text("description")
    return len(points) if usable else 0


def _check_levels(problems: list[ContentProblem], file: str, levels: Any, questions: dict[str, dict[str, Any]]) -> None:
    check = _Checker(problems, file, "levels", levels)
    if not isinstance(levels, dict):
        return
    check.allowed(*LEVEL_FIELDS)
    rows = _check_scale(problems, file, "probability", levels.get("probability"))
    columns = _check_scale(problems, file, "severity", levels.get("severity"))

    adjustments = check.items("adjustments", required=False)
    seen: set[str] = set()
    for index, adjustment in enumerate(adjustments, start=1):
        step = _Checker(problems, file, f"levels > adjustment {index}", adjustment)
        step.allowed(*ADJUSTMENT_FIELDS)
        code = step.code("code", pattern=SLUG_RE, max_length=30)
        if code in seen:
            step.fail("code", f"adjustment code {code!r} is used twice")
        seen.add(code)
        question = step.values.get("question")
        if question not in questions:
            step.fail("question", f"{question!r} is not a question of this method")
        elif questions[question]["kind"] != "yes-no":
            step.fail("question", f"{question} must be a yes-no question to trigger an adjustment")
        step.choice("answer", YES_NO)
        raise_by = step.integer("raise", required=True)
        if raise_by == 0:
            step.fail("raise", "must raise the severity by at least one step")
        step.text("label", max_length=200)

    matrix = check.items("matrix")
    if matrix:
        _check_matrix(check, matrix, rows, columns)

    involvement = check.items("involvement")
    calls: dict[str, str] = {}
    for index, entry in enumerate(involvement, start=1):
        step = _Checker(problems, file, f"levels > involvement {index}", entry)
        step.allowed(*INVOLVEMENT_FIELDS)
        level = step.choice("level", RISK_LEVELS)
        if level in calls:
            step.fail("level", f"{level!r} is given twice")
        calls[level] = step.choice("involvement", INVOLVEMENTS)
        step.text("description")
    if involvement:
        missing = [level for level in RISK_LEVELS if level not in calls]
        if missing:
            check.fail("involvement", f"say which human involvement these risk levels call for: {', '.join(missing)}")
        elif all(calls.values()):
            ranks = [INVOLVEMENTS.index(calls[level]) for level in RISK_LEVELS]
            if ranks != sorted(ranks):
                check.fail("involvement", "a higher risk level must never call for less human involvement")


def _check_matrix(check: _Checker, matrix: list[Any], rows: int, columns: int) -> None:
    """The matrix has a row per probability step and a column per severity step; risk never falls as either rises."""
    if rows and len(matrix) != rows:
        check.fail("matrix", f"has {len(matrix)} rows; the probability scale has {rows} steps, one row each")
    cells: list[list[int]] = []
    for index, row in enumerate(matrix, start=1):
        if not isinstance(row, list):
            check.fail("matrix", f"row {index} must be a list of risk levels")
            return
        if columns and len(row) != columns:
            check.fail("matrix", f"row {index} has {len(row)} cells; the severity scale has {columns} steps")
        bad = [cell for cell in row if cell not in RISK_LEVELS]
        if bad:
            check.fail("matrix", f"row {index}: {bad[0]!r} is not one of: {', '.join(RISK_LEVELS)}")
            return
        cells.append([RISK_LEVELS.index(cell) for cell in row])
    if any(len(row) != len(cells[0]) for row in cells):
        return
    for r, row in enumerate(cells):
        for c, rank in enumerate(row):
            if (c and rank < row[c - 1]) or (r and rank < cells[r - 1][c]):
                check.fail(
                    "matrix",
                    f"row {r + 1}, cell {c + 1}: the risk level must not fall as severity or probability rises",
                )
                return


def _check_public_text(problems: list[ContentProblem], file: str, data: dict[str, Any]) -> None:
    """Clients read every line of a method in the PDF: no mention of our own files or notes (as in content)."""

    def walk(value: Any, record: str, field: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in ("url", "code", "question"):
                    walk(item, record, str(key))
        elif isinstance(value, list):
            for item in value:
                walk(item, record, field)
        elif isinstance(value, str) and (found := INTERNAL_MARKERS.search(value)):
            problems.append(
                ContentProblem(file, record, field, f"mentions {found.group(0)!r}: cite public documents only")
            )

    for key in ("title", "description", "sources", "levels", "questions"):
        if key in data:
            walk(data[key], "", key)


def check_risk_method(data: dict[str, Any], *, file: str | None = None) -> None:
    problems = validate_risk_method(data, file=file)
    if problems:
        raise ContentError(problems)


# --- the canonical form: files and database compared --------------------------------------------------------------


def canonical_method(data: dict[str, Any]) -> dict[str, Any]:
    """Valid method data with every default written out, as `method_to_data` reads it back from the database."""
    released = data["released"]
    return {
        "code": data["code"],
        "title": data["title"],
        "description": data.get("description") or "",
        "released": released if isinstance(released, dt.date) else dt.date.fromisoformat(released),
        "sources": [{field: source.get(field) or "" for field in SOURCE_FIELDS} for source in data["sources"]],
        "levels": {
            "probability": [dict(point) for point in data["levels"]["probability"]],
            "severity": [dict(point) for point in data["levels"]["severity"]],
            "adjustments": [dict(a) for a in data["levels"].get("adjustments") or []],
            "matrix": [list(row) for row in data["levels"]["matrix"]],
            "involvement": [dict(entry) for entry in data["levels"]["involvement"]],
        },
        "questions": [
            {
                "code": q["code"],
                "section": q["section"],
                "kind": q["kind"],
                "annex_ref": q.get("annex_ref") or "",
                "text": q["text"],
                "guidance": q.get("guidance") or "",
                "required": q.get("required", True),
            }
            for q in data["questions"]
        ],
    }


def method_to_data(method: RiskMethod) -> dict[str, Any]:
    """A method in the database as the data of its file (in canonical form)."""
    return {
        "code": method.code,
        "title": method.title,
        "description": method.description,
        "released": method.released_on,
        "sources": [dict(source) for source in method.sources],
        "levels": dict(method.levels),
        "questions": [
            {
                "code": q.code,
                "section": q.section,
                "kind": q.kind,
                "annex_ref": q.annex_ref,
                "text": q.text,
                "guidance": q.guidance,
                "required": q.required,
            }
            for q in method.questions.order_by("order", "code")
        ],
    }


# --- loading ------------------------------------------------------------------------------------------------------


def load_risk_method(source: Path | str | dict[str, Any], *, publish: bool = True) -> RiskLoadResult:
    """Validate a method (a file or its data) and write it, atomically.

    Loading an unchanged published method again does nothing. A published method never changes: different content
    under its code is refused (give it a new code). A draft with the same code is replaced.
    """
    if isinstance(source, dict):
        data, file = source, None
    else:
        data, file = read_risk_method(source), Path(source).stem
    check_risk_method(data, file=file)
    wanted = canonical_method(data)
    name = file or wanted["code"]
    with transaction.atomic():
        existing = RiskMethod.objects.select_for_update().filter(code=wanted["code"]).first()
        if existing is not None:
            if existing.status != RiskMethod.Status.DRAFT:
                if method_to_data(existing) == wanted:
                    return RiskLoadResult(existing, created=False)
                raise ContentError(
                    [
                        ContentProblem(
                            name,
                            "",
                            "code",
                            f"the risk method {wanted['code']!r} is published and cannot change; give the changed "
                            "method a new code (and name its file after it)",
                        )
                    ]
                )
            try:
                existing.delete()
            except ProtectedError as exc:  # a draft someone answered: keep their answers' method
                raise ContentError(
                    [ContentProblem(name, "", "code", "this draft method has risk assessments; give it a new code")]
                ) from exc
        method = _method_to_database(wanted, publish=publish)
    return RiskLoadResult(method, created=True)


def _method_to_database(data: dict[str, Any], *, publish: bool) -> RiskMethod:
    method = RiskMethod.objects.create(
        code=data["code"],
        title=data["title"],
        description=data["description"],
        released_on=data["released"],
        status=RiskMethod.Status.PUBLISHED if publish else RiskMethod.Status.DRAFT,
        published_at=timezone.now() if publish else None,
        levels=data["levels"],
        sources=data["sources"],
    )
    RiskQuestion.objects.bulk_create(
        RiskQuestion(method=method, order=order, **question) for order, question in enumerate(data["questions"], 1)
    )
    return method


@transaction.atomic
def risk_method_publish(method: RiskMethod) -> RiskMethod:
    """Publish a draft made or edited in the admin, after the same validation as a file gets."""
    locked = RiskMethod.objects.select_for_update().get(pk=method.pk)
    if locked.status != RiskMethod.Status.DRAFT:
        raise ContentError([ContentProblem(locked.code, "", "status", "only a draft can be published")])
    data = method_to_data(locked)
    if data["released"] is None:
        data["released"] = timezone.localdate()
    check_risk_method(data)
    locked.status = RiskMethod.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.released_on = data["released"]
    locked.save(update_fields=["status", "published_at", "released_on"])
    return locked
