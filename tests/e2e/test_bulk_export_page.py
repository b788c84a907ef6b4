"""The bulk export page selects all, only the submitted assessments, or none, in one click."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from scorecard.models import Assessment, Role
from tests.e2e.test_browser_flows import assert_accessible
from tests.factories import AssessmentFactory, GrantFactory, MembershipFactory

pytestmark = [pytest.mark.e2e]


def test_select_all_submitted_or_none(new_page: Any, live_server: Any) -> None:
    grant = GrantFactory()
    consultant = MembershipFactory(organisation=grant.consultancy, role=Role.OWNER).user
    draft = AssessmentFactory(organisation=grant.client, target_markets=["SG"])
    submitted = AssessmentFactory(organisation=grant.client, target_markets=["SG"])
    Assessment.objects.filter(pk=submitted.pk).update(status=Assessment.Status.SUBMITTED)
    client = Client()
    client.force_login(consultant)
    page = new_page()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto("/portfolio/")
    assert_accessible(page)
    page.goto("/portfolio/exports/")
    assert_accessible(page)

    def checked() -> set[str]:
        return {box.get_attribute("value") for box in page.locator("input[name=assessments]:checked").all()}

    page.get_by_role("button", name="Select the submitted ones").click()
    assert checked() == {str(submitted.pk)}
    page.get_by_role("button", name="Select all").click()
    assert checked() == {str(submitted.pk), str(draft.pk)}
    page.get_by_role("button", name="Clear the selection").click()
    assert checked() == set()
