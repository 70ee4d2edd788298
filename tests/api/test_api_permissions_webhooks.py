"""Permission matrix of the webhook API: operation × persona × target.

Targets: ``partner`` (a webhook of MOPR, network A's receiving partner), ``network`` (network A's coordination),
``theirs`` (network B's NGO). A webhook is managed by its partner's admins or its network's coordinators only:
everyone else — the partner's own staff included — gets 404, as for a missing one; a list shows each persona
exactly the webhooks they manage. ``test_api_permissions`` checks that every operation has a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction

from tests.api.test_api_permissions import HIDDEN, SEEN, Outcome, clients, expect
from tests.personas import World
from webhooks import services
from webhooks.models import Subscription

pytestmark = pytest.mark.django_db

TARGETS = ("partner", "network", "theirs")
URL = "http://127.0.0.1:9/hook"  # nothing listens there: a ping fails at once, without leaving the machine
Table = dict[str, Outcome]


@dataclass
class Operation:
    method: str
    path: str  # as the OpenAPI schema spells it
    request: Callable[[World, dict[str, Subscription], str], tuple[str, dict[str, Any] | None]]
    expected: dict[str, Table]
    list_of: Callable[[dict[str, Subscription], str], Any] | None = None


MANAGERS = {"partner": "receiving_admin", "network": "coordinator", "theirs": "unrelated_admin"}


def owners(outcome: Outcome) -> dict[str, Table]:
    """``outcome`` for the one persona who manages the target's webhook; 404 for everyone else."""
    return {target: expect(404, **{manager: outcome}) for target, manager in MANAGERS.items()}


def path(suffix: str = "") -> Callable[[World, dict[str, Subscription], str], tuple[str, dict[str, Any] | None]]:
    return lambda w, subs, target: (f"/api/v1/webhooks/{subs[target].pk}/{suffix}", {})


def create_body(w: World, subs: dict[str, Subscription], target: str) -> tuple[str, dict[str, Any]]:
    owner = {"partner": {"partner": str(w.receiving.pk)}, "network": {"network": str(w.network.pk)}}.get(
        target, {"partner": str(w.unrelated.pk)}
    )
    return "/api/v1/webhooks/", {"url": URL, "events": ["referral.*"], **owner}


MATRIX = [
    Operation(
        "GET",
        "/api/v1/webhooks/",
        lambda w, subs, target: ("/api/v1/webhooks/", None),
        {target: expect(HIDDEN, **{manager: SEEN}) for target, manager in MANAGERS.items()},
        list_of=lambda subs, target: subs[target],
    ),
    Operation(
        "POST",
        "/api/v1/webhooks/",
        create_body,
        # Naming an institution one does not administer (or a network one does not coordinate) is a field error.
        {target: expect(400, **{manager: 201}) for target, manager in MANAGERS.items()},
    ),
    Operation("GET", "/api/v1/webhooks/{id}/", path(), owners(200)),
    Operation(
        "PATCH",
        "/api/v1/webhooks/{id}/",
        lambda w, subs, target: (f"/api/v1/webhooks/{subs[target].pk}/", {"description": "System szpitala"}),
        owners(200),
    ),
    Operation("DELETE", "/api/v1/webhooks/{id}/", path(), owners(204)),
    Operation("GET", "/api/v1/webhooks/{id}/deliveries/", path("deliveries/"), owners(200)),
    Operation("POST", "/api/v1/webhooks/{id}/test/", path("test/"), owners(200)),
    Operation("POST", "/api/v1/webhooks/{id}/rotate-secret/", path("rotate-secret/"), owners(200)),
    Operation("POST", "/api/v1/webhooks/{id}/disable/", path("disable/"), owners(200)),
    # It is on: the manager is told so (409); nobody else learns it exists.
    Operation("POST", "/api/v1/webhooks/{id}/enable/", path("enable/"), owners(409)),
]


@pytest.fixture
def subscriptions(world: World, settings: Any) -> dict[str, Subscription]:
    settings.WEBHOOKS_ALLOW_PRIVATE = ["127.0.0.0/8"]
    settings.WEBHOOKS_ALLOW_HTTP = True
    return {
        "partner": services.subscription_create(
            actor=world.receiving_admin, url=URL, events=["referral.*"], partner=world.receiving
        ),
        "network": services.subscription_create(
            actor=world.coordinator, url=URL, events=["consent.*"], network=world.network
        ),
        "theirs": services.subscription_create(
            actor=world.unrelated_admin, url=URL, events=["referral.*"], partner=world.unrelated
        ),
    }


CASES = [(op, target) for op in MATRIX for target in op.expected]


@pytest.mark.parametrize(
    ("operation", "target"), CASES, ids=[f"{op.method} {op.path} {target}" for op, target in CASES]
)
def test_it_answers_each_persona_exactly(
    world: World, subscriptions: dict[str, Subscription], operation: Operation, target: str
) -> None:
    actual: dict[str, Outcome] = {}
    for persona, client in clients(world).items():
        with transaction.atomic():
            url, body = operation.request(world, subscriptions, target)
            response = getattr(client, operation.method.lower())(url, body, format="json")
            if response.status_code in (401, 403, 404, 409):
                assert set(response.json()) == {"detail", "code"}, response.json()
            if operation.list_of is not None and response.status_code == 200:
                ids = {row["id"] for row in response.json()["results"]}
                actual[persona] = SEEN if str(operation.list_of(subscriptions, target).pk) in ids else HIDDEN
            else:
                actual[persona] = response.status_code
            transaction.set_rollback(True)
    assert actual == operation.expected[target]
