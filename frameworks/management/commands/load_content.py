"""Load framework editions from their folders of YAML files (validated, atomic, safe to repeat).

Without a folder, every edition under fixtures/ is loaded, oldest first, so the newest becomes current, and then
every risk impact assessment method under fixtures/risk-methods/ (one YAML file each, frameworks/risk_loading.py).
A path to a `.yaml` file is loaded as a risk method.
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
from frameworks.risk_loading import load_risk_method

RISK_METHODS = "risk-methods"


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


def shipped_risk_methods(root: Path) -> list[Path]:
    """The risk method files under `root`/risk-methods, by name (each is a method of its own)."""
    folder = root / RISK_METHODS
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


class Command(BaseCommand):
    help = "Validate and load framework editions from folders of content files (all shipped ones by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "folder",
            nargs="*",
            help="Edition folders or risk method files (.yaml); default: every edition and risk method under fixtures/",
        )
        parser.add_argument("--draft", action="store_true", help="Load as a draft instead of publishing it.")

    def handle(self, *args: Any, **options: Any) -> None:
        fixtures = Path(settings.BASE_DIR) / "fixtures"
        given = [Path(f) for f in options["folder"]]
        paths = given or [*shipped_editions(fixtures), *shipped_risk_methods(fixtures)]
        for path in paths:
            try:
                if path.suffix in (".yaml", ".yml"):
                    message = load_risk_method(path, publish=not options["draft"]).message
                else:
                    message = load_content(path, publish=not options["draft"]).message
            except ContentError as exc:
                lines = "\n".join(f"  - {problem}" for problem in exc.problems)
                raise CommandError(
                    f"Nothing was loaded from {path}; fix these {len(exc.problems)} problem(s):\n{lines}"
                ) from exc
            self.stdout.write(self.style.SUCCESS(message))
