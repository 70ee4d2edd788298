"""Both doors refuse the same input: the partners and case managers a page offers are the ones the service
accepts (``people.selectors``), and the API, which sends ids, is refused by the same service check.

A partner whose membership ended, one whose membership has not started, a partner of another network, and staff
of those partners are refused by the consent, case, transfer and goal forms, by the services behind them, and by
the consent API. Good input still works through both doors.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from frontend.people_forms import CaseOpenForm, ConsentForm, GoalForm, TransferForm
from people import plans, services
from people.models import Case, CaseEvent, Consent, Goal, Person
from people.selectors import case_managers, managing_partners, network_partners
from tests.factories import MembershipFactory, PartnerFactory, make_staff
from tests.people_fixtures import make_case, make_person

pytestmark = pytest.mark.django_db


@dataclass
class Outsiders:
    """Partners of network A that may not be named today, and their staff."""

    left: Any  # membership ended yesterday
    future: Any  # membership starts next month
    left_staff: Any
    future_staff: Any
    inactive_staff: Any  # works for MOPR, but the staff membership was ended


@pytest.fixture
def outsiders(world: Any) -> Outsiders:
    today = timezone.localdate()
    left = PartnerFactory(name="Fundacja, która odeszła")
    future = PartnerFactory(name="Fundacja, która dopiero dołączy")
    MembershipFactory(
        network=world.network, partner=left, since=datetime.date(2020, 1, 1), until=today - datetime.timedelta(1)
    )
    MembershipFactory(network=world.network, partner=future, since=today + datetime.timedelta(30))
    inactive = make_staff(world.receiving, username="mopr-byly")
    inactive.staff_memberships.update(is_active=False, status="ended")
    return Outsiders(
        left=left,
        future=future,
        left_staff=make_staff(left, username="odeszla"),
        future_staff=make_staff(future, username="dolaczy"),
        inactive_staff=inactive,
    )


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_errors(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def refused_on_form(response: Any) -> bool:
    """The form shown again with the error summary at its top (issue 16), not a message above the person page."""
    return "data-error-summary" in response.content.decode()


def snapshot(person: Person) -> tuple[Any, ...]:
    """Everything the refused actions could have written about the person."""
    return (
        list(Consent.objects.filter(person=person).values_list("pk", flat=True)),
        list(Case.objects.filter(person=person).values_list("pk", "case_manager_id", "managing_partner_id", "stage")),
        list(CaseEvent.objects.filter(case__person=person).values_list("pk", flat=True)),
        list(Goal.objects.filter(plan__case__person=person).values_list("pk", flat=True)),
    )


# --- what the forms offer -------------------------------------------------------------------------


def test_it_offers_in_every_form_exactly_the_partners_and_managers_the_services_accept(
    world: Any, outsiders: Outsiders
) -> None:
    network = world.network
    current = {world.receiving.pk, world.sending.pk, world.employer.pk}
    assert set(network_partners(network.pk).values_list("pk", flat=True)) == current
    # An employer neither manages a case nor has staff who do: it sees candidates through placements only.
    managers = {world.coordinator.pk, world.receiving_staff.pk, world.receiving_admin.pk, world.sending_staff.pk}
    assert set(case_managers(network.pk).values_list("pk", flat=True)) == managers
    managing = current - {world.employer.pk}
    assert set(managing_partners(network.pk).values_list("pk", flat=True)) == managing

    for form, name, offered in [
        (ConsentForm(network=network), "partners", current),
        (CaseOpenForm(network=network), "managing_partner", managing),
        (TransferForm(network=network), "managing_partner", managing),
        (GoalForm(network=network), "responsible_partner", current),
    ]:
        assert {p.pk for p in form.fields[name].queryset} == offered, (type(form).__name__, name)
    for form in (CaseOpenForm(network=network), TransferForm(network=network)):
        assert {u.pk for u in form.fields["case_manager"].queryset} == managers


def test_it_does_not_show_partners_that_left_or_have_not_joined_on_the_person_page(
    client: Any, world: Any, outsiders: Outsiders
) -> None:
    person = make_person(world)
    make_case(world, person)
    client.force_login(world.coordinator)
    html = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert str(world.receiving.pk) in html
    for hidden in (outsiders.left, outsiders.future, world.unrelated, outsiders.left_staff, world.unrelated_staff):
        assert str(hidden.pk) not in html


# --- consent: the page and the API -----------------------------------------------------------------


def post_consent_page(client: Any, person: Person, partners: list[Any]) -> Any:
    return client.post(
        reverse("person-consent-add", args=[person.pk]),
        {
            "consent-categories": ["identity"],
            "consent-partners": [p.pk for p in partners],
            "consent-purpose": "Wsparcie w ramach lokalnego systemu",
            "consent-given_by": "person",
        },
    )


def post_consent_api(user: Any, person: Person, partners: list[Any]) -> Any:
    return api(user).post(
        reverse("api-person-consents", args=[person.pk]),
        {"categories": ["identity"], "partners": [str(p.pk) for p in partners], "purpose": "Wsparcie"},
        format="json",
    )


@pytest.mark.parametrize("bad", ["left", "future", "unrelated"])
def test_it_refuses_a_consent_naming_a_partner_that_is_not_a_current_member_on_both_doors(
    client: Any, world: Any, outsiders: Outsiders, bad: str
) -> None:
    partner = world.unrelated if bad == "unrelated" else getattr(outsiders, bad)
    person = make_person(world)
    before = snapshot(person)
    client.force_login(world.coordinator)

    page = post_consent_page(client, person, [world.receiving, partner])
    assert page.status_code == 400
    answer = post_consent_api(world.coordinator, person, [world.receiving, partner])
    assert answer.status_code == 400
    assert answer.json()["partners"] == ["Partner musi obecnie należeć do tego lokalnego systemu."]
    with pytest.raises(ValidationError) as refused:
        services.consent_record(
            actor=world.coordinator, person=person, categories=["identity"], purpose="Wsparcie", partners=[partner]
        )
    assert set(refused.value.error_dict) == {"partners"}
    assert snapshot(person) == before


def test_it_refuses_an_unknown_partner_id_in_the_api(world: Any) -> None:
    person = make_person(world)
    answer = api(world.coordinator).post(
        reverse("api-person-consents", args=[person.pk]),
        {"categories": ["identity"], "partners": ["00000000-0000-0000-0000-000000000000"], "purpose": "Wsparcie"},
        format="json",
    )
    assert answer.status_code == 400 and answer.json()["partners"] == ["Nieznany partner."]
    assert not Consent.objects.exists()


def test_it_records_a_consent_naming_current_partners_on_both_doors(client: Any, world: Any) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    assert post_consent_page(client, person, [world.receiving]).status_code == 302
    answer = post_consent_api(world.coordinator, person, [world.sending, world.sending])
    assert answer.status_code == 201 and answer.json()["partners"] == [str(world.sending.pk)]
    named = [set(c.partners.values_list("pk", flat=True)) for c in Consent.objects.filter(person=person)]
    assert sorted(named, key=str) == sorted([{world.receiving.pk}, {world.sending.pk}], key=str)


# --- the case: open and transfer (the API has no case endpoint: the page and the service) ------------------


def open_case_page(client: Any, person: Person, manager: Any, partner: Any) -> Any:
    return client.post(
        reverse("person-case-open", args=[person.pk]),
        {
            "open-stage": "intake",
            "open-case_manager": manager.pk if manager else "",
            "open-managing_partner": partner.pk if partner else "",
        },
    )


def bad_pairs(world: Any, outsiders: Outsiders) -> dict[str, tuple[Any, Any, str]]:
    """(case manager, managing partner, the field the service refuses)."""
    return {
        "partner left": (None, outsiders.left, "managing_partner"),
        "partner not yet joined": (None, outsiders.future, "managing_partner"),
        "partner of another network": (None, world.unrelated, "managing_partner"),
        "manager of another network": (world.unrelated_staff, None, "case_manager"),
        "manager of a partner that left": (outsiders.left_staff, None, "case_manager"),
        "manager of a partner not yet joined": (outsiders.future_staff, None, "case_manager"),
        "manager no longer on the staff": (outsiders.inactive_staff, None, "case_manager"),
        "the other network's coordinator": (world.other_coordinator, None, "case_manager"),
    }


BAD = [
    "partner left",
    "partner not yet joined",
    "partner of another network",
    "manager of another network",
    "manager of a partner that left",
    "manager of a partner not yet joined",
    "manager no longer on the staff",
    "the other network's coordinator",
]


@pytest.mark.parametrize("bad", BAD)
def test_it_refuses_to_open_a_case_with_a_partner_or_manager_it_does_not_offer(
    client: Any, world: Any, outsiders: Outsiders, bad: str
) -> None:
    manager, partner, field = bad_pairs(world, outsiders)[bad]
    person = make_person(world)
    before = snapshot(person)
    client.force_login(world.coordinator)

    response = open_case_page(client, person, manager, partner)
    assert response.status_code == 400 and refused_on_form(response)
    with pytest.raises(ValidationError) as refused:
        services.case_open(actor=world.coordinator, person=person, case_manager=manager, managing_partner=partner)
    assert set(refused.value.error_dict) == {field}
    assert snapshot(person) == before


def test_it_refuses_a_case_manager_who_does_not_work_for_the_managing_partner(
    client: Any, world: Any, outsiders: Outsiders
) -> None:
    # Each is offered on its own; the pair is the service's rule, and the page shows its refusal.
    person = make_person(world)
    client.force_login(world.coordinator)
    response = open_case_page(client, person, world.sending_staff, world.receiving)
    assert response.status_code == 400 and refused_on_form(response)
    assert "Opiekun przypadku musi pracować u partnera prowadzącego albo koordynować ten lokalny system." in (
        response.content.decode()
    )
    assert not Case.objects.filter(person=person).exists()


@pytest.mark.parametrize(
    ("manager", "partner"),
    [("receiving_staff", "receiving"), ("coordinator", "receiving"), ("coordinator", None), (None, "sending")],
)
def test_it_opens_a_case_with_an_offered_manager_and_partner(
    client: Any, world: Any, manager: str | None, partner: str | None
) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    user = getattr(world, manager) if manager else None
    institution = getattr(world, partner) if partner else None
    response = open_case_page(client, person, user, institution)
    assert response.status_code == 302 and not page_errors(response)
    case = Case.objects.get(person=person)
    assert (case.case_manager, case.managing_partner) == (user, institution)


@pytest.mark.parametrize("bad", BAD)
def test_it_refuses_to_transfer_a_case_to_a_partner_or_manager_it_does_not_offer(
    client: Any, world: Any, outsiders: Outsiders, bad: str
) -> None:
    manager, partner, field = bad_pairs(world, outsiders)[bad]
    person = make_person(world)
    case = make_case(world, person, manager=world.receiving_staff, partner=world.receiving)
    before = snapshot(person)
    client.force_login(world.coordinator)

    response = client.post(
        reverse("person-case-transfer", args=[person.pk, case.pk]),
        {
            "transfer-case_manager": manager.pk if manager else "",
            "transfer-managing_partner": partner.pk if partner else "",
        },
    )
    assert response.status_code == 400 and refused_on_form(response)
    with pytest.raises(ValidationError) as refused:
        services.case_transfer(actor=world.coordinator, case=case, case_manager=manager, managing_partner=partner)
    assert set(refused.value.error_dict) == {field}
    assert snapshot(person) == before


def test_it_transfers_a_case_to_an_offered_manager_and_partner(client: Any, world: Any) -> None:
    person = make_person(world)
    case = make_case(world, person, manager=world.receiving_staff, partner=world.receiving)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("person-case-transfer", args=[person.pk, case.pk]),
        {"transfer-case_manager": world.sending_staff.pk, "transfer-managing_partner": world.sending.pk},
    )
    assert response.status_code == 302 and not page_errors(response)
    case.refresh_from_db()
    assert (case.case_manager, case.managing_partner) == (world.sending_staff, world.sending)


# --- the support plan's goal (no API endpoint: the page and the service) -----------------------------


@pytest.mark.parametrize("bad", ["left", "future", "unrelated"])
def test_it_refuses_a_goal_whose_responsible_partner_is_not_a_current_member(
    client: Any, world: Any, outsiders: Outsiders, bad: str
) -> None:
    partner = world.unrelated if bad == "unrelated" else getattr(outsiders, bad)
    person = make_person(world)
    case = make_case(world, person)
    before = snapshot(person)
    client.force_login(world.coordinator)

    response = client.post(
        reverse("person-goal-add", args=[person.pk, case.pk]),
        {"goal-domain": "work_education", "goal-description": "Staż", "goal-responsible_partner": partner.pk},
    )
    assert response.status_code == 400 and refused_on_form(response)
    with pytest.raises(ValidationError) as refused:
        plans.goal_add(
            actor=world.coordinator,
            case=case,
            domain="work_education",
            description="Staż",
            responsible_partner=partner,
        )
    assert set(refused.value.error_dict) == {"responsible_partner"}
    assert snapshot(person) == before


def test_it_adds_a_goal_for_an_offered_partner(client: Any, world: Any) -> None:
    person = make_person(world)
    case = make_case(world, person)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("person-goal-add", args=[person.pk, case.pk]),
        {"goal-domain": "work_education", "goal-description": "Staż", "goal-responsible_partner": world.employer.pk},
    )
    assert response.status_code == 302 and not page_errors(response)
    assert Goal.objects.get(plan__case=case).responsible_partner == world.employer
