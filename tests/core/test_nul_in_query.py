"""Issue 14 (found while closing 13): a NUL byte in a search parameter answered 500, the public HSDS export too.
Now every door refuses it with a clear 400 (JSON ``detail``/``code`` under /api/, Polish text on pages)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address",
    [
        "/api/v1/persons/?q=%00",
        "/api/v1/referrals/?search=%00",
        "/api/v1/partners/?search=a%00b",
        "/api/hsds/services?q=%00",
    ],
)
def test_the_api_refuses_a_nul_byte_with_a_json_400(world: Any, address: str) -> None:
    client = APIClient()
    client.force_authenticate(world.coordinator)
    response = client.get(address)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_character"


def test_a_page_refuses_a_nul_byte_in_polish(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    response = client.get("/people/?q=%00")
    assert response.status_code == 400
    assert "niedozwolony" in response.content.decode()
    assert client.get("/people/?q=Anna").status_code == 200


def test_the_public_hsds_export_refuses_it_for_anyone() -> None:
    assert Client().get("/api/hsds/organizations?q=%00").status_code == 400
