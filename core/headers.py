"""Response headers every answer carries: Permissions-Policy, no caching of anything private, and the websocket
origin in the Content-Security-Policy (issue 14, ASVS V3.4 and V14.3)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

PERMISSIONS_POLICY_HEADER = "Permissions-Policy"


def permissions_policy(features: dict[str, list[str]]) -> str:
    """``{"camera": [], "publickey-credentials-get": ["self"]}`` → ``camera=(), publickey-credentials-get=(self)``.

    ``self`` and ``*`` are keywords; any other entry is an origin and is quoted, as the header's syntax wants."""
    parts = []
    for feature, allowed in features.items():
        tokens = [item if item in ("self", "*") else f'"{item}"' for item in allowed]
        parts.append(f"{feature}=({' '.join(tokens)})")
    return ", ".join(parts)


def is_private(request: HttpRequest) -> bool:
    """An answer that may carry person data: every answer to a signed-in user and every API answer. Anything
    else (the login page, the public health check) has nothing to hide but nothing to gain from a cache either,
    except static files, which WhiteNoise serves before this middleware runs."""
    if request.path.startswith("/api/"):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SecurityHeadersMiddleware:
    """Sets Permissions-Policy on every response, ``Cache-Control: no-store, private`` on private ones, and names
    the page's own websocket origin in the CSP's ``connect-src``.

    It sits just inside WhiteNoise and django-csp (which reads what it adds), so it sees the final response of
    every view, error page and redirect (the user is read after the view has run, so a sign-in's own answer counts
    as private)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.permissions_policy and PERMISSIONS_POLICY_HEADER not in response:
            response[PERMISSIONS_POLICY_HEADER] = self.permissions_policy
        if is_private(request):
            # Neither a proxy nor the browser's back button may show someone's record again
            # ("max-age=0, no-cache, no-store, must-revalidate, private" and Expires).
            add_never_cache_headers(response)
        self._add_socket_origin(request, response)
        return response

    @staticmethod
    def _add_socket_origin(request: HttpRequest, response: HttpResponse) -> None:
        """CSP Level 3 lets ``'self'`` match ``ws:``/``wss:`` on the page's own host (Chromium, current Firefox);
        earlier Safari and Firefox did not, so the host is named explicitly (``wss:`` only over TLS)."""
        try:
            host = request.get_host()
        except DisallowedHost:  # Django answers 400; that answer has no page to protect
            return
        scheme = "wss" if request.is_secure() else "ws"
        update = dict(getattr(response, "_csp_update", None) or {})
        update["connect-src"] = [*update.get("connect-src", []), f"{scheme}://{host}"]
        response._csp_update = update  # type: ignore[attr-defined]  # read by csp.middleware.CSPMiddleware
