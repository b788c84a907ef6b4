"""Reads of tenant data, always scoped to the user asking.

Views never call `Model.objects.get(pk=...)` on organisation data: they call these functions, which
raise Http404 for anyone who has no access (so ids of other organisations reveal nothing) and
PermissionDenied for someone whose role is too low.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from frameworks.models import Country, FrameworkVersion

from .models import (
    Action,
    AISystem,
    Assessment,
    ConsultantGrant,
    EvidenceFile,
    Membership,
    Organisation,
    Role,
    SystemRiskAssessment,
)
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
    """Assessments the user can see, without their results snapshot (lists show the score and level columns)."""
    return (
        Assessment.objects.filter(organisation__in=organisations_for(user))
        .select_related("organisation", "framework_version")
        .defer("results")
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


PORTFOLIO_STATUSES = ("submitted", "draft", "none")
# What a list of assessments reads: never the results snapshot (~40 KB each), whose score and level are columns.
ASSESSMENT_LIST_FIELDS = (
    "pk",
    "organisation_id",
    "name",
    "status",
    "overall_score",
    "overall_level",
    "target_markets",
    "updated_at",
    "ai_system_id",
)


@dataclass(frozen=True)
class PortfolioFilters:
    """What a consultant narrows the portfolio to. Unknown values are dropped, never an error."""

    q: str = ""
    status: str = ""  # "submitted": has a submitted assessment; "draft": has one in progress; "none": has none
    market: str = ""  # an ISO code: has an assessment targeting that market

    @classmethod
    def from_query(cls, query: Any, markets: set[str]) -> PortfolioFilters:
        status = query.get("status", "")
        market = query.get("market", "").upper()
        return cls(
            q=" ".join(query.get("q", "").split())[:100],
            status=status if status in PORTFOLIO_STATUSES else "",
            market=market if market in markets else "",
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.status or self.market)


@dataclass
class PortfolioRow:
    client: Organisation
    grants: list[ConsultantGrant] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)  # newest first
    workspace: OrganisationSystems | None = None  # its AI systems and actions

    @property
    def latest(self) -> Assessment | None:
        return self.assessments[0] if self.assessments else None

    @property
    def latest_submitted(self) -> Assessment | None:
        return next((a for a in self.assessments if a.status == Assessment.Status.SUBMITTED), None)

    @property
    def markets(self) -> list[str]:
        return sorted({code for a in self.assessments for code in a.target_markets})

    def system_name(self, assessment: Assessment | None) -> str:
        """The name of the AI system `assessment` is about ("" for an organisation-level one), from the row's
        systems: no query."""
        if assessment is None or assessment.ai_system_id is None or self.workspace is None:
            return ""
        return next((s.system.name for s in self.workspace.systems if s.system.pk == assessment.ai_system_id), "")

    @property
    def latest_submitted_system(self) -> str:
        return self.system_name(self.latest_submitted)

    @property
    def latest_system(self) -> str:
        return self.system_name(self.latest)


def portfolio_clients(user: AnyUser, filters: PortfolioFilters) -> QuerySet[Organisation]:
    """Client organisations reachable through the user's consultancies (active grants), filtered, by name."""
    grants = ConsultantGrant.objects.filter(revoked_at__isnull=True, consultancy__in=consultancies_for(user))
    clients = Organisation.objects.filter(pk__in=grants.values("client"))
    if filters.q:
        clients = clients.filter(name__icontains=filters.q)
    if filters.status == "none":
        clients = clients.exclude(Exists(Assessment.objects.filter(organisation=OuterRef("pk"))))
    elif filters.status:
        status = Assessment.Status.SUBMITTED if filters.status == "submitted" else Assessment.Status.DRAFT
        clients = clients.filter(Exists(Assessment.objects.filter(organisation=OuterRef("pk"), status=status)))
    if filters.market:
        # A JSON list of codes: its text holds the quoted code exactly when the list does, on both databases.
        targeting = Assessment.objects.filter(
            organisation=OuterRef("pk"), target_markets__icontains=f'"{filters.market}"'
        )
        clients = clients.filter(Exists(targeting))
    return clients.order_by("name", "pk")


def portfolio_rows(user: AnyUser, clients: list[Organisation]) -> list[PortfolioRow]:
    """One page of the portfolio: each client with its active grants, its assessments (without their snapshots)
    and its AI systems with their actions (systems_overview), in four queries whatever the number of clients."""
    rows = {client.pk: PortfolioRow(client) for client in clients}
    grants = ConsultantGrant.objects.filter(
        revoked_at__isnull=True, client__in=rows.keys(), consultancy__in=consultancies_for(user)
    ).select_related("consultancy")
    for grant in grants:
        rows[grant.client_id].grants.append(grant)
    assessments = (
        Assessment.objects.filter(organisation__in=rows.keys()).only(*ASSESSMENT_LIST_FIELDS).order_by("-updated_at")
    )
    for assessment in assessments:
        rows[assessment.organisation_id].assessments.append(assessment)
    for pk, workspace in systems_overview(list(rows)).items():
        rows[pk].workspace = workspace
    return list(rows.values())


@dataclass(frozen=True)
class SystemSummary:
    """An AI system as the dashboard and the portfolio list it: its latest submitted assessment's score and level
    (from the columns, never the snapshot), its risk level and its open and overdue actions."""

    system: AISystem
    latest_pk: UUID | None
    latest_score: float | None
    latest_level: int | None
    open_actions: int
    overdue_actions: int


@dataclass
class OrganisationSystems:
    """An organisation's AI systems (by name) and its open and overdue actions, the systems' and its own."""

    systems: list[SystemSummary] = field(default_factory=list)
    open_actions: int = 0
    overdue_actions: int = 0


OPEN_ACTION_STATUSES = (Action.Status.OPEN, Action.Status.IN_PROGRESS)


def systems_overview(organisation_ids: Collection[UUID]) -> dict[UUID, OrganisationSystems]:
    """The AI systems of these organisations with their latest result, risk level and actions, in two queries
    whatever the number of organisations and systems. The caller has checked access to the organisations."""
    overview = {pk: OrganisationSystems() for pk in organisation_ids}
    if not overview:
        return overview
    latest = Assessment.objects.filter(ai_system=OuterRef("pk"), status=Assessment.Status.SUBMITTED).order_by(
        "-submitted_at", "-pk"
    )
    systems = (
        AISystem.objects.filter(organisation__in=overview.keys())
        .only("pk", "organisation_id", "name", "lifecycle", "risk_level")
        .annotate(
            latest_pk=Subquery(latest.values("pk")[:1]),
            latest_score=Subquery(latest.values("overall_score")[:1]),
            latest_level=Subquery(latest.values("overall_level")[:1]),
        )
        .order_by("name", "pk")
    )
    today = timezone.localdate()
    counts: dict[tuple[UUID, UUID | None], tuple[int, int]] = {}
    actions = (
        Action.objects.filter(organisation__in=overview.keys(), status__in=OPEN_ACTION_STATUSES)
        .values_list("organisation_id", "assessment__ai_system_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    )
    for organisation_id, system_id, open_count, overdue_count in actions:
        counts[(organisation_id, system_id)] = (open_count, overdue_count)
        overview[organisation_id].open_actions += open_count
        overview[organisation_id].overdue_actions += overdue_count
    for system in systems:
        open_count, overdue_count = counts.get((system.organisation_id, system.pk), (0, 0))
        overview[system.organisation_id].systems.append(
            SystemSummary(
                system=system,
                latest_pk=system.latest_pk,
                latest_score=system.latest_score,
                latest_level=system.latest_level,
                open_actions=open_count,
                overdue_actions=overdue_count,
            )
        )
    return overview


@dataclass(frozen=True)
class PortfolioPage:
    page: Page[Organisation]
    rows: list[PortfolioRow]
    filters: PortfolioFilters
    markets: list[tuple[str, str]]  # (code, name) of the current edition's markets, for the filter

    @property
    def page_range(self) -> list[int | str]:
        return list(self.page.paginator.get_elided_page_range(self.page.number, on_each_side=2, on_ends=1))


def portfolio_page(user: AnyUser, query: Any) -> PortfolioPage:
    """One page (PORTFOLIO_PAGE_SIZE clients) of the portfolio, filtered by the query string (q, status, market,
    page): a fixed number of queries and no snapshot loaded, whatever the size of the consultancy."""
    version = FrameworkVersion.objects.current()
    markets = list(Country.objects.filter(version=version).order_by("order", "code").values_list("code", "name"))
    filters = PortfolioFilters.from_query(query, {code for code, _name in markets})
    paginator = Paginator(portfolio_clients(user, filters), settings.PORTFOLIO_PAGE_SIZE)
    page = paginator.get_page(query.get("page"))  # a bad or too large number shows the first or the last page
    return PortfolioPage(page=page, rows=portfolio_rows(user, list(page.object_list)), filters=filters, markets=markets)


def latest_submitted_ids(user: AnyUser, query: Any) -> list[str]:
    """The newest submitted assessment of every client the portfolio's filters show (all pages), for a bulk
    export of "the latest report of each client"."""
    markets = set(Country.objects.filter(version=FrameworkVersion.objects.current()).values_list("code", flat=True))
    clients = portfolio_clients(user, PortfolioFilters.from_query(query, markets))
    submitted = (
        Assessment.objects.filter(organisation__in=clients.values("pk"), status=Assessment.Status.SUBMITTED)
        .order_by("organisation_id", "-submitted_at")
        .values_list("pk", "organisation_id")
    )
    latest: dict[Any, str] = {}
    for pk, organisation_id in submitted:
        latest.setdefault(organisation_id, str(pk))
    return list(latest.values())


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


# --- The AI-system workspace (docs/workspace.md) ----------------------------------------------------------------
# Each object belongs to one organisation; the check is the organisation's, through `_role_or_404`.


def ai_system_get_for(*, user: AnyUser, pk: UUID | str, minimum: Role = Role.VIEWER) -> AISystem:
    """The AI system, with `.access_role` set; 404 without access, 403 when the role is too low."""
    system = AISystem.objects.select_related("organisation", "owner").filter(pk=pk).first()
    role = _role_or_404(user, system.organisation if system else None, minimum, _("No such AI system."))
    system.access_role = role  # type: ignore[union-attr]
    return system  # type: ignore[return-value]


def ai_systems_of(organisation: Organisation) -> QuerySet[AISystem]:
    """An organisation's inventory, by name (the caller has checked access to the organisation)."""
    return AISystem.objects.filter(organisation=organisation).select_related("owner").order_by("name", "pk")


def risk_assessment_get_for(*, user: AnyUser, pk: UUID | str, minimum: Role = Role.VIEWER) -> SystemRiskAssessment:
    """The risk impact assessment, with `.access_role` set; 404 without access, 403 when the role is too low."""
    risk = SystemRiskAssessment.objects.select_related("ai_system__organisation", "method").filter(pk=pk).first()
    organisation = risk.ai_system.organisation if risk else None
    role = _role_or_404(user, organisation, minimum, _("No such risk assessment."))
    risk.access_role = role  # type: ignore[union-attr]
    return risk  # type: ignore[return-value]


def action_get_for(*, user: AnyUser, pk: UUID | str, minimum: Role = Role.VIEWER) -> Action:
    """The action, with `.access_role` set; 404 without access, 403 when the role is too low."""
    action = Action.objects.select_related("organisation", "assessment", "owner").filter(pk=pk).first()
    role = _role_or_404(user, action.organisation if action else None, minimum, _("No such action."))
    action.access_role = role  # type: ignore[union-attr]
    return action  # type: ignore[return-value]


def actions_of(organisation: Organisation) -> QuerySet[Action]:
    """An organisation's actions (the caller has checked access to the organisation)."""
    return Action.objects.filter(organisation=organisation).select_related("owner", "assessment")


def evidence_get_for(*, user: AnyUser, pk: UUID | str, minimum: Role = Role.VIEWER) -> EvidenceFile:
    """The evidence file, with `.access_role` set; 404 without access, 403 when the role is too low."""
    evidence = EvidenceFile.objects.select_related("organisation").filter(pk=pk).first()
    role = _role_or_404(user, evidence.organisation if evidence else None, minimum, _("No such evidence file."))
    evidence.access_role = role  # type: ignore[union-attr]
    return evidence  # type: ignore[return-value]


def evidence_of(organisation: Organisation) -> QuerySet[EvidenceFile]:
    """An organisation's evidence library, newest first (the caller has checked access to the organisation)."""
    return EvidenceFile.objects.filter(organisation=organisation).select_related("uploaded_by")


def members_of(organisation: Organisation) -> QuerySet[User]:
    """The organisation's own members: the people an AI system or an action can be given to."""
    return User.objects.filter(memberships__organisation=organisation).order_by("email")
