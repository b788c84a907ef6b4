"""Create (once) a demo organisation, consultancy and staff account, and print how to log in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from scorecard.models import Organisation
from scorecard.services.organisations import client_create, organisation_create

DEMO_PASSWORD = "demo-scorecard-2026"
ACCOUNTS = {
    "owner": "demo@example.org",
    "consultant": "consultant@example.org",
    "admin": "admin@example.org",
}


class Command(BaseCommand):
    help = "Create demo accounts for local use (never run this in production) and print their log-ins."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        created = not User.objects.filter(username=ACCOUNTS["owner"]).exists()
        if created:
            owner = User.objects.create_user(ACCOUNTS["owner"], ACCOUNTS["owner"], DEMO_PASSWORD)
            organisation_create(
                user=owner,
                name="Demo Bank Berhad",
                kind=Organisation.Kind.ORGANISATION,
                sector="finance",
                size="large",
                hq_country="MY",
            )
            consultant = User.objects.create_user(ACCOUNTS["consultant"], ACCOUNTS["consultant"], DEMO_PASSWORD)
            consultancy = organisation_create(
                user=consultant,
                name="Demo Advisory",
                kind=Organisation.Kind.CONSULTANCY,
                sector="professional",
                size="small",
                hq_country="SG",
            )
            client_create(
                consultancy=consultancy,
                by=consultant,
                name="Demo Retail Co",
                sector="retail",
                size="medium",
                hq_country="TH",
            )
            User.objects.create_superuser(ACCOUNTS["admin"], ACCOUNTS["admin"], DEMO_PASSWORD)
        note = "" if created else " (already created)"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo log-ins (password for all: {DEMO_PASSWORD}){note}\n"
                f"  organisation owner:  {ACCOUNTS['owner']}\n"
                f"  consultant:          {ACCOUNTS['consultant']}\n"
                f"  content admin:       {ACCOUNTS['admin']}  (/admin/)\n"
                "Open http://127.0.0.1:8000/\n"
            )
        )
