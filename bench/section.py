"""The questionnaire's section page (GET) and autosave (POST), in-process: median and p95 server time through
Django's test Client, database queries, response size.

The SQLite set-up of bench/_setup.py (one assessment, every question answered, GenAI on, all 11 markets, still a
draft), with production settings (DEBUG=0), logged in as its owner. bench/scale.py measures the same pages on
PostgreSQL beside hundreds of clients.

    .venv/bin/python bench/section.py [--runs 50]
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# Production settings, set before bench/_setup.py sets up Django (it defaults to DEBUG=1).
os.environ.update(
    {
        "SECRET_KEY": "bench-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
        "REPORT_PRERENDER": "0",
        "LOG_LEVEL": "WARNING",
    }
)
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # sets up Django on a throwaway SQLite database
import scale
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecard.questionnaire import sections_for
from scorecard.services import organisations as org_services
from scorecard.services.assessments import answer_revision


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    # bench/_setup.py creates its account with user_create(email=, password=); since accounts confirm their
    # e-mail, user_create also needs email_verified. Give it (a call that passes it wins over this default).
    org_services.user_create = functools.partial(org_services.user_create, email_verified=True)
    # No collectstatic here: plain static names, as the tests use (production serves hashed names).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tempfile.mkdtemp()
    assessment, user = _setup.full_assessment()
    client = Client()
    client.force_login(user)

    sections = sections_for(assessment)
    largest = max(sections, key=lambda s: len(s.items))
    first = sections[0]
    item = next(i for i in first.items if i.question.scale != "checklist")
    code = item.question.code
    options = [o.code for o in item.question.options.all()]
    flips = [0]

    def autosave() -> object:
        flips[0] += 1  # a different choice each time: every POST is a real save with its history row
        current = assessment.answers.filter(question=item.question).first()
        data = {
            f"{code}-choice": options[flips[0] % len(options)],
            f"{code}-evidence_note": "Policy document v3, owner: CRO",
            f"{code}-evidence_link": "",
            f"{code}-shown": answer_revision(current),
        }
        url = reverse("answer_autosave", args=[assessment.pk, first.key, code])
        return client.post(url, data, headers={"HX-Request": "true"})

    def _section_url(key: str) -> str:
        return reverse("assessment_section", args=[assessment.pk, key])

    cases = [
        (f"section page GET, {first.key} ({len(first.items)} questions)", lambda: client.get(_section_url(first.key))),
        (
            f"section page GET, {largest.key} ({len(largest.items)} questions)",
            lambda: client.get(_section_url(largest.key)),
        ),
        (f"autosave POST, {code}", autosave),
    ]

    for line in scale.machine_lines():
        print(line)
    answers = assessment.answers.count()
    markets = len(assessment.target_markets)
    print(f"assessment: {answers} answers, {len(sections)} sections, {markets} markets, GenAI on")
    print(f"SQLite, DEBUG=0, test Client, median of {args.runs} runs after one warm-up\n")
    print(f"{'request':<48}  status  median ms  p95 ms  queries    KiB")
    for label, request in cases:
        response = request()  # warm-up
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = request()
            timings.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as captured:
            response = request()
        print(
            f"{label:<48}  {response.status_code:>6}  {statistics.median(timings) * 1000:9.1f}"
            f"  {percentile(timings, 0.95) * 1000:6.1f}  {len(captured.captured_queries):7d}"
            f"  {len(response.content) / 1024:5.1f}"
        )


if __name__ == "__main__":
    main()
