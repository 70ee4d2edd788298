"""Reads about partners for pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from core.scope import scope_for
from core.types import AuthUser
from partners.choices import StaffStatus
from partners.models import Partner, StaffMembership


def partners_worked_for(user: AuthUser) -> QuerySet[Partner]:
    """The partners the user works for as staff (any role), by name: "my partners" on the home page."""
    return Partner.objects.filter(id__in=list(scope_for(user).staff_partner_ids)).order_by("name")


def invitations_for(user: AuthUser) -> QuerySet[StaffMembership]:
    """Staff invitations waiting for the user's answer (the notice on the home page, the API's list)."""
    if not user.is_authenticated:
        return StaffMembership.objects.none()
    return (
        StaffMembership.objects.filter(user_id=user.pk, status=StaffStatus.PENDING)
        .select_related("partner")
        .order_by("created_at", "id")
    )
