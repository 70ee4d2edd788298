"""Reads about a network for pages and the API: the history of its cooperation agreement."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from network.models import AgreementKind, CooperationAgreement, Network, NetworkMembership


@dataclass
class Version:
    agreement: CooperationAgreement
    number: int
    annexes: list[CooperationAgreement] = field(default_factory=list)
    joined: list[NetworkMembership] = field(default_factory=list)  # partners who joined while it was in force


@dataclass
class JoinedPartner:
    membership: NetworkMembership
    version_number: int | None  # the version in force on the day the partner joined


@dataclass
class AgreementHistory:
    versions: list[Version]
    partners: list[JoinedPartner]


def _in_force(version: CooperationAgreement, day: datetime.date) -> bool:
    return version.valid_from <= day and (version.valid_to is None or version.valid_to >= day)


def agreement_history(network: Network) -> AgreementHistory:
    """Every version (numbered from 1, oldest first) with its annexes, and each partner's date of joining and
    leaving with the version in force that day. Two queries."""
    rows = list(network.agreements.order_by("valid_from", "created_at"))
    versions = [row for row in rows if row.kind == AgreementKind.AGREEMENT]
    numbered = {row.pk: Version(agreement=row, number=n) for n, row in enumerate(versions, start=1)}
    for row in rows:
        if row.kind == AgreementKind.ANNEX and row.amends_id in numbered:
            numbered[row.amends_id].annexes.append(row)
    memberships = list(
        NetworkMembership.objects.filter(network=network).select_related("partner").order_by("since", "partner__name")
    )
    partners = []
    for membership in memberships:
        version = next((numbered[v.pk] for v in versions if _in_force(v, membership.since)), None)
        if version is not None:
            version.joined.append(membership)
        partners.append(JoinedPartner(membership=membership, version_number=version.number if version else None))
    return AgreementHistory(versions=list(numbered.values()), partners=partners)


def agreement_of(network: Network, agreement_id: Any) -> CooperationAgreement:
    """A version or annex of this network's agreement; 404 for another network's, a missing or a malformed id."""
    from django.core.exceptions import ValidationError

    try:
        return CooperationAgreement.objects.get(pk=agreement_id, network=network)
    except (CooperationAgreement.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
