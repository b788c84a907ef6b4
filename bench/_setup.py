"""Shared set-up for the benchmarks: a throwaway SQLite database with the shipped content and a full
assessment (every question answered, GenAI on, all 11 markets). Never part of the test run."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402


def full_assessment():  # type: ignore[no-untyped-def]
    from frameworks.models import Country, FrameworkVersion, Question
    from scorecard.models import Answer, Assessment, Membership, Organisation
    from scorecard.services.organisations import user_create

    call_command("migrate", verbosity=0)
    call_command("load_content", verbosity=0)  # every shipped edition; the newest is current
    version = FrameworkVersion.objects.current()
    user = user_create(email="bench@example.org", password="bench-password-123", email_verified=True)
    organisation = Organisation.objects.create(name="Bench Org", sector="finance", size="large", hq_country="SG")
    Membership.objects.create(user=user, organisation=organisation, role="owner")
    markets = list(Country.objects.filter(version=version).values_list("code", flat=True))
    assessment = Assessment.objects.create(
        organisation=organisation,
        framework_version=version,
        name="Full assessment",
        sector="finance",
        size="large",
        ai_role="both",
        uses_genai=True,
        target_markets=markets,
        created_by=user,
    )
    answers = []
    for i, question in enumerate(Question.objects.filter(version=version).prefetch_related("options")):
        options = list(question.options.all())
        if question.scale == "checklist":
            answers.append(
                Answer(
                    assessment=assessment,
                    question=question,
                    choice="checklist",
                    checked=[o.code for o in options[: i % 4]],
                    updated_by=user,
                    evidence_note="Policy document v3, owner: CRO; ghi chú tiếng Việt",
                )
            )
        else:
            answers.append(
                Answer(
                    assessment=assessment,
                    question=question,
                    choice=options[i % len(options)].code,
                    updated_by=user,
                    evidence_note="Evidence kept in the GRC tool, reviewed quarterly",
                )
            )
    Answer.objects.bulk_create(answers)
    return assessment, user
