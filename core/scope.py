"""The user's scope: which partners they work for, which networks they coordinate or belong to.

Read once per request and cached on the user object; every access function of every domain starts from it.
``core`` knows no domain model, so the ``network`` app, which owns memberships, registers the loader at start-up
(``NetworkConfig.ready``); until then, and for anonymous or inactive users, the scope is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from core.types import AuthUser

_CACHE_ATTR = "_lsw_scope"


@dataclass(frozen=True)
class Scope:
    user_id: Any
    is_superuser: bool = False
    is_monitor: bool = False
    staff_partner_ids: frozenset[UUID] = field(default_factory=frozenset)
    staff_group_ids: frozenset[int] = field(default_factory=frozenset)
    admin_partner_ids: frozenset[UUID] = field(default_factory=frozenset)
    job_coach_partner_ids: frozenset[UUID] = field(default_factory=frozenset)
    employer_partner_ids: frozenset[UUID] = field(default_factory=frozenset)
    coordinated_network_ids: frozenset[UUID] = field(default_factory=frozenset)
    member_network_ids: frozenset[UUID] = field(default_factory=frozenset)

    @property
    def sees_every_network(self) -> bool:
        return self.is_superuser or self.is_monitor

    @property
    def network_ids(self) -> frozenset[UUID]:
        return self.coordinated_network_ids | self.member_network_ids

    @property
    def is_coordinator(self) -> bool:
        return bool(self.coordinated_network_ids)

    def coordinates(self, network_id: Any) -> bool:
        return self.is_superuser or network_id in self.coordinated_network_ids

    @property
    def reads_people(self) -> bool:
        """Whether person-level pages and endpoints are open to the user at all: never to an employer's staff
        (they see candidates through their placements only), unless they also coordinate a network."""
        return self.user_id is not None and (bool(self.coordinated_network_ids) or not self.employer_partner_ids)

    def administers(self, partner_id: Any) -> bool:
        return self.is_superuser or partner_id in self.admin_partner_ids


# The loader receives an active, signed-in user: the concrete user model, which core does not name.
ScopeLoader = Callable[[Any], Scope]
_loader: list[ScopeLoader] = []


def register_scope_loader(loader: ScopeLoader) -> None:
    """Called once by the app that owns memberships; a second call replaces the first (tests reload apps)."""
    _loader[:] = [loader]


def scope_for(user: AuthUser | None) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(user_id=None)
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if not _loader:
        raise RuntimeError("No scope loader registered: is the network app installed?")
    scope = _loader[0](user)
    setattr(user, _CACHE_ATTR, scope)
    return scope


class Principal:
    """Not a user: an institution, or a network's coordination, acting as a whole (a webhook subscription). Every
    access function starts from ``scope_for``; for a principal it answers the scope given here, so the same functions
    decide what the institution as a whole may see. ``scope.user_id`` must name no user (``NOBODY``)."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False

    def __init__(self, scope: Scope) -> None:
        self.pk = scope.user_id
        setattr(self, _CACHE_ATTR, scope)


# A user id no account has: a principal's scope is nobody's own (no case manager, no job coach).
NOBODY = UUID(int=0)


def forget_scope(user: AuthUser | Any) -> None:
    """Drop the cached scope after a membership change made within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
