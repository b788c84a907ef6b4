"""Where PDFs render (issue 17): a bulk export on one task worker and on two, and the health check while cold
reports render and portfolios load.

Uses the data set of bench/scale.py (default: the 10-client one; build it with
`.venv/bin/python bench/scale.py --build-only --clients 10`), production settings and the database task queue.

1. **Workers**: one export of --reports submitted assessments (their cached PDFs deleted first), rendered by 1 and
   then by 2 `manage.py db_worker` processes; prints the time each took and the ratio (target: 2 workers take
   at most 0.6 x the time of 1).
2. **Health check**: gunicorn as the image runs it (3 sync workers) plus 2 task workers; 3 people download 3
   cold reports and 3 people open the portfolio at the same moment, while /healthz is asked every 100 ms. Printed
   for REPORT_RENDER_IN_REQUEST=0 (production: the download page polls while a task worker renders) and =1 (the
   development path, which renders in the web worker), for comparison. Target: /healthz under 1 s throughout.

    .venv/bin/python bench/exports.py                  # both parts
    .venv/bin/python bench/exports.py --reports 20 --clients 10
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import load  # noqa: E402  (gunicorn helpers: free_port, request, log_in)
import scale  # noqa: E402  (the data set's database, account and production settings)

VENV_BIN = Path(sys.executable).parent


def worker_env(url: str, work: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        **scale.PRODUCTION_ENV,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(work), str(ROOT)]),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "MEDIA_ROOT": str(work / "media"),
        **extra,
    }


def start_workers(count: int, env: dict[str, str], work: Path) -> list[subprocess.Popen[bytes]]:
    log = (work / "worker.log").open("ab")
    command = [str(VENV_BIN / "python"), "manage.py", "db_worker"]
    return [subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log) for _ in range(count)]


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def forget_rendered_reports() -> None:
    from scorecard.models import BulkExport, RenderedReport

    for report in RenderedReport.objects.all():
        report.delete()
    BulkExport.objects.all().delete()
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()


def export_time(workers: int, ids: list[str], url: str, work: Path) -> float:
    """Seconds from starting an export of `ids` to its zip being ready, with `workers` task workers."""
    from django.contrib.auth.models import User

    from scorecard.models import BulkExport
    from scorecard.services.exports import bulk_export_start

    forget_rendered_reports()
    env = worker_env(url, work)
    processes = start_workers(workers, env, work)
    time.sleep(3)  # let them start and poll
    try:
        consultant = User.objects.get(email=scale.CONSULTANT_EMAIL)
        started = time.monotonic()
        export = bulk_export_start(user=consultant, assessment_ids=ids)
        while True:
            export.refresh_from_db()
            if export.status in {BulkExport.Status.DONE, BulkExport.Status.FAILED}:
                break
            if time.monotonic() - started > 1800:
                raise SystemExit("the export took more than 30 minutes")
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        if export.status != BulkExport.Status.DONE:
            raise SystemExit(f"the export failed: {export.error}")
        return elapsed
    finally:
        stop(processes)


def health_under_load(url: str, work: Path, reports: list[str], render_in_request: bool) -> dict[str, float]:
    """/healthz latency while 3 cold reports are downloaded and 3 portfolios load."""
    forget_rendered_reports()
    env = worker_env(url, work, REPORT_RENDER_IN_REQUEST="1" if render_in_request else "0")
    port = load.free_port()
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "scorecard.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "3",
         "--timeout", "120", "--error-logfile", str(work / "gunicorn.log")],
        cwd=ROOT, env=env,
    )  # fmt: skip
    workers = start_workers(2, env, work)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if load.request(port, "GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.3)
        cookie = {"Cookie": f"sessionid={load.log_in(port)}"}
        latencies: list[float] = []
        done = threading.Event()

        def probe() -> None:
            while not done.is_set():
                started = time.monotonic()
                load.request(port, "GET", "/healthz")
                latencies.append(time.monotonic() - started)
                time.sleep(0.1)

        def download(pk: str) -> None:
            # As a browser does: the download, then the progress page's polling until the PDF is there.
            response = load.request(port, "GET", f"/assessments/{pk}/report.pdf", headers=cookie)
            while response.status == 202:
                time.sleep(2)
                response = load.request(port, "GET", f"/assessments/{pk}/report.pdf", headers=cookie)

        def portfolio() -> None:
            load.request(port, "GET", "/portfolio/", headers=cookie)

        prober = threading.Thread(target=probe)
        prober.start()
        time.sleep(1)
        started = time.monotonic()
        people = [threading.Thread(target=download, args=(pk,)) for pk in reports] + [
            threading.Thread(target=portfolio) for _ in range(3)
        ]
        for person in people:
            person.start()
        for person in people:
            person.join()
        elapsed = time.monotonic() - started
        done.set()
        prober.join()
        return {
            "all done (s)": elapsed,
            "healthz max (ms)": max(latencies) * 1000,
            "healthz median (ms)": statistics.median(latencies) * 1000,
            "healthz probes": len(latencies),
        }
    finally:
        stop(workers)
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10, help="the bench/scale.py data set (default 10)")
    parser.add_argument("--reports", type=int, default=20, help="reports in the export (default 20)")
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--skip-health", action="store_true")
    args = parser.parse_args()

    url = scale.database_url(args.clients)
    if not scale.database_ready(url, args.clients):
        raise SystemExit(f"no data set: .venv/bin/python bench/scale.py --build-only --clients {args.clients}")
    scale.django_setup(url)
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from scorecard.models import Assessment
    from scorecard.selectors import assessments_for

    call_command("migrate", verbosity=0)
    scale.collect_static()
    for line in scale.machine_lines():
        print(line)
    work = Path(tempfile.mkdtemp(prefix="scorecard-exports-"))
    (work / "bench_settings.py").write_text(
        f"from scorecard.settings import *  # noqa: F403\n\nSTATIC_ROOT = {str(scale.STATIC_ROOT)!r}\n"
    )
    os.environ["MEDIA_ROOT"] = str(work / "media")
    consultant = User.objects.get(email=scale.CONSULTANT_EMAIL)
    submitted = [
        str(pk)
        for pk in assessments_for(consultant)
        .filter(status=Assessment.Status.SUBMITTED)
        .order_by("pk")
        .values_list("pk", flat=True)[: args.reports]
    ]
    print(f"{len(submitted)} submitted assessments of the {args.clients}-client data set; logs in {work}")

    if not args.skip_workers:
        one = export_time(1, submitted, url, work)
        two = export_time(2, submitted, url, work)
        print(f"\nBulk export of {len(submitted)} reports: 1 worker {one:.1f} s, 2 workers {two:.1f} s, "
              f"ratio {two / one:.2f} (target <= 0.6)")  # fmt: skip

    if not args.skip_health:
        print("\n/healthz while 3 cold reports download and 3 portfolios load (3 web workers, 2 task workers):")
        for render_in_request in (False, True):
            figures = health_under_load(url, work, submitted[:3], render_in_request)
            label = "REPORT_RENDER_IN_REQUEST=1 (development path)" if render_in_request else "production (queued)"
            print(f"  {label}: " + ", ".join(f"{k} {v:.0f}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
