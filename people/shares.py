"""Where a person's data goes, and how each share stops: the seam between ``people`` and the domains above it.

A person's data reaches a partner through a consent-gated share that another domain owns (a referral, a placement
application). ``people`` does not import those domains; each registers a ``ShareKeeper`` at start-up
(``ReferralsConfig.ready``, ``EmploymentConfig.ready``) that knows, for one person:

- ``stop``: what to end now that a consent ended (withdrawn or expired); it runs inside the transaction that ended
  the consent, with the person's row locked, and returns what it stopped (for the notification and the timeline);
- ``explain``: which partners can read the person now through it, which categories, and the source of each;
- ``anonymise`` / ``before_anonymise``: end the open shares and clear the free text about the person, and say
  beforehand what that will do (the confirmation page lists it).

``lock_person`` is the one serialisation point: every change that can alter one person's grants (send, accept,
withdrawal, expiry, case open/transfer/close, proposal) takes the person's row lock first, then its own rows, so
two such changes for one person never interleave and each recomputes the grants from a state the other finished.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from people.models import Person


@dataclass(frozen=True)
class Share:
    """One partner's reading of a person and why: ``source`` is a kind (network, case, referral, application,
    legal_basis), ``label`` says which one in words, ``consents`` the consent ids that give it (if any)."""

    partner_id: Any
    partner_name: str
    categories: frozenset[str]
    source: str
    label: str
    since: datetime.datetime | datetime.date | None = None
    url: str = ""
    consents: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Stopped:
    """One share a consent's end stopped: what happened, in words for the people told about it."""

    kind: str  # referral.withdrawn | referral.discontinued | referral.narrowed | application.withdrawn
    object_id: Any
    partner_id: Any
    text: Any  # a lazy string: read in each recipient's language


@dataclass(frozen=True)
class ShareKeeper:
    name: str
    stop: Callable[[Person, Any, str], list[Stopped]]  # (person, actor or None, "withdrawn" | "expired")
    explain: Callable[[Person], list[Share]]
    before_anonymise: Callable[[Person], list[str]] = lambda person: []
    anonymise: Callable[[Person, Any], None] = lambda person, actor: None
    # (merged, kept, actor) -> how many rows moved: the domain's rows of a duplicate go to the kept record, with
    # their own grants recomputed (people/merging.py; both people's rows are locked by the caller).
    merge: Callable[[Person, Person, Any], int] = lambda merged, kept, actor: 0
    order: int = field(default=100)


_keepers: dict[str, ShareKeeper] = {}


def register(keeper: ShareKeeper) -> None:
    """Called from an AppConfig.ready; a second call under the same name replaces the first."""
    _keepers[keeper.name] = keeper


def keepers() -> list[ShareKeeper]:
    return sorted(_keepers.values(), key=lambda keeper: (keeper.order, keeper.name))


def lock_person(person: Person | Any) -> Person:
    """Take the person's row lock (inside a transaction) and return the row as it is now."""
    pk: Any = getattr(person, "pk", person)
    return Person.objects.select_for_update(of=("self",)).select_related("network").get(pk=pk)


def stop_shares(person: Person, actor: Any, how: str) -> list[Stopped]:
    """Every keeper stops what the person's consents no longer cover (the person's row is locked by the caller)."""
    stopped: list[Stopped] = []
    for keeper in keepers():
        stopped.extend(keeper.stop(person, actor, how))
    return stopped


def explain_shares(person: Person) -> list[Share]:
    return [share for keeper in keepers() for share in keeper.explain(person)]
