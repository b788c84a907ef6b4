"""PDF report figures: median render time, peak memory, our overhead over bare WeasyPrint, cache hits.

Targets: a full assessment with 11 markets renders in under 1.5 s median on 2 cores, peak memory under
300 MiB, and our pipeline adds at most 20% over WeasyPrint rendering the same HTML.

    DEBUG=1 .venv/bin/python bench/report.py
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import resource
import statistics
import time

from _setup import full_assessment
from django.template.loader import render_to_string
from pypdf import PdfReader
from weasyprint import HTML

from scorecard.models import RenderedReport
from scorecard.reports import pdf
from scorecard.reports.context import report_context

RUNS = 11
assessment, user = full_assessment()
branding = {"prepared_by": "Bench Advisory", "prepared_by_person": user.email, "logo": None, "branding_digest": ""}


def ours() -> bytes:
    RenderedReport.objects.all().delete()  # measure a real render, not the cache
    return pdf.render_report_pdf(assessment, lambda: {**report_context(assessment), **branding}, "")


def bare(html: str) -> bytes:
    # WeasyPrint alone on the same HTML, stylesheet and PDF options, as it runs by default (a fresh font
    # configuration, the default URL fetcher, no cache).
    result = HTML(string=html, base_url=str(pdf.settings.STATICFILES_DIRS[0])).write_pdf(
        stylesheets=[str(pdf.finders.find("css/report.css"))],
        pdf_tags=True,
        pdf_variant="pdf/ua-1" if pdf.settings.REPORT_PDF_UA else None,
    )
    assert result is not None
    return result


ours()  # warm-up: font configuration, template compilation, framework cache
html = render_to_string("reports/report.html", {**report_context(assessment), **branding, "for_pdf": True})
bare(html)

ours_times, bare_times = [], []
for _ in range(RUNS):
    start = time.perf_counter()
    data = ours()
    ours_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    bare(html)
    bare_times.append(time.perf_counter() - start)

start = time.perf_counter()
pdf.render_report_pdf(assessment, lambda: {**report_context(assessment), **branding}, "")
cached = time.perf_counter() - start

# Two figures that do not depend on how busy the host is: Python function calls in one render (the work
# WeasyPrint does for this report) and garbage collections for it, including the one that frees the
# render's objects once the collector is back on. Wall times on shared virtual machines vary by a factor of
# two for identical work; these do not.
gc_runs, gc_seconds, gc_started = [0], [0.0], [0.0]


def count_collection(phase: str, info: dict) -> None:
    if phase == "start":
        gc_runs[0] += 1
        gc_started[0] = time.perf_counter()
    else:
        gc_seconds[0] += time.perf_counter() - gc_started[0]


gc.collect()
gc.callbacks.append(count_collection)
pdf.html_to_pdf(html)
_ = [[n] for n in range(1_000)]  # the next allocations after a render trigger the collection that frees it
gc.callbacks.remove(count_collection)
profiler = cProfile.Profile()
profiler.enable()
pdf.html_to_pdf(html)
profiler.disable()
calls = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
loop_times = []
for _ in range(5):
    start = time.perf_counter()
    sum(i * i for i in range(3_000_000))
    loop_times.append(time.perf_counter() - start)
reference = statistics.median(loop_times)

peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
ours_median, bare_median = statistics.median(ours_times), statistics.median(bare_times)
pages = len(PdfReader(io.BytesIO(data)).pages)
print(
    f"report: {len(data) / 1024:.0f} KiB, {pages} pages, {len(assessment.target_markets)} markets, "
    f"{assessment.answers.count()} answers"
)
print(
    f"our pipeline (context + template + render + cache write), median of {RUNS}: {ours_median:.3f} s  target < 1.5 s"
    f"  (fastest {min(ours_times):.3f} s, slowest {max(ours_times):.3f} s)"
)
print(f"bare WeasyPrint on the same HTML, median of {RUNS}:                    {bare_median:.3f} s")
print(f"overhead: {100 * (ours_median / bare_median - 1):+.1f}%  target <= +20%")
print(f"cached download: {cached * 1000:.1f} ms")
print(
    f"work per render: {calls:,} Python function calls, {gc_runs[0]} garbage collections"
    f" ({gc_seconds[0] * 1000:.0f} ms)"
)
print(f"machine speed reference (a fixed pure-Python loop): {reference * 1000:.0f} ms")
print(f"peak memory (max RSS of this process): {peak_mib:.0f} MiB  target < 300 MiB")
