"""Sign-up and e-mail confirmation, invitations, consultant grants, log-in throttling and the security headers.

Log-in by e-mail, the lockout behind a proxy, password reset and two-factor authentication: test_authentication.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from frameworks.models import Question
from scorecard.models import (
    Answer,
    AnswerChange,
    Assessment,
    BulkExport,
    ConsultantGrant,
    Invitation,
    Membership,
    Organisation,
    RenderedReport,
    Role,
)
from scorecard.reports.branding import prepared_by
from scorecard.services.assessments import answer_save
from scorecard.services.organisations import user_by_email
from tests.conftest import client_for
from tests.factories import (
    AssessmentFactory,
    ConsultancyFactory,
    GrantFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
SIGNUP = {
    "email": "ana@example.org",
    "password1": "a-Long-unusual-pass-42",
    "password2": "a-Long-unusual-pass-42",
    "organisation_name": "Ana Fintech",
    "kind": "organisation",
    "sector": "finance",
    "size": "small",
    "hq_country": "ID",
}


def confirmation_link(message: Any) -> str:
    return re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", message.body).group(1)  # type: ignore[union-attr]


def test_signup_creates_the_organisation_and_logs_in_once_the_address_is_confirmed() -> None:
    client = Client()
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")
    organisation = Organisation.objects.get(name="Ana Fintech")
    assert (organisation.kind, organisation.sector, organisation.size, organisation.hq_country) == (
        "organisation",
        "finance",
        "small",
        "ID",
    )
    user = Membership.objects.get(organisation=organisation, role=Role.OWNER).user
    assert (user.username, user.email) == ("ana@example.org", "ana@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    assert organisation.audit_entries.filter(action="account.signup", user=user).exists()
    assert client.get(reverse("dashboard")).status_code == 302  # not logged in before confirming

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.org"]
    link = confirmation_link(mail.outbox[0])
    assert "Confirm" in client.get(link).content.decode()
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == reverse(
        "organisation_detail", args=[organisation.pk]
    )
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("dashboard")).status_code == 200


def test_signup_asks_for_sector_size_and_country_instead_of_choosing_them() -> None:
    form = Client().get(reverse("account_signup")).content.decode()
    for name in ("sector", "size", "hq_country"):
        select = re.search(rf'<select name="{name}".*?</select>', form, re.S).group(0)  # type: ignore[union-attr]
        assert '<option value="" selected>' in select, name
    response = Client().post(reverse("account_signup"), dict(SIGNUP, sector="", size="", hq_country=""))
    assert response.status_code == 200 and response.content.decode().count("This field is required") == 3
    assert not User.objects.exists() and not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("password1", "password123", "too common"),
        ("password1", "Ana@Example.org", "cannot be your e-mail address"),
        ("email", "not-an-email", "valid email"),
        ("organisation_name", "Ana\nFintech", "line breaks"),
    ],
)
def test_signup_rejects_bad_input_and_saves_nothing(field: str, value: str, message: str) -> None:
    data = dict(SIGNUP, **{field: value})
    if field == "password1":
        data["password2"] = value
    response = Client().post(reverse("account_signup"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not User.objects.exists() and not Organisation.objects.exists() and not mail.outbox


def test_signup_with_a_known_address_says_nothing_and_tells_its_owner(owner: Any) -> None:
    known = Client().post(reverse("account_signup"), dict(SIGNUP, email=owner.email.upper()))
    new = Client().post(reverse("account_signup"), dict(SIGNUP, email="someone-new@example.org"))
    # The page is the same for an address with an account and one without: it reveals nothing.
    assert known.status_code == new.status_code == 302 and known["Location"] == new["Location"]
    assert User.objects.filter(email__iexact=owner.email).count() == 1
    assert Organisation.objects.filter(name="Ana Fintech").count() == 1  # only the new account's
    to_owner = [m for m in mail.outbox if m.to == [owner.email]]
    assert len(to_owner) == 1 and "already" in to_owner[0].body


def test_invitation_by_email_then_accept_with_a_new_account(organisation: Any, owner: Any) -> None:
    client_for(owner).post(
        reverse("invitation_create", args=[organisation.pk]), {"email": "Newbie@Example.org", "role": "editor"}
    )
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/invitations/[^\s]+/)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    newcomer = Client()
    assert "Choose a password" in newcomer.get(link).content.decode()
    response = newcomer.post(link, {"password1": "fresh-Secret-pass-7", "password2": "fresh-Secret-pass-7"})
    assert response.status_code == 302
    member = Membership.objects.get(organisation=organisation, user__email="newbie@example.org")
    assert member.role == Role.EDITOR
    assert Invitation.objects.get().accepted_at is not None
    # The link came to the address, so the new account's address is confirmed: it logs in by e-mail at once.
    assert EmailAddress.objects.get(user=member.user).verified
    assert Client().post(
        reverse("account_login"), {"login": "NEWBIE@example.org", "password": "fresh-Secret-pass-7"}
    ).headers["Location"] == reverse("dashboard")
    # A used link cannot be used again.
    assert Client().get(link).status_code == 400


def test_an_invitation_is_accepted_only_for_a_confirmed_address(organisation: Any, owner: Any) -> None:
    invitee = UserFactory(email="late@example.org", email_verified=False)
    client_for(owner).post(
        reverse("invitation_create", args=[organisation.pk]), {"email": invitee.email, "role": "editor"}
    )
    link = re.search(r"(/invitations/[^\s]+/)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    client = client_for(invitee)
    response = client.post(link, follow=True)
    assert "Confirm your e-mail address late@example.org first" in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()
    assert Invitation.objects.get().accepted_at is None

    EmailAddress.objects.filter(user=invitee).update(verified=True)
    client.post(link)
    assert Membership.objects.get(user=invitee).role == Role.EDITOR


def test_tampered_invitation_link_is_refused() -> None:
    response = Client().get(reverse("invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 400 and "not valid" in response.content.decode()


def test_invitation_for_someone_else_cannot_be_accepted(organisation: Any, owner: Any) -> None:
    client_for(owner).post(
        reverse("invitation_create", args=[organisation.pk]), {"email": "x@example.org", "role": "viewer"}
    )
    link = re.search(r"(/invitations/[^\s]+/)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    intruder = UserFactory(email="intruder@example.org")
    client_for(intruder).post(link)
    assert not Membership.objects.filter(user=intruder).exists()


def test_only_owners_invite(organisation: Any) -> None:
    editor = MembershipFactory(organisation=organisation, role=Role.EDITOR).user
    response = client_for(editor).post(
        reverse("invitation_create", args=[organisation.pk]), {"email": "y@example.org", "role": "owner"}
    )
    assert response.status_code == 403 and not Invitation.objects.exists()


def test_grant_and_revoke_consultant_access(organisation: Any, owner: Any) -> None:
    consultancy = ConsultancyFactory()
    consultant = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    client_for(owner).post(
        reverse("grant_create", args=[organisation.pk]), {"consultant_email": consultant.email, "role": "viewer"}
    )
    grant = ConsultantGrant.objects.get(client=organisation)
    assert grant.consultancy == consultancy and grant.role == Role.VIEWER
    portfolio = client_for(consultant).get(reverse("portfolio")).content.decode()
    assert organisation.name in portfolio
    client_for(owner).post(reverse("grant_revoke", args=[organisation.pk, grant.pk]))
    assert organisation.name not in client_for(consultant).get(reverse("portfolio")).content.decode()


def test_grant_to_unknown_consultant_gives_a_clear_message(organisation: Any, owner: Any) -> None:
    response = client_for(owner).post(
        reverse("grant_create", args=[organisation.pk]),
        {"consultant_email": "nobody@example.org", "role": "viewer"},
        follow=True,
    )
    assert "No consultancy account uses that e-mail" in response.content.decode()
    assert not ConsultantGrant.objects.exists()


def test_a_grant_goes_only_to_a_confirmed_address(organisation: Any, owner: Any) -> None:
    # Anyone can sign up a consultancy with someone else's address; until the address is confirmed, no client
    # data goes to it.
    impostor = UserFactory(email="advisor@example.org", email_verified=False)
    MembershipFactory(user=impostor, organisation=ConsultancyFactory(), role=Role.OWNER)
    url = reverse("grant_create", args=[organisation.pk])
    response = client_for(owner).post(url, {"consultant_email": "Advisor@Example.org", "role": "viewer"}, follow=True)
    assert "has not confirmed advisor@example.org yet" in response.content.decode()
    assert not ConsultantGrant.objects.exists()

    EmailAddress.objects.filter(user=impostor).update(verified=True)
    client_for(owner).post(url, {"consultant_email": "Advisor@Example.org", "role": "viewer"})
    assert ConsultantGrant.objects.filter(client=organisation).count() == 1


def test_consultant_creates_a_client_and_can_start_assessments(content: Any) -> None:
    consultancy = ConsultancyFactory()
    consultant = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    client = client_for(consultant)
    response = client.post(
        reverse("client_create", args=[consultancy.pk]),
        {"name": "Client Co", "sector": "retail", "size": "medium", "hq_country": "TH"},
    )
    client_org = Organisation.objects.get(name="Client Co")
    assert response["Location"] == reverse("organisation_detail", args=[client_org.pk])
    assert client.get(reverse("assessment_create", args=[client_org.pk])).status_code == 200


def test_login_locks_out_after_repeated_failures(owner: Any) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("account_login"), {"login": owner.email, "password": "wrong"})
    locked = client.post(reverse("account_login"), {"login": owner.email, "password": "correct-horse-battery-9"})
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_rotates_the_session(owner: Any) -> None:
    client = Client()
    client.get(reverse("account_login"))
    client.session["probe"] = 1
    before = client.session.session_key
    response = client.post(reverse("account_login"), {"login": owner.email, "password": "correct-horse-battery-9"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert client.session.session_key != before


def test_state_changes_need_a_csrf_token(organisation: Any, owner: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(
        reverse("invitation_create", args=[organisation.pk]), {"email": "z@example.org", "role": "viewer"}
    )
    assert response.status_code == 403 and not Invitation.objects.exists()


def test_no_state_change_on_get(assessment: Any, owner: Any) -> None:
    client = client_for(owner)
    assert client.get(reverse("assessment_submit", args=[assessment.pk])).status_code == 405
    assert client.get(reverse("assessment_reassess", args=[assessment.pk])).status_code == 405


def test_security_headers_forbid_inline_script_and_framing(owner: Any) -> None:
    response = client_for(owner).get(reverse("dashboard"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.content.decode() and " onclick=" not in response.content.decode()


def test_password_reset_sends_a_link(owner: Any) -> None:
    response = Client().post(reverse("account_reset_password"), {"email": owner.email})
    assert response.status_code == 302 and len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_server_error_page_is_friendly(rf: Any) -> None:
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500 and "Nothing you saved is lost" in response.content.decode()


def test_consultancy_owner_sees_the_logo_upload_form() -> None:
    consultancy = ConsultancyFactory()
    owner = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    page = client_for(owner).get(reverse("organisation_detail", args=[consultancy.pk])).content.decode()
    assert reverse("branding_upload", args=[consultancy.pk]) in page and 'type="file"' in page


def test_owner_removes_a_member_but_never_the_last_owner(organisation: Any, owner: Any) -> None:
    colleague = MembershipFactory(organisation=organisation, role=Role.EDITOR)
    client = client_for(owner)
    client.post(reverse("membership_remove", args=[organisation.pk, colleague.pk]))
    assert not Membership.objects.filter(pk=colleague.pk).exists()
    mine = Membership.objects.get(organisation=organisation, user=owner)
    response = client.post(reverse("membership_remove", args=[organisation.pk, mine.pk]), follow=True)
    assert "needs at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk=mine.pk).exists()


def test_owner_changes_roles_but_never_leaves_the_organisation_without_an_owner(organisation: Any, owner: Any) -> None:
    colleague = MembershipFactory(organisation=organisation, role=Role.VIEWER)
    mine = Membership.objects.get(organisation=organisation, user=owner)
    client = client_for(owner)
    page = client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert reverse("membership_role_change", args=[organisation.pk, colleague.pk]) in page

    # The only owner cannot step down...
    response = client.post(reverse("membership_role_change", args=[organisation.pk, mine.pk]), {"role": "editor"})
    assert "needs at least one owner" in client.get(response.url).content.decode()
    mine.refresh_from_db()
    assert mine.role == Role.OWNER
    # ...until someone else is an owner; a made-up role changes nothing.
    client.post(reverse("membership_role_change", args=[organisation.pk, colleague.pk]), {"role": "superuser"})
    colleague.refresh_from_db()
    assert colleague.role == Role.VIEWER
    client.post(reverse("membership_role_change", args=[organisation.pk, colleague.pk]), {"role": "owner"})
    client.post(reverse("membership_role_change", args=[organisation.pk, mine.pk]), {"role": "editor"})
    assert dict(organisation.memberships.values_list("pk", "role")) == {colleague.pk: "owner", mine.pk: "editor"}
    # Now an editor, the former owner can no longer change roles.
    response = client.post(reverse("membership_role_change", args=[organisation.pk, colleague.pk]), {"role": "viewer"})
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.role == Role.OWNER


def test_only_consultancy_members_are_offered_the_portfolio(owner: Any) -> None:
    consultant = MembershipFactory(organisation=ConsultancyFactory()).user
    portfolio_link = f'href="{reverse("portfolio")}"'
    assert portfolio_link in client_for(consultant).get(reverse("dashboard")).content.decode()
    assert portfolio_link not in client_for(owner).get(reverse("dashboard")).content.decode()


def _delete(user: Any, organisation: Organisation, typed: str) -> Any:
    return client_for(user).post(
        reverse("organisation_delete", args=[organisation.pk]), {"confirm_name": typed}, follow=True
    )


def test_an_owner_deletes_the_organisation_with_all_its_data(
    assessment: Any, organisation: Any, owner: Any, content: Any
) -> None:
    other = AssessmentFactory(organisation=OrganisationFactory(), created_by=owner)  # another tenant's
    question = Question.objects.get(version=assessment.framework_version, code="TE-01")
    answer_save(assessment=assessment, question=question, by=owner, choice="3", checked=[])
    RenderedReport.objects.create(cache_key="k", assessment=assessment, file="pdf/cached.pdf")
    GrantFactory(client=organisation, granted_by=owner)
    Invitation.objects.create(organisation=organisation, email="x@example.org", role=Role.VIEWER, invited_by=owner)
    holding_it = BulkExport.objects.create(
        requested_by=owner, assessment_ids=[str(assessment.pk)], archive_name="exports/old.zip"
    )
    unrelated = BulkExport.objects.create(
        requested_by=owner, assessment_ids=[str(other.pk)], archive_name="exports/old.zip"
    )

    page = client_for(owner).get(reverse("organisation_delete", args=[organisation.pk])).content.decode()
    assert "1 assessment with its answers" in page and "the access of its 1 member" in page

    refused = _delete(owner, organisation, "Some other name")
    assert "That is not the organisation" in refused.content.decode()
    assert Organisation.objects.filter(pk=organisation.pk).exists() and Answer.objects.exists()

    response = _delete(owner, organisation, f"  {organisation.name.upper()} ")  # case and spaces do not matter
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert f"{organisation.name} was deleted, with 1 assessment(s)" in response.content.decode()
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert not Assessment.objects.filter(pk=assessment.pk).exists()
    assert not Answer.objects.filter(assessment_id=assessment.pk).exists()
    assert not AnswerChange.objects.filter(assessment_id=assessment.pk).exists()
    assert not RenderedReport.objects.exists()
    assert not ConsultantGrant.objects.exists() and not Invitation.objects.exists()
    assert not Membership.objects.filter(organisation_id=organisation.pk).exists()
    assert not BulkExport.objects.filter(pk=holding_it.pk).exists()  # its zip held this organisation's report
    assert BulkExport.objects.filter(pk=unrelated.pk).exists() and Assessment.objects.filter(pk=other.pk).exists()
    assert User.objects.filter(pk=owner.pk).exists()  # accounts stay


def test_only_the_organisations_own_owners_may_delete_it(organisation: Any, owner: Any) -> None:
    editor = MembershipFactory(organisation=organisation, role=Role.EDITOR).user
    consultancy = ConsultancyFactory()
    consultant = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    GrantFactory(client=organisation, consultancy=consultancy, role=Role.OWNER, granted_by=owner)
    for user in (editor, consultant):  # an owner-level grant is not ownership of the client
        assert _delete(user, organisation, organisation.name).status_code == 403
        detail = client_for(user).get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
        assert reverse("organisation_delete", args=[organisation.pk]) not in detail
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    detail = client_for(owner).get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert reverse("organisation_delete", args=[organisation.pk]) in detail


def test_a_consultancy_deletes_the_clients_nobody_else_can_reach(content: Any) -> None:
    consultancy = ConsultancyFactory()
    consultant = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    for name in ("Orphan Client", "Client With People"):
        client_for(consultant).post(
            reverse("client_create", args=[consultancy.pk]),
            {"name": name, "sector": "retail", "size": "small", "hq_country": "TH"},
        )
    orphan, staffed = (Organisation.objects.get(name=n) for n in ("Orphan Client", "Client With People"))
    MembershipFactory(organisation=staffed, role=Role.OWNER)
    AssessmentFactory(organisation=orphan, created_by=consultant)

    # The consultancy may delete a client it created that has no members of its own, not one that has.
    assert _delete(consultant, staffed, staffed.name).status_code == 403
    page = client_for(consultant).get(reverse("organisation_delete", args=[consultancy.pk])).content.decode()
    assert "Orphan Client" in page and "Client With People" not in page

    _delete(consultant, consultancy, consultancy.name)
    assert not Organisation.objects.filter(pk__in=[consultancy.pk, orphan.pk]).exists()
    assert not Assessment.objects.filter(organisation_id=orphan.pk).exists()
    staffed.refresh_from_db()
    assert staffed.created_by_consultancy is None and not staffed.grants_given.exists()


def test_an_owner_corrects_the_organisations_details(assessment: Any, organisation: Any, owner: Any) -> None:
    url = reverse("organisation_edit", args=[organisation.pk])
    RenderedReport.objects.create(cache_key="old-cover", assessment=assessment, file="pdf/cached.pdf")
    form = client_for(owner).get(url).content.decode()
    assert f'value="{organisation.name}"' in form

    refused = client_for(owner).post(url, {"name": " ", "sector": "nonsense", "size": "small", "hq_country": "VN"})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    organisation.refresh_from_db()
    assert organisation.sector == "finance" and RenderedReport.objects.exists()  # nothing half-saved

    editor = MembershipFactory(organisation=organisation, role=Role.EDITOR).user
    assert client_for(editor).post(url, {"name": "Taken over"}).status_code == 403

    client_for(owner).post(url, {"name": "Renamed Bank", "sector": "health", "size": "small", "hq_country": "VN"})
    organisation.refresh_from_db()
    assert (organisation.name, organisation.sector, organisation.size, organisation.hq_country) == (
        "Renamed Bank",
        "health",
        "small",
        "VN",
    )
    assert not RenderedReport.objects.exists()  # cached PDFs showed the old name on the cover


def test_renaming_a_consultancy_renews_the_reports_it_prepared(assessment: Any, organisation: Any, owner: Any) -> None:
    consultancy = ConsultancyFactory(name="Old Advisory")
    consultant = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    GrantFactory(client=organisation, consultancy=consultancy, role=Role.EDITOR, granted_by=owner)
    before = prepared_by(consultant, assessment)
    assert before["prepared_by"] == "Old Advisory"
    client_for(consultant).post(
        reverse("organisation_edit", args=[consultancy.pk]),
        {"name": "New Advisory", "sector": "professional", "size": "small", "hq_country": "SG"},
    )
    after = prepared_by(consultant, assessment)
    assert after["prepared_by"] == "New Advisory"
    assert after["branding_digest"] != before["branding_digest"]  # so the cached PDF is not served again


def test_a_person_deletes_their_account_and_their_answers_stay_with_the_organisation(
    assessment: Any, organisation: Any, owner: Any, content: Any
) -> None:
    from axes.models import AccessAttempt

    question = Question.objects.get(version=assessment.framework_version, code="TE-01")
    answer_save(assessment=assessment, question=question, by=owner, choice="3", checked=[])
    RenderedReport.objects.create(cache_key="k", assessment=assessment, file="pdf/cached.pdf")
    BulkExport.objects.create(requested_by=owner, assessment_ids=[str(assessment.pk)], archive_name="exports/old.zip")
    elsewhere = OrganisationFactory()
    Invitation.objects.create(organisation=elsewhere, email=owner.email, role=Role.VIEWER, invited_by=owner)
    AccessAttempt.objects.create(username=owner.username, ip_address="127.0.0.1", failures_since_start=1)
    email, client = owner.email, client_for(owner)

    # The only owner is sent to make someone else an owner first; a POST changes nothing.
    page = client.get(reverse("account_delete")).content.decode()
    assert "only owner" in page and reverse("organisation_detail", args=[organisation.pk]) in page
    response = client.post(reverse("account_delete"), {"password": "correct-horse-battery-9"})
    assert "only owner of" in response.content.decode()
    owner.refresh_from_db()
    assert owner.is_active and owner.email == email

    MembershipFactory(organisation=organisation, role=Role.OWNER)
    response = client.post(reverse("account_delete"), {"password": "wrong"})
    assert "not your password" in response.content.decode()
    owner.refresh_from_db()
    assert owner.is_active and owner.memberships.exists()

    response = client.post(reverse("account_delete"), {"password": "correct-horse-battery-9"}, follow=True)
    assert "Your account was deleted" in response.content.decode()
    owner.refresh_from_db()
    assert (owner.email, owner.is_active, owner.has_usable_password()) == ("", False, False)
    assert email not in owner.username and not owner.memberships.exists()
    assert not BulkExport.objects.exists() and not RenderedReport.objects.exists()
    assert not Invitation.objects.filter(email=email).exists() and not AccessAttempt.objects.exists()
    assert client.get(reverse("dashboard")).status_code == 302  # logged out
    assert user_by_email("") is None and user_by_email(" ") is None
    stranger = Client()
    stranger.post(reverse("account_login"), {"login": email, "password": "correct-horse-battery-9"})
    assert stranger.get(reverse("dashboard")).status_code == 302
    # Its address is free again: a new account can sign up with it.
    assert not EmailAddress.objects.filter(user=owner).exists()
    Client().post(reverse("account_signup"), dict(SIGNUP, email=email))
    assert User.objects.filter(email=email).exclude(pk=owner.pk).exists()

    # The organisation keeps the answer, and its history names a former member.
    assert Answer.objects.get(assessment=assessment, question=question).updated_by == owner
    colleague = organisation.memberships.get().user
    history = client_for(colleague).get(reverse("assessment_history", args=[assessment.pk])).content.decode()
    assert "a former member" in history and email not in history


def test_signup_when_the_mail_server_is_down_creates_nothing_and_says_so(monkeypatch: Any) -> None:
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    client = Client()
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 200 and "no account was created" in response.content.decode()
    assert 'value="Ana Fintech"' in response.content.decode()  # what was typed stays
    assert not User.objects.exists() and not Organisation.objects.exists() and not EmailAddress.objects.exists()

    monkeypatch.undo()
    assert client.get(reverse("account_signup")).status_code == 200
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response["Location"] == reverse("account_email_verification_sent") and len(mail.outbox) == 1
    assert client.post(confirmation_link(mail.outbox[0]))["Location"].startswith("/orgs/")


def test_a_sole_owner_is_offered_no_remove_or_role_change_on_their_own_row(organisation: Any, owner: Any) -> None:
    colleague = MembershipFactory(organisation=organisation, role=Role.EDITOR)
    client = client_for(owner)
    page = client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    own = reverse("membership_remove", args=[organisation.pk, owner.memberships.get().pk])
    assert own not in page and 'data-testid="sole-owner"' in page
    assert reverse("membership_remove", args=[organisation.pk, colleague.pk]) in page
    colleague.role = Role.OWNER
    colleague.save()
    page = client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert own in page and 'data-testid="sole-owner"' not in page
