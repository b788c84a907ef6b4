"""Choosing a language (issue 19): the header's switcher, remembered on the account and applied at log-in; e-mails
in the recipient's language; the PDF report in the language asked for, the organisation's, or the reader's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_tasks import default_task_backend

from scorecard.languages import SESSION_KEY, email_language, report_language, supported_language
from scorecard.models import BulkExport, Organisation, Preference, RenderedReport, Role
from scorecard.reports import pdf as pdf_module
from scorecard.reports.pdf import cached_report_for
from scorecard.tasks import prerender_report, render_report
from tests.conftest import client_for
from tests.factories import AssessmentFactory, ConsultancyFactory, GrantFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


@pytest.fixture(autouse=True)
def _back_to_english() -> Iterator[None]:
    """A test client's request leaves its language active in the thread: later tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def page_language(client: Client, url: str = "/about/") -> str:
    html = client.get(url).content.decode()
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, html[:200]
    return match.group(1)


def switch(client: Client, language: str, next_url: str = "/about/") -> Any:
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


@pytest.fixture
def pdf_languages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The `<html lang>` of each report rendered, with a renderer that answers at once."""
    rendered: list[str] = []

    def fake(html: str) -> bytes:
        rendered.append(re.search(r'<html lang="([^"]+)"', html).group(1))  # type: ignore[union-attr]
        return b"%PDF-1.7 " + rendered[-1].encode()

    monkeypatch.setattr(pdf_module, "html_to_pdf", fake)
    return rendered


# --- The switcher ------------------------------------------------------------------------------------------------


def test_the_header_offers_each_language_named_in_itself_in_a_form_that_needs_no_script() -> None:
    html = Client().get("/").content.decode()
    form = re.search(r'<form class="language-switch" method="post" action="/i18n/setlang/">(.*?)</form>', html, re.S)
    assert form, "no language switcher in the header"
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in form.group(1) and f">{name}</option>" in form.group(1)
    assert 'for="language-switch"' in form.group(1) and 'type="submit"' in form.group(1)
    assert "<script" not in form.group(1) and "onchange" not in form.group(1)
    assert "ไทย" in html and "Tiếng Việt" in html and "Bahasa Melayu" in html and "Bahasa Indonesia" in html


def test_accept_language_picks_a_language_and_the_switch_overrides_it() -> None:
    client = Client(headers={"accept-language": "vi-VN,vi;q=0.9,en;q=0.5"})
    assert page_language(client) == "vi"
    response = switch(client, "th")
    assert response.status_code == 302 and response["Location"] == "/about/"
    assert response.cookies[COOKIE].value == "th" and response.cookies[COOKIE]["httponly"]
    assert page_language(client) == "th"


def test_a_language_the_site_does_not_offer_changes_nothing(owner: Any) -> None:
    client = client_for(owner)
    switch(client, "fr")
    switch(client, "")
    assert not Preference.objects.filter(user=owner).exists()
    assert page_language(client) == "en"


def test_a_switch_refused_for_its_missing_csrf_token_is_not_kept(owner: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert switch(client, "th").status_code == 403
    assert not Preference.objects.filter(user=owner).exists()


def test_a_logged_in_switch_is_kept_on_the_account_and_applied_at_the_next_log_in(owner: Any) -> None:
    switch(client_for(owner), "vi")
    assert Preference.objects.get(user=owner).language == "vi"
    # Another browser, whose Accept-Language says Thai: the account's choice wins from the first page on, and the
    # browser's cookie follows it (so the page stays in Vietnamese after logging out).
    browser = Client(headers={"accept-language": "th"})
    assert page_language(browser) == "th"
    browser.post(reverse("account_login"), {"login": owner.email, "password": "correct-horse-battery-9"})
    response = browser.get("/about/")
    assert '<html lang="vi"' in response.content.decode() and response.cookies[COOKIE].value == "vi"
    browser.post(reverse("account_logout"))
    assert page_language(browser) == "vi"


def test_a_choice_made_before_logging_in_becomes_the_accounts(owner: Any) -> None:
    Preference.objects.create(user=owner, language="id")
    browser = Client()
    switch(browser, "ms")  # on the log-in page, before logging in
    assert browser.session[SESSION_KEY] == {"user": None, "code": "ms"}
    browser.force_login(owner)
    assert page_language(browser) == "ms"
    assert Preference.objects.get(user=owner).language == "ms"


def test_without_a_choice_the_browser_decides_and_pages_read_no_preference(owner: Any) -> None:
    client = client_for(owner)
    client.cookies[COOKIE] = "th"
    assert page_language(client) == "th"
    assert not Preference.objects.filter(user=owner).exists()
    assert client.session[SESSION_KEY] == {"user": owner.pk, "code": ""}


def test_someone_else_logging_in_on_the_same_browser_gets_their_own_language(owner: Any, outsider: Any) -> None:
    Preference.objects.create(user=outsider, language="th")
    browser = client_for(owner)
    switch(browser, "vi")
    browser.post(reverse("account_logout"))
    browser.force_login(outsider)
    assert page_language(browser) == "th"
    assert Preference.objects.get(user=owner).language == "vi"


def test_signing_up_keeps_the_language_signed_up_in(content: Any) -> None:
    client = Client()
    switch(client, "id")
    response = client.post(
        reverse("account_signup"),
        {
            "email": "baru@example.co.id",
            "password1": "kata-sandi-Panjang-42",
            "password2": "kata-sandi-Panjang-42",
            "organisation_name": "PT Data Nusantara",
            "kind": "organisation",
            "sector": "finance",
            "size": "small",
            "hq_country": "ID",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Preference.objects.get(user__email="baru@example.co.id").language == "id"
    assert mail.outbox[-1].to == ["baru@example.co.id"]


def test_supported_language_accepts_regional_variants_and_refuses_others() -> None:
    assert (
        supported_language("th-TH") == "th" and supported_language("VI") == "vi" and supported_language("ms_MY") == "ms"
    )
    assert supported_language("fr") is None and supported_language("") is None and supported_language(None) is None


# --- E-mails in the recipient's language ------------------------------------------------------------------------


@pytest.fixture
def sent_in(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The language active while each e-mail was rendered."""
    languages: list[str] = []
    original = DefaultAccountAdapter.render_mail

    def render_mail(self: Any, *args: Any, **kwargs: Any) -> Any:
        languages.append(translation.get_language())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DefaultAccountAdapter, "render_mail", render_mail)

    def send_mail(**kwargs: Any) -> int:
        languages.append(translation.get_language())
        mail.outbox.append(mail.EmailMessage(kwargs["subject"], kwargs["message"], to=kwargs["recipient_list"]))
        return 1

    monkeypatch.setattr("scorecard.services.organisations.send_mail", send_mail)
    return languages


def test_an_invitation_is_in_the_invitees_language_or_else_the_inviters(
    owner: Any, organisation: Organisation, sent_in: list[str]
) -> None:
    invitee = UserFactory(email="ana@example.org")
    Preference.objects.create(user=invitee, language="th")
    client = client_for(owner)
    client.cookies[COOKIE] = "vi"
    for email in ("ANA@example.org", "new.person@example.org"):
        response = client.post(reverse("invitation_create", args=[organisation.pk]), {"email": email, "role": "viewer"})
        assert response.status_code == 302
    assert sent_in == ["th", "vi"]
    # The page the inviter sees next is in their own language still.
    assert page_language(client) == "vi"


def test_account_e_mails_are_in_the_recipients_language(owner: Any, sent_in: list[str]) -> None:
    Preference.objects.create(user=owner, language="ms")
    stranger = Client(headers={"accept-language": "th"})
    stranger.post(reverse("account_reset_password"), {"email": owner.email})
    assert sent_in == ["ms"]
    assert mail.outbox[-1].subject.startswith("ASEAN AI Scorecard: ")  # in English: no .mo compiled here
    with translation.override("en"):
        assert email_language("nobody@example.org") == "en"
    with translation.override("id"):
        assert email_language("nobody@example.org") == "id" and email_language(owner.email.upper()) == "ms"


# --- The PDF in any of the five ---------------------------------------------------------------------------------


def test_the_organisation_edit_form_sets_the_default_report_language(
    owner: Any, organisation: Organisation, assessment: Any
) -> None:
    client = client_for(owner)
    url = reverse("organisation_edit", args=[organisation.pk])
    assert 'name="language"' in client.get(url).content.decode()
    data = {"name": organisation.name, "sector": "finance", "size": "large", "hq_country": "TH", "language": "th"}
    assert client.post(url, data).status_code == 302
    organisation.refresh_from_db()
    assert organisation.language == "th"
    assert client.post(url, {**data, "language": "xx"}).status_code == 200  # refused in the form
    organisation.refresh_from_db()
    assert organisation.language == "th"
    assert "ไทย" in client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    results = client.get(reverse("assessment_results", args=[assessment.pk])).content.decode()
    assert '<option value="th" lang="th" selected>' in results and 'name="lang"' in results


def test_the_report_is_in_the_language_asked_for_else_the_organisations_else_the_readers(
    owner: Any, organisation: Organisation, assessment: Any, pdf_languages: list[str]
) -> None:
    client = client_for(owner)
    client.cookies[COOKIE] = "vi"
    url = reverse("report_pdf", args=[assessment.pk])
    assert client.get(url).content == b"%PDF-1.7 vi"  # the reader's language
    organisation.language = "ms"
    organisation.save()
    assert client.get(url).content == b"%PDF-1.7 ms"  # the organisation's
    assert client.get(url, {"lang": "th"}).content == b"%PDF-1.7 th"  # the one asked for
    assert client.get(url, {"lang": "klingon"}).content == b"%PDF-1.7 ms"
    assert client.get(url, {"lang": "th"}).content == b"%PDF-1.7 th"  # from the cache, kept per language
    assert pdf_languages == ["vi", "ms", "th"]
    assert RenderedReport.objects.filter(assessment=assessment).count() == 3
    assert page_language(client) == "vi"  # the pages stay in the reader's language


def test_a_queued_report_keeps_its_language_through_the_preparing_page(
    owner: Any, assessment: Any, settings: Any, pdf_languages: list[str]
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.REPORT_RENDER_IN_REQUEST = False
    client = client_for(owner)
    response = client.get(reverse("report_pdf", args=[assessment.pk]), {"lang": "th"})
    assert response.status_code == 202
    page = response.content.decode()
    assert f"/assessments/{assessment.pk}/report-status/?lang=th" in page and '<html lang="en"' in page
    queued = [r for r in default_task_backend.results if r.task.func == render_report.func]
    assert len(queued) == 1 and queued[0].args[2] == "th"
    render_report.call(*queued[0].args)  # what the worker does
    state = client.get(reverse("report_pdf_status", args=[assessment.pk]), {"lang": "th"}, HTTP_HX_REQUEST="true")
    assert state["HX-Redirect"] == reverse("report_pdf", args=[assessment.pk]) + "?lang=th"
    assert client.get(state["HX-Redirect"]).content == b"%PDF-1.7 th"
    assert pdf_languages == ["th"]


def test_the_submitted_report_is_prepared_in_the_language_it_will_be_downloaded_in(
    owner: Any, organisation: Organisation, assessment: Any, pdf_languages: list[str]
) -> None:
    organisation.language = "id"
    organisation.save()
    prerender_report.call(str(assessment.pk), owner.pk)
    with translation.override("id"):
        assert cached_report_for(owner, assessment) is not None
    Preference.objects.create(user=owner, language="vi")
    organisation.language = ""
    organisation.save()
    prerender_report.call(str(assessment.pk), owner.pk)
    assert pdf_languages == ["id", "vi"]


def test_a_bulk_export_renders_every_report_in_the_language_chosen(content: Any, pdf_languages: list[str]) -> None:
    grant = GrantFactory(consultancy=ConsultancyFactory())
    consultant = MembershipFactory(organisation=grant.consultancy, role=Role.OWNER).user
    reports = [AssessmentFactory(organisation=grant.client, target_markets=[]) for _ in range(2)]
    client = client_for(consultant)
    page = client.get(reverse("bulk_export")).content.decode()
    assert 'name="language"' in page and 'name="scope" value="matching"' in page
    client.post(reverse("bulk_export"), {"assessments": [a.pk for a in reports], "language": "vi"})
    export = BulkExport.objects.get()
    assert export.language == "vi" and export.status == BulkExport.Status.DONE
    assert pdf_languages == ["vi", "vi"]


def test_numbers_follow_the_language() -> None:
    template = Template("{% load scorecard_tags %}{{ x|num }} {{ y|signed_change }} {{ z|floatformat:1 }}")
    context = Context({"x": 4.5, "y": 2.5, "z": 71.25})
    assert template.render(context).startswith("4.5 ") and "+2.5" in template.render(context)
    with translation.override("id"):
        rendered = template.render(context)
    assert rendered.startswith("4,5 ") and "+2,5" in rendered and rendered.endswith("71,3")


def test_report_language_prefers_the_request_then_the_organisation_then_the_reader() -> None:
    organisation = Organisation(language="")
    with translation.override("th"):
        assert report_language(None, organisation) == "th"
        organisation.language = "ms"
        assert report_language(None, organisation) == "ms"
        assert report_language("vi-VN", organisation) == "vi"
        assert report_language("de", organisation) == "ms"
