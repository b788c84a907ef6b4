"""Validators for what people type: organisation names and passwords."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Control characters (line breaks, tabs, NUL …), line and paragraph separators, lone surrogates. Format
# characters (Cf) stay allowed: the zero-width joiners are part of correct spelling in some scripts.
FORBIDDEN_IN_NAMES = {"Cc", "Zl", "Zp", "Cs"}


def validate_organisation_name(value: str) -> None:
    """A name is one line of text: it goes into e-mail subjects, page titles and report covers."""
    if any(unicodedata.category(char) in FORBIDDEN_IN_NAMES for char in value):
        raise ValidationError(
            _("The name cannot contain line breaks, tabs or other control characters. Write it on one line."),
            code="control_characters",
        )


def one_line(text: str) -> str:
    """`text` with every run of white space and control characters made one space (e-mail subjects)."""
    cleaned = "".join(" " if unicodedata.category(char) in FORBIDDEN_IN_NAMES else char for char in text)
    return " ".join(cleaned.split())


class PasswordNotEmailValidator:
    """Refuse a password that is the account's e-mail address or the part before the @ (any letter case).

    Django's similarity validator misses this whenever it is not given the account; this one is explicit.
    """

    def validate(self, password: str, user: Any = None) -> None:
        typed = password.strip().casefold()
        for attribute in ("email", "username"):
            address = (getattr(user, attribute, "") or "").strip().casefold()
            if address and typed in {address, address.partition("@")[0]}:
                raise ValidationError(
                    _("Your password cannot be your e-mail address or the part of it before the @."),
                    code="password_is_email",
                )

    def get_help_text(self) -> str:
        return _("Your password cannot be your e-mail address.")
