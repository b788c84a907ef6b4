"""CI catches a missing translation (issue 19).

* Each catalogue (locale/<lang>/LC_MESSAGES/django.po) is complete: no fuzzy and no untranslated entry (msgfmt
  --check --statistics), a header that is not fuzzy, and every translation keeps its msgid's placeholders.
* Every page kind, in each language, shows no English sentence of the catalogue where the catalogue has a
  translation (a string built outside the translation machinery, or translated too early, shows up here).
* A Thai and a Vietnamese PDF, read back with pdftotext, carry their translated headings.

The catalogues are compiled into a temporary folder for these tests, so they test the .po files as they are now.
"""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from scorecard.catalogues import Entry, read_po
from scorecard.models import Assessment, Role
from scorecard.services.assessments import assessment_submit
from tests.factories import AssessmentFactory
from tests.scorecard.test_questionnaire import answer_everything
from tests.scorecard.test_reports import pdf_text
from tests.scorecard.test_roles import build_world, matrix_rows, project_patterns, url_kwargs

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


# --- The catalogues ---------------------------------------------------------------------------------------------


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def translated_entries(language: str) -> list[Entry]:
    path = catalogue(language)
    return [e for e in read_po(path) if not e.is_header and e.translated] if path.exists() else []


# --- Placeholders ----------------------------------------------------------------------------------------------

PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<type>[diouxXeEfFgGcrsa%])")
BRACE = re.compile(r"(?<!\{)\{(?P<name>[A-Za-z_][A-Za-z0-9_]*|\d*)(?:![rsa])?(?::[^{}]*)?\}(?!\})")


def placeholders(text: str, flags: set[str]) -> Counter[str]:
    """The placeholders in `text`: `%(name)s` and `%s` in python-format strings, `{name}` in any."""
    found: Counter[str] = Counter()
    if "python-format" in flags:
        for match in PERCENT.finditer(text):
            if match.group("type") != "%":
                name = match.group("name")
                found[f"%({name}){match.group('type')}" if name else "%s (positional)"] += 1
    if "no-python-brace-format" not in flags:
        for match in BRACE.finditer(text):
            found["{" + match.group("name") + "}"] += 1
    return found


def placeholder_problems(entry: Entry) -> list[str]:
    problems = []
    if entry.msgid_plural is None:
        expected = placeholders(entry.msgid, entry.flags)
        got = placeholders(entry.msgstr.get(0, ""), entry.flags)
        if got != expected:
            problems.append(f"{entry.msgid!r}: {dict(expected)} in the English, {dict(got)} in the translation")
        return problems
    allowed = placeholders(entry.msgid, entry.flags) | placeholders(entry.msgid_plural, entry.flags)
    general = set(placeholders(entry.msgid_plural, entry.flags))
    last = max(entry.msgstr)
    for index, text in sorted(entry.msgstr.items()):
        got = placeholders(text, entry.flags)
        unknown = set(got) - set(allowed)
        # The last plural form covers the general case (the only form where nplurals=1): it keeps them all.
        missing = general - set(got) if index == last else set()
        if unknown or missing:
            problems.append(
                f"{entry.msgid_plural!r} msgstr[{index}]: unknown {unknown or '-'}, missing {missing or '-'}"
            )
    return problems


# --- (a) Complete catalogues that keep their placeholders ------------------------------------------------------


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_catalogue_is_complete(language: str) -> None:
    path = catalogue(language)
    assert path.exists(), f"no catalogue for {language}: {path.relative_to(ROOT)}"
    checked = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    statistics = checked.stderr.strip().splitlines()[-1]
    entries = read_po(path)
    header = next((e for e in entries if e.is_header), None)
    assert header is not None and "fuzzy" not in header.flags, (
        f"{language}: the header is missing or marked fuzzy (msgfmt then ignores it, plural forms included)"
    )
    messages = [e for e in entries if not e.is_header]
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in messages if not any(e.msgstr.values())]
    partly = [e.msgid for e in messages if any(e.msgstr.values()) and not all(e.msgstr.values())]
    assert "fuzzy" not in statistics and "untranslated" not in statistics and not (fuzzy or untranslated or partly), (
        f"{language}: {statistics}\n"
        f"fuzzy ({len(fuzzy)}): {fuzzy[:10]}\nuntranslated ({len(untranslated)}): {untranslated[:10]}\n"
        f"plural forms missing ({len(partly)}): {partly[:10]}"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_their_placeholders(language: str) -> None:
    problems = [f"line {e.line}: {p}" for e in translated_entries(language) for p in placeholder_problems(e)]
    assert not problems, f"{language}:\n" + "\n".join(problems[:40])


def test_the_placeholder_check_catches_a_lost_or_renamed_placeholder() -> None:
    ok = Entry(msgid="%(org)s has %(n)s", msgstr={0: "%(n)s di %(org)s"}, flags={"python-format"})
    renamed = Entry(msgid="%(org)s has %(n)s", msgstr={0: "%(organisasi)s %(n)s"}, flags={"python-format"})
    brace = Entry(msgid="Hello {name}", msgstr={0: "Xin chào"})
    percent_literal = Entry(msgid="100% sure", msgstr={0: "100% yakin"})  # not python-format: no placeholders
    plural = Entry(
        msgid="%(n)s report", msgid_plural="%(n)s reports", msgstr={0: "%(n)s laporan"}, flags={"python-format"}
    )
    plural_lost = Entry(
        msgid="one report", msgid_plural="%(n)s reports", msgstr={0: "laporan"}, flags={"python-format"}
    )
    assert not placeholder_problems(ok) and not placeholder_problems(percent_literal)
    assert not placeholder_problems(plural)
    assert placeholder_problems(renamed) and placeholder_problems(brace) and placeholder_problems(plural_lost)


def test_the_reader_reads_plurals_contexts_flags_and_continued_lines(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "%(n)s item"\nmsgid_plural "%(n)s items"\nmsgstr[0] "%(n)s mục"\n\n'
        'msgctxt "verb"\nmsgid "Save"\nmsgstr "Lưu"\n\n'
        '#, fuzzy\nmsgid ""\n"A long "\n"line \\"quoted\\""\nmsgstr "x"\n\n'
        '#~ msgid "Old"\n#~ msgstr "Cũ"\n',
        encoding="utf-8",
    )
    header, plural, context, fuzzy = read_po(po)
    assert header.is_header and header.msgstr[0].startswith("Content-Type") and plural.references == ["a.py:1"]
    assert (
        plural.msgid_plural == "%(n)s items" and plural.msgstr == {0: "%(n)s mục"} and "python-format" in plural.flags
    )
    assert context.msgctxt == "verb" and context.msgstr == {0: "Lưu"}
    assert fuzzy.msgid == 'A long line "quoted"' and not fuzzy.translated


# --- Compiled catalogues for the pages and PDFs -----------------------------------------------------------------


@pytest.fixture(autouse=True)
def _back_to_english() -> Iterator[None]:
    """A test client's request leaves its language active in the thread: later tests expect the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def compiled_catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The .po files as they are now, compiled into a folder of this test run's own (fuzzy entries left out)."""
    folder = tmp_path_factory.mktemp("locale")
    for language in TRANSLATED:
        if catalogue(language).exists():
            target = folder / language / "LC_MESSAGES"
            target.mkdir(parents=True)
            subprocess.run(["msgfmt", "-o", str(target / "django.mo"), str(catalogue(language))], check=True)
    return folder


@pytest.fixture
def current_catalogues(settings: Any, compiled_catalogues: Path) -> Iterator[Path]:
    # Changing LOCALE_PATHS makes Django forget the translations it loaded (its setting_changed receiver).
    settings.LOCALE_PATHS = [compiled_catalogues]
    yield compiled_catalogues


# --- (b) No English on a page where the catalogue has a translation ------------------------------------------------
#
# A page is read as segments: each piece of text between two tags, each attribute people read or hear, split at
# the " · " that separates short statements. A segment that *is* an English msgid (or a 3+-word part of one,
# between its placeholders and tags) where the catalogue has a translation is a leak: the string was built outside
# the translation machinery, translated too early (at import), or cached in another language. English inside a
# longer text (a source's original title, content not translated yet) is not flagged.

# Visible text and the attributes people read or hear.
READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "aria-description", "aria-roledescription"}
SKIPPED = {"script", "style", "template"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
EDGES = " \t\n·:;,.!?()[]{}“”‘’\"'–—-…/|"


class VisibleText(HTMLParser):
    """The text segments a person reads on a page in `language`, leaving out scripts and styles and any element
    marked as being in another language (`lang="en"` on content shown in English until it is translated, the
    language switcher's names)."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.segments: list[str] = []
        self.skipping: list[tuple[str, int]] = []  # (tag, nesting) of the element being left out

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            skipped_tag, depth = self.skipping[-1]
            if tag == skipped_tag and tag not in VOID:
                self.skipping[-1] = (skipped_tag, depth + 1)
            return
        values = dict(attrs)
        lang = (values.get("lang") or "").split("-")[0].lower()
        if tag in SKIPPED or (lang and lang != self.language and tag != "html"):
            if tag not in VOID:
                self.skipping.append((tag, 1))
            return
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or name.startswith("data-msg-")):
                self.segments.append(value)
        if tag == "input" and values.get("type") in {"submit", "button", "reset"} and values.get("value"):
            self.segments.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            skipped_tag, depth = self.skipping[-1]
            if tag == skipped_tag:
                self.skipping[-1] = (skipped_tag, depth - 1)
                if depth == 1:
                    self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.segments.append(data)


def segments(texts: list[str]) -> set[str]:
    found = set()
    for text in texts:
        for part in " ".join(text.split()).split(" · "):
            part = part.strip(EDGES)
            if part:
                found.add(part)
    return found


def page_segments(html: str, language: str) -> set[str]:
    parser = VisibleText(language)
    parser.feed(html)
    return segments(parser.segments)


def csv_segments(data: str) -> set[str]:
    return segments([cell for row in csv.reader(io.StringIO(data)) for cell in row])


def _plain(text: str) -> str:
    """Text as a page shows it: entities decoded, spaces collapsed."""
    return " ".join(html_lib.unescape(text).split())


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z]{2,}", text))


@dataclass(frozen=True)
class English:
    """How an English msgid shows on a page: the whole of it (placeholders match anything), and its parts of three
    words or more between placeholders and tags."""

    msgid: str
    whole: re.Pattern[str]
    parts: frozenset[str]

    def found_in(self, page: set[str]) -> bool:
        return bool(self.parts & page) or any(self.whole.fullmatch(segment) for segment in page)


def english_string(msgid: str, *, python_format: bool) -> English | None:
    """How `msgid` shows on a page, or None when it has fewer than three words."""
    gaps = PERCENT.sub("\0", _plain(msgid)) if python_format else _plain(msgid)
    gaps = re.sub(r"<[^>]+>", "\0", gaps)
    pieces = [piece.strip(EDGES) for piece in gaps.split("\0")]
    if _words(" ".join(pieces)) < 3:
        return None
    parts = frozenset(piece for piece in pieces if _words(piece) >= 3 and " · " not in piece)
    whole = r".{1,200}?".join(re.escape(piece) for piece in gaps.strip(EDGES).split("\0"))
    return English(msgid=msgid, whole=re.compile(whole), parts=parts)


def english_strings(language: str) -> list[English]:
    """The catalogue's English msgids (and plurals) of three words or more that have a translation of their own."""
    strings = []
    for entry in translated_entries(language):
        for english, local in ((entry.msgid, entry.msgstr.get(0, "")), (entry.msgid_plural, None)):
            if not english or (local is not None and _plain(local) == _plain(english)):
                continue  # none, or the same in both languages (a name, an abbreviation)
            shown = english_string(english, python_format="python-format" in entry.flags)
            if shown is not None:
                strings.append(shown)
    return strings


def every_page_kind(content: Any) -> list[tuple[str, Client]]:
    """The role matrix's world (tests/scorecard/test_roles.py): every page URL of scorecard/urls.py its owner opens
    with GET, plus results and readiness of a submitted assessment, each kind of questionnaire section, the account
    pages (allauth's included) and the error page."""
    world = build_world(content)
    owner_client, anonymous = world.clients["owner"], Client()
    # Files, not pages. The XLSX exports hold the same headings and values as their CSV twins, which are checked.
    downloads = {
        "report_pdf",
        "bulk_export_download",
        "assessment_export_json",
        "favicon.ico",
        "healthz",
        "system_export_xlsx",
        "action_export_xlsx",
        "evidence_download",
    }
    signed_out = {"account_signup", "invitation_accept"}  # the sign-up forms, as a newcomer sees them
    urls: list[tuple[str, Client]] = []
    for row in matrix_rows():
        if row.expected["owner", "GET"] != "ok" or row.name in downloads or row.name == "action_create":
            continue  # action_create needs a gap of a submitted assessment: added below
        pattern = project_patterns()[row.name]
        url = reverse(row.name, kwargs=url_kwargs(pattern, world))
        urls.append((url, anonymous if row.name in signed_out else owner_client))
    owner = world.organisation.memberships.filter(role=Role.OWNER).get().user
    submitted = AssessmentFactory(organisation=world.organisation, created_by=owner, target_markets=["SG", "VN", "TH"])
    answer_everything(submitted, owner)
    assessment_submit(assessment=submitted, by=owner)
    for name in ("assessment_detail", "assessment_results", "assessment_readiness", "report_print"):
        urls.append((reverse(name, args=[submitted.pk]), owner_client))
    submitted.refresh_from_db()
    gap = submitted.results["actions"][0]["code"]
    urls.append((f"{reverse('action_create', args=[submitted.pk])}?question={gap}", owner_client))
    for section in ("genai", "market-SG"):
        urls.append((reverse("assessment_section", args=[world.assessment.pk, section]), owner_client))
    for name in ("account_email", "account_change_password", "mfa_index"):
        urls.append((reverse(name), owner_client))
    for name in ("account_login", "account_reset_password", "account_reset_password_done"):
        urls.append((reverse(name), anonymous))
    urls += [("/", anonymous), ("/about/", anonymous), ("/no-such-page/", anonymous)]
    return urls


def test_every_page_kind_shows_no_english_where_a_translation_exists(content: Any, current_catalogues: Path) -> None:
    pages = every_page_kind(content)
    leaks: list[str] = []
    for language in TRANSLATED:
        strings = english_strings(language)
        # The compiled catalogue is the one in use (else this test would pass for nothing).
        skip_link = next((e.msgstr[0] for e in translated_entries(language) if e.msgid == "Skip to main content"), None)
        if skip_link:
            home = Client(headers={"accept-language": language}).get("/").content.decode()
            assert html_lib.escape(skip_link, quote=False) in home, (language, skip_link)
        for url, client in pages:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            response = client.get(url)
            assert response.status_code in (200, 404), (language, url, response.status_code)
            if response["Content-Type"].startswith("text/html"):
                html = response.content.decode()
                assert "<html" not in html or f'<html lang="{language}"' in html, (language, url)  # or a fragment
                page = page_segments(html, language)
            else:  # the action plan's CSV
                page = csv_segments(response.content.decode("utf-8-sig"))
            leaks += [f"{language} {url}: {english.msgid!r}" for english in strings if english.found_in(page)]
    assert not leaks, "English shown where the catalogue has a translation:\n" + "\n".join(leaks[:60])


def test_the_page_check_finds_english_segments_and_leaves_text_marked_english_or_longer_text() -> None:
    html = (
        '<html lang="th"><head><title>หน้า</title><style>p{}</style></head><body>'
        "<p>Level <strong>3</strong>: Defined · Details were saved.</p>"
        '<button aria-label="Close the panel">x</button>'
        '<div lang="en"><p>Content not translated yet</p><br><div>nested</div></div>'
        "<p>Cites the Government AI Readiness Index 2024 of Oxford Insights</p>"
        '<select><option lang="en">English</option><option lang="th">ไทย</option></select></body></html>'
    )
    page = page_segments(html, "th")
    assert {"Level", "3", "Defined", "Details were saved", "Close the panel", "หน้า", "ไทย"} <= page
    assert not {segment for segment in page if "nested" in segment or "translated" in segment or segment == "English"}

    def english(msgid: str) -> English:
        shown = english_string(msgid, python_format=True)
        assert shown is not None
        return shown

    assert english("Details were saved.").found_in(page) and english("Close the panel").found_in(page)
    assert not english("Government AI Readiness Index 2024").found_in(page)  # inside a longer English text
    assert english("%(n)s of %(t)s questions answered").found_in({"4 of 12 questions answered"})
    assert english("Change since the previous assessment: %(change)s points").found_in(
        {"Change since the previous assessment"}
    )


# --- (c) Thai and Vietnamese PDFs carry their translated headings ------------------------------------------------


def report_headings() -> list[str]:
    """The report's chapter headings, as written in templates/reports/_body.html."""
    body = (ROOT / "templates" / "reports" / "_body.html").read_text(encoding="utf-8")
    return re.findall(r"<h2[^>]*>\{% translate \"([^\"]+)\" %\}", body)


@pytest.mark.parametrize("language", ["th", "vi"])
def test_a_pdf_in_thai_or_vietnamese_carries_its_translated_headings(
    language: str, current_catalogues: Path, settings: Any, assessment: Assessment, owner: Any
) -> None:
    headings = report_headings()
    assert len(headings) >= 5, headings
    translations = {e.msgid: e.msgstr[0] for e in translated_entries(language) if e.msgctxt is None}
    expected = {heading: translations[heading] for heading in headings if heading in translations}
    if not expected:
        pytest.skip(f"locale/{language}: none of the report headings {headings} is translated yet")
    settings.REPORT_RENDER_IN_REQUEST = True
    client = Client()
    client.force_login(owner)
    response = client.get(reverse("report_pdf", args=[assessment.pk]), {"lang": language})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # Thai has no spaces between words, and pdftotext may break a heading across lines: compare without spaces.
    text = "".join(pdf_text(response.content).split())
    missing = {english: local for english, local in expected.items() if "".join(local.split()) not in text}
    assert not missing, f"{language}: headings missing from the PDF: {missing}"
    assert PdfReader(io.BytesIO(response.content)).trailer["/Root"]["/Lang"] == language
