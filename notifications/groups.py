"""Names of channel-layer groups. One place, so senders and the consumer agree."""

from __future__ import annotations

from typing import Any


def user_group(user_id: Any) -> str:
    return f"user.{user_id}"


def groups_for_user(user: Any) -> list[str]:
    """The groups a user's sockets join: their own (partner and network groups follow with memberships)."""
    return [user_group(user.pk)]
