"""Boundary: exact visible and hidden sets of networks, partners and services for each persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from network.access import networks_visible_to, partners_visible_to, services_visible_to

pytestmark = pytest.mark.django_db


def names(queryset: Any) -> set[str]:
    return {str(obj.name) for obj in queryset}


OURS = {"MOPR Piekary", "ŚDS Piekary", "Drukarnia Sp. z o.o."}
THEIRS = {"Stowarzyszenie Bytom"}


@pytest.mark.parametrize(
    ("persona", "networks", "partners"),
    [
        ("coordinator", {"Lokalny system Piekary"}, OURS),
        ("receiving_staff", {"Lokalny system Piekary"}, OURS),
        ("receiving_admin", {"Lokalny system Piekary"}, OURS),
        ("employer", {"Lokalny system Piekary"}, OURS),
        ("unrelated_staff", {"Lokalny system Bytom"}, THEIRS),
        ("other_coordinator", {"Lokalny system Bytom"}, THEIRS),
        ("monitor", {"Lokalny system Piekary", "Lokalny system Bytom"}, OURS | THEIRS),
        ("anonymous", set(), set()),
    ],
)
def test_it_shows_each_persona_exactly_its_networks_and_partners(
    world: Any, persona: str, networks: set[str], partners: set[str]
) -> None:
    user = world.personas()[persona] or AnonymousUser()
    assert names(networks_visible_to(user)) == networks
    assert names(partners_visible_to(user)) == partners
    expected_services = {s.name for s in [world.service, world.other_service] if s.partner.name in partners}
    assert names(services_visible_to(user)) == expected_services


def test_it_hides_a_network_once_the_partners_membership_ended(world: Any) -> None:
    import datetime

    from network.models import NetworkMembership

    NetworkMembership.objects.filter(partner=world.receiving).update(
        since=datetime.date(2024, 1, 1), until=datetime.date(2024, 12, 31)
    )
    assert names(networks_visible_to(world.receiving_staff)) == set()
    # Its own partner stays visible to its staff.
    assert names(partners_visible_to(world.receiving_staff)) == {"MOPR Piekary"}
