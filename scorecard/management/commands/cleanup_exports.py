"""Expire bulk-export zips past EXPORT_ARCHIVE_DAYS and delete cached PDFs older than REPORT_CACHE_DAYS.

Run it daily (cron, a systemd timer, or a Kubernetes CronJob): docs/deploy.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from scorecard.services.exports import cleanup_exports


class Command(BaseCommand):
    help = "Delete expired bulk-export zips and old cached PDF reports."

    def handle(self, *args: Any, **options: Any) -> None:
        done = cleanup_exports()
        self.stdout.write(
            f"Expired {done.expired_exports} export zip(s); deleted {done.deleted_reports} cached report(s)."
        )
