"""Writes for organisations, memberships, invitations and consultant grants."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import selectors
from ..accounts import has_verified_email
from ..languages import email_language
from ..models import (
    Action,
    AISystem,
    Assessment,
    BulkExport,
    ConsultantGrant,
    Invitation,
    Membership,
    Organisation,
    RenderedReport,
    Role,
)
from ..permissions import organisation_access
from ..validators import one_line, validate_organisation_name
from .audit import audit_record
from .errors import NotAllowed, ServiceError

INVITATION_SALT = "scorecard.invitation"
# Invitations are e-mails sent in our name with text the inviter chose: an organisation sends at most this many
# an hour, so that a fresh account cannot use us to send spam.
INVITATIONS_PER_HOUR = 20
logger = logging.getLogger(__name__)


def user_by_email(email: str) -> User | None:
    """The account that uses `email` (any letter case), confirmed or not."""
    email = email.strip()
    # Deleted accounts keep no e-mail: a blank address must never find one of them.
    return User.objects.filter(email__iexact=email).first() if email else None


@transaction.atomic
def user_create(*, email: str, password: str, email_verified: bool) -> User:
    """A new account that logs in with `email`. `email_verified` says the person has shown they receive mail
    there (they followed a link we sent to it); otherwise allauth asks them to confirm it before the first
    log-in, and nothing addressed to it (an invitation, a consultant grant) is honoured until they do."""
    email = email.strip().lower()
    if user_by_email(email):
        raise ValidationError(_("An account with this e-mail already exists. Log in instead."))
    user = User.objects.create_user(username=email, email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    return user


@transaction.atomic
def organisation_create(*, user: User, name: str, kind: str, sector: str, size: str, hq_country: str) -> Organisation:
    organisation = Organisation.objects.create(name=name, kind=kind, sector=sector, size=size, hq_country=hq_country)
    Membership.objects.create(user=user, organisation=organisation, role=Role.OWNER)
    return organisation


@transaction.atomic
def signup(
    *, email: str, password: str, organisation_name: str, kind: str, sector: str, size: str, hq_country: str
) -> tuple[User, Organisation]:
    """A new account with an organisation it owns. The address is confirmed afterwards, by the link allauth sends."""
    user = user_create(email=email, password=password, email_verified=False)
    organisation = organisation_create(
        user=user, name=organisation_name, kind=kind, sector=sector, size=size, hq_country=hq_country
    )
    audit_record(by=user, action="account.signup", organisation=organisation)
    return user, organisation


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.pk), salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The open invitation behind a signed token; ServiceError when forged, expired, withdrawn or used."""
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ServiceError(_("This invitation has expired. Ask for a new one.")) from exc
    except signing.BadSignature as exc:
        raise ServiceError(_("This invitation link is not valid.")) from exc
    invitation = Invitation.objects.select_related("organisation").filter(pk=pk).first()
    if invitation is None:
        raise ServiceError(_("This invitation was withdrawn."))
    if invitation.accepted_at:
        raise ServiceError(_("This invitation has already been accepted."))
    return invitation


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, role: str, by: User, base_url: str) -> Invitation:
    """Invite someone by e-mail. For the organisation's own owners, and for the consultancy that created it while
    it holds it in trust (no owner has joined yet). At most INVITATIONS_PER_HOUR per organisation. Nothing is
    kept when the e-mail cannot be sent."""
    organisation = _lock_organisation(organisation)
    if not organisation_access(by, organisation).may_invite:
        raise NotAllowed(_("Only the organisation's own owners can invite people to it."))
    if role not in Role.values:
        raise ServiceError(_("Choose one of the roles: owner, editor or viewer."))
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ServiceError(_("%(email)s is already a member of this organisation.") % {"email": email})
    recent = Invitation.objects.filter(organisation=organisation, created_at__gte=timezone.now() - timedelta(hours=1))
    if recent.count() >= INVITATIONS_PER_HOUR:
        raise ServiceError(
            _("%(org)s has sent %(n)s invitations in the last hour, the most allowed. Try again later.")
            % {"org": organisation.name, "n": INVITATIONS_PER_HOUR}
        )
    invitation = Invitation.objects.create(organisation=organisation, email=email, role=role, invited_by=by)
    link = base_url + reverse("invitation_accept", args=[invitation_token(invitation)])
    try:
        # In the invitee's language when their account has one, else in the inviter's (the current language).
        with translation.override(email_language(email)):
            send_mail(
                # A subject is one line: a name saved before names were checked may hold a line break.
                subject=one_line(
                    _("You are invited to %(org)s on the ASEAN AI Governance Scorecard") % {"org": organisation.name}
                ),
                message=_("%(who)s invites you to join %(org)s as %(role)s.\n\nAccept within %(days)s days: %(link)s\n")
                % {
                    "who": by.get_username(),
                    "org": organisation.name,
                    "role": invitation.get_role_display(),
                    "days": settings.INVITATION_MAX_AGE_DAYS,
                    "link": link,
                },
                from_email=None,
                recipient_list=[email],
            )
    except (smtplib.SMTPException, OSError) as exc:  # refused, unreachable or timed out (EMAIL_TIMEOUT)
        logger.warning("Invitation e-mail to %s failed: %r", email, exc)
        raise ServiceError(
            _("The invitation e-mail could not be sent just now, so no invitation was made. Try again in a while.")
        ) from exc
    audit_record(by=by, action="invitation.create", organisation=organisation, detail=f"{email} as {role}")
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """Join the organisation. Honoured only while the person who sent the invitation may still invite: an
    invitation the consultancy sent while holding a client in trust lapses once the client's first owner joins."""
    if (user.email or "").lower() != invitation.email.lower():
        raise ServiceError(
            _("This invitation is for %(email)s. Log in with that address to accept it.") % {"email": invitation.email}
        )
    if not has_verified_email(user, invitation.email):
        raise ServiceError(
            _(
                "Confirm your e-mail address %(email)s first, with the link we sent you (your account page sends a "
                "new one), then open this invitation again."
            )
            % {"email": invitation.email}
        )
    organisation = _lock_organisation(invitation.organisation)
    locked = Invitation.objects.select_for_update().select_related("invited_by").filter(pk=invitation.pk).first()
    if locked is None:
        raise ServiceError(_("This invitation was withdrawn."))
    if locked.accepted_at:
        raise ServiceError(_("This invitation has already been accepted."))
    if not organisation_access(locked.invited_by, organisation).may_invite:
        raise ServiceError(
            _(
                "This invitation can no longer be accepted: the person who sent it can no longer invite people to "
                "%(org)s. Ask one of its owners for a new invitation."
            )
            % {"org": organisation.name}
        )
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": locked.role}
    )
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(by=user, action="invitation.accept", organisation=organisation, detail=f"as {membership.role}")
    return membership


@transaction.atomic
def grant_create(*, client: Organisation, consultant_email: str, role: str, by: User) -> ConsultantGrant:
    """Give a consultancy access to the client's assessments (view only, or view and edit): own owners only."""
    client = _lock_organisation(client)
    if client.is_consultancy:
        raise ServiceError(_("A consultancy cannot give another consultancy access to itself."))
    if not organisation_access(by, client).may_manage_grants:
        raise NotAllowed(_("Only the organisation's own owners can give a consultancy access."))
    if role not in (Role.VIEWER, Role.EDITOR):
        raise ServiceError(_("Give a consultancy view-only access, or view and edit."))
    consultant = user_by_email(consultant_email)
    consultancies = list(
        Organisation.objects.filter(kind=Organisation.Kind.CONSULTANCY, memberships__user=consultant)
        if consultant
        else []
    )
    if not consultancies:
        raise ServiceError(_("No consultancy account uses that e-mail address. Ask your consultant to sign up."))
    if len(consultancies) > 1:
        raise ServiceError(
            _("That person belongs to several consultancies; ask them for the e-mail of their consultancy's owner.")
        )
    if not has_verified_email(consultant, consultant_email):
        # Anyone can sign up with any address: only its confirmed owner may receive the client's data.
        raise ServiceError(
            _(
                "Your consultant has not confirmed %(email)s yet. Ask them to open the confirmation link we sent to "
                "it (logging in sends a new one), then give access again."
            )
            % {"email": consultant_email.strip().lower()}
        )
    consultancy = consultancies[0]
    if ConsultantGrant.objects.filter(client=client, consultancy=consultancy, revoked_at__isnull=True).exists():
        raise ServiceError(_("%(name)s already has access.") % {"name": consultancy.name})
    grant = ConsultantGrant.objects.create(client=client, consultancy=consultancy, role=role, granted_by=by)
    audit_record(by=by, action="grant.create", organisation=client, detail=f"{consultancy.name} as {role}")
    return grant


@transaction.atomic
def grant_revoke(*, grant: ConsultantGrant, by: User) -> ConsultantGrant:
    """End a consultancy's access. The client's own owners can always do it, whatever the consultancy did."""
    client = _lock_organisation(grant.client)
    if not organisation_access(by, client).may_manage_grants:
        raise NotAllowed(_("Only the organisation's own owners can revoke a consultancy's access."))
    grant = ConsultantGrant.objects.select_for_update().select_related("consultancy").get(pk=grant.pk)
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        audit_record(by=by, action="grant.revoke", organisation=client, detail=grant.consultancy.name)
    return grant


@transaction.atomic
def client_create(
    *, consultancy: Organisation, by: User, name: str, sector: str, size: str, hq_country: str
) -> Organisation:
    """A consultancy creates a client: the client organisation plus an editor grant to the consultancy.

    The consultancy holds the client in trust until the client's first owner joins: until then the
    consultancy's owners may invite the client's people (docs/roles.md). The client can revoke the grant.
    """
    if not consultancy.is_consultancy:
        raise ServiceError(_("Only a consultancy can create client organisations."))
    if not organisation_access(by, consultancy).may_create_clients:
        raise NotAllowed(_("Only the consultancy's owners and editors can create clients."))
    validate_organisation_name(name)
    client = Organisation.objects.create(
        name=name,
        kind=Organisation.Kind.ORGANISATION,
        sector=sector,
        size=size,
        hq_country=hq_country,
        created_by_consultancy=consultancy,
    )
    ConsultantGrant.objects.create(client=client, consultancy=consultancy, role=Role.EDITOR, granted_by=by)
    audit_record(by=by, action="client.create", organisation=client, detail=f"by {consultancy.name}")
    return client


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    by: User,
    name: str,
    sector: str,
    size: str,
    hq_country: str,
    language: str | None = None,
) -> Organisation:
    """Correct an organisation's details. Its cached PDF reports carry the old ones on their cover, so they go.
    `language` is its default report language ("": each reader's own); None leaves it as it is."""
    organisation = _lock_organisation(organisation)
    if not organisation_access(by, organisation).may_edit_details:
        raise NotAllowed(_("Only the organisation's own owners can change its details."))
    validate_organisation_name(name)
    organisation.name, organisation.sector, organisation.size, organisation.hq_country = name, sector, size, hq_country
    fields = ["name", "sector", "size", "hq_country"]
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise ServiceError(_("Choose one of the languages offered."))
        organisation.language = language
        fields.append("language")
    organisation.save(update_fields=fields)
    RenderedReport.objects.filter(assessment__organisation=organisation).delete()
    audit_record(by=by, action="organisation.update", organisation=organisation)
    return organisation


def _lock_organisation(organisation: Organisation) -> Organisation:
    """Lock the organisation's row until the transaction ends, and return it fresh.

    Every change to who belongs to an organisation, or may act for it, takes this lock first: two such
    changes then run one after the other, and the second sees what the first did. (Locking the membership rows
    that an owner count reads would not do: Django drops FOR UPDATE from `count()`, and rows that do not exist
    yet cannot be locked.)
    """
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _membership_to_change(*, membership: Membership, by: User) -> Membership:
    """The membership as it is now, under the organisation's lock, once `by` is known to be allowed to change it."""
    organisation = _lock_organisation(membership.organisation)
    if not organisation_access(by, organisation).may_manage_members:
        raise NotAllowed(_("Only the organisation's own owners can change or remove its members."))
    current = Membership.objects.select_related("user").filter(pk=membership.pk, organisation=organisation).first()
    if current is None:
        raise ServiceError(_("That person is no longer a member of %(org)s.") % {"org": organisation.name})
    return current


def _ensure_another_owner(membership: Membership) -> None:
    """Refuse to take away the last owner: an organisation always keeps at least one (call under the lock)."""
    others = Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.OWNER)
    if membership.role == Role.OWNER and not others.exclude(pk=membership.pk).exists():
        raise ServiceError(_("An organisation needs at least one owner. Make someone else an owner first."))


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a member: own owners only; an organisation always keeps at least one owner.

    The AI systems and the open actions they owned become nobody's (an owner is a member): pages then show them
    as unowned, where someone takes them over, rather than naming a person no reminder reaches. A closed action
    keeps who owned it, as a record.
    """
    current = _membership_to_change(membership=membership, by=by)
    _ensure_another_owner(current)
    organisation, user = current.organisation, current.user
    current.delete()
    systems = AISystem.objects.filter(organisation=organisation, owner=user).update(owner=None)
    actions = (
        Action.objects.filter(organisation=organisation, owner=user)
        .exclude(status__in=(Action.Status.DONE, Action.Status.RISK_ACCEPTED))
        .update(owner=None, updated_at=timezone.now())  # updated_at: the report's cache key reads it
    )
    detail = user.email + (f" (owner of {systems} system(s), {actions} open action(s))" if systems or actions else "")
    audit_record(by=by, action="membership.remove", organisation=organisation, detail=detail)


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, by: User) -> Membership:
    """Give a member another role: own owners only; an organisation always keeps at least one owner."""
    if role not in Role.values:
        raise ServiceError(_("Choose one of the roles: owner, editor or viewer."))
    current = _membership_to_change(membership=membership, by=by)
    if role != Role.OWNER:
        _ensure_another_owner(current)
    before, current.role = current.role, role
    current.save(update_fields=["role"])
    audit_record(
        by=by,
        action="membership.role",
        organisation=current.organisation,
        detail=f"{current.user.email}: {before} -> {role}",
    )
    return current


@transaction.atomic
def organisation_delete(*, organisation: Organisation, by: User) -> int:
    """Delete an organisation with everything that belongs to them: members' access, invitations, grants,
    branding, assessments with their answers, history and cached PDFs, and any bulk export zip holding one
    of their reports; a consultancy takes with it the clients it created that have no members of their own.
    User accounts stay. For the organisation's own owners (docs/roles.md). Returns the number of assessments
    deleted."""
    organisation = _lock_organisation(organisation)
    if not organisation_access(by, organisation).may_delete:
        raise NotAllowed(_("Only the organisation's own owners can delete it."))
    organisations = selectors.organisation_deletion_scope(organisation).organisations
    assessment_ids = {
        str(pk) for pk in Assessment.objects.filter(organisation__in=organisations).values_list("pk", flat=True)
    }
    # Bulk exports keep rendered PDFs in their zip, so one naming a deleted assessment goes too.
    stale_exports = [
        export.pk
        for export in BulkExport.objects.only("pk", "assessment_ids")
        if assessment_ids.intersection(map(str, export.assessment_ids))
    ]
    BulkExport.objects.filter(pk__in=stale_exports).delete()
    for deleted in organisations:
        audit_record(by=by, action="organisation.delete", organisation=deleted, detail=deleted.name)
    Organisation.objects.filter(pk__in=[o.pk for o in organisations]).delete()
    return len(assessment_ids)


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Erase a person's account, keeping what they did for their organisations.

    The account stays as an anonymous, inactive record, because answers and the change history name who
    made each change (shown as "a former member" from now on): its e-mail, name, password and staff rights
    go, with its memberships, its bulk export zips, cached PDFs that carry its e-mail on the cover,
    pending invitations addressed to it and its login records. Every session it had ends, since a session
    is only valid for the password it was opened with.
    Refused while the person is the only owner of an organisation: it would have nobody to run it.
    """
    # Lock the organisations the person owns, as every change of owners does: two owners of one organisation
    # deleting their accounts at the same moment must not both pass the check below.
    owned = Membership.objects.filter(user=user, role=Role.OWNER).values("organisation_id")
    list(Organisation.objects.select_for_update().filter(pk__in=owned).order_by("pk").values_list("pk", flat=True))
    sole = list(selectors.organisations_only_owned_by(user).values_list("name", flat=True))
    if sole:
        raise ValidationError(
            _("You are the only owner of %(names)s. Make someone else an owner, or delete the organisation, first.")
            % {"names": ", ".join(sole)}
        )
    reachable = list(selectors.assessments_for(user).values_list("pk", flat=True))
    RenderedReport.objects.filter(assessment__in=reachable).delete()
    BulkExport.objects.filter(requested_by=user).delete()
    if user.email:
        Invitation.objects.filter(email__iexact=user.email, accepted_at__isnull=True).delete()
    AccessAttempt.objects.filter(username=user.get_username()).delete()
    AccessFailureLog.objects.filter(username=user.get_username()).delete()
    AccessLog.objects.filter(username=user.get_username()).delete()
    # Its addresses (allauth) and two-factor keys go too: the address may sign up afresh.
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    user.username = f"deleted-{user.pk}"
    user.email = user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
