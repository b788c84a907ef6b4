"""A bounded load test on loopback (issue 17): gunicorn with the production settings on the bench database of
bench/scale.py, locust headless against it, then requests/s and p50/p95/p99 for a consultant's page mix and for
/healthz alone under the same server.

    (locust comes with the dev extra: make setup installs it)
    .venv/bin/python bench/scale.py --build-only  # once: the 500-client data set (minutes)
    .venv/bin/python bench/load.py                # 20 users, 10 spawned a second, 30 s per run, 3 workers
    .venv/bin/python bench/load.py --users 50 --run-time 60s --workers 5 --clients 100

What it does: collects the static files (as the image does), starts `gunicorn scorecard.wsgi` on 127.0.0.1 with
the Dockerfile's options (`manage.py container web`: --workers WEB_CONCURRENCY=3, --timeout 60, access log),
waits for /healthz, logs the consultant in once through the real log-in form, picks the objects to request
(submitted assessments for results, drafts for section pages and autosaves), runs bench/locustfile.py's
ConsultantMix and then HealthzOnly with the same settings, stops gunicorn, and prints both. Locust and gunicorn
share the machine's cores: the figures are this machine's, loopback only, and say how the mix compares with the
cheapest request more than what a production host would do. Autosaves change answers in the bench database
(valid answers, with their history), as a person would.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import secrets
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import scale  # noqa: E402  (the data set's database, account and production settings)

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    port: int, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def log_in(port: int) -> str:
    """The consultant's session id, through the log-in form (cookies by hand: they are Secure under DEBUG=0)."""
    from urllib.parse import urlencode

    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    body = urlencode(
        {"login": scale.CONSULTANT_EMAIL, "password": scale.CONSULTANT_PASSWORD, "csrfmiddlewaretoken": csrf}
    )
    response = request(
        port,
        "POST",
        "/accounts/login/",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}"},
    )
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("sessionid="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise SystemExit(f"log-in as {scale.CONSULTANT_EMAIL} failed: status {response.status}")


def pick_targets(path: Path) -> str:
    """Objects for the mix, written for bench/locustfile.py; returns a line describing them."""
    from django.contrib.auth.models import User

    from scorecard.models import Assessment
    from scorecard.questionnaire import sections_for
    from scorecard.selectors import assessments_for

    consultant = User.objects.get(email=scale.CONSULTANT_EMAIL)
    mine = assessments_for(consultant).select_related("framework_version").order_by("pk")
    submitted = [str(pk) for pk in mine.filter(status=Assessment.Status.SUBMITTED).values_list("pk", flat=True)[:100]]
    sections, autosave = [], []
    for draft in mine.filter(status=Assessment.Status.DRAFT)[:50]:
        for section in sections_for(draft)[:3]:
            sections.append([str(draft.pk), section.key])
        first = sections_for(draft)[0]
        item = next(i for i in first.items if i.question.scale != "checklist")
        autosave.append([str(draft.pk), first.key, item.question.code, [o.code for o in item.question.options.all()]])
    path.write_text(json.dumps({"results": submitted, "sections": sections, "autosave": autosave}))
    return (
        f"{len(submitted)} submitted assessments, {len(sections)} section pages and {len(autosave)} drafts to autosave"
    )


def read_stats(prefix: str) -> list[dict[str, str]]:
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        return []
    with stats.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def print_stats(title: str, rows: list[dict[str, str]]) -> None:
    print(f"\n{title}")
    if not rows:
        print("  (no figures: locust wrote no statistics)")
        return
    print(
        f"  {'request':<36} {'count':>7} {'fails':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'KiB':>6}"
    )
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all requests"
        print(
            f"  {name:<36} {row['Request Count']:>7} {row['Failure Count']:>6} {float(row['Requests/s']):7.1f}"
            f" {row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {float(row['Average Content Size']) / 1024:6.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=scale.DEFAULT_CLIENTS, help="the data set (default 500)")
    parser.add_argument("--users", "-u", type=int, default=20)
    parser.add_argument("--spawn-rate", "-r", type=float, default=10)
    parser.add_argument("--run-time", "-t", default="30s", help="per run (locust's format: 30s, 2m)")
    parser.add_argument("--workers", default=os.environ.get("WEB_CONCURRENCY", "3"), help="gunicorn workers")
    parser.add_argument("--wait", type=float, default=0.0, help="seconds each user waits between requests")
    args = parser.parse_args()

    locust = VENV_BIN / "locust"
    if not locust.exists():
        raise SystemExit("locust is not installed: .venv/bin/pip install locust")
    url = scale.database_url(args.clients)
    if not scale.database_ready(url, args.clients):
        raise SystemExit(
            f"no {args.clients}-client data set: .venv/bin/python bench/scale.py --build-only --clients {args.clients}"
        )
    scale.django_setup(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    scale.collect_static()
    for line in scale.machine_lines() + scale.data_set_lines():
        print(line)

    work = Path(tempfile.mkdtemp(prefix="scorecard-load-"))
    # gunicorn imports the settings afresh: a settings module of our own adds the collected STATIC_ROOT.
    (work / "bench_settings.py").write_text(
        f"from scorecard.settings import *  # noqa: F403\n\nSTATIC_ROOT = {str(scale.STATIC_ROOT)!r}\n"
    )
    env = {
        **os.environ,
        **scale.PRODUCTION_ENV,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(work), str(ROOT)]),
    }
    port = free_port()
    command = [
        str(VENV_BIN / "gunicorn"), "scorecard.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--timeout", os.environ.get("GUNICORN_TIMEOUT", "60"),
        "--forwarded-allow-ips", "127.0.0.1",
        "--access-logfile", str(work / "access.log"),
        "--error-logfile", str(work / "gunicorn.log"),
    ]  # fmt: skip
    targets = work / "targets.json"
    print(pick_targets(targets))
    print(f"gunicorn: {' '.join(command[1:])}")
    print(
        f"locust: -u {args.users} -r {args.spawn_rate} --run-time {args.run_time}, wait {args.wait} s; logs in {work}"
    )
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"gunicorn did not answer /healthz: see {work / 'gunicorn.log'}")
            time.sleep(0.5)
        session = log_in(port)
        results = {}
        locust_env = {
            **os.environ,
            "BENCH_TARGETS": str(targets),
            "BENCH_SESSION": session,
            "BENCH_WAIT": str(args.wait),
        }
        for user_class in ("ConsultantMix", "HealthzOnly"):
            prefix = str(work / user_class)
            argv = [
                str(locust), "-f", str(BENCH / "locustfile.py"), "--host", f"http://127.0.0.1:{port}",
                "--headless", "--only-summary", "-u", str(args.users), "-r", str(args.spawn_rate),
                "--run-time", args.run_time, "--stop-timeout", "10", "--csv", prefix, "--loglevel", "WARNING",
                user_class,
            ]  # fmt: skip
            with open(work / f"{user_class}.txt", "w") as output:
                # locust exits 1 when a request failed: the table shows the failures.
                subprocess.run(argv, env=locust_env, stdout=output, stderr=subprocess.STDOUT, check=False)
            results[user_class] = read_stats(prefix)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    print_stats(f"page mix (ConsultantMix), {args.users} users, {args.run_time}:", results["ConsultantMix"])
    print_stats(f"/healthz alone (HealthzOnly), {args.users} users, {args.run_time}:", results["HealthzOnly"])
    errors = work / "ConsultantMix_failures.csv"
    if errors.exists() and len(errors.read_text().splitlines()) > 1:
        print(f"\nfailures: {errors}")


if __name__ == "__main__":
    main()
