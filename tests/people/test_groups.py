"""Support groups (seed 004, "Razem Łatwiej!"): an open weekly group people join and leave at any time,
meetings with attendance, and the yearly table "form of support / number of persons / hours".

Who manages a group and sees its people: the network's coordinators and the running partner's staff.
Others who see the network see the group, its schedule and anonymous totals only.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import include, path, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from config.urls import urlpatterns as root_urlpatterns
from core.errors import Conflict
from partners.models import User
from people import groups as services
from people.models import AccessLog, Attendance, Case, GroupMembership, Meeting, Person, SupportGroup
from tests.factories import ServiceFactory, api_token

# Until the lead includes them, these tests mount the group pages and API on top of the project's URLs.
urlpatterns = [
    path("api/v1/", include("api.group_urls")),
    path("", include("frontend.group_urls")),
    *root_urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.people.test_groups")]

D = datetime.date


# --- helpers (test_activities.py uses them too) --------------------------------------------------


def make_person(network: Any, first_name: str, last_name: str, manager: Any = None, partner: Any = None) -> Person:
    person = Person(network=network, first_name=first_name, last_name=last_name, birth_year=1980)
    person.save()
    if manager is not None:
        Case.objects.create(
            person=person, network=network, case_manager=manager, managing_partner=partner, stage="intake"
        )
    return person


def api_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def login(client: Any, user: Any) -> Any:
    """A browser session in English, so assertions read the msgids whatever the Polish catalogue holds."""
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def logs(**filters: Any) -> list[AccessLog]:
    return list(AccessLog.objects.filter(**filters).order_by("id"))


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def people(world: Any) -> dict[str, Person]:
    """Three people of network A supported by MOPR's staff member, and one nobody at MOPR supports."""
    staff, mopr = world.receiving_staff, world.receiving
    return {
        "anna": make_person(world.network, "Anna", "Kowalska", staff, mopr),
        "bartek": make_person(world.network, "Bartosz", "Zieliński", staff, mopr),
        "celina": make_person(world.network, "Celina", "Wiśniewska", staff, mopr),
        "dorota": make_person(world.network, "Dorota", "Lis"),
    }


@pytest.fixture
def group(world: Any) -> SupportGroup:
    """ "Razem Łatwiej!", run by MOPR: w każdą środę o 13:30, two hours."""
    return SupportGroup.objects.create(
        network=world.network,
        partner=world.receiving,
        name="Razem Łatwiej!",
        weekday=2,
        start_time=datetime.time(13, 30),
        duration_minutes=120,
        place="ul. Wyszyńskiego 31",
        leader="Zespół Pracy Socjalnej",
    )


@pytest.fixture
def boundary(world: Any, group: SupportGroup, people: dict[str, Person]) -> SupportGroup:
    """Meetings across New Year. Anna is at all of them; Bartosz leaves on 31.12 (after that meeting);
    Celina joins on 7.01.

    | meeting    | minutes | present        |
    | 2025-12-31 | 120     | Anna, Bartosz  |
    | 2026-01-07 | 120     | Anna, Celina   |
    | 2026-01-14 | 90      | Anna           |
    | 2026-01-21 | 60      | Anna, Celina   |
    """
    actor = world.receiving_staff
    anna, bartek, celina = people["anna"], people["bartek"], people["celina"]
    services.group_join(actor=actor, group=group, person=anna, joined_on=D(2025, 12, 1))
    services.group_join(actor=actor, group=group, person=bartek, joined_on=D(2025, 12, 1))
    services.group_join(actor=actor, group=group, person=celina, joined_on=D(2026, 1, 7))
    services.group_leave(actor=actor, group=group, person=bartek, left_on=D(2025, 12, 31))
    for day, minutes, present in [
        (D(2025, 12, 31), 120, [anna, bartek]),
        (D(2026, 1, 7), 120, [anna, celina]),
        (D(2026, 1, 14), 90, [anna]),
        (D(2026, 1, 21), 60, [anna, celina]),
    ]:
        services.meeting_record(
            actor=actor, group=group, held_on=day, duration_minutes=minutes, attendee_ids=[p.pk for p in present]
        )
    return group


# --- creating and changing a group ---------------------------------------------------------------


def test_it_lets_a_coordinator_create_a_group_for_a_partner_of_the_network(client: Any, world: Any) -> None:
    login(client, world.coordinator)
    response = client.post(
        reverse("group-create", args=[world.network.pk]),
        {
            "partner": world.sending.pk,
            "name": "Klub Wsparcia",
            "weekday": "2",
            "start_time": "13:30",
            "duration_minutes": "120",
            "place": "Świetlica ŚDS",
        },
    )
    group = SupportGroup.objects.get(name="Klub Wsparcia")
    assert response.status_code == 302 and response["Location"] == reverse("group-detail", args=[group.pk])
    assert (group.network, group.partner, group.weekday) == (world.network, world.sending, 2)
    html = client.get(reverse("group-detail", args=[group.pk])).content.decode()
    assert "every Wednesday at 13:30" in html
    html = client.get(reverse("group-list", args=[world.network.pk])).content.decode()
    assert "Klub Wsparcia" in html and "every Wednesday at 13:30" in html


def test_it_lets_partner_staff_create_a_group_only_in_their_own_partners_name(world: Any) -> None:
    api = api_for(world.receiving_staff)
    url = f"/api/v1/networks/{world.network.pk}/groups/"
    body = {"name": "Razem Łatwiej!", "weekday": 2, "start_time": "13:30", "duration_minutes": 120}
    response = api.post(url, {**body, "partner": str(world.sending.pk)}, format="json")
    assert response.status_code == 400 and "partner" in response.json()
    response = api.post(url, {**body, "partner": str(world.receiving.pk)}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["partner"]["id"] == str(world.receiving.pk) and data["schedule"] == "w każdą środę o 13:30"
    assert data["members_now"] == 0


def test_it_refuses_a_service_of_another_partner_for_a_group(world: Any) -> None:
    api = api_for(world.coordinator)
    foreign = ServiceFactory(partner=world.sending)
    response = api.post(
        f"/api/v1/networks/{world.network.pk}/groups/",
        {"name": "Grupa", "partner": str(world.receiving.pk), "service": str(foreign.pk)},
        format="json",
    )
    assert response.status_code == 400 and "service" in response.json()
    assert not SupportGroup.objects.exists()


def test_it_answers_404_to_those_outside_the_network_and_403_to_a_member_without_a_role(world: Any) -> None:
    url = f"/api/v1/networks/{world.network.pk}/groups/"
    body = {"name": "Grupa", "partner": str(world.receiving.pk)}
    assert api_for(world.unrelated_staff).post(url, body, format="json").status_code == 404
    assert api_for(world.other_coordinator).get(url).status_code == 404
    assert api_for(world.monitor).post(url, body, format="json").status_code == 403
    assert api_for(None).get(url).status_code == 401
    assert not SupportGroup.objects.exists()


def test_it_lets_the_managers_edit_a_group(client: Any, world: Any, group: SupportGroup) -> None:
    login(client, world.receiving_staff)
    response = client.post(
        reverse("group-edit", args=[group.pk]),
        {"name": "Razem Łatwiej!", "weekday": "2", "start_time": "11:00", "duration_minutes": "120", "is_active": "on"},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.start_time == datetime.time(11, 0)
    login(client, world.sending_staff)
    assert client.get(reverse("group-edit", args=[group.pk])).status_code == 403
    response = api_for(world.sending_staff).patch(f"/api/v1/groups/{group.pk}/", {"place": "x"}, format="json")
    assert response.status_code == 403


# --- joining and leaving -------------------------------------------------------------------------


def test_it_keeps_the_history_when_a_person_joins_leaves_and_rejoins(
    world: Any, group: SupportGroup, people: dict[str, Person]
) -> None:
    actor, anna = world.receiving_staff, people["anna"]
    services.group_join(actor=actor, group=group, person=anna, joined_on=D(2025, 1, 8))
    with pytest.raises(Conflict):
        services.group_join(actor=actor, group=group, person=anna, joined_on=D(2025, 2, 5))
    services.group_leave(actor=actor, group=group, person=anna, left_on=D(2025, 6, 25))
    with pytest.raises(Conflict):
        services.group_leave(actor=actor, group=group, person=anna, left_on=D(2025, 6, 26))
    with pytest.raises(ValidationError) as refused:
        services.group_join(actor=actor, group=group, person=anna, joined_on=D(2025, 6, 1))
    assert "joined_on" in refused.value.message_dict
    services.group_join(actor=actor, group=group, person=anna, joined_on=D(2025, 9, 3))
    history = list(GroupMembership.objects.filter(group=group, person=anna).order_by("joined_on"))
    assert [(m.joined_on, m.left_on) for m in history] == [(D(2025, 1, 8), D(2025, 6, 25)), (D(2025, 9, 3), None)]
    assert [log.detail for log in logs(person=anna, action="change")] == [
        f"group-join:{group.pk}",
        f"group-leave:{group.pk}",
        f"group-join:{group.pk}",
    ]


def test_it_refuses_joining_in_the_future_or_leaving_before_joining(
    world: Any, group: SupportGroup, people: dict[str, Person]
) -> None:
    actor, anna = world.receiving_staff, people["anna"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.group_join(actor=actor, group=group, person=anna, joined_on=tomorrow)
    assert "joined_on" in refused.value.message_dict
    services.group_join(actor=actor, group=group, person=anna, joined_on=D(2025, 3, 5))
    with pytest.raises(ValidationError) as refused:
        services.group_leave(actor=actor, group=group, person=anna, left_on=D(2025, 3, 4))
    assert "left_on" in refused.value.message_dict
    assert GroupMembership.objects.get(person=anna).left_on is None


def test_it_refuses_to_add_someone_the_manager_does_not_support(
    world: Any, group: SupportGroup, people: dict[str, Person]
) -> None:
    api = api_for(world.receiving_staff)
    for person_id in [people["dorota"].pk, "4c1b7c55-2a4e-4a4e-9d9e-0d7f5c0b2b11"]:
        response = api.post(f"/api/v1/groups/{group.pk}/members/", {"person": str(person_id)}, format="json")
        assert response.status_code == 400 and "person" in response.json()
    # The coordinator sees every person of the network.
    response = api_for(world.coordinator).post(
        f"/api/v1/groups/{group.pk}/members/", {"person": str(people["dorota"].pk)}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["person"]["last_name"] == "Lis"


def test_it_adds_a_person_found_by_name_and_records_leaving_on_the_page(
    client: Any, world: Any, group: SupportGroup, people: dict[str, Person]
) -> None:
    login(client, world.receiving_staff)
    url = reverse("group-join", args=[group.pk])
    html = client.get(url, {"q": "kowal"}).content.decode()
    assert "Anna Kowalska" in html and "Lis" not in html and "<legend>Person" in html
    response = client.post(url, {"person": people["anna"].pk, "joined_on": "2025-12-03"})
    assert response.status_code == 302
    membership = GroupMembership.objects.get(group=group, person=people["anna"])
    assert membership.joined_on == D(2025, 12, 3)
    # Already a member: she is not offered again.
    assert f'value="{people["anna"].pk}"' not in client.get(url, {"q": "kowal"}).content.decode()
    response = client.post(reverse("group-leave", args=[group.pk, membership.pk]), {"left_on": "2026-02-04"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == D(2026, 2, 4)


# --- meetings and attendance ---------------------------------------------------------------------


def test_it_records_a_meeting_with_attendance_checkboxes(
    client: Any, world: Any, group: SupportGroup, people: dict[str, Person]
) -> None:
    actor = world.receiving_staff
    for key in ["anna", "bartek"]:
        services.group_join(actor=actor, group=group, person=people[key], joined_on=D(2025, 12, 1))
    login(client, actor)
    url = reverse("group-meeting-create", args=[group.pk])
    html = client.get(url).content.decode()
    assert "<fieldset" in html and "<legend>Present" in html
    assert 'type="checkbox"' in html and "Anna Kowalska" in html and "Bartosz Zieliński" in html
    response = client.post(
        url,
        {
            "held_on": "2025-12-10",
            "duration_minutes": "120",
            "topic": "Dzielenie się doświadczeniami",
            "attendees": [str(people["anna"].pk)],
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(group=group)
    assert (meeting.held_on, meeting.place, meeting.leader) == (D(2025, 12, 10), group.place, group.leader)
    assert list(meeting.attendees.all()) == [people["anna"]]
    assert [log.detail for log in logs(action="change", view="meeting-record")] == [f"meeting:{meeting.pk}"]


def test_it_refuses_attendance_of_someone_who_was_not_a_member_that_day(
    world: Any, group: SupportGroup, people: dict[str, Person]
) -> None:
    actor = world.receiving_staff
    services.group_join(actor=actor, group=group, person=people["anna"], joined_on=D(2025, 12, 1))
    services.group_join(actor=actor, group=group, person=people["bartek"], joined_on=D(2025, 12, 1))
    services.group_leave(actor=actor, group=group, person=people["bartek"], left_on=D(2025, 12, 9))
    services.group_join(actor=actor, group=group, person=people["celina"], joined_on=D(2025, 12, 11))
    api = api_for(actor)
    before = AccessLog.objects.count()
    for outsider in ["bartek", "celina", "dorota"]:  # left the day before; joined the day after; never joined
        response = api.post(
            f"/api/v1/groups/{group.pk}/meetings/",
            {"held_on": "2025-12-10", "attendees": [str(people["anna"].pk), str(people[outsider].pk)]},
            format="json",
        )
        assert response.status_code == 400 and "attendees" in response.json(), outsider
    assert not Meeting.objects.exists() and not Attendance.objects.exists()
    assert AccessLog.objects.count() == before
    response = api.post(
        f"/api/v1/groups/{group.pk}/meetings/",
        {"held_on": "2025-12-10", "attendees": [str(people["anna"].pk)]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["duration_minutes"] == 120  # the group's usual duration
    assert response.json()["attendees"] == [str(people["anna"].pk)]


def test_it_refuses_a_leaving_date_before_a_meeting_the_person_attended(
    world: Any, group: SupportGroup, people: dict[str, Person]
) -> None:
    actor, anna = world.receiving_staff, people["anna"]
    services.group_join(actor=actor, group=group, person=anna, joined_on=D(2025, 12, 1))
    services.meeting_record(
        actor=actor, group=group, held_on=D(2025, 12, 10), duration_minutes=120, attendee_ids=[anna.pk]
    )
    with pytest.raises(ValidationError) as refused:
        services.group_leave(actor=actor, group=group, person=anna, left_on=D(2025, 12, 5))
    assert "left_on" in refused.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [("duration_minutes", 0), ("duration_minutes", -30), ("duration_minutes", 1441), ("held_on", "future")],
)
def test_it_refuses_a_bad_meeting_and_saves_nothing(world: Any, group: SupportGroup, field: str, value: Any) -> None:
    body: dict[str, Any] = {"held_on": "2025-12-10", "duration_minutes": 120}
    body[field] = (timezone.localdate() + datetime.timedelta(days=1)).isoformat() if value == "future" else value
    response = api_for(world.coordinator).post(f"/api/v1/groups/{group.pk}/meetings/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Meeting.objects.exists()


def test_it_refuses_a_bad_meeting_on_the_page_with_a_400(client: Any, world: Any, group: SupportGroup) -> None:
    login(client, world.coordinator)
    response = client.post(
        reverse("group-meeting-create", args=[group.pk]), {"held_on": "2025-12-10", "duration_minutes": "0"}
    )
    assert response.status_code == 400 and not Meeting.objects.exists()


# --- yearly figures ------------------------------------------------------------------------------


def test_it_counts_people_once_and_adds_up_hours_per_year(
    boundary: SupportGroup, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):  # meetings; attendance
        figures_2025 = services.group_year_figures(boundary, 2025)
    figures_2026 = services.group_year_figures(boundary, 2026)
    # 2025: one meeting of 120 min with Anna and Bartosz.
    assert (figures_2025.people, figures_2025.meetings, figures_2025.minutes, figures_2025.person_minutes) == (
        2,
        1,
        120,
        240,
    )
    assert (figures_2025.hours, figures_2025.person_hours) == (Decimal("2.00"), Decimal("4.00"))
    # 2026: Anna (3 meetings) and Celina (2) are two people; 120 + 90 + 60 = 270 min = 4.5 h;
    # person-minutes 2×120 + 1×90 + 2×60 = 450 = 7.5 h.
    assert (figures_2026.people, figures_2026.meetings, figures_2026.minutes, figures_2026.person_minutes) == (
        2,
        3,
        270,
        450,
    )
    assert (figures_2026.hours, figures_2026.person_hours) == (Decimal("4.50"), Decimal("7.50"))
    empty = services.group_year_figures(boundary, 2024)
    assert (empty.people, empty.meetings, empty.hours) == (0, 0, Decimal("0.00"))


def row_of(html: str) -> str:
    """The yearly table's row of the group (its cells carry their column's name, for phones)."""
    match = re.search(r'<th scope="row"[^>]*>Razem Łatwiej!</th>(.*?)</tr>', html, re.S)
    assert match is not None
    return match.group(1)


def test_it_shows_the_yearly_table_for_the_chosen_year(client: Any, world: Any, boundary: SupportGroup) -> None:
    login(client, world.sending_staff)
    html = client.get(reverse("group-detail", args=[boundary.pk]), {"year": 2026}).content.decode()
    assert "Form of support" in html and "Number of persons" in html and "Hours" in html
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row_of(html)) == ["2", "4.50", "3", "7.50"]
    html = client.get(reverse("group-detail", args=[boundary.pk]), {"year": 2025}).content.decode()
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row_of(html)) == ["2", "2", "1", "4"]


def test_it_gives_the_figures_of_a_year_through_the_api(world: Any, boundary: SupportGroup) -> None:
    api = api_for(world.sending_staff)
    figures = api.get(f"/api/v1/groups/{boundary.pk}/", {"year": 2026}).json()["figures"]
    assert figures == {
        "year": 2026,
        "people": 2,
        "meetings": 3,
        "minutes": 270,
        "hours": 4.5,
        "person_minutes": 450,
        "person_hours": 7.5,
    }
    response = api.get(f"/api/v1/groups/{boundary.pk}/", {"year": "last"})
    assert response.status_code == 400 and "year" in response.json()


# --- who sees the group's people -----------------------------------------------------------------


def test_it_shows_names_only_to_the_coordinator_and_the_running_partners_staff(
    client: Any, world: Any, boundary: SupportGroup
) -> None:
    url = reverse("group-detail", args=[boundary.pk])
    expected = {
        "coordinator": (200, True),
        "receiving_staff": (200, True),
        "receiving_admin": (200, True),
        "sending_staff": (200, False),
        "employer": (200, False),
        "monitor": (200, False),
        "unrelated_staff": (404, False),
        "unrelated_admin": (404, False),
        "other_coordinator": (404, False),
    }
    failures = []
    for persona, user in world.personas().items():
        response = login(client, user).get(url, {"year": 2026})
        if user is None:
            if not (response.status_code == 302 and "/login/" in response["Location"]):
                failures.append(f"anonymous: {response.status_code}")
            continue
        status, names = expected[persona]
        html = response.content.decode()
        if response.status_code != status:
            failures.append(f"{persona}: {response.status_code}, expected {status}")
        elif status == 200:
            shows = "Kowalska" in html or "Wiśniewska" in html
            if shows != names:
                failures.append(f"{persona}: names shown {shows}, expected {names}")
            if "every Wednesday at 13:30" not in html:
                failures.append(f"{persona}: schedule missing")
    assert not failures, "\n".join(failures)


def test_it_leaves_the_people_out_of_the_api_answer_for_others(world: Any, boundary: SupportGroup) -> None:
    url = f"/api/v1/groups/{boundary.pk}/?year=2026"
    body = api_for(world.sending_staff).get(url).json()
    assert "members" not in body and "meetings" not in body and body["figures"]["people"] == 2
    body = api_for(world.receiving_staff).get(url).json()
    assert [m["person"]["last_name"] for m in body["members"]] == ["Kowalska", "Wiśniewska"]
    assert [m["held_on"] for m in body["meetings"]] == ["2026-01-21", "2026-01-14", "2026-01-07"]
    assert api_for(world.unrelated_staff).get(url).status_code == 404
    assert api_for(world.other_coordinator).get(url).status_code == 404
    assert api_for(None).get(url).status_code == 401
    assert api_for(world.receiving_staff).get("/api/v1/groups/not-a-uuid/").status_code == 404


def test_it_lets_only_the_managers_record_meetings(client: Any, world: Any, group: SupportGroup) -> None:
    url = reverse("group-meeting-create", args=[group.pk])
    expected = {
        "coordinator": 200,
        "receiving_staff": 200,
        "receiving_admin": 200,
        "sending_staff": 403,
        "employer": 403,
        "monitor": 403,
        "unrelated_staff": 404,
        "unrelated_admin": 404,
        "other_coordinator": 404,
    }
    got = {persona: login(client, user).get(url).status_code for persona, user in world.personas().items() if user}
    assert got == expected
    assert login(client, None).get(url).status_code == 302
    body = {"held_on": "2025-12-10", "duration_minutes": 120}
    assert (
        api_for(world.sending_staff).post(f"/api/v1/groups/{group.pk}/meetings/", body, format="json").status_code
        == 403
    )
    assert (
        api_for(world.unrelated_staff).post(f"/api/v1/groups/{group.pk}/meetings/", body, format="json").status_code
        == 404
    )
    with pytest.raises(PermissionDenied):
        services.meeting_record(actor=world.sending_staff, group=group, held_on=D(2025, 12, 10), duration_minutes=120)
    assert not Meeting.objects.exists()


def test_it_logs_who_saw_the_groups_people(client: Any, world: Any, boundary: SupportGroup) -> None:
    before = AccessLog.objects.count()
    login(client, world.sending_staff).get(reverse("group-detail", args=[boundary.pk]), {"year": 2026})
    assert AccessLog.objects.count() == before  # no names shown, nothing to log
    login(client, world.coordinator).get(reverse("group-detail", args=[boundary.pk]), {"year": 2026})
    rows = logs(user=world.coordinator, action="view", view="group-detail")
    assert {row.person.last_name for row in rows} == {"Kowalska", "Zieliński", "Wiśniewska"}
    api_for(world.receiving_staff).get(f"/api/v1/groups/{boundary.pk}/")
    rows = logs(user=world.receiving_staff, action="view", channel="api")
    assert {row.person.last_name for row in rows} == {"Kowalska", "Wiśniewska"}  # the members now


# --- query counts --------------------------------------------------------------------------------


def add_meetings(world: Any, group: SupportGroup, people: dict[str, Person], count: int) -> None:
    actor = world.receiving_staff
    for person in [people["anna"], people["celina"]]:
        services.group_join(actor=actor, group=group, person=person, joined_on=D(2026, 1, 1))
    for week in range(count):
        services.meeting_record(
            actor=actor,
            group=group,
            held_on=D(2026, 1, 7) + datetime.timedelta(weeks=week),
            duration_minutes=120,
            attendee_ids=[people["anna"].pk, people["celina"].pk],
        )


@pytest.mark.parametrize("meetings", [2, 20])
def test_it_shows_the_group_page_with_a_fixed_number_of_queries(
    client: Any,
    world: Any,
    group: SupportGroup,
    people: dict[str, Person],
    meetings: int,
    django_assert_num_queries: Any,
) -> None:
    add_meetings(world, group, people, meetings)
    login(client, world.receiving_staff)
    # 1 session, 2 user, 3-5 scope (staff, coordinatorships, member networks), 6 group with network, partner
    # and service, 7 years with meetings, 8-9 figures (meetings, attendance), 10 memberships with people,
    # 11 the year's meetings, 12 their attendance with people, 13 the trace of their corrections, 14 the
    # access-log rows in one insert.
    # ... and the header's unread count, one query on every page with the header.
    with django_assert_num_queries(15):
        response = client.get(reverse("group-detail", args=[group.pk]), {"year": 2026})
    assert response.status_code == 200


@pytest.mark.parametrize("meetings", [2, 20])
def test_it_answers_the_group_api_with_a_fixed_number_of_queries(
    world: Any,
    group: SupportGroup,
    people: dict[str, Person],
    meetings: int,
    django_assert_num_queries: Any,
) -> None:
    add_meetings(world, group, people, meetings)
    api = api_for(world.receiving_staff)
    # 1 token with user, 2-4 scope, 5 group, 6 group with members' count, 7-8 figures, 9 members with people,
    # 10 meetings, 11 their attendance, 12 the access-log rows.
    with django_assert_num_queries(12):
        response = api.get(f"/api/v1/groups/{group.pk}/", {"year": 2026})
    assert response.status_code == 200 and len(response.json()["meetings"]) == meetings


@pytest.mark.parametrize("groups", [2, 20])
def test_it_lists_a_networks_groups_with_a_fixed_number_of_queries(
    client: Any, world: Any, people: dict[str, Person], groups: int, django_assert_num_queries: Any
) -> None:
    for i in range(groups):
        group = SupportGroup.objects.create(
            network=world.network, partner=world.receiving, name=f"Grupa {i:02}", weekday=i % 7
        )
        services.group_join(actor=world.coordinator, group=group, person=people["anna"], joined_on=D(2026, 1, 1))
    login(client, world.sending_staff)
    # 1 session, 2 user, 3-5 scope, 6 network, 7 groups with partners and members' counts.
    # ... and the header's unread count, one query on every page with the header.
    with django_assert_num_queries(8):
        response = client.get(reverse("group-list", args=[world.network.pk]))
    assert response.status_code == 200 and response.content.decode().count("Grupa ") == groups
    api = api_for(world.sending_staff)
    # 1 token with user, 2-4 scope, 5 network, 6 count, 7 the page of groups.
    with django_assert_num_queries(7):
        response = api.get(f"/api/v1/networks/{world.network.pk}/groups/")
    assert response.json()["count"] == groups
    assert {row["members_now"] for row in response.json()["results"]} == {1}


def test_it_documents_the_group_and_activity_endpoints() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(urlconf="tests.people.test_groups").get_schema(request=None, public=True)
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/networks/{id}/groups/"])
    assert {"get", "patch"} <= set(paths["/api/v1/groups/{id}/"])
    assert "post" in paths["/api/v1/groups/{id}/meetings/"]
    assert {"get", "post"} <= set(paths["/api/v1/persons/{id}/activities/"])
    year = [p for p in paths["/api/v1/groups/{id}/"]["get"]["parameters"] if p["name"] == "year"]
    assert year and year[0]["in"] == "query"
    assert "404" in paths["/api/v1/groups/{id}/"]["get"]["responses"]
