"""The change history's pager in a browser: axe finds nothing serious, at desktop and phone widths, and the
links move between pages."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_browser_flows import assert_accessible
from tests.scorecard.test_history_paging import make_changes

pytestmark = [pytest.mark.e2e]


def test_a_long_history_pages_accessibly(open_section: Any) -> None:
    page = open_section("principle-TE")
    assessment = page.assessment
    make_changes(assessment, assessment.created_by, 250)
    page.goto(f"/assessments/{assessment.pk}/history/")
    pager = page.get_by_role("navigation", name="Change history pages")
    assert pager.locator('[aria-current="page"]').inner_text() == "1"
    assert_accessible(page)
    pager.get_by_role("link", name="Older").click()
    page.wait_for_url("**/history/?page=2")
    assert (
        page.get_by_role("navigation", name="Change history pages").locator('[aria-current="page"]').inner_text() == "2"
    )
    assert "Changes 101 to 200 of 250" in page.content()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/assessments/{assessment.pk}/history/?page=3")
    assert_accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # the pager wraps instead of widening the page
