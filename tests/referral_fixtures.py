from __future__ import annotations

from typing import Any

from people.models import Person
from referrals import services
from referrals.models import Referral
from tests.people_fixtures import make_case, make_consent, make_person


def consenting_person(world: Any, categories: list[str] | None = None, **fields: Any) -> Person:
    """A person of network A with an open case and a consent covering MOPR (the receiving partner)."""
    person = make_person(world, **fields)
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    make_consent(world, person, categories or ["identity", "social"], partners=[world.receiving, world.sending])
    return person


def sent_referral(world: Any, person: Person | None = None, service: Any = None, **kwargs: Any) -> Referral:
    person = person or consenting_person(world)
    referral = services.referral_create(
        actor=world.coordinator,
        person=person,
        to_partner=world.receiving,
        service=service,
        reason="Wsparcie w codziennym funkcjonowaniu",
        categories=kwargs.pop("categories", ["identity"]),
        **kwargs,
    )
    return services.referral_send(actor=world.coordinator, referral=referral)
