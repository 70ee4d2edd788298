"""Polish working days (public holidays with the Easter-based ones, the network's own days off) in answer dates,
and the waitlist of a service: its order (ward discharge, urgent, normal; then the longest waiting), its page and
API, and who may see it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.fhir import codes
from core.errors import PermissionDenied
from network import services as network_services
from network.calendar import add_working_days, is_working_day, on_working_day
from network.models import DayOff
from people.models import Consent
from people.services import consent_withdraw
from referrals import services
from referrals.choices import Priority
from referrals.models import Referral
from tests.factories import ServiceFactory
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# --- the calendar ---------------------------------------------------------------------------------


def test_it_skips_easter_monday_and_corpus_christi(world: Any) -> None:
    # Good Friday 2026 is a working day in Poland; Easter Monday (6 April) is not.
    assert add_working_days(world.network.pk, _at(datetime.date(2026, 4, 3)), 1).date() == datetime.date(2026, 4, 7)
    # Corpus Christi, 4 June 2026, a Thursday.
    assert add_working_days(world.network.pk, _at(datetime.date(2026, 6, 3)), 1).date() == datetime.date(2026, 6, 5)
    assert not is_working_day(world.network.pk, datetime.date(2026, 11, 11))
    assert not is_working_day(world.network.pk, datetime.date(2026, 12, 24))  # Wigilia, free from 2025


def test_it_skips_the_networks_own_day_off_and_only_that_networks(world: Any) -> None:
    network_services.day_off_add(
        actor=world.coordinator, network=world.network, day=datetime.date(2026, 6, 5), name="Dzień po Bożym Ciele"
    )
    start = _at(datetime.date(2026, 6, 3))
    assert add_working_days(world.network.pk, start, 1).date() == datetime.date(2026, 6, 8)
    assert add_working_days(world.other_network.pk, start, 1).date() == datetime.date(2026, 6, 5)


def test_it_moves_a_calendar_day_deadline_off_a_holiday(world: Any) -> None:
    assert on_working_day(world.network.pk, _at(datetime.date(2026, 11, 11))).date() == datetime.date(2026, 11, 12)
    assert on_working_day(world.network.pk, _at(datetime.date(2026, 11, 10))).date() == datetime.date(2026, 11, 10)


def test_it_gives_a_ward_discharge_the_urgent_answer_time_in_working_days(world: Any) -> None:
    referral = sent_referral(world, priority=Priority.WARD_DISCHARGE)
    expected = add_working_days(world.network.pk, referral.sent_at, world.network.answer_days_urgent)
    assert referral.due_by == expected
    normal = sent_referral(world)
    assert normal.due_by is not None and is_working_day(world.network.pk, timezone.localdate(normal.due_by))


@pytest.mark.parametrize(
    ("day", "name"), [(datetime.date(2026, 5, 3), "Święto"), (datetime.date(2026, 6, 5), ""), (None, "Piątek")]
)
def test_it_refuses_a_bad_day_off_and_adds_nothing(world: Any, day: Any, name: str) -> None:
    with pytest.raises(ValidationError):
        network_services.day_off_add(actor=world.coordinator, network=world.network, day=day, name=name)
    assert not DayOff.objects.exists()


def test_it_refuses_a_second_day_off_on_the_same_date(world: Any) -> None:
    day = datetime.date(2026, 6, 5)
    network_services.day_off_add(actor=world.coordinator, network=world.network, day=day, name="Most")
    with pytest.raises(ValidationError):
        network_services.day_off_add(actor=world.coordinator, network=world.network, day=day, name="Most")


def test_only_the_coordinator_adds_days_off(world: Any) -> None:
    for user in (world.receiving_staff, world.other_coordinator):
        with pytest.raises(PermissionDenied):
            network_services.day_off_add(actor=user, network=world.network, day=datetime.date(2026, 6, 5), name="Most")


def test_the_days_off_api_adds_lists_and_removes(world: Any) -> None:
    client = APIClient()
    client.force_authenticate(world.coordinator)
    url = reverse("api-network-days-off", args=[world.network.pk])
    answer = client.post(url, {"day": "2026-06-05", "name": "Most"}, format="json")
    assert answer.status_code == 201, answer.content
    assert [d["day"] for d in client.get(url).json()] == ["2026-06-05"]
    bad = client.post(url, {"day": "2026-05-03", "name": "Święto"}, format="json")
    assert bad.status_code == 400 and "day" in bad.json()
    day_id = answer.json()["id"]
    other = APIClient()
    other.force_authenticate(world.other_coordinator)
    assert other.get(url).status_code == 404
    assert other.delete(reverse("api-day-off", args=[day_id])).status_code == 404
    staff = APIClient()
    staff.force_authenticate(world.receiving_staff)
    assert staff.post(url, {"day": "2026-06-12", "name": "x"}, format="json").status_code == 403
    assert client.delete(reverse("api-day-off", args=[day_id])).status_code == 204
    assert not DayOff.objects.exists()


def test_the_days_off_page_lists_holidays_and_adds_a_day(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    url = reverse("network-days-off", args=[world.network.pk])
    page = client.get(url, {"year": 2026})
    assert page.status_code == 200 and "Poniedziałek Wielkanocny" in page.text and "04.06.2026" in page.text
    answer = client.post(url, {"day": "2026-06-05", "name": "Most po Bożym Ciele"})
    assert answer.status_code == 302
    day_off = DayOff.objects.get()
    assert "Most po Bożym Ciele" in client.get(url, {"year": 2026}).text
    client.post(reverse("network-day-off-remove", args=[world.network.pk, day_off.pk]))
    assert not DayOff.objects.exists()
    stranger = Client()
    stranger.force_login(world.other_coordinator)
    assert stranger.get(url).status_code == 404


# --- waitlists ------------------------------------------------------------------------------------


def _waiting_three(world: Any) -> tuple[Any, list[Referral]]:
    """A full service with a waitlist, and three accepted referrals waiting: normal first, urgent, discharge."""
    service = ServiceFactory(partner=world.receiving, capacity=1, load=1, waitlist_enabled=True, name="Mieszkanie")
    waiting = []
    for priority in (Priority.NORMAL, Priority.URGENT, Priority.WARD_DISCHARGE):
        referral = sent_referral(world, service=service, priority=priority)
        services.referral_accept(actor=world.receiving_staff, referral=referral)
        referral.refresh_from_db()
        assert referral.waitlisted_at is not None
        waiting.append(referral)
    return service, waiting


def test_a_ward_discharge_waits_ahead_of_urgent_and_gets_the_freed_place(world: Any) -> None:
    service, (normal, urgent, discharge) = _waiting_three(world)
    holder = sent_referral(world, service=service)
    Referral.objects.filter(pk=holder.pk).update(state="accepted", holds_place=True)
    order = list(Referral.objects.filter(service=service).waiting().in_waitlist_order())
    assert order == [discharge, urgent, normal]
    services.referral_discontinue(
        actor=world.receiving_staff, referral=holder, reason_code="person_declined", outcome_code="not_achieved"
    )
    discharge.refresh_from_db()
    urgent.refresh_from_db()
    assert discharge.waitlisted_at is None and discharge.holds_place and urgent.waitlisted_at is not None


def test_the_waitlist_api_gives_order_priority_and_since_when(world: Any) -> None:
    service, (normal, urgent, discharge) = _waiting_three(world)
    client = APIClient()
    client.force_authenticate(world.receiving_staff)
    body = client.get(reverse("api-service-waitlist", args=[service.pk])).json()
    assert [w["referral"] for w in body["waiting"]] == [str(discharge.pk), str(urgent.pk), str(normal.pk)]
    assert [w["position"] for w in body["waiting"]] == [1, 2, 3]
    assert body["waiting"][0]["priority"] == "ward_discharge" and body["waiting"][0]["waitlisted_at"]
    assert "last_name" not in body["waiting"][0] and "health_notes" not in str(body)


def test_the_waitlist_page_shows_the_order_with_polish_labels(world: Any) -> None:
    service, _waiting = _waiting_three(world)
    client = Client()
    client.force_login(world.coordinator)
    page = client.get(reverse("service-waitlist", args=[service.pk]))
    assert page.status_code == 200
    text = page.text
    assert text.index("wypis ze szpitala") < text.index("pilne") and "ward_discharge" not in text
    assert timezone.localdate().strftime("%d.%m.%Y") in text
    index = client.get(reverse("waitlists"))
    assert "Mieszkanie" in index.text


@pytest.mark.parametrize("persona", ["unrelated_staff", "employer", "other_coordinator", "sending_staff", "monitor"])
def test_the_waitlist_is_hidden_from_others(world: Any, persona: str) -> None:
    service, _waiting = _waiting_three(world)
    user = world.personas()[persona]
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(reverse("api-service-waitlist", args=[service.pk])).status_code == 404
    page = Client()
    page.force_login(user)
    assert page.get(reverse("service-waitlist", args=[service.pk])).status_code == 404


def test_the_waitlist_asks_for_anonymous_sign_in(world: Any) -> None:
    service, _waiting = _waiting_three(world)
    assert APIClient().get(reverse("api-service-waitlist", args=[service.pk])).status_code in (401, 403)
    assert Client().get(reverse("service-waitlist", args=[service.pk])).status_code == 302


def test_a_withdrawn_consent_takes_the_person_off_the_waitlist(world: Any) -> None:
    service, (_normal, _urgent, discharge) = _waiting_three(world)
    for consent in Consent.objects.filter(person=discharge.person):
        consent_withdraw(actor=world.coordinator, consent=consent)
    client = APIClient()
    client.force_authenticate(world.receiving_staff)
    body = client.get(reverse("api-service-waitlist", args=[service.pk])).json()
    assert str(discharge.pk) not in [w["referral"] for w in body["waiting"]]


def test_the_waitlist_api_takes_the_same_queries_for_more_people(
    world: Any, django_assert_max_num_queries: Any
) -> None:
    service, _waiting = _waiting_three(world)
    client = APIClient()
    client.force_authenticate(world.receiving_staff)
    url = reverse("api-service-waitlist", args=[service.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        client.get(url)
    for _ in range(3):
        referral = sent_referral(world, service=service, person=consenting_person(world))
        services.referral_accept(actor=world.receiving_staff, referral=referral)
    with CaptureQueriesContext(connection) as six:
        assert len(client.get(url).json()["waiting"]) == 6
    assert len(six) == len(three)


def test_fhir_shows_a_ward_discharge_as_asap() -> None:
    assert codes.PRIORITY[Priority.WARD_DISCHARGE] == "asap"
    assert codes.PRIORITY_BACK["asap"] == Priority.WARD_DISCHARGE
    assert codes.PRIORITY_BACK["stat"] == Priority.WARD_DISCHARGE
