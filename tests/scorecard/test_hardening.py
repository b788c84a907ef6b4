"""Hardening: races on owners, the admin, caching, odd names, passwords, invitation e-mail and logo uploads."""

from __future__ import annotations

import io
import smtplib
import struct
import threading
import time
import zlib
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from PIL import Image

from scorecard.forms import AcceptInvitationSignupForm
from scorecard.models import AuditEntry, Branding, Invitation, Membership, Organisation, Role
from scorecard.services import organisations as org_services
from scorecard.services.branding import validate_logo
from scorecard.services.errors import ServiceError
from tests.conftest import client_for
from tests.factories import ConsultancyFactory, MembershipFactory, OrganisationFactory, UserFactory

User = get_user_model()


# --- Two owners demoting each other at the same moment -------------------------------------------------------


def _in_another_connection(work: Any) -> Any:
    """Run `work` in a thread of its own, so on a database connection of its own that commits what it does."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = work()
        except BaseException as exc:  # handed to the caller
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in result:
        raise result["error"]
    return result.get("value")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across two connections (PostgreSQL)")
def test_two_owners_demoting_each_other_at_the_same_moment_leave_an_owner() -> None:
    """Owner A demotes owner B while B demotes A. A's change is made and held open (not yet committed) when B's
    starts: B must wait for it and then see that it is no longer an owner, never both succeed. Each side works on
    its own connection, with data committed by a third (and deleted at the end: the shipped content stays)."""

    def setup() -> tuple[Organisation, Membership, Membership]:
        organisation = OrganisationFactory(name="Race Org")
        return (
            organisation,
            MembershipFactory(organisation=organisation, role=Role.OWNER),
            MembershipFactory(organisation=organisation, role=Role.OWNER),
        )

    organisation, a, b = _in_another_connection(setup)
    a_has_changed, a_may_commit = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def demote(name: str, target: Membership, by: Any) -> None:
        try:
            with transaction.atomic():
                org_services.membership_role_change(membership=target, role=Role.EDITOR, by=by)
                outcome[name] = "changed"
                if name == "a":  # hold A's transaction open while B tries
                    a_has_changed.set()
                    a_may_commit.wait(10)
        except ServiceError as exc:
            outcome[name] = exc.message
        finally:
            a_has_changed.set()
            connections.close_all()

    try:
        thread_a = threading.Thread(target=demote, args=("a", b, a.user))
        thread_b = threading.Thread(target=demote, args=("b", a, b.user))
        thread_a.start()
        assert a_has_changed.wait(10)
        thread_b.start()
        time.sleep(0.5)  # B now runs into A's lock (or, without one, goes ahead)
        a_may_commit.set()
        thread_a.join(10)
        thread_b.join(10)
        assert outcome["a"] == "changed"
        assert outcome["b"] != "changed", "both owners stepped down at once"
        owners = _in_another_connection(
            lambda: list(
                Membership.objects.filter(organisation=organisation, role=Role.OWNER).values_list("user_id", flat=True)
            )
        )
        assert owners == [a.user_id]
    finally:

        def cleanup() -> None:
            AuditEntry.objects.filter(organisation=organisation).delete()
            organisation.delete()
            User.objects.filter(pk__in=[a.user_id, b.user_id]).delete()

        _in_another_connection(cleanup)


# --- The admin ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_cannot_add_themselves_to_an_organisation_in_the_admin(organisation: Any) -> None:
    staff = User.objects.create_superuser("staff@example.org", "staff@example.org", "a-Long-unusual-pass-42")
    client = client_for(staff)
    url = reverse("admin:scorecard_organisation_change", args=[organisation.pk])
    page = client.get(url).content.decode()
    # The members are listed, read-only: no role to choose, no form to add one.
    assert 'name="memberships-MAX_NUM_FORMS" value="0"' in page and 'name="memberships-0-role"' not in page
    data = {
        "name": organisation.name,
        "kind": organisation.kind,
        "sector": organisation.sector,
        "size": organisation.size,
        "hq_country": organisation.hq_country,
        "created_by_consultancy": "",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": str(organisation.memberships.get().pk),
        "memberships-0-organisation": str(organisation.pk),
        "memberships-0-role": "viewer",
        "memberships-1-organisation": str(organisation.pk),
        "memberships-1-user": str(staff.pk),
        "memberships-1-role": "owner",
        "_save": "Save",
    }
    client.post(url, data)
    assert not Membership.objects.filter(user=staff).exists()
    assert organisation.memberships.get().role == Role.OWNER


# --- Cache-Control -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_and_downloads_for_a_logged_in_person_are_private_and_not_stored(
    assessment: Any, organisation: Any, owner: Any
) -> None:
    client = client_for(owner)
    for url in (
        reverse("dashboard"),
        reverse("organisation_detail", args=[organisation.pk]),
        reverse("assessment_export_json", args=[assessment.pk]),
        reverse("action_plan_csv", args=[assessment.pk]),
    ):
        response = client.get(url)
        directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
        assert {"private", "no-store"} <= directives, (url, response.get("Cache-Control"))
    assert "no-store" not in Client().get(reverse("about")).get("Cache-Control", "")  # public pages may be cached


# --- Organisation names ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Acme\nBcc: victim@example.org", "Acme\r\nCo", "Tab\there", "Line\u2028sep"])
def test_an_organisation_name_on_more_than_one_line_is_refused(organisation: Any, owner: Any, name: str) -> None:
    consultancy = ConsultancyFactory()
    consultant = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    created = client_for(consultant).post(
        reverse("client_create", args=[consultancy.pk]),
        {"name": name, "sector": "retail", "size": "small", "hq_country": "TH"},
    )
    assert created.status_code == 200 and "cannot contain line breaks" in created.content.decode()
    assert not Organisation.objects.filter(created_by_consultancy=consultancy).exists()
    edited = client_for(owner).post(
        reverse("organisation_edit", args=[organisation.pk]),
        {"name": name, "sector": "finance", "size": "large", "hq_country": "MY"},
    )
    assert edited.status_code == 200 and "cannot contain line breaks" in edited.content.decode()
    organisation.refresh_from_db()
    assert organisation.name != name


@pytest.mark.django_db
def test_an_invitation_from_an_organisation_saved_with_a_line_break_in_its_name_still_goes_out(
    organisation: Any, owner: Any
) -> None:
    Organisation.objects.filter(pk=organisation.pk).update(name="Old\r\nName")  # saved before names were checked
    response = client_for(owner).post(
        reverse("invitation_create", args=[organisation.pk]), {"email": "new@example.org", "role": "viewer"}
    )
    assert response.status_code == 302
    assert mail.outbox[0].subject == "You are invited to Old Name on the ASEAN AI Governance Scorecard"
    assert Invitation.objects.filter(organisation=organisation).count() == 1


# --- Passwords ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["ana.lim@example.org", "ANA.LIM@EXAMPLE.ORG", "ana.lim"])
def test_a_password_equal_to_the_e_mail_address_is_refused(password: str) -> None:
    refusal = "cannot be your e-mail address"
    form = AcceptInvitationSignupForm({"password1": password, "password2": password}, email="ana.lim@example.org")
    assert not form.is_valid() and refusal in str(form.errors)

    user = UserFactory(email="ana.lim@example.org")
    reset = SetPasswordForm(user, {"new_password1": password, "new_password2": password})
    assert not reset.is_valid() and refusal in str(reset.errors)

    with pytest.raises(ValidationError, match=refusal):
        password_validation.validate_password(password, user=user)
    password_validation.validate_password("a-Long-unusual-pass-42", user=user)  # a real password passes


# --- Invitations: rate limit and a failing mail server ----------------------------------------------------------


@pytest.mark.django_db
def test_invitations_are_limited_per_organisation_and_hour(organisation: Any, owner: Any) -> None:
    client = client_for(owner)
    url = reverse("invitation_create", args=[organisation.pk])
    for n in range(org_services.INVITATIONS_PER_HOUR):
        client.post(url, {"email": f"person{n}@example.net", "role": "viewer"})
    assert len(mail.outbox) == org_services.INVITATIONS_PER_HOUR
    refused = client.post(url, {"email": "one-more@example.net", "role": "viewer"}, follow=True)
    assert "invitations in the last hour, the most allowed" in refused.content.decode()
    assert len(mail.outbox) == org_services.INVITATIONS_PER_HOUR
    assert not Invitation.objects.filter(email="one-more@example.net").exists()
    # An hour later the organisation may invite again.
    Invitation.objects.update(created_at=Invitation.objects.first().created_at - timedelta(hours=1))  # type: ignore[union-attr]
    client.post(url, {"email": "one-more@example.net", "role": "viewer"})
    assert Invitation.objects.filter(email="one-more@example.net").exists()


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that is down or refuses the message."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class HangingBackend(BaseEmailBackend):
    """An SMTP server that does not answer within EMAIL_TIMEOUT."""

    def send_messages(self, email_messages: Any) -> int:
        raise TimeoutError("timed out")


@pytest.mark.django_db
@pytest.mark.parametrize("backend", ["RefusingBackend", "HangingBackend"])
def test_a_failing_mail_server_gives_a_clear_message_and_keeps_no_invitation(
    organisation: Any, owner: Any, settings: Any, backend: str
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.{backend}"
    response = client_for(owner).post(
        reverse("invitation_create", args=[organisation.pk]),
        {"email": "new@example.org", "role": "viewer"},
        follow=True,
    )
    assert response.status_code == 200
    assert "The invitation e-mail could not be sent just now" in response.content.decode()
    assert not Invitation.objects.exists()


def test_smtp_waits_at_most_email_timeout_seconds(settings: Any) -> None:
    assert settings.EMAIL_TIMEOUT == 10
    assert get_connection("django.core.mail.backends.smtp.EmailBackend").timeout == 10


# --- Logos ---------------------------------------------------------------------------------------------------------


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG file whose header declares `width` x `height` pixels (its data is a few bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def _real_png(side: int = 32) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (side, side), "navy").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("side", [20000, 10000])  # beyond Pillow's bomb limit, and between its warning and its error
def test_a_decompression_bomb_logo_is_refused_with_a_clear_message(side: int) -> None:
    with pytest.raises(ValidationError, match="far too large to open"):
        validate_logo(_png_declaring(side, side))
    assert validate_logo(_real_png()) == "image/png"


@pytest.mark.django_db
def test_uploading_a_decompression_bomb_logo_is_refused_never_a_500() -> None:
    consultancy = ConsultancyFactory()
    owner = MembershipFactory(organisation=consultancy, role=Role.OWNER).user
    bomb = io.BytesIO(_png_declaring(20000, 20000))
    bomb.name = "logo.png"
    response = client_for(owner).post(reverse("branding_upload", args=[consultancy.pk]), {"logo": bomb}, follow=True)
    assert response.status_code == 200 and "far too large to open" in response.content.decode()
    assert not Branding.objects.exists()


def test_staff_cannot_grant_a_consultancy_access_in_the_admin(organisation: Any) -> None:
    staff = User.objects.create_superuser("staff2@example.org", "staff2@example.org", "a-Long-unusual-pass-42")
    client = client_for(staff)
    assert client.get(reverse("admin:scorecard_consultantgrant_add")).status_code == 403
    changelist = client.get(reverse("admin:scorecard_consultantgrant_changelist")).content.decode()
    assert reverse("admin:scorecard_consultantgrant_add") not in changelist
