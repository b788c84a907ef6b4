"""The one place that decides who may do what to an organisation's data.

A user acts for an organisation either as a member (owner, editor, viewer) or as a consultant: a member
of a consultancy that the organisation has granted access to. A consultant's effective role is the lower
of the grant's role and their own role in the consultancy, and never more than editor: a consultancy does
the assessment work it was granted, while the organisation's own owners control its membership and access
(docs/roles.md has the whole table).

One exception, the trust phase: a client that a consultancy created is held in trust by that consultancy
until the client's first owner joins. Until then the consultancy's owners may invite people (the first owner
among them) and correct the client's details; from then on the client's owners control it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest

from .models import ROLE_RANK, ConsultantGrant, Membership, Organisation, Role

AnyUser = User | AnonymousUser

# The most a consultancy can do through a grant: assessment work, never ownership of the client.
CONSULTANT_ROLE_CAP = Role.EDITOR


class AuthedRequest(HttpRequest):
    """The request type of views behind @login_required: the user is a real account."""

    user: User


def lower_role(a: str, b: str) -> Role:
    return Role(a) if ROLE_RANK[Role(a)] <= ROLE_RANK[Role(b)] else Role(b)


def role_allows(role: str | None, minimum: Role) -> bool:
    return role is not None and ROLE_RANK[Role(role)] >= ROLE_RANK[minimum]


def _member_role(user: User, organisation: Organisation) -> Role | None:
    role = Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True).first()
    return Role(role) if role else None


def _consultant_role(user: User, organisation: Organisation) -> Role | None:
    """The best role `user` has on `organisation` through an active grant to one of their consultancies."""
    best: Role | None = None
    grants = ConsultantGrant.objects.filter(
        client=organisation, revoked_at__isnull=True, consultancy__memberships__user=user
    ).values_list("role", "consultancy__memberships__role")
    for grant_role, consultancy_role in grants:
        effective = lower_role(lower_role(grant_role, consultancy_role), CONSULTANT_ROLE_CAP)
        if best is None or ROLE_RANK[effective] > ROLE_RANK[best]:
            best = effective
    return best


def _best(a: Role | None, b: Role | None) -> Role | None:
    if a is None or b is None:
        return a or b
    return a if ROLE_RANK[a] >= ROLE_RANK[b] else b


def organisation_role(user: AnyUser, organisation: Organisation) -> Role | None:
    """The best role `user` has on `organisation`, or None when they have no access at all."""
    if not user.is_authenticated:
        return None
    return _best(_member_role(user, organisation), _consultant_role(user, organisation))


@dataclass(frozen=True)
class Access:
    """What one person may do with one organisation.

    `role` is the role they act with, as a member or as a consultant: pages and assessment work go by it.
    `member_role` is their own membership (None for a consultant). `holds_in_trust` says they are an owner
    of the consultancy that created the organisation, which has no owner of its own yet.
    """

    organisation: Organisation
    role: Role | None
    member_role: Role | None
    holds_in_trust: bool
    may_delete: bool

    @property
    def is_own_owner(self) -> bool:
        return self.member_role == Role.OWNER

    @property
    def is_consultant(self) -> bool:
        return self.role is not None and self.member_role is None

    @property
    def may_view(self) -> bool:
        return self.role is not None

    @property
    def may_edit_assessments(self) -> bool:
        return role_allows(self.role, Role.EDITOR)

    @property
    def may_manage_members(self) -> bool:
        """Change a member's role or remove a member: the organisation's own owners only."""
        return self.is_own_owner

    @property
    def may_invite(self) -> bool:
        """Invite people (as any role): the own owners, or the consultancy while it holds the client in trust."""
        return self.is_own_owner or self.holds_in_trust

    @property
    def may_manage_grants(self) -> bool:
        """Give or revoke a consultancy's access: the organisation's own owners only."""
        return self.is_own_owner

    @property
    def may_edit_details(self) -> bool:
        return self.is_own_owner or self.holds_in_trust

    @property
    def may_brand(self) -> bool:
        return self.is_own_owner and self.organisation.is_consultancy

    @property
    def may_create_clients(self) -> bool:
        return self.organisation.is_consultancy and role_allows(self.member_role, Role.EDITOR)


def organisation_access(user: AnyUser, organisation: Organisation) -> Access:
    """Everything `user` may do with `organisation` (nothing at all for an anonymous visitor)."""
    if not user.is_authenticated:
        return Access(organisation, role=None, member_role=None, holds_in_trust=False, may_delete=False)
    member_role = _member_role(user, organisation)
    role = _best(member_role, _consultant_role(user, organisation))
    holds_in_trust, may_delete = False, member_role == Role.OWNER
    creator = organisation.created_by_consultancy_id
    if (
        member_role != Role.OWNER
        and creator is not None
        and Membership.objects.filter(user=user, organisation_id=creator, role=Role.OWNER).exists()
    ):
        members = Membership.objects.filter(organisation=organisation)
        grants = ConsultantGrant.objects.filter(client=organisation, consultancy_id=creator, revoked_at__isnull=True)
        holds_in_trust = not members.filter(role=Role.OWNER).exists() and grants.exists()
        # Nobody else could ever delete a client with no members of its own.
        may_delete = not members.exists()
    return Access(
        organisation, role=role, member_role=member_role, holds_in_trust=holds_in_trust, may_delete=may_delete
    )
