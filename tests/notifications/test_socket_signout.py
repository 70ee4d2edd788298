"""Signing out closes the websockets of that session or token; an expired or revoked token opens none."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from config.asgi import application
from notifications.consumers import CLOSE_REVOKED
from tests.factories import UserFactory, api_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def socket(*headers: tuple[bytes, bytes]) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN, *headers])


def with_token(token: str) -> WebsocketCommunicator:
    return socket((b"authorization", f"Token {token}".encode()))


@database_sync_to_async
def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def with_session(client: Client) -> WebsocketCommunicator:
    return socket((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))


async def closed_with(ws: WebsocketCommunicator) -> int | None:
    message = await ws.receive_output(timeout=5)
    assert message["type"] == "websocket.close"
    return message.get("code")


async def test_signing_out_closes_the_sockets_of_that_session_only(redis_channel_layer: Any) -> None:
    user = await database_sync_to_async(UserFactory)(username="ala")
    desk, phone = await browser(user), await browser(user)
    desk_ws, phone_ws = with_session(desk), with_session(phone)
    assert (await desk_ws.connect())[0]
    assert (await phone_ws.connect())[0]
    response = await database_sync_to_async(desk.post)("/logout/")
    assert response.status_code == 302
    assert await closed_with(desk_ws) == CLOSE_REVOKED
    assert await phone_ws.receive_nothing(timeout=0.5)  # the phone's session is still signed in
    await phone_ws.send_json_to({"type": "ping"})
    assert await phone_ws.receive_json_from(timeout=5) == {"type": "pong"}
    await phone_ws.disconnect()
    # The signed-out session opens no new socket.
    assert not (await with_session(desk).connect())[0]


async def test_the_api_logout_closes_the_sockets_opened_with_that_token(redis_channel_layer: Any) -> None:
    user = await database_sync_to_async(UserFactory)(username="ala")
    first, second = await database_sync_to_async(api_token)(user), await database_sync_to_async(api_token)(user)
    first_ws, second_ws = with_token(first), with_token(second)
    assert (await first_ws.connect())[0]
    assert (await second_ws.connect())[0]

    def logout() -> int:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {first}")
        return api.post("/api/v1/auth/logout/").status_code

    assert await database_sync_to_async(logout)() == 204
    assert await closed_with(first_ws) == CLOSE_REVOKED
    assert await second_ws.receive_nothing(timeout=0.5)
    await second_ws.disconnect()
    assert not (await with_token(first).connect())[0]


async def test_an_expired_token_opens_no_socket() -> None:
    user = await database_sync_to_async(UserFactory)(username="ala")

    def expired_token() -> str:
        return AuthToken.objects.create(user=user, expiry=timedelta(seconds=-1))[1]

    token = await database_sync_to_async(expired_token)()
    assert not (await with_token(token).connect())[0]
    assert not await database_sync_to_async(AuthToken.objects.filter(user=user).exists)()


async def test_a_revoked_token_opens_no_socket() -> None:
    user = await database_sync_to_async(UserFactory)(username="ala")
    token = await database_sync_to_async(api_token)(user)
    ws = with_token(token)
    assert (await ws.connect())[0]
    await ws.disconnect()
    await database_sync_to_async(AuthToken.objects.filter(user=user).delete)()
    assert not (await with_token(token).connect())[0]


async def test_a_token_of_a_deactivated_user_opens_no_socket() -> None:
    user = await database_sync_to_async(UserFactory)(username="ala")
    token = await database_sync_to_async(api_token)(user)
    user.is_active = False
    await database_sync_to_async(user.save)(update_fields=["is_active"])
    assert not (await with_token(token).connect())[0]
