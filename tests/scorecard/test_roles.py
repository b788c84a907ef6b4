"""Who may do what: the role matrix of docs/roles.md, checked URL by URL, and a consultancy's limits on a client.

The matrix is read from docs/roles.md itself, so the documentation cannot drift from the code: every URL pattern
of scorecard/urls.py must have a row there, and every row is requested by each kind of caller with GET and POST.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from PIL import Image

from scorecard import urls as project_urls
from scorecard.models import BulkExport, ConsultantGrant, Invitation, Membership, Organisation, Role
from scorecard.services import organisations as org_services
from scorecard.services.errors import NotAllowed, ServiceError
from scorecard.transfer import assessment_export
from tests.conftest import client_for
from tests.factories import (
    ActionFactory,
    AISystemFactory,
    AssessmentFactory,
    ConsultancyFactory,
    GrantFactory,
    MembershipFactory,
    OrganisationFactory,
    RiskAssessmentFactory,
    UserFactory,
    stored_evidence,
    stored_zip,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
ROLES_DOC = Path(__file__).resolve().parents[2] / "docs" / "roles.md"
CALLERS = ["owner", "editor", "viewer", "consultant_editor", "consultant_viewer", "revoked", "staff", "anonymous"]
OUTCOMES = {"ok", "403", "404", "405", "login"}


# --- The table -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    route: str
    expected: dict[tuple[str, str], str]  # (caller, method) -> outcome


def matrix_rows() -> list[Row]:
    """The rows of the table between the role-matrix markers in docs/roles.md."""
    text = ROLES_DOC.read_text(encoding="utf-8")
    table = text.split("<!-- role-matrix -->")[1].split("<!-- /role-matrix -->")[0]
    rows = []
    for line in table.strip().splitlines()[2:]:  # past the header and its rule
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        name, route, outcomes = cells[0].strip("`"), cells[1].strip("`"), cells[2:]
        assert len(outcomes) == len(CALLERS), f"docs/roles.md: row {name!r} needs one cell per caller"
        expected = {}
        for caller, cell in zip(CALLERS, outcomes, strict=True):
            get, _slash, post = cell.partition(" / ")
            for method, outcome in (("GET", get), ("POST", post or get)):
                assert outcome in OUTCOMES, f"docs/roles.md: {name}: unknown outcome {outcome!r}"
                expected[caller, method] = outcome
        rows.append(Row(name=name, route=route, expected=expected))
    return rows


def project_patterns() -> dict[str, URLPattern]:
    """The app's own URL patterns (the admin and the account pages under accounts/ are included libraries)."""
    return {
        (entry.name or str(entry.pattern)): entry for entry in project_urls.urlpatterns if isinstance(entry, URLPattern)
    }


def test_every_url_pattern_has_a_row_in_the_role_matrix() -> None:
    documented = {row.name for row in matrix_rows()}
    patterns = set(project_patterns())
    assert not patterns - documented, f"add these URLs to the role matrix in docs/roles.md: {patterns - documented}"
    assert not documented - patterns, f"docs/roles.md lists URLs that no longer exist: {documented - patterns}"
    for row in matrix_rows():
        assert str(project_patterns()[row.name].pattern) == row.route, f"docs/roles.md: route of {row.name}"


# --- The world the matrix is checked in ------------------------------------------------------------------------


@dataclass
class World:
    organisation: Organisation
    consultancy: Organisation  # for the consultancy's own pages: the owner, editor and viewer are its members
    assessment: Any
    editor_membership: Membership
    grant: ConsultantGrant
    export: BulkExport
    token: str
    system: Any = None
    risk: Any = None
    action: Any = None
    evidence: Any = None
    clients: dict[str, Client] = field(default_factory=dict)


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (32, 32), "teal").save(data, "PNG")
    data.seek(0)
    data.name = "logo.png"
    return data


def _export_file(assessment: Any) -> io.BytesIO:
    data = io.BytesIO(json.dumps(assessment_export(assessment)).encode())
    data.name = "assessment.json"
    return data


def build_world(content: Any) -> World:
    organisation = OrganisationFactory(name="Matrix Org")
    consultancy = ConsultancyFactory(name="Matrix Advisory")
    people = {role: UserFactory(email=f"{role}@matrix.example") for role in ("owner", "editor", "viewer")}
    memberships = {}
    for role, user in people.items():
        memberships[role] = MembershipFactory(organisation=organisation, user=user, role=role)
        MembershipFactory(organisation=consultancy, user=user, role=role)
    grants = {}
    for caller, grant_role in (("consultant_editor", Role.EDITOR), ("consultant_viewer", Role.VIEWER)):
        firm = ConsultancyFactory()
        people[caller] = MembershipFactory(organisation=firm, role=Role.OWNER).user
        grants[caller] = GrantFactory(
            client=organisation, consultancy=firm, role=grant_role, granted_by=people["owner"]
        )
    revoked_firm = ConsultancyFactory()
    people["revoked"] = MembershipFactory(organisation=revoked_firm, role=Role.OWNER).user
    GrantFactory(client=organisation, consultancy=revoked_firm, granted_by=people["owner"], revoked_at=timezone.now())
    people["staff"] = User.objects.create_superuser("staff@matrix.example", "staff@matrix.example", "x-Long-pass-42")
    MembershipFactory(organisation=ConsultancyFactory(), user=UserFactory(email="other-consultant@matrix.example"))
    assessment = AssessmentFactory(organisation=organisation, created_by=people["owner"])
    export = BulkExport.objects.create(
        requested_by=people["owner"],
        assessment_ids=[str(assessment.pk)],
        status=BulkExport.Status.DONE,
        archive_name=stored_zip(),
    )
    invitation = Invitation.objects.create(
        organisation=organisation, email="invitee@matrix.example", role=Role.VIEWER, invited_by=people["owner"]
    )
    world = World(
        organisation=organisation,
        consultancy=consultancy,
        assessment=assessment,
        editor_membership=memberships["editor"],
        grant=grants["consultant_editor"],
        export=export,
        token=org_services.invitation_token(invitation),
        system=(system := AISystemFactory(organisation=organisation, owner=people["owner"])),
        risk=RiskAssessmentFactory(ai_system=system),
        action=ActionFactory(assessment=assessment, owner=people["editor"]),
        evidence=stored_evidence(organisation),
    )
    world.clients = {caller: client_for(user) for caller, user in people.items()}
    world.clients["anonymous"] = Client()
    return world


def url_kwargs(pattern: URLPattern, world: World) -> dict[str, Any]:
    route = str(pattern.pattern)
    values: dict[str, Any] = {}
    for param in pattern.pattern.converters:
        if param == "pk" and route.endswith(("clients/new/", "branding/")):
            values[param] = world.consultancy.pk
        elif param == "pk" and route.startswith("orgs/"):
            values[param] = world.organisation.pk
        elif param == "pk" and route.startswith("assessments/"):
            values[param] = world.assessment.pk
        elif param == "pk" and route.startswith("portfolio/exports/"):
            values[param] = world.export.pk
        elif param == "pk" and route.startswith("systems/"):
            values[param] = world.system.pk
        elif param == "pk" and route.startswith("risk-assessments/"):
            values[param] = world.risk.pk
        elif param == "pk" and route.startswith("actions/"):
            values[param] = world.action.pk
        elif param == "pk" and route.startswith("evidence/"):
            values[param] = world.evidence.pk
        elif param == "membership_pk":
            values[param] = world.editor_membership.pk
        elif param == "grant_pk":
            values[param] = world.grant.pk
        elif param == "token":
            values[param] = world.token
        elif param == "section":
            values[param] = "principle-TE"
        elif param == "code":
            values[param] = "TE-01"
        else:
            pytest.fail(f"URL {route} has a parameter {param!r} this test does not know: add it to url_kwargs")
    return values


def post_data(name: str, world: World) -> dict[str, Any]:
    """What a well-meaning caller would post, so that an allowed request reaches the service."""
    profile = {
        "name": "Matrix review",
        "sector": "finance",
        "size": "large",
        "ai_role": "both",
        "target_markets": ["SG"],
    }
    return {
        "invitation_create": {"email": "new@matrix.example", "role": "owner"},
        "membership_role_change": {"role": "viewer"},
        "grant_create": {"consultant_email": "other-consultant@matrix.example", "role": "viewer"},
        "client_create": {"name": "New Client", "sector": "retail", "size": "small", "hq_country": "TH"},
        "organisation_edit": {"name": "Renamed Org", "sector": "finance", "size": "large", "hq_country": "MY"},
        "organisation_delete": {"confirm_name": world.organisation.name},
        "branding_upload": {"logo": _png()},
        "assessment_import": {"file": _export_file(world.assessment)},
        "assessment_create": profile,
        "assessment_profile": profile,
        "answer_autosave": {"TE-01-choice": "3"},
        "bulk_export": {"assessments": [str(world.assessment.pk)]},
        "account_delete": {"password": "not the password"},
        "organisation_mfa_rule": {"members_must_use_mfa": ""},
    }.get(name, {})


def outcome_of(response: HttpResponse) -> str:
    if response.status_code in (403, 404, 405):
        return str(response.status_code)
    if response.status_code in (301, 302) and response["Location"].startswith(resolve_url(settings.LOGIN_URL)):
        return "login"
    return "ok" if 200 <= response.status_code < 400 else str(response.status_code)


@pytest.fixture
def fake_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Access is what this file tests: a PDF renderer that answers at once keeps the matrix fast."""
    monkeypatch.setattr("scorecard.reports.pdf.html_to_pdf", lambda html: b"%PDF-1.7 matrix")


@pytest.mark.usefixtures("fake_pdf")
@pytest.mark.parametrize("row", matrix_rows(), ids=lambda row: row.name)
def test_role_matrix(row: Row, content: Any) -> None:
    world = build_world(content)
    pattern = project_patterns()[row.name]
    url = reverse(row.name, kwargs=url_kwargs(pattern, world)) if pattern.name else f"/{pattern.pattern}"
    wrong = []
    for caller in CALLERS:
        for method in ("GET", "POST"):
            # Each request runs in a savepoint that is rolled back: every caller meets the same world.
            with transaction.atomic():
                client = world.clients[caller]
                response = client.get(url) if method == "GET" else client.post(url, post_data(row.name, world))
                transaction.set_rollback(True)
            got, expected = outcome_of(response), row.expected[caller, method]
            if got != expected:
                wrong.append(f"{caller} {method} {url}: {got}, the table says {expected}")
    assert not wrong, "\n".join(wrong)


# --- A consultancy and the client it created ---------------------------------------------------------------------


def _create_client(consultant: Any, consultancy: Organisation) -> Organisation:
    client_for(consultant).post(
        reverse("client_create", args=[consultancy.pk]),
        {"name": "Client Co", "sector": "retail", "size": "medium", "hq_country": "TH"},
    )
    return Organisation.objects.get(name="Client Co")


def _invite(user: Any, organisation: Organisation, email: str, role: str) -> HttpResponse:
    return client_for(user).post(reverse("invitation_create", args=[organisation.pk]), {"email": email, "role": role})


def _accept(user: Any, message_index: int = -1) -> HttpResponse:
    link = re.search(r"(/invitations/[^\s]+/)", mail.outbox[message_index].body).group(1)  # type: ignore[union-attr]
    return client_for(user).post(link, follow=True)


@pytest.fixture
def consultancy_and_client(content: Any) -> tuple[Any, Organisation, Organisation, Any]:
    """A consultancy creates a client and invites its real owner, who joins: the trust phase is over."""
    consultancy = ConsultancyFactory()
    consultant = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    client_org = _create_client(consultant, consultancy)
    boss = UserFactory(email="boss@client.example")
    assert _invite(consultant, client_org, boss.email, Role.OWNER).status_code == 302
    _accept(boss)
    assert Membership.objects.get(organisation=client_org, user=boss).role == Role.OWNER
    return consultant, consultancy, client_org, boss


def test_a_consultancy_cannot_take_over_a_client_it_created(consultancy_and_client: Any) -> None:
    """The attack from the field: invite one's own log-in as owner, demote the real owner, stop the revoke."""
    consultant, consultancy, client_org, boss = consultancy_and_client
    second_login = UserFactory(email="consultant.two@advisory.example")
    boss_membership = Membership.objects.get(organisation=client_org, user=boss)

    assert _invite(consultant, client_org, second_login.email, Role.OWNER).status_code == 403
    assert _invite(consultant, client_org, second_login.email, Role.VIEWER).status_code == 403
    assert not Invitation.objects.filter(email=second_login.email).exists()
    demote = client_for(consultant).post(
        reverse("membership_role_change", args=[client_org.pk, boss_membership.pk]), {"role": "viewer"}
    )
    assert demote.status_code == 403
    remove = client_for(consultant).post(reverse("membership_remove", args=[client_org.pk, boss_membership.pk]))
    assert remove.status_code == 403
    boss_membership.refresh_from_db()
    assert boss_membership.role == Role.OWNER

    # The consultancy still does the assessment work it was granted...
    assert client_for(consultant).get(reverse("assessment_create", args=[client_org.pk])).status_code == 200
    page = client_for(consultant).get(reverse("organisation_detail", args=[client_org.pk])).content.decode()
    assert reverse("invitation_create", args=[client_org.pk]) not in page
    assert reverse("membership_role_change", args=[client_org.pk, boss_membership.pk]) not in page
    # ...and the client's owner revokes it whenever they like.
    grant = ConsultantGrant.objects.get(client=client_org, consultancy=consultancy)
    response = client_for(boss).post(reverse("grant_revoke", args=[client_org.pk, grant.pk]))
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert client_for(consultant).get(reverse("organisation_detail", args=[client_org.pk])).status_code == 404


def test_an_invitation_the_consultancy_sent_in_trust_lapses_when_the_first_owner_joins(content: Any) -> None:
    consultancy = ConsultancyFactory()
    consultant = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    client_org = _create_client(consultant, consultancy)
    boss, second_login = UserFactory(email="boss@client.example"), UserFactory(email="two@advisory.example")
    _invite(consultant, client_org, boss.email, Role.OWNER)
    _invite(consultant, client_org, second_login.email, Role.OWNER)
    _accept(boss, 0)
    refused = _accept(second_login, 1)
    assert "This invitation can no longer be accepted" in refused.content.decode()
    assert not Membership.objects.filter(organisation=client_org, user=second_login).exists()
    # The owner's own invitations work as ever.
    _invite(boss, client_org, second_login.email, Role.EDITOR)
    _accept(second_login)
    assert Membership.objects.get(organisation=client_org, user=second_login).role == Role.EDITOR


def test_in_trust_only_the_consultancys_owners_invite_and_the_client_keeps_to_its_first_owner(content: Any) -> None:
    consultancy = ConsultancyFactory()
    consultant = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    junior = MembershipFactory(organisation=consultancy, role=Role.EDITOR).user
    client_org = _create_client(consultant, consultancy)
    assert ConsultantGrant.objects.get(client=client_org).role == Role.EDITOR  # never an owner-level grant

    page = client_for(consultant).get(reverse("organisation_detail", args=[client_org.pk])).content.decode()
    assert "holds this client in trust" in page and reverse("invitation_create", args=[client_org.pk]) in page
    assert _invite(junior, client_org, "someone@client.example", Role.OWNER).status_code == 403
    assert client_for(consultant).get(reverse("organisation_edit", args=[client_org.pk])).status_code == 200

    boss = UserFactory(email="boss@client.example")
    _invite(consultant, client_org, boss.email, Role.OWNER)
    _accept(boss)
    # From now on the owner controls the client: its details too.
    assert client_for(consultant).get(reverse("organisation_edit", args=[client_org.pk])).status_code == 403
    assert client_for(boss).get(reverse("organisation_edit", args=[client_org.pk])).status_code == 200


def test_an_owner_level_grant_from_before_gives_a_consultant_no_more_than_editing(
    organisation: Any, owner: Any, content: Any
) -> None:
    consultancy = ConsultancyFactory()
    consultant = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    grant = GrantFactory(client=organisation, consultancy=consultancy, role=Role.OWNER, granted_by=owner)
    mine = Membership.objects.get(organisation=organisation, user=owner)
    client = client_for(consultant)
    assert client.get(reverse("assessment_create", args=[organisation.pk])).status_code == 200
    assert _invite(consultant, organisation, consultant.email, Role.OWNER).status_code == 403
    assert (
        client.post(reverse("membership_role_change", args=[organisation.pk, mine.pk]), {"role": "viewer"}).status_code
        == 403
    )
    assert client.post(reverse("grant_revoke", args=[organisation.pk, grant.pk])).status_code == 403
    assert client.get(reverse("organisation_edit", args=[organisation.pk])).status_code == 403


def test_the_services_refuse_whom_the_rules_do_not_allow(consultancy_and_client: Any) -> None:
    """Each service checks the caller itself, whatever a view did or forgot to do."""
    consultant, consultancy, client_org, boss = consultancy_and_client
    editor = MembershipFactory(organisation=client_org, role=Role.EDITOR).user
    boss_membership = Membership.objects.get(organisation=client_org, user=boss)
    grant = ConsultantGrant.objects.get(client=client_org, consultancy=consultancy)
    refused = {
        "invitation_create": lambda by: org_services.invitation_create(
            organisation=client_org, email="x@example.org", role=Role.OWNER, by=by, base_url="http://testserver"
        ),
        "membership_role_change": lambda by: org_services.membership_role_change(
            membership=boss_membership, role=Role.VIEWER, by=by
        ),
        "membership_remove": lambda by: org_services.membership_remove(membership=boss_membership, by=by),
        "grant_create": lambda by: org_services.grant_create(
            client=client_org, consultant_email=consultant.email, role=Role.EDITOR, by=by
        ),
        "grant_revoke": lambda by: org_services.grant_revoke(grant=grant, by=by),
        "organisation_update": lambda by: org_services.organisation_update(
            organisation=client_org, by=by, name="Taken", sector="retail", size="small", hq_country="TH"
        ),
        "organisation_delete": lambda by: org_services.organisation_delete(organisation=client_org, by=by),
    }
    for name, call in refused.items():
        for by in (consultant, editor):
            with pytest.raises(NotAllowed):
                call(by)
                pytest.fail(f"{name} let {by.email} through")
    boss_membership.refresh_from_db()
    grant.refresh_from_db()
    client_org.refresh_from_db()
    assert boss_membership.role == Role.OWNER and grant.revoked_at is None and client_org.name == "Client Co"
    with pytest.raises(ServiceError, match="Only a consultancy"):
        org_services.client_create(
            consultancy=client_org, by=boss, name="X", sector="retail", size="small", hq_country="TH"
        )
    with pytest.raises(ServiceError, match="cannot give another consultancy access"):
        org_services.grant_create(client=consultancy, consultant_email=boss.email, role=Role.EDITOR, by=consultant)
