from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from frontend.navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_person_account:
        return {"nav_items": []}  # a person's own account has its own pages' navigation (own/base.html)
    return {"nav_items": navigation_for(user)}
