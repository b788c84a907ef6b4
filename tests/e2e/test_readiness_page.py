"""The readiness page reads as an overview: the verdict per market in view, the details one click away."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_browser_flows import assert_accessible

pytestmark = [pytest.mark.e2e]


def test_readiness_is_an_overview_with_details_on_demand(open_section: Any) -> None:
    page = open_section("principle-TE")
    page.goto(f"/assessments/{page.assessment.pk}/readiness/")
    assert page.evaluate("document.documentElement.scrollHeight") < 5000  # 28,000 px with everything open
    obligations = page.get_by_test_id("market-detail-SG").locator("table.obligations")
    assert not obligations.is_visible()
    page.get_by_test_id("market-SG").get_by_role("link", name="Singapore").click()
    page.get_by_test_id("market-detail-SG").locator("> summary").click()
    assert obligations.is_visible() and obligations.locator("tbody tr").count() >= 5
    assert_accessible(page)


def test_the_action_plan_filters_and_sorts(open_section: Any) -> None:
    page = open_section("principle-TE")
    page.goto(f"/assessments/{page.assessment.pk}/results/")
    rows = page.locator("#action-plan tbody tr")
    total = rows.count()
    assert total > 20  # nothing answered: every applicable question is a gap
    page.get_by_label("Market").select_option("SG")
    visible = page.locator("#action-plan tbody tr:not([hidden])")
    assert 0 < visible.count() < total
    assert all(code.startswith("SG-") for code in visible.locator("td:nth-child(2)").all_inner_texts())
    page.get_by_label("Market").select_option("")
    page.get_by_label("Priority").select_option("gap")
    assert visible.count() < total
    page.get_by_label("Priority").select_option("")
    page.get_by_role("button", name="Principle").click()
    principles = [row.get_attribute("data-principle") for row in rows.all()]
    assert principles == sorted(principles)
    page.get_by_role("button", name="#").click()
    ranks = [int(row.get_attribute("data-rank")) for row in rows.all()]
    assert ranks == sorted(ranks)
    assert_accessible(page)
