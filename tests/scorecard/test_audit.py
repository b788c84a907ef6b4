"""Every write through the assessment services and the JSON import leaves an audit entry: who, what, when."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from frameworks.models import Question
from scorecard.models import Assessment, AuditEntry, Role
from scorecard.services.assessments import (
    answer_save,
    assessment_delete,
    assessment_reassess,
    assessment_submit,
    assessment_update_profile,
)
from scorecard.services.audit import audit_record
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.scorecard.test_questionnaire import answer_everything

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("created_at", "pk").values_list("action", flat=True))


def test_starting_an_assessment_is_recorded(content: Any, organisation: Any, owner: Any) -> None:
    client_for(owner).post(
        reverse("assessment_create", args=[organisation.pk]),
        {"name": "Chatbot review", "sector": "finance", "size": "large", "ai_role": "both", "target_markets": ["SG"]},
    )
    entry = AuditEntry.objects.get()
    assessment = Assessment.objects.get()
    assert (entry.action, entry.user, entry.user_email) == ("assessment.create", owner, owner.email)
    assert (entry.organisation, entry.assessment_id, entry.detail) == (organisation, assessment.pk, "Chatbot review")
    assert entry.created_at is not None


def test_each_write_of_an_assessment_is_recorded_with_who_and_what(assessment: Assessment, owner: Any) -> None:
    editor = MembershipFactory(organisation=assessment.organisation, role=Role.EDITOR).user
    assessment_update_profile(
        assessment=assessment,
        by=editor,
        name=assessment.name,
        sector="health",
        size=assessment.size,
        ai_role=assessment.ai_role,
        uses_genai=assessment.uses_genai,
        target_markets=["SG"],
    )
    profile = AuditEntry.objects.get(action="assessment.profile")
    assert profile.user == editor and profile.detail == "sector, target_markets"

    question = Question.objects.get(version=assessment.framework_version, code="TE-01")
    answer_save(assessment=assessment, question=question, by=editor, choice="2", checked=[])
    answer_save(assessment=assessment, question=question, by=editor, choice="2", checked=[])  # no change
    assert AuditEntry.objects.filter(action="answer.save", detail="TE-01").count() == 1

    answer_everything(assessment, owner)
    AuditEntry.objects.filter(action="answer.save").delete()
    assessment_submit(assessment=assessment, by=owner)
    draft, _ = assessment_reassess(assessment=assessment, by=editor)
    assessment_delete(assessment=draft, by=editor)

    assert actions() == ["assessment.profile", "assessment.submit", "assessment.reassess", "assessment.delete"]
    reassess = AuditEntry.objects.get(action="assessment.reassess")
    assert reassess.assessment_id == draft.pk and str(assessment.pk) in reassess.detail
    deleted = AuditEntry.objects.get(action="assessment.delete")
    assert deleted.assessment_id == draft.pk and not Assessment.objects.filter(pk=draft.pk).exists()
    assert set(AuditEntry.objects.values_list("organisation", flat=True)) == {assessment.organisation_id}


def test_a_refused_write_leaves_no_entry(assessment: Assessment, owner: Any) -> None:
    client = client_for(owner)
    client.post(reverse("assessment_submit", args=[assessment.pk]))  # nothing answered yet: refused
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.DRAFT
    assert not AuditEntry.objects.exists()


def test_an_import_is_recorded_and_a_refused_one_is_not(content: Any, organisation: Any, owner: Any) -> None:
    payload = {
        "schema": "asean-ai-scorecard/assessment",
        "schema_version": 1,
        "framework_version": content.code,
        "assessment": {
            "name": "From the consultant's laptop",
            "sector": "retail",
            "size": "medium",
            "ai_role": "deployer",
            "uses_genai": True,
            "target_markets": ["TH"],
        },
        "answers": [{"question": "TE-01", "choice": "3"}, {"question": "TE-02", "choice": "unknown"}],
    }

    def upload(data: dict[str, Any]) -> Any:
        raw = json.dumps(data).encode()
        return client_for(owner).post(
            reverse("assessment_import", args=[organisation.pk]),
            {"file": SimpleUploadedFile("a.json", raw, content_type="application/json")},
        )

    bad = {**payload, "answers": [{"question": "ZZ-99"}]}
    assert upload(bad).status_code == 400
    assert not AuditEntry.objects.exists()

    assert upload(payload).status_code == 302
    entry = AuditEntry.objects.get()
    imported = Assessment.objects.get()
    assert (entry.action, entry.user, entry.assessment_id) == ("assessment.import", owner, imported.pk)
    assert entry.detail == "From the consultant's laptop: 2 answers from a JSON file"


def test_reassessing_twice_is_recorded_once(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    client = client_for(owner)
    client.post(reverse("assessment_reassess", args=[assessment.pk]))
    client.post(reverse("assessment_reassess", args=[assessment.pk]))
    assert AuditEntry.objects.filter(action="assessment.reassess").count() == 1


def test_the_trail_outlives_the_account_and_the_organisation(content: Any) -> None:
    person = UserFactory(email="leaver@example.org")
    organisation = OrganisationFactory()
    entry = audit_record(by=person, action="assessment.create", organisation=organisation, detail="x")
    person.delete()
    organisation.delete()
    entry.refresh_from_db()
    assert entry.user is None and entry.organisation is None and entry.user_email == "leaver@example.org"


def test_the_admin_shows_the_trail_and_nobody_can_change_it(assessment: Assessment, owner: Any) -> None:
    answer_everything(assessment, owner)
    entry = AuditEntry.objects.first()
    assert entry is not None
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(admin_user)
    listing = client.get(reverse("admin:scorecard_auditentry_changelist"))
    assert listing.status_code == 200 and "answer.save" in listing.content.decode()
    assert client.get(reverse("admin:scorecard_auditentry_add")).status_code == 403
    change_url = reverse("admin:scorecard_auditentry_change", args=[entry.pk])
    assert client.get(change_url).status_code == 200  # view only
    assert client.post(change_url, {"action": "forged"}).status_code == 403
    delete_url = reverse("admin:scorecard_auditentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "answer.save"
