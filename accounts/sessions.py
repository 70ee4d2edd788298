"""The sessions and tokens a user holds, and the one way to end all of them (``end_everything``).

A password change, a deactivation and an administrator's factor reset call ``end_everything``: every browser
session of the user (tracked in ``UserSession`` at sign-in), every API token, and their open websockets."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.http import HttpRequest

from accounts.choices import SecurityEventKind
from accounts.log import client_address, record
from accounts.models import UserSession
from notifications.groups import revoke_session_sockets, revoke_user_sockets


def _store(session_key: str | None = None) -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def remember_session(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On sign-in: note the new session's key under the user (login() has already cycled the key)."""
    session = getattr(request, "session", None)
    if session is None or user is None or getattr(user, "pk", None) is None:
        return
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip_address": client_address(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:255],
        },
    )


def forget_session(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """On signing out (before Django empties the session): forget it, and close the websockets it opened."""
    session = getattr(request, "session", None) if request is not None else None
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()
        revoke_session_sockets(session.session_key)
    if user is not None and getattr(user, "pk", None) is not None:
        record(SecurityEventKind.LOGOUT, user=user, request=request, detail=getattr(request, "logout_reason", ""))


def session_key_changed(request: HttpRequest, old_key: str | None) -> None:
    """After ``update_session_auth_hash`` (a password change) cycled the key: the new key is the one tracked."""
    new_key = request.session.session_key
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def connect() -> None:
    user_logged_in.connect(remember_session, dispatch_uid="accounts.remember_session")
    user_logged_out.connect(forget_session, dispatch_uid="accounts.forget_session")


def revoke_tokens(user: Any, *, request: HttpRequest | None = None, reason: str = "") -> int:
    """Every API token of the user; returns how many were revoked."""
    from accounts.tokens import revoke_all_tokens

    return revoke_all_tokens(user, request=request, reason=reason)


@transaction.atomic
def end_everything(
    user: Any,
    *,
    reason: str,
    actor: Any = None,
    request: HttpRequest | None = None,
    keep_session_key: str | None = None,
) -> int:
    """End every session and token of ``user`` and close their websockets (after commit); logs one row.

    ``keep_session_key`` spares the session the change was made from (a password change by the user themselves
    keeps them signed in there, as Django's ``update_session_auth_hash`` does). Returns what was ended."""
    ended = 0
    for key in list(
        UserSession.objects.filter(user=user)
        .exclude(session_key=keep_session_key or "")
        .values_list("session_key", flat=True)
    ):
        _store(key).delete()
        ended += 1
    UserSession.objects.filter(user=user).exclude(session_key=keep_session_key or "").delete()
    ended += revoke_tokens(user, request=request, reason=reason)
    revoke_user_sockets(user.pk)
    record(SecurityEventKind.SESSIONS_ENDED, user=user, actor=actor, request=request, detail=reason)
    return ended
