"""The November 2026 edition: every statement traceable to a public document, an obligation catalogue for
each market, honest framing, and editions that read like releases (one current, the others superseded)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command

from frameworks.content import read_content, validate_content
from frameworks.models import (
    Country,
    CountryFact,
    FrameworkVersion,
    GenAIDimension,
    Principle,
    Question,
    RegionalInstrument,
    Source,
)
from frameworks.versioning import edition_update, version_clone, version_publish
from tests.conftest import CONTENT_DIR, LEGACY_DIR

pytestmark = pytest.mark.django_db

ASEAN = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"}


def problems_after(change: Any) -> list[str]:
    data = read_content(CONTENT_DIR)
    change(data)
    return [str(p) for p in validate_content(data)]


def country(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(c for c in data["countries"]["countries"] if c["code"] == code)


def test_the_new_edition_is_current_and_the_first_is_superseded(content: Any, legacy_content: Any) -> None:
    assert FrameworkVersion.objects.current() == content
    assert content.label == "November 2026" and content.released_on == dt.date(2026, 11, 22)
    assert content.superseded_by is None
    assert legacy_content.status == "published" and legacy_content.superseded_by == content
    # Loading every shipped edition again changes nothing, whatever the order.
    call_command("load_content")
    legacy_content.refresh_from_db()
    assert FrameworkVersion.objects.current() == content


def test_an_older_edition_loaded_later_does_not_become_current(content: Any, legacy_content: Any) -> None:
    FrameworkVersion.objects.filter(pk=legacy_content.pk).update(published_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert FrameworkVersion.objects.current() == content


def test_every_statement_cites_a_public_document_and_says_when_it_was_checked(content: Any) -> None:
    facts = CountryFact.objects.filter(country__version=content).prefetch_related("sources")
    requirements = Question.objects.filter(version=content, market__isnull=False).prefetch_related("sources")
    instruments = RegionalInstrument.objects.filter(version=content).prefetch_related("sources")
    assert facts.count() >= 110 and requirements.count() >= 70 and instruments.count() >= 10
    for item in [*facts, *requirements, *instruments]:
        assert item.sources.exists(), item
        assert item.checked_on == dt.date(2026, 11, 22), item
        assert item.confidence in {"H", "M", "?"}, item
        assert not getattr(item, "source", "") and getattr(item, "as_of", None) is None, item  # no first-edition note
    for source in Source.objects.filter(version=content):
        assert source.publisher and source.title
        assert source.url == "" or source.url.startswith(("http://", "https://"))
    for c in Country.objects.filter(version=content):
        assert not c.tier and not c.tier_source  # a vendor's grouping, not a source
        if c.readiness_index is not None:
            assert c.readiness_index_edition == "2024" and c.readiness_index_sources.exists()


def test_the_shipped_files_are_what_export_writes(content: Any, tmp_path: Any) -> None:
    from frameworks.exporting import export_version

    export_version(content, tmp_path)
    for original in sorted(CONTENT_DIR.glob("*.yaml")):
        assert (tmp_path / original.name).read_text(encoding="utf-8") == original.read_text(encoding="utf-8"), original


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["sources"]["sources"][0].update(publisher="FACTS.md section 4"),
            "sources.yaml: source {first} > publisher: mentions 'FACTS'",
        ),
        (
            lambda d: d["sources"]["sources"][0].update(title="Law-firm notes and trackers"),
            "sources.yaml: source {first} > title: names notes, not a document",
        ),
        (
            lambda d: d["sources"]["sources"][0].update(note="Seed 002"),
            "sources.yaml: source {first} > note: mentions 'Seed 002'",
        ),
        (
            lambda d: country(d, "VN")["facts"][0].pop("checked_on"),
            "countries.yaml: country VN > fact VN-F01 > checked_on: is required",
        ),
        (
            lambda d: country(d, "VN")["facts"][0].update(sources=["NOPE"]),
            "countries.yaml: country VN > fact VN-F01 > sources: 'NOPE' is not a source in sources.yaml",
        ),
        (
            lambda d: country(d, "VN")["facts"][0].update(sources=[]),
            "countries.yaml: country VN > fact VN-F01 > sources: must list at least one source code",
        ),
        (
            lambda d: country(d, "VN")["facts"][0].update(source="docs/methodology.md in the source code"),
            "countries.yaml: country VN > fact VN-F01 > source: unknown field",
        ),
        (
            lambda d: country(d, "TH")["requirements"][0].update(in_force_since=None, mandatory=True),
            "countries.yaml: country TH > question {th_first} > in_force_since: a mandatory requirement needs",
        ),
        (
            lambda d: d["guide"]["questions"][0].pop("guide_section"),
            "guide.yaml: question TE-01 > guide_section: is required",
        ),
    ],
)
def test_the_validator_refuses_what_a_client_could_not_trace(change: Any, expected: str) -> None:
    data = read_content(CONTENT_DIR)
    expected = expected.format(
        first=data["sources"]["sources"][0]["code"], th_first=country(data, "TH")["requirements"][0]["code"]
    )
    found = problems_after(change)
    assert any(p.startswith(expected) for p in found), found


def test_the_first_edition_stays_loadable_under_its_own_schema(legacy_content: Any) -> None:
    assert validate_content(read_content(LEGACY_DIR)) == []
    assert legacy_content.schema == 1 and not legacy_content.cites_documents


# Every market says how to assess AI and data risks; where a data protection law exists, how to transfer.
OBLIGATIONS_EVERYWHERE = {"dpia"}


def test_every_market_has_an_obligation_catalogue(content: Any) -> None:
    countries = {c.code: c for c in Country.objects.filter(version=content)}
    assert set(countries) == ASEAN
    for code, c in countries.items():
        items = list(Question.objects.filter(version=content, market=c))
        kinds = {q.obligation for q in items}
        assert kinds >= OBLIGATIONS_EVERYWHERE | ({"transfer"} if c.has_data_protection_law else set()), (code, kinds)
        for q in items:
            assert q.obligation and q.evidence_hint and q.recommendation, q.code
            if q.mandatory:  # a date, or words saying why the source gives none (e.g. only a year)
                assert q.legal_basis and (q.in_force_since or q.in_force_note), q.code
        if not c.has_data_protection_law:
            # Legal uncertainty: nothing there is a binding data protection duty.
            assert not any(q.mandatory for q in items if q.obligation in {"transfer", "breach", "dpo", "dpia"}), code
    with_breach = {c for c, country_ in countries.items() if country_.requirements.filter(obligation="breach")}
    assert {"BN", "ID", "MY", "PH", "SG", "TH", "VN"} <= with_breach
    assert set(countries) - {c.code for c in countries.values() if not c.has_data_protection_law} <= ASEAN
    assert {c.code for c in countries.values() if not c.has_data_protection_law} == {"KH", "MM", "TL"}


def test_thailand_transfers_and_viet_nams_ai_law_are_mandatory_items(content: Any) -> None:
    transfer = Question.objects.get(version=content, code="TH-TRANSFER")
    assert transfer.mandatory and "28" in transfer.legal_basis and transfer.in_force_since == dt.date(2024, 3, 24)
    vietnam = {q.code: q for q in Question.objects.filter(version=content, market__code="VN")}
    for code in ("VN-AI-CLASSIFY", "VN-AI-NOTIFY", "VN-AI-LABEL", "VN-AI-OVERSIGHT", "VN-TRANSFER", "VN-BREACH"):
        assert code in vietnam and vietnam[code].mandatory, code
    assert "134/2025/QH15" in vietnam["VN-AI-CLASSIFY"].legal_basis
    assert vietnam["VN-AI-CLASSIFY"].in_force_since == dt.date(2026, 3, 1)


def test_viet_nam_facts_are_corrected(content: Any) -> None:
    facts = {f.code: f.summary for f in CountryFact.objects.filter(country__version=content, country__code="VN")}
    text = " ".join(facts.values())
    assert "60/2024/QH15" in facts["VN-F22"]
    assert "60/2025" not in text.replace("60/2025/QH15", "")  # the wrong number appears nowhere as a fact
    assert "Science and Technology" in facts["VN-F11"]
    assert "142/2026" in facts["VN-F09"] and "356/2025" in facts["VN-F14"] and "116/2025" in facts["VN-F23"]
    assert "mandatory" not in facts["VN-F25"].lower()


def test_the_questionnaire_covers_the_guides_central_elements(content: Any) -> None:
    core = Question.objects.filter(version=content, market__isnull=True)
    assert all(q.guide_section for q in core)

    def covered(principle: str, *words: str) -> bool:
        texts = " ".join(
            f"{q.text} {q.guidance} {' '.join(o.label for o in q.options.all())}".lower()
            for q in core.filter(principle__code=principle).prefetch_related("options")
        )
        return any(word in texts for word in words)

    assert covered("HC", "dark pattern")
    assert covered("HC", "manipulat")
    assert covered("HC", "vulnerable")
    assert covered("PD", "privacy by design", "privacy-by-design")
    assert covered("PD", "privacy-enhancing", "privacy enhancing")
    assert covered("SS", "limitation")
    assert covered("AC", "training")
    assert covered("AC", "error")
    for p in Principle.objects.filter(version=content):
        assert p.guide_section.startswith("§B."), p.code
    human_centricity = Principle.objects.get(version=content, code="HC").definition.lower()
    assert "dark pattern" in human_centricity or "manipulat" in human_centricity


def test_genai_dimensions_are_framed_as_the_tools_adaptation(content: Any) -> None:
    dimensions = GenAIDimension.objects.filter(version=content)
    assert dimensions.count() == 9 and all(d.adaptation for d in dimensions)
    assert "adapt" in content.sources["genai"].lower()
    assert "D-CPV" in set(dimensions.values_list("code", flat=True))


def test_publishing_asks_for_a_label_that_never_compounds(content: Any, legacy_content: Any) -> None:
    first = version_clone(source=content, code="draft-1", label="Draft from asean-2026-11")
    assert first.label == "Draft from asean-2026-11" and first.released_on is None
    first = version_publish(version=first, label="  December   2026 ", code="asean-2026-12")
    assert (first.label, first.code, first.status) == ("December 2026", "asean-2026-12", "published")
    second = version_clone(source=first, code="draft-2", label=f"Draft from {first.code}")
    second = version_publish(version=second, label="January 2027", code="asean-2027-01")
    assert second.label == "January 2027"
    assert FrameworkVersion.objects.current() == second
    currents = [v for v in FrameworkVersion.objects.published() if v.superseded_by is None]
    assert currents == [second]
    assert content.superseded_by == second and legacy_content.superseded_by == second


@pytest.mark.parametrize(
    ("label", "code", "message"),
    [
        ("", "asean-x", "give a label"),
        ("2024/2025", "asean-x", "is another version's label"),
        ("Fine", "asean-2026-11", "already exists"),
        ("Fine", "Not A Slug", "is not a valid code"),
    ],
)
def test_publishing_refuses_a_bad_label_or_code(content: Any, label: str, code: str, message: str) -> None:
    from frameworks.content import ContentError

    draft = version_clone(source=content, code="draft-bad", label="Draft")
    with pytest.raises(ContentError, match=message):
        version_publish(version=draft, label=label, code=code)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.code == "draft-bad"


def test_an_update_lists_what_changed_for_the_chosen_markets_only(content: Any, legacy_content: Any) -> None:
    update = edition_update(legacy_content, ["TH", "VN"])
    assert update is not None and update.new == content
    assert set(update.by_market) == {"TH", "VN"}
    added = {c.code for c in update.by_market["TH"] if c.kind == "added"}
    assert "TH-TRANSFER" in added
    assert all(c.market == "TH" for c in update.by_market["TH"])
    assert edition_update(content, ["TH"]) is None


def test_copy_of_content_is_not_mutated_by_validation() -> None:
    data = read_content(CONTENT_DIR)
    before = copy.deepcopy(data)
    validate_content(data)
    assert data == before
