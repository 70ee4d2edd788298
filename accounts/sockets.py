"""Channels middleware: a browser websocket gets its user only from a session that is neither idle past its limit
(``accounts.idle``; its pings never count as use, the next page request ends the session itself) nor short of the
second factor.

The page gate (``accounts.middleware.SecondFactorMiddleware``) sends such a session to the second step or to
enrolment before any page; without this a session half-way through (a user with a factor who typed only the
password in the admin's own login form, or one sent to enrolment under ``MFA_REQUIRED``) could still open
``/ws/notifications/`` and receive pushes. A token's socket was checked at the token door (``api.auth``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY

from accounts import mfa
from accounts.idle import remaining
from core import account_kinds


def session_passed(session: Any, user: Any) -> bool:
    """Whether a browser session of ``user`` may act as that user on a socket (synchronous: it reads the DB)."""
    if remaining(session) <= 0:
        return False  # idle past the limit
    if session.get(DEVICE_ID_SESSION_KEY):
        return True  # verified with a factor at sign-in (django-otp's mark)
    has_factor = session.get(mfa.FACTOR_MARK_KEY)
    if has_factor is None:
        has_factor = mfa.has_factor(user)
    if has_factor:
        return False
    return not (settings.MFA_REQUIRED and mfa.must_use_second_factor(user))


class SessionSocketMiddleware:
    """Inside the auth stack: a socket of an idle session, or of one that has not passed the second factor,
    connects as nobody. A token's socket was checked at the token door and by knox (notifications.auth)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        from channels.db import database_sync_to_async
        from django.contrib.auth.models import AnonymousUser

        headers = dict(scope.get("headers", []))
        session = scope.get("session")
        user = scope.get("user")
        if account_kinds.is_person_account(user) and not account_kinds.may_reach(user, scope.get("path", "")):
            scope = dict(scope, user=AnonymousUser())  # a person's own account has no socket (core.account_kinds)
        elif (
            session is not None
            and user is not None
            and getattr(user, "is_authenticated", False)
            and b"authorization" not in headers
            and not await database_sync_to_async(session_passed)(session, user)
        ):
            scope = dict(scope, user=AnonymousUser())
        return await self.inner(scope, receive, send)
