"""Template context for every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import consultancies_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Whether to offer the consultant portfolio: only members of a consultancy have one.

    Lazy, so a page that does not render the navigation (htmx fragments, downloads) costs no query.
    """
    return {"in_consultancy": SimpleLazyObject(lambda: consultancies_for(request.user).exists())}
