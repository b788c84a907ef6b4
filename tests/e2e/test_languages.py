"""Entirely in Thai, in a real browser: switch the language in the header, sign up, answer, read the results,
download the PDF in Thai; the choice is remembered after logging out and in again (in a browser that never chose).

Selectors go by ids, names and test ids, never by English words; what the pages say is checked against the Thai
catalogue (compiled for this test from locale/th/LC_MESSAGES/django.po), so the test follows the translation.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from pypdf import PdfReader

from scorecard.models import Preference
from tests.e2e.test_browser_flows import PASSWORD, assert_accessible
from tests.scorecard.test_translations import (  # noqa: F401  (fixtures)
    compiled_catalogues,
    current_catalogues,
    report_headings,
    translated_entries,
)

pytestmark = [pytest.mark.e2e]


def thai(msgid: str) -> str | None:
    """The Thai catalogue's translation of `msgid`, if it has one."""
    return next((e.msgstr[0] for e in translated_entries("th") if e.msgid == msgid and e.msgctxt is None), None)


def assert_thai(page: Any, *msgids: str) -> None:
    assert page.locator("html").get_attribute("lang") == "th", page.url
    text = page.locator("body").inner_text()
    for msgid in msgids:
        local = thai(msgid)
        if local:  # a string the catalogue does not translate yet is not this test's business
            assert local in text, (msgid, local, page.url)


def switch_to_thai(page: Any) -> None:
    page.locator("#language-switch").select_option("th")
    page.locator("form.language-switch [type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.usefixtures("current_catalogues")
def test_sign_up_answer_read_results_and_download_the_pdf_in_thai(new_page: Any) -> None:
    page = new_page()
    page.goto("/accounts/signup/")
    switch_to_thai(page)
    assert page.url.endswith("/accounts/signup/")
    assert_thai(page, "Skip to main content")
    assert page.locator("#language-switch option:checked").get_attribute("value") == "th"
    assert_accessible(page)

    # Sign up and confirm the address with the link e-mailed to it (which logs in).
    page.locator("#id_email").fill("somchai@example.co.th")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_organisation_name").fill("บริษัท ข้อมูลสยาม จำกัด")
    page.locator("#id_kind").select_option("organisation")
    page.locator("#id_sector").select_option("finance")
    page.locator("#id_size").select_option("small")
    page.locator("#id_hq_country").select_option("TH")
    page.locator("main form [type=submit]").click()
    page.get_by_test_id("verification-sent").wait_for()
    assert_thai(page)
    message = next(m for m in reversed(mail.outbox) if m.to == ["somchai@example.co.th"])
    page.goto(re.search(r"http://[^\s]+/accounts/confirm-email/[^\s]+/", message.body).group(0))  # type: ignore[union-attr]
    page.locator("main form [type=submit]").click()
    page.wait_for_url(re.compile(r"/orgs/"))
    assert_thai(page, "Start an assessment")
    assert Preference.objects.get(user__email="somchai@example.co.th").language == "th"

    # Start an assessment for the Thai market and answer in the questionnaire (autosave).
    page.locator("a[href$='/assessments/new/']").first.click()
    page.locator("#id_name").fill("การทบทวนธรรมาภิบาล AI 2026")
    page.locator("input[name=ai_role][value=deployer]").check()
    page.locator("#id_uses_genai").check()  # every chapter of the report, the GenAI supplement's too
    page.locator("input[name=target_markets][value=TH]").check()
    page.locator("main form [type=submit]").click()
    page.wait_for_url(re.compile(r"/assessments/[0-9a-f-]+/$"))
    assessment_url = page.url
    page.locator("main a[href*='/sections/']").first.click()
    page.wait_for_url(re.compile(r"/sections/"))
    assert_thai(page)
    first = page.locator("fieldset.question-card").first
    first.locator("input[type=radio]").nth(1).check()
    first.locator(".save-state.is-saved").wait_for()
    if thai("Saved at %(time)s"):
        assert (thai("Saved at %(time)s") or "").split("%")[0].strip() in first.inner_text()

    # The results, then the PDF in Thai (the select offers the organisation's language, here the reader's).
    page.goto(assessment_url + "results/")
    assert_thai(page, "Results", "Principles")
    page.get_by_test_id("overall-score").wait_for()
    assert page.locator("#report-language option:checked").get_attribute("value") == "th"
    assert_accessible(page)
    with page.expect_download(timeout=60_000) as download:
        page.locator("form:has(#report-language) [type=submit]").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "th"
    text = "".join(
        subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode().split()
    )
    for heading in report_headings():
        local = thai(heading)
        if local:
            assert "".join(local.replace("\u200b", "").split()) in text.replace("\u200b", ""), heading

    # Log out: the page stays Thai (the browser's cookie). Log in from another browser that never chose: the
    # account's choice applies.
    page.locator("form[action='/accounts/logout/'] [type=submit]").click()
    page.wait_for_load_state()
    assert_thai(page)
    other = new_page()
    other.goto("/accounts/login/")
    assert other.locator("html").get_attribute("lang") == "en"
    other.locator("#id_login").fill("somchai@example.co.th")
    other.locator("#id_password").fill(PASSWORD)
    other.locator("main form [type=submit]").click()
    other.wait_for_url(re.compile(r"/dashboard/"))
    assert_thai(other, "Dashboard")
    other.goto("/about/")
    assert_thai(other)
