"""Issue 18: the person's own API and the wall between the two kinds of account.

A person account gets an answer only from /api/v1/me/person/ and the token door; every other address of the site
(staff pages and API, the admin, the FHIR face) is a 404 to it, by session and by token alike. Staff get 404 on
/api/v1/me/person/. One person's account never reaches another person's consent."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from people.access import access_to_person
from people.audit import log_access
from people.models import AccessLog
from referrals.choices import State
from referrals.models import Referral
from tests.api.test_api_permissions import PERSONAS
from tests.factories import api_token
from tests.own_fixtures import OWN_PASSWORD, make_own_account
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = pytest.mark.django_db

OWN_API = [
    "api-me-person",
    "api-me-person-consents",
    "api-me-person-requests",
    "api-me-person-access-log",
    "api-me-person-export",
]
# What a person account may reach besides its own pages and API: signing in and out, its password and factor,
# and the accessibility statement its footer links to.
OPEN_TO_IT = ("/moje/", "/api/v1/me/person/", "/api/v1/auth/", "/login/", "/logout/", "/password-reset/",
              "/account/second-factor/", "/account/password/", "/account/session/", "/passkeys/", "/i18n/",
              "/deklaracja-dostepnosci/")  # fmt: skip


def _routes() -> list[str]:
    """Every address of the site with its arguments filled in (a random UUID, a number, a word)."""
    values = {"uuid": str(uuid.uuid4()), "int": "98765", "str": "abc", "path": "abc", "slug": "abc"}

    def walk(patterns: list[Any], prefix: str) -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    import re

    addresses = set()
    for route in walk(get_resolver().url_patterns, ""):
        if route.startswith("^") or "(?P" in route:
            route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "abc", route).lstrip("^").rstrip("$").replace("\\", "")
        address = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: values.get(m.group(1) or "str", "abc"), route)
        addresses.add(address)
    return sorted(addresses)


@pytest.fixture
def person_client(world: Any) -> tuple[Client, Any, Any]:
    person = consenting_person(world)
    user = make_own_account(world, person)
    client = Client()
    client.force_login(user)
    return client, user, person


def test_a_person_account_gets_404_on_every_staff_address(world: Any, person_client: Any) -> None:
    client, user, _person = person_client
    token = api_token(user)
    failures = []
    for address in _routes():
        if address.startswith(OPEN_TO_IT) or address in ("/", "/healthz"):
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(address)
            if response.status_code != 404:
                failures.append(f"session {method.upper()} {address}: {response.status_code}")
        if address.startswith(("/api/", "/fhir/")):
            response = Client().get(address, headers={"Authorization": f"Token {token}"})
            if response.status_code != 404:
                failures.append(f"token GET {address}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert client.get("/").status_code == 302  # its start page is /moje/


def test_the_admin_and_fhir_are_404_to_a_person_account(person_client: Any) -> None:
    client, user, person = person_client
    assert client.get("/admin/").status_code == 404
    assert client.get(f"/fhir/Patient/{person.pk}").status_code == 404
    token = api_token(user)
    assert Client().get("/api/v1/persons/", headers={"Authorization": f"Token {token}"}).status_code == 404
    assert Client().get("/api/v1/me/person/", headers={"Authorization": f"Token {token}"}).status_code == 200


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
@pytest.mark.parametrize("name", OWN_API)
def test_staff_get_404_on_the_persons_own_api(world: Any, persona: str, name: str) -> None:
    client = Client()
    client.force_login(world.personas()[persona])
    method = "post" if name == "api-me-person-requests" else "get"
    assert getattr(client, method)(reverse(name)).status_code == 404


def test_anonymous_gets_401_on_the_persons_own_api(world: Any) -> None:
    for name in OWN_API:
        assert Client().get(reverse(name)).status_code == 401


def test_the_token_door_serves_a_person_account(world: Any, person_client: Any) -> None:
    _client, user, _person = person_client
    response = Client().post(
        "/api/v1/auth/token/", {"username": user.username, "password": OWN_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    me = Client().get("/api/v1/me/person/", headers={"Authorization": f"Token {token}"})
    assert me.status_code == 200 and me.json()["relation"] == "person"


def test_my_record_and_consents(world: Any, person_client: Any) -> None:
    client, _user, person = person_client
    me = client.get("/api/v1/me/person/").json()
    assert me["id"] == str(person.pk)
    assert "health_notes" not in me["record"]
    consents = client.get("/api/v1/me/person/consents/").json()
    assert [c["id"] for c in consents] == [str(c.pk) for c in person.consents.all()]
    assert consents[0]["live"] and consents[0]["withdrawing_stops"]


def test_withdrawing_through_the_api_stops_the_partner_in_the_same_request(world: Any, person_client: Any) -> None:
    client, _user, person = person_client
    referral = sent_referral(world, person=person, categories=["identity", "social"])
    assert access_to_person(world.receiving_staff, person) is not None
    consent = person.consents.get()
    response = client.post(f"/api/v1/me/person/consents/{consent.pk}/withdraw/")
    assert response.status_code == 200, response.content
    assert response.json()["withdrawn_at"] and not response.json()["live"]
    assert access_to_person(world.receiving_staff, person) is None
    assert Referral.objects.get(pk=referral.pk).state == State.WITHDRAWN
    again = client.post(f"/api/v1/me/person/consents/{consent.pk}/withdraw/")
    assert again.status_code == 409 and again.json()["code"] == "already_withdrawn"


def test_another_persons_consent_is_404(world: Any, person_client: Any) -> None:
    client, _user, _person = person_client
    other = consenting_person(world, first_name="Jan", last_name="Nowak").consents.get()
    assert client.post(f"/api/v1/me/person/consents/{other.pk}/withdraw/").status_code == 404
    assert client.post("/api/v1/me/person/consents/not-a-uuid/withdraw/").status_code == 404
    other.refresh_from_db()
    assert other.withdrawn_at is None


def test_the_access_log_lists_exactly_my_entries(world: Any, person_client: Any) -> None:
    client, _user, person = person_client
    other = consenting_person(world, first_name="Jan", last_name="Nowak")
    log_access(user=world.receiving_staff, person=person, action="view", view="person-detail")
    log_access(user=world.receiving_staff, person=other, action="view", view="person-detail")
    rows = client.get("/api/v1/me/person/access-log/").json()
    assert {row["id"] for row in rows} == set(AccessLog.objects.filter(person=person).values_list("id", flat=True))
    assert any(row["institution"] == "MOPR Piekary" and row["name"] == "" for row in rows)


def test_the_export_is_mine_and_logged(world: Any, person_client: Any) -> None:
    client, user, person = person_client
    response = client.get("/api/v1/me/person/export/")
    assert response.status_code == 200
    record = response.json()
    assert record["person"]["id"] == str(person.pk)
    assert AccessLog.objects.filter(person=person, user=user, action="export").exists()
    page_pdf = client.get("/moje/dane/moje-dane.pdf")
    assert page_pdf.status_code == 200 and page_pdf.content.startswith(b"%PDF")


def test_a_person_account_has_no_websocket(world: Any, person_client: Any) -> None:
    from core.account_kinds import may_reach

    _client, user, _person = person_client
    assert not may_reach(user, "/ws/notifications/")
    assert may_reach(world.coordinator, "/ws/notifications/")


# --- rows of the API permission matrix (tests/api/test_api_permissions.py reads MATRIX for its schema check) -----


@dataclass
class OwnRow:
    method: str
    path: str  # as the OpenAPI schema spells it
    url: Callable[[Any], str]  # from the person whose account acts; the consent is theirs
    person_account: int  # what their own account gets; every staff persona gets 404 and anonymous 401
    # What another person's account gets at the same address with the same body: its own answer for a read, a 404
    # where the address or the body names something of this person's.
    another_person: int = 200
    body: Callable[[Any, Any], dict[str, Any]] | None = None  # (world, person) → the request's body


def _consent_url(person: Any) -> str:
    return f"/api/v1/me/person/consents/{person.consents.get().pk}/withdraw/"


def _about_an_entry(world: Any, person: Any) -> dict[str, Any]:
    """A question about a partner's opening of this person's record."""
    entry = log_access(user=world.receiving_staff, person=person, action="view", view="person-detail")
    return {"kind": "entry", "entry": entry.pk, "message": "Kto to był?"}


MATRIX = [
    OwnRow("GET", "/api/v1/me/person/", lambda p: "/api/v1/me/person/", 200),
    OwnRow("PATCH", "/api/v1/me/person/", lambda p: "/api/v1/me/person/", 200, 200, lambda w, p: {"contact_by": ""}),
    OwnRow("GET", "/api/v1/me/person/consents/", lambda p: "/api/v1/me/person/consents/", 200),
    OwnRow("POST", "/api/v1/me/person/consents/{id}/withdraw/", _consent_url, 200, 404),
    OwnRow("POST", "/api/v1/me/person/requests/", lambda p: "/api/v1/me/person/requests/", 202, 404, _about_an_entry),
    OwnRow("GET", "/api/v1/me/person/access-log/", lambda p: "/api/v1/me/person/access-log/", 200),
    OwnRow("GET", "/api/v1/me/person/export/", lambda p: "/api/v1/me/person/export/", 200),
]


@pytest.mark.parametrize("row", MATRIX, ids=[f"{r.method} {r.path}" for r in MATRIX])
def test_each_persona_gets_exactly_its_answer_from_the_persons_api(world: Any, row: OwnRow) -> None:
    from django.db import transaction
    from rest_framework.test import APIClient

    person = consenting_person(world)
    own_user = make_own_account(world, person)
    other = consenting_person(world, first_name="Jan", last_name="Nowak")
    other_user = make_own_account(world, other, username="jan")
    users = {**world.personas(), "person_account": own_user, "another_person": other_user}
    expected = {name: 404 for name in users} | {"anonymous": 401, "person_account": row.person_account}
    expected["another_person"] = row.another_person
    body = row.body(world, person) if row.body else None
    actual = {}
    for name, user in users.items():
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        with transaction.atomic():
            response = getattr(client, row.method.lower())(row.url(person), body, format="json")
            if response.status_code in (401, 403, 404):
                assert set(response.json()) == {"detail", "code"}, (name, response.json())
            actual[name] = response.status_code
            transaction.set_rollback(True)
    assert actual == expected


def test_my_request_and_my_contact_choice_through_the_api(world: Any, person_client: Any) -> None:
    """The same services as /moje/: the case manager is told (initials only), the choice of contact is kept, and
    bad input is a 400 with nothing changed."""
    from notifications.models import Notification
    from people.models import PersonAccount

    client, user, person = person_client
    response = client.post(
        "/api/v1/me/person/requests/", {"kind": "consent", "message": "Chcę zgodę"}, content_type="application/json"
    )
    assert response.status_code == 202, response.content
    told = Notification.objects.filter(kind="person.request.consent")
    assert told.exists() and all(person.last_name not in n.text for n in told)
    assert client.post("/api/v1/me/person/requests/", {"kind": "x"}, content_type="application/json").status_code == 400
    answer = client.patch("/api/v1/me/person/", {"contact_by": "email"}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["contact_by"] == "email"
    assert PersonAccount.objects.get(user=user).contact_by == "email"
    refused = client.patch("/api/v1/me/person/", {"contact_by": "pigeon"}, content_type="application/json")
    assert refused.status_code == 400 and PersonAccount.objects.get(user=user).contact_by == "email"


def test_staff_invite_the_person_through_the_api(world: Any, mailoutbox: Any) -> None:
    """The coordinator's invitation by the API: the same link by e-mail as the page's, never in the answer, and
    listed with the person's accounts."""
    from django.test import TestCase
    from rest_framework.test import APIClient

    person = consenting_person(world)
    client = APIClient()
    client.force_authenticate(world.coordinator)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/api/v1/persons/{person.pk}/own-account/invitations/",
            {"relation": "person", "channel": "email", "address": "anna@example.org", "language": "pl"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["usable"] and "token" not in response.json()
    assert len(mailoutbox) == 1 and "/moje/zaproszenie/" in mailoutbox[0].body
    bad = client.post(
        f"/api/v1/persons/{person.pk}/own-account/invitations/",
        {"relation": "person", "channel": "email", "address": "not-an-address"},
        format="json",
    )
    assert bad.status_code == 400 and "address" in bad.json()
    listed = client.get(f"/api/v1/persons/{person.pk}/own-account/").json()
    assert [i["address"] for i in listed["invitations"]] == ["anna@example.org"] and listed["accounts"] == []
