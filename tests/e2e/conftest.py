"""Browser tests: Playwright driving Debian's /usr/bin/chromium (no browser download) against live_server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

# Playwright's sync API runs an event loop in this thread; the Django calls the tests make are still
# plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


def _serial_live_server_on_sqlite() -> None:
    """On SQLite the live server answers one request at a time.

    The test database is in memory, and Django's live server hands its one connection to every request thread;
    two requests at once (an autosave still in flight when a page is submitted) then trip over each other's
    savepoints ("no such savepoint"). PostgreSQL runs keep the threaded server: concurrency is tested there.
    """
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    class SerialWSGIServer(WSGIServer):
        def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)  # the live server thread itself holds the shared connection

    if connection.vendor == "sqlite":
        LiveServerThread.server_class = SerialWSGIServer


_serial_live_server_on_sqlite()
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any, live_server: Any, transactional_db: Any) -> Iterator[Any]:
    from tests.conftest import ensure_content

    ensure_content()  # the transactional test database is emptied between tests
    contexts = []

    def make() -> Any:
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def open_section(new_page: Any, live_server: Any) -> Any:
    """A signed-in owner's page on one section of a fresh draft (signed in by session cookie)."""
    from scorecard.models import Role
    from tests.factories import AssessmentFactory, MembershipFactory

    membership = MembershipFactory(role=Role.OWNER)
    assessment = AssessmentFactory(
        organisation=membership.organisation, created_by=membership.user, uses_genai=False, target_markets=["SG"]
    )
    client = Client()
    client.force_login(membership.user)

    def open_(section: str) -> Any:
        page = new_page()
        cookie = client.cookies["sessionid"]
        page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
        page.goto(f"/assessments/{assessment.pk}/sections/{section}/")
        page.assessment = assessment
        return page

    return open_
