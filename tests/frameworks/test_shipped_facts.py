"""The shipped content says what the fact base says, and covers what the issue asks for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from frameworks.models import Country, CountryFact, GenAIDimension, GenAIRisk, Principle, Question

pytestmark = pytest.mark.django_db

ASEAN = {"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", "TL"}
# Oxford Insights Government AI Readiness Index 2024, as the fact base gives it.
INDEX_2024 = {
    "SG": "84.25",
    "MY": "71.40",
    "TH": "66.17",
    "ID": "65.85",
    "VN": "61.42",
    "PH": "58.51",
    "BN": "55.45",
    "KH": "36.63",
    "LA": "36.08",
    "MM": "34.26",
    "TL": "33.68",
}


def test_seven_principles_in_the_guides_order(content) -> None:
    names = list(Principle.objects.filter(version=content).values_list("name", flat=True))
    assert names == [
        "Transparency and Explainability",
        "Fairness and Equity",
        "Security and Safety",
        "Human-centricity",
        "Privacy and Data Governance",
        "Accountability and Integrity",
        "Robustness and Reliability",
    ]


def test_question_bank_covers_every_principle_and_component(content) -> None:
    core = Question.objects.filter(version=content, market__isnull=True, genai_dimension__isnull=True)
    assert core.count() >= 42
    for principle in Principle.objects.filter(version=content):
        assert core.filter(principle=principle).count() >= 6, principle.code
    assert set(core.values_list("component__code", flat=True)) == {"IG", "HI", "OM", "SC"}
    assert core.filter(key_control=True).count() >= 7
    assert set(core.values_list("scale", flat=True)) == {"maturity", "ypn", "checklist"}


def test_genai_supplement_has_six_risks_nine_dimensions_and_items_on_each(content) -> None:
    assert GenAIRisk.objects.filter(version=content).count() == 6
    dimensions = GenAIDimension.objects.filter(version=content)
    assert dimensions.count() == 9
    items = Question.objects.filter(version=content, genai_dimension__isnull=False)
    assert items.count() >= 14
    assert all(items.filter(genai_dimension=d).exists() for d in dimensions)
    assert all(item.risks.exists() for item in items)
    assert all(item.requires_genai for item in items)


def test_all_eleven_members_with_sourced_facts(content) -> None:
    countries = {c.code: c for c in Country.objects.filter(version=content)}
    assert set(countries) == ASEAN
    assert countries["TL"].member_since == dt.date(2025, 10, 26)
    for code, value in INDEX_2024.items():
        assert countries[code].readiness_index == Decimal(value), code
    for fact in CountryFact.objects.filter(country__version=content).prefetch_related("sources"):
        assert fact.sources.all() and fact.checked_on and fact.confidence in {"H", "M", "?"}, fact.code
    for country in countries.values():
        assert country.principle_weights.count() == 7
        assert country.requirements.exists(), country.code


def test_markets_without_a_data_protection_law_are_marked(content) -> None:
    without = set(Country.objects.filter(version=content, has_data_protection_law=False).values_list("code", flat=True))
    assert without == {"KH", "MM", "TL"}


def test_vietnam_ai_law_is_a_mandatory_requirement(content) -> None:
    requirement = Question.objects.get(version=content, code="VN-AI-CLASSIFY")
    assert requirement.mandatory and "134/2025/QH15" in requirement.legal_basis
    assert requirement.in_force_since == dt.date(2026, 3, 1)
