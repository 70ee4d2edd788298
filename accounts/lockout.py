"""Lockout after repeated sign-in failures (django-axes), and the security log's sign-in rows.

django-axes counts failures by the username as typed and the client's address (config/settings.py says why the
pair); its backend refuses a locked pair before any password is checked, on the sign-in page, the token endpoint
and the second-factor step alike (each sends Django's ``user_login_failed``). This module:

- answers a lockout: the Polish page (429) for the pages, ``{"detail", "code": "locked_out"}`` (429) for the API;
- writes the security log from the sign-in signals: LOGIN_FAILED, LOCKED_OUT and, for a password-only sign-in,
  LOGIN (a user with a second factor is logged when that step succeeds, by ``accounts.mfa``);
- lets an administrator lift a lockout (``unlock``), logged with the administrator as actor.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.choices import SecurityEventKind
from accounts.log import record

LOCKED_OUT_CODE = "locked_out"


def cool_off() -> timedelta:
    return timedelta(minutes=int(settings.LOGIN_LOCKOUT_MINUTES))


def _credentials(username: str | None) -> dict[str, Any]:
    return {"username": username or ""}


def is_locked(request: HttpRequest, username: str | None) -> bool:
    """Whether this username is locked out from this request's address (checks without counting)."""
    return bool(AxesProxyHandler.is_locked(request, _credentials(username)))


def minutes_left(request: HttpRequest, username: str | None) -> int:
    """Whole minutes (rounded up, at least 1) until the pair's lockout ends: the cool-off counts from the
    failure that locked it (a try during the lockout does not extend it, see AXES_RESET_COOL_OFF_...)."""
    last = (
        AccessAttempt.objects.filter(username=username or "", ip_address=get_client_ip_address(request))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last is None:
        return max(1, math.ceil(cool_off().total_seconds() / 60))
    seconds = (last + cool_off() - timezone.now()).total_seconds()
    return max(1, math.ceil(seconds / 60))


def locked_out_message(minutes: int) -> str:
    return ngettext(
        "Too many failed sign-in attempts. This account is locked for %(minutes)d minute from this address.",
        "Too many failed sign-in attempts. This account is locked for %(minutes)d minutes from this address.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: what a refused sign-in answers while its username and address are locked out."""
    if original_response is not None and original_response.status_code == 429:
        return original_response  # the view answered the lockout itself (the API's JSON)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    minutes = minutes_left(request, username)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": locked_out_message(minutes), "code": LOCKED_OUT_CODE}, status=429
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"minutes": minutes, "message": locked_out_message(minutes)},
            status=429,
        )
    response["Retry-After"] = str(minutes * 60)
    return response


def unlock(*, actor: Any, username: str, request: HttpRequest | None = None) -> int:
    """Lift every lockout of ``username`` (from any address); returns how many counters were removed."""
    if not username:
        return 0  # axes would read an empty name as "every username"
    removed = int(AxesProxyHandler.reset_attempts(username=username))
    record(
        SecurityEventKind.UNLOCKED,
        username=username,
        user=user_named(username),
        actor=actor,
        request=request,
        detail=f"{removed} failure counter(s) removed",
    )
    return removed


def reset_after_success(request: HttpRequest, username: str) -> None:
    """A sign-in that did not go through ``login()`` (an API token): forget that pair's failures, as
    AXES_RESET_ON_SUCCESS does for the page."""
    AccessAttempt.objects.filter(username=username, ip_address=get_client_ip_address(request)).delete()


def user_named(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()


# Signal receivers (connected in AccountsConfig.ready, after axes' own, so its verdict is on the request).


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """A wrong password (or a sign-in refused during a lockout). A second-factor failure is sent without a
    password and is logged as MFA_FAILED by the code that checked it, so it is not written twice."""
    if "password" not in credentials:
        return
    username = str(credentials.get("username") or "")
    locked = (
        bool(getattr(request, "axes_locked_out", False)) and getattr(request, "axes_failures_since_start", 0) is None
    )
    record(
        SecurityEventKind.LOGIN_FAILED,
        username=username,
        user=user_named(username) if username else None,
        request=request,
        detail="refused: locked out" if locked else "",
    )


def on_locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any) -> None:
    """Axes sends this on the failure that locks the pair, and again on each try while it stays locked; only the
    first is written (then axes has just counted the failures)."""
    if request is not None and getattr(request, "axes_failures_since_start", None) is None:
        return
    record(
        SecurityEventKind.LOCKED_OUT,
        username=username or "",
        user=user_named(username) if username else None,
        request=request,
        detail=f"locked for {settings.LOGIN_LOCKOUT_MINUTES} minutes",
    )


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A password-only sign-in is complete at ``login()``; with a second factor the sign-in completes at that
    step, which logs it itself (with the factor's kind)."""
    from django_otp import user_has_device

    if user is None or getattr(user, "pk", None) is None or user_has_device(user):
        return
    record(SecurityEventKind.LOGIN, user=user, request=request, detail="password")


def connect() -> None:
    user_login_failed.connect(on_login_failed, dispatch_uid="accounts.lockout.failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="accounts.lockout.locked")
    user_logged_in.connect(on_logged_in, dispatch_uid="accounts.lockout.logged_in")
