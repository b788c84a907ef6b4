"""How accounts meet the rest of the app: the client's address behind proxies, the lockout key, verified addresses.

Sign-up, log-in, e-mail confirmation, password reset and two-factor authentication are django-allauth's; this
module is the glue it is configured with (settings: ACCOUNT_ADAPTER, MFA_FORMS, AXES_CLIENT_IP_CALLABLE,
AXES_USERNAME_CALLABLE), and the two middlewares that enforce an organisation's two-factor rule and turn an
e-mail that could not be sent into a message.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ipware.ip import get_client_ip

from .languages import email_language
from .models import Organisation
from .permissions import organisation_access

logger = logging.getLogger(__name__)


class MailNotSent(Exception):
    """An account e-mail (address confirmation, password reset) could not be handed to the mail server."""


def client_address(request: HttpRequest) -> str | None:
    """The address of the person's browser.

    Behind PROXY_COUNT reverse proxies, each of which appends the address it was reached from to
    X-Forwarded-For, the client is the PROXY_COUNT-th entry from the right: anything to its left was sent by the
    client and is not to be trusted. Without proxies (or without the header) it is the connection's address.
    """
    if settings.PROXY_COUNT:
        # python-ipware counts the proxies *listed* in the header, which is one fewer than the proxies in front
        # (the nearest one is the connection's address, not in the header).
        address, _routable = get_client_ip(
            request,
            proxy_count=settings.PROXY_COUNT - 1,
            request_header_order=["HTTP_X_FORWARDED_FOR"],
            strict=False,
        )
        if address:
            return address
    address, _routable = get_client_ip(request, request_header_order=["REMOTE_ADDR"])
    return address


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account a log-in attempt is for, as django-axes counts failures: the e-mail in lower case, so that
    "Ana@Example.org" and "ana@example.org" are one account."""
    credentials = credentials or {}
    login = credentials.get("email") or credentials.get("username") or request.POST.get("login") or ""
    return str(login).strip().lower()


def lift_lockout(user: Any) -> None:
    """Forget failed log-ins for every address of `user`: they proved they own the account."""
    addresses = {address.lower() for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    addresses |= {value.lower() for value in (user.email, user.get_username()) if value}
    for address in addresses:
        axes_reset(username=address)


def has_verified_email(user: Any, email: str | None = None) -> bool:
    """Whether `user` has confirmed `email` (by default their own address) through a link sent to it."""
    email = (email if email is not None else user.email or "").strip()
    if not email or not user.is_authenticated:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def uses_mfa(user: Any) -> bool:
    return bool(user.is_authenticated) and is_mfa_enabled(user)


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address")
        return address

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Written in the recipient's language: their account's choice, else the language of whoever asked for it
        (the person signing up, or asking for a password reset)."""
        try:
            with translation.override(email_language(email)):
                super().send_mail(template_prefix, email, context)
        except (smtplib.SMTPException, OSError) as exc:  # refused, unreachable or timed out (EMAIL_TIMEOUT)
            logger.warning("Account e-mail %s to %s failed: %r", template_prefix, email, exc)
            # The link never left: the person may ask for another at once (allauth allows one every few minutes).
            if allauth_context.request is not None:
                ratelimit.clear(allauth_context.request, action="confirm_email", key=email.lower())
            raise MailNotSent(template_prefix) from exc

    def format_email_subject(self, subject: str) -> str:
        """The site's name, in the e-mail's language, before the subject."""
        return f"{_('ASEAN AI Scorecard')}: {subject}"

    def set_password(self, user: Any, password: str) -> None:
        """Called for a password reset (and a change or first password): whoever sets it owns the account, so
        the lockout that repeated failures put on it goes (the lockout page says so)."""
        super().set_password(user, password)
        lift_lockout(user)


class MfaAuthenticateForm(AuthenticateForm):
    """allauth's two-factor code form, with a limit on wrong codes per account from any address (ACCOUNT_RATE_LIMITS
    "mfa_failed"). Only someone who already has the password gets this far, so counting per account is safe."""

    def clean_code(self) -> str:
        key = f"mfa-user-{self.user.pk}"
        if not ratelimit.consume(allauth_context.request, action="mfa_failed", key=key):
            raise get_account_adapter().validation_error("too_many_login_attempts")
        code: str = super().clean_code()
        ratelimit.clear(allauth_context.request, action="mfa_failed", key=key)
        return code


# The URL routes that open one organisation's data, and how to find that organisation from the route's `pk`.
ORGANISATION_ROUTES = {"orgs/<uuid:pk>/": "pk", "assessments/<uuid:pk>/": "assessments__pk"}


class OrganisationMfaMiddleware:
    """Send someone without two-factor authentication who opens an organisation that requires it (members must
    use MFA) to set it up, with a message that says why. Whoever has no access at all is let through, to get
    the view's own 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or "pk" not in view_kwargs or not request.user.is_authenticated:
            return None
        lookup = next((field for route, field in ORGANISATION_ROUTES.items() if match.route.startswith(route)), None)
        if lookup is None:
            return None
        organisation = Organisation.objects.filter(**{lookup: view_kwargs["pk"]}, members_must_use_mfa=True).first()
        if organisation is None or uses_mfa(request.user):
            return None
        if not organisation_access(request.user, organisation).may_view:
            return None
        messages.warning(
            request,
            _(
                "%(org)s asks everyone who opens it to use two-factor authentication. Set up an authenticator app "
                "for your account here, then open %(org)s again."
            )
            % {"org": organisation.name},
        )
        if request.headers.get("HX-Request"):  # an autosave: the whole page goes, not the fragment
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("mfa_activate_totp")
            return response
        return HttpResponseRedirect(reverse("mfa_activate_totp"))


class AccountMailMiddleware:
    """An account page whose e-mail could not be sent says so and lets the person try again, instead of a
    server error. (Sign-up handles it itself, to keep what was typed and create nothing.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, MailNotSent):
            return None
        messages.error(request, _("We could not send the e-mail just now. Try again in a while."))
        return HttpResponseRedirect(request.get_full_path())
