"""Load a framework version from its folder of YAML files (validated, atomic, safe to repeat)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frameworks.content import ContentError
from frameworks.loading import load_content

DEFAULT_FOLDER = "fixtures/asean-2024-2025"


class Command(BaseCommand):
    help = "Validate and load a framework version from a folder of content files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", nargs="?", default=DEFAULT_FOLDER)
        parser.add_argument("--draft", action="store_true", help="Load as a draft instead of publishing it.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_content(options["folder"], publish=not options["draft"])
        except ContentError as exc:
            lines = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(f"Nothing was loaded; fix these {len(exc.problems)} problem(s):\n{lines}") from exc
        self.stdout.write(self.style.SUCCESS(result.message))
