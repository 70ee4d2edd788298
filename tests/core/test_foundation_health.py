from __future__ import annotations

from typing import Any

import pytest
from channels.layers import channel_layers


@pytest.mark.django_db
def test_it_answers_200_when_database_and_channel_layer_answer(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "channel_layer": "ok"}}


@pytest.mark.django_db
def test_it_answers_200_on_the_redis_channel_layer(client: Any, redis_channel_layer: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["channel_layer"] == "ok"


@pytest.mark.django_db
def test_it_answers_503_naming_the_channel_layer_when_redis_is_down(client: Any, settings: Any) -> None:
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "channel_layer": "unavailable"}
