"""Every API error is JSON ``{"detail": ..., "code": ...}`` (field errors as DRF gives them).

Services raise Django's exceptions and the domain's own; this handler is the one place that turns them into
HTTP: ``PermissionDenied`` → 403, ``Http404`` → 404, ``ValidationError`` → 400 (by field when the service
named fields), ``partners.errors.DomainError`` (``Conflict`` among them) → 409 with the error's stable code.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from partners.errors import DomainError


class Conflict(exceptions.APIException):
    """409: an illegal state transition, full capacity or a stale write."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("The change clashes with the current state.")


class BadRequest(exceptions.APIException):
    """400 that is not about one field: answered as ``{"detail", "code"}`` like every other error."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_detail = gettext_lazy("Invalid input.")


def _field_errors(exc: DjangoValidationError) -> dict[str, list[ErrorDetail]]:
    """A model's or service's errors by field, keeping each error's code; ``__all__`` becomes DRF's key."""
    errors: dict[str, list[ErrorDetail]] = {}
    for field, field_errors in exc.error_dict.items():
        key = api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
        for error in field_errors:
            for message in error.messages:
                errors.setdefault(key, []).append(ErrorDetail(message, code=error.code or "invalid"))
    return errors


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(_field_errors(exc))
        else:
            exc = BadRequest(" ".join(exc.messages), code=getattr(exc, "code", None) or "invalid")
    elif isinstance(exc, DomainError):
        exc = Conflict(exc.message, code=exc.code)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException) and not isinstance(exc, exceptions.ValidationError):
        codes = exc.get_codes()
        response.data = {"detail": str(exc.detail), "code": codes if isinstance(codes, str) else "error"}
    return response
