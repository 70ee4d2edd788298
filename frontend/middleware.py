from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's, unless they just chose one (cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and getattr(user, "language", None)
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class RejectNulMiddleware:
    """A NUL byte anywhere a text value comes from is refused with a clear 400 before any view runs: PostgreSQL
    cannot hold one in a text value, so it used to answer 500 (a search ``?q=%00``, the public HSDS export too, a
    JSON key of the assessment scores stored as jsonb). Looked at: the path, the query string, a form's fields
    (url-encoded here; multipart once RequestSizeMiddleware has parsed it, in ``process_view``) and every string
    of a JSON body, keys included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _nul_in_lists(request.GET):
            return _refuse(request, _("The address contains a character that is not allowed (NUL)."))
        if request.method in BODY_METHODS:
            if request.content_type == "application/x-www-form-urlencoded" and _nul_in_lists(request.POST):
                return _refuse(request, _("The form contains a character that is not allowed (NUL)."))
            if _is_json(request.content_type or "") and _nul_in_json(request):
                return _refuse(request, _("The data sent contain a character that is not allowed (NUL)."))
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        # A multipart body is parsed by RequestSizeMiddleware.process_view, which runs before this one; a view that
        # reads its own upload (the import page) is left to its form.
        parsed = hasattr(request, "_files")
        if parsed and request.method in BODY_METHODS and _nul_in_lists(request.POST):
            return _refuse(request, _("The form contains a character that is not allowed (NUL)."))
        return None


BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _nul_in_lists(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _nul_in_json(request: HttpRequest) -> bool:
    try:
        body = request.body
    except RequestDataTooBig:
        return False  # the view's own read answers that
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body:
        return False
    try:
        data = json.loads(body)
    except ValueError:
        return False  # the parser answers a malformed body with its own 400
    return _nul_in_value(data)


def _nul_in_value(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_in_value(key) or _nul_in_value(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_nul_in_value(item) for item in value)
    return False


def _refuse(request: HttpRequest, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "invalid_character"}, status=400)
    if request.path.startswith("/fhir/"):
        # The FHIR face answers every error as an OperationOutcome (api/fhir/base.py), this one too.
        coding = {"system": f"{settings.FHIR_CANONICAL_BASE}/CodeSystem/error-code", "code": "invalid_character"}
        issue = {
            "severity": "error",
            "code": "invalid",
            "diagnostics": message,
            "details": {"coding": [coding], "text": message},
        }
        response = JsonResponse({"resourceType": "OperationOutcome", "issue": [issue]}, status=400)
        response["Content-Type"] = "application/fhir+json; charset=utf-8"
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
