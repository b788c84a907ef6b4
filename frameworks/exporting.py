"""The database back to content data and files, in the exact shape `frameworks.loading` reads.

Loading files and exporting them again gives the same bytes (tests/frameworks/test_loading.py). The content is
English and is read in English whatever language is active; its translations are written beside it, in
`translations/<language>/` (`frameworks.translating`).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Prefetch

from .content import SCALES, write_content
from .content_translation import write_translations
from .models import (
    Country,
    FrameworkVersion,
    GenAIDimension,
    GenAIRisk,
    GovernanceComponent,
    Principle,
    Question,
    RegionalInstrument,
    Source,
)
from .translating import version_translations
from .translation import in_english


def _num(value: Decimal | None) -> int | float | None:
    """Decimals as the plain numbers a person would type in the YAML file."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value.normalize())


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


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


def _codes(sources: Any) -> list[str]:
    return [s.code for s in sorted(sources.all(), key=lambda s: (s.order, s.code))]


def _sourced_out(record: Any) -> dict[str, Any]:
    """A checked statement's citation fields: schema 2 (sources, checked_on ...) or the first edition's note."""
    if record.checked_on is None:
        return {"source": record.source, "as_of": record.as_of, "confidence": record.confidence}
    out: dict[str, Any] = {"sources": _codes(record.sources), "checked_on": record.checked_on}
    if record.status_as_of:
        out["status_as_of"] = record.status_as_of
    out["confidence"] = record.confidence
    if record.confidence_note:
        out["confidence_note"] = record.confidence_note
    return out


def _requirement_out(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {"code": q.code, "principle": q.principle.code}
    if q.obligation:
        out["obligation"] = q.obligation
    out["mandatory"] = q.mandatory
    if q.applies_when:
        out["applies_when"] = q.applies_when
    out["legal_basis"] = q.legal_basis
    if q.checked_on is not None:
        out["in_force_since"] = q.in_force_since
        if q.in_force_note:
            out["in_force_note"] = q.in_force_note
        out.update(_sourced_out(q))
    if q.component_id:
        out["component"] = q.component.code  # type: ignore[union-attr]
    return out


def _question_out(q: Question, scales: dict[str, Any], head: dict[str, Any], *, genai: bool = False) -> dict[str, Any]:
    out = dict(head)
    if q.guide_section:
        out["guide_section"] = q.guide_section
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
    """The version as content data, in the exact shape of the files (so load → export round-trips). English only:
    `version_translations` gives its translations."""
    with in_english():
        return _version_to_content(version)


def _version_to_content(version: FrameworkVersion) -> dict[str, Any]:
    scales = _canonical_scales(version.scales or {})
    questions = list(
        Question.objects.filter(version=version)
        .select_related("principle", "component", "genai_dimension", "market")
        .prefetch_related("options", "sources", Prefetch("risks", queryset=GenAIRisk.objects.order_by("order", "code")))
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
    for c in Country.objects.filter(version=version).prefetch_related(
        "facts__sources", "principle_weights__principle", "readiness_index_sources"
    ):
        facts = []
        for f in c.facts.all():
            fact: dict[str, Any] = {"code": f.code} if f.code else {}
            fact.update(topic=f.topic, summary=f.summary)
            if f.status:
                fact["status"] = f.status
            if f.year is not None:
                fact["year"] = f.year
            fact.update(_sourced_out(f))
            facts.append(fact)
        weights = sorted(c.principle_weights.all(), key=lambda w: (w.principle.order, w.principle.code))
        requirements = []
        for q in questions:
            if q.market_id == c.pk:
                requirements.append(_question_out(q, scales, _requirement_out(q)))
        country: dict[str, Any] = {"code": c.code, "order": c.order, "name": c.name, "member_since": c.member_since}
        if version.cites_documents:
            country["has_data_protection_law"] = c.has_data_protection_law
            country["readiness_index"] = _num(c.readiness_index)
            if c.readiness_index is not None:
                country["readiness_index_edition"] = c.readiness_index_edition
                country["readiness_index_sources"] = _codes(c.readiness_index_sources)
                country["readiness_index_confidence"] = c.readiness_index_confidence
        else:
            country.update(
                tier=c.tier,
                tier_source=c.tier_source,
                tier_confidence=c.tier_confidence,
                readiness_index=_num(c.readiness_index),
                readiness_index_source=c.readiness_index_source,
                readiness_index_confidence=c.readiness_index_confidence,
                has_data_protection_law=c.has_data_protection_law,
            )
        country.update(
            {
                "weights": {w.principle.code: _num(w.weight) for w in weights},
                "facts": facts,
            }
        )
        if requirements:
            country["requirements"] = requirements
        countries.append(country)

    sources = version.sources or {}
    meta: dict[str, Any] = {"code": version.code}
    if version.schema != 1:
        meta["schema"] = version.schema
    meta["label"] = version.label
    if version.released_on:
        meta["released"] = version.released_on
    meta["title"] = version.title
    if version.description:
        meta["description"] = version.description
    content: dict[str, Any] = {"version": meta}
    source_documents = list(Source.objects.filter(version=version))
    if source_documents:
        content["sources"] = {"sources": [_source_out(s) for s in source_documents]}
    return content | {
        "guide": {
            **({"source": sources["guide"]} if sources.get("guide") else {}),
            "principles": [
                {
                    "code": p.code,
                    "order": p.order,
                    "name": p.name,
                    "short_name": p.short_name,
                    **({"guide_section": p.guide_section} if p.guide_section else {}),
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
                    **({"guide_section": c.guide_section} if c.guide_section else {}),
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
                        "dimension": q.genai_dimension.code,
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
                    **_sourced_out(r),
                }
                for r in RegionalInstrument.objects.filter(version=version).prefetch_related("sources")
            ],
        },
    }


def _named(item: GenAIRisk | GenAIDimension) -> dict[str, Any]:
    out: dict[str, Any] = {"code": item.code, "order": item.order, "name": item.name}
    if item.description:
        out["description"] = item.description
    if getattr(item, "adaptation", ""):
        out["adaptation"] = item.adaptation  # type: ignore[union-attr]
    return out


def _source_out(source: Source) -> dict[str, Any]:
    out: dict[str, Any] = {"code": source.code, "publisher": source.publisher, "title": source.title}
    for field in ("date", "url", "note"):
        if getattr(source, field):
            out[field] = getattr(source, field)
    return out


def version_with_translations(version: FrameworkVersion) -> dict[str, Any]:
    """The version as content data with its translations under "translations" (when it has any)."""
    data = version_to_content(version)
    translations = version_translations(version, data)
    return data | {"translations": translations} if translations else data


def export_version(version: FrameworkVersion, directory: Path | str) -> list[Path]:
    """Write the version's files, and its translations in `translations/<language>/`."""
    data = version_with_translations(version)
    return write_content(data, directory) + write_translations(data.get("translations") or {}, directory)
