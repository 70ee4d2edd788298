"""The notification centre (pages) and the API read and mark notifications through the same selectors and services
(``notifications.selectors``, ``notifications.services``): only the recipient reads or marks one; anyone else's id
is a 404 at both doors, like a missing one."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from api import notifications as api_notifications
from frontend import notification_views
from notifications import selectors, services
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _notify(user: Any, text: str, url: str = "") -> Notification:
    (note,) = services.notify(recipients=[user], kind="test.kind", text=lambda: text, url=url)
    return note


def web(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_it_marks_read_through_the_same_service_at_both_doors() -> None:
    assert notification_views.notification_mark_read is services.notification_mark_read
    assert api_notifications.notification_mark_read is services.notification_mark_read
    assert notification_views.notifications_mark_all_read is services.notifications_mark_all_read


def test_it_answers_404_for_someone_elses_notification_on_the_page_and_in_the_api(world: Any) -> None:
    note = _notify(world.receiving_staff, "Nowe skierowanie")
    for stranger in (world.sending_staff, world.coordinator, world.unrelated_staff):
        assert web(stranger).post(reverse("notification-read", args=[note.pk])).status_code == 404
        answer = api(stranger).post(f"/api/v1/notifications/{note.pk}/read/")
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    # A missing id and a malformed one look the same.
    assert web(world.receiving_staff).post(reverse("notification-read", args=[987654321])).status_code == 404
    assert api(world.receiving_staff).post("/api/v1/notifications/987654321/read/").status_code == 404
    assert api(world.receiving_staff).post("/api/v1/notifications/x/read/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_it_lets_the_recipient_mark_read_on_either_door_and_keeps_the_first_read_time(world: Any) -> None:
    user = world.receiving_staff
    on_page = _notify(user, "Skierowanie przyjęte", url="/referrals/")
    response = web(user).post(reverse("notification-read", args=[on_page.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/referrals/"
    on_page.refresh_from_db()
    assert on_page.read_at is not None
    first_read = on_page.read_at
    # The API marks the same row again: answered as read, the first read time kept.
    answer = api(user).post(f"/api/v1/notifications/{on_page.pk}/read/")
    assert answer.status_code == 200 and answer.json()["read"] is True
    on_page.refresh_from_db()
    assert on_page.read_at == first_read
    in_api = _notify(user, "Skierowanie odrzucone")
    assert api(user).post(f"/api/v1/notifications/{in_api.pk}/read/").json()["read"] is True
    assert selectors.unread_count(user) == 0


def test_it_marks_only_the_users_own_notifications_all_read(world: Any) -> None:
    mine = [_notify(world.receiving_staff, f"Powiadomienie {n}") for n in range(3)]
    theirs = _notify(world.sending_staff, "Cudze")
    response = web(world.receiving_staff).post(reverse("notification-read-all"))
    assert response.status_code == 302
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert services.notifications_mark_all_read(actor=world.receiving_staff) == 0


def test_it_lists_the_same_own_notifications_on_the_page_and_in_the_api(world: Any) -> None:
    user = world.receiving_staff
    notes = [_notify(user, f"Moje {n}") for n in range(2)]
    _notify(world.sending_staff, "Nie moje")
    body = api(user).get("/api/v1/notifications/").json()
    assert [row["id"] for row in body["results"]] == [n.pk for n in reversed(notes)]
    assert body["unread"] == 2 and body["last_id"] == notes[-1].pk
    assert [row["id"] for row in api(user).get(f"/api/v1/notifications/?after={notes[0].pk}").json()["results"]] == [
        notes[-1].pk
    ]
    page = web(user).get(reverse("notification-centre")).content.decode()
    assert "Moje 0" in page and "Moje 1" in page and "Nie moje" not in page
    assert list(selectors.notifications_of(user)) == list(reversed(notes))
