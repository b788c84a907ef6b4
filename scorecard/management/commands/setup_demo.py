"""Create (once) a demo organisation, consultancy and staff account, and print how to log in.

The demo data includes two assessments, so that a newcomer sees every screen at once: a submitted one
for the consultant's client (results, readiness for six markets, the PDF report) and a half-answered
draft for the organisation owner (save and resume). Answers go through the same service as the
questionnaire, so they are validated like a person's.
"""

from __future__ import annotations

from itertools import cycle
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from frameworks.models import FrameworkVersion, Question
from scorecard.models import Assessment, Organisation
from scorecard.services.assessments import (
    answer_save,
    applicable_questions,
    assessment_create,
    assessment_submit,
)
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
            bank = organisation_create(
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
            client = client_create(
                consultancy=consultancy,
                by=consultant,
                name="Demo Retail Co",
                sector="retail",
                size="medium",
                hq_country="TH",
            )
            admin = User.objects.create_superuser(ACCOUNTS["admin"], ACCOUNTS["admin"], DEMO_PASSWORD)
            # Demo addresses receive no mail: they count as confirmed, so the log-ins work at once.
            for user in (owner, consultant, admin):
                EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
            if FrameworkVersion.objects.current() is None:
                self.stdout.write("No framework content is loaded (manage.py load_content): no demo assessments.")
            else:
                demo_assessments(bank=bank, owner=owner, client=client, consultant=consultant)
        note = "" if created else " (already created)"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo log-ins (password for all: {DEMO_PASSWORD}){note}\n"
                f"  organisation owner:  {ACCOUNTS['owner']}\n"
                f"  consultant:          {ACCOUNTS['consultant']}\n"
                f"  content admin:       {ACCOUNTS['admin']}  (/admin/)\n"
                "The consultant's client has a submitted assessment (results, readiness, PDF report);\n"
                "the organisation owner has a half-answered draft.\n"
                "Open http://127.0.0.1:8000/\n"
            )
        )


# A realistic mix rather than all best answers, so the demo shows gaps, an action plan and every status.
MATURITY_ANSWERS = ("3", "2", "4", "1", "3", "2", "0")
YES_PARTLY_NO_ANSWERS = ("yes", "partial", "yes", "no", "yes")
# Market obligations: a retailer ready in Singapore, with open conditions in most markets and a gap in
# Viet Nam's new AI Law duties, so the readiness report shows every status.
MARKET_ANSWERS = {
    "SG": ("yes",),
    "MY": ("yes", "yes", "partial"),
    "PH": ("yes", "partial"),
    "TH": ("yes", "partial", "yes"),
    "ID": ("yes", "partial"),
    "VN": ("yes", "no", "partial"),
}


def answer_demo_questions(assessment: Assessment, by: Any, share: float = 1.0) -> None:
    """Answer the first `share` of the applicable questions, with an evidence note where there is practice."""
    maturity, yes_partly_no = cycle(MATURITY_ANSWERS), cycle(YES_PARTLY_NO_ANSWERS)
    by_market = {code: cycle(answers) for code, answers in MARKET_ANSWERS.items()}
    questions = list(applicable_questions(assessment).values())
    for question in questions[: round(len(questions) * share)]:
        checked: list[str] = []
        if question.scale == Question.Scale.CHECKLIST:
            choice, checked = "checklist", [o.code for o in question.options.all()][:2]
        elif question.scale == Question.Scale.MATURITY:
            choice = next(maturity)
        elif question.market is not None and question.market.code in by_market:
            choice = next(by_market[question.market.code])
        else:
            choice = next(yes_partly_no)
        has_practice = choice not in {"0", "no"}
        answer_save(
            assessment=assessment,
            question=question,
            by=by,
            choice=choice,
            checked=checked,
            evidence_note=f"{question.evidence_hint or 'Internal policy document.'} (demo data)"
            if has_practice
            else "",
        )


def demo_assessments(*, bank: Organisation, owner: Any, client: Organisation, consultant: Any) -> None:
    retail = assessment_create(
        organisation=client,
        by=consultant,
        name="Customer-service chatbot and demand forecasting, 2026 review",
        sector=client.sector,
        size=client.size,
        ai_role="deployer",
        uses_genai=True,
        target_markets=["ID", "MY", "PH", "SG", "TH", "VN"],
    )
    answer_demo_questions(retail, consultant)
    assessment_submit(assessment=retail, by=consultant)
    draft = assessment_create(
        organisation=bank,
        by=owner,
        name="Credit-scoring model, first pass",
        sector=bank.sector,
        size=bank.size,
        ai_role="both",
        uses_genai=False,
        target_markets=["ID", "MY", "SG"],
    )
    answer_demo_questions(draft, owner, share=0.5)
