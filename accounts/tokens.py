"""API tokens (django-rest-knox): issued, listed and revoked here, for the API's views and ``end_everything``.

Only a hash of a token is stored; the client sees the token once, when it is issued. A token is named to its owner
by its first characters (knox's ``token_key``, which knox itself indexes to find the row): never by its hash. Each
expires after ``API_TOKEN_TTL`` seconds; knox refuses and deletes an expired one when it is next presented, and the
``expired API tokens`` job removes the rest."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from knox import auth as knox_auth
from knox.models import AuthToken
from rest_framework import exceptions

from accounts.choices import SecurityEventKind
from accounts.log import record
from core import account_kinds
from notifications.groups import revoke_token_sockets


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's authentication (the hash compared in constant time, expiry, active user) without its sweep of the
    user's other tokens on every request, one query each time; the ``expired API tokens`` job sweeps instead."""

    def authenticate(self, request: Any) -> Any:
        found = super().authenticate(request)
        # A person's own account reaches only its own API: any other address is a 404 to it, as on the pages.
        if found is not None and not account_kinds.may_reach(found[0], request.path):
            raise exceptions.NotFound
        return found

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


def issue_token(*, user: Any, request: HttpRequest | None = None) -> tuple[AuthToken, str]:
    """A new token for ``user``; returns the row and the token itself (shown once)."""
    instance, token = AuthToken.objects.create(user=user)
    record(SecurityEventKind.TOKEN_CREATED, user=user, request=request, detail=f"token {instance.token_key[:8]}")
    return instance, token


def live_tokens(user: Any) -> QuerySet[AuthToken]:
    """The user's tokens that still work, newest first."""
    now = timezone.now()
    return AuthToken.objects.filter(Q(expiry__isnull=True) | Q(expiry__gt=now), user=user).order_by(
        "-created", "token_key"
    )


@transaction.atomic
def revoke_token(
    *,
    user: Any,
    token_key: str,
    digest: str | None = None,
    request: HttpRequest | None = None,
    actor: Any = None,
    reason: str = "revoked",
) -> bool:
    """Revoke the user's live token named by ``token_key`` (exactly the one with ``digest`` when given: signing
    out with it); False when the user holds no such token."""
    rows = live_tokens(user).filter(token_key=token_key)
    if digest is not None:
        rows = rows.filter(digest=digest)
    found = list(rows.select_for_update())
    if not found:
        return False
    for row in found:
        revoke_token_sockets(row.digest)
        row.delete()
    record(
        SecurityEventKind.TOKEN_REVOKED,
        user=user,
        request=request,
        actor=actor,
        detail=f"token {token_key[:8]}: {reason}",
    )
    return True


@transaction.atomic
def revoke_all_tokens(user: Any, *, request: HttpRequest | None = None, reason: str = "") -> int:
    """Every token of the user (live or expired); returns how many were revoked."""
    rows = list(AuthToken.objects.filter(user=user).select_for_update())
    for row in rows:
        revoke_token_sockets(row.digest)
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    if deleted:
        record(
            SecurityEventKind.TOKEN_REVOKED,
            user=user,
            request=request,
            detail=f"all {deleted} token(s)" + (f": {reason}" if reason else ""),
        )
    return deleted


def purge_expired_tokens() -> int:
    """The job: remove tokens past their expiry (they no longer work; the rows only take room)."""
    deleted, _ = AuthToken.objects.filter(expiry__lte=timezone.now()).delete()
    return deleted
