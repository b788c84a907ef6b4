"""The one error a service raises when a rule of the product refuses an action (pretix `OrderError`, HackSoft
`ApplicationError`).

A service checks its own preconditions (the assessment's state, the caller's role, what must exist first) and
raises ServiceError with words for the person who asked; views turn it into a message in one place. Problems in
what someone typed or uploaded (a field, an answer, an import file) stay Django ValidationErrors, which forms
already know how to show beside the input.
"""

from __future__ import annotations

from collections.abc import Iterable


class ServiceError(Exception):
    """An action refused by a rule; `messages` are user-facing and already translated."""

    def __init__(self, message: str | Iterable[str]) -> None:
        self.messages: list[str] = [message] if isinstance(message, str) else [str(m) for m in message]
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return " ".join(self.messages)


class NotAllowed(ServiceError):
    """The caller's role does not allow the action (views answer 403 Forbidden, with the message)."""
