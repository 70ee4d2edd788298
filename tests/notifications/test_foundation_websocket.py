"""Websocket plumbing: origin validation, authentication, delivery through the channel layer."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from config.asgi import application
from notifications.groups import user_group
from tests.factories import UserFactory, api_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@database_sync_to_async
def make_user_with_token(username: str) -> tuple[Any, str]:
    user = UserFactory(username=username)
    return user, api_token(user)


def communicator(*headers: tuple[bytes, bytes]) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, "/ws/notifications/", headers=list(headers))


async def test_it_refuses_an_anonymous_connection() -> None:
    connected, _ = await communicator(ORIGIN).connect()
    assert not connected


async def test_it_refuses_a_foreign_origin(redis_channel_layer: Any) -> None:
    _, token = await make_user_with_token("ala")
    ws = communicator((b"origin", b"https://evil.example.com"), (b"authorization", f"Token {token}".encode()))
    connected, _ = await ws.connect()
    assert not connected


async def test_it_refuses_a_wrong_token() -> None:
    connected, _ = await communicator(ORIGIN, (b"authorization", b"Token nope")).connect()
    assert not connected


async def test_it_delivers_a_push_to_the_users_group_over_redis(redis_channel_layer: Any) -> None:
    user, token = await make_user_with_token("ala")
    ws = communicator(ORIGIN, (b"authorization", f"Token {token}".encode()))
    connected, _ = await ws.connect()
    assert connected
    await get_channel_layer().group_send(
        user_group(user.pk),
        {"type": "notification.message", "id": 7, "kind": "test", "object": None, "text": "Cześć"},
    )
    message = await ws.receive_json_from(timeout=5)
    assert message == {"type": "notification", "id": 7, "kind": "test", "object": None, "text": "Cześć"}
    await ws.disconnect()


async def test_it_does_not_deliver_another_users_push(redis_channel_layer: Any) -> None:
    _, token = await make_user_with_token("ala")
    other, _ = await make_user_with_token("bob")
    ws = communicator(ORIGIN, (b"authorization", f"Token {token}".encode()))
    assert (await ws.connect())[0]
    await get_channel_layer().group_send(
        user_group(other.pk),
        {"type": "notification.message", "id": 1, "kind": "x", "object": None, "text": "x"},
    )
    assert await ws.receive_nothing(timeout=0.5)
    await ws.disconnect()
