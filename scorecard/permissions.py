"""The one place that decides who may do what to an organisation's data.

A user acts for an organisation either as a member (owner, editor, viewer) or as a consultant: a member
of a consultancy that the organisation has granted access to. A consultant's effective role is the lower
of the grant's role and their own role in the consultancy.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

from .models import ROLE_RANK, ConsultantGrant, Membership, Organisation, Role

AnyUser = User | AnonymousUser


class AuthedRequest(HttpRequest):
    """The request type of views behind @login_required: the user is a real account."""

    user: User


def lower_role(a: str, b: str) -> Role:
    return Role(a) if ROLE_RANK[Role(a)] <= ROLE_RANK[Role(b)] else Role(b)


def role_allows(role: str | None, minimum: Role) -> bool:
    return role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[minimum]


def organisation_role(user: AnyUser, organisation: Organisation) -> Role | None:
    """The best role `user` has on `organisation`, or None when they have no access at all."""
    if not user.is_authenticated:
        return None
    best: Role | None = None
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if membership:
        best = Role(membership.role)
    grants = ConsultantGrant.objects.filter(
        client=organisation, revoked_at__isnull=True, consultancy__memberships__user=user
    ).values_list("role", "consultancy__memberships__role")
    for grant_role, consultancy_role in grants:
        effective = lower_role(grant_role, consultancy_role)
        if best is None or ROLE_RANK[effective] > ROLE_RANK[best]:
            best = effective
    return best


def may_delete_organisation(user: AnyUser, organisation: Organisation) -> bool:
    """Deleting an organisation is for its own owners. A client that a consultancy created and that has no
    members of its own can also be deleted by that consultancy's owners: otherwise nobody ever could."""
    if not user.is_authenticated:
        return False
    if Membership.objects.filter(user=user, organisation=organisation, role=Role.OWNER).exists():
        return True
    return (
        organisation.created_by_consultancy_id is not None
        and not organisation.memberships.exists()
        and Membership.objects.filter(
            user=user, organisation_id=organisation.created_by_consultancy_id, role=Role.OWNER
        ).exists()
    )
