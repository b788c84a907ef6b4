"""Locust users for a bounded load test on loopback (issue 17): a consultant's page mix, and /healthz alone.

Locust comes with the dev extra (requirements-dev.lock, installed by `make setup`). bench/load.py is the
usual way to run this file: it starts gunicorn with the production settings against the bench database of
bench/scale.py, logs the consultant in, writes the objects to request, and runs each user class below headless
for a bounded time.

    .venv/bin/python bench/load.py                         # the mix, then /healthz alone, 30 s each

By hand, against a server already running on the bench database (http://127.0.0.1:8000 here):

    BENCH_TARGETS=targets.json BENCH_EMAIL=consultant@bench.example.org BENCH_PASSWORD=bench-consultant-2026 \\
      .venv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:8000 --headless -u 20 -r 10 \\
      --run-time 30s --only-summary ConsultantMix
    .venv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:8000 --headless -u 20 -r 10 \\
      --run-time 30s --only-summary HealthzOnly

The comparison: there is no minimal endpoint of our own beside /healthz (the health check, scorecard/urls.py:
one `SELECT 1` through the whole middleware stack, a JSON answer). Run HealthzOnly with the same gunicorn
command (workers, timeout; the Dockerfile's `manage.py container web`), the same users and the same run time as
the mix: its requests/s is the ceiling this set-up (gunicorn, Django's middleware, locust on the same cores) can
reach, and the mix's figures read against it. bench/load.py does exactly that.

BENCH_TARGETS names a JSON file: {"results": [assessment ids], "sections": [[draft id, section key], ...],
"autosave": [[draft id, section key, question code, [option codes]], ...]}. BENCH_SESSION, when set, is a session
id of the consultant (bench/load.py logs in once through the log-in form and shares it); otherwise each user logs
in itself with BENCH_EMAIL and BENCH_PASSWORD. Cookies are sent by hand: DEBUG=0 marks them Secure, and a client
never sends a Secure cookie over plain HTTP.

Users wait BENCH_WAIT seconds between requests (default 0: as fast as they can, a saturation test).
"""

from __future__ import annotations

import json
import os
import random
import secrets
import string

from locust import HttpUser, constant, task

TARGETS: dict[str, list] = {"results": [], "sections": [], "autosave": []}
if os.environ.get("BENCH_TARGETS"):
    with open(os.environ["BENCH_TARGETS"], encoding="utf-8") as handle:
        TARGETS.update(json.load(handle))
WAIT = float(os.environ.get("BENCH_WAIT", "0"))


def csrf_secret() -> str:
    """A CSRF cookie value of our own: Django accepts any 32 letters and digits, sent back as the token."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))


class ConsultantMix(HttpUser):
    """A consultant at work: lists (dashboard, portfolio), a submitted assessment's results, a draft's section
    page, and autosaves, which a questionnaire sends on every change (the heaviest weight)."""

    wait_time = constant(WAIT)

    def on_start(self) -> None:
        self.csrf = csrf_secret()
        session = os.environ.get("BENCH_SESSION") or self.log_in()
        self.cookie = f"sessionid={session}; csrftoken={self.csrf}"

    def log_in(self) -> str:
        response = self.client.post(
            "/accounts/login/",
            data={
                "login": os.environ["BENCH_EMAIL"],
                "password": os.environ["BENCH_PASSWORD"],
                "csrfmiddlewaretoken": self.csrf,
            },
            headers={"Cookie": f"csrftoken={self.csrf}"},
            allow_redirects=False,
            name="log-in",
        )
        session = response.cookies.get("sessionid")
        if not session:
            raise RuntimeError(f"log-in failed: status {response.status_code}")
        return session

    def get(self, path: str, name: str) -> None:
        with self.client.get(
            path, headers={"Cookie": self.cookie}, allow_redirects=False, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:  # a redirect to the log-in page is a failure too
                response.failure(f"status {response.status_code}")

    @task(2)
    def dashboard(self) -> None:
        self.get("/dashboard/", "/dashboard/")

    @task(2)
    def portfolio(self) -> None:
        self.get("/portfolio/", "/portfolio/")

    @task(2)
    def results(self) -> None:
        if TARGETS["results"]:
            self.get(f"/assessments/{random.choice(TARGETS['results'])}/results/", "/assessments/[id]/results/")

    @task(3)
    def section(self) -> None:
        if TARGETS["sections"]:
            pk, key = random.choice(TARGETS["sections"])
            self.get(f"/assessments/{pk}/sections/{key}/", "/assessments/[id]/sections/[key]/")

    @task(6)
    def autosave(self) -> None:
        if not TARGETS["autosave"]:
            return
        pk, key, code, options = random.choice(TARGETS["autosave"])
        # No "-shown" revision: the save goes through as from a page that did not say what it showed.
        data = {f"{code}-choice": random.choice(options), f"{code}-evidence_note": "Saved under load"}
        with self.client.post(
            f"/assessments/{pk}/sections/{key}/answers/{code}/",
            data=data,
            headers={"Cookie": self.cookie, "X-CSRFToken": self.csrf, "HX-Request": "true"},
            allow_redirects=False,
            name="autosave POST",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif b"is-error" in response.content:  # refused, shown in place with status 200
                response.failure("not saved: " + response.text[:200])


class HealthzOnly(HttpUser):
    """The comparison: the cheapest request through the same server and middleware."""

    wait_time = constant(WAIT)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz")
