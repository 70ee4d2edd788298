"""The security log's one writer (``record``) and its retention job."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from accounts.choices import SecurityChannel, SecurityEventKind
from accounts.models import SecurityEvent

log = logging.getLogger("lsw.security")

# The trigger refuses to delete a row younger than this (migration 0002); the setting may only be longer.
RETENTION_FLOOR_DAYS = 365


def client_address(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it (behind a proxy, SECURE_PROXY_SSL_HEADER's peer sets it)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    kind: SecurityEventKind | str,
    *,
    user: Any = None,
    username: str = "",
    request: HttpRequest | None = None,
    channel: SecurityChannel | str | None = None,
    actor: Any = None,
    detail: str = "",
) -> SecurityEvent:
    """Add one row to the security log (and the process log, for a SIEM reading stdout)."""
    if user is not None and getattr(user, "pk", None) is None:
        user = None
    if user is not None and not username:
        username = user.get_username()
    if actor is not None and getattr(actor, "pk", None) is None:
        actor = None
    if channel is None:
        path = getattr(request, "path", "") or ""
        channel = (
            SecurityChannel.API
            if path.startswith(("/api/", "/fhir/"))
            else SecurityChannel.ADMIN
            if path.startswith("/admin/")
            else SecurityChannel.PAGE
            if request is not None
            else SecurityChannel.COMMAND
        )
    agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or "")[:150],
        actor=actor,
        channel=channel,
        ip_address=client_address(request),
        user_agent=agent[:255],
        detail=detail[:255],
    )
    log.info("security %s user=%s channel=%s ip=%s %s", kind, event.username, channel, event.ip_address, detail)
    return event


def purge_security_log() -> int:
    """Remove the rows older than ``SECURITY_LOG_RETENTION_DAYS`` (12 months by default)."""
    days = max(int(getattr(settings, "SECURITY_LOG_RETENTION_DAYS", RETENTION_FLOOR_DAYS)), RETENTION_FLOOR_DAYS)
    deleted, _ = SecurityEvent.objects.filter(at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
