"""Writes for organisations, memberships, invitations and consultant grants."""

from __future__ import annotations

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import selectors
from ..models import (
    Assessment,
    BulkExport,
    ConsultantGrant,
    Invitation,
    Membership,
    Organisation,
    RenderedReport,
    Role,
)

INVITATION_SALT = "scorecard.invitation"


def user_by_email(email: str) -> User | None:
    email = email.strip()
    # Deleted accounts keep no e-mail: a blank address must never find one of them.
    return User.objects.filter(email__iexact=email).first() if email else None


@transaction.atomic
def user_create(*, email: str, password: str) -> User:
    email = email.strip().lower()
    if user_by_email(email):
        raise ValidationError(_("An account with this e-mail already exists. Log in instead."))
    return User.objects.create_user(username=email, email=email, password=password)


@transaction.atomic
def organisation_create(*, user: User, name: str, kind: str, sector: str, size: str, hq_country: str) -> Organisation:
    organisation = Organisation.objects.create(name=name, kind=kind, sector=sector, size=size, hq_country=hq_country)
    Membership.objects.create(user=user, organisation=organisation, role=Role.OWNER)
    return organisation


@transaction.atomic
def signup(
    *, email: str, password: str, organisation_name: str, kind: str, sector: str, size: str, hq_country: str
) -> tuple[User, Organisation]:
    user = user_create(email=email, password=password)
    organisation = organisation_create(
        user=user, name=organisation_name, kind=kind, sector=sector, size=size, hq_country=hq_country
    )
    return user, organisation


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(str(invitation.pk), salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The open invitation behind a signed token; ValidationError when forged, expired or used."""
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This invitation has expired. Ask for a new one.")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This invitation link is not valid.")) from exc
    invitation = Invitation.objects.select_related("organisation").filter(pk=pk).first()
    if invitation is None:
        raise ValidationError(_("This invitation was withdrawn."))
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been accepted."))
    return invitation


@transaction.atomic
def invitation_create(*, organisation: Organisation, email: str, role: str, by: User, base_url: str) -> Invitation:
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already a member of this organisation.") % {"email": email})
    invitation = Invitation.objects.create(organisation=organisation, email=email, role=role, invited_by=by)
    link = base_url + reverse("invitation_accept", args=[invitation_token(invitation)])
    send_mail(
        subject=_("You are invited to %(org)s on the ASEAN AI Governance Scorecard") % {"org": organisation.name},
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
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    if (user.email or "").lower() != invitation.email.lower():
        raise ValidationError(
            _("This invitation is for %(email)s. Log in with that address to accept it.") % {"email": invitation.email}
        )
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at:
        raise ValidationError(_("This invitation has already been accepted."))
    membership, _created = Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": invitation.role}
    )
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def grant_create(*, client: Organisation, consultant_email: str, role: str, by: User) -> ConsultantGrant:
    consultant = user_by_email(consultant_email)
    consultancies = list(
        Organisation.objects.filter(kind=Organisation.Kind.CONSULTANCY, memberships__user=consultant)
        if consultant
        else []
    )
    if not consultancies:
        raise ValidationError(_("No consultancy account uses that e-mail address. Ask your consultant to sign up."))
    if len(consultancies) > 1:
        raise ValidationError(
            _("That person belongs to several consultancies; ask them for the e-mail of their consultancy's owner.")
        )
    consultancy = consultancies[0]
    if consultancy.pk == client.pk:
        raise ValidationError(_("An organisation cannot grant access to itself."))
    if ConsultantGrant.objects.filter(client=client, consultancy=consultancy, revoked_at__isnull=True).exists():
        raise ValidationError(_("%(name)s already has access.") % {"name": consultancy.name})
    return ConsultantGrant.objects.create(client=client, consultancy=consultancy, role=role, granted_by=by)


@transaction.atomic
def grant_revoke(*, grant: ConsultantGrant) -> ConsultantGrant:
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
    return grant


@transaction.atomic
def client_create(
    *, consultancy: Organisation, by: User, name: str, sector: str, size: str, hq_country: str
) -> Organisation:
    """A consultancy creates a client: the client organisation plus an owner-level grant to the consultancy,
    so the consultant can invite the client's own people (who can later revoke the grant)."""
    client = Organisation.objects.create(
        name=name,
        kind=Organisation.Kind.ORGANISATION,
        sector=sector,
        size=size,
        hq_country=hq_country,
        created_by_consultancy=consultancy,
    )
    ConsultantGrant.objects.create(client=client, consultancy=consultancy, role=Role.OWNER, granted_by=by)
    return client


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, name: str, sector: str, size: str, hq_country: str
) -> Organisation:
    """Correct an organisation's details. Its cached PDF reports carry the old ones on their cover, so they go."""
    organisation.name, organisation.sector, organisation.size, organisation.hq_country = name, sector, size, hq_country
    organisation.save(update_fields=["name", "sector", "size", "hq_country"])
    RenderedReport.objects.filter(assessment__organisation=organisation).delete()
    return organisation


def _ensure_another_owner(membership: Membership) -> None:
    """Refuse to take away the last owner: an organisation always keeps at least one (call in a transaction)."""
    owners = Membership.objects.select_for_update().filter(organisation=membership.organisation, role=Role.OWNER)
    if membership.role == Role.OWNER and owners.exclude(pk=membership.pk).count() == 0:
        raise ValidationError(_("An organisation needs at least one owner. Make someone else an owner first."))


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Remove a member; an organisation always keeps at least one owner."""
    _ensure_another_owner(membership)
    membership.delete()


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str) -> Membership:
    """Give a member another role; an organisation always keeps at least one owner."""
    if role != Role.OWNER:
        _ensure_another_owner(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def organisation_delete(*, organisations: list[Organisation]) -> int:
    """Delete organisations with everything that belongs to them: members' access, invitations, grants,
    branding, assessments with their answers, history and cached PDFs, and any bulk export zip holding one
    of their reports. User accounts stay. Returns the number of assessments deleted."""
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
    Membership.objects.filter(user=user).delete()
    user.username = f"deleted-{user.pk}"
    user.email = user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
