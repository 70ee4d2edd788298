"""Response headers (issue 14 item 5): the Content-Security-Policy on every answer, Permissions-Policy, no caching
of anything private, the API schema closed to anonymous visitors outside DEBUG, and no inline script or style left
in any template."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.people_fixtures import make_person

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# The policy, directive by directive, as a browser receives it from the test client (host "testserver", no TLS).
EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self' ws://testserver",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def csp_of(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def assert_policy(response: Any) -> None:
    assert csp_of(response) == EXPECTED_CSP
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "Permissions-Policy" in response


def assert_not_cached(response: Any) -> None:
    directives = {item.strip() for item in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives, response["Cache-Control"]


@pytest.fixture
def person(world: Any) -> Any:
    return make_person(world)


# --- Content-Security-Policy ------------------------------------------------------------------------------------


def test_it_sends_the_policy_on_the_login_page(client: Any) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert_policy(response)


def test_it_sends_the_policy_on_a_person_page(client: Any, world: Any, person: Any) -> None:
    client.force_login(world.coordinator)
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    assert_policy(response)


def test_it_sends_the_policy_on_the_api(client: Any, world: Any, person: Any) -> None:
    client.force_login(world.coordinator)
    response = client.get(f"/api/v1/persons/{person.pk}/")
    assert response.status_code == 200
    assert_policy(response)
    anonymous = APIClient().get("/api/v1/me/")
    assert anonymous.status_code == 401
    assert_policy(anonymous)


def test_it_sends_the_policy_on_the_admin(client: Any) -> None:
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert_policy(client.get("/admin/login/"))
    client.force_login(admin)
    response = client.get("/admin/accounts/securityevent/")
    assert response.status_code == 200
    assert_policy(response)


def test_it_sends_the_policy_on_the_not_found_page(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert_policy(response)


def test_it_names_the_secure_socket_origin_over_tls(client: Any, settings: Any) -> None:
    settings.SECURE_SSL_REDIRECT = False
    response = client.get("/login/", secure=True)
    assert csp_of(response)["connect-src"] == "'self' wss://testserver"


# --- Permissions-Policy -----------------------------------------------------------------------------------------


def test_it_turns_off_powerful_features_but_keeps_passkeys(client: Any) -> None:
    header = client.get("/login/")["Permissions-Policy"]
    features = dict(item.strip().split("=", 1) for item in header.split(","))
    for name in ("camera", "microphone", "geolocation", "payment", "usb", "display-capture"):
        assert features[name] == "()", name
    assert features["publickey-credentials-get"] == "(self)"
    assert features["publickey-credentials-create"] == "(self)"


def test_it_sends_permissions_policy_on_api_and_errors(client: Any) -> None:
    assert "camera=()" in APIClient().get("/api/v1/me/")["Permissions-Policy"]
    assert "camera=()" in client.get("/no-such-page/")["Permissions-Policy"]


# --- Cache-Control ----------------------------------------------------------------------------------------------


def test_it_forbids_caching_a_person_page(client: Any, world: Any, person: Any) -> None:
    client.force_login(world.coordinator)
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    assert_not_cached(response)


def test_it_forbids_caching_person_data_from_the_api(world: Any, person: Any) -> None:
    api = APIClient()
    api.force_authenticate(world.coordinator)
    for url in (f"/api/v1/persons/{person.pk}/", "/api/v1/persons/"):
        response = api.get(url)
        assert response.status_code == 200, url
        assert_not_cached(response)


def test_it_forbids_caching_any_api_answer_even_anonymous(client: Any) -> None:
    assert_not_cached(APIClient().get("/api/v1/me/"))


def test_it_forbids_caching_every_page_of_a_signed_in_user(client: Any, world: Any) -> None:
    client.force_login(world.receiving_staff)
    for url in ("/", "/referrals/", "/account/", "/no-such-page/"):
        assert_not_cached(client.get(url))


def test_it_leaves_static_files_cacheable(client: Any, world: Any) -> None:
    client.force_login(world.coordinator)
    response = client.get("/static/frontend/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- the schema and Swagger UI ----------------------------------------------------------------------------------


def test_it_refuses_the_schema_to_anonymous_visitors_outside_debug(settings: Any) -> None:
    settings.DEBUG = False
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


def test_it_sends_anonymous_visitors_of_the_docs_to_sign_in(client: Any, settings: Any) -> None:
    settings.DEBUG = False
    response = client.get("/api/v1/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/api/v1/docs/"
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 401


def test_it_serves_the_schema_and_docs_to_a_signed_in_user(client: Any, world: Any, settings: Any) -> None:
    settings.DEBUG = False
    client.force_login(world.receiving_staff)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/me/" in schema.json()["paths"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert_policy(docs)
    # Swagger UI starts from a same-origin script, not an inline one.
    assert re.search(r'<script src="/api/v1/docs/\?[^"]*script=', html)
    assert "<style" not in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_it_keeps_the_docs_open_while_developing(settings: Any) -> None:
    settings.DEBUG = True
    assert APIClient().get("/api/v1/schema/").status_code == 200


# --- no inline script or style in any template ------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
HX_ON = re.compile(r"\s(?:data-)?hx-on(?::|-|=)", re.I)


def templates() -> list[Path]:
    found: list[Path] = []
    for folder in ROOT.iterdir():
        if folder.name.startswith(".") or folder.name in {"tests", "node_modules"} or not folder.is_dir():
            continue
        found.extend(path for path in folder.rglob("templates/**/*") if path.suffix in {".html", ".txt", ".svg"})
    return sorted(found)


def test_it_finds_the_templates() -> None:
    names = {path.name for path in templates()}
    assert {"base.html", "_candidate_row.html", "swagger_ui.html"} <= names


@pytest.mark.parametrize(
    ("pattern", "what"),
    [(INLINE_SCRIPT, "inline <script>"), (INLINE_STYLE, "inline style"), (HANDLER, "on*= handler"), (HX_ON, "hx-on")],
    ids=["script", "style", "handler", "hx-on"],
)
def test_it_has_no_inline_code_in_any_template(pattern: re.Pattern[str], what: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in templates()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == [], f"{what} in {offenders}"


def test_it_catches_inline_code_the_scanner_is_meant_to_catch() -> None:
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer></script>')
    assert INLINE_STYLE.search('<div style="color:red">') and INLINE_STYLE.search("<style>")
    assert HANDLER.search('<a onclick="x()">') and not HANDLER.search('<a data-once="1">')
    assert HX_ON.search('<tr hx-on:htmx:before-swap="x">') and HX_ON.search('<b hx-on-click="x">')
