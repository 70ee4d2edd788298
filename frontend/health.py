"""/healthz: 200 when the database and the channel layer answer, 503 naming what failed."""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)
TIMEOUT_S = 2.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def _check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel("healthz.")
    await layer.send(channel, {"type": "healthz"})
    message = await layer.receive(channel)
    if message.get("type") != "healthz":
        raise RuntimeError("channel layer returned another message")


@never_cache
@require_safe
async def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(sync_to_async(_check_database, thread_sensitive=True)(), TIMEOUT_S)
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("healthz: database failed: %s", exc)
        checks["database"] = "unavailable"
    try:
        await asyncio.wait_for(_check_channel_layer(), TIMEOUT_S)
        checks["channel_layer"] = "ok"
    except Exception as exc:
        log.warning("healthz: channel layer failed: %s", exc)
        checks["channel_layer"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )
