from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


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
    """A NUL byte in the query string (``?q=%00``) is refused with a clear 400 before any view runs: PostgreSQL
    cannot hold one in a text value, so a search with it used to answer 500 (the public HSDS export too)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            from django.http import HttpResponseBadRequest, JsonResponse
            from django.utils.translation import gettext as _

            message = _("The address contains a character that is not allowed (NUL).")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "invalid_character"}, status=400)
            if request.path.startswith("/fhir/"):
                # The FHIR face answers every error as an OperationOutcome (api/fhir/base.py), this one too.
                issue = {"severity": "error", "code": "invalid", "diagnostics": message, "details": {"text": message}}
                response = JsonResponse({"resourceType": "OperationOutcome", "issue": [issue]}, status=400)
                response["Content-Type"] = "application/fhir+json; charset=utf-8"
                response["Cache-Control"] = "no-store"
                return response
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
