"""Access to the sub-resources the API adds (staff, memberships), built on network.access only.

Like the access functions there, a missing object and one the user may not see both answer 404;
403 is kept for an action on an object the user can see.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from rest_framework.permissions import BasePermission

from core.scope import scope_for
from core.types import AuthUser
from network.access import can_edit_partner_profile, networks_visible_to, partners_visible_to
from network.models import NetworkMembership
from partners.models import Partner, StaffMembership


def can_see_staff(user: AuthUser, partner: Partner) -> bool:
    """A partner's staff list: its own staff and admins, and the coordinators of a network it belongs to."""
    return partner.pk in scope_for(user).staff_partner_ids or can_edit_partner_profile(user, partner)


def require_staff_visible(user: AuthUser, partner: Partner) -> None:
    # Someone who may see the partner but not its people learns nothing about them, not even that they exist.
    if not can_see_staff(user, partner):
        raise Http404


def get_staff_membership_for(user: AuthUser, pk: Any) -> StaffMembership:
    queryset = StaffMembership.objects.select_related("user", "partner").filter(
        partner_id__in=partners_visible_to(user).values("id")
    )
    membership = _get_or_404(queryset, pk)
    require_staff_visible(user, membership.partner)
    return membership


def get_network_membership_for(user: AuthUser, pk: Any) -> NetworkMembership:
    queryset = NetworkMembership.objects.select_related("network", "partner", "coordinating_person").filter(
        network_id__in=networks_visible_to(user).values("id")
    )
    return _get_or_404(queryset, pk)


def partner_for_membership(user: AuthUser, network: Any, pk: Any) -> Partner | None:
    """A partner a coordinator may add to ``network``: one they can see, or a former member of that network."""
    queryset = Partner.objects.filter(
        Q(id__in=partners_visible_to(user).values("id"))
        | Q(id__in=NetworkMembership.objects.filter(network=network).values("partner_id"))
    )
    try:
        return _get_or_404(queryset, pk)
    except Http404:
        return None


def _get_or_404(queryset: Any, pk: Any) -> Any:
    from django.core.exceptions import ValidationError

    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        # A malformed UUID is just another id that matches nothing.
        raise Http404 from None


class SignedInUnlessDebug(BasePermission):
    """The OpenAPI schema and Swagger UI: open while developing (DEBUG), signed-in users only in production, so
    an anonymous visitor cannot map the API (issue 14)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(settings.DEBUG or (request.user and request.user.is_authenticated))
