from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from frontend.navigation import navigation_for
from notifications.selectors import unread_count


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_person_account:
        return {"nav_items": []}  # a person's own account has its own pages' navigation (own/base.html)
    # The header's unread count is written by the server too, so it shows without JavaScript; read only when a page
    # draws the header (one indexed count), and kept current by app.js where scripts run.
    return {"nav_items": navigation_for(user), "unread_count": SimpleLazyObject(lambda: unread_count(user))}
