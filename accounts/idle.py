"""Session limits: an idle timeout (``SESSION_IDLE_TIMEOUT``, 30 minutes) inside an absolute one
(``SESSION_COOKIE_AGE``, 8 hours from sign-in). ASVS 5.0 V7.3.1 and V7.3.2.

The absolute limit is fixed at sign-in: the session's expiry is set to a date, so writing to the session later (the
activity stamp below) never pushes it back, as Django's default relative expiry would.

The idle limit: the session holds the time of its last use (``ACTIVITY_KEY``, seconds since the epoch), written at
most once a minute to spare the session table. A request the browser makes by itself (the notification poll, a
refresh a push triggered, the page's own "how long is left?" question) says so in ``X-LSW-Background`` and does not
count as use; websocket pings never pass through here. The first request after the limit signs the user out: a page
is sent to the login page, which says why and comes back to where the person was; an htmx request is redirected the
same way; an API call with the session answers 401 ``{"code": "session_expired"}``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

ACTIVITY_KEY = "lsw_activity"
# The stamp is rewritten only when it is at least this old: the timeout may thus start up to a minute early.
WRITE_EVERY = 60
BACKGROUND_HEADER = "HTTP_X_LSW_BACKGROUND"


def idle_timeout() -> int:
    return int(settings.SESSION_IDLE_TIMEOUT)


def start(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On sign-in: fix the absolute end of the session and stamp the first use."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    session[ACTIVITY_KEY] = int(time.time())


def connect() -> None:
    user_logged_in.connect(start, dispatch_uid="accounts.idle.start")


def remaining(session: Any, now: float | None = None) -> float:
    """Seconds until the session counts as idle (0 when it already does); a session without a stamp (signed in
    before the stamp existed) counts from now."""
    now = time.time() if now is None else now
    last = session.get(ACTIVITY_KEY)
    if not isinstance(last, int | float):
        return float(idle_timeout())
    return max(0.0, last + idle_timeout() - now)


def touch(request: HttpRequest, *, force: bool = False) -> None:
    """Record a use of the session now (only if the last record is a minute old, unless ``force``)."""
    now = time.time()
    last = request.session.get(ACTIVITY_KEY)
    if force or not isinstance(last, int | float) or now - last >= WRITE_EVERY:
        request.session[ACTIVITY_KEY] = int(now)


def is_background(request: HttpRequest) -> bool:
    return bool(request.META.get(BACKGROUND_HEADER))


def _uses_token(request: HttpRequest) -> bool:
    """An API call that brings its own credentials: the token's own expiry governs it, not the session's."""
    return request.path.startswith("/api/") and bool(request.META.get("HTTP_AUTHORIZATION"))


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.META.get("HTTP_ACCEPT", "")


def _come_back_to(request: HttpRequest) -> str:
    """Where to return after signing in again: the page itself, or for a form sent to another address the page
    the form was on (its Referer, when it is ours), so the kept input is restored there."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    for candidate in (request.headers.get("HX-Current-URL", ""), request.headers.get("Referer", "")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            parts = urlsplit(candidate)
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


def expired_message() -> str:
    minutes = max(1, idle_timeout() // 60)
    return ngettext(
        "You were signed out after %(minutes)d minute without activity. Sign in again to continue.",
        "You were signed out after %(minutes)d minutes without activity. Sign in again to continue.",
        minutes,
    ) % {"minutes": minutes}


def expire(request: HttpRequest) -> HttpResponse:
    """End an idle session and answer as the kind of request needs."""
    # A sign-out like any other, told apart by its detail: accounts.sessions.forget_session writes the row.
    request.logout_reason = f"idle timeout ({idle_timeout()} s)"  # type: ignore[attr-defined]
    back = _come_back_to(request)
    logout(request)
    message = expired_message()
    if hasattr(request, "_messages"):
        messages.warning(request, message)
    if _wants_json(request):
        response: HttpResponse = JsonResponse({"detail": message, "code": "session_expired"}, status=401)
        response["WWW-Authenticate"] = "Token"
        return response
    login = redirect_to_login(back)
    if request.headers.get("HX-Request"):
        # htmx follows a redirect inside the XHR and would swap the login page into a fragment; this makes the
        # whole window go there instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = login["Location"]
        return response
    return login


class IdleTimeoutMiddleware:
    """Signs out a session idle longer than ``SESSION_IDLE_TIMEOUT`` and records use of the others. It leaves
    ``request.idle_remaining`` (seconds) for the page, whose script warns a minute before the end."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _uses_token(request):
            if remaining(request.session) <= 0:
                return expire(request)
            if not is_background(request):
                touch(request)
            request.idle_remaining = int(remaining(request.session))  # type: ignore[attr-defined]
        return self.get_response(request)
