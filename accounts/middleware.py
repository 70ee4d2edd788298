"""Security-log middleware: a signed-in user's 404 on an object's address is written down (probing for ids)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts.choices import SecurityEventKind
from accounts.log import record


class NotFoundLogMiddleware:
    """Logs 404 answers to signed-in users on addresses that name an object (a person, a referral, a case …).

    A stranger's guess and a colleague's stale link look alike here; the security officer reads the pattern (many
    ids from one account in a short time), which ASVS V16 asks to be visible."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404:
            user = getattr(request, "user", None)
            match = getattr(request, "resolver_match", None)
            if user is not None and user.is_authenticated and match is not None and _names_an_object(match.kwargs):
                record(SecurityEventKind.NOT_FOUND, user=user, request=request, detail=request.path[:255])
        return response


def _names_an_object(kwargs: dict[str, object]) -> bool:
    return any(name == "pk" or name == "id" or name.endswith("_id") for name in kwargs)
