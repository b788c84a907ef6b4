"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control

from .languages import remember_language, session_language, supported_language


def private_no_store(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Every page and download sent to a logged-in person is marked `Cache-Control: private, no-store`.

    What they see is their organisation's data: neither a shared proxy nor the browser's disk cache may keep
    it (a shared or public computer would otherwise show it to the next person, even after log-out).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


def account_language(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """A logged-in person's own language choice wins over the cookie and the browser's Accept-Language.

    Placed after LocaleMiddleware (which picked a language from the cookie or Accept-Language) and authentication.
    A switch in the header (a POST to Django's `set_language`) is kept on the account, and the browser's language
    cookie follows the account's choice, so the page stays in that language after logging out.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        chosen = session_language(request)
        if chosen and chosen != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        response = get_response(request)
        switched = _switched_to(request, response)
        if switched:
            remember_language(request, switched)
            chosen = switched
        cookie = settings.LANGUAGE_COOKIE_NAME
        if chosen and request.COOKIES.get(cookie) != chosen and cookie not in response.cookies:
            response.set_cookie(
                cookie,
                chosen,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
            )
        return response

    return middleware


def _switched_to(request: HttpRequest, response: HttpResponse) -> str | None:
    """The language chosen with the header's switcher, when this request was that switch and it went through
    (set_language redirects, or answers 204; a refused CSRF token gets a 403)."""
    match = request.resolver_match
    if request.method != "POST" or match is None or match.view_name != "set_language":
        return None
    if response.status_code not in (204, 302):
        return None
    return supported_language(request.POST.get("language"))
