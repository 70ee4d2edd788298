"""Domain errors raised by services; the API maps them to HTTP (403, 409) and pages to messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied


class DomainError(Exception):
    """A business rule refused the change. ``code`` is stable for API clients; ``message`` is translated."""

    code = "domain_error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class Conflict(DomainError):
    """The change clashes with the current state (illegal transition, full capacity, duplicate)."""

    code = "conflict"


__all__ = ["Conflict", "DomainError", "PermissionDenied"]
