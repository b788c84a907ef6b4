"""The production container's entry point (see Dockerfile and docs/deploy.md).

Migrations are an explicit step, never a side effect of starting a web server:
    container migrate   apply migrations and load the shipped content (safe to repeat)
    container web       gunicorn on $PORT
    container worker    the background task worker (bulk PDF exports)
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Container entry point: migrate, web or worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", choices=["migrate", "web", "worker"])

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        if role == "migrate":
            call_command("migrate", interactive=False)
            call_command("load_content")
        elif role == "web":
            argv = [
                "gunicorn", "scorecard.wsgi",
                "--bind", f"0.0.0.0:{os.environ.get('PORT', '8000')}",
                "--workers", os.environ.get("WEB_CONCURRENCY", "3"),
                "--timeout", os.environ.get("GUNICORN_TIMEOUT", "60"),
                "--forwarded-allow-ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                "--access-logfile", "-",
            ]  # fmt: skip
            os.execvp("gunicorn", argv)  # replaces this process, so signals reach gunicorn directly
        else:
            os.execvp("python", ["python", "manage.py", "db_worker"])
