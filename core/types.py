"""Types shared by every app.

``AuthUser`` is the signed-in user as services and selectors receive it. ``core`` imports no model of ours, so it
is Django's abstract user (``partners.User`` is the concrete ``AUTH_USER_MODEL``); code that reads our own fields
(``language``, ``is_regional_monitor``) imports ``partners.models.User`` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AuthUser: TypeAlias = AbstractBaseUser | AnonymousUser
else:
    AuthUser = object
