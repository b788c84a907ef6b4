"""Accounts: allauth's sign-up with the organisation it creates (and the language it was made in), and an
organisation's two-factor rule."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from allauth.account.views import SignupView as AllauthSignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..accounts import MailNotSent
from ..languages import current_language, language_preference_set
from ..permissions import AuthedRequest
from ..selectors import organisation_access_get_for, organisations_for
from ..services.accounts import organisation_mfa_rule_set
from ..services.errors import ServiceError
from .refusals import refuse


class SignupView(AllauthSignupView):
    """allauth's sign-up page. Once the address is confirmed, the person lands on the organisation they created.
    When the confirmation e-mail cannot be sent, nothing is created and the form says so."""

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            with transaction.atomic():
                response = super().form_valid(form)
                if getattr(self, "user", None) is not None:  # (none when the address already has an account)
                    # The language they signed up in is the one their e-mails are written in until they choose.
                    language_preference_set(user=self.user, language=current_language())
                return response
        except MailNotSent:
            form.add_error(
                None,
                _(
                    "We could not send the confirmation e-mail just now, so no account was created. "
                    "Try again in a while."
                ),
            )
            return self.form_invalid(form)

    def get_success_url(self) -> str:
        organisation = organisations_for(self.user).first() if getattr(self, "user", None) else None
        if organisation is None:
            return super().get_success_url()
        return self.get_next_url() or reverse("organisation_detail", args=[organisation.pk])


signup = SignupView.as_view()


@login_required
@require_POST
def organisation_mfa_rule(request: AuthedRequest, pk: UUID) -> HttpResponse:
    """Turn "members must use two-factor authentication" on or off (a checkbox on the organisation page)."""
    organisation = organisation_access_get_for(user=request.user, pk=pk).organisation
    required = request.POST.get("members_must_use_mfa") == "on"
    try:
        organisation_mfa_rule_set(organisation=organisation, required=required, by=request.user)
    except ServiceError as exc:
        refuse(request, exc)
    else:
        if required:
            messages.success(
                request,
                _("Everyone who opens %(org)s now needs two-factor authentication.") % {"org": organisation.name},
            )
        else:
            messages.success(
                request,
                _("Two-factor authentication is now up to each member of %(org)s.") % {"org": organisation.name},
            )
    return redirect("organisation_detail", pk=organisation.pk)
