"""Helpers for the FHIR tests: a client that speaks FHIR JSON, and ``valid``, which parses every answer with its
``fhir.resources.R4B`` model (and each resource inside a Bundle with its own)."""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from rest_framework.test import APIClient

FHIR_JSON = "application/fhir+json"


def fhir(user: Any = None) -> APIClient:
    client = APIClient(HTTP_ACCEPT=FHIR_JSON)
    if user is not None:
        client.force_authenticate(user)
    return client


def valid(response: Any, status: int = 200, kind: str | None = None) -> dict[str, Any]:
    """The answer's JSON after checking its status, its FHIR content type, no-store, and that it parses as the
    R4B model of its resourceType (every entry of a Bundle too)."""
    assert response.status_code == status, (response.status_code, response.content[:2000])
    assert response["Content-Type"].split(";")[0] in (FHIR_JSON, "application/json"), response["Content-Type"]
    assert "no-store" in response["Cache-Control"]
    body = json.loads(response.content)
    parse(body)
    if kind is not None:
        assert body["resourceType"] == kind, body
    return body


def parse(body: dict[str, Any]) -> None:
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    for entry in body.get("entry", []) if body["resourceType"] == "Bundle" else []:
        parse(entry["resource"])


def outcome(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """An OperationOutcome with this status (and our error code in issue.details.coding)."""
    body = valid(response, status, "OperationOutcome")
    if code is not None:
        codes = [c["code"] for issue in body["issue"] for c in issue.get("details", {}).get("coding", [])]
        assert code in codes, body
    return body


def patch(client: APIClient, url: str, operations: list[dict[str, Any]]) -> Any:
    return client.patch(url, json.dumps(operations), content_type="application/json-patch+json")


def put(client: APIClient, url: str, resource: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(resource), content_type=FHIR_JSON)


def post(client: APIClient, url: str, resource: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(resource), content_type=FHIR_JSON)


def ids(bundle: dict[str, Any]) -> set[str]:
    return {entry["resource"]["id"] for entry in bundle.get("entry", [])}
