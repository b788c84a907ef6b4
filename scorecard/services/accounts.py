"""Writes about how people log in to an organisation: its two-factor authentication rule."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from ..accounts import uses_mfa
from ..models import Organisation
from ..permissions import organisation_access
from .audit import audit_record
from .errors import NotAllowed, ServiceError


@transaction.atomic
def organisation_mfa_rule_set(*, organisation: Organisation, required: bool, by: User) -> Organisation:
    """Require (or stop requiring) two-factor authentication of everyone who opens the organisation.

    The organisation's own owners decide, never a consultancy. An owner turning it on must use it already:
    the rule applies to them from the next page on.
    """
    if not organisation_access(by, organisation).is_own_owner:
        raise NotAllowed(_("Only the organisation's own owners can change how its members log in."))
    if required and not uses_mfa(by):
        raise ServiceError(
            _("Set up two-factor authentication for your own account first (Account, Two-factor authentication).")
        )
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.members_must_use_mfa != required:
        locked.members_must_use_mfa = required
        locked.save(update_fields=["members_must_use_mfa"])
        audit_record(by=by, action="organisation.mfa_rule", organisation=locked, detail="on" if required else "off")
    organisation.members_must_use_mfa = required
    return locked
