"""The person's access log through the API (issue 16): the twin of the page ``/people/<id>/dostep/``, with its
selector (``people.selectors.access_log_rows``) and its rule: the network's coordinators read it, others who see
the person get 403, anyone else (a stranger, an employer, whoever's access ended with a withdrawn consent) 404."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from people import services as people_services
from people.access import get_person_for
from people.models import AccessLog, Consent
from tests.people_fixtures import make_case, make_person
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(person: Any) -> str:
    return f"/api/v1/persons/{person.pk}/access-log/"


def test_the_coordinator_reads_the_rows_page_by_page_newest_first(world: Any) -> None:
    person = make_person(world)
    for _ in range(7):
        AccessLog.objects.create(person=person, user=world.receiving_staff, action="view")
    AccessLog.objects.create(person=person, user=world.coordinator, action="change", channel="api")
    first = api(world.coordinator).get(url(person), {"page_size": 5})
    assert first.status_code == 200
    data = first.json()
    assert data["count"] == 8 and len(data["results"]) == 5 and data["next"] and data["previous"] is None
    newest = data["results"][0]
    assert newest == {
        "at": newest["at"],
        "user": str(world.coordinator.pk),
        "user_name": world.coordinator.get_full_name() or world.coordinator.username,
        "action": "change",
        "channel": "api",
        "merged_record": False,
    }
    second = api(world.coordinator).get(url(person), {"page_size": 5, "page": 2}).json()
    assert len(second["results"]) == 3 and second["next"] is None
    assert {r["user"] for r in second["results"]} == {str(world.receiving_staff.pk)}


def test_the_api_gives_the_same_rows_as_the_page(client: Any, world: Any) -> None:
    person = make_person(world)
    AccessLog.objects.create(person=person, user=world.receiving_staff, action="view")
    from people.selectors import access_log_rows

    rows = api(world.coordinator).get(url(person)).json()["results"]
    assert [r["action"] for r in rows] == [e.action for e in access_log_rows(person)]


def test_a_case_manager_who_sees_the_person_gets_403_as_on_the_page(world: Any) -> None:
    person = make_person(world)
    make_case(world, person, manager=world.receiving_staff)
    answer = api(world.receiving_staff).get(url(person))
    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"


@pytest.mark.parametrize("who", ["other_coordinator", "unrelated_staff", "employer_staff"])
def test_a_stranger_or_an_employer_gets_404(world: Any, who: str) -> None:
    person = make_person(world)
    answer = api(getattr(world, who)).get(url(person))
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_an_unknown_or_malformed_id_gets_404(world: Any) -> None:
    assert api(world.coordinator).get("/api/v1/persons/not-a-uuid/access-log/").status_code == 404
    assert (
        api(world.coordinator).get("/api/v1/persons/00000000-0000-0000-0000-000000000000/access-log/").status_code
        == 404
    )


def test_whoever_loses_the_person_with_a_withdrawn_consent_loses_the_access_log_too(world: Any) -> None:
    person = consenting_person(world)
    sent_referral(world, person=person)
    get_person_for(world.receiving_staff, person.pk)  # the referral under consent lets MOPR see the person
    assert api(world.receiving_staff).get(url(person)).status_code == 403
    for consent in Consent.objects.filter(person=person):
        people_services.consent_withdraw(actor=world.coordinator, consent=consent)
    assert api(world.receiving_staff).get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert api(world.receiving_staff).get(url(person)).status_code == 404
    # The coordinator's access never depended on the consent.
    assert api(world.coordinator).get(url(person)).status_code == 200


def test_it_does_not_write_the_access_log_it_reads(world: Any) -> None:
    person = make_person(world)
    api(world.coordinator).get(url(person))
    assert not AccessLog.objects.filter(person=person).exists()


@pytest.mark.parametrize("rows", [2, 30])
def test_it_reads_a_page_with_a_fixed_number_of_queries(
    world: Any, rows: int, django_assert_max_num_queries: Any
) -> None:
    person = make_person(world)
    users = [world.receiving_staff, world.sending_staff, world.coordinator, None]
    AccessLog.objects.bulk_create(
        AccessLog(person=person, user=users[i % len(users)], action="view") for i in range(rows)
    )
    client = api(world.coordinator)
    client.get(url(person))  # warms the per-process caches
    with django_assert_max_num_queries(8):
        response = client.get(url(person))
    assert response.json()["count"] == rows
