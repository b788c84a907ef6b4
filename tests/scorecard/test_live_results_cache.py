"""A draft's live results read the markets' definitions of a published edition once per process: published
editions never change, so only a new edition (a new version) brings new definitions. A draft edition, which an
admin may be editing, is read every time."""

from __future__ import annotations

import types
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frameworks.models import Country, FrameworkVersion, MarketPrincipleWeight
from frameworks.versioning import version_clone, version_publish
from scorecard.models import Assessment
from scorecard.scoring import compute_results, market_defs
from scorecard.services.assessments import assessment_create
from tests.conftest import client_for
from tests.scorecard.test_questionnaire import answer_everything

pytestmark = pytest.mark.django_db

COUNTRY_TABLES = ("frameworks_country", "frameworks_marketprincipleweight", "frameworks_countryfact")


def country_queries(queries: list[dict[str, Any]]) -> list[str]:
    return [q["sql"] for q in queries if any(f'"{table}"' in q["sql"] for table in COUNTRY_TABLES)]


def test_a_second_live_results_request_reads_no_country_table(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    client = client_for(owner)
    for name in ("assessment_results", "assessment_readiness"):
        url = reverse(name, args=[assessment.pk])
        client.get(url)  # the first request in this process may read them
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url)
        assert page.status_code == 200
        assert {m["code"] for m in page.context["markets"]} == {"SG", "VN", "KH"}
        assert not country_queries(captured.captured_queries), name


def test_the_cached_definitions_cannot_be_changed_by_a_caller(content: FrameworkVersion) -> None:
    (vn,) = market_defs(content, ["VN"])
    assert isinstance(vn.weights, types.MappingProxyType)
    with pytest.raises(TypeError):
        vn.weights["TE"] = Decimal(10)  # type: ignore[index]
    assert market_defs(content, ["VN"]) == [vn]


def test_a_new_published_edition_brings_its_own_definitions(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    before = {m["code"]: m for m in compute_results(assessment)["markets"]}  # caches the current edition's
    assert before["KH"]["legal_uncertainty"]  # Cambodia has no data protection law in the shipped edition

    draft = version_clone(source=assessment.framework_version, code="asean-next", label="next")
    Country.objects.filter(version=draft, code="KH").update(has_data_protection_law=True, name="Kampuchea")
    MarketPrincipleWeight.objects.filter(country__version=draft, country__code="VN").update(weight=Decimal("0.1"))
    MarketPrincipleWeight.objects.filter(country__version=draft, country__code="VN", principle__code="TE").update(
        weight=Decimal(10)
    )
    version_publish(version=draft, label="Next edition")
    new = assessment_create(
        organisation=assessment.organisation,
        by=owner,
        name="On the next edition",
        sector="finance",
        size="large",
        ai_role="both",
        uses_genai=True,
        target_markets=["SG", "VN", "KH"],
    )
    assert new.framework_version == draft
    answer_everything(new, owner)
    after = {m["code"]: m for m in compute_results(new)["markets"]}
    assert after["KH"]["name"] == "Kampuchea" and not after["KH"]["legal_uncertainty"]
    assert after["VN"]["score"] != before["VN"]["score"] and after["SG"]["score"] == before["SG"]["score"]
    # The earlier edition's drafts keep their own definitions.
    again = {m["code"]: m for m in compute_results(assessment)["markets"]}
    assert again["KH"]["name"] == before["KH"]["name"] and again["VN"]["score"] == before["VN"]["score"]


def test_a_draft_edition_is_read_every_time(assessment: Assessment, owner: Any) -> None:
    """An admin editing a draft edition sees each change in the live results of an assessment pinned to it."""
    draft = version_clone(source=assessment.framework_version, code="asean-draft", label="draft")
    Assessment.objects.filter(pk=assessment.pk).update(framework_version=draft)
    assessment.refresh_from_db()
    answer_everything(assessment, owner)
    first = {m["code"]: m for m in compute_results(assessment)["markets"]}
    Country.objects.filter(version=draft, code="KH").update(name="Kampuchea")
    MarketPrincipleWeight.objects.filter(country__version=draft, country__code="VN").update(weight=Decimal("0.1"))
    MarketPrincipleWeight.objects.filter(country__version=draft, country__code="VN", principle__code="TE").update(
        weight=Decimal(10)
    )
    second = {m["code"]: m for m in compute_results(assessment)["markets"]}
    assert first["KH"]["name"] != "Kampuchea" and second["KH"]["name"] == "Kampuchea"
    assert second["VN"]["score"] != first["VN"]["score"]
