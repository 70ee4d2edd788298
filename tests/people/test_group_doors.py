"""The group and activity pages refuse exactly what the API refuses: the same bad inputs, posted to both.

Both doors take their choices from ``people.group_selectors`` (``partners_that_may_run_groups``,
``group_service_choices``, ``activity_partner_choices``, ``activity_service_choices``) and go through the same
services in ``people.groups``, which accept only those choices. So a partner whose network membership has ended
or has not started, a partner of another network or one the actor does not work for, a service of another
partner and an inactive service are refused by the page, the API and the service alike, and change nothing;
good input works through both doors.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from frontend.group_views import ActivityForm, GroupForm
from people import groups as group_services
from people.assessments import default_instrument
from people.group_selectors import (
    activity_partner_choices,
    activity_service_choices,
    group_service_choices,
    partners_that_may_run_groups,
)
from people.models import AccessLog, Activity, Assessment, Person, SupportGroup
from tests.factories import MembershipFactory, PartnerFactory, ServiceFactory
from tests.people_fixtures import make_case, make_consent, make_person

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


def former_member(world: Any) -> Any:
    partner = PartnerFactory(name="Stowarzyszenie, które odeszło")
    MembershipFactory(
        network=world.network, partner=partner, since=datetime.date(2024, 1, 1), until=TODAY - datetime.timedelta(1)
    )
    return partner


def future_member(world: Any) -> Any:
    partner = PartnerFactory(name="Fundacja od przyszłego miesiąca")
    MembershipFactory(network=world.network, partner=partner, since=TODAY + datetime.timedelta(30))
    return partner


def ids(queryset: Any) -> set[Any]:
    return set(queryset.values_list("pk", flat=True))


# --- creating a group -----------------------------------------------------------------------------

# Each bad input: what to change in a good one (who posts, partner, service).
Change = Callable[[Any], dict[str, Any]]
BAD_GROUPS: dict[str, Change] = {
    "partner whose network membership has ended": lambda w: {"partner": former_member(w)},
    "partner whose network membership has not started": lambda w: {"partner": future_member(w)},
    "partner of another network": lambda w: {"partner": w.unrelated},
    "partner the staff member does not work for": lambda w: {"actor": w.receiving_staff, "partner": w.sending},
    "service of another partner than the one running the group": lambda w: {
        "service": ServiceFactory(partner=w.sending)
    },
    "service of a partner outside the network": lambda w: {"service": w.other_service},
    "inactive service": lambda w: {"service": ServiceFactory(partner=w.receiving, is_active=False)},
}


def group_inputs(world: Any, change: dict[str, Any]) -> dict[str, Any]:
    good = {"actor": world.coordinator, "partner": world.receiving, "service": world.service, "name": "Razem Łatwiej!"}
    return good | change


def post_group_page(world: Any, inputs: dict[str, Any]) -> int:
    form = {
        "partner": str(inputs["partner"].pk),
        "service": str(inputs["service"].pk) if inputs["service"] else "",
        "name": inputs["name"],
        "weekday": "2",
        "start_time": "13:30",
        "duration_minutes": "120",
    }
    return page(inputs["actor"]).post(reverse("group-create", args=[world.network.pk]), form).status_code


def post_group_api(world: Any, inputs: dict[str, Any]) -> int:
    body = {
        "partner": str(inputs["partner"].pk),
        "service": str(inputs["service"].pk) if inputs["service"] else None,
        "name": inputs["name"],
        "weekday": 2,
        "start_time": "13:30",
        "duration_minutes": 120,
    }
    url = f"/api/v1/networks/{world.network.pk}/groups/"
    return api(inputs["actor"]).post(url, body, format="json").status_code


@pytest.mark.parametrize("case", list(BAD_GROUPS))
def test_it_refuses_the_same_bad_group_on_the_page_and_in_the_api(world: Any, case: str) -> None:
    inputs = group_inputs(world, BAD_GROUPS[case](world))

    assert post_group_page(world, inputs) == 400
    assert post_group_api(world, inputs) == 400
    assert not SupportGroup.objects.exists()


def test_it_creates_the_same_good_group_on_both(world: Any) -> None:
    inputs = group_inputs(world, {})

    assert post_group_page(world, inputs) == 302
    assert post_group_api(world, inputs) == 201
    assert SupportGroup.objects.filter(partner=world.receiving, service=world.service).count() == 2


@pytest.mark.parametrize("case", [c for c in BAD_GROUPS if "service" in c])
def test_the_service_itself_refuses_a_service_outside_the_choices(world: Any, case: str) -> None:
    inputs = group_inputs(world, BAD_GROUPS[case](world))
    with pytest.raises(ValidationError) as refused:
        group_services.group_create(
            actor=world.coordinator,
            network=world.network,
            partner=inputs["partner"],
            data={"name": "Grupa", "service": inputs["service"]},
        )
    assert "service" in refused.value.message_dict
    assert not SupportGroup.objects.exists()


def test_the_service_itself_refuses_a_partner_whose_membership_has_ended(world: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        group_services.group_create(
            actor=world.coordinator, network=world.network, partner=former_member(world), data={"name": "Grupa"}
        )
    assert "partner" in refused.value.message_dict


def test_the_group_form_offers_exactly_the_choices_the_service_accepts(world: Any) -> None:
    gone, closed = former_member(world), ServiceFactory(partner=world.receiving, is_active=False)
    partners = partners_that_may_run_groups(world.coordinator, world.network)
    form = GroupForm(partners=partners)

    members = {world.receiving.pk, world.sending.pk, world.employer.pk}
    assert ids(form.fields["partner"].queryset) == ids(partners) == members
    assert ids(form.fields["service"].queryset) == ids(group_service_choices(partners)) == {world.service.pk}
    html = page(world.coordinator).get(reverse("group-create", args=[world.network.pk])).content.decode()
    assert str(world.service.pk) in html
    assert str(closed.pk) not in html and str(gone.pk) not in html and str(world.other_service.pk) not in html


# --- changing a group -----------------------------------------------------------------------------


@pytest.fixture
def group(world: Any) -> SupportGroup:
    return group_services.group_create(
        actor=world.coordinator,
        network=world.network,
        partner=world.receiving,
        data={"name": "Razem Łatwiej!", "weekday": 2, "duration_minutes": 120},
    )


BAD_EDITS: dict[str, Change] = {
    "service of another partner than the one running the group": lambda w: {
        "service": ServiceFactory(partner=w.sending)
    },
    "service of a partner outside the network": lambda w: {"service": w.other_service},
    "inactive service": lambda w: {"service": ServiceFactory(partner=w.receiving, is_active=False)},
}


def post_edit_page(world: Any, group: SupportGroup, service: Any) -> int:
    form = {
        "name": group.name,
        "service": str(service.pk) if service else "",
        "weekday": "2",
        "duration_minutes": "120",
        "is_active": "on",
    }
    return page(world.receiving_staff).post(reverse("group-edit", args=[group.pk]), form).status_code


def patch_group_api(world: Any, group: SupportGroup, service: Any) -> int:
    body = {"service": str(service.pk) if service else None}
    return api(world.receiving_staff).patch(f"/api/v1/groups/{group.pk}/", body, format="json").status_code


@pytest.mark.parametrize("case", list(BAD_EDITS))
def test_it_refuses_the_same_bad_change_of_a_group_on_the_page_and_in_the_api(
    world: Any, group: SupportGroup, case: str
) -> None:
    service = BAD_EDITS[case](world)["service"]

    assert post_edit_page(world, group, service) == 400
    assert patch_group_api(world, group, service) == 400
    group.refresh_from_db()
    assert group.service_id is None
    with pytest.raises(ValidationError) as refused:
        group_services.group_update(actor=world.receiving_staff, group=group, data={"service": service})
    assert "service" in refused.value.message_dict


def test_it_accepts_a_good_change_on_both_and_lets_a_group_keep_a_service_that_was_closed(
    world: Any, group: SupportGroup
) -> None:
    assert post_edit_page(world, group, world.service) == 302
    group.refresh_from_db()
    assert group.service == world.service
    # The service closes; the group may keep it through either door, but cannot be given another closed one.
    world.service.is_active = False
    world.service.save()
    assert ids(group_service_choices([world.receiving.pk], keep=world.service.pk)) == {world.service.pk}
    assert post_edit_page(world, group, world.service) == 302
    assert patch_group_api(world, group, world.service) == 200
    other_closed = ServiceFactory(partner=world.receiving, is_active=False)
    assert post_edit_page(world, group, other_closed) == 400
    assert patch_group_api(world, group, other_closed) == 400
    group.refresh_from_db()
    assert group.service == world.service


# --- recording an activity ------------------------------------------------------------------------


@pytest.fixture
def anna(world: Any) -> Person:
    """Supported by MOPR's staff member as her case manager."""
    person = make_person(world)
    make_case(world, person, manager=world.receiving_staff, partner=world.receiving)
    return person


BAD_ACTIVITIES: dict[str, Change] = {
    "partner the staff member does not work for": lambda w: {"partner": w.sending},
    "partner whose network membership has ended": lambda w: {"partner": former_member(w)},
    "service of another partner": lambda w: {"service": ServiceFactory(partner=w.sending)},
    "service of a partner outside the network": lambda w: {"service": w.other_service},
    "inactive service": lambda w: {"service": ServiceFactory(partner=w.receiving, is_active=False)},
}


def activity_inputs(world: Any, change: dict[str, Any]) -> dict[str, Any]:
    return {"partner": world.receiving, "service": world.service, "minutes": 45} | change


def post_activity_page(world: Any, person: Person, inputs: dict[str, Any]) -> int:
    form = {
        "activity-occurred_on": TODAY.isoformat(),
        "activity-minutes": str(inputs["minutes"]),
        "activity-kind": "individual",
        "activity-partner": str(inputs["partner"].pk),
        "activity-service": str(inputs["service"].pk) if inputs["service"] else "",
    }
    return page(world.receiving_staff).post(reverse("person-activities", args=[person.pk]), form).status_code


def post_activity_api(world: Any, person: Person, inputs: dict[str, Any]) -> int:
    body = {
        "occurred_on": TODAY.isoformat(),
        "minutes": inputs["minutes"],
        "kind": "individual",
        "partner": str(inputs["partner"].pk),
        "service": str(inputs["service"].pk) if inputs["service"] else None,
    }
    url = f"/api/v1/persons/{person.pk}/activities/"
    return api(world.receiving_staff).post(url, body, format="json").status_code


@pytest.mark.parametrize("case", list(BAD_ACTIVITIES))
def test_it_refuses_the_same_bad_activity_on_the_page_and_in_the_api(world: Any, anna: Person, case: str) -> None:
    inputs = activity_inputs(world, BAD_ACTIVITIES[case](world))
    changes = AccessLog.objects.filter(action="change").count()

    assert post_activity_page(world, anna, inputs) == 400
    assert post_activity_api(world, anna, inputs) == 400
    assert not Activity.objects.exists()
    assert AccessLog.objects.filter(action="change").count() == changes


def test_it_records_the_same_good_activity_on_both(world: Any, anna: Person) -> None:
    inputs = activity_inputs(world, {})

    assert post_activity_page(world, anna, inputs) == 302
    assert post_activity_api(world, anna, inputs) == 201
    assert Activity.objects.filter(person=anna, partner=world.receiving, service=world.service).count() == 2


def test_the_activity_service_itself_refuses_an_inactive_service(world: Any, anna: Person) -> None:
    closed = ServiceFactory(partner=world.receiving, is_active=False)
    with pytest.raises(ValidationError) as refused:
        group_services.activity_record(actor=world.receiving_staff, person=anna, minutes=30, service=closed)
    assert "service" in refused.value.message_dict
    assert not Activity.objects.exists()


def test_the_activity_form_offers_exactly_the_choices_the_service_accepts(world: Any, anna: Person) -> None:
    closed = ServiceFactory(partner=world.receiving, is_active=False)
    form = ActivityForm(actor=world.receiving_staff, person=anna)

    partners = activity_partner_choices(world.receiving_staff, anna)
    services = activity_service_choices(world.receiving_staff, anna)
    assert ids(form.fields["partner"].queryset) == ids(partners) == {world.receiving.pk}
    assert ids(form.fields["service"].queryset) == ids(services) == {world.service.pk}
    assert closed.pk not in ids(services)


# --- the partner of an assessment (the API names it; the page does not offer one) ----------------


def test_the_assessment_api_takes_only_a_partner_the_service_accepts(world: Any) -> None:
    person = make_person(world)
    make_consent(world, person, ["identity", "health"], partners=[world.receiving])
    instrument = default_instrument()
    assert instrument is not None
    scores = {code: 3 for code in instrument.domains.values_list("code", flat=True)}
    url = f"/api/v1/persons/{person.pk}/assessments/"
    body = {"assessed_on": TODAY.isoformat(), "scores": scores}

    for partner in (former_member(world), world.unrelated):
        response = api(world.coordinator).post(url, body | {"partner": str(partner.pk)}, format="json")
        assert response.status_code == 400 and "partner" in response.json()
    assert not Assessment.objects.exists()
    response = api(world.coordinator).post(url, body | {"partner": str(world.sending.pk)}, format="json")
    assert response.status_code == 201 and response.json()["partner"]["id"] == str(world.sending.pk)
