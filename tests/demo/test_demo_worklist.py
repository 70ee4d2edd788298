"""The demo has data for the worklist and the door: MOPR's case manager finds a referral to answer, a plan review
due and a consent ending within 30 days; the ŚDS registered a person who came to it first."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from partners.models import User
from people.access import access_to_person
from people.models import Person
from reporting.worklist import worklist_for

pytestmark = pytest.mark.django_db


def test_it_gives_the_demo_worklists_and_a_person_registered_at_a_door(settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo")
    work = worklist_for(User.objects.get(username="mopr"))
    assert work.referrals and work.reviews and work.consents
    door = Person.objects.get(last_name="Drzwiecka")
    assert door.door_partner is not None and door.door_partner.name.startswith("Środowiskowy")
    sds = User.objects.get(username="sds")
    access = access_to_person(sds, door)
    assert access is not None and access.categories == frozenset({"identity", "social"})
    assert access_to_person(User.objects.get(username="mopr"), door) is None
    assert door in [c.person for c in worklist_for(sds).consents]
