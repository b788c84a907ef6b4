"""Consultancies at scale (issue 17): what a consultant with hundreds of clients waits for, on PostgreSQL.

Builds a big consultancy's data set once and keeps it: one consultancy with one consultant, N client
organisations (four in five created by the consultancy with its own service, one in five signed up on its own
and granted the consultancy access), 10 assessments per client, about 60% of them submitted through the real
submit service (so their results snapshots are real), the others drafts answered 0-90%. Answers are
bulk-created for speed, each checked with the questionnaire's own validation, with their change history.

Then it measures, in-process with Django's test Client logged in as the consultant, production settings
(DEBUG=0): median and p95 server time over --runs requests, database queries (and their time), response size.
Pages that take ?page= are measured at ?page=2 too once they answer it with a different page.

    .venv/bin/python bench/scale.py --build                  # (re)build the 500-client set (minutes), measure
    .venv/bin/python bench/scale.py                          # measure; builds only when the set is missing
    .venv/bin/python bench/scale.py --clients 10,100,500     # one run per size, then a growth table
    .venv/bin/python bench/scale.py --url '/portfolio/?q=0042' --url '/portfolio/?status=draft'   # more URLs
    .venv/bin/python bench/scale.py --build-only --clients 500
    .venv/bin/python bench/scale.py --drop --clients 10,100,500

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/scorecard_bench) names the database of the 500-client
set; another size N uses the same name with _N appended (scorecard_bench_10, scorecard_bench_100). The script
creates and drops these databases itself. A finished build leaves a comment on its database (`\\l+` shows
it); a database without it is built again. Migrations added since the build are applied before measuring.
bench/load.py runs a load test against the same data set.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/scorecard_bench"
DEFAULT_CLIENTS = 500
ASSESSMENTS_PER_CLIENT = 10
CONSULTANT_EMAIL = "consultant@bench.example.org"
CONSULTANT_PASSWORD = "bench-consultant-2026"  # a throwaway account in a throwaway database
CONSULTANCY_NAME = "Bench Advisory"
MARKER = "scorecard bench: {clients} clients"

# Production settings, as pyproject.toml's pytest env sets them; no TLS in-process or on loopback. Submitting does
# not queue a background render here (REPORT_PRERENDER=0): a worker started on this database would otherwise
# render thousands of PDFs.
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "scorecard.settings",
    "SECRET_KEY": "bench-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_HSTS_SECONDS": "0",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "REPORT_PRERENDER": "0",
    "LOG_LEVEL": "WARNING",
}


# -- databases --------------------------------------------------------------------------------------------------


def database_url(clients: int) -> str:
    """The bench database of a data set of `clients` clients."""
    url = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    name = url.path.lstrip("/") or "scorecard_bench"
    if clients != DEFAULT_CLIENTS:
        name = f"{name}_{clients}"
    return urlunsplit(url._replace(path=f"/{name}"))


def _name_and_admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.path.lstrip("/"), urlunsplit(parts._replace(path="/postgres"))


def _admin(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run one statement on the server's `postgres` database (CREATE / DROP DATABASE need autocommit)."""
    import psycopg

    _, admin_url = _name_and_admin_url(url)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        cursor = conn.execute(sql, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def database_comment(url: str) -> str | None:
    """None when the database does not exist, else its comment ('' when it has none)."""
    name, _ = _name_and_admin_url(url)
    rows = _admin(
        url, "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname = %s", (name,)
    )
    return rows[0][0] if rows else None


def database_ready(url: str, clients: int) -> bool:
    comment = database_comment(url)
    return bool(comment) and comment.startswith(MARKER.format(clients=clients) + ",")  # type: ignore[union-attr]


def drop_database(url: str) -> None:
    name, _ = _name_and_admin_url(url)
    _admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(url: str) -> None:
    name, _ = _name_and_admin_url(url)
    _admin(url, f'CREATE DATABASE "{name}"')


def django_setup(url: str) -> None:
    os.environ.update(PRODUCTION_ENV)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()


STATIC_ROOT = Path(tempfile.gettempdir()) / "scorecard-bench-static"


def collect_static() -> None:
    """Serve static files as production does (collectstatic, hashed names) from a STATIC_ROOT of our own: pages
    crash without it when DEBUG=0. Collected again only when a static file changed (about 12 s)."""
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    settings.STATIC_ROOT = str(STATIC_ROOT)
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size};".encode())
    stamp = STATIC_ROOT / ".bench-sources"
    if stamp.exists() and stamp.read_text() == digest.hexdigest():
        return
    call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    stamp.write_text(digest.hexdigest())


# -- the machine ------------------------------------------------------------------------------------------------


def machine_lines() -> list[str]:
    cpu = "unknown CPU"
    memory = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        kib = int(
            next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
        )
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    loops = []
    for _ in range(5):
        start = time.perf_counter()
        sum(i * i for i in range(3_000_000))
        loops.append(time.perf_counter() - start)
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    lines = [
        f"machine: {cpu}, {os.cpu_count()} cores{memory}; Python {platform.python_version()}; load average {load}",
        f"machine speed reference (bench/report.py's pure-Python loop): {statistics.median(loops) * 1000:.0f} ms",
    ]
    try:
        import django
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                server = cursor.fetchone()[0]
                cursor.execute("SHOW shared_buffers")
                buffers = cursor.fetchone()[0]
            database = f"PostgreSQL {server} (shared_buffers {buffers}) on {connection.settings_dict['HOST']}"
        else:
            import sqlite3

            database = f"{connection.vendor} (SQLite {sqlite3.sqlite_version})"
        lines.append(f"Django {django.get_version()}, {database}")
    except Exception as exc:  # printed, never fatal: the machine lines come first
        lines.append(f"database version unknown: {exc!r}")
    return lines


# -- building the data set --------------------------------------------------------------------------------------

SECTORS = [
    "finance",
    "health",
    "public",
    "telecom",
    "retail",
    "manufacturing",
    "education",
    "energy",
    "media",
    "professional",
]
SIZES = ["micro", "small", "medium", "large", "enterprise"]
AI_ROLES = ["deployer", "developer", "both"]
WORDS = [
    "Lotus",
    "Mekong",
    "Garuda",
    "Merlion",
    "Angkor",
    "Naga",
    "Orchid",
    "Rattan",
    "Monsoon",
    "Borneo",
    "Sampaguita",
]
KINDS = ["Bank", "Hospital", "Telco", "Retail", "Logistics", "Insurance", "University", "Energy", "Media", "Agency"]
NAMES = [
    "Chatbot and demand forecasting",
    "Credit scoring model",
    "Fraud detection",
    "HR screening assistant",
    "Claims triage",
    "Customer analytics",
    "Document summarisation (GenAI)",
    "Recommendation engine",
    "Computer vision quality control",
    "Annual AI governance review",
]
NOTES = [
    "Policy document v3, owner: CRO; reviewed quarterly by the risk committee.",
    "Evidence kept in the GRC tool (control AI-07); last audit March 2026.",
    "Model cards for every production model, signed off by the model owner.",
    "Ghi chú tiếng Việt: quy trình đánh giá rủi ro đã được phê duyệt.",
    "",
    "",
]


def _answer_fields(question: Any, rng: random.Random) -> dict[str, Any]:
    """A valid stored answer to `question` (as scorecard.services.assessments._as_stored would keep it)."""
    options = [o.code for o in question.options.all()]
    note = rng.choice(NOTES)
    link = f"https://intranet.example.com/grc/{question.code.lower()}" if rng.random() < 0.1 else ""
    if question.scale == "checklist":
        checked = sorted(rng.sample(options, rng.randint(0, len(options))))
        return {
            "choice": "checklist",
            "checked": checked,
            "evidence_note": note,
            "evidence_link": link,
            "na_justification": "",
        }
    roll = rng.random()
    if question.allow_na and roll < 0.05:
        return {
            "choice": "na",
            "checked": [],
            "evidence_note": "",
            "evidence_link": "",
            "na_justification": "We do not build or operate systems of this kind.",
        }
    choice = "unknown" if roll < 0.10 else rng.choice(options)
    return {"choice": choice, "checked": [], "evidence_note": note, "evidence_link": link, "na_justification": ""}


class Builder:
    """Creates the data set through the project's services where they exist, bulk-creating answers."""

    def __init__(self, clients: int) -> None:
        self.clients = clients
        self.stages: dict[str, float] = {}
        self.answers: list[Any] = []
        self.changes: list[Any] = []

    def stage(self, name: str, started: float) -> None:
        self.stages[name] = time.perf_counter() - started
        print(f"  {name}: {self.stages[name]:.1f} s", flush=True)

    def flush(self, force: bool = False) -> None:
        from scorecard.models import Answer, AnswerChange

        if force or len(self.answers) >= 5000:
            Answer.objects.bulk_create(self.answers, batch_size=2000)
            AnswerChange.objects.bulk_create(self.changes, batch_size=2000)
            self.answers, self.changes = [], []

    def run(self) -> None:
        from django.core.management import call_command
        from django.db import connection, transaction

        from frameworks.models import Country, FrameworkVersion
        from scorecard.models import Answer, AnswerChange, Organisation, Role
        from scorecard.services import assessments as assessment_services
        from scorecard.services import organisations as org_services

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("load_content", verbosity=0)
        self.stage("migrate + load_content", started)

        started = time.perf_counter()
        consultant = org_services.user_create(email=CONSULTANT_EMAIL, password=CONSULTANT_PASSWORD, email_verified=True)
        consultancy = org_services.organisation_create(
            user=consultant,
            name=CONSULTANCY_NAME,
            kind=Organisation.Kind.CONSULTANCY,
            sector="professional",
            size="medium",
            hq_country="SG",
        )
        version = FrameworkVersion.objects.current()
        assert version is not None, "load_content published no edition"
        markets = sorted(Country.objects.filter(version=version).values_list("code", flat=True))
        to_submit = []
        for i in range(self.clients):
            rng = random.Random(i)
            sector, size = SECTORS[i % len(SECTORS)], SIZES[(i // 3) % len(SIZES)]
            hq = markets[i % len(markets)]
            name = f"{WORDS[i % len(WORDS)]} {KINDS[(i // len(WORDS)) % len(KINDS)]} {i + 1:04d}"
            with transaction.atomic():
                if i % 5 == 4:  # signed up on its own, then gave the consultancy access
                    # No usable password: these owners never log in here, and hashing one costs half a second.
                    owner = org_services.user_create(
                        email=f"owner{i + 1:04d}@client.bench.example.org",
                        password=None,
                        email_verified=True,  # type: ignore[arg-type]
                    )
                    client = org_services.organisation_create(
                        user=owner,
                        name=name,
                        kind=Organisation.Kind.ORGANISATION,
                        sector=sector,
                        size=size,
                        hq_country=hq,
                    )
                    org_services.grant_create(
                        client=client, consultant_email=CONSULTANT_EMAIL, role=Role.EDITOR, by=owner
                    )
                    people = [consultant, owner]
                else:
                    client = org_services.client_create(
                        consultancy=consultancy, by=consultant, name=name, sector=sector, size=size, hq_country=hq
                    )
                    people = [consultant]
                submitted_count = 4 + i % 5  # 4 to 8 of 10: 60% on average
                for j in range(ASSESSMENTS_PER_CLIENT):
                    k = i * ASSESSMENTS_PER_CLIENT + j
                    count = 1 + (k * 7) % len(markets)
                    start = k % len(markets)
                    chosen = (markets * 2)[start : start + count]
                    assessment = assessment_services.assessment_create(
                        organisation=client,
                        by=consultant,
                        role=Role.EDITOR,
                        name=f"{NAMES[j % len(NAMES)]}, {2020 + j // 2}",
                        sector=sector,
                        size=size,
                        ai_role=AI_ROLES[k % len(AI_ROLES)],
                        uses_genai=k % 3 != 2,
                        target_markets=chosen,
                    )
                    submit = j < submitted_count
                    questions = list(assessment_services.applicable_questions(assessment).values())
                    share = 1.0 if submit else (k % 10) / 10
                    for question in questions[: round(len(questions) * share)]:
                        self.add_answer(assessment, question, rng.choice(people), rng)
                    if submit:
                        to_submit.append(assessment)
                self.flush()
            if (i + 1) % 50 == 0 or i + 1 == self.clients:
                print(f"    {i + 1} clients, {(i + 1) * ASSESSMENTS_PER_CLIENT} assessments", flush=True)
        self.flush(force=True)
        self.stage("clients, grants, assessments, answers and their history", started)

        started = time.perf_counter()
        for n, assessment in enumerate(to_submit, start=1):
            assessment_services.assessment_submit(assessment=assessment, by=consultant, role=Role.EDITOR)
            if n % 500 == 0 or n == len(to_submit):
                print(f"    {n} submitted", flush=True)
        self.stage(f"submit {len(to_submit)} assessments (real results snapshots)", started)

        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.stage("VACUUM ANALYZE", started)
        print(f"  answers: {Answer.objects.count():,}, answer changes: {AnswerChange.objects.count():,}")

    def add_answer(self, assessment: Any, question: Any, by: Any, rng: random.Random) -> None:
        from scorecard.models import Answer, AnswerChange
        from scorecard.services.assessments import answer_problems

        fields = _answer_fields(question, rng)
        problems = answer_problems(
            question,
            choice=fields["choice"],
            checked=fields["checked"],
            na_justification=fields["na_justification"],
            evidence_link=fields["evidence_link"],
            evidence_note=fields["evidence_note"],
        )
        assert not problems, (question.code, fields, problems)
        self.answers.append(Answer(assessment=assessment, question=question, updated_by=by, **fields))
        if rng.random() < 0.2:  # changed once before: two history rows
            earlier = _answer_fields(question, rng)
            self.changes.append(
                AnswerChange(
                    assessment=assessment, question_code=question.code, changed_by=by, before=None, after=earlier
                )
            )
            self.changes.append(
                AnswerChange(
                    assessment=assessment, question_code=question.code, changed_by=by, before=earlier, after=fields
                )
            )
        else:
            self.changes.append(
                AnswerChange(
                    assessment=assessment, question_code=question.code, changed_by=by, before=None, after=fields
                )
            )


def build(url: str, clients: int) -> float:
    """Drop, create and fill the database; returns the seconds it took."""
    print(f"building {clients} clients into {_name_and_admin_url(url)[0]} ...", flush=True)
    started = time.perf_counter()
    drop_database(url)
    create_database(url)
    django_setup(url)
    Builder(clients).run()
    seconds = time.perf_counter() - started
    from django.db import connection

    comment = MARKER.format(clients=clients) + f", built {time.strftime('%Y-%m-%d %H:%M')} in {seconds:.0f} s"
    with connection.cursor() as cursor:
        cursor.execute(f'COMMENT ON DATABASE "{connection.settings_dict["NAME"]}" IS %s', [comment])
    print(f"built in {seconds:.0f} s ({seconds / 60:.1f} min)", flush=True)
    return seconds


# -- measuring --------------------------------------------------------------------------------------------------


@dataclass
class Target:
    """One request to measure. `data` builds a POST body afresh before each request."""

    label: str
    path: str
    method: str = "GET"
    data: Callable[[], dict[str, Any]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    paged: bool = False  # also measure ?page=2 once the page answers it with another page


@dataclass
class Figure:
    label: str
    path: str
    status: int | str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    sql_ms: float | None = None
    kib: float | None = None
    note: str = ""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _request(client: Any, target: Target) -> Any:
    if target.method == "POST":
        return client.post(target.path, target.data() if target.data else {}, headers=target.headers)
    return client.get(target.path, headers=target.headers)


def measure(client: Any, target: Target, runs: int) -> Figure:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    try:
        first = _request(client, target)  # warm-up (templates, framework cache) and the status
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = _request(client, target)
            timings.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as captured:
            response = _request(client, target)
        body = _body(response)
    except Exception as exc:  # a page that crashes is a finding: print it and go on with the others
        return Figure(target.label, target.path, "crash", note=crash_note(exc))
    note = ""
    if first.status_code in (301, 302, 303):
        note = f"redirects to {first.get('Location')}"
    elif target.method == "POST" and b"is-error" in body:  # an autosave refused, shown in place with status 200
        note = "not saved: " + re.sub(r"<[^>]+>", "", body.decode(errors="replace"))[:150]
    return Figure(
        target.label,
        target.path,
        response.status_code,
        median_ms=statistics.median(timings) * 1000,
        p95_ms=percentile(timings, 0.95) * 1000,
        queries=len(captured.captured_queries),
        sql_ms=sum(float(q.get("time") or 0) for q in captured.captured_queries) * 1000,
        kib=len(body) / 1024,
        note=note,
    )


def crash_note(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno} in {frame.name}" if frame else ""
    return f"{type(exc).__name__}: {str(exc)[:200]}{where}"


_TOKEN = re.compile(rb"[A-Za-z0-9]{64}")  # masked CSRF tokens differ on every response


def _same_page(a: bytes, b: bytes, query: str) -> bool:
    """Whether two pages are the same but for CSRF tokens and links back to the page itself (?page=2)."""
    b = re.sub(rb"(\?|&amp;|&)" + re.escape(query.encode()), b"", b)
    return _TOKEN.sub(b"", a) == _TOKEN.sub(b"", b)


def with_query(path: str, query: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{query}"


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


LABEL_WIDTH = 30


def print_header() -> None:
    print(f"{'page':<{LABEL_WIDTH}}  status  median ms  p95 ms  queries  SQL ms     KiB", flush=True)


def print_figure(f: Figure) -> None:
    print(
        f"{f.label:<{LABEL_WIDTH}}  {f.status!s:>6}  {_fmt(f.median_ms, '9.1f')}  {_fmt(f.p95_ms, '6.1f')}"
        f"  {_fmt(f.queries, '7d')}  {_fmt(f.sql_ms, '6.1f')}  {_fmt(f.kib, '6.1f')}"
        + (f"   {f.note}" if f.note else ""),
        flush=True,
    )


def targets(extra_urls: list[str]) -> tuple[list[Target], list[str]]:
    """The requests to measure, and notes on the objects chosen. Add a page to `pages` (or pass --url). A page
    whose object or URL cannot be found any more is skipped with a note, never a crash."""
    from django.contrib.auth.models import User
    from django.urls import reverse

    from scorecard.models import Assessment, Organisation

    consultant = User.objects.get(email=CONSULTANT_EMAIL)
    clients = Organisation.objects.filter(grants_given__consultancy__memberships__user=consultant)
    mine = Assessment.objects.filter(organisation__in=clients)
    notes: list[str] = []
    # The heaviest results page: a submitted GenAI assessment with the most target markets.
    submitted = mine.filter(status=Assessment.Status.SUBMITTED, uses_genai=True).only("pk", "target_markets")
    result = max(submitted, key=lambda a: (len(a.target_markets), str(a.pk)), default=None)
    if result is not None:
        notes.append(f"results/readiness: {result.pk} ({len(result.target_markets)} markets, GenAI)")
    client_org = clients.order_by("name").first()
    notes.append(f"client page: {client_org}")
    try:
        draft, section_key, code, autosave_data, description = _autosave_target(mine)
        notes.append(description)
    except Exception as exc:
        draft = None
        notes.append(f"no section page or autosave: {crash_note(exc)}")

    pages: list[tuple[str, Callable[[], str], dict[str, Any]]] = [
        ("/healthz (baseline)", lambda: reverse("healthz"), {}),
        ("dashboard", lambda: reverse("dashboard"), {}),
        ("portfolio", lambda: reverse("portfolio"), {"paged": True}),
        ("bulk export page", lambda: reverse("bulk_export"), {"paged": True}),
        ("client page", lambda: reverse("organisation_detail", args=[client_org.pk]), {}),  # type: ignore[union-attr]
        ("results (submitted)", lambda: reverse("assessment_results", args=[result.pk]), {}),  # type: ignore[union-attr]
        ("readiness (submitted)", lambda: reverse("assessment_readiness", args=[result.pk]), {}),  # type: ignore[union-attr]
        ("section page (draft)", lambda: reverse("assessment_section", args=[draft.pk, section_key]), {}),
        ("change history (draft)", lambda: reverse("assessment_history", args=[draft.pk]), {}),
        (
            "autosave POST",
            lambda: reverse("answer_autosave", args=[draft.pk, section_key, code]),
            {"method": "POST", "data": autosave_data, "headers": {"HX-Request": "true"}},
        ),
    ]
    found = []
    for label, path, options in pages:
        try:
            found.append(Target(label, path(), **options))
        except Exception as exc:  # a renamed URL, or no object for it
            print(f"(skipped {label}: {crash_note(exc)})")
    found += [Target(url, url) for url in extra_urls]
    return found, notes


def _autosave_target(mine: Any) -> tuple[Any, str, str, Callable[[], dict[str, Any]], str]:
    """A GenAI draft with many markets, its first section, and a POST body that changes a choice each time."""
    from scorecard.models import Assessment
    from scorecard.questionnaire import sections_for
    from scorecard.services.assessments import answer_revision

    drafts = mine.filter(status=Assessment.Status.DRAFT, uses_genai=True).order_by("name", "pk")
    draft = max(drafts.only("pk", "target_markets")[:200], key=lambda a: (len(a.target_markets), str(a.pk)))
    draft = Assessment.objects.select_related("framework_version").get(pk=draft.pk)
    section = sections_for(draft)[0]
    item = next(i for i in section.items if i.question.scale != "checklist")
    code = item.question.code
    options = [o.code for o in item.question.options.all()]
    flip = [0]

    def autosave_data() -> dict[str, Any]:
        # What htmx sends when a choice changes: the question's fields and the revision the page showed.
        flip[0] += 1
        current = draft.answers.filter(question=item.question).first()
        return {
            f"{code}-choice": options[flip[0] % len(options)],
            f"{code}-evidence_note": "Autosaved by bench/scale.py",
            f"{code}-evidence_link": "",
            f"{code}-shown": answer_revision(current),
        }

    description = (
        f"section page and autosave: draft {draft.pk} ({len(draft.target_markets)} markets), section {section.key}"
        f" ({len(section.items)} questions), question {code}"
    )
    return draft, section.key, code, autosave_data, description


def data_set_lines() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT (SELECT count(*) FROM scorecard_consultantgrant WHERE revoked_at IS NULL),
                      (SELECT count(*) FROM scorecard_assessment),
                      (SELECT count(*) FROM scorecard_assessment WHERE status = 'submitted'),
                      (SELECT count(*) FROM scorecard_answer),
                      (SELECT count(*) FROM scorecard_answerchange),
                      (SELECT count(*) FROM scorecard_auditentry),
                      (SELECT avg(pg_column_size(results)) FROM scorecard_assessment WHERE results IS NOT NULL),
                      pg_size_pretty(pg_database_size(current_database())),
                      coalesce(shobj_description((SELECT oid FROM pg_database WHERE datname = current_database()),
                               'pg_database'), '')"""
        )
        grants, assessments, submitted, answers, changes, audit, snapshot, size, comment = cursor.fetchone()
    return [
        f"data set: {grants:,} clients, {assessments:,} assessments ({submitted:,} submitted), {answers:,} answers, "
        f"{changes:,} answer changes, {audit:,} audit entries; database {size}",
        f"results snapshot: {float(snapshot or 0) / 1024:.1f} KiB on average as stored (compressed); {comment}",
    ]


# The portfolio's selector as it is called, whichever of these the code has (the portfolio gained paging).
SELECTOR_CALLS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("portfolio_for(consultant)", lambda selectors, user: selectors.portfolio_for(user)),
    ("portfolio_page(consultant, no query)", lambda selectors, user: selectors.portfolio_page(user, _query(""))),
    ("portfolio_page(consultant, page=2)", lambda selectors, user: selectors.portfolio_page(user, _query("page=2"))),
]


def _query(text: str) -> Any:
    from django.http import QueryDict

    return QueryDict(text)


def _rows(result: Any) -> int:
    for attribute in ("rows", "object_list"):  # a portfolio page, a Page
        if hasattr(result, attribute):
            return len(list(getattr(result, attribute)))
    return len(list(result))


def selector_figures(runs: int) -> list[str]:
    """The portfolio selector alone: no template, no middleware."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scorecard import selectors

    consultant = User.objects.get(email=CONSULTANT_EMAIL)
    lines = []
    for label, call in SELECTOR_CALLS:
        name = label.split("(")[0]
        if not hasattr(selectors, name):
            lines.append(f"selectors.{name}: not in this code")
            continue
        try:
            rows = _rows(call(selectors, consultant))
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                _rows(call(selectors, consultant))
                timings.append(time.perf_counter() - started)
            with CaptureQueriesContext(connection) as captured:
                _rows(call(selectors, consultant))
        except Exception as exc:
            lines.append(f"selectors.{label}: crashed: {crash_note(exc)}")
            continue
        sql = sum(float(q.get("time") or 0) for q in captured.captured_queries) * 1000
        lines.append(
            f"selectors.{label}, result materialised: median {statistics.median(timings) * 1000:.1f} ms,"
            f" p95 {percentile(timings, 0.95) * 1000:.1f} ms, {len(captured.captured_queries)} queries"
            f" ({sql:.1f} ms in SQL), {rows} client rows"
        )
    return lines


def run_measurements(runs: int, extra_urls: list[str]) -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.test import Client

    consultant = User.objects.get(email=CONSULTANT_EMAIL)
    client = Client()
    client.force_login(consultant)
    found, notes = targets(extra_urls)
    for note in notes:
        print(note)
    print(f"\nin-process, test Client logged in as the consultant, {runs} runs per page after one warm-up:\n")
    print_header()
    figures = []
    for target in found:
        figure = measure(client, target, runs)
        figures.append(figure)
        print_figure(figure)
        if target.paged and figure.status == 200:
            paged = Target(f"{target.label} ?page=2", with_query(target.path, "page=2"), headers=target.headers)
            try:
                one, two = _request(client, target), _request(client, paged)
            except Exception as exc:
                print(f"{paged.label}: crashed: {crash_note(exc)}")
                continue
            if two.status_code != 200:
                print(f"{paged.label}: status {two.status_code}, not measured")
            elif _same_page(_body(one), _body(two), "page=2"):
                print(f"{paged.label}: the same page as without it (one page only, or no paging), not measured")
            else:
                figures.append(measure(client, paged, runs))
                print_figure(figures[-1])
    return {"figures": [figure.__dict__ for figure in figures], "notes": notes}


# -- command line -----------------------------------------------------------------------------------------------


def one_size(args: argparse.Namespace, clients: int) -> dict[str, Any]:
    url = database_url(clients)
    build_seconds = None
    if args.build or not database_ready(url, clients):
        if not args.build:
            print(f"no finished {clients}-client data set in {_name_and_admin_url(url)[0]}: building it")
        build_seconds = build(url, clients)
    else:
        django_setup(url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # migrations added since the build
    if args.build_only:
        return {"clients": clients, "build_seconds": build_seconds}
    collect_static()
    print()
    for line in machine_lines() + data_set_lines():
        print(line)
    print()
    for line in selector_figures(args.runs):
        print(line)
    result = run_measurements(args.runs, args.url)
    result.update(clients=clients, build_seconds=build_seconds)
    return result


def growth_table(results: list[dict[str, Any]]) -> None:
    sizes = [r["clients"] for r in results]
    labels: list[str] = []
    for r in sorted(results, key=lambda r: -len(r.get("figures", []))):  # the run with the most pages sets the order
        labels += [f["label"] for f in r.get("figures", []) if f["label"] not in labels]
    width = max([len(label) for label in labels] + [4])
    print("\ngrowth: median ms / queries / KiB")
    print(f"{'page':<{width}}  " + "  ".join(f"{f'{n} clients':>24}" for n in sizes))
    for label in labels:
        cells = []
        for r in results:
            f = next((f for f in r.get("figures", []) if f["label"] == label), None)
            if f is None or f["median_ms"] is None:
                cells.append(f"{'-' if f is None else f['status']:>24}")
            else:
                cells.append(f"{f['median_ms']:.1f} ms / {f['queries']} q / {f['kib']:.0f} KiB".rjust(24))
        print(f"{label:<{width}}  " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--clients", default=str(DEFAULT_CLIENTS), help="size, or sizes separated by commas (10,100,500)"
    )
    parser.add_argument("--build", action="store_true", help="drop and build the data set again before measuring")
    parser.add_argument("--reuse", action="store_true", help="build only when the data set is missing (the default)")
    parser.add_argument("--build-only", action="store_true", help="build (when needed) and stop")
    parser.add_argument("--drop", action="store_true", help="drop the bench database(s) and stop")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (default 20)")
    parser.add_argument("--url", action="append", default=[], help="another path to GET (repeatable)")
    parser.add_argument("--json", help=argparse.SUPPRESS)  # where a child run writes its figures
    args = parser.parse_args()
    sizes = [int(n) for n in args.clients.split(",") if n.strip()]
    if args.drop:
        for n in sizes:
            drop_database(database_url(n))
            print(f"dropped {_name_and_admin_url(database_url(n))[0]}")
        return
    if len(sizes) == 1:
        result = one_size(args, sizes[0])
        if args.json:
            Path(args.json).write_text(json.dumps(result))
        return
    # Several sizes: one process each (Django's settings name one database per process), then a growth table.
    results = []
    passed = ["--runs", str(args.runs)] + [f"--url={url}" for url in args.url]
    passed += ["--build"] * args.build + ["--build-only"] * args.build_only
    for n in sizes:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            print(f"\n===== {n} clients =====", flush=True)
            code = subprocess.call([sys.executable, __file__, *passed, "--clients", str(n), "--json", out.name])
            if code:
                print(f"(the {n}-client run exited with {code})")
                continue
            results.append(json.loads(Path(out.name).read_text() or "{}"))
    if not args.build_only:
        growth_table(results)
    for r in results:
        if r.get("build_seconds"):
            print(f"built {r['clients']} clients in {r['build_seconds']:.0f} s")


if __name__ == "__main__":
    main()
