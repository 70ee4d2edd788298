"""API v1 for people, consents and referrals: the calls integrators rely on (DESIGN §9)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from people.models import Consent
from referrals.models import Referral
from tests.factories import ServiceFactory
from tests.people_fixtures import make_person
from tests.referral_fixtures import consenting_person

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_it_registers_a_person_and_answers_409_with_candidates_for_a_duplicate(world: Any) -> None:
    client = api(world.coordinator)
    body = {"network": str(world.network.pk), "first_name": "Łucja", "last_name": "Żółć", "birth_date": "1975-05-05"}
    first = client.post("/api/v1/persons/", body, format="json")
    assert first.status_code == 201
    again = client.post("/api/v1/persons/", body | {"first_name": "LUCJA"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_person"
    assert again.json()["candidates"][0]["id"] == first.json()["id"]
    forced = client.post("/api/v1/persons/", body | {"force": True}, format="json")
    assert forced.status_code == 201


def test_it_refuses_a_bad_pesel_with_a_field_error(world: Any) -> None:
    response = api(world.coordinator).post(
        "/api/v1/persons/",
        {"network": str(world.network.pk), "first_name": "A", "last_name": "B", "pesel": "44051401358"},
        format="json",
    )
    assert response.status_code == 400 and "pesel" in response.json()


def test_it_leaves_health_fields_out_of_the_json_without_the_health_category(world: Any) -> None:
    person = consenting_person(world, categories=["identity"])
    client = api(world.coordinator)
    referral = client.post(
        "/api/v1/referrals/",
        {"person": str(person.pk), "to_partner": str(world.receiving.pk), "reason": "x", "categories": ["identity"]},
        format="json",
    ).json()
    assert client.post(f"/api/v1/referrals/{referral['id']}/send/", {}, format="json").status_code == 200
    body = api(world.receiving_staff).get(f"/api/v1/persons/{person.pk}/").json()
    assert body["categories"] == ["identity"]
    assert "health_notes" not in body and "disability_symbol" not in body and "first_name" in body
    assert "Schizofrenia" not in str(body)


def test_it_walks_a_referral_through_the_api(world: Any) -> None:
    person = consenting_person(world)
    service = ServiceFactory(partner=world.receiving, capacity=2, load=0)
    coordinator, receiver = api(world.coordinator), api(world.receiving_staff)
    created = coordinator.post(
        "/api/v1/referrals/",
        {
            "person": str(person.pk),
            "to_partner": str(world.receiving.pk),
            "service": str(service.pk),
            "reason": "Wsparcie",
            "categories": ["identity"],
            "priority": "urgent",
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    assert coordinator.post(f"/api/v1/referrals/{pk}/send/", {}, format="json").json()["status"] == "sent"
    incoming = receiver.get("/api/v1/referrals/?direction=incoming").json()
    assert [r["id"] for r in incoming["results"]] == [pk]
    assert receiver.post(f"/api/v1/referrals/{pk}/check-in/", {}, format="json").status_code == 200
    assert receiver.post(f"/api/v1/referrals/{pk}/accept/", {}, format="json").json()["status"] == "accepted"
    again = receiver.post(f"/api/v1/referrals/{pk}/accept/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    assert receiver.post(f"/api/v1/referrals/{pk}/start/", {}, format="json").status_code == 200
    bad = receiver.post(f"/api/v1/referrals/{pk}/complete/", {}, format="json")
    assert bad.status_code == 400 and "outcome_code" in bad.json()
    done = receiver.post(f"/api/v1/referrals/{pk}/complete/", {"outcome_code": "goal_achieved"}, format="json")
    assert done.json()["status"] == "completed"
    detail = coordinator.get(f"/api/v1/referrals/{pk}/").json()
    assert [t["action"] for t in detail["timeline"]] == ["create", "send", "check_in", "accept", "start", "complete"]


def test_it_answers_409_without_consent_and_404_to_strangers(world: Any) -> None:
    person = make_person(world)
    client = api(world.coordinator)
    pk = client.post(
        "/api/v1/referrals/",
        {"person": str(person.pk), "to_partner": str(world.receiving.pk), "reason": "x", "categories": ["identity"]},
        format="json",
    ).json()["id"]
    refused = client.post(f"/api/v1/referrals/{pk}/send/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "consent_missing"
    for stranger in [world.unrelated_staff, world.other_coordinator, world.monitor, world.employer_staff]:
        assert api(stranger).get(f"/api/v1/referrals/{pk}/").status_code == 404
        assert api(stranger).get(f"/api/v1/persons/{person.pk}/").status_code == 404
    assert api(None).get(f"/api/v1/referrals/{pk}/").status_code == 401
    assert Referral.objects.get(pk=pk).state == "draft"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"to_partner": "not-a-uuid"}, 400),
        ({"to_partner": "00000000-0000-0000-0000-000000000000"}, 400),
        ({"categories": []}, 400),
        ({"due_by": "2001-01-01T00:00:00Z"}, 400),
        ({"categories": ["identity", "dreams"]}, 400),
    ],
)
def test_it_refuses_bad_referral_input_and_creates_nothing(world: Any, body: dict[str, Any], status: int) -> None:
    person = consenting_person(world)
    payload = {
        "person": str(person.pk),
        "to_partner": str(world.receiving.pk),
        "reason": "x",
        "categories": ["identity"],
    } | body
    response = api(world.coordinator).post("/api/v1/referrals/", payload, format="json")
    assert response.status_code == status, response.content
    assert not Referral.objects.exists()


def test_it_answers_404_for_a_malformed_referral_id(world: Any) -> None:
    response = api(world.coordinator).get("/api/v1/referrals/nope/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_it_withdraws_a_consent_through_the_api(world: Any) -> None:
    person = consenting_person(world)
    consent = Consent.objects.get(person=person)
    response = api(world.coordinator).post(f"/api/v1/consents/{consent.pk}/withdraw/", {}, format="json")
    assert response.status_code == 200 and response.json()["live"] is False
    again = api(world.coordinator).post(f"/api/v1/consents/{consent.pk}/withdraw/", {}, format="json")
    assert again.status_code == 409


def test_it_refuses_a_consent_without_a_category(world: Any) -> None:
    person = make_person(world)
    response = api(world.coordinator).post(
        f"/api/v1/persons/{person.pk}/consents/",
        {"partners": [str(world.receiving.pk)], "categories": [], "purpose": "x"},
        format="json",
    )
    assert response.status_code == 400 and "categories" in response.json()
    assert not Consent.objects.exists()


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_referrals_with_a_fixed_number_of_queries(
    world: Any, rows: int, django_assert_num_queries: Any
) -> None:
    from tests.referral_fixtures import sent_referral

    person = consenting_person(world)
    for _ in range(rows):
        sent_referral(world, person=person)
    from tests.factories import api_token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.receiving_staff)}")
    client.get("/api/v1/referrals/?direction=incoming")  # warms the per-process permission-id cache
    # 1 token with its user, 2-4 scope (staff with groups, coordinatorships, member networks), 5 count,
    # 6 the page with people, partners and services.
    with django_assert_num_queries(6):
        response = client.get("/api/v1/referrals/?direction=incoming")
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_people_with_a_fixed_number_of_queries(world: Any, rows: int, django_assert_num_queries: Any) -> None:
    for i in range(rows):
        make_person(world, last_name=f"Osoba{i:02}")
    client = api(world.coordinator)
    # 1-2 scope (staff, coordinatorships), 3 savepoint, 4 count, 5 the page, 6 one INSERT of access-log rows,
    # 7 release savepoint.
    with django_assert_num_queries(7):
        response = client.get("/api/v1/persons/")
    assert response.json()["count"] == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_it_resyncs_notifications_with_a_fixed_number_of_queries(
    world: Any, rows: int, django_assert_num_queries: Any
) -> None:
    from notifications.services import notify

    for i in range(rows):
        notify(recipients=[world.receiving_staff], kind="test", text=lambda i=i: f"n{i}")
    client = api(world.receiving_staff)
    # 1 the notifications after the id, 2 unread count, 3 the last id.
    with django_assert_num_queries(3):
        response = client.get("/api/v1/notifications/?after=0")
    assert len(response.json()["results"]) == rows and response.json()["unread"] == rows


def test_a_listed_referral_says_what_its_own_answer_says(world: Any) -> None:
    """The list reads plain values (``ReferralRow``), the detail a model: each list item equals the detail's
    fields without the detail-only ones, in every direction and for a referral with and without a service."""
    from api.referrals import referral_data
    from referrals.models import Referral
    from tests.factories import api_token
    from tests.referral_fixtures import sent_referral

    person = consenting_person(world)
    with_service = sent_referral(world, person=person)
    without = sent_referral(world, person=person)
    Referral.objects.filter(pk=without.pk).update(service=None, priority="urgent")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.receiving_staff)}")
    for direction in ("incoming", ""):
        listed = client.get(f"/api/v1/referrals/?direction={direction}").json()["results"]
        assert {item["id"] for item in listed} == {str(with_service.pk), str(without.pk)}
        for item in listed:
            referral = Referral.objects.get(pk=item["id"])
            assert item == referral_data(referral, world.receiving_staff)
