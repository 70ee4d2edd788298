"""The optional read replica: only the reporting selectors read there (docs/deploy.md, "A read replica").

``DATABASE_REPLICA_URL`` adds the ``replica`` alias. A selector that may read slightly old rows (the dashboard,
the yearly and regional reports: figures over months, never the row a user has just changed) runs its body inside
``reads_from_replica``; every other read, and every write anywhere, goes to the primary. Without the alias the
router answers ``None`` and Django uses the primary for everything.

The selectors wrapped here return finished values (dataclasses, lists), never lazy querysets: a queryset evaluated
after the block has ended would be routed to the primary.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reporting: ContextVar[bool] = ContextVar("lsw_reads_from_replica", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def replica_alias() -> str:
    """The alias a reporting read uses now: the replica when one is configured and the caller is a reporting
    selector, the primary otherwise (for the raw SQL of the reports, which no router sees)."""
    if _reporting.get() and REPLICA in connections.settings:
        return REPLICA
    return DEFAULT_DB_ALIAS


@contextmanager
def replica_reads() -> Iterator[None]:
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def reads_from_replica(function: Callable[P, R]) -> Callable[P, R]:
    """Mark a reporting selector: the reads it makes go to the replica when there is one."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads():
            return function(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Reads inside ``reads_from_replica`` go to the replica; everything else is left to the default (primary)."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = replica_alias()
        return alias if alias != DEFAULT_DB_ALIAS else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The replica holds the same rows as the primary: an object read from one may point at one of the other.
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        # The replica follows the primary by replication; migrations run on the primary only.
        return False if db == REPLICA else None
