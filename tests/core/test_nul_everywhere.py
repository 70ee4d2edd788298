"""Issue 14, item 6: a NUL byte is a 400 everywhere, never a 500 (PostgreSQL refuses NUL in a text value).

Every route of the project is walked through the URL resolver — the pages, the API and the public HSDS export —
and ``?q=%00`` and ``?search=%00`` are refused on each with a clear 400 (JSON ``detail``/``code`` under /api/,
Polish text on the pages), while the same list without the NUL still answers. A NUL inside a JSON body (a value or
a key) or a form field is refused the same way.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests.people_fixtures import make_person

pytestmark = pytest.mark.django_db

SKIPPED = {
    # Django's own: the admin's catch-all and its view-on-site redirect take any path.
    "view_on_site",
}


def _routes(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, list[str]]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in SKIPPED:
            route = prefix + str(pattern.pattern)
            params = re.findall(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>", route)
            typed = [f"{kind or 'str'}:{name or regex}" for kind, name, regex in params]
            yield f"{namespace}{pattern.name}", route, typed


ROUTES = sorted({name: (route, params) for name, route, params in _routes(get_resolver().url_patterns)}.items())
EVERY_ROUTE = [(name, route, params) for name, (route, params) in ROUTES]
# A list: a route whose last step is not an object's id (nothing, or a fixed word after the last parameter).
LISTS = [(name, route, params) for name, (route, params) in ROUTES if not re.search(r"(>|\[\^/\]\+\))/?\??\$?$", route)]


def _kwargs(world: Any, route: str, params: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for typed in params:
        kind, param = typed.split(":")
        if kind == "int":
            values[param] = 1
        elif param == "network_id" or (param == "pk" and "networks/" in route):
            values[param] = world.network.pk
        elif param == "partner_id" or (param == "pk" and "partners/" in route):
            values[param] = world.receiving.pk
        elif param in ("object_id", "content_type_id", "id"):
            values[param] = "1"
        elif param == "app_label":
            values[param] = "partners"
        elif param in ("uidb64", "token"):
            values[param] = "x"
        else:
            values[param] = uuid.uuid4()
    return values


def address(world: Any, name: str, route: str, params: list[str]) -> str:
    return reverse(name, kwargs=_kwargs(world, route, params))


def test_the_walk_finds_the_lists_of_every_door() -> None:
    names = {name for name, _route, _params in LISTS}
    assert {"people-list", "service-directory", "api-persons", "api-referrals", "hsds-services"} <= names
    assert {"hsds-organizations", "api-network-groups", "network-members", "api-partner-list"} <= names
    assert "api-person" not in names and "person-detail" not in names
    assert len(LISTS) > 40


@pytest.mark.parametrize("parameter", ["q", "search"])
@pytest.mark.parametrize(("name", "route", "params"), LISTS, ids=[name for name, _r, _p in LISTS])
def test_a_nul_in_a_search_is_a_400_on_every_list(
    world: Any, name: str, route: str, params: list[str], parameter: str
) -> None:
    client = Client()
    client.force_login(world.coordinator)
    url = address(world, name, route, params)
    response = client.get(url, {parameter: "a\x00b"})
    assert response.status_code == 400, (url, response.status_code)
    if url.startswith("/api/"):
        assert response.json()["code"] == "invalid_character"
    elif url.startswith("/fhir/"):
        # The FHIR face answers an OperationOutcome, and refuses a search parameter it does not know (q, search)
        # with a 400 of its own as well (tests/api/fhir/test_fhir_search.py): no plain comparison there.
        assert response.json()["resourceType"] == "OperationOutcome"
        return
    else:
        assert "niedozwolony" in response.content.decode()
    # The same list without the NUL is not refused: the 400 above is the NUL's.
    plain = client.get(url, {parameter: "Anna"})
    assert plain.status_code not in (400, 500), (url, plain.status_code)


@pytest.mark.parametrize(("name", "route", "params"), EVERY_ROUTE, ids=[name for name, _r, _p in EVERY_ROUTE])
def test_a_nul_in_any_parameter_of_any_route_is_a_400(world: Any, name: str, route: str, params: list[str]) -> None:
    client = Client()
    client.force_login(world.coordinator)
    url = address(world, name, route, params)
    assert client.get(url, {"page": "1\x00"}).status_code == 400, url


def test_the_public_hsds_export_refuses_a_nul_for_anyone(world: Any) -> None:
    for name, route, params in LISTS:
        if name.startswith("hsds-"):
            response = Client().get(address(world, name, route, params), {"q": "\x00"})
            assert response.status_code == 400 and response.json()["code"] == "invalid_character"


def test_a_nul_in_the_path_is_a_400(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    assert client.get("/api/v1/persons/%00/").status_code == 400
    assert client.get("/people/%00/").status_code == 400


# --- bodies ----------------------------------------------------------------------------------------------


def api(world: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(world.coordinator)
    return client


@pytest.mark.parametrize(
    "body",
    [
        {"first_name": "Anna\u0000", "last_name": "Nowak"},
        {"first_name": "Anna", "last_name": "Nowak", "notes": ["\u0000"]},
        {"first_name": "Anna", "last_name": "Nowak", "extra": {"k\u0000ey": 1}},  # a key, as in jsonb scores
    ],
    ids=["value", "nested", "key"],
)
def test_a_nul_in_a_json_body_is_a_400_with_a_code(world: Any, body: dict[str, Any]) -> None:
    response = api(world).post(f"/api/v1/networks/{world.network.pk}/groups/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_character"
    assert "NUL" in response.json()["detail"]


def test_a_nul_in_the_assessment_scores_is_a_400(world: Any) -> None:
    person = make_person(world)
    response = api(world).post(
        f"/api/v1/persons/{person.pk}/assessments/",
        {"instrument": str(uuid.uuid4()), "scores": {"self_care\u0000": 2}},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_character"


def test_an_escaped_backslash_is_only_text(world: Any) -> None:
    """``"\\\\u0000"`` in JSON is the six characters backslash-u-0-0-0-0, not a NUL: not refused as one."""
    raw = json.dumps({"name": "C:\\u0000"}).encode()
    assert b"\\\\u0000" in raw
    response = api(world).generic(
        "POST", f"/api/v1/networks/{world.network.pk}/groups/", raw, content_type="application/json"
    )
    assert response.status_code != 500
    if response.status_code == 400:
        assert response.json().get("code") != "invalid_character"


def test_a_nul_in_a_form_field_is_a_400_in_polish(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    response = client.post(
        reverse("person-register", args=[world.network.pk]), {"first_name": "Anna\x00", "last_name": "Nowak"}
    )
    assert response.status_code == 400
    assert "niedozwolony" in response.content.decode()


def test_a_nul_in_a_multipart_form_field_is_a_400(client: Any, world: Any) -> None:
    person = make_person(world)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("person-consent-add", args=[person.pk]),
        {"consent-purpose": "Skierowanie\x00", "consent-categories": ["identity"]},
    )
    assert response.status_code == 400
    assert "niedozwolony" in response.content.decode()
