"""The AI-system inventory through its pages: add, change, delete, who may, and what the pages show."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecard.models import AISystem, AuditEntry, Role
from scorecard.services import systems as services
from scorecard.services.errors import NotAllowed, ServiceError
from tests.conftest import client_for
from tests.factories import (
    AISystemFactory,
    AssessmentFactory,
    GrantFactory,
    MembershipFactory,
    RiskAssessmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(organisation: Any) -> Any:
    return MembershipFactory(organisation=organisation, role=Role.EDITOR, user=UserFactory(email="ed@example.org")).user


@pytest.fixture
def viewer(organisation: Any) -> Any:
    return MembershipFactory(organisation=organisation, role=Role.VIEWER, user=UserFactory(email="vi@example.org")).user


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Loan scoring",
        "purpose": "Scores consumer loan applications",
        "owner": "",
        "lifecycle": "deployed",
        "ai_role": "developer",
        "uses_genai": "on",
        "models_and_vendors": "Gradient boosting, in house",
        "data_categories": ["financial", "personal"],
        "affected_groups": ["customers"],
        "markets": ["VN", "TH"],
        "human_involvement": "over",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def audit_actions(organisation: Any) -> list[str]:
    return list(AuditEntry.objects.filter(organisation=organisation).values_list("action", flat=True))


# --- Adding, changing, deleting ----------------------------------------------------------------------------------


def test_an_editor_adds_a_system_and_the_audit_trail_records_it(
    content: Any, organisation: Any, editor: Any, owner: Any
) -> None:
    response = client_for(editor).post(reverse("system_create", args=[organisation.pk]), form_data(owner=str(owner.pk)))
    system = AISystem.objects.get(organisation=organisation)
    assert response.status_code == 302 and response["Location"] == reverse("system_detail", args=[system.pk])
    assert system.name == "Loan scoring" and system.owner == owner and system.created_by == editor
    assert system.uses_genai is True and system.human_involvement == "over"
    # Lists are stored once each, in the order of their choices, whatever order the form sent them in.
    assert system.data_categories == ["personal", "financial"]
    assert system.markets == ["TH", "VN"]
    entry = AuditEntry.objects.get(organisation=organisation, action="system.create")
    assert entry.user == editor and entry.detail == "Loan scoring"


def test_editing_changes_the_entry_keeps_the_risk_level_and_audits_what_changed(
    content: Any, organisation: Any, owner: Any
) -> None:
    system = AISystemFactory(organisation=organisation, name="Chatbot", risk_level="high")
    data = form_data(name="Support chatbot", lifecycle="retired", markets=["SG"])
    response = client_for(owner).post(reverse("system_edit", args=[system.pk]), data)
    assert response.status_code == 302
    system.refresh_from_db()
    assert (system.name, system.lifecycle, system.markets, system.risk_level) == (
        "Support chatbot",
        "retired",
        ["SG"],
        "high",
    )
    entry = AuditEntry.objects.get(organisation=organisation, action="system.update")
    assert entry.detail.startswith("Support chatbot: ") and "lifecycle" in entry.detail and "markets" in entry.detail
    # Saving the same values again changes nothing, so it records nothing.
    client_for(owner).post(reverse("system_edit", args=[system.pk]), data)
    assert audit_actions(organisation).count("system.update") == 1


def test_the_edit_form_shows_the_systems_values(content: Any, organisation: Any, owner: Any) -> None:
    system = AISystemFactory(organisation=organisation, name="Fraud radar", markets=["MY"], owner=owner)
    page = client_for(owner).get(reverse("system_edit", args=[system.pk])).content.decode()
    assert 'value="Fraud radar"' in page
    assert 'name="markets" value="MY" class="form-check-input" id="id_markets_' in page
    assert f'<option value="{owner.pk}" selected>' in page


def test_deleting_asks_first_then_deletes_the_system_with_its_risk_assessments(
    content: Any, organisation: Any, owner: Any
) -> None:
    system = AISystemFactory(organisation=organisation, name="Old bot")
    risk = RiskAssessmentFactory(ai_system=system)
    client = client_for(owner)
    page = client.get(reverse("system_delete", args=[system.pk])).content.decode()
    assert "Delete “Old bot” from the inventory?" in page and "1 risk impact assessment will be deleted" in page
    assert AISystem.objects.filter(pk=system.pk).exists()

    response = client.post(reverse("system_delete", args=[system.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("system_list", args=[organisation.pk])
    assert not AISystem.objects.filter(pk=system.pk).exists()
    assert not type(risk).objects.filter(pk=risk.pk).exists()
    entry = AuditEntry.objects.get(organisation=organisation, action="system.delete")
    assert entry.detail == "Old bot (with 1 risk assessments)"


def test_a_system_with_assessments_cannot_be_deleted_but_can_be_retired(
    content: Any, organisation: Any, owner: Any
) -> None:
    system = AISystemFactory(organisation=organisation, name="Scoring")
    AssessmentFactory(organisation=organisation, ai_system=system, created_by=owner)
    client = client_for(owner)
    page = client.get(reverse("system_delete", args=[system.pk])).content.decode()
    assert "cannot be deleted" in page and "Retire it instead" in page
    assert 'class="btn btn-danger"' not in page  # no delete button to press

    response = client.post(reverse("system_delete", args=[system.pk]), follow=True)
    assert AISystem.objects.filter(pk=system.pk).exists()
    assert "Retire it instead" in response.content.decode()
    assert "system.delete" not in audit_actions(organisation)
    with pytest.raises(ServiceError, match="Retire it instead"):
        services.system_delete(system=system, by=owner, role=Role.OWNER)


# --- The rules ------------------------------------------------------------------------------------------------


def test_the_form_names_each_problem_beside_its_field_and_saves_nothing(
    content: Any, organisation: Any, owner: Any
) -> None:
    response = client_for(owner).post(
        reverse("system_create", args=[organisation.pk]),
        form_data(name="", lifecycle="launched", markets=["XX"], human_involvement="sometimes"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "lifecycle", "markets", "human_involvement"}
    page = response.content.decode()
    assert "Nothing was saved. Please correct the following:" in page
    assert '<a href="#id_markets">Markets served</a>' in page
    assert "Select a valid choice. XX is not one of the available choices." in page
    assert not AISystem.objects.exists()


def test_names_are_unique_in_the_organisation_in_any_letter_case(
    content: Any, organisation: Any, owner: Any, outsider: Any
) -> None:
    AISystemFactory(organisation=organisation, name="Loan Scoring")
    AISystemFactory(organisation=outsider.memberships.get().organisation, name="Chatbot")
    response = client_for(owner).post(reverse("system_create", args=[organisation.pk]), form_data(name="loan scoring"))
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["The inventory already has a system named loan scoring."]
    # Another organisation's names do not count.
    client_for(owner).post(reverse("system_create", args=[organisation.pk]), form_data(name="Chatbot"))
    assert AISystem.objects.filter(organisation=organisation, name="Chatbot").exists()
    # Renaming a system to its own name in another case is fine.
    system = AISystem.objects.get(organisation=organisation, name="Loan Scoring")
    client_for(owner).post(reverse("system_edit", args=[system.pk]), form_data(name="LOAN SCORING"))
    system.refresh_from_db()
    assert system.name == "LOAN SCORING"


def test_a_name_is_one_line(content: Any, organisation: Any, owner: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.system_create(
            organisation=organisation, by=owner, role=Role.OWNER, name="Two\nlines", lifecycle="pilot", ai_role="both"
        )
    assert "line breaks" in caught.value.message_dict["name"][0]


def test_the_owner_must_be_a_member_of_the_organisation(
    content: Any, organisation: Any, owner: Any, outsider: Any
) -> None:
    response = client_for(owner).post(
        reverse("system_create", args=[organisation.pk]), form_data(owner=str(outsider.pk))
    )
    assert response.status_code == 200 and "owner" in response.context["form"].errors
    page = response.content.decode()
    assert outsider.email not in page  # the form offers the members only
    assert owner.email in page
    # The service refuses it too, whatever the form let through.
    with pytest.raises(ValidationError) as caught:
        services.system_create(
            organisation=organisation,
            by=owner,
            role=Role.OWNER,
            name="X",
            lifecycle="pilot",
            ai_role="both",
            owner=outsider,
        )
    assert caught.value.message_dict["owner"] == ["outsider@example.org is not a member of the organisation."]
    assert not AISystem.objects.exists()


def test_markets_are_the_current_editions_countries(content: Any, organisation: Any, owner: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.system_create(
            organisation=organisation,
            by=owner,
            role=Role.OWNER,
            name="X",
            lifecycle="pilot",
            ai_role="both",
            markets=["TH", "US"],
        )
    assert caught.value.message_dict["markets"] == ["'US' is not an ASEAN market."]


# --- Who may --------------------------------------------------------------------------------------------------


def test_a_viewer_reads_but_cannot_change_anything(content: Any, organisation: Any, viewer: Any) -> None:
    system = AISystemFactory(organisation=organisation, name="Scoring")
    client = client_for(viewer)
    listing = client.get(reverse("system_list", args=[organisation.pk])).content.decode()
    assert "Scoring" in listing and reverse("system_create", args=[organisation.pk]) not in listing
    assert reverse("system_import", args=[organisation.pk]) not in listing
    detail = client.get(reverse("system_detail", args=[system.pk])).content.decode()
    assert reverse("system_edit", args=[system.pk]) not in detail
    assert reverse("system_assessment_create", args=[system.pk]) not in detail

    assert client.post(reverse("system_create", args=[organisation.pk]), form_data()).status_code == 403
    assert client.post(reverse("system_edit", args=[system.pk]), form_data(name="Renamed")).status_code == 403
    assert client.post(reverse("system_delete", args=[system.pk])).status_code == 403
    assert list(AISystem.objects.values_list("name", flat=True)) == ["Scoring"]
    # The services check the role themselves, also when the caller does not pass it.
    for role in (Role.VIEWER, None):
        with pytest.raises(NotAllowed):
            services.system_delete(system=system, by=viewer, role=role)
        with pytest.raises(NotAllowed):
            services.system_create(
                organisation=organisation, by=viewer, role=role, name="New", lifecycle="pilot", ai_role="both"
            )
    assert not audit_actions(organisation)


def test_a_consultant_with_an_editor_grant_keeps_the_inventory(content: Any, organisation: Any, owner: Any) -> None:
    grant = GrantFactory(client=organisation, role=Role.EDITOR, granted_by=owner)
    consultant = MembershipFactory(organisation=grant.consultancy, role=Role.OWNER).user
    response = client_for(consultant).post(reverse("system_create", args=[organisation.pk]), form_data())
    assert response.status_code == 302
    assert AISystem.objects.get(organisation=organisation).created_by == consultant


# --- The pages ------------------------------------------------------------------------------------------------


def test_an_empty_inventory_says_what_it_is_for(content: Any, organisation: Any, owner: Any) -> None:
    page = client_for(owner).get(reverse("system_list", args=[organisation.pk])).content.decode()
    assert "No AI systems in the inventory yet" in page
    assert "component C.2" in page
    assert reverse("system_create", args=[organisation.pk]) in page
    assert reverse("system_export_csv", args=[organisation.pk]) not in page  # nothing to export yet


def test_the_list_shows_each_systems_columns(content: Any, organisation: Any, owner: Any) -> None:
    AISystemFactory(
        organisation=organisation,
        name="Scoring",
        owner=owner,
        lifecycle="pilot",
        ai_role="both",
        uses_genai=True,
        markets=["TH", "VN"],
        risk_level="high",
        human_involvement="in",
    )
    page = client_for(owner).get(reverse("system_list", args=[organisation.pk])).content.decode()
    row = page.split("<tbody>")[1].split("</tbody>")[0]
    for text in (
        "Scoring",
        owner.email,
        "Pilot or testing",
        "Developer and deployer",
        ">yes<",
        '<abbr title="Thailand">TH</abbr>',
        "High",
        "Human-in-the-loop",
    ):
        assert text in row, text
    assert "<caption>" in page and '<th scope="row">' in row


def test_the_list_page_reads_the_same_number_of_queries_for_1_and_30_systems(
    content: Any, organisation: Any, owner: Any
) -> None:
    client = client_for(owner)
    url = reverse("system_list", args=[organisation.pk])
    AISystemFactory(organisation=organisation, owner=owner)
    client.get(url)  # warm caches that a first request fills (sessions, content)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(29):
        AISystemFactory(organisation=organisation, owner=MembershipFactory(organisation=organisation).user)
    with CaptureQueriesContext(connection) as thirty:
        page = client.get(url).content.decode()
    assert page.count('<th scope="row">') == 30
    assert len(thirty.captured_queries) == len(one.captured_queries)


def test_the_system_page_shows_its_entry_and_its_assessments_newest_first(
    content: Any, organisation: Any, owner: Any, viewer: Any
) -> None:
    system = AISystemFactory(
        organisation=organisation,
        name="Scoring",
        owner=owner,
        data_categories=["personal", "children"],
        affected_groups=["students"],
        markets=["VN"],
    )
    older = AssessmentFactory(organisation=organisation, ai_system=system, created_by=owner, name="First look")
    newer = AssessmentFactory(organisation=organisation, ai_system=system, created_by=owner, name="Second look")
    type(older).objects.filter(pk=older.pk).update(
        created_at=newer.created_at.replace(year=newer.created_at.year - 1),
        status="submitted",
        overall_score=61.0,
        overall_level=3,
    )
    AssessmentFactory(organisation=organisation, created_by=owner, name="Whole organisation")
    page = client_for(owner).get(reverse("system_detail", args=[system.pk])).content.decode()
    assert "<h1" in page and page.count("<h1") == 1
    for text in ("Personal data; Children&#x27;s data", "Students or children", "Viet Nam (VN)", owner.email):
        assert text in page, text
    # The other parts of the page (risk, readiness, actions) may name an assessment too: look at the list itself.
    listed = page.split('id="h-system-assessments"')[1].split("</section>")[0]
    assert listed.index("Second look") < listed.index("First look")
    assert "61 / 100" in listed and "not submitted" in listed
    assert "Whole organisation" not in page
    assert reverse("system_assessment_create", args=[system.pk]) in page
    assert reverse("system_edit", args=[system.pk]) in page
    viewer_page = client_for(viewer).get(reverse("system_detail", args=[system.pk])).content.decode()
    assert "Scoring" in viewer_page and reverse("system_assessment_create", args=[system.pk]) not in viewer_page
