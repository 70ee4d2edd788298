"""A browser websocket acts as its user only once the session has passed the second factor."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@database_sync_to_async
def _cookie(user: Any, *, verified_with: TOTPDevice | None = None) -> bytes:
    client = Client()
    client.force_login(user)  # the password step's login(), without the second step
    if verified_with is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = verified_with.persistent_id
        session.save()
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def _connects(cookie: bytes) -> bool:
    from config.asgi import application

    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN, (b"cookie", cookie)])
    connected, _ = await socket.connect()
    if connected:
        await socket.disconnect()
    return connected


async def test_a_session_that_has_not_passed_its_second_factor_gets_no_socket() -> None:
    user = await database_sync_to_async(UserFactory)(username="z-aplikacja")
    device = await database_sync_to_async(TOTPDevice.objects.create)(user=user, name="telefon", confirmed=True)
    assert not await _connects(await _cookie(user))
    assert await _connects(await _cookie(user, verified_with=device))


async def test_with_mfa_required_a_coordinator_without_a_factor_gets_no_socket(settings: Any) -> None:
    from tests.factories import NetworkFactory, make_coordinator

    network = await database_sync_to_async(NetworkFactory)()
    coordinator = await database_sync_to_async(make_coordinator)(network)
    plain = await database_sync_to_async(UserFactory)(username="bez-roli")
    settings.MFA_REQUIRED = True
    assert not await _connects(await _cookie(coordinator))
    assert await _connects(await _cookie(plain))  # reads no person data: the rule does not apply
    settings.MFA_REQUIRED = False
    assert await _connects(await _cookie(coordinator))
