"""Write a framework version back to a folder of YAML files (the same shape load_content reads)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from frameworks.exporting import export_version
from frameworks.models import FrameworkVersion


class Command(BaseCommand):
    help = "Export a framework version to a folder of content files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="The version code, e.g. asean-2024-2025")
        parser.add_argument("folder")

    def handle(self, *args: Any, **options: Any) -> None:
        version = FrameworkVersion.objects.filter(code=options["code"]).first()
        if version is None:
            known = ", ".join(FrameworkVersion.objects.values_list("code", flat=True)) or "none"
            raise CommandError(f"No version {options['code']!r}. Known versions: {known}.")
        for path in export_version(version, options["folder"]):
            self.stdout.write(f"wrote {path}")
