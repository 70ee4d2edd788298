"""Sessions (issue 14 item 4): an idle timeout inside the absolute 8-hour limit (accounts.idle)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone, translation

from accounts import idle
from accounts.models import SecurityEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TIMEOUT = 30 * 60


@pytest.fixture(autouse=True)
def thirty_minutes(settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = TIMEOUT


@pytest.fixture
def user() -> Any:
    return UserFactory(username="ala", password="secret-pass-123")


@pytest.fixture
def signed_in(client: Client, user: Any) -> Client:
    """Signed in through the login form, as a person would (the sign-in fixes the session's end)."""
    response = client.post("/login/", {"username": "ala", "password": "secret-pass-123"})
    assert response.status_code == 302, response.content
    return client


def last_used(client: Client, seconds_ago: float) -> None:
    session = client.session
    session[idle.ACTIVITY_KEY] = int(time.time() - seconds_ago)
    session.save()


def stamp(client: Client) -> int:
    return int(client.session[idle.ACTIVITY_KEY])


# --- the idle limit ---------------------------------------------------------------------------------------------


def test_it_stamps_the_first_use_at_sign_in(signed_in: Client) -> None:
    assert abs(stamp(signed_in) - time.time()) < 5


def test_it_signs_out_a_session_idle_longer_than_the_limit(signed_in: Client, user: Any) -> None:
    last_used(signed_in, TIMEOUT + 1)
    response = signed_in.get("/referrals/?state=open")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/referrals/%3Fstate%3Dopen"
    # Signed out for good: the next request is anonymous too, and the log says why.
    assert "_auth_user_id" not in signed_in.session
    assert signed_in.get("/").status_code == 302
    event = SecurityEvent.objects.filter(user=user, kind="logout").get()
    assert "idle" in event.detail


def test_it_tells_on_the_login_page_why_and_keeps_next(signed_in: Client) -> None:
    last_used(signed_in, TIMEOUT + 60)
    response = signed_in.get("/referrals/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/?next=/referrals/"
    page = response.content.decode()
    with translation.override("pl"):
        assert idle.expired_message() in page
    assert 'name="next" value="/referrals/"' in page


def test_it_says_the_message_in_polish(settings: Any) -> None:
    with translation.override("pl"):
        assert idle.expired_message() == (
            "Wylogowano po 30 minutach bez aktywności. Zaloguj się ponownie, aby kontynuować."
        )


def test_it_keeps_a_session_used_within_the_limit_and_moves_its_stamp(signed_in: Client) -> None:
    last_used(signed_in, TIMEOUT - 120)
    assert signed_in.get("/").status_code == 200
    assert abs(stamp(signed_in) - time.time()) < 5
    # Another 29 minutes later it is still alive: the window counts from the last use, not from sign-in.
    last_used(signed_in, TIMEOUT - 60)
    assert signed_in.get("/referrals/").status_code == 200


def test_it_writes_the_stamp_at_most_once_a_minute(signed_in: Client) -> None:
    last_used(signed_in, 30)
    before = stamp(signed_in)
    assert signed_in.get("/").status_code == 200
    assert stamp(signed_in) == before
    last_used(signed_in, 61)
    assert signed_in.get("/").status_code == 200
    assert stamp(signed_in) > before


def test_it_does_not_count_background_requests_as_use(signed_in: Client) -> None:
    last_used(signed_in, 600)
    before = stamp(signed_in)
    # The notification poll and a refresh a push triggered both say they are background.
    poll = signed_in.get("/api/v1/notifications/", HTTP_X_LSW_BACKGROUND="1", HTTP_ACCEPT="application/json")
    assert poll.status_code == 200
    assert signed_in.get("/referrals/", HTTP_X_LSW_BACKGROUND="1", HTTP_HX_REQUEST="true").status_code == 200
    assert stamp(signed_in) == before
    # …and the background poll past the limit still ends the session.
    last_used(signed_in, TIMEOUT + 1)
    expired = signed_in.get("/api/v1/notifications/", HTTP_X_LSW_BACKGROUND="1", HTTP_ACCEPT="application/json")
    assert expired.status_code == 401
    assert expired.json()["code"] == "session_expired"


def test_it_answers_an_api_call_with_an_idle_session_401_session_expired(signed_in: Client) -> None:
    assert signed_in.get("/api/v1/me/").status_code == 200
    last_used(signed_in, TIMEOUT + 1)
    response = signed_in.get("/api/v1/me/")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "session_expired"
    assert body["detail"]
    # The session is gone: the next call is simply not signed in.
    assert signed_in.get("/api/v1/me/").json()["code"] == "not_authenticated"


def test_it_sends_an_htmx_request_to_the_login_page_as_a_whole(signed_in: Client) -> None:
    last_used(signed_in, TIMEOUT + 1)
    response = signed_in.post(
        "/notifications/read-all/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/notifications/?page=2",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=/notifications/%3Fpage%3D2"


def test_it_returns_a_form_sent_after_the_limit_to_the_page_it_was_on(signed_in: Client) -> None:
    last_used(signed_in, TIMEOUT + 1)
    response = signed_in.post("/notifications/read-all/", HTTP_REFERER="http://testserver/notifications/")
    assert response["Location"] == "/login/?next=/notifications/"
    # A Referer from elsewhere is not followed.
    signed_in.post("/login/", {"username": "ala", "password": "secret-pass-123"})
    last_used(signed_in, TIMEOUT + 1)
    response = signed_in.post("/notifications/read-all/", HTTP_REFERER="https://evil.example.com/x")
    assert response["Location"] == "/login/?next=/notifications/read-all/"


# --- "stay signed in" -------------------------------------------------------------------------------------------


def test_it_tells_the_page_how_long_is_left_without_counting_as_use(signed_in: Client) -> None:
    last_used(signed_in, 300)
    before = stamp(signed_in)
    response = signed_in.get("/account/session/", HTTP_X_LSW_BACKGROUND="1", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert abs(response.json()["remaining"] - (TIMEOUT - 300)) <= 2
    assert response.json()["timeout"] == TIMEOUT
    assert stamp(signed_in) == before


def test_it_keeps_the_session_when_the_person_stays_signed_in(user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    last_used(client, TIMEOUT - 30)
    refused = client.post("/account/session/", HTTP_ACCEPT="application/json")
    assert refused.status_code == 403  # a keep-alive needs the CSRF token
    client.get("/account/", HTTP_X_LSW_BACKGROUND="1")  # sets the CSRF cookie, not counting as use
    token = client.cookies["csrftoken"].value
    response = client.post("/account/session/", HTTP_ACCEPT="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["remaining"] >= TIMEOUT - 2
    assert abs(stamp(client) - time.time()) < 5


def test_it_answers_the_page_script_401_once_signed_out(client: Client) -> None:
    response = client.get("/account/session/", HTTP_ACCEPT="application/json")
    assert response.status_code == 401


def test_it_renders_the_warning_with_the_time_left(signed_in: Client) -> None:
    last_used(signed_in, 600)
    page = signed_in.get("/", HTTP_X_LSW_BACKGROUND="1").content.decode()
    assert 'id="idle-warning"' in page
    remaining = int(page.split('data-remaining="', 1)[1].split('"', 1)[0])
    assert abs(remaining - (TIMEOUT - 600)) <= 2


# --- the absolute limit -----------------------------------------------------------------------------------------


def test_it_fixes_the_end_of_the_session_at_sign_in(signed_in: Client, settings: Any) -> None:
    key = signed_in.session.session_key
    end = Session.objects.get(pk=key).expire_date
    expected = timezone.now().timestamp() + settings.SESSION_COOKIE_AGE
    assert abs(end.timestamp() - expected) < 10
    # Use of the session rewrites it (the stamp), but never pushes its end back.
    last_used(signed_in, 120)
    assert signed_in.get("/").status_code == 200
    assert stamp(signed_in) > time.time() - 5
    assert Session.objects.get(pk=key).expire_date == end


def test_it_ends_a_busy_session_at_the_absolute_limit(signed_in: Client) -> None:
    key = signed_in.session.session_key
    last_used(signed_in, 10)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = signed_in.get("/referrals/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert signed_in.get("/api/v1/me/").status_code == 401


def test_it_keeps_the_absolute_limit_after_many_uses(signed_in: Client) -> None:
    key = signed_in.session.session_key
    end = Session.objects.get(pk=key).expire_date
    for _ in range(3):
        last_used(signed_in, 90)
        signed_in.get("/")
        assert Session.objects.get(pk=key).expire_date == end


# --- websockets -------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_it_lets_no_websocket_in_on_an_idle_session() -> None:
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    @database_sync_to_async
    def session_cookie(seconds_ago: float) -> bytes:
        client = Client()
        client.force_login(UserFactory(username=f"ws{int(seconds_ago)}"))
        last_used(client, seconds_ago)
        return f"sessionid={client.cookies['sessionid'].value}".encode()

    origin = (b"origin", b"http://127.0.0.1:8000")
    fresh = WebsocketCommunicator(
        application, "/ws/notifications/", headers=[origin, (b"cookie", await session_cookie(5))]
    )
    connected, _ = await fresh.connect()
    assert connected
    await fresh.disconnect()
    stale = WebsocketCommunicator(
        application, "/ws/notifications/", headers=[origin, (b"cookie", await session_cookie(TIMEOUT + 1))]
    )
    connected, _ = await stale.connect()
    assert not connected
