"""Who is told about a partner's staff changes: the coordinators of the networks it belongs to.

``partners`` sits below ``network`` and cannot read coordinators itself, so the ``network`` app registers the
finder at start-up (``NetworkConfig.ready``), as it registers the scope loader with ``core.scope``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partners.models import Partner, User

OverseerFinder = Callable[["Partner"], list["User"]]
_finder: list[OverseerFinder] = []


def register_overseer_finder(finder: OverseerFinder) -> None:
    """Called once by the app that owns networks; a second call replaces the first (tests reload apps)."""
    _finder[:] = [finder]


def overseers_of(partner: Partner) -> list[User]:
    if not _finder:
        raise RuntimeError("No overseer finder registered: is the network app installed?")
    return _finder[0](partner)
