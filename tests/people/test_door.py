"""Any partner can be the door: partner staff register a person they meet, with the consent they record there.

The record is their partner's (through the person grant policy, as far as the consent goes) and the coordinator's,
who is told; a withdrawn consent takes the partner's reading away at once; an employer never registers anyone.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from notifications.models import Notification
from people import services as people_services
from people.access import access_to_person, persons_visible_to
from people.models import AccessLog, Consent, Person

pytestmark = pytest.mark.django_db


def door_post(client: Any, world: Any, **data: Any) -> Any:
    payload = {
        "first_name": "Łucja",
        "last_name": "Żółć",
        "preferred_contact": "phone",
        "sex": "unknown",
        "door_partner": str(world.receiving.pk),
        "categories": ["identity", "social"],
        "purpose": "Wsparcie w lokalnym systemie",
        "given_by": "person",
    } | data
    return client.post(reverse("person-register", args=[world.network.pk]), payload)


def test_it_lets_partner_staff_register_a_person_with_the_consent_they_record(client: Any, world: Any) -> None:
    client.force_login(world.receiving_staff)
    page = client.get(reverse("person-register", args=[world.network.pk]))
    assert page.status_code == 200 and "Zarejestrowano w" in page.content.decode()
    response = door_post(client, world)
    assert response.status_code == 302
    person = Person.objects.get(last_name="Żółć")
    assert person.door_partner == world.receiving and person.registered_by == world.receiving_staff
    consent = Consent.objects.get(person=person)
    assert set(consent.categories) == {"identity", "social"}
    assert list(consent.partners.all()) == [world.receiving]
    assert consent.recorded_by == world.receiving_staff
    # The partner's staff (the registrar and a colleague) read what the consent gives; not health.
    for user in (world.receiving_staff, world.receiving_admin):
        access = access_to_person(user, person)
        assert access is not None and access.categories == frozenset({"identity", "social"})
    assert client.get(reverse("person-detail", args=[person.pk])).status_code == 200
    # The coordinator sees everything and is told; the log records the creation.
    assert access_to_person(world.coordinator, person).is_coordinator  # type: ignore[union-attr]
    note = Notification.objects.get(recipient=world.coordinator, kind="person.registered")
    assert "MOPR Piekary" in note.text and "Żółć" not in note.text
    assert AccessLog.objects.filter(person=person, action="create", user=world.receiving_staff).exists()


def test_it_always_covers_identity_in_the_door_consent(world: Any) -> None:
    person = people_services.person_register(
        actor=world.receiving_staff,
        network=world.network,
        data={"first_name": "Jan", "last_name": "Nowak"},
        door_partner=world.receiving,
        consent={"categories": ["health"], "purpose": "Wsparcie"},
    )
    assert set(Consent.objects.get(person=person).categories) == {"identity", "health"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"categories": []}, "categories"),
        ({"purpose": ""}, "purpose"),
        ({"door_partner": ""}, "door_partner"),
    ],
)
def test_it_refuses_a_door_registration_without_its_consent_or_partner(
    client: Any, world: Any, change: dict[str, Any], field: str
) -> None:
    client.force_login(world.receiving_staff)
    response = door_post(client, world, **change)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Person.objects.exists() and not Consent.objects.exists()


def test_it_refuses_a_partner_the_staff_member_does_not_work_for(world: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        people_services.person_register(
            actor=world.receiving_staff,
            network=world.network,
            data={"first_name": "Jan", "last_name": "Nowak"},
            door_partner=world.sending,
            consent={"categories": ["identity"], "purpose": "Wsparcie"},
        )
    assert "door_partner" in error.value.message_dict
    assert not Person.objects.exists()


def test_it_keeps_the_record_from_other_partners_strangers_and_employers(client: Any, world: Any) -> None:
    client.force_login(world.receiving_staff)
    door_post(client, world, categories=["identity", "health"])
    person = Person.objects.get()
    for user in (world.sending_staff, world.unrelated_staff, world.other_coordinator, world.employer_staff):
        assert access_to_person(user, person) is None
        assert not persons_visible_to(user).filter(pk=person.pk).exists()
        client.force_login(user)
        assert client.get(reverse("person-detail", args=[person.pk])).status_code == 404
    # An employer cannot be the door (no person record at all), a monitor never reaches the form.
    client.force_login(world.employer_staff)
    assert client.get(reverse("person-register", args=[world.network.pk])).status_code == 403
    client.force_login(world.unrelated_staff)
    assert client.get(reverse("person-register", args=[world.network.pk])).status_code == 404


def test_it_takes_the_partners_reading_away_when_the_consent_is_withdrawn(client: Any, world: Any) -> None:
    client.force_login(world.receiving_staff)
    door_post(client, world)
    person = Person.objects.get()
    consent = Consent.objects.get(person=person)
    people_services.consent_withdraw(actor=world.coordinator, consent=consent)
    assert access_to_person(world.receiving_staff, person) is None
    assert client.get(reverse("person-detail", args=[person.pk])).status_code == 404
    assert access_to_person(world.coordinator, person) is not None


def test_it_lets_the_coordinator_open_the_case_of_a_person_registered_at_a_door(world: Any) -> None:
    person = people_services.person_register(
        actor=world.receiving_staff,
        network=world.network,
        data={"first_name": "Jan", "last_name": "Nowak"},
        door_partner=world.receiving,
        consent={"categories": ["identity"], "purpose": "Wsparcie"},
    )
    case = people_services.case_open(
        actor=world.coordinator, person=person, case_manager=world.receiving_staff, managing_partner=world.receiving
    )
    assert case.case_manager == world.receiving_staff


def test_it_registers_at_the_door_through_the_api_with_the_same_rules(world: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.receiving_staff)
    body = {
        "network": str(world.network.pk),
        "first_name": "Jan",
        "last_name": "Nowak",
        "door_partner": str(world.receiving.pk),
        "consent": {"categories": ["identity", "social"], "purpose": "Wsparcie"},
    }
    response = api.post("/api/v1/persons/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["categories"] == ["identity", "social"]
    assert "health_notes" not in response.json()
    person = Person.objects.get()
    assert person.door_partner == world.receiving
    # Without the consent: the same refusal as the page's, nothing written.
    response = api.post("/api/v1/persons/", body | {"last_name": "Inny", "consent": None}, format="json")
    assert response.status_code == 400 and "categories" in str(response.json())
    api.force_authenticate(world.employer_staff)
    response = api.post("/api/v1/persons/", body | {"last_name": "Trzeci"}, format="json")
    assert response.status_code == 403
    assert Person.objects.count() == 1


def test_it_explains_the_door_share_in_who_can_see(world: Any) -> None:
    from people.visibility import who_can_see

    person = people_services.person_register(
        actor=world.receiving_staff,
        network=world.network,
        data={"first_name": "Jan", "last_name": "Nowak"},
        door_partner=world.receiving,
        consent={"categories": ["identity"], "purpose": "Wsparcie"},
    )
    readers = {reader.key: reader for reader in who_can_see(person)}
    door = readers[f"partner:{world.receiving.pk}"]
    assert door.categories == {"identity"} and door.sources[0].source == "door"
