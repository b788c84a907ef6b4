"""Tenant isolation: every URL that takes an object id answers 404 to a user of another organisation.

The test walks the URL configuration itself, so a view added later is covered automatically: a new
parameter name makes this test fail until it says how to fill it in.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from scorecard.models import BulkExport, Role
from tests.conftest import client_for
from tests.factories import (
    ActionFactory,
    AISystemFactory,
    GrantFactory,
    RiskAssessmentFactory,
    stored_evidence,
    stored_zip,
)

pytestmark = pytest.mark.django_db

# URL names whose parameters are not tenant object ids (a signed invitation token), or that only staff reach
# (the admin, tested by Django). allauth's own token URLs use regular expressions, which this walk skips.
NOT_TENANT_OBJECTS = {"invitation_accept"}


def named_patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, URLPattern]]:
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if getattr(entry, "app_name", None) == "admin":
                continue
            found += named_patterns(entry, prefix)
        elif entry.name and entry.pattern.converters:
            found.append((entry.name, entry))
    return found


@pytest.fixture
def victim_objects(assessment: Any, organisation: Any, owner: Any) -> dict[str, Any]:
    grant = GrantFactory(client=organisation, granted_by=owner)
    export = BulkExport.objects.create(
        requested_by=owner, assessment_ids=[str(assessment.pk)], status="done", archive_name=stored_zip()
    )
    system = AISystemFactory(organisation=organisation, owner=owner)
    return {
        "assessment": assessment,
        "organisation": organisation,
        "grant": grant,
        "export": export,
        "system": system,
        "risk": RiskAssessmentFactory(ai_system=system),
        "action": ActionFactory(assessment=assessment),
        "evidence": stored_evidence(organisation),
    }


def kwargs_for(name: str, pattern: URLPattern, objects: dict[str, Any]) -> dict[str, Any]:
    route = str(pattern.pattern)
    values: dict[str, Any] = {}
    for param in pattern.pattern.converters:
        if param == "pk" and route.startswith("assessments/"):
            values[param] = objects["assessment"].pk
        elif param == "pk" and route.startswith("orgs/"):
            values[param] = objects["organisation"].pk
        elif param == "pk" and route.startswith("portfolio/exports/"):
            values[param] = objects["export"].pk
        elif param == "pk" and route.startswith("systems/"):
            values[param] = objects["system"].pk
        elif param == "pk" and route.startswith("risk-assessments/"):
            values[param] = objects["risk"].pk
        elif param == "pk" and route.startswith("actions/"):
            values[param] = objects["action"].pk
        elif param == "pk" and route.startswith("evidence/"):
            values[param] = objects["evidence"].pk
        elif param == "grant_pk":
            values[param] = objects["grant"].pk
        elif param == "membership_pk":
            values[param] = objects["organisation"].memberships.first().pk
        elif param == "section":
            values[param] = "principle-TE"
        elif param == "code":
            values[param] = "TE-01"
        else:
            pytest.fail(f"URL {name!r} ({route}) has a parameter {param!r} this test does not know: add it here")
    return values


def test_every_object_url_is_hidden_from_other_organisations(victim_objects: dict[str, Any], outsider: Any) -> None:
    client = client_for(outsider)
    checked = []
    for name, pattern in named_patterns():
        if name in NOT_TENANT_OBJECTS:
            continue
        kwargs = kwargs_for(name, pattern, victim_objects)
        url = reverse(name, kwargs=kwargs)
        # A made-up id for every object in the URL: what the outsider gets for the victim's object must be
        # what anyone gets for an object that does not exist.
        fake_url = reverse(
            name, kwargs={k: (uuid.uuid4() if isinstance(v, uuid.UUID) else v) for k, v in kwargs.items()}
        )
        for method in ("post", "get"):
            response = getattr(client, method)(url, {"TE-01-choice": "4", "email": "x@example.org", "role": "viewer"})
            if response.status_code == 405:
                # The method is refused before anything is looked up, so the answer reveals nothing.
                assert getattr(client, method)(fake_url).status_code == 405, (name, method)
            else:
                assert response.status_code == 404, (name, method, response.status_code)
        checked.append(name)
    assert len(checked) >= 20, checked
    # Nothing changed for the victim.
    victim_objects["assessment"].refresh_from_db()
    assert victim_objects["assessment"].answers.count() == 0
    assert victim_objects["organisation"].invitations.count() == 0
    assert victim_objects["organisation"].memberships.count() == 1
    assert type(victim_objects["assessment"]).objects.filter(pk=victim_objects["assessment"].pk).exists()
    # ...nor in the workspace: the system, its risk assessment, the action and the evidence file are as they were.
    system, risk, action = victim_objects["system"], victim_objects["risk"], victim_objects["action"]
    assert type(system).objects.filter(pk=system.pk, name=system.name).exists()
    risk.refresh_from_db()
    assert risk.status == "draft" and risk.answers == {}
    action.refresh_from_db()
    assert action.status == "open" and action.owner is None
    assert type(victim_objects["evidence"]).objects.filter(pk=victim_objects["evidence"].pk).exists()
    assert victim_objects["organisation"].ai_systems.count() == 1


def test_the_owner_reaches_the_same_urls(victim_objects: dict[str, Any], owner: Any) -> None:
    client = client_for(owner)
    for name in ("assessment_detail", "assessment_results", "assessment_readiness", "organisation_detail"):
        pattern = dict(named_patterns())[name]
        response = client.get(reverse(name, kwargs=kwargs_for(name, pattern, victim_objects)))
        assert response.status_code == 200, name


def test_revoked_grant_removes_consultant_access(assessment: Any, organisation: Any, owner: Any) -> None:
    grant = GrantFactory(client=organisation, granted_by=owner, role=Role.EDITOR)
    consultant = grant.consultancy.memberships.create(
        user=owner.__class__.objects.create_user("c@example.org", "c@example.org", "x"), role=Role.OWNER
    ).user
    client = client_for(consultant)
    assert client.get(reverse("assessment_detail", args=[assessment.pk])).status_code == 200
    client_for(owner).post(reverse("grant_revoke", args=[organisation.pk, grant.pk]))
    assert client.get(reverse("assessment_detail", args=[assessment.pk])).status_code == 404


def test_viewer_cannot_change_answers(assessment: Any, organisation: Any) -> None:
    viewer = organisation.memberships.create(
        user=organisation.memberships.get().user.__class__.objects.create_user("v@example.org", "v@example.org", "x"),
        role=Role.VIEWER,
    ).user
    url = reverse("answer_autosave", args=[assessment.pk, "principle-TE", "TE-01"])
    assert client_for(viewer).post(url, {"TE-01-choice": "4"}).status_code == 403
    assert assessment.answers.count() == 0
