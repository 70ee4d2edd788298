"""Permission matrix of the directory API: every operation × every persona × own / neighbour / other network's object.

Each row states the exact answer. A list answers SEEN or HIDDEN (200, and whether the target is in it). The last
test reads the generated OpenAPI schema and fails when an operation under /api/v1/ has no row here or in the
other matrix modules (MATRIX_MODULES: people, consents, referrals, assessments, groups, the person's own API).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from partners.services import staff_add
from tests.factories import MembershipFactory, PartnerFactory, ServiceFactory, api_token
from tests.personas import World

pytestmark = pytest.mark.django_db

PERSONAS = [
    "coordinator",
    "receiving_staff",
    "receiving_admin",
    "sending_staff",
    "employer",
    "unrelated_staff",
    "unrelated_admin",
    "other_coordinator",
    "monitor",
    "anonymous",
]
OURS_PEOPLE = ["coordinator", "receiving_staff", "receiving_admin", "sending_staff", "employer"]
THEIR_PEOPLE = ["unrelated_staff", "unrelated_admin", "other_coordinator"]
SEEN = "200 seen"
HIDDEN = "200 hidden"

Outcome = int | str


def expect(default: Outcome, **outcomes: Outcome) -> dict[str, Outcome]:
    """Outcome per persona: ``default`` unless named; anonymous is always 401."""
    unknown = set(outcomes) - set(PERSONAS)
    assert not unknown, unknown
    table = {persona: outcomes.get(persona, default) for persona in PERSONAS}
    table["anonymous"] = 401
    return table


def network_wide(ours: Outcome, theirs: Outcome, monitor: Outcome, **named: Outcome) -> dict[str, Outcome]:
    """Everyone in network A gets ``ours``, everyone in network B ``theirs``; then the named exceptions."""
    return expect(ours, **{**dict.fromkeys(THEIR_PEOPLE, theirs), "monitor": monitor, **named})


def mirrored(table: dict[str, Outcome]) -> dict[str, Outcome]:
    """The same table for network B's object: swap each persona with its counterpart there."""
    swap = {
        "coordinator": "other_coordinator",
        "receiving_staff": "unrelated_staff",
        "receiving_admin": "unrelated_admin",
    }
    swap |= {v: k for k, v in swap.items()}
    mirrored_table: dict[str, Outcome] = {}
    for persona in PERSONAS:
        counterpart = swap.get(persona)
        if counterpart is None:
            # A persona with no counterpart in B is, seen from B's object, just someone of another network.
            counterpart = "unrelated_staff" if persona in OURS_PEOPLE else persona
        mirrored_table[persona] = table[counterpart]
    return mirrored_table


@dataclass
class Extra:
    """Objects the matrix needs beyond the shared world."""

    former_ours: Any  # was a member of network A, may be added again
    former_theirs: Any
    neighbour_service: Any  # a service of ŚDS, the other partner in network A
    invitations: dict[str, Any]  # pending staff memberships: MOPR invites ŚDS's staff; B's NGO, B's coordinator


@dataclass
class Operation:
    method: str
    path: str  # as the OpenAPI schema spells it
    request: Callable[[World, Extra, str], tuple[str, dict[str, Any] | None]]
    expected: dict[str, dict[str, Outcome]]  # target → persona → outcome
    list_of: Callable[[World, Extra, str], Any] | None = None  # for lists: the object that is SEEN or HIDDEN
    format: str = "json"  # "multipart" for an upload


def partners_csv() -> Any:
    """A fresh upload for each request: two valid partner rows, as the import page takes them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.network.test_import import csv_file, partner_rows

    return SimpleUploadedFile("partnerzy.csv", csv_file(partner_rows()), content_type="text/csv")


def network_of(w: World, target: str) -> Any:
    return w.network if target == "ours" else w.other_network


def partner_of(w: World, target: str) -> Any:
    return {"ours": w.receiving, "neighbour": w.sending, "theirs": w.unrelated}[target]


def staff_of(w: World, target: str) -> Any:
    user = {"ours": w.receiving_staff, "neighbour": w.sending_staff, "theirs": w.unrelated_staff}[target]
    return user.staff_memberships.get(partner=partner_of(w, target))


def service_of(w: World, x: Extra, target: str) -> Any:
    return {"ours": w.service, "neighbour": x.neighbour_service, "theirs": w.other_service}[target]


def membership_of(w: World, target: str) -> Any:
    partner = w.receiving if target == "ours" else w.unrelated
    return partner.network_memberships.get()


INSTRUMENT = {
    "name_pl": "Nasze narzędzie",
    "scale_min": 1,
    "scale_max": 2,
    "domains": [
        {
            "code": "a",
            "name_pl": "A",
            "levels": [{"value": 1, "description_pl": "mało"}, {"value": 2, "description_pl": "dużo"}],
        }
    ],
}


def a_day_off(w: World, target: str) -> Any:
    from network.models import DayOff

    return DayOff.objects.create(network=network_of(w, target), day=datetime.date(2026, 6, 5), name="Most")


def an_instrument(w: World, target: str) -> Any:
    from people.assessments import DomainSpec, LevelSpec, instrument_create

    return instrument_create(
        actor=w.coordinator if target == "ours" else w.other_coordinator,
        network=network_of(w, target),
        code="wlasne",
        name_pl="Nasze narzędzie",
        domains=[DomainSpec("a", "A", levels=[LevelSpec(1, "mało"), LevelSpec(2, "dużo")])],
        scale_max=2,
    )


# Network-level operations: its coordinators act, the rest of its network may only look.
COORDINATORS_ONLY = network_wide(403, 404, 403, coordinator=200)
COORDINATORS_CREATE = network_wide(403, 404, 403, coordinator=201)
NETWORK_READ = network_wide(200, 404, 200)
LIST_OURS = network_wide(SEEN, HIDDEN, SEEN)

# A partner's staff: its own people and its networks' coordinators see them, its admins change them.
STAFF_READ_OURS = expect(404, coordinator=200, receiving_staff=200, receiving_admin=200)
STAFF_READ_NEIGHBOUR = expect(404, coordinator=200, sending_staff=200)
STAFF_ADD_OURS = expect(404, coordinator=403, receiving_staff=403, receiving_admin=201)
STAFF_ADD_NEIGHBOUR = expect(404, coordinator=403, sending_staff=403)
STAFF_CHANGE_OURS = {**STAFF_ADD_OURS, "receiving_admin": 200}
# An invitation is its invitee's alone to see and answer: everyone else gets 404, even the inviting admin.
INVITEE = {"ours": "sending_staff", "theirs": "other_coordinator"}
ANSWER_INVITATION = {t: expect(404, **{invitee: 200}) for t, invitee in INVITEE.items()}
SEE_INVITATION = {t: expect(HIDDEN, **{invitee: SEEN}) for t, invitee in INVITEE.items()}

# A partner's profile and services: its admins and its networks' coordinators change them.
PROFILE_OURS = network_wide(403, 404, 403, coordinator=200, receiving_admin=200)
PROFILE_NEIGHBOUR = network_wide(403, 404, 403, coordinator=200)
# Creating a service names its partner in the body: one you cannot see is bad input (400), not a 404.
SERVICE_CREATE_OURS = network_wide(403, 400, 403, coordinator=201, receiving_admin=201)
SERVICE_CREATE_NEIGHBOUR = network_wide(403, 400, 403, coordinator=201)

MATRIX = [
    Operation("GET", "/api/v1/me/", lambda w, x, t: ("/api/v1/me/", None), {"self": expect(200)}),
    # One's own account settings: every signed-in user, only their own (there is no id to name another's).
    Operation("PATCH", "/api/v1/me/", lambda w, x, t: ("/api/v1/me/", {"first_name": "Ala"}), {"self": expect(200)}),
    # One's own tokens and password: every signed-in user, only their own (tests/accounts/test_tokens.py).
    Operation("GET", "/api/v1/auth/tokens/", lambda w, x, t: ("/api/v1/auth/tokens/", None), {"self": expect(200)}),
    Operation(
        "DELETE",
        "/api/v1/auth/tokens/{id}/",
        lambda w, x, t: ("/api/v1/auth/tokens/nope/", None),
        {"self": expect(404)},
    ),
    Operation("POST", "/api/v1/auth/logout/", lambda w, x, t: ("/api/v1/auth/logout/", None), {"self": expect(204)}),
    Operation("POST", "/api/v1/auth/password/", lambda w, x, t: ("/api/v1/auth/password/", {}), {"self": expect(400)}),
    Operation(
        "GET",
        "/api/v1/networks/",
        lambda w, x, t: ("/api/v1/networks/", None),
        {"ours": LIST_OURS, "theirs": mirrored(LIST_OURS)},
        list_of=lambda w, x, t: network_of(w, t),
    ),
    Operation(
        "GET",
        "/api/v1/networks/{id}/",
        lambda w, x, t: (f"/api/v1/networks/{network_of(w, t).pk}/", None),
        {"ours": NETWORK_READ, "theirs": mirrored(NETWORK_READ)},
    ),
    Operation(
        "PATCH",
        "/api/v1/networks/{id}/",
        lambda w, x, t: (f"/api/v1/networks/{network_of(w, t).pk}/", {"description": "Wsparcie po kryzysie."}),
        {"ours": COORDINATORS_ONLY, "theirs": mirrored(COORDINATORS_ONLY)},
    ),
    Operation(
        "GET",
        "/api/v1/networks/{id}/memberships/",
        lambda w, x, t: (f"/api/v1/networks/{network_of(w, t).pk}/memberships/", None),
        {"ours": COORDINATORS_ONLY, "theirs": mirrored(COORDINATORS_ONLY)},
    ),
    Operation(
        "POST",
        "/api/v1/networks/{id}/memberships/",
        lambda w, x, t: (
            f"/api/v1/networks/{network_of(w, t).pk}/memberships/",
            {"partner": str((x.former_ours if t == "ours" else x.former_theirs).pk), "functions": ["legal_advice"]},
        ),
        {"ours": COORDINATORS_CREATE, "theirs": mirrored(COORDINATORS_CREATE)},
    ),
    # Importing partners and services: the network's coordinators; whoever else sees the network 403, 404 beyond.
    Operation(
        "POST",
        "/api/v1/networks/{id}/import/",
        lambda w, x, t: (
            f"/api/v1/networks/{network_of(w, t).pk}/import/",
            {"file": partners_csv(), "kind": "partners"},
        ),
        {"ours": COORDINATORS_ONLY, "theirs": mirrored(COORDINATORS_ONLY)},
        format="multipart",
    ),
    Operation(
        "PATCH",
        "/api/v1/memberships/{id}/",
        lambda w, x, t: (f"/api/v1/memberships/{membership_of(w, t).pk}/", {"contact_name": "Anna Kowalska"}),
        {"ours": COORDINATORS_ONLY, "theirs": mirrored(COORDINATORS_ONLY)},
    ),
    Operation(
        "GET",
        "/api/v1/partners/",
        lambda w, x, t: ("/api/v1/partners/", None),
        {"ours": LIST_OURS, "neighbour": LIST_OURS, "theirs": mirrored(LIST_OURS)},
        list_of=lambda w, x, t: partner_of(w, t),
    ),
    Operation(
        "POST",
        "/api/v1/partners/",
        lambda w, x, t: (
            "/api/v1/partners/",
            {
                "name": "Klub Integracji",
                "type": "cis_kis",
                "sector": "social",
                "network": str(network_of(w, t).pk),
                "functions": ["vocational_training"],
            },
        ),
        # Naming a network you cannot see is bad input; seeing it without coordinating it is a 403.
        {
            "ours": network_wide(403, 400, 403, coordinator=201),
            "theirs": network_wide(400, 403, 403, other_coordinator=201),
        },
    ),
    Operation(
        "GET",
        "/api/v1/partners/{id}/",
        lambda w, x, t: (f"/api/v1/partners/{partner_of(w, t).pk}/", None),
        {"ours": NETWORK_READ, "neighbour": NETWORK_READ, "theirs": mirrored(NETWORK_READ)},
    ),
    Operation(
        "PATCH",
        "/api/v1/partners/{id}/",
        lambda w, x, t: (f"/api/v1/partners/{partner_of(w, t).pk}/", {"phone": "32 111 22 33"}),
        {"ours": PROFILE_OURS, "neighbour": PROFILE_NEIGHBOUR, "theirs": mirrored(PROFILE_OURS)},
    ),
    Operation(
        "GET",
        "/api/v1/partners/{id}/staff/",
        lambda w, x, t: (f"/api/v1/partners/{partner_of(w, t).pk}/staff/", None),
        {"ours": STAFF_READ_OURS, "neighbour": STAFF_READ_NEIGHBOUR, "theirs": mirrored(STAFF_READ_OURS)},
    ),
    Operation(
        "POST",
        "/api/v1/partners/{id}/staff/",
        lambda w, x, t: (f"/api/v1/partners/{partner_of(w, t).pk}/staff/", {"username": "nowy-pracownik"}),
        {"ours": STAFF_ADD_OURS, "neighbour": STAFF_ADD_NEIGHBOUR, "theirs": mirrored(STAFF_ADD_OURS)},
    ),
    Operation(
        "PATCH",
        "/api/v1/staff/{id}/",
        lambda w, x, t: (f"/api/v1/staff/{staff_of(w, t).pk}/", {"job_title": "asystent"}),
        {
            "ours": STAFF_CHANGE_OURS,
            "neighbour": STAFF_ADD_NEIGHBOUR,
            "theirs": mirrored(STAFF_CHANGE_OURS),
        },
    ),
    Operation(
        "GET",
        "/api/v1/staff/invitations/",
        lambda w, x, t: ("/api/v1/staff/invitations/", None),
        SEE_INVITATION,
        list_of=lambda w, x, t: x.invitations[t],
    ),
    Operation(
        "POST",
        "/api/v1/staff/{id}/confirm/",
        lambda w, x, t: (f"/api/v1/staff/{x.invitations[t].pk}/confirm/", None),
        ANSWER_INVITATION,
    ),
    Operation(
        "POST",
        "/api/v1/staff/{id}/decline/",
        lambda w, x, t: (f"/api/v1/staff/{x.invitations[t].pk}/decline/", None),
        ANSWER_INVITATION,
    ),
    Operation(
        "GET",
        "/api/v1/services/",
        lambda w, x, t: ("/api/v1/services/", None),
        {"ours": LIST_OURS, "neighbour": LIST_OURS, "theirs": mirrored(LIST_OURS)},
        list_of=lambda w, x, t: service_of(w, x, t),
    ),
    Operation(
        "POST",
        "/api/v1/services/",
        lambda w, x, t: (
            "/api/v1/services/",
            {"partner": str(partner_of(w, t).pk), "name": "Grupa wsparcia", "category": "community_support"},
        ),
        {
            "ours": SERVICE_CREATE_OURS,
            "neighbour": SERVICE_CREATE_NEIGHBOUR,
            "theirs": mirrored(SERVICE_CREATE_OURS),
        },
    ),
    Operation(
        "GET",
        "/api/v1/services/{id}/",
        lambda w, x, t: (f"/api/v1/services/{service_of(w, x, t).pk}/", None),
        {"ours": NETWORK_READ, "neighbour": NETWORK_READ, "theirs": mirrored(NETWORK_READ)},
    ),
    Operation(
        "PATCH",
        "/api/v1/services/{id}/",
        lambda w, x, t: (f"/api/v1/services/{service_of(w, x, t).pk}/", {"schedule": "pn.-pt. 8:00-16:00"}),
        {"ours": PROFILE_OURS, "neighbour": PROFILE_NEIGHBOUR, "theirs": mirrored(PROFILE_OURS)},
    ),
    # --- issue 15: the network's days off, a service's waitlist, the instrument editor ---
    Operation(
        "GET",
        "/api/v1/networks/{id}/days-off/",
        lambda w, x, t: (f"/api/v1/networks/{network_of(w, t).pk}/days-off/", None),
        {"ours": COORDINATORS_ONLY, "theirs": mirrored(COORDINATORS_ONLY)},
    ),
    Operation(
        "POST",
        "/api/v1/networks/{id}/days-off/",
        lambda w, x, t: (f"/api/v1/networks/{network_of(w, t).pk}/days-off/", {"day": "2026-06-05", "name": "Most"}),
        {"ours": COORDINATORS_CREATE, "theirs": mirrored(COORDINATORS_CREATE)},
    ),
    Operation(
        "DELETE",
        "/api/v1/days-off/{id}/",
        lambda w, x, t: (f"/api/v1/days-off/{a_day_off(w, t).pk}/", None),
        {"ours": expect(404, coordinator=204), "theirs": mirrored(expect(404, coordinator=204))},
    ),
    Operation(
        "GET",
        "/api/v1/services/{id}/waitlist/",
        lambda w, x, t: (f"/api/v1/services/{service_of(w, x, t).pk}/waitlist/", None),
        {"ours": STAFF_READ_OURS, "neighbour": STAFF_READ_NEIGHBOUR, "theirs": mirrored(STAFF_READ_OURS)},
    ),
    Operation(
        "GET",
        "/api/v1/networks/{id}/instruments/",
        lambda w, x, t: (f"/api/v1/networks/{network_of(w, t).pk}/instruments/", None),
        {"ours": COORDINATORS_ONLY, "theirs": mirrored(COORDINATORS_ONLY)},
    ),
    Operation(
        "POST",
        "/api/v1/networks/{id}/instruments/",
        lambda w, x, t: (f"/api/v1/networks/{network_of(w, t).pk}/instruments/", {**INSTRUMENT, "code": "nowe"}),
        {"ours": COORDINATORS_CREATE, "theirs": mirrored(COORDINATORS_CREATE)},
    ),
    Operation(
        "POST",
        "/api/v1/instruments/{id}/versions/",
        lambda w, x, t: (f"/api/v1/instruments/{an_instrument(w, t).pk}/versions/", INSTRUMENT),
        {"ours": COORDINATORS_CREATE, "theirs": mirrored(COORDINATORS_CREATE)},
    ),
]


@pytest.fixture
def extra(world: World) -> Extra:
    former_ours = PartnerFactory(name="Dawny partner Piekary")
    former_theirs = PartnerFactory(name="Dawny partner Bytom")
    for network, partner in [(world.network, former_ours), (world.other_network, former_theirs)]:
        MembershipFactory(
            network=network, partner=partner, since=datetime.date(2024, 1, 1), until=datetime.date(2024, 12, 31)
        )
    return Extra(
        former_ours=former_ours,
        former_theirs=former_theirs,
        neighbour_service=ServiceFactory(partner=world.sending, name="Trening umiejętności społecznych"),
        invitations={
            "ours": staff_add(actor=world.receiving_admin, partner=world.receiving, user=world.sending_staff),
            "theirs": staff_add(actor=world.unrelated_admin, partner=world.unrelated, user=world.other_coordinator),
        },
    )


def clients(world: World) -> dict[str, APIClient]:
    result = {}
    for persona, user in world.personas().items():
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        result[persona] = client
    return result


def observe(response: Any, listed: Any) -> Outcome:
    if listed is None or response.status_code != 200:
        return int(response.status_code)
    ids = {row["id"] for row in response.json()["results"]}
    return SEEN if str(listed.pk) in ids else HIDDEN


CASES = [(op, target) for op in MATRIX for target in op.expected]


@pytest.mark.parametrize(
    ("operation", "target"), CASES, ids=[f"{op.method} {op.path} {target}" for op, target in CASES]
)
def test_it_answers_each_persona_exactly(world: World, extra: Extra, operation: Operation, target: str) -> None:
    actual: dict[str, Outcome] = {}
    for persona, client in clients(world).items():
        # Each persona acts on the same starting state: whatever it changed is rolled back.
        with transaction.atomic():
            url, body = operation.request(world, extra, target)
            response = getattr(client, operation.method.lower())(url, body, format=operation.format)
            if response.status_code in (401, 403, 404):
                assert set(response.json()) == {"detail", "code"}, response.json()
            listed = operation.list_of(world, extra, target) if operation.list_of else None
            actual[persona] = observe(response, listed)
            transaction.set_rollback(True)
    assert actual == operation.expected[target]


# Every module holding rows of the matrix; each has a MATRIX of rows with ``method`` and ``path``.
MATRIX_MODULES = [
    "tests.api.test_api_permissions",
    "tests.api.test_api_permissions_people",
    "tests.api.test_api_permissions_webhooks",
    "tests.api.test_own_person_api",
]


def test_it_has_a_row_for_every_operation_of_the_schema() -> None:
    import importlib

    schema = SchemaGenerator().get_schema(request=None, public=True)
    not_directory = {"/api/v1/auth/token/", "/api/v1/schema/", "/api/v1/docs/"}
    operations = {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/") and path not in not_directory
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    covered = {(op.method, op.path) for name in MATRIX_MODULES for op in importlib.import_module(name).MATRIX}
    assert operations - covered == set(), "operations without a row in the permission matrix"
    assert covered - operations == set(), "rows for operations the schema does not have"


def test_it_answers_every_error_as_detail_and_code(world: World) -> None:
    """The shape integrators rely on (DESIGN §9) for 401, 403 and 404 alike."""
    api = clients(world)
    answers = [
        api["anonymous"].get("/api/v1/partners/"),
        api["receiving_staff"].post(f"/api/v1/partners/{world.receiving.pk}/staff/", {"username": "x"}),
        api["unrelated_admin"].get(f"/api/v1/partners/{world.receiving.pk}/staff/"),
    ]
    assert [a.status_code for a in answers] == [401, 403, 404]
    for answer in answers:
        assert set(answer.json()) == {"detail", "code"}
    assert [a.json()["code"] for a in answers] == ["not_authenticated", "permission_denied", "not_found"]
