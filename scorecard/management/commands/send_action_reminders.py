"""E-mail each action owner their overdue actions and those due within a week (docs/actions.md).

Run it once a day (cron or a systemd timer). It enqueues the task for the workers (`manage.py db_worker`);
`--now` sends at once, in this process. Running it twice in a day sends nothing more: each action remembers the
day its owner was last reminded.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from scorecard.services.actions import remind_action_owners, site_url
from scorecard.tasks import send_action_reminders


class Command(BaseCommand):
    help = "E-mail action owners their overdue actions and those due within a week (once a day at most)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="Send in this process instead of enqueuing a task.")
        parser.add_argument(
            "--base-url",
            default="",
            help="The site's address for the links in the e-mails, e.g. https://scorecard.example.org "
            "(default: settings.SITE_URL, else the first of CSRF_TRUSTED_ORIGINS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base_url = options["base_url"] or site_url()
        if options["now"]:
            run = remind_action_owners(base_url=base_url)
            self.stdout.write(
                f"Sent {run.emails} reminder e-mail(s) listing {run.actions} action(s); {run.failed} failed."
            )
            if run.failed:
                self.stderr.write("Some e-mails could not be sent; the next run tries again.")
            return
        result = send_action_reminders.enqueue(base_url)
        self.stdout.write(f"Enqueued the action reminders (task {result.id}).")
