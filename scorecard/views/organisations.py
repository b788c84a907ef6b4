"""Account deletion, dashboard, organisations, invitations, consultant grants, consultant portfolio."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..edition_updates import organisation_edition_update
from ..forms import (
    AcceptInvitationSignupForm,
    AccountDeleteForm,
    ClientForm,
    GrantForm,
    InvitationForm,
    MembershipRoleForm,
    OrganisationDeleteForm,
    OrganisationEditForm,
)
from ..languages import current_language, language_preference_set
from ..models import Organisation, Role
from ..permissions import AuthedRequest
from ..selectors import (
    OPEN_ACTION_STATUSES,
    actions_of,
    ai_systems_of,
    assessments_for,
    consultancies_for,
    evidence_of,
    organisation_access_get_for,
    organisation_deletion_scope,
    organisations_for,
    organisations_only_owned_by,
    portfolio_page,
    systems_overview,
)
from ..services import organisations as org_services
from ..services.errors import ServiceError
from .refusals import refuse

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"
DASHBOARD_SYSTEMS = 50  # the dashboard lists this many AI systems; each organisation's inventory lists them all


def _form_errors(form: forms.Form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    organisations = list(organisations_for(request.user))
    assessments = list(assessments_for(request.user).order_by("-updated_at")[:50])
    overview = systems_overview([o.pk for o in organisations if not o.is_consultancy])
    systems = [(o, s) for o in organisations if o.pk in overview for s in overview[o.pk].systems]
    return render(
        request,
        "scorecard/dashboard.html",
        {
            # Each organisation with its AI systems and actions (None for a consultancy, which has neither).
            "organisations": [(o, overview.get(o.pk)) for o in organisations],
            "systems": systems[:DASHBOARD_SYSTEMS],
            "systems_total": len(systems),
            "assessments": assessments,
            "consultancies": list(consultancies_for(request.user)),
        },
    )


@login_required
def organisation_detail(request: AuthedRequest, pk: UUID) -> HttpResponse:
    access = organisation_access_get_for(user=request.user, pk=pk)
    organisation = access.organisation
    memberships = list(organisation.memberships.select_related("user").order_by("user__email"))
    return render(
        request,
        "scorecard/organisation_detail.html",
        {
            "organisation": organisation,
            "access": access,
            "can_edit": access.may_edit_assessments,
            "memberships": memberships,
            # The only owner gets no Remove or role change on their own row: it would be refused anyway.
            "sole_owner": sum(m.role == Role.OWNER for m in memberships) == 1,
            "invitations": organisation.invitations.filter(accepted_at__isnull=True),
            "grants": organisation.grants_given.filter(revoked_at__isnull=True).select_related("consultancy"),
            "assessments": organisation.assessments.select_related("framework_version")
            .defer("results")
            .order_by("-updated_at"),
            "invitation_form": InvitationForm(auto_id="invite_%s") if access.may_invite else None,
            "grant_form": (
                GrantForm(auto_id="grant_%s") if access.may_manage_grants and not organisation.is_consultancy else None
            ),
            "may_delete": access.may_delete,
            "roles": Role.choices,
            "edition_update": organisation_edition_update(organisation),
            "workspace": None if organisation.is_consultancy else _workspace_counts(organisation),
        },
    )


def _workspace_counts(organisation: Organisation) -> dict[str, int]:
    """What the organisation page's "AI governance workspace" links count (three small counting queries)."""
    actions = actions_of(organisation).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES, due_on__lt=timezone.localdate())),
    )
    return {
        "systems": ai_systems_of(organisation).count(),
        "open_actions": actions["open"] or 0,
        "overdue_actions": actions["overdue"] or 0,
        "evidence": evidence_of(organisation).count(),
    }


@login_required
@require_POST
def invitation_create(request: AuthedRequest, pk: UUID) -> HttpResponse:
    organisation = organisation_access_get_for(user=request.user, pk=pk).organisation
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address and role."))
        return redirect("organisation_detail", pk=organisation.pk)
    try:
        invitation = org_services.invitation_create(
            organisation=organisation,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            by=request.user,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except ServiceError as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect("organisation_detail", pk=organisation.pk)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = org_services.invitation_from_token(token)
    except ServiceError as exc:
        return render(request, "scorecard/invitation_invalid.html", {"errors": exc.messages}, status=400)
    existing_user = org_services.user_by_email(invitation.email)
    signup_form = None
    if not request.user.is_authenticated and existing_user is None:
        signup_form = AcceptInvitationSignupForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        try:
            with transaction.atomic():  # a refused invitation leaves no new account behind
                if request.user.is_authenticated:
                    org_services.invitation_accept(invitation=invitation, user=request.user)
                elif signup_form is not None and signup_form.is_valid():
                    # The link came to this address, so following it confirms the address.
                    user = org_services.user_create(
                        email=invitation.email, password=signup_form.cleaned_data["password1"], email_verified=True
                    )
                    language_preference_set(user=user, language=current_language())
                    org_services.invitation_accept(invitation=invitation, user=user)
                    login(request, user, backend=AUTH_BACKEND)
                else:
                    raise ServiceError(_("Please correct the errors below."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ServiceError as exc:
            refuse(request, exc)
        else:
            messages.success(request, _("You joined %(org)s.") % {"org": invitation.organisation.name})
            return redirect("organisation_detail", pk=invitation.organisation_id)
    return render(
        request,
        "scorecard/invitation_accept.html",
        {
            "invitation": invitation,
            "signup_form": signup_form,
            "needs_login": existing_user is not None,
        },
    )


@login_required
@require_POST
def grant_create(request: AuthedRequest, pk: UUID) -> HttpResponse:
    organisation = organisation_access_get_for(user=request.user, pk=pk).organisation
    form = GrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the consultant's e-mail address and the access to give."))
        return redirect("organisation_detail", pk=organisation.pk)
    try:
        grant = org_services.grant_create(
            client=organisation,
            consultant_email=form.cleaned_data["consultant_email"],
            role=form.cleaned_data["role"],
            by=request.user,
        )
    except ServiceError as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("%(name)s now has access.") % {"name": grant.consultancy.name})
    return redirect("organisation_detail", pk=organisation.pk)


@login_required
@require_POST
def grant_revoke(request: AuthedRequest, pk: UUID, grant_pk: UUID) -> HttpResponse:
    organisation = organisation_access_get_for(user=request.user, pk=pk).organisation
    grant = get_object_or_404(organisation.grants_given, pk=grant_pk, revoked_at__isnull=True)
    try:
        org_services.grant_revoke(grant=grant, by=request.user)
    except ServiceError as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("Access for %(name)s was revoked.") % {"name": grant.consultancy.name})
    return redirect("organisation_detail", pk=organisation.pk)


@login_required
def portfolio(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "scorecard/portfolio.html",
        {
            "consultancies": list(consultancies_for(request.user)),
            "portfolio": portfolio_page(request.user, request.GET),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def client_create(request: AuthedRequest, pk: UUID) -> HttpResponse:
    access = organisation_access_get_for(user=request.user, pk=pk)
    consultancy = access.organisation
    if not consultancy.is_consultancy:
        messages.error(request, _("Only a consultancy can create client organisations."))
        return redirect("organisation_detail", pk=consultancy.pk)
    if not access.may_create_clients:  # the service checks again; this spares showing a form for nothing
        raise PermissionDenied
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = org_services.client_create(consultancy=consultancy, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            refuse(request, exc, form)
        else:
            messages.success(request, _("Client %(name)s created.") % {"name": client.name})
            return redirect("organisation_detail", pk=client.pk)
    return render(
        request,
        "scorecard/form_page.html",
        {
            "form": form,
            "title": _("New client for %(name)s") % {"name": consultancy.name},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: AuthedRequest, pk: UUID) -> HttpResponse:
    access = organisation_access_get_for(user=request.user, pk=pk)
    organisation = access.organisation
    if not access.may_edit_details:  # the service checks again; this spares showing a form for nothing
        raise PermissionDenied
    current = {f: getattr(organisation, f) for f in ("name", "sector", "size", "hq_country", "language")}
    form = OrganisationEditForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.organisation_update(organisation=organisation, by=request.user, **form.cleaned_data)
        except ServiceError as exc:
            refuse(request, exc, form)
        else:
            messages.success(request, _("Details saved."))
            return redirect("organisation_detail", pk=organisation.pk)
    title = _("Details of %(name)s") % {"name": organisation.name}
    return render(request, "scorecard/form_page.html", {"form": form, "title": title})


@login_required
@require_POST
def membership_remove(request: AuthedRequest, pk: UUID, membership_pk: int) -> HttpResponse:
    organisation = organisation_access_get_for(user=request.user, pk=pk).organisation
    membership = get_object_or_404(organisation.memberships.select_related("user"), pk=membership_pk)
    try:
        org_services.membership_remove(membership=membership, by=request.user)
    except ServiceError as exc:
        refuse(request, exc)
    else:
        messages.success(request, _("%(email)s was removed.") % {"email": membership.user.email})
        if membership.user_id == request.user.pk:
            return redirect("dashboard")
    return redirect("organisation_detail", pk=organisation.pk)


@login_required
@require_POST
def membership_role_change(request: AuthedRequest, pk: UUID, membership_pk: int) -> HttpResponse:
    organisation = organisation_access_get_for(user=request.user, pk=pk).organisation
    membership = get_object_or_404(organisation.memberships.select_related("user"), pk=membership_pk)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles: owner, editor or viewer."))
        return redirect("organisation_detail", pk=organisation.pk)
    try:
        changed = org_services.membership_role_change(
            membership=membership, role=form.cleaned_data["role"], by=request.user
        )
    except ServiceError as exc:
        refuse(request, exc)
    else:
        messages.success(
            request,
            _("%(email)s is now %(role)s.") % {"email": changed.user.email, "role": changed.get_role_display().lower()},
        )
    return redirect("organisation_detail", pk=organisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_delete(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """GET shows what would be deleted; POST with the organisation's name typed deletes it."""
    access = organisation_access_get_for(user=request.user, pk=pk)
    organisation = access.organisation
    if not access.may_delete:  # the service checks again; this spares showing a form for nothing
        raise PermissionDenied(_("Only the organisation's own owners can delete it."))
    scope = organisation_deletion_scope(organisation)
    form = OrganisationDeleteForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            deleted = org_services.organisation_delete(organisation=organisation, by=request.user)
        except ServiceError as exc:
            refuse(request, exc, form)
        else:
            messages.success(
                request,
                _("%(name)s was deleted, with %(n)s assessment(s). Your account stays.")
                % {"name": organisation.name, "n": deleted},
            )
            return redirect("dashboard")
    return render(
        request, "scorecard/organisation_delete.html", {"organisation": organisation, "form": form, "scope": scope}
    )


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: AuthedRequest) -> HttpResponse:
    """GET says what deleting the account does (or what stands in the way); POST with the password does it."""
    sole_owned = organisations_only_owned_by(request.user)
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.account_delete(user=request.user)
        except ValidationError as exc:  # someone else stepped down as owner meanwhile
            _form_errors(form, exc)
        else:
            logout(request)
            messages.success(request, _("Your account was deleted. Your answers stay with your organisations."))
            return redirect("home")
    return render(request, "registration/account_delete.html", {"form": form, "sole_owned": sole_owned})
