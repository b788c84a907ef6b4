"""The admin pages this project customises pass axe (no serious or critical finding)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from frameworks.models import Country, FrameworkVersion, Question
from frameworks.versioning import version_clone
from tests.e2e.test_browser_flows import assert_accessible
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e]


def test_customised_admin_pages_are_accessible(new_page: Any, live_server: Any) -> None:
    content = FrameworkVersion.objects.current()
    draft = version_clone(source=content, code="asean-draft-axe", label="Draft for axe")
    client = Client()
    client.force_login(UserFactory(email="staff@example.org", is_staff=True, is_superuser=True))
    page = new_page()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    published_question = Question.objects.get(version=content, code="TE-01")
    draft_country = Country.objects.get(version=draft, code="VN")
    for url in (
        "/admin/",
        "/admin/frameworks/frameworkversion/",
        f"/admin/frameworks/question/{published_question.pk}/change/",
        f"/admin/frameworks/country/{draft_country.pk}/change/",
    ):
        page.goto(url)
        assert_accessible(page)
    page.goto("/admin/frameworks/frameworkversion/")
    page.locator(f"input[name=_selected_action][value='{content.pk}']").check()
    page.locator(f"input[name=_selected_action][value='{draft.pk}']").check()
    page.locator("select[name=action]").select_option("compare_two")
    page.locator("button[name=index]").click()
    page.get_by_text("No differences in content.").wait_for()
    assert_accessible(page)
