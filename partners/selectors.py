"""Reads about partners for pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from core.scope import scope_for
from core.types import AuthUser
from partners.models import Partner


def partners_worked_for(user: AuthUser) -> QuerySet[Partner]:
    """The partners the user works for as staff (any role), by name: "my partners" on the home page."""
    return Partner.objects.filter(id__in=list(scope_for(user).staff_partner_ids)).order_by("name")
