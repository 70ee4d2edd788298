from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_issues_a_token_and_answers_me() -> None:
    user = UserFactory(username="ala")
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": "ala", "password": "secret-pass-123"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["id"] == str(user.pk)
    assert me.json()["username"] == "ala"


def test_it_answers_401_as_json_with_detail_and_code() -> None:
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == "not_authenticated"


def test_it_refuses_a_wrong_password_with_a_field_error() -> None:
    UserFactory(username="ala")
    response = APIClient().post("/api/v1/auth/token/", {"username": "ala", "password": "x"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_it_serves_the_openapi_schema_and_docs_without_a_cdn(client: Any) -> None:
    # Signed in: outside DEBUG the schema is not for anonymous visitors (tests/frontend/test_headers.py).
    client.force_login(UserFactory(username="ala"))
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/me/" in schema.json()["paths"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn.jsdelivr" not in html and "unpkg" not in html
    assert "/static/drf_spectacular_sidecar/" in html
