"""Production configuration: the deploy checklist passes, unsafe configurations refuse to start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-like-secret-key-with-enough-length-and-variety-8f3K2q9Zx",
    "ALLOWED_HOSTS": "scorecard.example.org",
    "DATABASE_URL": "sqlite:////tmp/scorecard-deploy-check.sqlite3",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A production-like environment: nothing inherited from the test run but the basics.
    clean = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_reports_nothing_under_production_settings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = manage("check", env={k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"})
    assert result.returncode != 0 and "SECRET_KEY is not set" in result.stderr


def test_debug_without_secret_key_uses_a_development_key() -> None:
    result = manage("check", env={"DEBUG": "1", "DATABASE_URL": PRODUCTION["DATABASE_URL"]})
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_healthz_reports_the_database() -> None:
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_says_503_when_the_database_fails(monkeypatch: Any) -> None:
    from django.db import connection

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database down")

    monkeypatch.setattr(connection, "cursor", broken)
    response = Client().get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["status"] == "error"


@pytest.mark.django_db
def test_friendly_error_pages() -> None:
    response = Client().get("/no/such/page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_home_page_says_what_the_product_is_and_works_offline() -> None:
    page = Client().get(reverse("home")).content.decode()
    assert "ASEAN Guide" in page and 'href="#main"' in page and "<main" in page
    assert "cdn" not in page.lower() and "https://" not in page
