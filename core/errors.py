"""Domain errors raised by services, and the one mapping of every error a service raises to an HTTP answer.

Services raise Django's ``ValidationError`` (bad input, 400), ``PermissionDenied`` (403), ``Http404`` (404) and the
domain's own errors below (409, with a stable ``code`` for API clients). ``describe`` is the one place that says
what each becomes: the API's exception handler renders it as JSON ``{"detail", "code"}`` and the pages show its
message (``frontend.errors``), so a page and the API answer the same refusal in the same words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _


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


class IllegalTransition(Conflict):
    """A referral or an application cannot move from its state to the one asked for."""

    code = "illegal_transition"


class NoConsent(Conflict):
    """No live consent (nor a recorded legal basis) covers what the change would share."""

    code = "consent_missing"


class NoPlace(Conflict):
    """The service or placement has no free place left."""

    code = "no_capacity"


@dataclass(frozen=True)
class ErrorAnswer:
    """What one error becomes: an HTTP status, a stable code, a translated message, and field errors if any."""

    status: int
    code: str
    message: str
    fields: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # field -> [(message, code)]


def describe(exc: BaseException) -> ErrorAnswer | None:
    """The answer for an error a service raised; None for anything else (a bug: let it surface as 500)."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            fields: dict[str, list[tuple[str, str]]] = {}
            for name, errors in exc.error_dict.items():
                key = "__all__" if name == NON_FIELD_ERRORS else name
                for error in errors:
                    for message in error.messages:
                        fields.setdefault(key, []).append((message, error.code or "invalid"))
            first = next((message for errors in fields.values() for message, _code in errors), "")
            return ErrorAnswer(400, "invalid", first, fields)
        return ErrorAnswer(400, getattr(exc, "code", None) or "invalid", " ".join(exc.messages))
    if isinstance(exc, DomainError):
        return ErrorAnswer(409, exc.code, exc.message)
    if isinstance(exc, Http404):
        return ErrorAnswer(404, "not_found", _("Not found."))
    if isinstance(exc, PermissionDenied):
        return ErrorAnswer(403, "permission_denied", _("You do not have permission to perform this action."))
    return None


__all__ = [
    "Conflict",
    "DomainError",
    "ErrorAnswer",
    "IllegalTransition",
    "NoConsent",
    "NoPlace",
    "PermissionDenied",
    "describe",
]
