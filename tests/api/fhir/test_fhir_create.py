"""A partner's system posts a ServiceRequest: a draft referral, or one created and sent through the same consent
gate as every send; a refused send leaves nothing behind."""

from __future__ import annotations

from typing import Any

import pytest

from api.fhir import codes
from people.models import AccessLog
from referrals.models import Referral
from tests.api.fhir.helpers import fhir, outcome, post, valid
from tests.factories import ServiceFactory
from tests.people_fixtures import make_case, make_person
from tests.referral_fixtures import consenting_person

pytestmark = pytest.mark.django_db


def request_body(world: Any, person: Any, status: str = "draft", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "status": status,
        "intent": "order",
        "subject": {"reference": f"Patient/{person.pk}"},
        "performer": [{"reference": f"Organization/{world.receiving.pk}"}],
        "reasonCode": [{"text": "Pomoc w sprawach mieszkaniowych po wypisie ze szpitala"}],
    } | extra


def categories(*names: str) -> list[dict[str, Any]]:
    return [
        {
            "url": codes.extension_url(codes.EXT_DATA_CATEGORIES),
            "valueCodeableConcept": {
                "coding": [{"system": codes.system(codes.DATA_CATEGORY), "code": n} for n in names]
            },
        }
    ]


def test_a_draft_is_created_from_the_callers_partner(world: Any) -> None:
    person = consenting_person(world)  # ŚDS staff manage the case
    body = request_body(world, person, note=[{"text": "Cel: mieszkanie treningowe"}], priority="urgent")
    response = post(fhir(world.sending_staff), "/fhir/ServiceRequest", body)
    created = valid(response, 201, "ServiceRequest")
    assert response["Location"] == f"http://testserver/fhir/ServiceRequest/{created['id']}"
    referral = Referral.objects.get(pk=created["id"])
    assert referral.state == "draft" and referral.from_partner == world.sending
    assert referral.categories == ["identity"] and referral.priority == "urgent"
    assert referral.goal == "Cel: mieszkanie treningowe"
    assert created["status"] == "draft" and created["requester"]["reference"] == f"Organization/{world.sending.pk}"
    # The Task exists at once, and the sender moves it to requested (send) when ready.
    task = valid(fhir(world.sending_staff).get(f"/fhir/Task/{referral.pk}"), kind="Task")
    assert task["status"] == "draft"


def test_an_active_request_is_sent_when_a_consent_covers_it(world: Any) -> None:
    person = consenting_person(world, categories=["identity", "social"])
    service = ServiceFactory(partner=world.receiving, capacity=3, load=0)
    body = request_body(
        world,
        person,
        "active",
        performer=[
            {"reference": f"Organization/{world.receiving.pk}"},
            {"reference": f"HealthcareService/{service.pk}"},
        ],
        extension=categories("identity", "social"),
        requester={"reference": f"Organization/{world.sending.pk}"},
    )
    created = valid(post(fhir(world.sending_staff), "/fhir/ServiceRequest", body), 201, "ServiceRequest")
    referral = Referral.objects.get(pk=created["id"])
    assert referral.state == "sent" and referral.service == service and referral.categories == ["identity", "social"]
    assert created["status"] == "active"
    # The receiving partner's system sees it at once, as requested.
    task = valid(fhir(world.receiving_staff).get(f"/fhir/Task/{referral.pk}"), kind="Task")
    assert task["status"] == "requested"
    assert AccessLog.objects.filter(person=person, detail=f"referral-sent:{referral.pk}").exists()


def test_an_active_request_without_consent_is_409_and_leaves_no_draft(world: Any) -> None:
    person = make_person(world, first_name="Bez", last_name="Zgody")
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    response = post(fhir(world.sending_staff), "/fhir/ServiceRequest", request_body(world, person, "active"))
    outcome(response, 409, "consent_missing")
    assert not Referral.objects.filter(person=person).exists()
    # As a draft it is fine: the gate is on sending.
    valid(post(fhir(world.sending_staff), "/fhir/ServiceRequest", request_body(world, person)), 201)
    # A consent that covers identity but not the health category shared is no cover either.
    covered = consenting_person(world, categories=["identity"])
    body = request_body(world, covered, "active", extension=categories("identity", "social"))
    outcome(post(fhir(world.coordinator), "/fhir/ServiceRequest", body), 409, "consent_missing")


def test_bad_requests(world: Any) -> None:
    person = consenting_person(world)
    client = fhir(world.sending_staff)
    url = "/fhir/ServiceRequest"
    outcome(post(client, url, {"resourceType": "Task", "status": "draft", "intent": "order"}), 400)
    outcome(post(client, url, {"resourceType": "ServiceRequest", "status": "draft"}), 400)  # no intent, no subject
    outcome(post(client, url, request_body(world, person) | {"bogus": True}), 400)
    assert outcome(post(client, url, request_body(world, person, "completed")), 422)["issue"][0]["expression"] == [
        "ServiceRequest.status"
    ]
    no_reason = request_body(world, person)
    del no_reason["reasonCode"]
    assert outcome(post(client, url, no_reason), 422)["issue"][0]["expression"] == ["ServiceRequest.reasonCode"]
    wrong_kind = request_body(world, person, subject={"reference": f"Group/{person.pk}"})
    outcome(post(client, url, wrong_kind), 422, "invalid_reference")
    unknown = request_body(world, person, performer=[{"reference": f"Organization/{world.unrelated.pk}"}])
    outcome(post(client, url, unknown), 422, "unknown_reference")
    outcome(post(client, url, request_body(world, person, performer=[])), 422)
    outcome(post(client, url, request_body(world, person, extension=categories("secrets"))), 422)
    # Sharing what the sender cannot see itself: the service's own rule.
    outcome(post(client, url, request_body(world, person, extension=categories("health"))), 422)
    # On behalf of an institution the caller does not work for: visible, but not theirs to act for.
    outcome(
        post(client, url, request_body(world, person, requester={"reference": f"Organization/{world.receiving.pk}"})),
        403,
    )
    assert not Referral.objects.filter(person=person).exists()


def test_strangers_employers_and_anonymous_cannot_refer(world: Any) -> None:
    person = consenting_person(world)
    body = request_body(world, person)
    # A person the caller cannot see is an unknown reference: the same answer as a person that does not exist.
    outcome(post(fhir(world.unrelated_staff), "/fhir/ServiceRequest", body), 422, "unknown_reference")
    outcome(post(fhir(world.receiving_staff), "/fhir/ServiceRequest", body), 422, "unknown_reference")
    outcome(post(fhir(world.employer_staff), "/fhir/ServiceRequest", body), 404)
    outcome(post(fhir(), "/fhir/ServiceRequest", body), 401)
    assert not Referral.objects.filter(person=person).exists()


def test_a_nul_byte_is_a_400_not_a_500(world: Any) -> None:
    person = consenting_person(world)
    body = request_body(world, person, reasonCode=[{"text": "a\u0000b"}])
    outcome(post(fhir(world.sending_staff), "/fhir/ServiceRequest", body), 400, "invalid_character")
    assert not Referral.objects.filter(person=person).exists()
    response = fhir(world.sending_staff).get("/fhir/Organization?name=a%00")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/fhir+json")
    assert response.json()["resourceType"] == "OperationOutcome"
