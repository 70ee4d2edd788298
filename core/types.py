"""Types shared by every app.

``AuthUser`` is whoever a request or a socket carries, signed in or not, as access functions and selectors
receive it. ``core`` imports no model of ours, so it is the part of ``partners.User`` (and of Django's
``AnonymousUser``) that the scope needs; code that reads more of the user (its name, language, memberships) takes
``partners.models.User`` itself.
"""

from __future__ import annotations

from typing import Any, Protocol


class AuthUser(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    @property
    def is_staff(self) -> bool: ...
