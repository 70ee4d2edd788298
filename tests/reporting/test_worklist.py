"""My work: the worklist of a case manager or partner staff member — referrals waiting for my answer with the time
left, plan reviews due in my cases, consents expiring within 30 days, candidates to follow up — in a fixed number
of queries, the same through the page and the API, and nobody else's."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from people import plans
from people import services as people_services
from people.models import Consent
from reporting.worklist import worklist_for
from tests.people_fixtures import make_case, make_consent, make_person
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db


def managed_person(world: Any, n: int, *, manager: Any = None) -> Any:
    """A person whose case ``manager`` (MOPR staff by default) runs, with a goal due in a week and a consent
    ending in 20 days."""
    manager = manager or world.receiving_staff
    person = make_person(world, first_name=f"Osoba{n}", last_name=f"Żak{n}")
    case = make_case(world, person, manager=manager, partner=world.receiving)
    consent = make_consent(world, person, ["identity", "social"], partners=[world.receiving])
    Consent.objects.filter(pk=consent.pk).update(valid_until=timezone.localdate() + datetime.timedelta(days=20))
    plans.goal_add(
        actor=world.coordinator,
        case=case,
        domain="housing",
        description=f"Cel {n}",
        target_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    return person


def fill(world: Any, rows: int) -> None:
    for n in range(rows):
        managed_person(world, n)
        sent_referral(world, consenting_person(world, first_name=f"Skierowany{n}", last_name="Nowak"))


def test_it_lists_what_waits_for_a_case_manager(world: Any) -> None:
    person = managed_person(world, 1)
    referral = sent_referral(world)
    work = worklist_for(world.receiving_staff)
    assert [item.referral for item in work.referrals] == [referral]
    assert work.referrals[0].seconds_left is not None and work.referrals[0].seconds_left > 0
    assert work.referrals[0].shows_name  # the referral shared identity
    assert [item.goal.plan.case.person for item in work.reviews] == [person]
    assert [consent.person for consent in work.consents] == [person]


def test_it_leaves_out_what_is_not_due_or_not_mine(world: Any) -> None:
    person = make_person(world, first_name="Daleki", last_name="Termin")
    case = make_case(world, person, manager=world.receiving_staff, partner=world.receiving)
    make_consent(world, person, ["identity"], partners=[world.receiving])  # no end date
    plans.goal_add(
        actor=world.coordinator,
        case=case,
        domain="housing",
        description="Za pół roku",
        target_date=timezone.localdate() + datetime.timedelta(days=180),
    )
    managed_person(world, 2, manager=world.sending_staff)  # someone else's case
    work = worklist_for(world.receiving_staff)
    assert work.is_empty


def test_it_takes_a_referral_off_once_answered(world: Any) -> None:
    from referrals import services as referral_services

    referral = sent_referral(world)
    referral_services.referral_accept(actor=world.receiving_staff, referral=referral)
    assert worklist_for(world.receiving_staff).referrals == []


@pytest.mark.parametrize("rows", [2, 6])
def test_it_builds_the_worklist_in_a_fixed_number_of_queries(
    client: Any, world: Any, rows: int, django_assert_num_queries: Any
) -> None:
    fill(world, rows)
    client.force_login(world.receiving_staff)
    client.get(reverse("home"))  # session and scope warmed like any page after the first
    # 1 session, 2 user, 3 savepoint, 4 the scope's staff memberships, 5 its coordinated networks, 6 its member
    # networks, 7 referrals waiting for an answer, 8 which of their people the partner may name, 9 goals due,
    # 10 consents ending, 11 candidates, 12 the access-log rows in one INSERT, 13 release savepoint.
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("worklist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("Cel ") == rows and "Skierowany" in body


QUERIES = 14  # the same with 2 rows and with 6: no query per row (the last, the header's unread count)


def test_it_answers_the_api_with_the_same_list(world: Any) -> None:
    person = managed_person(world, 1)
    referral = sent_referral(world)
    api = APIClient()
    api.force_authenticate(world.receiving_staff)
    response = api.get("/api/v1/me/worklist/")
    assert response.status_code == 200
    data = response.json()
    assert [r["id"] for r in data["referrals"]] == [str(referral.pk)] and data["referrals"][0]["seconds_left"] > 0
    assert [r["person"] for r in data["reviews"]] == [str(person.pk)]
    assert [c["person"] for c in data["consents"]] == [str(person.pk)]


def test_it_gives_an_employer_no_worklist_and_strangers_nothing_of_ours(client: Any, world: Any) -> None:
    managed_person(world, 1)
    sent_referral(world)
    client.force_login(world.employer_staff)
    assert client.get(reverse("worklist")).status_code == 404
    api = APIClient()
    api.force_authenticate(world.employer_staff)
    assert api.get("/api/v1/me/worklist/").status_code == 404
    for user in (world.unrelated_staff, world.sending_staff):
        assert worklist_for(user).referrals == [] and worklist_for(user).reviews == []
    client.force_login(world.monitor)
    assert client.get(reverse("worklist")).status_code == 404


def test_it_drops_a_door_persons_consent_once_withdrawn(world: Any) -> None:
    person = people_services.person_register(
        actor=world.receiving_staff,
        network=world.network,
        data={"first_name": "Jan", "last_name": "Drzwi"},
        door_partner=world.receiving,
        consent={
            "categories": ["identity"],
            "purpose": "Wsparcie",
            "valid_until": timezone.localdate() + datetime.timedelta(days=10),
        },
    )
    assert [c.person for c in worklist_for(world.receiving_staff).consents] == [person]
    people_services.consent_withdraw(actor=world.coordinator, consent=Consent.objects.get(person=person))
    assert worklist_for(world.receiving_staff).consents == []
