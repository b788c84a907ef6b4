"""The content files: reading, validating and writing them back.

A framework version lives on disk as one folder with one YAML file per document:

    version.yaml      code, label, title, description
    guide.yaml        principles, governance components, answer scales, questions
    genai.yaml        GenAI risks, recommendation dimensions, supplement items
    countries.yaml    member states: facts, market weights, market requirements
    instruments.yaml  regional instruments (DEFA, DMF, MCCs, Roadmap)

This module knows nothing about the database: it turns files into one plain `dict` ("content data")
and checks it. `frameworks.loading` writes content data to the database, `frameworks.exporting` reads it back.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

FILES = ("version", "guide", "genai", "countries", "instruments")
RESERVED_OPTION_CODES = {"na", "unknown", "checklist"}
CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
OPTION_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SCALES = ("maturity", "ypn", "checklist")
ROLES = ("any", "developer", "deployer")
TOPICS = ("strategy", "guideline", "ai_law", "data_law", "transfer", "ai_body", "note")
CONFIDENCES = ("H", "M", "?")


@dataclass(frozen=True)
class ContentProblem:
    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = " > ".join(part for part in (self.record, self.field) if part)
        return f"{self.file}.yaml: {where}: {self.message}" if where else f"{self.file}.yaml: {self.message}"


class ContentError(Exception):
    """Raised with every problem found; nothing has been written when it is raised."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- reading and writing files ---------------------------------------------------------------------


def read_content(directory: Path | str) -> dict[str, Any]:
    directory = Path(directory)
    data: dict[str, Any] = {}
    problems: list[ContentProblem] = []
    if not directory.is_dir():
        raise ContentError([ContentProblem("version", "", "", f"the folder {directory} does not exist")])
    for name in FILES:
        path = directory / f"{name}.yaml"
        if not path.exists():
            problems.append(ContentProblem(name, "", "", "file is missing"))
            continue
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f"line {mark.line + 1}: " if mark else ""
            problems.append(ContentProblem(name, "", "", f"{line}not valid YAML ({getattr(exc, 'problem', exc)})"))
            continue
        except UnicodeDecodeError:
            problems.append(ContentProblem(name, "", "", "not UTF-8 text"))
            continue
        if not isinstance(loaded, dict):
            problems.append(ContentProblem(name, "", "", "must be a mapping of keys to values"))
            continue
        data[name] = loaded
    if problems:
        raise ContentError(problems)
    return data


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Long prose is written folded (`>-`) so the files stay readable and diff well by hand.
    style = ">" if len(value) > 100 and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def write_content(data: dict[str, Any], directory: Path | str) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        path = directory / f"{name}.yaml"
        path.write_text(dump_yaml(data[name]), encoding="utf-8")
        written.append(path)
    return written


# --- validation ------------------------------------------------------------------------------------


class _Checker:
    """Collects problems while checking one record's fields."""

    def __init__(self, problems: list[ContentProblem], file: str, record: str, values: Any):
        self.problems = problems
        self.file = file
        self.record = record
        self.values = values if isinstance(values, dict) else {}
        if not isinstance(values, dict):
            self.fail("", "must be a mapping of fields to values")

    def fail(self, field: str, message: str) -> None:
        self.problems.append(ContentProblem(self.file, self.record, field, message))

    def allowed(self, *fields: str) -> None:
        for key in self.values:
            if key not in fields:
                self.fail(str(key), f"unknown field (allowed: {', '.join(fields)})")

    def text(self, field: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = self.values.get(field)
        if value is None or value == "":
            if required:
                self.fail(field, "is required")
            return ""
        if not isinstance(value, str):
            self.fail(field, "must be text")
            return ""
        if max_length and len(value) > max_length:
            self.fail(field, f"is {len(value)} characters long; at most {max_length} allowed")
        return value

    def code(self, field: str = "code", pattern: re.Pattern[str] = CODE_RE, max_length: int = 20) -> str:
        value = self.values.get(field)
        if not isinstance(value, str) or not pattern.match(value):
            self.fail(field, f"{value!r} is not a valid code (expected the pattern {pattern.pattern})")
            return ""
        if len(value) > max_length:
            self.fail(field, f"is longer than {max_length} characters")
        return value

    def number(self, field: str, low: str, high: str, *, required: bool = True) -> Decimal | None:
        value = self.values.get(field)
        if value is None:
            if required:
                self.fail(field, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(field, "must be a number")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(field, f"{value!r} is not a number")
            return None
        if not Decimal(low) <= number <= Decimal(high):
            self.fail(field, f"{value} is out of range ({low} to {high})")
            return None
        return number

    def integer(self, field: str, *, required: bool = False) -> int | None:
        value = self.values.get(field)
        if value is None:
            if required:
                self.fail(field, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(field, "must be a whole number, 0 or more")
            return None
        return value

    def flag(self, field: str) -> bool:
        value = self.values.get(field, False)
        if not isinstance(value, bool):
            self.fail(field, "must be true or false")
            return False
        return value

    def choice(self, field: str, choices: tuple[str, ...], *, default: str | None = None, blank: bool = False) -> str:
        value = self.values.get(field, default)
        if blank and value in (None, ""):
            return ""
        if value not in choices:
            self.fail(field, f"{value!r} is not one of: {', '.join(choices)}")
            return ""
        return str(value)

    def date(self, field: str) -> dt.date | None:
        value = self.values.get(field)
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(field, f"{value!r} is not a date (expected YYYY-MM-DD)")
        return None

    def items(self, field: str, *, required: bool = True) -> list[Any]:
        value = self.values.get(field)
        if value is None:
            if required:
                self.fail(field, "is required (a list)")
            return []
        if not isinstance(value, list):
            self.fail(field, "must be a list")
            return []
        return value


def _unique(checker: _Checker, seen: set[str], code: str, what: str) -> None:
    if code and code in seen:
        checker.fail("code", f"{what} code {code!r} is used twice")
    seen.add(code)


QUESTION_FIELDS = (
    "code",
    "principle",
    "component",
    "scale",
    "weight",
    "key_control",
    "allow_na",
    "applies_to",
    "requires_genai",
    "text",
    "guidance",
    "evidence",
    "recommendation",
    "options",
)


def _check_question(
    problems: list[ContentProblem],
    file: str,
    raw: Any,
    *,
    refs: dict[str, set[str]],
    scales: dict[str, Any],
    question_codes: set[str],
    extra_fields: tuple[str, ...] = (),
    prefix: str = "",
) -> _Checker:
    record = f"{prefix}question {raw.get('code', '?') if isinstance(raw, dict) else '?'}"
    c = _Checker(problems, file, record, raw)
    c.allowed(*QUESTION_FIELDS, *extra_fields)
    _unique(c, question_codes, c.code(), "question")
    principle = c.text("principle")
    if principle and principle not in refs["principles"]:
        c.fail("principle", f"{principle!r} is not a principle in guide.yaml")
    component = c.text("component", required=False)
    if component and component not in refs["components"]:
        c.fail("component", f"{component!r} is not a governance component in guide.yaml")
    scale = c.choice("scale", SCALES)
    c.number("weight", "0.1", "5", required=False)
    c.flag("key_control")
    c.flag("allow_na")
    c.choice("applies_to", ROLES, default="any")
    c.flag("requires_genai")
    for field in ("text", "guidance", "evidence", "recommendation"):
        c.text(field)
    options = c.values.get("options")
    if options is None:
        if scale == "checklist":
            c.fail("options", "a checklist question needs its list of practices")
        elif scale and scale not in scales:
            c.fail("options", f"no options given and guide.yaml has no default scale {scale!r}")
    else:
        _check_options(c, options)
    return c


def _check_options(c: _Checker, options: Any) -> None:
    if not isinstance(options, list) or not options:
        c.fail("options", "must be a non-empty list")
        return
    seen: set[str] = set()
    best = Decimal(0)
    for index, raw in enumerate(options, start=1):
        o = _Checker(c.problems, c.file, f"{c.record} > option {index}", raw)
        o.allowed("code", "label", "descriptor", "points")
        code = o.code(pattern=OPTION_CODE_RE)
        if code in RESERVED_OPTION_CODES:
            o.fail("code", f"{code!r} is reserved for special answers")
        if code in seen:
            o.fail("code", f"option code {code!r} is used twice")
        seen.add(code)
        o.text("label", max_length=300)
        o.text("descriptor", required=False)
        points = o.number("points", "0", "10")
        best = max(best, points or Decimal(0))
    if best == 0:
        c.fail("options", "at least one option must be worth more than 0 points")


def validate_content(data: dict[str, Any]) -> list[ContentProblem]:
    """Every problem in the content, each naming its file, record and field. Empty means valid."""
    problems: list[ContentProblem] = []
    version = _Checker(problems, "version", "", data.get("version"))
    version.allowed("code", "label", "title", "description")
    version.code(pattern=SLUG_RE, max_length=60)
    version.text("label", max_length=60)
    version.text("title", max_length=200)
    version.text("description", required=False)

    refs: dict[str, set[str]] = {"principles": set(), "components": set(), "risks": set(), "dimensions": set()}
    guide = _Checker(problems, "guide", "", data.get("guide"))
    guide.allowed("source", "principles", "components", "scales", "questions")
    guide.text("source", required=False)
    for raw in guide.items("principles"):
        c = _Checker(problems, "guide", f"principle {raw.get('code', '?') if isinstance(raw, dict) else '?'}", raw)
        c.allowed("code", "order", "name", "short_name", "weight", "definition")
        _unique(c, refs["principles"], c.code(), "principle")
        c.integer("order")
        c.text("name", max_length=120)
        c.text("short_name", max_length=40)
        c.text("definition")
        c.number("weight", "0.1", "10")
    for raw in guide.items("components"):
        c = _Checker(problems, "guide", f"component {raw.get('code', '?') if isinstance(raw, dict) else '?'}", raw)
        c.allowed("code", "order", "name", "description")
        _unique(c, refs["components"], c.code(), "component")
        c.integer("order")
        c.text("name", max_length=160)
        c.text("description", required=False)
    scales = guide.values.get("scales") or {}
    if not isinstance(scales, dict):
        guide.fail("scales", "must map a scale name to its options")
        scales = {}
    for name, options in scales.items():
        s = _Checker(problems, "guide", f"scale {name}", {"options": options})
        if name not in ("maturity", "ypn"):
            s.fail("", "only the maturity and ypn scales take default options")
        _check_options(s, options)

    question_codes: set[str] = set()
    questions_per_principle = dict.fromkeys(refs["principles"], 0)
    for raw in guide.items("questions"):
        q = _check_question(problems, "guide", raw, refs=refs, scales=scales, question_codes=question_codes)
        principle = q.values.get("principle")
        if isinstance(principle, str) and principle in questions_per_principle:
            questions_per_principle[principle] += 1
    for code, count in questions_per_principle.items():
        if count == 0:
            problems.append(ContentProblem("guide", f"principle {code}", "questions", "has no questions"))

    genai = _Checker(problems, "genai", "", data.get("genai"))
    genai.allowed("source", "risks", "dimensions", "items")
    genai.text("source", required=False)
    for key, what in (("risks", "risk"), ("dimensions", "dimension")):
        for raw in genai.items(key):
            c = _Checker(problems, "genai", f"{what} {raw.get('code', '?') if isinstance(raw, dict) else '?'}", raw)
            c.allowed("code", "order", "name", "description")
            _unique(c, refs[key], c.code(), what)
            c.integer("order")
            c.text("name", max_length=160)
            c.text("description", required=False)
    covered_dimensions: set[str] = set()
    covered_risks: set[str] = set()
    for raw in genai.items("items"):
        q = _check_question(
            problems,
            "genai",
            raw,
            refs=refs,
            scales=scales,
            question_codes=question_codes,
            extra_fields=("dimension", "risks"),
        )
        dimension = q.text("dimension")
        if dimension and dimension not in refs["dimensions"]:
            q.fail("dimension", f"{dimension!r} is not a dimension in genai.yaml")
        covered_dimensions.add(dimension)
        risks = q.values.get("risks") or []
        if not isinstance(risks, list) or not risks:
            q.fail("risks", "must list the GenAI risks the item mitigates")
            risks = []
        for risk in risks:
            if not isinstance(risk, str) or risk not in refs["risks"]:
                q.fail("risks", f"{risk!r} is not a risk in genai.yaml")
                continue
            covered_risks.add(risk)
    for code in sorted(refs["dimensions"] - covered_dimensions):
        problems.append(ContentProblem("genai", f"dimension {code}", "items", "has no items"))
    for code in sorted(refs["risks"] - covered_risks):
        problems.append(ContentProblem("genai", f"risk {code}", "items", "no item mitigates it"))

    countries = _Checker(problems, "countries", "", data.get("countries"))
    countries.allowed("source", "countries")
    countries.text("source", required=False)
    country_codes: set[str] = set()
    for raw in countries.items("countries"):
        c = _Checker(problems, "countries", f"country {raw.get('code', '?') if isinstance(raw, dict) else '?'}", raw)
        c.allowed(
            "code",
            "order",
            "name",
            "member_since",
            "tier",
            "tier_source",
            "tier_confidence",
            "readiness_index",
            "readiness_index_source",
            "readiness_index_confidence",
            "has_data_protection_law",
            "weights",
            "facts",
            "requirements",
        )
        code = c.code(pattern=re.compile(r"^[A-Z]{2}$"))
        _unique(c, country_codes, code, "country")
        c.integer("order")
        c.text("name", max_length=80)
        c.date("member_since")
        c.text("tier", required=False, max_length=40)
        c.text("tier_source", required=False, max_length=300)
        c.choice("tier_confidence", CONFIDENCES, blank=True)
        index = c.number("readiness_index", "0", "100", required=False)
        if index is not None and not c.values.get("readiness_index_source"):
            c.fail("readiness_index_source", "a readiness index needs its source")
        c.text("readiness_index_source", required=False, max_length=300)
        c.choice("readiness_index_confidence", CONFIDENCES, blank=True)
        c.flag("has_data_protection_law")
        weights = c.values.get("weights")
        if not isinstance(weights, dict):
            c.fail("weights", "must give a weight for every principle")
        else:
            for principle in sorted(refs["principles"] - set(weights)):
                c.fail("weights", f"has no weight for principle {principle}")
            for principle, weight in weights.items():
                if principle not in refs["principles"]:
                    c.fail("weights", f"{principle!r} is not a principle in guide.yaml")
                _Checker(problems, "countries", f"{c.record} > weights", {principle: weight}).number(
                    str(principle), "0", "10"
                )
        for index_, raw_fact in enumerate(c.items("facts"), start=1):
            f = _Checker(problems, "countries", f"{c.record} > fact {index_}", raw_fact)
            f.allowed("topic", "summary", "status", "year", "source", "as_of", "confidence")
            f.choice("topic", TOPICS)
            f.text("summary")
            f.text("status", required=False, max_length=60)
            f.integer("year")
            f.text("source", max_length=300)
            f.date("as_of")
            f.choice("confidence", CONFIDENCES)
        for raw_req in c.items("requirements", required=False):
            q = _check_question(
                problems,
                "countries",
                raw_req,
                refs=refs,
                scales=scales,
                question_codes=question_codes,
                extra_fields=("mandatory", "legal_basis"),
                prefix=f"{c.record} > ",
            )
            q.flag("mandatory")
            q.text("legal_basis", max_length=300)

    instruments = _Checker(problems, "instruments", "", data.get("instruments"))
    instruments.allowed("source", "instruments")
    instruments.text("source", required=False)
    instrument_codes: set[str] = set()
    for raw in instruments.items("instruments"):
        c = _Checker(
            problems, "instruments", f"instrument {raw.get('code', '?') if isinstance(raw, dict) else '?'}", raw
        )
        c.allowed(
            "code", "order", "name", "status", "key_dates", "summary", "implication", "source", "as_of", "confidence"
        )
        _unique(c, instrument_codes, c.code(), "instrument")
        c.integer("order")
        c.text("name", max_length=200)
        c.text("status", max_length=200)
        for field in ("key_dates", "summary", "implication"):
            c.text(field)
        c.text("source", max_length=300)
        c.date("as_of")
        c.choice("confidence", CONFIDENCES)
    return problems
