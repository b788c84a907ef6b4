"""Which language a page, an e-mail and a PDF report are in (issue 19; the five are settings.LANGUAGES).

* A page: the person's own choice, kept on their account (`Preference`) and applied on each request
  (`scorecard.middleware.account_language`); without one, the `django_language` cookie that the header's switcher
  sets; without that, the browser's Accept-Language (Django's LocaleMiddleware).
* An e-mail: the recipient's choice; for an address with no account or no choice, the language of the person
  whose action sends it (an inviter, someone asking for a password reset).
* A PDF report: `?lang=` on the download; otherwise the organisation's report language; otherwise the reader's.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation

from .models import Organisation, Preference

# This session's language choice: {"user": <pk, or None when made before logging in>, "code": <code or "">}.
SESSION_KEY = "scorecard_language"


def supported_language(code: str | None) -> str | None:
    """`code` when it names one of settings.LANGUAGES (any letter case; "th-TH" counts as "th"), else None."""
    if not code:
        return None
    codes = {known.lower(): known for known, _name in settings.LANGUAGES}
    wanted = str(code).strip().lower().replace("_", "-")
    return codes.get(wanted) or codes.get(wanted.split("-")[0])


def current_language() -> str:
    """The language active now (the request's, or an override's), as one of settings.LANGUAGES."""
    return supported_language(translation.get_language()) or settings.LANGUAGE_CODE


def preferred_language(user: Any) -> str | None:
    """The language `user` chose for themselves, if they did."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    return supported_language(Preference.objects.filter(user=user).values_list("language", flat=True).first())


@transaction.atomic
def language_preference_set(*, user: Any, language: str) -> Preference:
    """Keep `language` as `user`'s choice. ValueError for a language the site does not offer."""
    code = supported_language(language)
    if code is None:
        raise ValueError(f"not one of the site's languages: {language!r}")
    preference, _created = Preference.objects.update_or_create(user=user, defaults={"language": code})
    return preference


def email_language(address: str) -> str:
    """The language to write to `address` in: the choice of the account that uses it, else the current language
    (that of the person whose action sends the e-mail)."""
    address = (address or "").strip()
    if not address:
        return current_language()
    known = EmailAddress.objects.filter(email__iexact=address).select_related("user").first()
    user = known.user if known else get_user_model().objects.filter(email__iexact=address).first()
    return preferred_language(user) or current_language()


def report_language(requested: str | None, organisation: Organisation) -> str:
    """The language of a PDF report: the one asked for (`?lang=`, if the site offers it), else the organisation's
    report language, else the language the reader is using."""
    return supported_language(requested) or supported_language(organisation.language) or current_language()


# --- The session's choice --------------------------------------------------------------------------------------


def remember_language(request: HttpRequest, code: str) -> None:
    """The person chose `code` (the header's switcher): kept on their account when they are logged in, and in this
    session in any case, so that logging in next adopts a choice made on the log-in or sign-up page."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        language_preference_set(user=user, language=code)
        request.session[SESSION_KEY] = {"user": user.pk, "code": code}
    else:
        request.session[SESSION_KEY] = {"user": None, "code": code}


def settle_session_language(request: HttpRequest, user: Any) -> str | None:
    """At log-in (scorecard.models connects it to `user_logged_in`): a language chosen before logging in, in this
    session, becomes the account's choice; otherwise the account's choice is read. Kept in the session, so that
    pages cost no query for it. Logging out ends the session; logging in as someone else starts a new one."""
    session = getattr(request, "session", None)
    if session is None or user is None or user.pk is None:
        return None
    entry = session.get(SESSION_KEY)
    entry = entry if isinstance(entry, dict) else {}
    chosen_before_log_in = supported_language(entry.get("code")) if entry.get("user") is None else None
    if chosen_before_log_in:
        language_preference_set(user=user, language=chosen_before_log_in)
    code = chosen_before_log_in or preferred_language(user) or ""
    session[SESSION_KEY] = {"user": user.pk, "code": code}
    return supported_language(code)


def session_language(request: HttpRequest) -> str | None:
    """The language the logged-in person chose, or None (the cookie and Accept-Language then decide)."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return None
    entry = session.get(SESSION_KEY)
    if not isinstance(entry, dict) or entry.get("user") != user.pk:  # a session opened before this was deployed
        return settle_session_language(request, user)
    return supported_language(entry.get("code"))
