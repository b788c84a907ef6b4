"""Content data (see `frameworks.content`) into the database: validated first, written in one transaction.

Its counterparts: `frameworks.exporting` (database back to the same files) and `frameworks.versioning`
(the draft → publish workflow and what changed between versions). An edition's translations
(`translations/<language>/*.yaml`, `frameworks.content_translation`) are loaded with it into the language columns
(`frameworks.translating`); the content itself is English and is read and written in English whatever language is
active.
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
from .content_translation import read_translations, validate_translations
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
    Source,
)
from .translating import translation_length_problems, translations_to_database
from .translation import in_english, translation_languages


def _dec(value: Any, default: str = "1") -> Decimal:
    return Decimal(str(value if value is not None else default))


@dataclass(frozen=True)
class LoadResult:
    version: FrameworkVersion
    created: bool
    translations_updated: bool = False

    @property
    def message(self) -> str:
        if self.created:
            return f"Loaded {self.version.code} ({self.version.get_status_display()})."
        if self.translations_updated:
            return f"{self.version.code} is already loaded and unchanged; its translations were updated."
        return f"{self.version.code} is already loaded and unchanged."


def read_edition(folder: Path | str) -> dict[str, Any]:
    """An edition's folder as content data, with its translations (if any) under "translations"."""
    data = read_content(folder)
    translations = read_translations(Path(folder))
    if translations:
        data["translations"] = translations
    return data


def check_edition(data: dict[str, Any]) -> None:
    """Raise ContentError with every problem of the content and then of its translations; nothing is written."""
    problems = validate_content(data)
    if not problems and data.get("translations"):
        problems = validate_translations(data, translation_languages())
        problems = problems or translation_length_problems(data)
    if problems:
        raise ContentError(problems)


def load_content(source: Path | str | dict[str, Any], *, publish: bool = True) -> LoadResult:
    """Validate content (a folder or content data) and write it as one version, atomically.

    Reloading identical content is a no-op. A published version never changes: different content under a
    published code is refused. A draft with the same code is replaced. Translations are presentation, not
    content (nothing is scored on them): those of a published version are replaced by the ones given when its
    English content is unchanged.
    """
    data = source if isinstance(source, dict) else read_edition(source)
    check_edition(data)
    code = data["version"]["code"]
    with in_english(), transaction.atomic():
        existing = FrameworkVersion.objects.select_for_update().filter(code=code).first()
        if existing is not None:
            if existing.status != FrameworkVersion.Status.DRAFT:
                if version_to_content(existing) == _canonical(data):
                    updated = translations_to_database(existing, data)
                    return LoadResult(existing, created=False, translations_updated=updated)
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
            probe = {k: v for k, v in data.items() if k != "translations"}
            probe["version"] = dict(data["version"], code="probe-canonical-form")
            canonical = version_to_content(content_to_database(probe, status="draft"))
            canonical["version"]["code"] = data["version"]["code"]
            return canonical
        finally:
            transaction.savepoint_rollback(sid)


def content_to_database(
    data: dict[str, Any], *, status: str, based_on: FrameworkVersion | None = None
) -> FrameworkVersion:
    """Write validated content data (and its translations) as a new version. Call inside a transaction."""
    with in_english():
        version = _content_to_database(data, status=status, based_on=based_on)
        if data.get("translations"):
            translations_to_database(version, data)
    return version


def _content_to_database(
    data: dict[str, Any], *, status: str, based_on: FrameworkVersion | None = None
) -> FrameworkVersion:
    meta = data["version"]
    guide, genai, countries_doc, instruments_doc = (data[k] for k in ("guide", "genai", "countries", "instruments"))
    version = FrameworkVersion.objects.create(
        code=meta["code"],
        label=meta["label"],
        title=meta["title"],
        description=meta.get("description") or "",
        schema=meta.get("schema") or 1,
        released_on=_released_on(meta, status),
        status=status,
        published_at=timezone.now() if status == FrameworkVersion.Status.PUBLISHED else None,
        based_on=based_on,
        scales=guide.get("scales") or {},
        sources={name: data[name].get("source", "") for name in ("guide", "genai", "countries", "instruments")},
    )
    sources = {
        s["code"]: Source(
            version=version,
            code=s["code"],
            order=s.get("order") or i,
            publisher=s["publisher"],
            title=s["title"],
            date=s.get("date") or "",
            url=s.get("url") or "",
            note=s.get("note") or "",
        )
        for i, s in enumerate((data.get("sources") or {}).get("sources") or [], start=1)
    }
    Source.objects.bulk_create(sources.values())
    citations = _Citations(sources)
    principles = {
        p["code"]: Principle(
            version=version,
            code=p["code"],
            order=p.get("order") or i,
            name=p["name"],
            short_name=p["short_name"],
            guide_section=p.get("guide_section") or "",
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
            guide_section=c.get("guide_section") or "",
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
            adaptation=d.get("adaptation") or "",
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
            readiness_index_edition=c.get("readiness_index_edition") or "",
            readiness_index_confidence=c.get("readiness_index_confidence") or "",
            has_data_protection_law=bool(c.get("has_data_protection_law")),
        )
        countries[c["code"]] = country
    Country.objects.bulk_create(countries.values())
    fact_citations: list[tuple[CountryFact, dict[str, Any]]] = []
    for c in countries_doc["countries"]:
        country = countries[c["code"]]
        citations.add(country, c.get("readiness_index_sources"), field="readiness_index_sources")
        for j, f in enumerate(c.get("facts") or [], start=1):
            fact = CountryFact(
                country=country,
                code=f.get("code") or "",
                topic=f["topic"],
                order=j,
                summary=f["summary"],
                status=f.get("status") or "",
                year=f.get("year"),
                confidence=f["confidence"],
                **_sourced(f),
            )
            facts.append(fact)
            fact_citations.append((fact, f))
        for principle_code, weight in c["weights"].items():
            weights.append(
                MarketPrincipleWeight(country=country, principle=principles[principle_code], weight=_dec(weight))
            )
    CountryFact.objects.bulk_create(facts)
    for fact, f in fact_citations:
        citations.add(fact, f.get("sources"))
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
            guide_section=q.get("guide_section") or "",
            **extra,
        )
        question_rows.append((question, q.get("options") or scales[q["scale"]], q.get("risks") or []))
        citations.add(question, q.get("sources"))

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
                obligation=q.get("obligation") or "",
                applies_when=q.get("applies_when") or "",
                in_force_since=_date(q["in_force_since"]) if q.get("in_force_since") else None,
                in_force_note=q.get("in_force_note") or "",
                confidence=q.get("confidence") or "",
                **{k: v for k, v in _sourced(q).items() if k in ("checked_on", "status_as_of", "confidence_note")},
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
            confidence=r["confidence"],
            **_sourced(r),
        )
        for i, r in enumerate(instruments_doc["instruments"], start=1)
    ]
    RegionalInstrument.objects.bulk_create(regional)
    for instrument, r in zip(regional, instruments_doc["instruments"], strict=True):
        citations.add(instrument, r.get("sources"))
    citations.flush()
    return version


def _released_on(meta: dict[str, Any], status: str) -> dt.date | None:
    """The release date in version.yaml; a schema 2 edition published without one is released today."""
    if meta.get("released"):
        return _date(meta["released"])
    if status == FrameworkVersion.Status.PUBLISHED and meta.get("schema") == 2:
        return timezone.localdate()
    return None


def _sourced(record: dict[str, Any]) -> dict[str, Any]:
    """The checked-statement fields of a fact, requirement or instrument, in either schema."""
    return {
        "source": record.get("source") or "",
        "as_of": _date(record["as_of"]) if record.get("as_of") else None,
        "checked_on": _date(record["checked_on"]) if record.get("checked_on") else None,
        "status_as_of": str(record.get("status_as_of") or ""),
        "confidence_note": record.get("confidence_note") or "",
    }


class _Citations:
    """Collects which record cites which sources; flush() writes the many-to-many rows, one insert per table.

    Records may be added before their bulk_create: their primary keys are read only when flushing.
    """

    def __init__(self, sources: dict[str, Source]):
        self.sources = sources
        self.pending: list[tuple[Any, str, list[str]]] = []

    def add(self, record: Any, codes: list[str] | None, *, field: str = "sources") -> None:
        if codes:
            self.pending.append((record, field, codes))

    def flush(self) -> None:
        by_table: dict[Any, list[Any]] = {}
        for record, field, codes in self.pending:
            relation = getattr(type(record), field)
            through = relation.through
            source_column = relation.field.m2m_reverse_field_name() + "_id"
            record_column = relation.field.m2m_field_name() + "_id"
            rows = by_table.setdefault(through, [])
            # Why dict.fromkeys: a source cited twice by one record would break the unique constraint.
            for code in dict.fromkeys(codes):
                rows.append(through(**{record_column: record.pk, source_column: self.sources[code].pk}))
        for through, rows in by_table.items():
            through.objects.bulk_create(rows)
        self.pending = []


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
