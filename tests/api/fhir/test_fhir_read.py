"""Reading over FHIR: the CapabilityStatement, each resource type valid by its R4B model, who gets 404, JSON only
(Accept and _format), OperationOutcome for every error, and no caching."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from api.fhir import capability, codes
from partners.choices import PathStage
from partners.models import Service
from people.models import AccessLog
from tests.api.fhir.helpers import fhir, outcome, valid
from tests.people_fixtures import make_consent, make_person, make_pesel
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db

PERSON_LEVEL = ("ServiceRequest", "Task", "Patient", "Consent")


@pytest.fixture
def objects(world: Any) -> dict[str, Any]:
    """One of each resource type that MOPR (the receiving partner) may read."""
    import datetime

    person = consenting_person(world, pesel=make_pesel(datetime.date(1985, 4, 12)), phone="600100200")
    referral = sent_referral(world, person=person, service=world.service)
    consent = person.consents.get()
    return {
        "ServiceRequest": referral.pk,
        "Task": referral.pk,
        "Patient": person.pk,
        "Consent": consent.pk,
        "Organization": world.receiving.pk,
        "HealthcareService": world.service.pk,
        "referral": referral,
        "person": person,
    }


def test_the_capability_statement_lists_exactly_what_is_served(world: Any) -> None:
    body = valid(fhir().get("/fhir/metadata"), kind="CapabilityStatement")
    assert body["fhirVersion"] == "4.0.1" and body["format"] == ["json", "application/fhir+json"]
    assert body["patchFormat"] == ["application/json-patch+json"]
    served = {r["type"]: r for r in body["rest"][0]["resource"]}
    assert set(served) == {"ServiceRequest", "Task", "Patient", "Consent", "Organization", "HealthcareService"}
    assert [i["code"] for i in served["Task"]["interaction"]] == ["read", "search-type", "update", "patch"]
    assert [i["code"] for i in served["ServiceRequest"]["interaction"]] == ["read", "search-type", "create"]
    assert [i["code"] for i in served["Patient"]["interaction"]] == ["read"]
    assert "searchParam" not in served["Patient"]
    assert {p["name"] for p in served["ServiceRequest"]["searchParam"]} == {
        "patient",
        "performer",
        "status",
        "authored",
        "_count",
        "_page",
    }
    assert {p["name"] for p in served["Task"]["searchParam"]} == {
        "focus",
        "owner",
        "patient",
        "status",
        "_count",
        "_page",
    }
    assert {p["name"] for p in served["Consent"]["searchParam"]} == {"patient", "_count", "_page"}
    # Every search parameter the statement names is one the server takes, and no other.
    for kind, search in capability.SEARCH.items():
        names = {p["name"] for p in served[kind]["searchParam"]} - {"_count", "_page"}
        assert names == {name for name in search if ":" not in name}


def test_every_resource_type_reads_and_validates(world: Any, objects: dict[str, Any]) -> None:
    client = fhir(world.receiving_staff)
    bodies = {kind: valid(client.get(f"/fhir/{kind}/{objects[kind]}"), kind=kind) for kind in capability.INTERACTIONS}
    request = bodies["ServiceRequest"]
    assert request["status"] == "active" and request["intent"] == "order" and request["priority"] == "routine"
    assert request["subject"] == {"reference": f"Patient/{objects['person'].pk}"}
    assert {p["reference"] for p in request["performer"]} == {
        f"Organization/{world.receiving.pk}",
        f"HealthcareService/{world.service.pk}",
    }
    assert request["reasonCode"] == [{"text": "Wsparcie w codziennym funkcjonowaniu"}]
    with translation.override("pl"):
        label = str(PathStage(world.service.category).label)
    assert request["category"][0]["coding"][0] == {
        "system": codes.system(codes.SERVICE_CATEGORY),
        "code": world.service.category,
        "display": label,  # in Polish, whatever the caller's language
    }
    patient = bodies["Patient"]
    assert patient["identifier"] == [
        {"system": "urn:oid:2.16.840.1.113883.3.4424.1.1.616", "value": objects["person"].pesel}
    ]
    assert patient["name"] == [{"use": "official", "family": "Kowalska", "given": ["Anna"]}]
    assert patient["birthDate"] == "1985-04-12"
    # Identity only: nothing of the health, social or employment categories, whatever the reader holds.
    text = str(patient)
    assert "Schizofrenia" not in text and "02-P" not in text and "zasiłek" not in text and "Magazynier" not in text
    service = bodies["HealthcareService"]
    places = {e["url"]: e for e in service["extension"][0]["extension"]}
    assert service["extension"][0]["url"] == codes.extension_url(codes.EXT_FREE_PLACES)
    assert places["places"]["valueUnsignedInt"] == 5 and places["free"]["valueUnsignedInt"] == 0
    assert places["waitlist"]["valueBoolean"] is True
    consent = bodies["Consent"]
    assert consent["status"] == "active" and consent["patient"]["reference"] == f"Patient/{objects['person'].pk}"
    assert {c["coding"][0]["code"] for c in consent["provision"]["code"]} == {"identity", "social"}
    assert bodies["Organization"]["name"] == "MOPR Piekary"


def test_a_stranger_gets_404_for_every_resource_type(world: Any, objects: dict[str, Any]) -> None:
    for user in (world.unrelated_staff, world.other_coordinator):
        client = fhir(user)
        for kind in PERSON_LEVEL:
            outcome(client.get(f"/fhir/{kind}/{objects[kind]}"), 404, "not_found")
    # Each refusal is a probe the security log writes down, as for the REST API.
    from accounts.models import SecurityEvent

    probes = SecurityEvent.objects.filter(user=world.unrelated_staff, kind="not_found")
    assert probes.count() == len(PERSON_LEVEL) and set(probes.values_list("channel", flat=True)) == {"api"}
    # Network B sees neither network A's institutions nor their services.
    for kind in ("Organization", "HealthcareService"):
        outcome(fhir(world.unrelated_staff).get(f"/fhir/{kind}/{objects[kind]}"), 404, "not_found")
    # And an id that is not one, or that nobody has, is the same 404.
    for kind in capability.INTERACTIONS:
        outcome(fhir(world.coordinator).get(f"/fhir/{kind}/not-an-id"), 404)
        outcome(fhir(world.coordinator).get(f"/fhir/{kind}/00000000-0000-4000-8000-000000000000"), 404)


def test_an_employer_and_the_monitor_get_404_for_every_person_level_type(world: Any, objects: dict[str, Any]) -> None:
    # Even when a consent names the employer: no person-level resource over FHIR.
    make_consent(world, objects["person"], ["identity"], partners=[world.employer])
    for user in (world.employer_staff, world.monitor):
        client = fhir(user)
        for kind in PERSON_LEVEL:
            outcome(client.get(f"/fhir/{kind}/{objects[kind]}"), 404, "not_found")
        for kind in ("ServiceRequest", "Task", "Consent"):
            outcome(client.get(f"/fhir/{kind}"), 404, "not_found")
    # The directory is not person data: the employer reads its own network's institutions.
    valid(fhir(world.employer_staff).get(f"/fhir/Organization/{world.receiving.pk}"), kind="Organization")


def test_the_sending_partner_reads_what_it_sent_but_not_the_patient_without_a_grant(world: Any) -> None:
    person = make_person(world, first_name="Jan")
    make_consent(world, person, ["identity"], partners=[world.receiving])
    referral = sent_referral(world, person=person)
    outcome(fhir(world.sending_staff).get(f"/fhir/Task/{referral.pk}"), 404)
    outcome(fhir(world.sending_staff).get(f"/fhir/Patient/{person.pk}"), 404)
    valid(fhir(world.receiving_staff).get(f"/fhir/Patient/{person.pk}"), kind="Patient")


def test_a_patient_shared_without_the_identity_category_is_not_found(world: Any) -> None:
    person = consenting_person(world, categories=["identity", "social"])
    sent_referral(world, person=person, categories=["social"])
    outcome(fhir(world.receiving_staff).get(f"/fhir/Patient/{person.pk}"), 404)


def test_anonymous_gets_401_with_an_operation_outcome(world: Any, objects: dict[str, Any]) -> None:
    for kind in capability.INTERACTIONS:
        response = fhir().get(f"/fhir/{kind}/{objects[kind]}")
        outcome(response, 401)
        assert response.has_header("WWW-Authenticate")


def test_accept_negotiation_serves_json_only(world: Any, objects: dict[str, Any]) -> None:
    url = f"/fhir/Task/{objects['Task']}"
    for accept, served in (
        ("application/fhir+json", "application/fhir+json"),
        ("application/json", "application/json"),
        ("*/*", "application/fhir+json"),
        ("application/fhir+json;q=0.9, application/xml;q=1", "application/fhir+json"),
    ):
        response = fhir(world.receiving_staff).get(url, HTTP_ACCEPT=accept)
        assert valid(response)["resourceType"] == "Task"
        assert response["Content-Type"] == f"{served}; charset=utf-8"
    for accept in ("application/fhir+xml", "application/xml", "text/html", "text/turtle"):
        response = fhir(world.receiving_staff).get(url, HTTP_ACCEPT=accept)
        outcome(response, 406, "not_acceptable")
        assert response["Content-Type"].startswith("application/fhir+json")
    for wanted in ("json", "application/fhir+json", "application/json"):
        response = fhir(world.receiving_staff).get(f"{url}?_format={wanted}", HTTP_ACCEPT="application/xml")
        assert valid(response)["resourceType"] == "Task"
    outcome(fhir(world.receiving_staff).get(f"{url}?_format=xml"), 406)
    outcome(fhir(world.receiving_staff).get("/fhir/metadata?_format=application/fhir+xml"), 406)
    # A form post is not FHIR either.
    response = fhir(world.coordinator).post("/fhir/ServiceRequest", {"status": "draft"})
    outcome(response, 415)


def test_unknown_paths_and_methods_answer_an_operation_outcome(world: Any, objects: dict[str, Any]) -> None:
    client = fhir(world.coordinator)
    outcome(client.get("/fhir/Observation/1"), 404, "not_supported")
    outcome(client.get("/fhir/Patient"), 404, "not_supported")
    outcome(client.delete(f"/fhir/Task/{objects['Task']}"), 405)
    outcome(client.post(f"/fhir/Task/{objects['Task']}", {}, format="json"), 405)
    outcome(client.options(f"/fhir/Task/{objects['Task']}"), 405)


def test_nothing_is_cached_and_the_browser_session_works_too(world: Any, objects: dict[str, Any]) -> None:
    browser = Client()
    browser.force_login(world.receiving_staff)
    response = browser.get(f"/fhir/Patient/{objects['Patient']}", HTTP_ACCEPT="application/fhir+json")
    assert valid(response)["id"] == str(objects["Patient"])
    assert AccessLog.objects.filter(
        user=world.receiving_staff, person=objects["person"], channel="fhir", view="fhir-patient"
    ).exists()
    assert valid(fhir().get("/fhir/metadata"))["resourceType"] == "CapabilityStatement"


def test_the_fhir_paths_are_not_in_the_openapi_schema(world: Any) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not [path for path in schema["paths"] if path.startswith("/fhir")]


def test_an_unlimited_service_says_only_what_it_knows(world: Any) -> None:
    service = Service.objects.get(pk=world.service.pk)
    service.capacity = None
    service.load = 0
    service.save()
    body = valid(fhir(world.coordinator).get(f"/fhir/HealthcareService/{service.pk}"))
    assert {e["url"] for e in body["extension"][0]["extension"]} == {"taken", "waitlist"}
