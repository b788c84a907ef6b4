"""Load framework editions from their folders of YAML files (validated, atomic, safe to repeat).

Without a folder, every edition under fixtures/ is loaded, oldest first, so the newest becomes current.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from frameworks.content import ContentError
from frameworks.loading import load_content


def shipped_editions(root: Path) -> list[Path]:
    """The edition folders under `root`, oldest release first (the first edition has no release date)."""

    def released(folder: Path) -> dt.date:
        try:
            meta = yaml.safe_load((folder / "version.yaml").read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            return dt.date.min
        value = meta.get("released") if isinstance(meta, dict) else None
        return value if isinstance(value, dt.date) else dt.date.min

    folders = [p for p in sorted(root.iterdir()) if p.is_dir() and (p / "version.yaml").exists()]
    return sorted(folders, key=released)


class Command(BaseCommand):
    help = "Validate and load framework editions from folders of content files (all shipped ones by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", nargs="*", help="Edition folders; default: every edition under fixtures/")
        parser.add_argument("--draft", action="store_true", help="Load as a draft instead of publishing it.")

    def handle(self, *args: Any, **options: Any) -> None:
        folders = [Path(f) for f in options["folder"]] or shipped_editions(Path(settings.BASE_DIR) / "fixtures")
        for folder in folders:
            try:
                result = load_content(folder, publish=not options["draft"])
            except ContentError as exc:
                lines = "\n".join(f"  - {problem}" for problem in exc.problems)
                raise CommandError(
                    f"Nothing was loaded from {folder}; fix these {len(exc.problems)} problem(s):\n{lines}"
                ) from exc
            self.stdout.write(self.style.SUCCESS(result.message))
