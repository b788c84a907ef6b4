"""The content files: reading, validating and writing them back.

A framework version lives on disk as one folder with one YAML file per document:

    version.yaml      code, schema, label, released, title, description
    sources.yaml      the public documents the content cites (schema 2)
    guide.yaml        principles, governance components, answer scales, questions
    genai.yaml        GenAI risks, recommendation dimensions, supplement items
    countries.yaml    member states: facts, market weights, market requirements (the obligation catalogue)
    instruments.yaml  regional instruments (the Guides, DEFA, DMF, MCCs, Roadmap ...)

Two schemas: 1 is the first edition's (facts carry a free-text `source` and `as_of`); 2, from the November
2026 edition on, cites documents from sources.yaml by code, dates every check (`checked_on`) and refuses
anything that points at our own files rather than a public document. docs/admin-guide.md describes both.

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

FILES = ("version", "sources", "guide", "genai", "countries", "instruments")
OPTIONAL_FILES = ("sources",)  # a schema 1 edition has no sources.yaml
RESERVED_OPTION_CODES = {"na", "unknown", "checklist"}
CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
OPTION_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SCALES = ("maturity", "ypn", "checklist")
ROLES = ("any", "developer", "deployer")
TOPICS = (
    "strategy",
    "guideline",
    "ai_law",
    "ai_body",
    "data_law",
    "data_duty",
    "transfer",
    "localisation",
    "cyber",
    "sector",
    "pending",
    "membership",
    "note",
)
OBLIGATIONS = (
    "legal_basis",
    "transfer",
    "breach",
    "dpo",
    "dpia",
    "registration",
    "localisation",
    "security",
    "rights",
    "ai_duty",
    "watch",
    "other",
)
CONFIDENCES = ("H", "M", "?")
SCHEMAS = (1, 2)
# Words that betray an internal file or note instead of a public document. A client reads every source line
# in the PDF, so a schema 2 edition refuses them anywhere in its text (URLs aside).
INTERNAL_MARKERS = re.compile(
    r"(?-i:\bFACTS(?:-v\d)?\b)|\bseeds?\b(?:\s*0*\d+)?|\b[\w-]+\.(?:md|ya?ml|py)\b|\bshared/|\bdocs/|\bfixtures?\b"
    r"|\bnot retrieved\b|\bstored cop(?:y|ies)\b|\bin the source code\b|\bv1\b",
    re.IGNORECASE,
)
# A source must be a document: "law-firm notes" or "internal notes" are not.
NOT_A_DOCUMENT = re.compile(r"\bnotes?\b", re.IGNORECASE)
URL_RE = re.compile(r"^https?://[^\s]+$")


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
            if name not in OPTIONAL_FILES:
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
        if name not in data:
            continue
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
    "guide_section",
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
SOURCED_FIELDS = {
    1: ("source", "as_of", "confidence"),
    2: ("sources", "checked_on", "status_as_of", "confidence", "confidence_note"),
}
REQUIREMENT_FIELDS = {
    1: ("mandatory", "legal_basis"),
    2: ("mandatory", "legal_basis", "obligation", "applies_when", "in_force_since", "in_force_note"),
}
FACT_FIELDS = ("topic", "summary", "status", "year")
COUNTRY_FIELDS = {
    1: ("tier", "tier_source", "tier_confidence", "readiness_index_source"),
    2: ("readiness_index_edition", "readiness_index_sources"),
}


@dataclass
class _Context:
    """What every check needs to know about the edition as a whole."""

    schema: int
    scales: dict[str, Any]
    refs: dict[str, set[str]]
    question_codes: set[str]


def _check_source_codes(c: _Checker, field: str, ctx: _Context) -> None:
    codes = c.values.get(field)
    if not isinstance(codes, list) or not codes:
        c.fail(field, "must list at least one source code from sources.yaml")
        return
    for code in codes:
        if not isinstance(code, str) or code not in ctx.refs["sources"]:
            c.fail(field, f"{code!r} is not a source in sources.yaml")


def _check_sourced(c: _Checker, ctx: _Context) -> None:
    """Schema 2: cites documents from sources.yaml and says when it was checked. Schema 1: a free-text note."""
    if ctx.schema >= 2:
        _check_source_codes(c, "sources", ctx)
        if c.values.get("checked_on") is None:
            c.fail("checked_on", "is required: the date this was last checked against its sources")
        else:
            checked = c.date("checked_on")
            if checked and checked > dt.date.today():
                c.fail("checked_on", f"{checked} is in the future")
        c.text("status_as_of", required=False, max_length=40)
        c.text("confidence_note", required=False, max_length=200)
    else:
        c.text("source", max_length=300)
        c.date("as_of")
    c.choice("confidence", CONFIDENCES)


def _check_question(
    problems: list[ContentProblem],
    file: str,
    raw: Any,
    ctx: _Context,
    *,
    extra_fields: tuple[str, ...] = (),
    prefix: str = "",
    needs_guide_section: bool = False,
) -> _Checker:
    record = f"{prefix}question {raw.get('code', '?') if isinstance(raw, dict) else '?'}"
    c = _Checker(problems, file, record, raw)
    c.allowed(*QUESTION_FIELDS, *extra_fields)
    _unique(c, ctx.question_codes, c.code(), "question")
    principle = c.text("principle")
    if principle and principle not in ctx.refs["principles"]:
        c.fail("principle", f"{principle!r} is not a principle in guide.yaml")
    component = c.text("component", required=False)
    if component and component not in ctx.refs["components"]:
        c.fail("component", f"{component!r} is not a governance component in guide.yaml")
    c.text("guide_section", required=needs_guide_section and ctx.schema >= 2, max_length=60)
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
        elif scale and scale not in ctx.scales:
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


def _record_name(what: str, raw: Any) -> str:
    return f"{what} {raw.get('code', '?') if isinstance(raw, dict) else '?'}"


def _check_version(problems: list[ContentProblem], raw: Any) -> int:
    version = _Checker(problems, "version", "", raw)
    version.allowed("code", "schema", "label", "released", "title", "description")
    version.code(pattern=SLUG_RE, max_length=60)
    schema = version.values.get("schema", 1)
    if schema not in SCHEMAS:
        version.fail("schema", f"{schema!r} is not one of: {', '.join(map(str, SCHEMAS))}")
        schema = max(SCHEMAS)
    version.text("label", max_length=60)
    if version.values.get("released") is not None:  # drafts have none: publishing sets it
        version.date("released")
    version.text("title", max_length=200)
    version.text("description", required=False)
    return int(schema)


def _check_sources(problems: list[ContentProblem], raw: Any, ctx: _Context) -> None:
    if raw is None:
        if ctx.schema >= 2:
            problems.append(ContentProblem("sources", "", "", "file is missing (every fact cites its documents)"))
        return
    sources = _Checker(problems, "sources", "", raw)
    sources.allowed("sources")
    for raw_source in sources.items("sources"):
        c = _Checker(problems, "sources", _record_name("source", raw_source), raw_source)
        c.allowed("code", "order", "publisher", "title", "date", "url", "note")
        _unique(c, ctx.refs["sources"], c.code(), "source")
        c.integer("order")
        for field, limit in (("publisher", 200), ("title", 300)):
            value = c.text(field, max_length=limit)
            if NOT_A_DOCUMENT.search(value):
                c.fail(field, "names notes, not a document: give the publisher and title of a public document")
        c.text("date", required=False, max_length=40)
        c.text("note", required=False, max_length=300)
        url = c.text("url", required=False, max_length=500)
        if url and not URL_RE.match(url):
            c.fail("url", f"{url!r} is not a web address (http:// or https://)")


# The word a list's records are called by in problem messages, e.g. "country VN > fact VN-F01".
RECORD_KINDS = {
    "sources": "source",
    "countries": "country",
    "facts": "fact",
    "requirements": "question",
    "questions": "question",
    "items": "question",
    "principles": "principle",
    "components": "component",
    "risks": "risk",
    "dimensions": "dimension",
    "instruments": "instrument",
    "options": "option",
}


def _internal_markers(problems: list[ContentProblem], data: dict[str, Any]) -> None:
    """Schema 2 text must not point at our own files or notes: clients read every line of it."""

    def walk(file: str, value: Any, record: str, field: str) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("code"), str):  # name the record as the other checks do
                record = f"{record} > {RECORD_KINDS.get(field, field)} {value['code']}".strip(" >")
            for key, item in value.items():
                if key not in ("url", "code"):
                    walk(file, item, record, str(key))
        elif isinstance(value, list):
            for item in value:
                walk(file, item, record, field)
        elif isinstance(value, str):
            found = INTERNAL_MARKERS.search(value)
            if found:
                problems.append(
                    ContentProblem(file, record, field, f"mentions {found.group(0)!r}: cite public documents only")
                )

    for file in FILES:
        if isinstance(data.get(file), dict):
            walk(file, data[file], "", "")


def validate_content(data: dict[str, Any]) -> list[ContentProblem]:
    """Every problem in the content, each naming its file, record and field. Empty means valid."""
    problems: list[ContentProblem] = []
    schema = _check_version(problems, data.get("version"))
    refs: dict[str, set[str]] = {
        "principles": set(),
        "components": set(),
        "risks": set(),
        "dimensions": set(),
        "sources": set(),
    }
    guide = _Checker(problems, "guide", "", data.get("guide"))
    scales = guide.values.get("scales") or {}
    if not isinstance(scales, dict):
        guide.fail("scales", "must map a scale name to its options")
        scales = {}
    ctx = _Context(schema=schema, scales=scales, refs=refs, question_codes=set())
    _check_sources(problems, data.get("sources"), ctx)
    if schema >= 2:
        _internal_markers(problems, data)

    guide.allowed("source", "principles", "components", "scales", "questions")
    guide.text("source", required=False)
    for raw in guide.items("principles"):
        c = _Checker(problems, "guide", _record_name("principle", raw), raw)
        c.allowed("code", "order", "name", "short_name", "guide_section", "weight", "definition")
        _unique(c, refs["principles"], c.code(), "principle")
        c.integer("order")
        c.text("name", max_length=120)
        c.text("short_name", max_length=40)
        c.text("guide_section", required=schema >= 2, max_length=20)
        c.text("definition")
        c.number("weight", "0.1", "10")
    for raw in guide.items("components"):
        c = _Checker(problems, "guide", _record_name("component", raw), raw)
        c.allowed("code", "order", "name", "guide_section", "description")
        _unique(c, refs["components"], c.code(), "component")
        c.integer("order")
        c.text("name", max_length=160)
        c.text("guide_section", required=False, max_length=20)
        c.text("description", required=False)
    for name, options in scales.items():
        s = _Checker(problems, "guide", f"scale {name}", {"options": options})
        if name not in ("maturity", "ypn"):
            s.fail("", "only the maturity and ypn scales take default options")
        _check_options(s, options)

    questions_per_principle = dict.fromkeys(refs["principles"], 0)
    for raw in guide.items("questions"):
        q = _check_question(problems, "guide", raw, ctx, needs_guide_section=True)
        principle = q.values.get("principle")
        if isinstance(principle, str) and principle in questions_per_principle:
            questions_per_principle[principle] += 1
    for code, count in questions_per_principle.items():
        if count == 0:
            problems.append(ContentProblem("guide", f"principle {code}", "questions", "has no questions"))

    _check_genai(problems, data.get("genai"), ctx)
    _check_countries(problems, data.get("countries"), ctx)
    _check_instruments(problems, data.get("instruments"), ctx)
    return problems


def _check_genai(problems: list[ContentProblem], raw_genai: Any, ctx: _Context) -> None:
    refs = ctx.refs
    genai = _Checker(problems, "genai", "", raw_genai)
    genai.allowed("source", "risks", "dimensions", "items")
    genai.text("source", required=False)
    for key, what in (("risks", "risk"), ("dimensions", "dimension")):
        for raw in genai.items(key):
            c = _Checker(problems, "genai", _record_name(what, raw), raw)
            c.allowed("code", "order", "name", "description", *(("adaptation",) if what == "dimension" else ()))
            _unique(c, refs[key], c.code(), what)
            c.integer("order")
            c.text("name", max_length=160)
            c.text("description", required=False)
            if what == "dimension":
                # Why required in schema 2: the dimensions address governments; the adaptation is ours.
                c.text("adaptation", required=ctx.schema >= 2)
    covered_dimensions: set[str] = set()
    covered_risks: set[str] = set()
    for raw in genai.items("items"):
        q = _check_question(problems, "genai", raw, ctx, extra_fields=("dimension", "risks"), needs_guide_section=True)
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


def _check_countries(problems: list[ContentProblem], raw_countries: Any, ctx: _Context) -> None:
    refs, schema = ctx.refs, ctx.schema
    countries = _Checker(problems, "countries", "", raw_countries)
    countries.allowed("source", "countries")
    countries.text("source", required=False)
    country_codes: set[str] = set()
    for raw in countries.items("countries"):
        c = _Checker(problems, "countries", _record_name("country", raw), raw)
        c.allowed(
            "code",
            "order",
            "name",
            "member_since",
            "readiness_index",
            "readiness_index_confidence",
            *COUNTRY_FIELDS[schema],
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
        index = c.number("readiness_index", "0", "100", required=False)
        if schema >= 2:
            if index is not None:
                c.text("readiness_index_edition", max_length=10)
                _check_source_codes(c, "readiness_index_sources", ctx)
        else:
            c.text("tier", required=False, max_length=40)
            c.text("tier_source", required=False, max_length=300)
            c.choice("tier_confidence", CONFIDENCES, blank=True)
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
        fact_codes: set[str] = set()
        for index_, raw_fact in enumerate(c.items("facts"), start=1):
            name = raw_fact.get("code") if isinstance(raw_fact, dict) and raw_fact.get("code") else index_
            f = _Checker(problems, "countries", f"{c.record} > fact {name}", raw_fact)
            f.allowed(*(("code",) if schema >= 2 else ()), *FACT_FIELDS, *SOURCED_FIELDS[schema])
            if "code" in f.values:
                _unique(f, fact_codes, f.code(), "fact")
            f.choice("topic", TOPICS)
            f.text("summary")
            f.text("status", required=False, max_length=60)
            f.integer("year")
            _check_sourced(f, ctx)
        for raw_req in c.items("requirements", required=False):
            q = _check_question(
                problems,
                "countries",
                raw_req,
                ctx,
                extra_fields=(*REQUIREMENT_FIELDS[schema], *(SOURCED_FIELDS[2] if schema >= 2 else ())),
                prefix=f"{c.record} > ",
            )
            q.flag("mandatory")
            q.text("legal_basis", max_length=300, required=schema < 2 or q.values.get("mandatory") is True)
            if schema >= 2:
                q.choice("obligation", OBLIGATIONS)
                q.text("applies_when", required=False)
                if q.values.get("in_force_since") is not None:
                    q.date("in_force_since")
                elif q.values.get("mandatory") is True and not q.values.get("in_force_note"):
                    # Some sources give only a year ("2021"): then the note must say so in words.
                    q.fail(
                        "in_force_since",
                        "a mandatory requirement needs the date it took effect, or an in_force_note saying why "
                        "the exact date is not known",
                    )
                q.text("in_force_note", required=False, max_length=300)
                _check_sourced(q, ctx)


def _check_instruments(problems: list[ContentProblem], raw_instruments: Any, ctx: _Context) -> None:
    instruments = _Checker(problems, "instruments", "", raw_instruments)
    instruments.allowed("source", "instruments")
    instruments.text("source", required=False)
    instrument_codes: set[str] = set()
    for raw in instruments.items("instruments"):
        c = _Checker(problems, "instruments", _record_name("instrument", raw), raw)
        c.allowed("code", "order", "name", "status", "key_dates", "summary", "implication", *SOURCED_FIELDS[ctx.schema])
        _unique(c, instrument_codes, c.code(), "instrument")
        c.integer("order")
        c.text("name", max_length=200)
        c.text("status", max_length=200)
        for field in ("key_dates", "summary", "implication"):
            c.text(field)
        _check_sourced(c, ctx)
