"""The refer and redirect pages refuse exactly what the API refuses: the same bad inputs, posted to both.

Both doors ask the same selectors (``referral_recipients``, ``referral_services``) and the same service, so a
partner whose membership has not started, has ended or is in another network, a service of another partner or an
inactive one, no data category, a past answer date or no reason is refused by both and changes nothing; a good
input is accepted by both.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from referrals.choices import ReasonCode, State
from referrals.models import Referral
from tests.factories import MembershipFactory, PartnerFactory, ServiceFactory
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def future_member(world: Any) -> Any:
    partner = PartnerFactory(name="Fundacja od przyszłego miesiąca")
    MembershipFactory(network=world.network, partner=partner, since=TODAY + datetime.timedelta(days=30))
    return partner


def former_member(world: Any) -> Any:
    partner = PartnerFactory(name="Stowarzyszenie, które odeszło")
    MembershipFactory(
        network=world.network,
        partner=partner,
        since=datetime.date(2024, 1, 1),
        until=TODAY - datetime.timedelta(days=1),
    )
    return partner


# Each bad input: what to change in a good one (partner, service, body fields) and the field it is refused on.
BadRefer = Callable[[Any], dict[str, Any]]
BAD_REFERS: dict[str, BadRefer] = {
    "partner whose membership has not started": lambda w: {"to_partner": future_member(w)},
    "partner whose membership has ended": lambda w: {"to_partner": former_member(w)},
    "partner of another network": lambda w: {"to_partner": w.unrelated},
    "service of another partner": lambda w: {"service": ServiceFactory(partner=w.sending)},
    "inactive service": lambda w: {"service": ServiceFactory(partner=w.receiving, is_active=False)},
    "no data category": lambda w: {"categories": []},
    "answer date in the past": lambda w: {"due_by": timezone.now() - datetime.timedelta(days=1)},
    "no reason": lambda w: {"reason": "   "},
}


def refer_inputs(world: Any, change: dict[str, Any]) -> dict[str, Any]:
    good = {
        "to_partner": world.receiving,
        "service": None,
        "reason": "Wsparcie w codziennym funkcjonowaniu",
        "categories": ["identity"],
        "due_by": None,
    }
    return good | change


def post_refer_page(world: Any, person: Any, inputs: dict[str, Any]) -> int:
    form = {
        "to_partner": str(inputs["to_partner"].pk),
        "service": str(inputs["service"].pk) if inputs["service"] else "",
        "reason": inputs["reason"],
        "categories": inputs["categories"],
        "priority": "normal",
        "due_by": timezone.localtime(inputs["due_by"]).strftime("%Y-%m-%dT%H:%M") if inputs["due_by"] else "",
        "legal_basis": "",
    }
    response = page(world.coordinator).post(f"/people/{person.pk}/refer/", form)
    return response.status_code


def post_refer_api(world: Any, person: Any, inputs: dict[str, Any]) -> int:
    body = {
        "person": str(person.pk),
        "to_partner": str(inputs["to_partner"].pk),
        "service": str(inputs["service"].pk) if inputs["service"] else None,
        "reason": inputs["reason"],
        "categories": inputs["categories"],
        "due_by": inputs["due_by"].isoformat() if inputs["due_by"] else None,
    }
    return api(world.coordinator).post("/api/v1/referrals/", body, format="json").status_code


@pytest.mark.parametrize("case", list(BAD_REFERS))
def test_it_refuses_the_same_bad_referral_on_the_page_and_in_the_api(world: Any, case: str) -> None:
    person = consenting_person(world)
    inputs = refer_inputs(world, BAD_REFERS[case](world))

    assert post_refer_page(world, person, inputs) == 400
    assert post_refer_api(world, person, inputs) == 400
    assert not Referral.objects.filter(person=person).exists()


def test_it_accepts_the_same_good_referral_on_both(world: Any) -> None:
    person = consenting_person(world)
    service = ServiceFactory(partner=world.receiving)
    inputs = refer_inputs(world, {"service": service, "due_by": timezone.now() + datetime.timedelta(days=3)})

    assert post_refer_page(world, person, inputs) == 302
    assert post_refer_api(world, person, inputs) == 201
    assert Referral.objects.filter(person=person, to_partner=world.receiving, service=service).count() == 2


def test_it_offers_on_the_refer_page_only_the_partners_the_service_accepts(world: Any) -> None:
    person = consenting_person(world)
    waiting, gone = future_member(world), former_member(world)

    html = page(world.coordinator).get(f"/people/{person.pk}/refer/").content.decode()

    assert str(world.receiving.pk) in html and str(world.sending.pk) in html
    assert str(waiting.pk) not in html and str(gone.pk) not in html and str(world.unrelated.pk) not in html


# --- redirect -------------------------------------------------------------------------------------


def overdue(world: Any) -> Referral:
    referral = sent_referral(world)
    Referral.objects.filter(pk=referral.pk).update(due_by=timezone.now() - datetime.timedelta(hours=2))
    referral.refresh_from_db()
    return referral


BAD_REDIRECTS: dict[str, BadRefer] = {
    "partner whose membership has not started": lambda w: {"to_partner": future_member(w)},
    "partner whose membership has ended": lambda w: {"to_partner": former_member(w)},
    "partner of another network": lambda w: {"to_partner": w.unrelated},
    "the partner that did not answer": lambda w: {"to_partner": w.receiving},
    "service of another partner": lambda w: {"service": ServiceFactory(partner=w.receiving)},
}


def post_redirect_page(world: Any, referral: Referral, to_partner: Any, service: Any) -> int:
    form = {"x-to_partner": str(to_partner.pk), "x-service": str(service.pk) if service else "", "x-note": ""}
    # As the page's own script posts it (HTMX): the answer carries the status; without it the page redirects.
    return page(world.coordinator).post(f"/referrals/{referral.pk}/redirect/", form, HTTP_HX_REQUEST="true").status_code


def post_redirect_api(world: Any, referral: Referral, to_partner: Any, service: Any) -> int:
    body = {"to_partner": str(to_partner.pk), "service": str(service.pk) if service else None}
    return api(world.coordinator).post(f"/api/v1/referrals/{referral.pk}/redirect/", body, format="json").status_code


@pytest.mark.parametrize("case", list(BAD_REDIRECTS))
def test_it_refuses_the_same_bad_redirect_on_the_page_and_in_the_api(world: Any, case: str) -> None:
    inputs = {"to_partner": world.sending, "service": None} | BAD_REDIRECTS[case](world)
    by_page, by_api = overdue(world), overdue(world)

    page_status = post_redirect_page(world, by_page, **inputs)
    api_status = post_redirect_api(world, by_api, **inputs)

    assert api_status == 400
    assert page_status == 400
    for referral in (by_page, by_api):
        referral.refresh_from_db()
        assert referral.state == State.SENT and not Referral.objects.filter(redirected_from=referral).exists()


def test_it_redirects_with_a_service_on_both(world: Any) -> None:
    service = ServiceFactory(partner=world.sending)
    by_page, by_api = overdue(world), overdue(world)

    assert post_redirect_page(world, by_page, world.sending, service) == 200
    assert post_redirect_api(world, by_api, world.sending, service) == 200
    for referral in (by_page, by_api):
        new = Referral.objects.get(redirected_from=referral)
        assert new.to_partner == world.sending and new.service == service and new.state == State.SENT
        # The old one is withdrawn for the partner's silence, coded as such (not "other"), on both doors.
        referral.refresh_from_db()
        assert referral.state == State.WITHDRAWN and referral.reason_code == ReasonCode.NO_ANSWER
        assert referral.events.get(to_state=State.WITHDRAWN).reason_code == ReasonCode.NO_ANSWER


def test_it_offers_the_service_on_the_redirect_form(world: Any) -> None:
    """The page's redirect form has the service choice, so the new referral keeps its service."""
    ServiceFactory(partner=world.sending, name="Mieszkanie treningowe")
    referral = overdue(world)
    html = page(world.coordinator).get(f"/referrals/{referral.pk}/").content.decode()
    assert 'name="x-service"' in html and "Mieszkanie treningowe" in html
