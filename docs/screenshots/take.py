"""Regenerate the screenshots in docs/screenshots/: the main pages at 1366 and 390 px (the workspace's system page
and action list included), and a few PDF pages.

Run with `make screenshots`. It builds a throw-away SQLite database with the shipped content and the demo data,
serves it on a free local port, and drives Debian's /usr/bin/chromium with Playwright (nothing is downloaded).
Look at every picture before committing it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
PASSWORD = "demo-scorecard-2026"
WIDTHS = (1366, 390)
PDF_PAGES = {"pdf-cover": 1, "pdf-obligations": None}  # None: the first page listing a market's obligations


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp}/shots.sqlite3"}
        manage(env, "migrate", "--noinput")
        manage(env, "load_content")
        manage(env, "setup_demo")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(50):
                try:
                    urlopen(base + "/healthz", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                for width in WIDTHS:
                    shoot(browser, base, width)
                    shoot_workspace(browser, base, width)
                browser.close()
        finally:
            server.terminate()
    print(f"Wrote the screenshots to {OUT.relative_to(ROOT)}/; look at each before you commit them.")


def shoot(browser: object, base: str, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(base + "/")
    page.screenshot(path=OUT / f"home-{width}.png")
    page.goto(base + "/accounts/login/")
    page.locator("input[name=login]").fill("consultant@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(base + "/portfolio/")
    page.screenshot(path=OUT / f"portfolio-{width}.png")
    page.locator("a[href*='/assessments/']").first.click()
    assessment = page.url.split("/assessments/")[1].split("/")[0]
    pages = {
        "results": f"/assessments/{assessment}/results/",
        "readiness": f"/assessments/{assessment}/readiness/",
        "questionnaire": f"/assessments/{assessment}/sections/principle-HC/",
    }
    for name, url in pages.items():
        page.goto(base + url)
        page.screenshot(path=OUT / f"{name}-{width}.png")
    if width == WIDTHS[0]:
        pdf = page.request.get(f"{base}/assessments/{assessment}/report.pdf").body()
        pdf_pages(pdf)
    context.close()


def shoot_workspace(browser: object, base: str, width: int) -> None:
    """The organisation owner's AI system page and action list (the demo's workspace, docs/workspace.md)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.locator("input[name=login]").fill("demo@example.org")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    page.goto(base + "/dashboard/")
    page.locator("main a[href^='/systems/']").first.click()
    page.wait_for_load_state()
    page.screenshot(path=OUT / f"system-{width}.png")
    organisation = page.locator("main nav a[href^='/orgs/']").first.get_attribute("href")
    page.goto(f"{base}{organisation}actions/")
    page.screenshot(path=OUT / f"actions-{width}.png")
    context.close()


def pdf_pages(pdf: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "report.pdf"
        source.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", source, "-"], capture_output=True, text=True).stdout
        pages = text.split("\f")
        obligations = next((i for i, p in enumerate(pages, 1) if "Obligations in this market" in p), 2)
        for name, number in PDF_PAGES.items():
            n = number or obligations
            target = OUT / name
            subprocess.run(
                ["pdftoppm", "-r", "70", "-png", "-singlefile", "-f", str(n), "-l", str(n), source, target],
                check=True,
            )


if __name__ == "__main__":
    main()
