"""A person's own account for tests (issue 18): made through the invitation, as a person makes it."""

from __future__ import annotations

from typing import Any

from people import own
from people.models import Person, PersonAccount

OWN_PASSWORD = "moje-haslo-123456"


def make_own_account(world: Any, person: Person, username: str = "osoba", **fields: Any) -> Any:
    """The person's own account, invited by the coordinator and accepted with ``OWN_PASSWORD``."""
    _invitation, token = own.person_invite(
        actor=world.coordinator, person=person, relation="person", channel="email", address="osoba@example.org"
    )
    user = own.invitation_accept(token=token, username=username, password=OWN_PASSWORD)
    if fields:
        PersonAccount.objects.filter(user=user).update(**fields)
    return user
