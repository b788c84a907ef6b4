"""Log-in by e-mail, the lockout behind a reverse proxy, password reset, two-factor authentication (TOTP and
recovery codes), an organisation's two-factor rule, and what an upgrade does to existing accounts."""

from __future__ import annotations

import importlib
import io
import re
import time
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from scorecard.models import ConsultantGrant, Organisation, Role
from tests.conftest import client_for
from tests.factories import AssessmentFactory, ConsultancyFactory, GrantFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "correct-horse-battery-9"  # the factories' password
REAL_USER, ATTACKER = "203.0.113.9", "198.51.100.7"


def log_in(client: Client, login: str, password: str = PASSWORD, **headers: str) -> Any:
    return client.post(reverse("account_login"), {"login": login, "password": password}, headers=headers)


def totp_code(secret: str) -> str:
    """The authenticator app's code now, never one about to expire (allauth accepts only the current one)."""
    if time.time() % 30 > 27:
        time.sleep(3.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


# Log-in by e-mail


def test_login_by_email_in_any_letter_case() -> None:
    client = Client()
    client.post(
        reverse("account_signup"),
        {
            "email": "Mixed.Case@Example.COM",
            "password1": "a-Long-unusual-pass-42",
            "password2": "a-Long-unusual-pass-42",
            "organisation_name": "Mixed Case Co",
            "kind": "organisation",
            "sector": "retail",
            "size": "micro",
            "hq_country": "PH",
        },
    )
    client.post(re.search(r"(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body).group(1))  # type: ignore[union-attr]
    assert User.objects.get().email == "mixed.case@example.com"
    for typed in ("Mixed.Case@Example.COM", "mixed.case@example.com", " MIXED.CASE@EXAMPLE.COM "):
        response = log_in(Client(), typed, "a-Long-unusual-pass-42")
        assert response.status_code == 302 and response["Location"] == reverse("dashboard"), typed


def test_an_unconfirmed_address_cannot_log_in_and_gets_a_new_link() -> None:
    user = UserFactory(email="unconfirmed@example.org", email_verified=False)
    client = Client()
    response = log_in(client, user.email)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("dashboard")).status_code == 302
    assert "/accounts/confirm-email/" in mail.outbox[-1].body and mail.outbox[-1].to == [user.email]


def test_the_admin_logs_in_through_the_site_log_in() -> None:
    response = Client().get("/admin/login/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


# Lockout: per account and client address, behind the configured proxies; a password reset lifts it.


def test_wrong_passwords_from_another_address_behind_the_proxy_do_not_lock_out_the_real_user(
    owner: Any, settings: Any
) -> None:
    settings.PROXY_COUNT = 1  # one reverse proxy, which appends the address it was reached from
    attacker = Client(REMOTE_ADDR="10.0.0.2")  # every request arrives from the proxy
    for _ in range(6):
        # The attacker puts the real user's address first; the proxy appends the attacker's own.
        log_in(attacker, owner.email, "wrong", X_Forwarded_For=f"{REAL_USER}, {ATTACKER}")
    assert log_in(attacker, owner.email, X_Forwarded_For=ATTACKER).status_code == 429
    assert set(AccessAttempt.objects.values_list("username", "ip_address")) == {(owner.email, ATTACKER)}

    real = Client(REMOTE_ADDR="10.0.0.2")
    response = log_in(real, owner.email.upper(), X_Forwarded_For=REAL_USER)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_without_a_proxy_the_header_is_not_trusted(owner: Any, settings: Any) -> None:
    settings.PROXY_COUNT = 0
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for n in range(5):
        log_in(attacker, owner.email, "wrong", X_Forwarded_For=f"192.0.2.{n}")  # a new made-up address each time
    assert log_in(attacker, owner.email).status_code == 429
    assert log_in(Client(REMOTE_ADDR=REAL_USER), owner.email).status_code == 302


def test_failures_in_any_letter_case_count_for_one_account(owner: Any) -> None:
    client = Client()
    for typed in (owner.email, owner.email.upper(), owner.email.title(), owner.email, owner.email.upper()):
        log_in(client, typed, "wrong")
    assert log_in(client, owner.email).status_code == 429


def test_a_password_reset_lifts_the_lockout(owner: Any) -> None:
    client = Client()
    for _ in range(5):
        log_in(client, owner.email, "wrong")
    locked = log_in(client, owner.email)
    assert locked.status_code == 429 and reverse("account_reset_password") in locked.content.decode()

    client.post(reverse("account_reset_password"), {"email": owner.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/[^\s]+/)", mail.outbox[-1].body).group(1)  # type: ignore[union-attr]
    form_url = client.get(link)["Location"]  # allauth moves the key out of the address first
    new_password = "a-Fresh-start-2026"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    assert log_in(client, owner.email, new_password)["Location"] == reverse("dashboard")


def test_password_reset_says_the_same_for_unknown_addresses(owner: Any) -> None:
    known = Client().post(reverse("account_reset_password"), {"email": owner.email})
    unknown = Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    page = Client().get(known["Location"]).content.decode()
    assert "If an account uses that address" in page


# Two-factor authentication


def test_totp_set_up_with_recovery_codes_then_log_in_with_a_code_or_a_recovery_code(owner: Any) -> None:
    client = Client()
    log_in(client, owner.email)
    # Setting up two-factor asks for the password again first.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200 and 'src="data:image/svg+xml;base64,' in page.content.decode()
    secret = page.context["form"].secret
    assert client.post(reverse("mfa_activate_totp"), {"code": "000000"}).status_code == 200  # wrong: refused
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    codes = client.get(reverse("mfa_view_recovery_codes")).context["unused_codes"]
    assert len(codes) == 10
    assert set(Authenticator.objects.filter(user=owner).values_list("type", flat=True)) == {"totp", "recovery_codes"}

    # The password alone no longer logs in: the code comes next.
    second = Client()
    assert log_in(second, owner.email)["Location"] == reverse("mfa_authenticate")
    assert second.get(reverse("dashboard")).status_code == 302
    assert second.post(reverse("mfa_authenticate"), {"code": "123456"}).status_code == 200
    cache.clear()  # allauth refuses a code that was just used; the next one would come 30 s later
    assert second.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})["Location"] == reverse("dashboard")

    # A recovery code works once.
    for expected in (reverse("dashboard"), None):
        third = Client()
        log_in(third, owner.email)
        response = third.post(reverse("mfa_authenticate"), {"code": codes[0]})
        assert (response.get("Location") if response.status_code == 302 else None) == expected


def test_wrong_two_factor_codes_are_limited_per_account_from_any_address(owner: Any) -> None:
    with_totp(owner)
    for n in range(5):
        client = Client(REMOTE_ADDR=f"192.0.2.{n}")  # someone with the password, guessing from many addresses
        log_in(client, owner.email)
        assert "Incorrect code" in client.post(reverse("mfa_authenticate"), {"code": f"00000{n}"}).content.decode()
    client = Client(REMOTE_ADDR="192.0.2.99")
    log_in(client, owner.email)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code("JBSWY3DPEHPK3PXP")})
    assert response.status_code == 200 and "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302


def with_totp(user: Any) -> Any:
    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    RecoveryCodes.activate(user)
    return user


def set_rule(user: Any, organisation: Organisation, on: bool) -> Any:
    data = {"members_must_use_mfa": "on"} if on else {}
    return client_for(user).post(reverse("organisation_mfa_rule", args=[organisation.pk]), data, follow=True)


def test_only_an_owner_who_uses_two_factor_can_require_it(organisation: Any, owner: Any) -> None:
    page = client_for(owner).get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    assert 'name="members_must_use_mfa"' in page

    response = set_rule(owner, organisation, on=True)
    assert "Set up two-factor authentication for your own account first" in response.content.decode()
    organisation.refresh_from_db()
    assert not organisation.members_must_use_mfa

    editor = with_totp(MembershipFactory(organisation=organisation, role=Role.EDITOR).user)
    consultancy = ConsultancyFactory()
    consultant = with_totp(MembershipFactory(organisation=consultancy, role=Role.OWNER).user)
    GrantFactory(client=organisation, consultancy=consultancy, role=Role.EDITOR, granted_by=owner)
    for user in (editor, consultant):
        assert set_rule(user, organisation, on=True).status_code == 403
    organisation.refresh_from_db()
    assert not organisation.members_must_use_mfa

    with_totp(owner)
    assert "now needs two-factor authentication" in set_rule(owner, organisation, on=True).content.decode()
    organisation.refresh_from_db()
    assert organisation.members_must_use_mfa
    assert organisation.audit_entries.filter(action="organisation.mfa_rule", detail="on").exists()
    set_rule(owner, organisation, on=False)
    organisation.refresh_from_db()
    assert not organisation.members_must_use_mfa


def test_a_member_without_two_factor_is_sent_to_set_it_up(organisation: Any, owner: Any, content: Any) -> None:
    with_totp(owner)
    assessment = AssessmentFactory(organisation=organisation, created_by=owner)
    Organisation.objects.filter(pk=organisation.pk).update(members_must_use_mfa=True)
    member = MembershipFactory(organisation=organisation, role=Role.VIEWER).user
    consultancy = ConsultancyFactory()
    consultant = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    GrantFactory(client=organisation, consultancy=consultancy, role=Role.VIEWER, granted_by=owner)
    stranger = UserFactory()

    for user in (member, consultant):
        for url in (
            reverse("organisation_detail", args=[organisation.pk]),
            reverse("assessment_results", args=[assessment.pk]),
        ):
            response = client_for(user).get(url, follow=True)
            assert response.redirect_chain[0][0] == reverse("mfa_activate_totp"), (user, url)
            assert f"{organisation.name} asks everyone who opens it to use two-factor" in response.content.decode()
    # An autosave from a page left open sends the whole page there, and saves nothing.
    editor = MembershipFactory(organisation=organisation, role=Role.EDITOR).user
    autosave = client_for(editor).post(
        reverse("answer_autosave", args=[assessment.pk, "principle-TE", "TE-01"]),
        {"TE-01-choice": "4"},
        headers={"HX-Request": "true"},
    )
    assert autosave.status_code == 204 and autosave["HX-Redirect"] == reverse("mfa_activate_totp")
    assert not assessment.answers.exists()
    # Their other organisations and pages are untouched; a stranger still finds nothing there.
    assert client_for(member).get(reverse("dashboard")).status_code == 200
    assert client_for(consultant).get(reverse("organisation_detail", args=[consultancy.pk])).status_code == 200
    assert client_for(stranger).get(reverse("organisation_detail", args=[organisation.pk])).status_code == 404

    with_totp(member)
    assert client_for(member).get(reverse("organisation_detail", args=[organisation.pk])).status_code == 200
    assert client_for(owner).get(reverse("assessment_results", args=[assessment.pk])).status_code == 200


# Upgrades and the demo


def test_the_upgrade_confirms_the_addresses_of_existing_accounts() -> None:
    migration = importlib.import_module("scorecard.migrations.0004_existing_emails_verified")
    before = [
        User.objects.create_user("old@example.org", "Old@Example.org", PASSWORD),
        User.objects.create_user("deleted-7", "", None),  # a deleted account keeps no address
        User.objects.create_user("twin", "OLD@example.org", PASSWORD),  # same address, later: not confirmed
    ]
    migration.confirm_existing_addresses(apps, None)
    migration.confirm_existing_addresses(apps, None)  # running it twice changes nothing
    assert list(EmailAddress.objects.order_by("user_id").values_list("user_id", "email", "verified", "primary")) == [
        (before[0].pk, "old@example.org", True, True),
        (before[2].pk, "old@example.org", False, True),
    ]
    assert log_in(Client(), "OLD@example.org")["Location"] == reverse("dashboard")


def test_the_demo_log_ins_work(content: Any) -> None:
    call_command("setup_demo", stdout=io.StringIO())
    for email in ("demo@example.org", "consultant@example.org", "admin@example.org"):
        response = log_in(Client(), email, "demo-scorecard-2026")
        assert response.status_code == 302 and response["Location"] == reverse("dashboard"), email


def test_password_reset_when_the_mail_server_is_down_says_so(owner: Any, monkeypatch: Any) -> None:
    import smtplib

    from django.core.mail.backends.locmem import EmailBackend

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    response = Client().post(reverse("account_reset_password"), {"email": owner.email}, follow=True)
    assert response.status_code == 200 and "could not send the e-mail just now" in response.content.decode()


def test_the_upgrade_turns_owner_level_consultant_grants_into_editor_grants(organisation: Any, owner: Any) -> None:
    migration = importlib.import_module("scorecard.migrations.0005_owner_grants_become_editor_grants")
    consultancy = ConsultancyFactory(name="Old Consultancy")
    grant = ConsultantGrant.objects.create(client=organisation, consultancy=consultancy, role="owner", granted_by=owner)
    migration.owner_grants_to_editor(apps, None)
    grant.refresh_from_db()
    assert grant.role == "editor" and grant.get_role_display() == "Editor"
