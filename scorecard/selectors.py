"""Reads of tenant data, always scoped to the user asking.

Views never call `Model.objects.get(pk=...)` on organisation data: they call these functions, which
raise Http404 for anyone who has no access (so ids of other organisations reveal nothing) and
PermissionDenied for someone whose role is too low.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Assessment, ConsultantGrant, Membership, Organisation, Role
from .permissions import Access, AnyUser, organisation_access, organisation_role, role_allows


def organisations_for(user: AnyUser) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(
            Q(memberships__user=user)
            | Q(grants_given__revoked_at__isnull=True, grants_given__consultancy__memberships__user=user)
        )
        .distinct()
        .order_by("name")
    )


def _role_or_404(user: AnyUser, organisation: Organisation | None, minimum: Role, not_found: str) -> Role:
    """The single access check: Http404 for anyone without access, PermissionDenied for a role too low."""
    role = organisation_role(user, organisation) if organisation else None
    if role is None:
        raise Http404(not_found)
    if not role_allows(role, minimum):
        raise PermissionDenied(_("Your role in this organisation does not allow this."))
    return role


def organisation_get_for(*, user: AnyUser, pk: UUID | str, minimum: Role = Role.VIEWER) -> Organisation:
    """The organisation, with `.access_role` set; 404 without access, 403 when the role is too low."""
    organisation = Organisation.objects.filter(pk=pk).first()
    role = _role_or_404(user, organisation, minimum, _("No such organisation."))
    organisation.access_role = role  # type: ignore[union-attr]
    return organisation  # type: ignore[return-value]


def organisation_access_get_for(*, user: AnyUser, pk: UUID | str) -> Access:
    """The organisation with what `user` may do with it; Http404 for anyone who has no access to it."""
    organisation = Organisation.objects.select_related("created_by_consultancy").filter(pk=pk).first()
    access = organisation_access(user, organisation) if organisation else None
    if access is None or not access.may_view:
        raise Http404(_("No such organisation."))
    return access


def assessments_for(user: AnyUser) -> QuerySet[Assessment]:
    return Assessment.objects.filter(organisation__in=organisations_for(user)).select_related(
        "organisation", "framework_version"
    )


def assessment_get_for(*, user: AnyUser, pk: UUID | str, minimum: Role = Role.VIEWER) -> Assessment:
    """The assessment, with `.access_role` set; 404 without access, 403 when the role is too low."""
    assessment = (
        Assessment.objects.select_related("organisation", "framework_version", "previous").filter(pk=pk).first()
    )
    role = _role_or_404(user, assessment.organisation if assessment else None, minimum, _("No such assessment."))
    assessment.access_role = role  # type: ignore[union-attr]
    return assessment  # type: ignore[return-value]


def consultancies_for(user: AnyUser) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(kind=Organisation.Kind.CONSULTANCY, memberships__user=user).order_by("name")


def portfolio_for(user: AnyUser) -> list[dict[str, Any]]:
    """Client organisations reachable through the user's consultancies, with their assessments."""
    grants = (
        ConsultantGrant.objects.filter(revoked_at__isnull=True, consultancy__in=consultancies_for(user))
        .select_related("client", "consultancy")
        .order_by("client__name")
    )
    clients: dict[Any, dict[str, Any]] = {}
    for grant in grants:
        entry = clients.setdefault(grant.client_id, {"client": grant.client, "grants": [], "assessments": []})
        entry["grants"].append(grant)
    assessments = Assessment.objects.filter(organisation_id__in=clients.keys()).order_by("-updated_at")
    for assessment in assessments:
        clients[assessment.organisation_id]["assessments"].append(assessment)
    return list(clients.values())


@dataclass(frozen=True)
class DeletionScope:
    """What deleting an organisation deletes, for the confirmation page and the service."""

    organisations: list[Organisation]  # the organisation first, then clients nobody else could reach
    assessments: int
    submitted: int
    members: int

    @property
    def orphan_clients(self) -> list[Organisation]:
        return self.organisations[1:]


def organisation_deletion_scope(organisation: Organisation) -> DeletionScope:
    """Deleting `organisation` deletes itself and, for a consultancy, the clients it created that have no
    members of their own (nobody could reach them any more)."""
    orphans = Organisation.objects.filter(created_by_consultancy=organisation, memberships__isnull=True)
    organisations = [organisation, *orphans.order_by("name")]
    assessments = Assessment.objects.filter(organisation__in=organisations)
    return DeletionScope(
        organisations=organisations,
        assessments=assessments.count(),
        submitted=assessments.filter(status=Assessment.Status.SUBMITTED).count(),
        members=organisation.memberships.count(),
    )


def organisations_only_owned_by(user: User) -> QuerySet[Organisation]:
    """Organisations where `user` is the one owner: deleting their account would leave them ownerless."""
    owned = Membership.objects.filter(user=user, role=Role.OWNER).values("organisation")
    other_owners = Membership.objects.filter(role=Role.OWNER).exclude(user=user).values("organisation")
    return Organisation.objects.filter(pk__in=owned).exclude(pk__in=other_owners).order_by("name")
