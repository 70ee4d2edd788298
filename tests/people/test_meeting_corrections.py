# ruff: noqa: F811 - the fixtures of test_groups.py are imported by name and requested by name
"""Corrections with a trace: a support-group meeting entered by mistake is corrected or cancelled with a reason,
the trace shows on the group's page and in the API, the yearly figures follow, and a second meeting of a group on
one day asks for confirmation (a confirm step on the page, 409 ``same_day_meeting`` in the API)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import Conflict, PermissionDenied
from people import groups as services
from people.group_selectors import group_year_figures
from people.models import AccessLog, Attendance, Consent, Meeting, MeetingCorrection, Person, SupportGroup
from reporting.yearly.figures import people_sessions
from reporting.yearly.period import Period
from tests.people.test_groups import boundary, group, login, people  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

D = datetime.date


def _meeting(group: SupportGroup, day: datetime.date) -> Meeting:
    return Meeting.objects.get(group=group, held_on=day)


def _sessions_2026(world: Any) -> dict[str, Any]:
    rows = people_sessions([world.network.pk], Period(D(2026, 1, 1), D(2026, 12, 31)))
    groups = {row["group_id"]: row for row in rows.get("group_id", [])}
    return next(iter(groups.values()))


# --- the services ---------------------------------------------------------------------------------


def test_a_correction_changes_the_meeting_keeps_a_trace_and_the_figures_follow(
    world: Any, boundary: SupportGroup, people: dict[str, Person]
) -> None:
    before = group_year_figures(boundary, 2026)
    assert (before.meetings, before.minutes, before.person_minutes) == (3, 270, 450)
    meeting = _meeting(boundary, D(2026, 1, 14))
    services.meeting_correct(
        actor=world.receiving_staff,
        meeting=meeting,
        reason="Spotkanie trwało godzinę, Celina też była",
        data={"duration_minutes": 60, "topic": "Budżet domowy"},
        attendee_ids=[people["anna"].pk, people["celina"].pk],
    )
    after = group_year_figures(boundary, 2026)
    assert (after.meetings, after.minutes, after.person_minutes) == (3, 240, 480)
    trace = MeetingCorrection.objects.get(meeting=meeting)
    assert trace.kind == "correct" and trace.reason.startswith("Spotkanie trwało")
    assert trace.changes == {"duration_minutes": [90, 60], "topic": ["", "Budżet domowy"]}
    assert trace.added == [people["celina"].pk] and trace.removed == []
    assert AccessLog.objects.filter(view="meeting-correct", person=people["celina"]).exists()
    assert _sessions_2026(world)["minutes"] == 240


def test_a_cancelled_meeting_stays_as_a_trace_and_counts_nowhere(
    world: Any, boundary: SupportGroup, people: dict[str, Person]
) -> None:
    meeting = _meeting(boundary, D(2026, 1, 21))
    services.meeting_cancel(actor=world.coordinator, meeting=meeting, reason="Wpisane omyłkowo, zajęcia odwołane")
    meeting.refresh_from_db()
    assert meeting.cancelled_at is not None and Attendance.objects.filter(meeting=meeting).count() == 2
    figures = group_year_figures(boundary, 2026)
    assert (figures.meetings, figures.minutes, figures.person_minutes) == (2, 210, 330)
    row = _sessions_2026(world)
    assert (row["sessions"], row["minutes"]) == (2, 210)
    with pytest.raises(Conflict) as error:
        services.meeting_cancel(actor=world.coordinator, meeting=meeting, reason="jeszcze raz")
    assert error.value.code == "meeting_cancelled"
    with pytest.raises(Conflict):
        services.meeting_correct(actor=world.coordinator, meeting=meeting, reason="x", data={"topic": "y"})


def test_a_cancelled_meeting_no_longer_blocks_the_day_or_a_leaving_date(
    world: Any, boundary: SupportGroup, people: dict[str, Person]
) -> None:
    meeting = _meeting(boundary, D(2026, 1, 21))
    services.meeting_cancel(actor=world.coordinator, meeting=meeting, reason="Omyłka")
    services.meeting_record(
        actor=world.coordinator, group=boundary, held_on=D(2026, 1, 21), duration_minutes=60, attendee_ids=[]
    )
    services.group_leave(actor=world.coordinator, group=boundary, person=people["celina"], left_on=D(2026, 1, 15))


def test_a_second_meeting_on_one_day_asks_for_confirmation(world: Any, boundary: SupportGroup) -> None:
    with pytest.raises(Conflict) as error:
        services.meeting_record(
            actor=world.coordinator, group=boundary, held_on=D(2026, 1, 14), duration_minutes=60, attendee_ids=[]
        )
    assert error.value.code == "same_day_meeting"
    assert Meeting.objects.filter(group=boundary, held_on=D(2026, 1, 14)).count() == 1
    services.meeting_record(
        actor=world.coordinator,
        group=boundary,
        held_on=D(2026, 1, 14),
        duration_minutes=60,
        attendee_ids=[],
        confirm_same_day=True,
    )
    assert Meeting.objects.filter(group=boundary, held_on=D(2026, 1, 14)).count() == 2
    # Moving a meeting onto a day the group met already asks too.
    meeting = _meeting(boundary, D(2026, 1, 21))
    with pytest.raises(Conflict):
        services.meeting_correct(
            actor=world.coordinator, meeting=meeting, reason="Zła data", data={"held_on": D(2026, 1, 7)}
        )


@pytest.mark.parametrize(
    ("reason", "data", "attendees"),
    [
        ("", {"topic": "x"}, None),  # no reason
        ("Powód", {}, None),  # nothing changes
        ("Powód", {"duration_minutes": 0}, None),
        ("Powód", {"held_on": D(2099, 1, 1)}, None),  # in the future
        ("Powód", {"colour": "red"}, None),
        ("Powód", {}, ["not-a-uuid"]),
        ("Powód", {"held_on": D(2025, 12, 3)}, None),  # Celina was not a member yet
    ],
)
def test_it_refuses_a_bad_correction_and_changes_nothing(
    world: Any, boundary: SupportGroup, reason: str, data: dict[str, Any], attendees: Any
) -> None:
    meeting = _meeting(boundary, D(2026, 1, 21))
    with pytest.raises(ValidationError):
        services.meeting_correct(
            actor=world.coordinator, meeting=meeting, reason=reason, data=data, attendee_ids=attendees
        )
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.held_on, fresh.duration_minutes, fresh.topic) == (D(2026, 1, 21), 60, "")
    assert not MeetingCorrection.objects.exists() and Attendance.objects.filter(meeting=meeting).count() == 2


@pytest.mark.parametrize("persona", ["sending_staff", "unrelated_staff", "employer", "other_coordinator", "monitor"])
def test_only_those_who_manage_the_group_correct_or_cancel(world: Any, boundary: SupportGroup, persona: str) -> None:
    meeting = _meeting(boundary, D(2026, 1, 21))
    user = world.personas()[persona]
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(actor=user, meeting=meeting, reason="Omyłka")
    assert Meeting.objects.get(pk=meeting.pk).cancelled_at is None


# --- the API --------------------------------------------------------------------------------------


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_corrects_and_cancels_with_the_trace(
    world: Any, boundary: SupportGroup, people: dict[str, Person]
) -> None:
    meeting = _meeting(boundary, D(2026, 1, 21))
    client = _api(world.receiving_staff)
    url = reverse("api-group-meeting-correct", args=[boundary.pk, meeting.pk])
    answer = client.post(url, {"reason": "Anna nie przyszła", "attendees": [str(people["celina"].pk)]}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["attendees"] == [str(people["celina"].pk)]
    assert body["corrections"][0]["removed"] == [str(people["anna"].pk)]
    moved = client.post(url, {"reason": "Zła data", "held_on": "2026-01-07"}, format="json")
    assert moved.status_code == 409 and moved.json()["code"] == "same_day_meeting"
    confirmed = client.post(
        url, {"reason": "Zła data", "held_on": "2026-01-07", "confirm_same_day": True}, format="json"
    )
    assert confirmed.status_code == 200 and confirmed.json()["held_on"] == "2026-01-07"
    bad = client.post(url, {"reason": "", "topic": "x"}, format="json")
    assert bad.status_code == 400
    cancel = client.post(
        reverse("api-group-meeting-cancel", args=[boundary.pk, meeting.pk]), {"reason": "Omyłka"}, format="json"
    )
    assert cancel.status_code == 200 and cancel.json()["cancelled_at"]
    trace = client.get(reverse("api-group-meeting", args=[boundary.pk, meeting.pk])).json()["corrections"]
    assert [c["kind"] for c in trace] == ["correct", "correct", "cancel"]
    again = client.post(
        reverse("api-group-meeting-cancel", args=[boundary.pk, meeting.pk]), {"reason": "Omyłka"}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "meeting_cancelled"


def test_the_api_asks_for_confirmation_of_a_second_meeting_on_one_day(world: Any, boundary: SupportGroup) -> None:
    client = _api(world.coordinator)
    url = reverse("api-group-meetings", args=[boundary.pk])
    answer = client.post(url, {"held_on": "2026-01-14"}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "same_day_meeting"
    assert client.post(url, {"held_on": "2026-01-14", "confirm_same_day": True}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("persona", "status"),
    [("unrelated_staff", 404), ("other_coordinator", 404), ("employer", 403), ("sending_staff", 403)],
)
def test_the_meeting_api_refuses_others(world: Any, boundary: SupportGroup, persona: str, status: int) -> None:
    """A stranger to the network gets 404; someone who sees the group but does not manage it gets 403 and never its
    people (the employer among them: attendance of a mental-health group is health data)."""
    meeting = _meeting(boundary, D(2026, 1, 21))
    client = _api(world.personas()[persona])
    for name, body in (
        ("api-group-meeting-correct", {"reason": "x", "topic": "y"}),
        ("api-group-meeting-cancel", {"reason": "x"}),
    ):
        assert client.post(reverse(name, args=[boundary.pk, meeting.pk]), body, format="json").status_code == status
    answer = client.get(reverse("api-group-meeting", args=[boundary.pk, meeting.pk]))
    assert answer.status_code == status and "attendees" not in answer.json()
    assert Meeting.objects.get(pk=meeting.pk).cancelled_at is None


def test_a_meeting_of_another_group_is_not_found(world: Any, boundary: SupportGroup) -> None:
    other = SupportGroup.objects.create(network=world.network, partner=world.receiving, name="Inna grupa")
    meeting = _meeting(boundary, D(2026, 1, 21))
    answer = _api(world.coordinator).post(
        reverse("api-group-meeting-cancel", args=[other.pk, meeting.pk]), {"reason": "x"}, format="json"
    )
    assert answer.status_code == 404


# --- the pages ------------------------------------------------------------------------------------


def test_the_page_corrects_with_a_reason_and_shows_the_trace(
    world: Any, boundary: SupportGroup, people: dict[str, Person]
) -> None:
    client = login(Client(), world.receiving_staff)
    meeting = _meeting(boundary, D(2026, 1, 21))
    url = reverse("group-meeting-correct", args=[boundary.pk, meeting.pk])
    form = client.get(url)
    assert form.status_code == 200 and "Reason of the correction" in form.text
    data = {
        "held_on": "2026-01-21",
        "duration_minutes": "45",
        "topic": "",
        "place": meeting.place,
        "leader": meeting.leader,
        "attendees": [str(people["anna"].pk), str(people["celina"].pk)],
    }
    missing = client.post(url, data)
    assert missing.status_code == 400 and Meeting.objects.get(pk=meeting.pk).duration_minutes == 60
    answer = client.post(url, {**data, "reason": "Skrócone zajęcia"})
    assert answer.status_code == 302
    page = client.get(reverse("group-detail", args=[boundary.pk]), {"year": 2026})
    assert "Skrócone zajęcia" in page.text and "duration (minutes)" in page.text


def test_the_page_asks_to_confirm_a_second_meeting_on_one_day(world: Any, boundary: SupportGroup) -> None:
    client = login(Client(), world.coordinator)
    url = reverse("group-meeting-create", args=[boundary.pk])
    data = {"held_on": "2026-01-14", "duration_minutes": "60", "topic": "", "place": "", "leader": ""}
    first = client.post(url, data)
    assert first.status_code == 400 and "already has a meeting on 14.01.2026" in first.text
    assert 'type="checkbox" name="confirm_same_day"' in first.text
    assert Meeting.objects.filter(group=boundary, held_on=D(2026, 1, 14)).count() == 1
    assert client.post(url, {**data, "confirm_same_day": "on"}).status_code == 302
    assert Meeting.objects.filter(group=boundary, held_on=D(2026, 1, 14)).count() == 2


def test_the_cancel_page_confirms_then_cancels(world: Any, boundary: SupportGroup) -> None:
    client = login(Client(), world.coordinator)
    meeting = _meeting(boundary, D(2026, 1, 21))
    url = reverse("group-meeting-cancel", args=[boundary.pk, meeting.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "21.01.2026" in confirm.text
    assert Meeting.objects.get(pk=meeting.pk).cancelled_at is None
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Zajęcia odwołane"}).status_code == 302
    page = client.get(reverse("group-detail", args=[boundary.pk]), {"year": 2026})
    assert "Zajęcia odwołane" in page.text and "cancelled" in page.text


@pytest.mark.parametrize(("persona", "status"), [("unrelated_staff", 404), ("employer", 403), ("sending_staff", 403)])
def test_the_correction_pages_refuse_others(world: Any, boundary: SupportGroup, persona: str, status: int) -> None:
    client = login(Client(), world.personas()[persona])
    meeting = _meeting(boundary, D(2026, 1, 21))
    for name in ("group-meeting-correct", "group-meeting-cancel"):
        answer = client.get(reverse(name, args=[boundary.pk, meeting.pk]))
        assert answer.status_code == status and "Kowalska" not in answer.text


def test_a_withdrawn_consent_does_not_reopen_a_stranger_door(world: Any, boundary: SupportGroup) -> None:
    """The group's people are reached through managing the group, never through a consent to a third partner: after
    a consent to an unrelated partner is withdrawn, that partner still gets 404."""
    person = Person.objects.get(first_name="Anna", last_name="Kowalska")
    consent = Consent.objects.create(
        person=person, purpose="x", categories=["identity"], given_by="person", recorded_by=world.coordinator
    )
    consent.partners.add(world.unrelated)
    from people.services import consent_withdraw

    consent_withdraw(actor=world.coordinator, consent=consent)
    meeting = _meeting(boundary, D(2026, 1, 21))
    answer = _api(world.unrelated_staff).get(reverse("api-group-meeting", args=[boundary.pk, meeting.pk]))
    assert answer.status_code == 404
