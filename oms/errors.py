"""Domain errors raised by services, in the user's words.

Each error has a stable ``code`` for programs and a ``message`` for people;
``errors`` maps form or API field names to messages. The API turns them into
JSON with the HTTP status below; pages show them beside the field.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every refusal a service can give."""

    status_code = 400
    default_code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.errors = dict(errors or {})
        if field and field not in self.errors:
            self.errors[field] = [message]

    def as_dict(self) -> dict:
        """Return the JSON body the API sends for this error."""
        body: dict = {"detail": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


class InvalidInput(DomainError):
    """The request itself is wrong: a bad value, a missing field (HTTP 400)."""


class NotFound(DomainError):
    """Something named in the request does not exist (HTTP 404)."""

    status_code = 404
    default_code = "not_found"


class NotAllowed(DomainError):
    """The user's role may not do this (HTTP 403)."""

    status_code = 403
    default_code = "permission_denied"


class Conflict(DomainError):
    """The request is valid but clashes with the current state (HTTP 409)."""

    status_code = 409
    default_code = "conflict"


class TransitionRefused(Conflict):
    """A state-machine transition is not possible from the current state."""

    default_code = "illegal_transition"
