"""Domain events for systems outside: what happened to which object, raised by the domain services and heard after
commit by whoever registered a listener at start-up (``webhooks`` does, in ``WebhooksConfig.ready``).

``core`` knows no domain and no listener. A service calls ``publish`` next to its notification, in its own
transaction; each event is handed to the listeners only once that transaction commits (``on_commit``), so a
rolled-back change — or a rolled-back savepoint — is never announced, and a failing listener never rolls back the
change it heard about (``robust``: the error is logged). An event carries no health data and no person's name:
its type, the object's kind and id, its state, where to fetch it, and who may hear of it.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Audience:
    """Who may hear of an event, as the domain that raised it names them. A listener still asks the domain's access
    function, when it fans the event out, whether each of them sees the object.

    - ``networks``: the coordinators of these networks;
    - ``partners``: these partners (the sending and receiving partner of a referral, a placement's employer);
    - ``members_of``: every current member partner of these networks (an open placement the labour offices see);
    - ``leaving``: partners whose view of the object this very event ends (a declined or withdrawn referral's
      receiving partner): they hear of it although the access function no longer shows them the object.
    """

    networks: frozenset[Any] = frozenset()
    partners: frozenset[Any] = frozenset()
    members_of: frozenset[Any] = frozenset()
    leaving: frozenset[Any] = frozenset()

    @classmethod
    def of(
        cls,
        *,
        networks: Iterable[Any] = (),
        partners: Iterable[Any] = (),
        members_of: Iterable[Any] = (),
        leaving: Iterable[Any] = (),
    ) -> Audience:
        def ids(values: Iterable[Any]) -> frozenset[Any]:
            return frozenset(value for value in values if value is not None)

        return cls(ids(networks), ids(partners), ids(members_of), ids(leaving))


@dataclass(frozen=True)
class Event:
    type: str  # "referral.accepted": the object's kind, a dot, what happened
    object_id: str
    state: str
    urls: dict[str, str]  # paths on this site: "api", and "fhir" where the object has a FHIR face
    audience: Audience
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    occurred_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def object_type(self) -> str:
        return self.type.split(".", 1)[0]


Listener = Callable[[Event], Any]
_listeners: dict[str, Listener] = {}


def listen(name: str, listener: Listener) -> None:
    """Register (or, on an app reload, replace) a listener under a name."""
    _listeners[name] = listener


def listeners() -> list[Listener]:
    return list(_listeners.values())


def publish(type: str, obj_id: Any, state: str, urls: dict[str, str], audience: Audience) -> Event:
    """Announce an event once the caller's transaction commits (at once outside a transaction)."""
    event = Event(type=type, object_id=str(obj_id), state=str(state), urls=dict(urls), audience=audience)
    if _listeners:
        transaction.on_commit(lambda: dispatch(event), robust=True)
    return event


def dispatch(event: Event) -> None:
    """Hand one event to every listener; one failing listener does not keep it from the others."""
    for listener in listeners():
        try:
            listener(event)
        except Exception:
            log.exception("listener %r failed on event %s (%s)", listener, event.id, event.type)
