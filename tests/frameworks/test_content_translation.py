"""Translations of the reference content: loaded into the language columns, checked, exported, English as fallback.

The tests write their own small translation into a copy of the shipped edition, so they never depend on how far the
translators' files (fixtures/asean-2026-11/translations/) have come.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from frameworks.content import ContentError, dump_yaml
from frameworks.content_translation import merged_translation, read_translations
from frameworks.exporting import export_version, version_to_content
from frameworks.loading import check_edition, load_content, read_edition
from frameworks.models import Country, CountryFact, FrameworkVersion, Option, Principle, Question, RegionalInstrument
from frameworks.translation import shown_in_english
from frameworks.versioning import version_clone
from tests.conftest import CONTENT_DIR
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# A few fields of each kind, in Thai. Everything else stays English (falls back field by field).
THAI_PRINCIPLE = "ความโปร่งใสและการอธิบายได้"
THAI_QUESTION = "ท่านแจ้งผู้คนเมื่อใช้ AI หรือไม่"
THAI_RECOMMENDATION = "แจ้งผู้คนทุกครั้งที่ใช้ AI"
THAI_LEVEL = "มีการกำหนดไว้"
THAI_PRACTICE = "การทบทวนที่หลากหลาย"
THAI_VIET_NAM = "เวียดนาม"
THAI_FACT = "ข้อเท็จจริงแรกของเวียดนาม"
THAI_REQUIREMENT = "ท่านจัดประเภทความเสี่ยงของระบบ AI หรือไม่"
THAI_INSTRUMENT_STATUS = "เจรจาเสร็จสิ้นแล้ว"
THAI_LABEL = "พฤศจิกายน 2026"
THAI = {
    "core.yaml": {
        "version": {"label": THAI_LABEL},
        "guide": {
            "principles": {"TE": {"name": THAI_PRINCIPLE}},
            "scales": {"maturity": {"2": {"label": THAI_LEVEL}}},
            "questions": {
                "TE-01": {"text": THAI_QUESTION, "recommendation": THAI_RECOMMENDATION},
                "FE-06": {"options": {"diverse-review": {"label": THAI_PRACTICE}}},
            },
        },
        "instruments": {"instruments": {"DEFA": {"status": THAI_INSTRUMENT_STATUS}}},
    },
    # A long part may be split over several files of one language.
    "countries-1.yaml": {
        "countries": {
            "countries": {
                "VN": {
                    "name": THAI_VIET_NAM,
                    "facts": {"VN-F01": {"summary": THAI_FACT}},
                    "requirements": {"VN-AI-CLASSIFY": {"text": THAI_REQUIREMENT}},
                }
            }
        }
    },
}


def edition_copy(tmp_path: Path, files: dict[str, Any] | None = None, language: str = "th") -> Path:
    """The shipped edition's English files, with `files` (and no other translation) in translations/<language>/."""
    folder = tmp_path / "edition"
    shutil.copytree(CONTENT_DIR, folder, ignore=shutil.ignore_patterns("translations"))
    for name, mapping in (files or {}).items():
        path = folder / "translations" / language / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_yaml(mapping), encoding="utf-8")
    return folder


def load_thai(tmp_path: Path) -> Any:
    """The small Thai translation as the shipped edition's only translation (as `load_content` on an install)."""
    return load_content(edition_copy(tmp_path, THAI))


def thai_columns() -> dict[str, Any]:
    return {
        "principles": dict(Principle.objects.values_list("pk", "name_th")),
        "questions": dict(Question.objects.values_list("pk", "text_th")),
        "options": dict(Option.objects.values_list("pk", "label_th")),
    }


def test_a_published_editions_translation_is_updated_and_its_english_is_not(
    content: FrameworkVersion, tmp_path: Path
) -> None:
    english = version_to_content(content)
    published_at = content.published_at
    result = load_thai(tmp_path)
    assert (result.version, result.created, result.translations_updated) == (content, False, True)
    assert "translations were updated" in result.message
    content.refresh_from_db()
    assert content.status == FrameworkVersion.Status.PUBLISHED and content.published_at == published_at
    assert version_to_content(content) == english, "the English content is exactly as it was"

    te = Principle.objects.get(version=content, code="TE")
    question = Question.objects.get(version=content, code="TE-01")
    with translation.override("th"):
        assert te.name == THAI_PRINCIPLE
        assert te.definition == te.definition_en and shown_in_english(te, "definition"), "field by field"
        assert not shown_in_english(te, "name")
        assert (question.text, question.recommendation) == (THAI_QUESTION, THAI_RECOMMENDATION)
        assert question.guidance == question.guidance_en
        # The scale's label reaches every question on the default maturity scale; a checklist's practice its own.
        assert question.options.get(code="2").label == THAI_LEVEL
        assert Option.objects.get(question__version=content, question__code="FE-06", code="diverse-review").label == (
            THAI_PRACTICE
        )
        vn = Country.objects.get(version=content, code="VN")
        assert vn.name == THAI_VIET_NAM and vn.facts.get(code="VN-F01").summary == THAI_FACT
        assert Question.objects.get(version=content, code="VN-AI-CLASSIFY").text == THAI_REQUIREMENT
        instrument = RegionalInstrument.objects.get(version=content, code="DEFA")
        assert instrument.status == THAI_INSTRUMENT_STATUS
        assert instrument.name == english["instruments"]["instruments"][0]["name"], "an official title stays"
        content.refresh_from_db()
        assert content.label == THAI_LABEL
        # Queries read the active language too, with the same fallback.
        assert Principle.objects.filter(version=content, code="TE").values_list("name", flat=True).get() == (
            THAI_PRINCIPLE
        )
    with translation.override("en"):
        assert te.name == "Transparency and Explainability" and not shown_in_english(te, "name")
    with translation.override("vi"):
        assert te.name == "Transparency and Explainability", "no Vietnamese in these files: English"
        assert shown_in_english(te, "name")

    again = load_content(edition_copy(tmp_path / "again", THAI))
    assert (again.created, again.translations_updated) == (False, False)
    assert again.message.endswith("is already loaded and unchanged.")


def test_a_translation_left_out_is_emptied(content: FrameworkVersion, tmp_path: Path) -> None:
    load_thai(tmp_path)
    assert load_content(edition_copy(tmp_path / "none")).translations_updated
    te = Principle.objects.get(version=content, code="TE")
    assert te.name_th is None
    with translation.override("th"):
        assert te.name == te.name_en and shown_in_english(te, "name")


@pytest.mark.parametrize(
    ("files", "language", "expected"),
    [
        (
            {"a.yaml": {"guide": {"questions": {"XX-99": {"text": "x"}}}}},
            "th",
            "translations/th/a.yaml: unknown code: the English edition has no question 'XX-99'",
        ),
        (
            {"a.yaml": {"guide": {"questions": {"TE-01": {"txet": "x"}}}}},
            "th",
            "translations/th/a.yaml: question TE-01 > txet: unknown field: is not a translated field",
        ),
        (
            {"a.yaml": {"guide": {"questions": {"TE-01": {"weight": 3}}}}},
            "th",
            "translations/th/a.yaml: question TE-01 > weight: unknown field",
        ),
        (
            {"a.yaml": {"instruments": {"instruments": {"DEFA": {"name": "x"}}}}},
            "th",
            "instrument DEFA > name: unknown field: keeps its original (official) wording",
        ),
        (
            {"a.yaml": {"countries": {"countries": {"VN": {"facts": {"VN-F01": {"summary": ["x"]}}}}}}},
            "th",
            "translations/th/a.yaml: country VN > fact VN-F01 > summary: must be text",
        ),
        (
            {"a.yaml": {"guide": {"questions": {"FE-06": {"options": {"nope": {"label": "x"}}}}}}},
            "th",
            "question FE-06: unknown code: the English edition has no option 'nope'",
        ),
        ({"a.yaml": {"sources": {"sources": {}}}}, "th", "translations/th/a.yaml: sources: unknown content file"),
        (
            {"a.yaml": {"guide": {"principles": {"TE": {"short_name": "x" * 41}}}}},
            "th",
            "principle TE > short_name: is 41 characters long; at most 40 allowed",
        ),
        ({"a.yaml": {"version": {"label": "x"}}}, "fr", "translations/fr/a.yaml: 'fr' is not a language content is"),
        ({"a.yaml": {"version": {"label": "x"}}}, "en", "'en' is not a language content is translated into"),
        (
            {"a.yaml": {"version": {"label": "x"}}, "b.yaml": {"version": {"label": "y"}}},
            "th",
            "translations/th/b.yaml: version > label: translated differently in a.yaml",
        ),
    ],
    ids=[
        "unknown code",
        "unknown field",
        "not a text field",
        "official title",
        "not text",
        "unknown option",
        "sources keep their titles",
        "too long",
        "unknown language",
        "english",
        "two files disagree",
    ],
)
def test_a_bad_translation_is_refused_and_nothing_is_written(
    content: FrameworkVersion, tmp_path: Path, files: dict[str, Any], language: str, expected: str
) -> None:
    load_thai(tmp_path)
    before = (thai_columns(), FrameworkVersion.objects.count())
    folder = edition_copy(tmp_path / "bad", {**THAI, **files} if language == "th" else files, language)
    with pytest.raises(ContentError) as error:
        load_content(folder)
    assert expected in str(error.value)
    assert (thai_columns(), FrameworkVersion.objects.count()) == before


def test_export_writes_the_translation_beside_the_english_files(content: FrameworkVersion, tmp_path: Path) -> None:
    load_thai(tmp_path)
    content.refresh_from_db()
    out = tmp_path / "export"
    export_version(content, out)
    for original in sorted(CONTENT_DIR.glob("*.yaml")):
        assert (out / original.name).read_bytes() == original.read_bytes(), original.name
    exported = read_translations(out)
    assert set(exported) == {"th"}, "only the languages that have a translation"
    assert sorted(exported["th"]) == ["countries.yaml", "guide.yaml", "instruments.yaml", "version.yaml"]
    assert merged_translation(exported["th"]) == merged_translation(THAI)
    # The export loads back unchanged, and exporting that gives the same bytes again.
    assert load_content(out).translations_updated is False
    again = tmp_path / "again"
    export_version(content, again)
    for path in sorted(out.rglob("*.yaml")):
        assert (again / path.relative_to(out)).read_bytes() == path.read_bytes(), path


def test_a_new_edition_loads_with_its_translation_and_a_draft_keeps_it(
    content: FrameworkVersion, tmp_path: Path
) -> None:
    data = read_edition(edition_copy(tmp_path, THAI))
    data["version"] = dict(data["version"], code="asean-translated")
    version = load_content(data).version
    draft = version_clone(source=version, code="draft-translated", label="Draft")
    for edition in (version, draft):
        with translation.override("th"):
            assert Principle.objects.get(version=edition, code="TE").name == THAI_PRINCIPLE
            assert CountryFact.objects.get(country__version=edition, code="VN-F01").summary == THAI_FACT
            assert Question.objects.get(version=edition, code="TE-02").options.get(code="2").label == THAI_LEVEL
    assert draft.scale_translations == {"th": {"maturity": {"2": {"label": THAI_LEVEL}}}}


def test_loading_in_another_language_still_writes_the_english_columns(
    content: FrameworkVersion, tmp_path: Path
) -> None:
    data = read_edition(edition_copy(tmp_path, THAI))
    data["version"] = dict(data["version"], code="asean-loaded-in-thai")
    with translation.override("th"):
        version = load_content(data).version
        assert version_to_content(version)["guide"]["principles"][0]["name"] == "Transparency and Explainability"
    te = Principle.objects.get(version=version, code="TE")
    assert (te.name_en, te.name_th) == ("Transparency and Explainability", THAI_PRINCIPLE)


def test_the_shipped_translations_are_valid() -> None:
    """Whatever the translators have written so far must load (see docs/translations.md)."""
    check_edition(read_edition(CONTENT_DIR))


def test_a_drafts_translations_are_edited_in_the_admin(content: FrameworkVersion) -> None:
    admin_client = Client()
    admin_client.force_login(UserFactory(email="translator@example.org", is_staff=True, is_superuser=True))
    draft = version_clone(source=content, code="draft-admin-translations", label="Draft")
    question = Question.objects.get(version=draft, code="TE-01")
    page = admin_client.get(f"/admin/frameworks/question/{question.pk}/change/").content.decode()
    assert 'name="text_en"' in page and 'name="text_th"' in page and 'name="text_ind"' in page
    published = Question.objects.get(version=content, code="TE-01")
    page = admin_client.get(f"/admin/frameworks/question/{published.pk}/change/").content.decode()
    assert 'name="text_th"' not in page, "a published edition's translations change through its files"
