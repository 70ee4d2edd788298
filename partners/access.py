"""Who may manage a partner's own affairs (staff accounts): its admins, and the operator; and whose an invitation is."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404

from core.scope import scope_for
from core.types import AuthUser
from partners.models import StaffMembership


def can_manage_partner(user: AuthUser, partner: Any) -> bool:
    """Staff of a partner: its admins (and the operator)."""
    return scope_for(user).administers(partner.pk)


def get_invitation_for(user: AuthUser, pk: Any) -> StaffMembership:
    """The user's own staff membership, to answer an invitation (the service refuses one that is not pending);
    404 for anyone else's and a missing one alike."""
    if not user.is_authenticated:
        raise Http404
    try:
        return StaffMembership.objects.select_related("partner", "user").get(pk=pk, user_id=user.pk)
    except (StaffMembership.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
