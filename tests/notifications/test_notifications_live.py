"""Live notifications over websockets against the Redis channel layer (DESIGN §6)."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from config.asgi import application
from notifications.models import Notification
from partners.models import StaffMembership
from tests.factories import api_token
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@database_sync_to_async
def token_for(user: Any) -> str:
    return api_token(user)


async def connect(user: Any) -> WebsocketCommunicator:
    headers = [ORIGIN]
    if user is not None:
        headers.append((b"authorization", f"Token {await token_for(user)}".encode()))
    ws = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _ = await ws.connect()
    assert connected == (user is not None)
    return ws


@pytest.fixture
def built(world: Any) -> Any:
    return world


async def test_it_pushes_a_sent_referral_to_the_receiving_partner_only(redis_channel_layer: Any, built: Any) -> None:
    world = built
    receiving = await connect(world.receiving_staff)
    unrelated = await connect(world.unrelated_staff)
    anonymous = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN])
    assert not (await anonymous.connect())[0]
    referral = await database_sync_to_async(sent_referral)(world)
    message = await receiving.receive_json_from(timeout=5)
    while message["type"] != "notification":  # refresh hints for the partner's group come too
        message = await receiving.receive_json_from(timeout=5)
    assert message["kind"] == "referral.sent"
    assert message["object"]["id"] == str(referral.pk)
    assert "Schizofrenia" not in message["text"] and "Kowalska" not in message["text"]
    assert await unrelated.receive_nothing(timeout=0.5)
    await receiving.disconnect()
    await unrelated.disconnect()


async def test_it_closes_the_sockets_of_a_deactivated_user(redis_channel_layer: Any, built: Any) -> None:
    world = built
    ws = await connect(world.receiving_staff)
    from partners.services import user_deactivate

    await database_sync_to_async(user_deactivate)(actor=world.receiving_admin, user=world.receiving_staff)
    closed = await ws.receive_output(timeout=5)
    assert closed["type"] == "websocket.close" and closed["code"] == 4403
    await database_sync_to_async(sent_referral)(world)
    assert await database_sync_to_async(Notification.objects.filter(recipient=world.receiving_staff).count)() == 0


async def test_it_leaves_the_partner_group_when_the_membership_ends(redis_channel_layer: Any, built: Any) -> None:
    world = built
    ws = await connect(world.receiving_staff)

    def end_membership() -> None:
        from partners.services import staff_update

        staff_update(
            actor=world.receiving_admin,
            membership=StaffMembership.objects.get(user=world.receiving_staff, partner=world.receiving),
            is_active=False,
        )

    await database_sync_to_async(end_membership)()
    assert await ws.receive_nothing(timeout=0.5)  # lets the consumer handle "groups.refresh"
    await database_sync_to_async(sent_referral)(world)
    assert await ws.receive_nothing(timeout=1)
    await ws.disconnect()


async def test_it_recovers_a_dropped_push_by_resync(redis_channel_layer: Any, built: Any) -> None:
    world = built
    ws = await connect(world.receiving_staff)
    first = await database_sync_to_async(sent_referral)(world)
    seen = None
    while seen is None:
        message = await ws.receive_json_from(timeout=5)
        if message["type"] == "notification":
            seen = message["id"]
    await ws.disconnect()  # the socket drops: pushes sent now are lost
    person = await database_sync_to_async(consenting_person)(world)
    second = await database_sync_to_async(sent_referral)(world, person=person)

    def resync() -> Any:
        client = APIClient()
        client.force_authenticate(world.receiving_staff)
        return client.get(f"/api/v1/notifications/?after={seen}").json()

    data = await database_sync_to_async(resync)()
    assert [n["object"]["id"] for n in data["results"]] == [str(second.pk)]
    assert data["unread"] == 2 and first.pk != second.pk


async def test_it_never_fails_the_transition_when_redis_is_down(settings: Any, built: Any) -> None:
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]}}
    }
    channel_layers.backends.clear()
    try:
        referral = await database_sync_to_async(sent_referral)(built)
    finally:
        channel_layers.backends.clear()
    assert referral.state == "sent"
    count = await database_sync_to_async(Notification.objects.filter(kind="referral.sent").count)()
    assert count >= 1
