"""The risk method's text in five languages (docs/translations.md): translation files beside the method file are
checked with it and fill the language columns; a bad one is refused whole, naming its file, record and field; pages
and the PDF show the reader's language and mark English standing in; the rules are English, so no translation can
change a result; and a published method whose English is unchanged takes new translations on reloading."""

from __future__ import annotations

import copy
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from frameworks.content import ContentError
from frameworks.models import RiskMethod, RiskQuestion
from frameworks.risk_loading import load_risk_method, method_to_data, method_translations
from frameworks.translation import risk_level_text
from scorecard.reports import system_risk
from scorecard.risk import assess
from scorecard.services import risk as services
from tests.conftest import client_for
from tests.factories import AISystemFactory, UserFactory

pytestmark = pytest.mark.django_db

SHIPPED = Path(__file__).resolve().parents[2] / "fixtures" / "risk-methods" / "asean-annex-a-2026-12.yaml"
CODE = SHIPPED.stem

# A small Thai translation: a few fields of each kind, the rest left to English.
THAI_TITLE = "การประเมินผลกระทบความเสี่ยงของ AI"
THAI_HI02 = "ความน่าจะเป็นที่จะเกิดอันตรายจากระบบนี้คือเท่าใด"
THAI_RARE = "เกิดขึ้นได้ยาก"
THAI_LIKELY = "มีแนวโน้มสูง"
THAI_MANY = "มีผู้ได้รับผลกระทบจำนวนมาก"
THAI_HIGH = "มนุษย์อยู่ในวงจร: AI ให้ข้อเสนอแนะเท่านั้น มนุษย์เป็นผู้ตัดสินใจ"
THAI = {
    "title": THAI_TITLE,
    "levels": {
        "probability": {"rare": {"label": THAI_RARE}, "likely": {"label": THAI_LIKELY}},
        "adjustments": {"many-people": {"label": THAI_MANY}},
        "involvement": {"high": {"description": THAI_HIGH}},
    },
    "questions": {"HI-02": {"text": THAI_HI02}},
}
VIETNAMESE = {"questions": {"OB-01": {"text": "Hệ thống dùng để làm gì?", "guidance": "Nêu mục đích."}}}


def method_folder(folder: Path, translations: dict[str, Any]) -> Path:
    """A copy of the shipped method file (its English unchanged, byte for byte) with the given translation files
    beside it: {language: mapping, or the file's raw text}."""
    path = folder / SHIPPED.name
    shutil.copyfile(SHIPPED, path)
    for language, mapping in translations.items():
        target = folder / "translations" / language
        target.mkdir(parents=True, exist_ok=True)
        text = mapping if isinstance(mapping, str) else yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False)
        (target / SHIPPED.name).write_text(text, encoding="utf-8")
    return path


def columns(method: RiskMethod) -> dict[str, Any]:
    """Every column of the method and its questions, English and translations, to see what a load changed."""
    method.refresh_from_db()
    fields = [f.attname for f in RiskMethod._meta.concrete_fields if f.attname not in ("created_at",)]
    question_fields = [f.attname for f in RiskQuestion._meta.concrete_fields]
    return {
        "method": {f: copy.deepcopy(getattr(method, f)) for f in fields},
        "questions": [
            {f: getattr(q, f) for f in question_fields}
            for q in RiskQuestion.objects.filter(method=method).order_by("pk")
        ],
    }


@pytest.fixture
def thai(content: Any, tmp_path: Path) -> RiskMethod:
    """The shipped method with the small Thai and Vietnamese translations loaded (over whatever the shipped
    translation files gave it)."""
    load_risk_method(method_folder(tmp_path, {"th": THAI, "vi": VIETNAMESE}))
    return RiskMethod.objects.get(code=CODE)


# --- loading --------------------------------------------------------------------------------------------------------


def test_loading_a_translation_fills_the_language_columns_and_nothing_else(content: Any, tmp_path: Path) -> None:
    method = RiskMethod.objects.get(code=CODE)
    english_before = method_to_data(method)
    result = load_risk_method(method_folder(tmp_path, {"th": THAI, "vi": VIETNAMESE}))
    assert not result.created and result.method.pk == method.pk
    method.refresh_from_db()
    assert method.title_th == THAI_TITLE and method.description_th is None  # left out: reads in English
    assert method.title_ms is None and method.title_ind is None  # no file: emptied, reads in English
    # levels_th: a copy of the English levels with the translated words put in; codes, values, matrix as in English.
    english_levels = method.levels_en
    assert method.levels_th["matrix"] == english_levels["matrix"]
    assert [(s["value"], s["code"]) for s in method.levels_th["probability"]] == [
        (s["value"], s["code"]) for s in english_levels["probability"]
    ]
    assert [s["label"] for s in method.levels_th["probability"]] == [THAI_RARE, "Possible", THAI_LIKELY]
    assert method.levels_th["severity"] == english_levels["severity"]
    assert {e["level"]: e["involvement"] for e in method.levels_th["involvement"]} == {
        e["level"]: e["involvement"] for e in english_levels["involvement"]
    }
    assert method.levels_vi is None and method.levels_ms is None  # nothing of the levels translated: English
    hi02 = method.questions.get(code="HI-02")
    assert hi02.text_th == THAI_HI02 and hi02.guidance_th is None
    assert method.questions.get(code="OB-01").text_vi == "Hệ thống dùng để làm gì?"
    assert method_to_data(method) == english_before  # the English never moves

    with translation.override("th"):
        method = RiskMethod.objects.get(code=CODE)
        hi02 = method.questions.get(code="HI-02")
        assert method.title == THAI_TITLE and hi02.text == THAI_HI02
        assert hi02.guidance == hi02.guidance_en  # field by field: the guidance falls back to English
        rare = risk_level_text(method, "probability", "rare", "label")
        possible = risk_level_text(method, "probability", "possible", "label")
        assert (rare, rare.in_english) == (THAI_RARE, False)
        assert (possible, possible.in_english) == ("Possible", True)
        assert method_to_data(method) == english_before  # whatever the active language
    with translation.override("en"):
        rare = risk_level_text(method, "probability", "rare", "label")
        assert (rare, rare.in_english) == ("Rare", False)

    # What the database holds reads back in the files' shape.
    assert method_translations(method) == {"th": THAI, "vi": VIETNAMESE}


def test_a_missing_empty_or_partial_translation_is_accepted(content: Any, tmp_path: Path) -> None:
    path = method_folder(tmp_path, {"th": "", "vi": "title: Đánh giá tác động rủi ro AI\n"})
    (tmp_path / "translations" / "ms").mkdir()  # a language folder without this method's file
    (tmp_path / "translations" / "vi" / "notes.txt").write_text("not read", encoding="utf-8")
    load_risk_method(path)
    method = RiskMethod.objects.get(code=CODE)
    assert method.title_vi == "Đánh giá tác động rủi ro AI" and method.title_th is None and method.levels_th is None


def test_reloading_an_unchanged_published_method_updates_its_translations_only(
    content: Any, tmp_path: Path, owner: Any
) -> None:
    method = RiskMethod.objects.get(code=CODE)
    system = AISystemFactory(organisation=owner.memberships.get().organisation, owner=owner)
    risk, _ = services.risk_assessment_start(system=system, by=owner, role="owner")
    question_pks = sorted(method.questions.values_list("pk", flat=True))
    path = method_folder(tmp_path, {"th": THAI})
    out = StringIO()
    call_command("load_content", str(path), stdout=out)
    assert f"The risk method {CODE} is already loaded and unchanged; its translations were updated." in out.getvalue()
    method.refresh_from_db()
    assert method.title_th == THAI_TITLE and method.status == "published"
    # The same records: the risk assessment on it keeps its method and questions.
    assert sorted(method.questions.values_list("pk", flat=True)) == question_pks
    risk.refresh_from_db()
    assert risk.method_id == method.pk

    # Loading the same again changes nothing, and says so.
    before = columns(method)
    out = StringIO()
    call_command("load_content", str(path), stdout=out)
    assert f"The risk method {CODE} is already loaded and unchanged.\n" in out.getvalue()
    assert columns(method) == before

    # A translation changed: only that column moves.
    changed = copy.deepcopy(THAI)
    changed["questions"]["HI-02"]["text"] = "คำถามที่แก้ไขแล้ว"
    load_risk_method(method_folder(tmp_path, {"th": changed}))
    after = columns(method)
    moved = {
        (new["code"], field)
        for old, new in zip(before["questions"], after["questions"], strict=True)
        for field in old
        if old[field] != new[field]
    }
    assert after["method"] == before["method"] and moved == {("HI-02", "text_th")}

    # English that differs is still refused, translations or not.
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data["questions"][0]["text"] = "A changed question?"
    (tmp_path / SHIPPED.name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ContentError, match="is published and cannot change"):
        load_risk_method(tmp_path / SHIPPED.name)
    assert columns(method) == after


# --- refused translations -------------------------------------------------------------------------------------------

REFUSED = [
    pytest.param(
        "th",
        {"questions": {"HI-99": {"text": "?"}}},
        f"translations/th/{CODE}.yaml: unknown code: the English method has no question 'HI-99'",
        id="unknown-question",
    ),
    pytest.param(
        "th",
        {"questions": {"HI-02": {"evidence": "?"}}},
        f"translations/th/{CODE}.yaml: question HI-02 > evidence: unknown field: is not a translated field "
        "(translated here: text, guidance)",
        id="unknown-question-field",
    ),
    pytest.param(
        "vi",
        {"levels": {"severity": {"catastrophic": {"label": "?"}}}},
        f"translations/vi/{CODE}.yaml: levels: unknown code: the English method has no severity step 'catastrophic'",
        id="unknown-step",
    ),
    pytest.param(
        "vi",
        {"levels": {"adjustments": {"many-people": {"question": "HI-04"}}}},
        f"translations/vi/{CODE}.yaml: levels > adjustment many-people > question: unknown field: is not a "
        "translated field (translated here: label)",
        id="untranslated-rule",
    ),
    pytest.param(
        "ms",
        {"levels": {"matrix": [["high"]]}},
        f"translations/ms/{CODE}.yaml: levels > matrix: unknown field: is not a translated part",
        id="matrix",
    ),
    pytest.param(
        "ms",
        {"rules": "?"},
        f"translations/ms/{CODE}.yaml: rules: unknown field: is not a translated field",
        id="unknown-top-field",
    ),
    pytest.param(
        "id",
        {"questions": {"OB-01": {"text": 12}}},
        f"translations/id/{CODE}.yaml: question OB-01 > text: must be text",
        id="not-text",
    ),
    pytest.param(
        "th",
        {"title": "ก" * 201},
        f"translations/th/{CODE}.yaml: title: is 201 characters long; at most 200 allowed",
        id="title-too-long",
    ),
    pytest.param(
        "th",
        {"levels": {"probability": {"rare": {"label": "ก" * 81}}}},
        f"translations/th/{CODE}.yaml: levels > probability step rare > label: is 81 characters long; "
        "at most 80 allowed",
        id="label-too-long",
    ),
    pytest.param(
        "ind",
        {"title": "?"},
        f"translations/ind/{CODE}.yaml: 'ind' is not a language content is translated into (one of: id, ms, vi, th)",
        id="unknown-language",
    ),
    pytest.param(
        "th",
        "questions: [not, a, mapping]\n",
        f"translations/th/{CODE}.yaml: must be a mapping of question codes to their fields",
        id="not-a-mapping",
    ),
    pytest.param(
        "th",
        "title: [unclosed\n",
        f"translations/th/{CODE}.yaml: line 2: not valid YAML",
        id="not-yaml",
    ),
]


@pytest.mark.parametrize(("language", "translation_file", "message"), REFUSED)
def test_a_bad_translation_is_refused_naming_file_record_and_field_and_nothing_is_written(
    thai: RiskMethod, tmp_path: Path, language: str, translation_file: Any, message: str
) -> None:
    before = columns(thai)
    # A good file beside the bad one is not loaded either: nothing is written.
    path = method_folder(tmp_path, {"vi": {"title": "Một tiêu đề khác"}, language: translation_file})
    with pytest.raises(ContentError) as refused:
        load_risk_method(path)
    assert any(str(problem).startswith(message) for problem in refused.value.problems), refused.value.problems
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_content", str(path), stdout=StringIO())
    assert columns(thai) == before


def test_data_with_translations_is_checked_the_same(content: Any) -> None:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data["code"] = "asean-annex-a-translated"
    with pytest.raises(ContentError, match="unknown code: the English method has no question 'XX-01'"):
        load_risk_method({**data, "translations": {"th": {"questions": {"XX-01": {"text": "?"}}}}}, publish=False)
    assert not RiskMethod.objects.filter(code="asean-annex-a-translated").exists()
    method = load_risk_method({**data, "translations": {"th": THAI}}, publish=False).method
    assert method.title_th == THAI_TITLE and method.title_en == data["title"]


# --- pages, the PDF and the result ----------------------------------------------------------------------------------


def _answers(method: RiskMethod) -> dict[str, dict[str, Any]]:
    """Every question answered as in the worked example of docs/risk-method.md."""
    values = {"probability": 2, "severity": 2, "yes-no": "yes", "text": "Informal incomes are under-rated."}
    return {q.code: {"value": values[q.kind], "note": ""} for q in method.questions.all()}


def test_a_thai_page_shows_thai_text_and_marks_english_standing_in(thai: RiskMethod, owner: Any) -> None:
    system = AISystemFactory(organisation=owner.memberships.get().organisation, owner=owner, human_involvement="over")
    risk, _ = services.risk_assessment_start(system=system, by=owner, role="owner")
    client = client_for(owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "th"
    page = client.get(reverse("risk_assessment", args=[risk.pk])).content.decode()
    hi02 = thai.questions.get(code="HI-02")
    ob01 = thai.questions.get(code="OB-01")
    assert f"HI-02 · {THAI_HI02}" in page and THAI_TITLE in page
    # The untranslated guidance of HI-02 and text of OB-01 read in English, marked so, with the EN badge.
    assert f'<span lang="en">{hi02.guidance_en}</span> <span class="badge' in page.replace("&quot;", '"')
    assert 'HI-02 · <span lang="en">' not in page
    assert f'OB-01 · <span lang="en">{ob01.text_en}</span>' in page.replace("&#x27;", "'")
    # Scale steps: the translated label as is, the untranslated one marked.
    assert f"<strong>1. {THAI_RARE}</strong>" in page
    assert '<strong>2. <span lang="en">Possible</span> <span class="badge' in page

    services.risk_assessment_save(risk=risk, by=owner, role="owner", answers=_answers(thai))
    risk = services.risk_assessment_submit(risk=risk, by=owner, role="owner")
    page = client.get(reverse("risk_assessment", args=[risk.pk])).content.decode()
    assert f'<p class="small">{THAI_HIGH}</p>' in page  # the involvement high risk calls for, in Thai
    # The steps: interface sentences (Thai catalogue) with the method's words put in, English ones marked.
    assert THAI_MANY in page and '(<span lang="en">Significant</span>' in page
    assert f'<th scope="row" class="text-start">3. {THAI_LIKELY}</th>' in page

    # The PDF chapter, in Thai: the same words, marked in the report's own way.
    with translation.override("th"):
        view = system_risk.risk_result_view(risk, system)
        html = render_to_string(
            "reports/_system_risk.html", {"system": system, "system_profile": [], "system_risk": view}
        )
    assert 'lang="en"' in html and 'class="fallback-mark"' in html and 'class="badge' not in html
    assert "Significant" in html and "Severe or irreversible" in html

    # In English nothing is marked.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("risk_assessment", args=[risk.pk])).content.decode()
    assert "fallback-mark" not in page and "Vulnerable or marginalised groups" in page


def test_the_result_is_the_same_whatever_the_language(thai: RiskMethod, owner: Any) -> None:
    # Even a translated copy of the levels that disagrees with the English rules (which loading never writes)
    # cannot change a result: the rules are read from the English column.
    hostile = copy.deepcopy(thai.levels_en)
    hostile["matrix"] = [["low"] * 3] * 3
    for entry in hostile["involvement"]:
        entry["involvement"] = "out"
    hostile["adjustments"] = []
    RiskMethod.objects.filter(pk=thai.pk).update(levels_th=hostile)
    thai.refresh_from_db()
    answers = _answers(thai)
    results = {}
    for language in [code for code, _name in settings.LANGUAGES]:
        with translation.override(language):
            method = RiskMethod.objects.get(pk=thai.pk)
            results[language] = assess(services.rules_for(method), answers, current_involvement="over")
    assert {r.risk_level for r in results.values()} == {"high"}
    assert len(set(results.values())) == 1

    system = AISystemFactory(organisation=owner.memberships.get().organisation, owner=owner, human_involvement="over")
    with translation.override("th"):
        risk, _ = services.risk_assessment_start(system=system, by=owner, role="owner")
        services.risk_assessment_save(risk=risk, by=owner, role="owner", answers=answers)
        risk = services.risk_assessment_submit(risk=risk, by=owner, role="owner")
    assert (risk.risk_level, risk.recommended_involvement) == ("high", "in")
    assert risk.result == results["en"].as_snapshot(CODE)


def test_the_admin_shows_a_box_per_language_for_a_draft(content: Any) -> None:
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data["code"] = "asean-annex-a-draft"
    draft = load_risk_method({**data, "translations": {"th": THAI}}, publish=False).method
    staff = Client()
    staff.force_login(UserFactory(email="staff@example.org", is_staff=True, is_superuser=True))
    page = staff.get(reverse("admin:frameworks_riskmethod_change", args=[draft.pk])).content.decode()
    assert 'name="title_th"' in page and THAI_TITLE in page and 'name="levels_en"' in page
    assert 'name="questions-0-text_th"' in page
