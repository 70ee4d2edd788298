"""FHIR searches: each filter, dates with prefixes, paging links, only what the caller may see, and a 400 for a
parameter we do not support."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from partners.choices import PathStage
from referrals import services
from referrals.models import Referral
from tests.api.fhir.helpers import fhir, ids, outcome, valid
from tests.factories import ServiceFactory
from tests.people_fixtures import make_consent
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(world: Any) -> dict[str, Referral]:
    """A sent referral (two weeks old), an accepted one (checked in first) and a draft, all to MOPR."""
    old = sent_referral(world, person=consenting_person(world, first_name="Ala"))
    Referral.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=14))
    accepted = sent_referral(world, person=consenting_person(world, first_name="Ola"), priority="urgent")
    services.referral_check_in(actor=world.receiving_staff, referral=accepted)
    services.referral_accept(actor=world.receiving_staff, referral=accepted)
    draft = services.referral_create(
        actor=world.coordinator,
        person=consenting_person(world, first_name="Ela"),
        to_partner=world.receiving,
        reason="Szkic",
        categories=["identity"],
    )
    return {"old": old, "accepted": accepted, "draft": draft}


def found(user: Any, url: str) -> set[str]:
    return ids(valid(fhir(user).get(url), kind="Bundle"))


def test_service_requests_by_patient_performer_status_and_authored(world: Any, three: dict[str, Referral]) -> None:
    old, accepted, draft = (str(three[k].pk) for k in ("old", "accepted", "draft"))
    coordinator = world.coordinator
    assert found(coordinator, "/fhir/ServiceRequest") == {old, accepted, draft}
    assert found(coordinator, f"/fhir/ServiceRequest?patient=Patient/{three['old'].person_id}") == {old}
    assert found(coordinator, f"/fhir/ServiceRequest?patient={three['old'].person_id},{three['draft'].person_id}") == {
        old,
        draft,
    }
    assert found(coordinator, f"/fhir/ServiceRequest?performer=Organization/{world.receiving.pk}") == {
        old,
        accepted,
        draft,
    }
    assert found(coordinator, f"/fhir/ServiceRequest?performer=Organization/{world.sending.pk}") == set()
    assert found(coordinator, "/fhir/ServiceRequest?status=active") == {old, accepted}
    assert found(coordinator, "/fhir/ServiceRequest?status=draft,completed") == {draft}
    today = timezone.localdate()
    week_ago = (today - datetime.timedelta(days=7)).isoformat()
    assert found(coordinator, f"/fhir/ServiceRequest?authored=ge{week_ago}") == {accepted, draft}
    assert found(coordinator, f"/fhir/ServiceRequest?authored=lt{week_ago}") == {old}
    assert found(coordinator, f"/fhir/ServiceRequest?authored=le{week_ago}") == {old}
    assert found(coordinator, f"/fhir/ServiceRequest?authored=gt{week_ago}") == {accepted, draft}
    assert found(coordinator, f"/fhir/ServiceRequest?authored={today.isoformat()}") == {accepted, draft}
    assert found(coordinator, f"/fhir/ServiceRequest?authored=eq{today.isoformat()[:7]}") >= {accepted, draft}
    two_weeks = (today - datetime.timedelta(days=14)).isoformat()
    assert found(coordinator, f"/fhir/ServiceRequest?authored=ge{two_weeks}&authored=lt{week_ago}") == {old}
    # The receiving partner never sees a draft; a stranger sees nothing at all.
    assert found(world.receiving_staff, "/fhir/ServiceRequest") == {old, accepted}
    assert found(world.unrelated_staff, "/fhir/ServiceRequest") == set()
    assert found(world.other_coordinator, f"/fhir/ServiceRequest?patient={three['old'].person_id}") == set()


def test_tasks_by_focus_owner_and_status(world: Any, three: dict[str, Referral]) -> None:
    old, accepted = str(three["old"].pk), str(three["accepted"].pk)
    receiver = world.receiving_staff
    assert found(receiver, f"/fhir/Task?focus=ServiceRequest/{old}") == {old}
    assert found(receiver, f"/fhir/Task?owner=Organization/{world.receiving.pk}") == {old, accepted}
    assert found(receiver, "/fhir/Task?status=requested") == {old}
    assert found(receiver, "/fhir/Task?status=received") == set()
    assert found(receiver, "/fhir/Task?status=accepted,received") == {accepted}
    assert found(world.coordinator, "/fhir/Task?status=draft") == {str(three["draft"].pk)}
    services.referral_check_in(actor=receiver, referral=three["old"])
    assert found(receiver, "/fhir/Task?status=received") == {old}
    assert found(receiver, "/fhir/Task?status=requested") == set()
    assert found(receiver, f"/fhir/Task?patient=Patient/{three['accepted'].person_id}") == {accepted}
    assert found(world.unrelated_staff, f"/fhir/Task?focus={old}") == set()


def test_paging_with_count_and_links(world: Any, three: dict[str, Referral]) -> None:
    client = fhir(world.coordinator)
    first = valid(client.get("/fhir/ServiceRequest?_count=2&status=active,draft"))
    assert first["total"] == 3 and len(first["entry"]) == 2
    links = {link["relation"]: link["url"] for link in first["link"]}
    assert set(links) == {"self", "first", "next", "last"}
    assert parse_qs(urlparse(links["next"]).query) == {"_count": ["2"], "_page": ["2"], "status": ["active,draft"]}
    second = valid(client.get(links["next"]))
    assert len(second["entry"]) == 1 and {link["relation"] for link in second["link"]} == {
        "self",
        "first",
        "previous",
        "last",
    }
    assert ids(first) | ids(second) == {str(r.pk) for r in three.values()}
    # Newest first; fullUrl is the resource's own address.
    assert (
        first["entry"][0]["fullUrl"] == f"http://testserver/fhir/ServiceRequest/{first['entry'][0]['resource']['id']}"
    )
    assert valid(client.get("/fhir/ServiceRequest?_count=0"))["total"] == 3
    past = valid(client.get("/fhir/ServiceRequest?_count=2&_page=9"))
    assert past["total"] == 3 and "entry" not in past


def test_bad_search_parameters_are_400(world: Any, three: dict[str, Referral]) -> None:
    client = fhir(world.coordinator)
    for url in (
        "/fhir/ServiceRequest?patinet=x",
        "/fhir/ServiceRequest?patient=Organization/1f0e4b4e-5a50-4c0e-9a5b-0c2b3f1d9a11",
        "/fhir/ServiceRequest?patient=nope",
        "/fhir/ServiceRequest?status=finished",
        "/fhir/ServiceRequest?authored=2026-13-01",
        "/fhir/ServiceRequest?authored=sa2026-01-01",
        "/fhir/ServiceRequest?authored=yesterday",
        "/fhir/ServiceRequest?_count=500",
        "/fhir/ServiceRequest?_count=many",
        "/fhir/ServiceRequest?_page=0",
        "/fhir/Task?status=done",
        "/fhir/Task?subject=x",
        "/fhir/Consent?status=active",
        "/fhir/Organization?name=",
        "/fhir/HealthcareService?service-category=unknown",
    ):
        body = outcome(client.get(url), 400, "invalid_search")
        assert body["issue"][0]["expression"], url


def test_consents_that_cover_the_callers_partner(world: Any) -> None:
    person = consenting_person(world)  # a consent naming MOPR and ŚDS
    by_type = make_consent(world, person, ["identity"], partner_types=["ops"])  # MOPR is an OPS
    other = make_consent(world, person, ["identity"], partners=[world.sending])
    sent_referral(world, person=person)
    covering = {str(c.pk) for c in person.consents.exclude(pk=other.pk)}
    assert found(world.receiving_staff, f"/fhir/Consent?patient=Patient/{person.pk}") == covering
    assert str(by_type.pk) in covering
    assert found(world.receiving_staff, "/fhir/Consent") == covering
    # The coordinator sees every consent of the network's people; a stranger none.
    assert found(world.coordinator, f"/fhir/Consent?patient={person.pk}") == {str(c.pk) for c in person.consents.all()}
    assert found(world.unrelated_staff, "/fhir/Consent") == set()
    outcome(fhir(world.receiving_staff).get(f"/fhir/Consent/{other.pk}"), 404)
    body = valid(fhir(world.receiving_staff).get(f"/fhir/Consent/{by_type.pk}"), kind="Consent")
    assert body["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "ops"


def test_directory_searches(world: Any) -> None:
    therapy = ServiceFactory(partner=world.receiving, name="Trening umiejętności", category=PathStage.THERAPY)
    client_user = world.receiving_staff
    assert found(client_user, "/fhir/Organization?name=mopr") == {str(world.receiving.pk)}
    assert found(client_user, "/fhir/Organization?name:contains=piekary") == {
        str(world.receiving.pk),
        str(world.sending.pk),
    }
    assert found(client_user, "/fhir/Organization?type=sds") == {str(world.sending.pk)}
    assert str(world.unrelated.pk) not in found(client_user, "/fhir/Organization")
    assert found(client_user, f"/fhir/HealthcareService?organization=Organization/{world.receiving.pk}") == {
        str(world.service.pk),
        str(therapy.pk),
    }
    assert found(client_user, f"/fhir/HealthcareService?service-category={PathStage.THERAPY}") >= {str(therapy.pk)}
    assert found(client_user, "/fhir/HealthcareService?name=trening") == {str(therapy.pk)}
    assert str(world.other_service.pk) not in found(client_user, "/fhir/HealthcareService")
    assert found(world.unrelated_staff, "/fhir/HealthcareService") == {str(world.other_service.pk)}


def test_a_searchset_costs_the_same_queries_for_two_or_five_rows(world: Any) -> None:
    """No query per row: the page loads its people, institutions, services and networks with it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def costs() -> list[int]:
        counts = []
        for url in ("/fhir/ServiceRequest", "/fhir/Task", "/fhir/Consent", "/fhir/HealthcareService"):
            with CaptureQueriesContext(connection) as queries:
                valid(fhir(world.coordinator).get(url))
            counts.append(len(queries))
        return counts

    for name in ("Ala", "Ola"):
        sent_referral(world, person=consenting_person(world, first_name=name), service=world.service)
    few = costs()
    for name in ("Ela", "Iza", "Ula"):
        sent_referral(world, person=consenting_person(world, first_name=name), service=world.service)
        ServiceFactory(partner=world.receiving, name=f"Usługa {name}")
    assert costs() == few
