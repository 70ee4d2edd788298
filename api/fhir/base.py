"""What every FHIR view shares: JSON only (``application/fhir+json``, ``application/json``), the answer to every
error as an OperationOutcome, and ``Cache-Control: no-store``.

Authentication is DRF's configured one, as for ``/api/v1/``; refusals come from the same access functions and
services and are mapped by ``core.errors.describe``, only rendered differently (``exception_handler``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import ValidationError as ModelError
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.fhir import resources
from api.fhir.params import InvalidSearch
from core.errors import describe

FHIR_JSON = "application/fhir+json"
JSON_FORMATS = {"json", "application/json", FHIR_JSON, "application/json+fhir"}


class FhirJSONRenderer(JSONRenderer):
    media_type = FHIR_JSON
    format = "fhir"
    charset = "utf-8"


class PlainJSONRenderer(JSONRenderer):
    charset = "utf-8"


class FhirJSONParser(JSONParser):
    media_type = FHIR_JSON


class JSONPatchParser(JSONParser):
    media_type = "application/json-patch+json"


class Unprocessable(exceptions.APIException):
    """422: a well-formed resource that our rules refuse (a missing code, an unknown reference)."""

    status_code = 422
    default_code = "unprocessable"
    default_detail = "The resource cannot be processed."

    def __init__(self, message: str, code: str = "unprocessable", expressions: Iterable[str] = ()) -> None:
        super().__init__(message, code)
        self.expressions = list(expressions)


class BadResource(exceptions.APIException):
    """400: the body is not a valid FHIR resource of the kind expected."""

    status_code = 400
    default_code = "invalid_resource"
    default_detail = "Invalid resource."

    def __init__(self, message: str, expressions: Iterable[str] = (), code: str = "invalid_resource") -> None:
        super().__init__(message, code)
        self.expressions = list(expressions)


class FhirNegotiation(DefaultContentNegotiation):
    """``_format`` first (FHIR's own override), then Accept; anything but JSON is a 406."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        wanted = request.query_params.get("_format")
        if wanted is not None:
            # An unencoded "+" (application/fhir+json) arrives as a space.
            wanted = wanted.strip().lower().replace(" ", "+")
            if wanted not in JSON_FORMATS:
                raise exceptions.NotAcceptable(
                    _("Only JSON is served here (_format=json or application/fhir+json), not %(format)s.")
                    % {"format": wanted}
                )
            chosen = renderers[1] if wanted == "application/json" else renderers[0]
            return chosen, chosen.media_type
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            raise exceptions.NotAcceptable(
                _("Only JSON is served here: ask for application/fhir+json or application/json.")
            ) from None


def _model_error_paths(error: ModelError, kind: str) -> list[str]:
    return [".".join([kind, *(str(part) for part in item["loc"])]) for item in error.errors()[:5]]


def model_error(error: ModelError, kind: str) -> BadResource:
    problems = error.errors()
    problem = problems[0]["msg"] if problems else str(error)
    return BadResource(
        _("The body is not a valid FHIR %(kind)s: %(problem)s") % {"kind": kind, "problem": problem},
        _model_error_paths(error, kind),
    )


# Where a service's field error points in the resource a client sent.
FIELD_EXPRESSIONS: dict[str, str] = {
    "reason_code": "Task.statusReason",
    "reason_origin": "Task.statusReason.extension",
    "outcome_code": "Task.output",
    "person": "ServiceRequest.subject",
    "to_partner": "ServiceRequest.performer",
    "service": "ServiceRequest.performer",
    "from_partner": "ServiceRequest.requester",
    "reason": "ServiceRequest.reasonCode",
    "categories": "ServiceRequest.extension",
    "priority": "ServiceRequest.priority",
    "due_by": "ServiceRequest.extension",
}


def _outcome(status: int, code: str, message: str, expressions: Iterable[str] = (), **headers: str) -> Response:
    return Response(resources.operation_outcome(status, code, message, expressions), status=status, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every refusal as an OperationOutcome, with the status ``core.errors.describe`` gives it; a service's
    field errors (bad input in a well-formed resource) answer 422 and point at the element."""
    if isinstance(exc, InvalidSearch):
        return _outcome(400, "invalid_search", exc.message, [exc.parameter])
    if isinstance(exc, ValidationError | Unprocessable) or (
        isinstance(exc, exceptions.ValidationError) and not isinstance(exc, BadResource)
    ):
        return _unprocessable(exc)
    answer = describe(exc)
    if answer is not None:
        return _outcome(answer.status, answer.code, answer.message)
    if isinstance(exc, BadResource):
        return _outcome(400, str(exc.get_codes()), str(exc.detail), exc.expressions)
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        headers: dict[str, str] = {}
        if auth := getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = auth
        if wait := getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(wait))
        return _outcome(exc.status_code, codes if isinstance(codes, str) else "error", str(exc.detail), **headers)
    return None


def _unprocessable(exc: Exception) -> Response:
    if isinstance(exc, Unprocessable):
        return _outcome(422, str(exc.get_codes()), str(exc.detail), exc.expressions)
    messages: list[str] = []
    expressions: list[str] = []
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            expressions.append(FIELD_EXPRESSIONS.get(name, name))
            messages.extend(message for error in errors for message in error.messages)
    elif isinstance(exc, ValidationError):
        messages.extend(exc.messages)
    else:
        detail = getattr(exc, "detail", "")
        if isinstance(detail, dict):
            for name, errors in detail.items():
                expressions.append(FIELD_EXPRESSIONS.get(str(name), str(name)))
                messages.extend(str(e) for e in (errors if isinstance(errors, list) else [errors]))
        else:
            messages.extend(str(e) for e in (detail if isinstance(detail, list) else [detail]))
    return _outcome(422, "invalid", " ".join(messages) or _("Invalid input."), expressions)


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


class FhirView(APIView):
    """The FHIR endpoint's base: no OpenAPI schema (docs/fhir.md documents it), JSON in and out, errors as
    OperationOutcome, never cached."""

    schema = None
    renderer_classes = (FhirJSONRenderer, PlainJSONRenderer)
    parser_classes = (FhirJSONParser, JSONParser, JSONPatchParser)
    content_negotiation_class = FhirNegotiation
    # OPTIONS would answer DRF's own description, not FHIR: /fhir/metadata is where a client asks.
    metadata_class = None

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return exception_handler

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        if force:
            # Rendering an error (a 406 among them): FHIR JSON, whatever was asked for.
            return (self.renderer_classes[0](), FHIR_JSON)
        return super().perform_content_negotiation(request, force)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method in ("POST", "PUT", "PATCH") and _holds_nul(request.data):
            # PostgreSQL cannot store a NUL in text: refuse it here with a 400, never a 500 on save.
            raise BadResource(_("The body contains a character that is not allowed (NUL)."), code="invalid_character")

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # Person data (and the answers around it) never stays in a cache on the way.
        response["Cache-Control"] = "no-store"
        return response
