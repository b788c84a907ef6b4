"""Accounts in a real browser: sign up, confirm the e-mail (the test outbox), set up two-factor authentication
with an authenticator app and recovery codes, require it for the organisation, and log in with a code.

axe-core checks each account page for serious or critical accessibility violations.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache

from scorecard.models import Organisation
from tests.e2e.test_browser_flows import PASSWORD, assert_accessible, sign_up

pytestmark = [pytest.mark.e2e]


def totp_code(secret: str) -> str:
    """What an authenticator app shows now, never a code about to expire."""
    if time.time() % 30 > 27:
        time.sleep(3.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_sign_up_confirm_the_email_set_up_two_factor_and_log_in_with_it(new_page: Any) -> None:
    page = new_page()
    sign_up(page, "Totp.Owner@Example.org", "Sulu Fintech")
    org_url = page.url

    # Setting up two-factor asks for the password again, then shows a QR code and the secret.
    page.get_by_role("button", name="totp.owner@example.org", exact=True).click()
    page.get_by_role("link", name="Two-factor authentication").click()
    assert_accessible(page)
    page.get_by_role("link", name="Activate").click()
    page.get_by_label("Password").fill(PASSWORD)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/2fa/totp/activate/"))
    assert_accessible(page)
    assert page.get_by_role("img", name="QR code").count() == 1
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill("000000")
    page.get_by_role("button", name="Activate").click()
    page.locator(".invalid-feedback, .alert-danger").first.wait_for()  # a wrong code is refused in place
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    # Recovery codes are shown once two-factor is on.
    page.wait_for_url(re.compile(r"/2fa/recovery-codes/"))
    assert_accessible(page)
    recovery_codes = page.locator("#recovery_codes").input_value().split()
    assert len(recovery_codes) == 10

    # The owner now requires two-factor authentication of everyone who opens the organisation.
    page.goto(org_url)
    page.get_by_label("Members must use two-factor authentication").check()
    page.locator("#h-mfa-rule").locator("..").get_by_role("button", name="Save").click()
    page.get_by_text("now needs two-factor authentication").wait_for()
    assert Organisation.objects.get(name="Sulu Fintech").members_must_use_mfa

    # Log out, then log in: by e-mail in any letter case, the password, then the app's code.
    page.get_by_role("button", name="Log out").click()
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill("TOTP.OWNER@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/2fa/authenticate/"))
    assert_accessible(page)
    cache.clear()  # the code used to activate would be refused again within its 30 seconds
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.get_by_role("link", name="Sulu Fintech").first.click()
    page.wait_for_url(org_url)

    # A recovery code logs in when the phone is not at hand.
    other = new_page()
    other.goto("/accounts/login/")
    other.get_by_label("Email").fill("totp.owner@example.org")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Log in").click()
    other.get_by_label("Code").fill(recovery_codes[0])
    other.get_by_role("button", name="Log in").click()
    other.wait_for_url(re.compile(r"/dashboard/"))
