"""Moving content data (see `frameworks.content`) in and out of the database.

- `load_content()`  validate, then write a whole version in one transaction (all or nothing);
- `version_to_content()` / `export_version()`  the database back to the same files;
- `version_clone()`, `version_publish()`  the draft → publish workflow admins use;
- `version_diff()`  what changed between two versions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from .content import SCALES, ContentError, ContentProblem, read_content, validate_content, write_content
from .models import (
    Country,
    CountryFact,
    FrameworkVersion,
    GenAIDimension,
    GenAIRisk,
    GovernanceComponent,
    MarketPrincipleWeight,
    Option,
    Principle,
    Question,
    RegionalInstrument,
)


def _dec(value: Any, default: str = "1") -> Decimal:
    return Decimal(str(value if value is not None else default))


def _num(value: Decimal | None) -> int | float | None:
    """Decimals as the plain numbers a person would type in the YAML file."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value.normalize())


# --- files → database ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    version: FrameworkVersion
    created: bool

    @property
    def message(self) -> str:
        if self.created:
            return f"Loaded {self.version.code} ({self.version.get_status_display()})."
        return f"{self.version.code} is already loaded and unchanged."


def load_content(source: Path | str | dict[str, Any], *, publish: bool = True) -> LoadResult:
    """Validate content (a folder or content data) and write it as one version, atomically.

    Reloading identical content is a no-op. A published version never changes: different content under a
    published code is refused. A draft with the same code is replaced.
    """
    data = source if isinstance(source, dict) else read_content(source)
    problems = validate_content(data)
    if problems:
        raise ContentError(problems)
    code = data["version"]["code"]
    with transaction.atomic():
        existing = FrameworkVersion.objects.select_for_update().filter(code=code).first()
        if existing is not None:
            if existing.status != FrameworkVersion.Status.DRAFT:
                if version_to_content(existing) == _canonical(data):
                    return LoadResult(existing, created=False)
                raise ContentError(
                    [
                        ContentProblem(
                            "version",
                            "",
                            "code",
                            f"version {code!r} is published and cannot change; give the new content a new version code",
                        )
                    ]
                )
            existing.delete()
        version = content_to_database(data, status=FrameworkVersion.Status.PUBLISHED if publish else "draft")
    return LoadResult(version, created=True)


def _canonical(data: dict[str, Any]) -> dict[str, Any]:
    """Content data as export would write it, to compare hand-written files with the database."""
    with transaction.atomic():
        sid = transaction.savepoint()
        try:
            probe = dict(data, version=dict(data["version"], code="probe-canonical-form"))
            canonical = version_to_content(content_to_database(probe, status="draft"))
            canonical["version"]["code"] = data["version"]["code"]
            return canonical
        finally:
            transaction.savepoint_rollback(sid)


def content_to_database(
    data: dict[str, Any], *, status: str, based_on: FrameworkVersion | None = None
) -> FrameworkVersion:
    """Write validated content data as a new version. Call inside a transaction."""
    meta = data["version"]
    guide, genai, countries_doc, instruments_doc = (data[k] for k in ("guide", "genai", "countries", "instruments"))
    version = FrameworkVersion.objects.create(
        code=meta["code"],
        label=meta["label"],
        title=meta["title"],
        description=meta.get("description") or "",
        status=status,
        published_at=timezone.now() if status == FrameworkVersion.Status.PUBLISHED else None,
        based_on=based_on,
        scales=guide.get("scales") or {},
        sources={name: data[name].get("source", "") for name in ("guide", "genai", "countries", "instruments")},
    )
    principles = {
        p["code"]: Principle(
            version=version,
            code=p["code"],
            order=p.get("order") or i,
            name=p["name"],
            short_name=p["short_name"],
            definition=p["definition"],
            weight=_dec(p.get("weight")),
        )
        for i, p in enumerate(guide["principles"], start=1)
    }
    Principle.objects.bulk_create(principles.values())
    components = {
        c["code"]: GovernanceComponent(
            version=version,
            code=c["code"],
            order=c.get("order") or i,
            name=c["name"],
            description=c.get("description") or "",
        )
        for i, c in enumerate(guide["components"], start=1)
    }
    GovernanceComponent.objects.bulk_create(components.values())
    risks = {
        r["code"]: GenAIRisk(
            version=version,
            code=r["code"],
            order=r.get("order") or i,
            name=r["name"],
            description=r.get("description") or "",
        )
        for i, r in enumerate(genai["risks"], start=1)
    }
    GenAIRisk.objects.bulk_create(risks.values())
    dimensions = {
        d["code"]: GenAIDimension(
            version=version,
            code=d["code"],
            order=d.get("order") or i,
            name=d["name"],
            description=d.get("description") or "",
        )
        for i, d in enumerate(genai["dimensions"], start=1)
    }
    GenAIDimension.objects.bulk_create(dimensions.values())

    countries: dict[str, Country] = {}
    facts: list[CountryFact] = []
    weights: list[MarketPrincipleWeight] = []
    for i, c in enumerate(countries_doc["countries"], start=1):
        country = Country(
            version=version,
            code=c["code"],
            order=c.get("order") or i,
            name=c["name"],
            member_since=_date(c["member_since"]),
            tier=c.get("tier") or "",
            tier_source=c.get("tier_source") or "",
            tier_confidence=c.get("tier_confidence") or "",
            readiness_index=None if c.get("readiness_index") is None else _dec(c["readiness_index"]),
            readiness_index_source=c.get("readiness_index_source") or "",
            readiness_index_confidence=c.get("readiness_index_confidence") or "",
            has_data_protection_law=bool(c.get("has_data_protection_law")),
        )
        countries[c["code"]] = country
    Country.objects.bulk_create(countries.values())
    for c in countries_doc["countries"]:
        country = countries[c["code"]]
        for j, f in enumerate(c.get("facts") or [], start=1):
            facts.append(
                CountryFact(
                    country=country,
                    topic=f["topic"],
                    order=j,
                    summary=f["summary"],
                    status=f.get("status") or "",
                    year=f.get("year"),
                    source=f["source"],
                    as_of=_date(f["as_of"]),
                    confidence=f["confidence"],
                )
            )
        for principle_code, weight in c["weights"].items():
            weights.append(
                MarketPrincipleWeight(country=country, principle=principles[principle_code], weight=_dec(weight))
            )
    CountryFact.objects.bulk_create(facts)
    MarketPrincipleWeight.objects.bulk_create(weights)

    question_rows: list[tuple[Question, list[dict[str, Any]], list[str]]] = []
    scales = guide.get("scales") or {}

    def add_question(q: dict[str, Any], order: int, **extra: Any) -> None:
        question = Question(
            version=version,
            code=q["code"],
            order=order,
            text=q["text"],
            guidance=q["guidance"],
            evidence_hint=q["evidence"],
            recommendation=q["recommendation"],
            scale=q["scale"],
            weight=_dec(q.get("weight")),
            key_control=bool(q.get("key_control")),
            allow_na=bool(q.get("allow_na")),
            applies_to=q.get("applies_to") or "any",
            requires_genai=bool(q.get("requires_genai")),
            principle=principles[q["principle"]],
            component=components.get(q.get("component") or ""),
            **extra,
        )
        question_rows.append((question, q.get("options") or scales[q["scale"]], q.get("risks") or []))

    order = 0
    for q in guide["questions"]:
        order += 1
        add_question(q, order)
    for q in genai["items"]:
        order += 1
        add_question(dict(q, requires_genai=True), order, genai_dimension=dimensions[q["dimension"]])
    for c in countries_doc["countries"]:
        for q in c.get("requirements") or []:
            order += 1
            add_question(
                q,
                order,
                market=countries[c["code"]],
                mandatory=bool(q.get("mandatory")),
                legal_basis=q.get("legal_basis") or "",
            )
    Question.objects.bulk_create([row[0] for row in question_rows])
    Option.objects.bulk_create(
        Option(
            question=question,
            code=str(o["code"]),
            order=k,
            label=o["label"],
            descriptor=o.get("descriptor") or "",
            points=_dec(o["points"]),
        )
        for question, options, _ in question_rows
        for k, o in enumerate(options, start=1)
    )
    through = Question.risks.through
    through.objects.bulk_create(
        through(question_id=question.pk, genairisk_id=risks[code].pk)
        for question, _, risk_codes in question_rows
        for code in risk_codes
    )
    regional = [
        RegionalInstrument(
            version=version,
            code=r["code"],
            order=r.get("order") or i,
            name=r["name"],
            status=r["status"],
            key_dates=r["key_dates"],
            summary=r["summary"],
            implication=r["implication"],
            source=r["source"],
            as_of=_date(r["as_of"]),
            confidence=r["confidence"],
        )
        for i, r in enumerate(instruments_doc["instruments"], start=1)
    ]
    RegionalInstrument.objects.bulk_create(regional)
    return version


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


# --- database → files ------------------------------------------------------------------------------


def _options_out(question: Question, scales: dict[str, Any]) -> list[dict[str, Any]] | None:
    options = []
    for o in question.options.all():
        item: dict[str, Any] = {"code": o.code, "label": o.label}
        if o.descriptor:
            item["descriptor"] = o.descriptor
        item["points"] = _num(o.points)
        options.append(item)
    default = scales.get(question.scale)
    normalised_default = [
        {k: (_num(_dec(v)) if k == "points" else str(v) if k == "code" else v) for k, v in o.items() if v != ""}
        for o in default or []
    ]
    return None if question.scale != "checklist" and options == normalised_default else options


def _question_out(q: Question, scales: dict[str, Any], head: dict[str, Any], *, genai: bool = False) -> dict[str, Any]:
    out = dict(head)
    out["scale"] = q.scale
    out["weight"] = _num(q.weight)
    if q.key_control:
        out["key_control"] = True
    if q.allow_na:
        out["allow_na"] = True
    if q.applies_to != "any":
        out["applies_to"] = q.applies_to
    if q.requires_genai and not genai:
        out["requires_genai"] = True
    out.update(text=q.text, guidance=q.guidance, evidence=q.evidence_hint, recommendation=q.recommendation)
    options = _options_out(q, scales)
    if options is not None:
        out["options"] = options
    return out


OPTION_KEYS = ("code", "label", "descriptor", "points")


def _canonical_scales(scales: dict[str, Any]) -> dict[str, Any]:
    """Scales in a fixed order: PostgreSQL's jsonb does not keep the order of keys."""
    return {
        name: [{key: option[key] for key in OPTION_KEYS if key in option} for option in scales[name]]
        for name in SCALES
        if name in scales
    }


def version_to_content(version: FrameworkVersion) -> dict[str, Any]:
    """The version as content data, in the exact shape of the files (so load → export round-trips)."""
    scales = _canonical_scales(version.scales or {})
    questions = list(
        Question.objects.filter(version=version)
        .select_related("principle", "component", "genai_dimension", "market")
        .prefetch_related("options", Prefetch("risks", queryset=GenAIRisk.objects.order_by("order", "code")))
        .order_by("order", "code")
    )
    guide_questions = [q for q in questions if not q.genai_dimension_id and not q.market_id]
    genai_items = [q for q in questions if q.genai_dimension_id]

    def head(q: Question) -> dict[str, Any]:
        out: dict[str, Any] = {"code": q.code, "principle": q.principle.code}
        if q.component_id:
            out["component"] = q.component.code  # type: ignore[union-attr]
        return out

    countries = []
    for c in Country.objects.filter(version=version).prefetch_related("facts", "principle_weights__principle"):
        facts = []
        for f in c.facts.all():
            fact: dict[str, Any] = {"topic": f.topic, "summary": f.summary}
            if f.status:
                fact["status"] = f.status
            if f.year is not None:
                fact["year"] = f.year
            fact.update(source=f.source, as_of=f.as_of, confidence=f.confidence)
            facts.append(fact)
        weights = sorted(c.principle_weights.all(), key=lambda w: (w.principle.order, w.principle.code))
        requirements = []
        for q in questions:
            if q.market_id == c.pk:
                requirement: dict[str, Any] = {
                    "code": q.code,
                    "principle": q.principle.code,
                    "mandatory": q.mandatory,
                    "legal_basis": q.legal_basis,
                }
                if q.component_id:
                    requirement["component"] = q.component.code  # type: ignore[union-attr]
                requirements.append(_question_out(q, scales, requirement))
        country: dict[str, Any] = {
            "code": c.code,
            "order": c.order,
            "name": c.name,
            "member_since": c.member_since,
            "tier": c.tier,
            "tier_source": c.tier_source,
            "tier_confidence": c.tier_confidence,
            "readiness_index": _num(c.readiness_index),
            "readiness_index_source": c.readiness_index_source,
            "readiness_index_confidence": c.readiness_index_confidence,
            "has_data_protection_law": c.has_data_protection_law,
            "weights": {w.principle.code: _num(w.weight) for w in weights},
            "facts": facts,
        }
        if requirements:
            country["requirements"] = requirements
        countries.append(country)

    sources = version.sources or {}
    return {
        "version": {
            "code": version.code,
            "label": version.label,
            "title": version.title,
            **({"description": version.description} if version.description else {}),
        },
        "guide": {
            **({"source": sources["guide"]} if sources.get("guide") else {}),
            "principles": [
                {
                    "code": p.code,
                    "order": p.order,
                    "name": p.name,
                    "short_name": p.short_name,
                    "weight": _num(p.weight),
                    "definition": p.definition,
                }
                for p in Principle.objects.filter(version=version)
            ],
            "components": [
                {
                    "code": c.code,
                    "order": c.order,
                    "name": c.name,
                    **({"description": c.description} if c.description else {}),
                }
                for c in GovernanceComponent.objects.filter(version=version)
            ],
            "scales": scales,
            "questions": [_question_out(q, scales, head(q)) for q in guide_questions],
        },
        "genai": {
            **({"source": sources["genai"]} if sources.get("genai") else {}),
            "risks": [_named(r) for r in GenAIRisk.objects.filter(version=version)],
            "dimensions": [_named(d) for d in GenAIDimension.objects.filter(version=version)],
            "items": [
                _question_out(
                    q,
                    scales,
                    {
                        "code": q.code,
                        "dimension": q.genai_dimension.code,  # type: ignore[union-attr]
                        "principle": q.principle.code,
                        **({"component": q.component.code} if q.component else {}),
                        "risks": [r.code for r in q.risks.all()],
                    },
                    genai=True,
                )
                for q in genai_items
            ],
        },
        "countries": {**({"source": sources["countries"]} if sources.get("countries") else {}), "countries": countries},
        "instruments": {
            **({"source": sources["instruments"]} if sources.get("instruments") else {}),
            "instruments": [
                {
                    "code": r.code,
                    "order": r.order,
                    "name": r.name,
                    "status": r.status,
                    "key_dates": r.key_dates,
                    "summary": r.summary,
                    "implication": r.implication,
                    "source": r.source,
                    "as_of": r.as_of,
                    "confidence": r.confidence,
                }
                for r in RegionalInstrument.objects.filter(version=version)
            ],
        },
    }


def _named(item: GenAIRisk | GenAIDimension) -> dict[str, Any]:
    out: dict[str, Any] = {"code": item.code, "order": item.order, "name": item.name}
    if item.description:
        out["description"] = item.description
    return out


def export_version(version: FrameworkVersion, directory: Path | str) -> list[Path]:
    return write_content(version_to_content(version), directory)


# --- the draft → publish workflow ------------------------------------------------------------------


@transaction.atomic
def version_clone(*, source: FrameworkVersion, code: str, label: str) -> FrameworkVersion:
    """A new draft with the same content as `source`, for admins to edit."""
    data = version_to_content(source)
    data["version"] = dict(data["version"], code=code, label=label)
    problems = [p for p in validate_content(data) if p.file == "version"]
    if FrameworkVersion.objects.filter(code=code).exists():
        problems.append(ContentProblem("version", "", "code", f"a version with code {code!r} already exists"))
    if problems:
        raise ContentError(problems)
    return content_to_database(data, status=FrameworkVersion.Status.DRAFT, based_on=source)


@transaction.atomic
def version_publish(*, version: FrameworkVersion) -> FrameworkVersion:
    """Run the same validation as loading; publish only when the content is complete and consistent."""
    locked = FrameworkVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != FrameworkVersion.Status.DRAFT:
        raise ContentError([ContentProblem("version", locked.code, "status", "only a draft can be published")])
    problems = validate_content(version_to_content(locked))
    if problems:
        raise ContentError(problems)
    locked.status = FrameworkVersion.Status.PUBLISHED
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "published_at"])
    return locked


# --- what changed ----------------------------------------------------------------------------------

TEXT_FIELDS = {
    "name",
    "short_name",
    "definition",
    "description",
    "text",
    "guidance",
    "evidence",
    "recommendation",
    "summary",
    "implication",
    "label",
    "descriptor",
    "legal_basis",
    "status",
    "key_dates",
}
WEIGHT_FIELDS = {"weight", "weights", "points", "options", "key_control", "mandatory"}


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, reworded, re-weighted, changed
    what: str  # e.g. "question TE-03"
    fields: tuple[str, ...] = ()


def _records(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for p in data["guide"]["principles"]:
        records[f"principle {p['code']}"] = p
    for c in data["guide"]["components"]:
        records[f"component {c['code']}"] = c
    for q in data["guide"]["questions"]:
        records[f"question {q['code']}"] = q
    for r in data["genai"]["risks"]:
        records[f"GenAI risk {r['code']}"] = r
    for d in data["genai"]["dimensions"]:
        records[f"GenAI dimension {d['code']}"] = d
    for q in data["genai"]["items"]:
        records[f"question {q['code']}"] = q
    for c in data["countries"]["countries"]:
        records[f"country {c['code']}"] = {k: v for k, v in c.items() if k != "requirements"}
        for q in c.get("requirements") or []:
            records[f"question {q['code']}"] = q
    for r in data["instruments"]["instruments"]:
        records[f"instrument {r['code']}"] = r
    return records


def version_diff(old: FrameworkVersion, new: FrameworkVersion) -> list[Change]:
    """Items added, removed, reworded or re-weighted between two versions."""
    before, after = _records(version_to_content(old)), _records(version_to_content(new))
    changes = [Change("added", key) for key in after if key not in before]
    changes += [Change("removed", key) for key in before if key not in after]
    for key in after.keys() & before.keys():
        fields = tuple(
            sorted(
                f
                for f in after[key].keys() | before[key].keys()
                if after[key].get(f) != before[key].get(f) and f != "order"
            )
        )
        if not fields:
            continue
        if set(fields) <= TEXT_FIELDS:
            kind = "reworded"
        elif set(fields) <= WEIGHT_FIELDS:
            kind = "re-weighted"
        else:
            kind = "changed"
        changes.append(Change(kind, key, fields))
    order = {"added": 0, "removed": 1, "re-weighted": 2, "reworded": 3, "changed": 4}
    return sorted(changes, key=lambda c: (order[c.kind], c.what))
