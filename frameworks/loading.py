"""Content data (see `frameworks.content`) into the database: validated first, written in one transaction.

Its counterparts: `frameworks.exporting` (database back to the same files) and `frameworks.versioning`
(the draft → publish workflow and what changed between versions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from .content import ContentError, ContentProblem, read_content, validate_content
from .exporting import version_to_content
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
