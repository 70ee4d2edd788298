"""Who may manage a partner's own affairs (staff accounts): its admins, and the operator."""

from __future__ import annotations

from typing import Any

from core.scope import scope_for
from core.types import AuthUser


def can_manage_partner(user: AuthUser, partner: Any) -> bool:
    """Staff of a partner: its admins (and the operator)."""
    return scope_for(user).administers(partner.pk)
