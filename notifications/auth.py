"""Websocket authentication: the session cookie for browsers, ``Authorization: Token`` for other clients.

A token is checked by django-rest-knox exactly as the API checks it (hash, expiry, active user). The consumer is
told which token or session opened the socket (``scope["auth_token_digest"]``, the session in ``scope["session"]``)
so that revoking that token or signing out of that session closes the socket (``notifications.groups``)."""

from __future__ import annotations

from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware


@database_sync_to_async
def _user_for_token(key: str) -> tuple[Any, str] | None:
    from knox.auth import TokenAuthentication
    from rest_framework.exceptions import AuthenticationFailed

    try:
        user, auth_token = TokenAuthentication().authenticate_credentials(key.encode("utf-8"))
    except (AuthenticationFailed, UnicodeError, ValueError):
        return None
    return user, auth_token.digest


class TokenAuthMiddleware(BaseMiddleware):
    """Sets scope["user"] from an API token header; leaves the session user otherwise."""

    async def __call__(self, scope, receive, send):
        headers = dict(scope.get("headers", []))
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth.lower().startswith("token "):
            from django.contrib.auth.models import AnonymousUser

            from core.account_kinds import may_reach

            found = await _user_for_token(auth[6:].strip())
            # A person's own account has no socket: it reaches only its pages and its API.
            if found is None or not may_reach(found[0], scope.get("path", "")):
                scope = dict(scope, user=AnonymousUser())
            else:
                scope = dict(scope, user=found[0], auth_token_digest=found[1])
        return await super().__call__(scope, receive, send)


def TokenOrSessionAuthMiddlewareStack(inner):
    return AuthMiddlewareStack(TokenAuthMiddleware(inner))
