"""Every API error is JSON ``{"detail": ..., "code": ...}`` (field errors as DRF gives them).

Services raise Django's exceptions and the domain's own; ``core.errors.describe`` is the one place that says
what each becomes (``PermissionDenied`` → 403, ``Http404`` → 404, ``ValidationError`` → 400 by field when the
service named fields, ``DomainError`` → 409 with its stable code). This handler only renders that answer as DRF's
JSON; the pages render the same answer as a message (``frontend.errors``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import describe


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


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    answer = describe(exc)
    if answer is not None:
        if answer.fields:
            exc = exceptions.ValidationError(
                {
                    (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): [
                        ErrorDetail(message, code=code) for message, code in errors
                    ]
                    for name, errors in answer.fields.items()
                }
            )
        else:
            exc = _API_ERRORS[answer.status](answer.message, code=answer.code)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException) and not isinstance(exc, exceptions.ValidationError):
        codes = exc.get_codes()
        response.data = {"detail": str(exc.detail), "code": codes if isinstance(codes, str) else "error"}
    return response


_API_ERRORS: dict[int, type[exceptions.APIException]] = {
    400: BadRequest,
    403: exceptions.PermissionDenied,
    404: exceptions.NotFound,
    409: Conflict,
}
