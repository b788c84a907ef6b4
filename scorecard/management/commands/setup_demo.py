"""Create (once) a demo organisation, consultancy and staff account, and print how to log in.

The demo data includes assessments, so that a newcomer sees every screen at once: a submitted one
for the consultant's client (results, readiness for six markets, the PDF report) and, for the organisation
owner, a half-answered draft (save and resume) and an AI-system workspace (docs/workspace.md): one system in the
inventory with its risk impact assessment, a submitted baseline assessment of it with two tracked actions (one
closed with an evidence file, one overdue), and a submitted re-assessment (the trend). Everything goes through the
same services as the pages, so it is validated like a person's input.
"""

from __future__ import annotations

import datetime as dt
from itertools import cycle
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from frameworks.models import FrameworkVersion, Question
from scorecard.models import Action, Assessment, Organisation, Role
from scorecard.services.actions import action_create, action_update, gaps_of
from scorecard.services.assessments import (
    answer_save,
    applicable_questions,
    assessment_create,
    assessment_reassess,
    assessment_submit,
)
from scorecard.services.organisations import client_create, organisation_create
from scorecard.services.risk import risk_assessment_save, risk_assessment_start, risk_assessment_submit
from scorecard.services.systems import system_create

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
                "the organisation owner has a half-answered draft, and an AI system with its risk assessment,\n"
                "two submitted assessments (trend) and two tracked actions.\n"
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
        name="Organisation-wide review, first pass",
        sector=bank.sector,
        size=bank.size,
        ai_role="both",
        uses_genai=False,
        target_markets=["ID", "MY", "SG"],
    )
    answer_demo_questions(draft, owner, share=0.5)
    demo_workspace(bank=bank, owner=owner)


# The risk impact assessment of the demo system (Annex A): possible, significant harm to many customers.
RISK_TEXT = {
    "OB-01": "Scores retail credit applications so that officers review the clearest cases first.",
    "GO-02": "Head of retail credit owns the decisions; the data science lead owns the model.",
    "HI-01": "An applicant could be refused credit because the model under-rates informal incomes.",
    "HI-06": "Over the loop today: officers review declined applications weekly.",
}
RISK_CHOICES = {"HI-02": 2, "HI-03": 2, "HI-04": "no", "HI-05": "yes", "ST-02": "no"}


def demo_workspace(*, bank: Organisation, owner: Any) -> None:
    """One AI system with everything the workspace shows: risk, a baseline, actions, evidence, a re-assessment."""
    system = system_create(
        organisation=bank,
        by=owner,
        role=Role.OWNER,
        name="Credit-scoring model",
        purpose="Scores retail credit applications in Malaysia, Indonesia and Singapore.",
        owner=owner,
        lifecycle="deployed",
        ai_role="both",
        models_and_vendors="In-house gradient-boosting model; credit bureau data.",
        data_categories=["personal", "financial"],
        affected_groups=["customers"],
        markets=["ID", "MY", "SG"],
        human_involvement="over",
    )
    risk, _created = risk_assessment_start(system=system, by=owner, role=Role.OWNER)
    answers: dict[str, dict[str, Any]] = {}
    for question in risk.method.questions.all():
        if question.code in RISK_CHOICES:
            answers[question.code] = {"value": RISK_CHOICES[question.code]}
        elif question.kind == "text":
            answers[question.code] = {"value": RISK_TEXT.get(question.code, "Documented in the model card.")}
        else:
            answers[question.code] = {"value": "yes"}
    risk_assessment_save(risk=risk, by=owner, role=Role.OWNER, answers=answers)
    risk_assessment_submit(risk=risk, by=owner, role=Role.OWNER)

    baseline = assessment_create(
        organisation=bank,
        by=owner,
        name="Credit-scoring model, 2026 baseline",
        ai_system=system,
        sector=bank.sector,
        size=bank.size,
        ai_role="both",
        uses_genai=False,
        target_markets=["ID", "MY", "SG"],
    )
    answer_demo_questions(baseline, owner)
    assessment_submit(assessment=baseline, by=owner)
    baseline.refresh_from_db()
    today = timezone.localdate()
    first_gap, second_gap = list(gaps_of(baseline))[:2]
    closed = action_create(
        assessment=baseline, by=owner, role=Role.OWNER, question_code=first_gap, owner=owner, due_on=today
    )
    policy = SimpleUploadedFile("credit-model-review-policy.txt", DEMO_POLICY.encode(), "text/plain")
    action_update(
        action=closed,
        by=owner,
        role=Role.OWNER,
        status=Action.Status.DONE,
        owner=owner,
        due_on=today,
        notes="Policy approved by the risk committee (demo data).",
        justification="",
        evidence_ids=[],
        upload=policy,
    )
    # An overdue action, so that the action plan shows how one stands out.
    action_create(
        assessment=baseline,
        by=owner,
        role=Role.OWNER,
        question_code=second_gap,
        owner=owner,
        due_on=today - dt.timedelta(days=3),
        notes="Waiting for the vendor's documentation (demo data).",
    )
    # The re-assessment closes the first gap: the trend shows the progress.
    review, _created = assessment_reassess(assessment=baseline, by=owner, role=Role.OWNER)
    review.name = "Credit-scoring model, 2026 review"
    review.save(update_fields=["name"])
    improved = applicable_questions(review)[first_gap]
    best = max(improved.options.all(), key=lambda option: option.points)
    answer_save(assessment=review, question=improved, by=owner, choice=best.code, checked=[])
    assessment_submit(assessment=review, by=owner)


DEMO_POLICY = """Credit-scoring model review policy (demo data)

1. The model is reviewed by the risk committee before each release.
2. Declined applications are sampled weekly by credit officers.
3. Drift in approval rates by region is reported monthly.
"""
