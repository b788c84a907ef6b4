"""The one place where a service's refusal becomes what the person sees.

A service raises `ServiceError` (or `NotAllowed`, when the caller's role does not allow the action) with words
for the person who asked. A refusal of the role answers 403 Forbidden; any other refusal becomes an error
message: on the form, when the page has one, or as a message shown on the next page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from ..services.errors import NotAllowed, ServiceError


def refuse(request: HttpRequest, error: ServiceError, form: forms.Form | None = None) -> None:
    """Show `error` to the person who asked: 403 for a role that does not allow it, else a message."""
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message) from error
    if form is not None:
        for message in error.messages:
            form.add_error(None, message)
    else:
        messages.error(request, error.message)
