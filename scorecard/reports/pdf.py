"""HTML → PDF with WeasyPrint: one renderer returning bytes, fetching nothing but our own static files.

* The URL fetcher allows `data:` URIs and files inside our static folders only: no network, no other files.
* The font configuration is created once and reused: building it is the slowest part of a cold render.
* PDFs are tagged (structure tree, language, title, author); REPORT_PDF_UA adds the PDF/UA-1 declaration.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pydyf
import weasyprint.draw
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from frameworks.freshness import stale_before
from frameworks.models import CountryFact, FrameworkVersion, Question, RegionalInstrument

from ..models import Assessment, RenderedReport
from .branding import prepared_by
from .context import report_context
from .scripts import NO_SPACE_RUN, ZWSP
from .workspace import workspace_fingerprint

logger = logging.getLogger(__name__)


def _template_revision() -> str:
    """A digest of the report templates and stylesheet: editing them refreshes every cached PDF."""
    root = Path(settings.BASE_DIR)
    files = (
        sorted((root / "templates" / "reports").glob("*.html"))
        + sorted((root / "templates" / "includes").glob("*.html"))
        + [root / "static" / "css" / "report.css"]
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


TEMPLATE_REVISION = _template_revision()
CACHED_PER_ASSESSMENT = 5
_font_config: FontConfiguration | None = None
_stylesheet: CSS | None = None


def _draw_text_with_actual_text(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
    """Wrap Thai, Lao, Khmer and Myanmar text runs in a marked-content span carrying /ActualText.

    Why: a PDF maps each glyph to Unicode once per font, so text whose glyphs are reordered or combined
    (Khmer pre-base vowels, Myanmar medials, Thai SARA AM) is extracted, copied and read aloud wrongly.
    /ActualText gives screen readers, search and copy-paste the text as the person typed it.
    """
    text = getattr(textbox, "text", "")
    if not NO_SPACE_RUN.search(text):
        return _original_draw_text(stream, textbox, *args, **kwargs)
    stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(text.replace(ZWSP, ""))}))
    try:
        return _original_draw_text(stream, textbox, *args, **kwargs)
    finally:
        stream.end_marked_content()


# WeasyPrint is pinned (requirements.txt); tests/scorecard/test_reports.py reads the spans back.
_original_draw_text = weasyprint.draw.draw_text
weasyprint.draw.draw_text = _draw_text_with_actual_text


class ReportRenderError(Exception):
    """The PDF could not be rendered; the user gets a clear message and a retry, never a 500."""


def _static_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


class StaticOnlyFetcher(URLFetcher):
    """Serve `data:` URIs and files under our static folders; refuse everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=2)
        self._roots = _static_roots()

    def fetch(self, url: str, headers: Any = None) -> Any:
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if not any(path.is_relative_to(root) for root in self._roots):
                raise ValueError(f"refused to read a file outside the static folders: {url}")
        elif parsed.scheme != "data":
            raise ValueError(f"refused to fetch {parsed.scheme or 'relative'} URL: {url[:80]}")
        return super().fetch(url, headers)


def font_config() -> FontConfiguration:
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


def report_stylesheet() -> CSS:
    global _stylesheet
    if _stylesheet is None:
        path = finders.find("css/report.css")
        _stylesheet = CSS(filename=str(path), font_config=font_config(), url_fetcher=StaticOnlyFetcher())
    return _stylesheet


@contextmanager
def garbage_collector_paused() -> Iterator[None]:
    """Keep Python's cyclic garbage collector off while WeasyPrint renders a report.

    Why: a render builds a tree of some 110,000 objects (styles, boxes, elements) that stays alive until the
    PDF is written, and every automatic collection walks it again: with Python's default thresholds that
    was 10-15% of the render time, and still ~14% with a higher young-generation threshold
    (docs/performance.md). The tree is cyclic garbage once the render returns, so one collection after the
    render frees it, and memory peaks lower than with collections during the render. The collector comes
    back on even when the render fails; it is left off if something else had turned it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def html_to_pdf(html: str) -> bytes:
    base_url = (Path(settings.STATICFILES_DIRS[0]).resolve().as_uri()) + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=StaticOnlyFetcher())
    with garbage_collector_paused():
        pdf = document.write_pdf(
            stylesheets=[report_stylesheet()],
            font_config=font_config(),
            pdf_tags=True,
            pdf_variant="pdf/ua-1" if settings.REPORT_PDF_UA else None,
        )
    assert pdf is not None
    return pdf


def stale_count(version: FrameworkVersion) -> int:
    """How many of the version's checked statements are stale today (it only grows as time passes)."""
    before = stale_before()
    return (
        CountryFact.objects.filter(country__version=version, checked_on__lt=before).count()
        + Question.objects.filter(version=version, checked_on__lt=before).count()
        + RegionalInstrument.objects.filter(version=version, checked_on__lt=before).count()
    )


def cache_key(assessment: Assessment, branding_digest: str) -> str:
    """Everything that changes the PDF: the answers and profile, the framework version, branding, template and
    the language it is written in."""
    last_answer = assessment.answers.order_by("-updated_at").values_list("updated_at", flat=True).first()
    material = {
        "assessment": str(assessment.pk),
        "status": assessment.status,
        "updated": assessment.updated_at.isoformat(),
        "last_answer": last_answer.isoformat() if last_answer else "",
        "answers": assessment.answers.count(),
        "version": assessment.framework_version.code,
        # The cover names the edition that superseded an older one.
        "superseded_by": getattr(assessment.framework_version.superseded_by, "code", ""),
        # Facts turn stale with time alone; the report flags them, so their number is part of the key.
        "stale": stale_count(assessment.framework_version),
        "branding": branding_digest,
        "template": TEMPLATE_REVISION,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        # Actions, evidence, later assessments in the trend and the system's risk assessment change after submission.
        "workspace": workspace_fingerprint(assessment),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def reports_storage() -> Storage:
    """Cached PDFs and bulk-export zips: the file system by default, a bucket for several nodes (docs/deploy.md)."""
    return storages["reports"]


def cached_pdf(key: str) -> bytes | None:
    """The cached PDF for `key`, or None. A row whose file went missing (a wiped volume) counts as a miss."""
    name = RenderedReport.objects.filter(cache_key=key).values_list("file", flat=True).first()
    if name is None:
        return None
    try:
        with reports_storage().open(name, "rb") as stored:
            return bytes(stored.read())
    except OSError:  # FileNotFoundError on disk; the S3 backend raises it too
        logger.warning("Cached report %s is missing from storage; rendering again", name)
        RenderedReport.objects.filter(cache_key=key).delete()
        return None


def _store(assessment: Assessment, key: str, pdf: bytes) -> None:
    name = reports_storage().save(f"pdf/{assessment.pk}/{key}.pdf", ContentFile(pdf))
    _, created = RenderedReport.objects.get_or_create(cache_key=key, defaults={"assessment": assessment, "file": name})
    if not created:  # someone rendered the same report meanwhile: keep theirs
        reports_storage().delete(name)
    # Keep the few newest per assessment (one per person preparing it); older keys can never match again.
    stale = RenderedReport.objects.filter(assessment=assessment).order_by("-created_at").values_list("pk", flat=True)
    for report in RenderedReport.objects.filter(pk__in=list(stale[CACHED_PER_ASSESSMENT:])):
        report.delete()  # one by one: the post_delete signal removes each file


def render_report_pdf(
    assessment: Assessment, build_context: Callable[[], dict[str, Any]], branding_digest: str
) -> bytes:
    """The report as PDF bytes, from the cache when nothing that shapes it has changed.

    The context is built only on a cache miss: scoring the assessment would double a cached download's time.
    """
    key = cache_key(assessment, branding_digest)
    cached = cached_pdf(key)
    if cached is not None:
        return cached
    html = render_to_string("reports/report.html", {**build_context(), "for_pdf": True})
    try:
        pdf = html_to_pdf(html)
    except Exception as exc:  # WeasyPrint raises many kinds; the user needs one clear message
        logger.exception("PDF rendering failed for assessment %s", assessment.pk)
        raise ReportRenderError(str(exc)) from exc
    _store(assessment, key, pdf)
    return pdf


def report_pdf_for(user: User, assessment: Assessment) -> bytes:
    """The report as `user` downloads it: with their branding on the cover, cached per person."""
    branding = prepared_by(user, assessment)
    return render_report_pdf(
        assessment, lambda: {**report_context(assessment), **branding}, branding["branding_digest"]
    )


def cached_report_for(user: User, assessment: Assessment) -> bytes | None:
    """The report as `user` would download it, if it is in the cache; never renders (web workers call this)."""
    return cached_pdf(cache_key(assessment, prepared_by(user, assessment)["branding_digest"]))
