"""Names of channel-layer groups and who belongs to them. One place, so senders and the consumer agree."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from asgiref.sync import async_to_sync
from django.db import transaction

from core.types import AuthUser

log = logging.getLogger(__name__)


def user_group(user_id: Any) -> str:
    return f"user.{user_id}"


def partner_group(partner_id: Any) -> str:
    return f"partner.{partner_id}"


def network_group(network_id: Any) -> str:
    return f"network.{network_id}"


def session_group(session_key: str) -> str:
    """The sockets opened from one browser session. A hash of the key: the key itself is a credential."""
    return f"session.{hashlib.sha256(session_key.encode()).hexdigest()[:40]}"


def token_group(token_digest: str) -> str:
    """The sockets opened with one API token (named by a part of its stored hash, never by the token)."""
    return f"token.{token_digest[:40]}"


def groups_for_user(user: AuthUser) -> list[str]:
    """The user's own group, their partners' and the networks they coordinate (read fresh, not cached)."""
    from core.scope import forget_scope, scope_for

    if not user.is_active:
        return []
    forget_scope(user)
    scope = scope_for(user)
    return [
        user_group(user.pk),
        *(partner_group(pk) for pk in sorted(scope.staff_partner_ids, key=str)),
        *(network_group(pk) for pk in sorted(scope.coordinated_network_ids, key=str)),
    ]


def _send_after_commit(group: str, message: dict[str, Any]) -> None:
    def send() -> None:
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception as exc:  # sockets re-sync on reconnect; never fail the write
            log.warning("channel message to %s failed: %s", group, exc)

    transaction.on_commit(send)


def refresh_user_groups(user_id: Any) -> None:
    """After a membership change: the user's open sockets leave and join groups to match."""
    _send_after_commit(user_group(user_id), {"type": "groups.refresh"})


def revoke_user_sockets(user_id: Any) -> None:
    """After deactivation: the user's open sockets are closed."""
    _send_after_commit(user_group(user_id), {"type": "session.revoke"})


def revoke_session_sockets(session_key: str) -> None:
    """After signing out: the sockets that browser session opened are closed (the user's others stay)."""
    _send_after_commit(session_group(session_key), {"type": "session.revoke"})


def revoke_token_sockets(token_digest: str) -> None:
    """After a token is revoked (logout, or by its owner): the sockets opened with it are closed."""
    _send_after_commit(token_group(token_digest), {"type": "session.revoke"})


def hint(group: str, topic: str) -> None:
    """Tell a partner's or network's open pages that a list changed (they refresh it in place)."""
    _send_after_commit(group, {"type": "refresh.hint", "topic": topic})
