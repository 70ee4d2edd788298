"""The page script's questions about the idle timeout (accounts.idle): how long is left, and "stay signed in"."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import idle


@require_http_methods(["GET", "POST"])
def session_status(request: HttpRequest) -> JsonResponse:
    """GET: seconds left before the idle sign-out (the script asks with ``X-LSW-Background``, so asking is not
    use). POST (with the CSRF token): the person chose to stay signed in, which is use.

    An idle session never reaches here: the middleware has already ended it and answered 401 session_expired."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": _("You are not signed in."), "code": "not_authenticated"}, status=401)
    if request.method == "POST":
        idle.touch(request, force=True)
    return JsonResponse({"remaining": int(idle.remaining(request.session)), "timeout": idle.idle_timeout()})
