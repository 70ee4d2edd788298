"""Recorded activities: contacts and sessions with a person (date, minutes, partner, service, individual or
group), recorded by the person's network coordinator, their case manager, or staff of the partner whose
service it is — always in the name of the actor's own institution — and the person-page section."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from frontend.group_views import activity_section_context
from people import access as people_access
from people import groups as services
from people.access import PersonAccess, get_person_for
from people.models import AccessLog, Activity, Person, SupportGroup
from tests.factories import ServiceFactory
from tests.people.test_groups import api_for, login, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.people.test_groups")]

D = datetime.date


@pytest.fixture
def anna(world: Any) -> Person:
    """Supported by MOPR's staff member as her case manager."""
    return make_person(world.network, "Anna", "Kowalska", world.receiving_staff, world.receiving)


def url_for(person: Person) -> str:
    return f"/api/v1/persons/{person.pk}/activities/"


# --- recording -----------------------------------------------------------------------------------


def test_it_lets_the_case_manager_record_a_session_on_the_person_page(client: Any, world: Any, anna: Person) -> None:
    login(client, world.receiving_staff)
    page = reverse("person-activities", args=[anna.pk])
    html = client.get(page).content.decode()
    assert 'name="activity-minutes"' in html and "Record the activity" in html
    response = client.post(
        page,
        {
            "activity-occurred_on": "2026-01-07",
            "activity-minutes": "45",
            "activity-kind": "individual",
            "activity-partner": world.receiving.pk,
            "activity-service": world.service.pk,
            "activity-topic": "Wniosek o zasiłek",
            "next": "/people/somewhere/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/people/somewhere/"
    activity = Activity.objects.get()
    assert (activity.person, activity.partner, activity.service, activity.minutes) == (
        anna,
        world.receiving,
        world.service,
        45,
    )
    assert (activity.occurred_on, activity.recorded_by, activity.kind) == (
        D(2026, 1, 7),
        world.receiving_staff,
        "individual",
    )
    row = AccessLog.objects.get(action="change", person=anna)
    assert (row.user, row.detail) == (world.receiving_staff, f"activity:{activity.pk}")


def test_it_records_in_the_name_of_the_actors_partner_through_the_api(world: Any, anna: Person) -> None:
    response = api_for(world.receiving_staff).post(
        url_for(anna), {"minutes": 60, "service": str(world.service.pk), "kind": "group"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["partner"] == {"id": str(world.receiving.pk), "name": "MOPR Piekary"}
    assert body["service"]["id"] == str(world.service.pk) and body["kind"] == "group"
    assert body["occurred_on"] == timezone.localdate().isoformat()
    assert AccessLog.objects.filter(person=anna, action="change", channel="api").count() == 1


def test_it_lets_a_coordinator_record_in_the_name_of_the_coordinating_partner(world: Any, anna: Person) -> None:
    api = api_for(world.coordinator)
    response = api.post(url_for(anna), {"minutes": 30}, format="json")
    assert response.status_code == 400 and "partner" in response.json()  # no institution to record for
    world.network.coordinating_partner = world.sending
    world.network.save()
    response = api.post(url_for(anna), {"minutes": 30}, format="json")
    assert response.status_code == 201
    assert response.json()["partner"]["id"] == str(world.sending.pk)


def test_it_lets_staff_of_the_providing_partner_record_only_with_their_service(
    world: Any, anna: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff who see a person without managing their path (as the referrals issue will allow) record the
    sessions of their own partner's services only."""
    monkeypatch.setattr(
        services,
        "access_to_person",
        lambda user, person: PersonAccess(person=person, categories=frozenset({"identity"})),
    )
    sds_service = ServiceFactory(partner=world.sending)
    with pytest.raises(PermissionDenied):
        services.activity_record(actor=world.sending_staff, person=anna, minutes=30)
    with pytest.raises(PermissionDenied):
        services.activity_record(actor=world.sending_staff, person=anna, minutes=30, service=world.service)
    activity = services.activity_record(actor=world.sending_staff, person=anna, minutes=30, service=sds_service)
    assert activity.partner == world.sending


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("minutes", 0),
        ("minutes", -15),
        ("minutes", 1441),
        ("minutes", "long"),
        ("occurred_on", "tomorrow"),
        ("service", "other partner's"),
        ("service", "another network's"),
        ("partner", "not mine"),
        ("kind", "phone"),
    ],
)
def test_it_refuses_bad_input_and_saves_nothing(world: Any, anna: Person, field: str, value: Any) -> None:
    body: dict[str, Any] = {"minutes": 45, "service": str(world.service.pk)}
    body[field] = {
        "tomorrow": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        "other partner's": str(ServiceFactory(partner=world.sending).pk),
        "another network's": str(world.other_service.pk),
        "not mine": str(world.sending.pk),
    }.get(value, value)
    before = AccessLog.objects.count()
    response = api_for(world.receiving_staff).post(url_for(anna), body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Activity.objects.exists() and AccessLog.objects.count() == before


def test_the_person_page_leads_to_the_activity_form_instead_of_hiding_it(client: Any, world: Any, anna: Person) -> None:
    # Issue 16: the form is the content of its own page; the person page has a button to it (works without JS).
    login(client, world.receiving_staff)
    html = client.get(reverse("person-detail", args=[anna.pk])).content.decode()
    section = html[html.index('id="activities"') :].split("</section>", 1)[0]
    assert "<details" not in section and 'name="activity-minutes"' not in section
    assert f'href="{reverse("person-activities", args=[anna.pk])}#record-activity"' in section
    own_page = client.get(reverse("person-activities", args=[anna.pk])).content.decode()
    assert 'id="record-activity"' in own_page and "<details" not in own_page.split('id="activities"', 1)[1]


def test_it_refuses_bad_input_on_the_page_with_a_400(client: Any, world: Any, anna: Person) -> None:
    login(client, world.receiving_staff)
    response = client.post(
        reverse("person-activities", args=[anna.pk]),
        {
            "activity-occurred_on": "2026-01-07",
            "activity-minutes": "0",
            "activity-kind": "individual",
            "activity-partner": world.receiving.pk,
        },
    )
    assert response.status_code == 400 and not Activity.objects.exists()


# --- who may see and record ----------------------------------------------------------------------


def test_it_answers_404_to_everyone_who_cannot_see_the_person(client: Any, world: Any, anna: Person) -> None:
    body = {"minutes": 30, "service": str(world.service.pk)}
    page = reverse("person-activities", args=[anna.pk])
    for persona in ["sending_staff", "employer", "unrelated_staff", "other_coordinator", "monitor", "receiving_admin"]:
        user = getattr(world, persona if persona != "employer" else "employer_staff")
        api = api_for(user)
        assert api.get(url_for(anna)).status_code == 404, persona
        assert api.post(url_for(anna), body, format="json").status_code == 404, persona
        assert login(client, user).get(page).status_code == 404, persona
        assert login(client, user).post(page, {"activity-minutes": "30"}).status_code == 404, persona
    assert api_for(None).get(url_for(anna)).status_code == 401
    assert api_for(None).post(url_for(anna), body, format="json").status_code == 401
    assert login(client, None).get(page).status_code == 302
    assert not Activity.objects.exists()


# --- reading -------------------------------------------------------------------------------------


def test_it_shows_a_reader_through_a_referral_only_their_own_partners_records(
    world: Any, anna: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which institutions a person goes to tells about their health: ŚDS staff who read Anna through a
    referral see ŚDS's sessions and groups, not MOPR's."""
    sds_service = ServiceFactory(partner=world.sending)
    services.activity_record(actor=world.receiving_staff, person=anna, minutes=60, service=world.service)
    mopr_group = SupportGroup.objects.create(network=world.network, partner=world.receiving, name="Razem Łatwiej!")
    services.group_join(actor=world.receiving_staff, group=mopr_group, person=anna, joined_on=D(2026, 1, 1))

    def through_a_referral(user: Any, person: Person) -> PersonAccess | None:
        if user == world.sending_staff:
            return PersonAccess(person=person, categories=frozenset({"identity"}))
        return None if user != world.receiving_staff else PersonAccess(person, frozenset({"identity"}), False, True)

    monkeypatch.setattr(people_access, "access_to_person", through_a_referral)
    monkeypatch.setattr(services, "access_to_person", through_a_referral)
    services.activity_record(actor=world.sending_staff, person=anna, minutes=30, service=sds_service)
    response = api_for(world.sending_staff).get(url_for(anna))
    assert [a["partner"]["name"] for a in response.json()["results"]] == ["ŚDS Piekary"]
    section = activity_section_context(get_person_for(world.sending_staff, anna.pk), user=world.sending_staff)
    assert [a.minutes for a in section["activities"]] == [30] and section["group_rows"] == []
    # Included without the reader, such a section shows nothing rather than too much.
    bare = activity_section_context(get_person_for(world.sending_staff, anna.pk))
    assert bare["activities"] == [] and bare["group_rows"] == []
    # The case manager sees the whole path.
    response = api_for(world.receiving_staff).get(url_for(anna))
    assert sorted(a["minutes"] for a in response.json()["results"]) == [30, 60]


def test_it_lists_activities_newest_first_and_logs_the_read(world: Any, anna: Person) -> None:
    for day, minutes in [(D(2025, 12, 31), 60), (D(2026, 1, 7), 30)]:
        services.activity_record(actor=world.receiving_staff, person=anna, minutes=minutes, occurred_on=day)
    response = api_for(world.coordinator).get(url_for(anna))
    assert [(a["occurred_on"], a["minutes"]) for a in response.json()["results"]] == [
        ("2026-01-07", 30),
        ("2025-12-31", 60),
    ]
    row = AccessLog.objects.get(action="view", user=world.coordinator)
    assert (row.person, row.channel, row.view) == (anna, "api", "api:person-activities")


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_activities_with_a_fixed_number_of_queries(
    world: Any, anna: Person, rows: int, django_assert_num_queries: Any
) -> None:
    for i in range(rows):
        services.activity_record(
            actor=world.receiving_staff, person=anna, minutes=30 + i, occurred_on=D(2026, 1, 1), service=world.service
        )
    api = api_for(world.receiving_staff)
    # 1 token with user, 2 person, 3-5 scope (staff, coordinatorships, member networks), 6-9 access to the
    # person (referral grants, open case, partner types, consents), 10 count, 11 the page with partners,
    # services and recorders, 12 the access-log row.
    with django_assert_num_queries(12):
        response = api.get(url_for(anna))
    assert response.json()["count"] == rows


def test_it_builds_the_person_page_section_with_activities_and_group_attendance(world: Any, anna: Person) -> None:
    group = SupportGroup.objects.create(
        network=world.network, partner=world.receiving, name="Razem Łatwiej!", weekday=2, duration_minutes=120
    )
    services.group_join(actor=world.receiving_staff, group=group, person=anna, joined_on=D(2025, 12, 1))
    for day, minutes in [(D(2025, 12, 31), 120), (D(2026, 1, 7), 90)]:
        services.meeting_record(
            actor=world.receiving_staff, group=group, held_on=day, duration_minutes=minutes, attendee_ids=[anna.pk]
        )
    services.activity_record(actor=world.receiving_staff, person=anna, minutes=45, occurred_on=D(2026, 1, 8))
    access = get_person_for(world.receiving_staff, anna.pk)
    section = activity_section_context(access, user=world.receiving_staff)
    assert [a.minutes for a in section["activities"]] == [45]
    [row] = section["group_rows"]
    assert (row.membership.group, row.meetings, row.minutes, str(row.hours)) == (group, 2, 210, "3.50")
    assert section["form"] is not None and section["can_record"] is True
    # Included without the reader, the section links to the activities page instead of carrying the form.
    bare = activity_section_context(access)
    assert bare["form"] is None and bare["url"] == reverse("person-activities", args=[anna.pk])


def test_it_shows_the_section_on_its_own_page_and_answers_htmx_with_the_section(
    client: Any, world: Any, anna: Person
) -> None:
    login(client, world.receiving_staff)
    page = reverse("person-activities", args=[anna.pk])
    html = client.get(page).content.decode()
    assert "Activities and support groups" in html and "No activity recorded yet." in html
    assert AccessLog.objects.filter(action="view", view="person-activities", person=anna).count() == 1
    response = client.post(
        page,
        {
            "activity-occurred_on": "2026-01-07",
            "activity-minutes": "50",
            "activity-kind": "individual",
            "activity-partner": world.receiving.pk,
        },
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="activities"' in html
    assert "The activity was recorded." in html and re.search(r"<td[^>]*>50</td>", html)


@pytest.mark.parametrize("rows", [2, 20])
def test_it_shows_the_activities_page_with_a_fixed_number_of_queries(
    client: Any, world: Any, anna: Person, rows: int, django_assert_num_queries: Any
) -> None:
    for i in range(rows):
        services.activity_record(actor=world.receiving_staff, person=anna, minutes=30 + i, service=world.service)
    login(client, world.receiving_staff)
    # 1 session, 2 user, 3 person, 4-6 scope, 7-10 access to the person (referral grants, open case, partner
    # types, consents), 11 the access-log row, 12 activities with partners, services and recorders,
    # 13 group memberships with groups and their attendance totals (subqueries), 14-15 partners and services for
    # the form, 16 the header's unread count.
    with django_assert_num_queries(16):
        response = client.get(reverse("person-activities", args=[anna.pk]))
    assert response.status_code == 200
