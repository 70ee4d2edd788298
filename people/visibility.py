"""Who can see this person now, which categories, and why: the answer a data-protection officer asks for first.

Built from the same rules that decide access (``people.access`` for the network and the case manager, the share
keepers of ``people.shares`` for referrals and candidacies), so it cannot say something the access code does not
do; plus, from the access log, when each reader last opened the record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network.models import NetworkCoordinator
from partners.models import StaffMembership
from people.access import ALL_CATEGORIES, consented_categories
from people.merging import log_of
from people.models import AccessLog, Case, DataCategory, Person
from people.shares import Share, explain_shares


class ReaderKind(models.TextChoices):
    NETWORK = "network", gettext_lazy("the network's coordination")
    CASE = "case", gettext_lazy("the case manager")
    PARTNER = "partner", gettext_lazy("a partner")


class ShareSource(models.TextChoices):
    NETWORK = "network", gettext_lazy("coordinates the network")
    CASE = "case", gettext_lazy("manages the case")
    REFERRAL = "referral", gettext_lazy("a referral covered by consent")
    LEGAL_BASIS = "legal_basis", gettext_lazy("a referral on a recorded legal basis")
    APPLICATION = "application", gettext_lazy("a candidacy for a placement")
    DOOR = "door", gettext_lazy("registered the person, with their consent")


@dataclass
class Reader:
    """One institution (or, for a case manager, one person at it) that reads the person now."""

    key: str
    name: str
    kind: str  # network | case | partner
    categories: set[str] = field(default_factory=set)
    sources: list[Share] = field(default_factory=list)
    user_ids: set[Any] = field(default_factory=set)
    last_opened: datetime.datetime | None = None

    @property
    def category_labels(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels[c]) for c in DataCategory.values if c in self.categories]


def who_can_see(person: Person) -> list[Reader]:
    readers: dict[str, Reader] = {}
    network = person.network
    coordinators = set(NetworkCoordinator.objects.filter(network=network).values_list("user_id", flat=True))
    if coordinators:
        readers["network"] = Reader(
            key="network",
            name=str(network),
            kind="network",
            categories=set(ALL_CATEGORIES),
            sources=[
                Share(
                    partner_id=None,
                    partner_name=str(network),
                    categories=ALL_CATEGORIES,
                    source="network",
                    label=_("the network's coordinators (%(count)s)") % {"count": len(coordinators)},
                )
            ],
            user_ids=coordinators,
        )
    for case in Case.objects.open().filter(person=person).select_related("case_manager", "managing_partner"):
        manager = case.case_manager
        if manager is None or manager.pk in coordinators:
            continue
        partner_ids = frozenset(
            StaffMembership.objects.filter(user=manager, is_active=True).values_list("partner_id", flat=True)
        )
        categories = {DataCategory.IDENTITY.value} | set(consented_categories(person, partner_ids))
        name = manager.get_full_name() or manager.username
        if case.managing_partner is not None:
            name = f"{name} ({case.managing_partner})"
        readers[f"user:{manager.pk}"] = Reader(
            key=f"user:{manager.pk}",
            name=name,
            kind="case",
            categories=categories,
            sources=[
                Share(
                    partner_id=case.managing_partner_id,
                    partner_name=name,
                    categories=frozenset(categories),
                    source="case",
                    label=_("case manager"),
                    since=case.opened_on,
                )
            ],
            user_ids={manager.pk},
        )
    for share in explain_shares(person):
        key = f"partner:{share.partner_id}"
        reader = readers.setdefault(key, Reader(key=key, name=share.partner_name, kind="partner"))
        reader.categories |= set(share.categories)
        reader.sources.append(share)
    shared_with = [reader.key.split(":", 1)[1] for reader in readers.values() if reader.kind == "partner"]
    for partner_id, user_id in StaffMembership.objects.filter(partner_id__in=shared_with).values_list(
        "partner_id", "user_id"
    ):
        readers[f"partner:{partner_id}"].user_ids.add(user_id)
    last = dict(
        AccessLog.objects.filter(log_of(person), user__isnull=False)
        .values("user_id")
        .annotate(last=Max("at"))
        .values_list("user_id", "last")
    )
    for reader in readers.values():
        times = [last[user_id] for user_id in reader.user_ids if user_id in last]
        reader.last_opened = max(times) if times else None
    return list(readers.values())


def reader_data(reader: Reader) -> dict[str, Any]:
    """The API's and the page's shape of one reader (labels in the active language; codes kept for clients)."""
    return {
        "name": reader.name,
        "kind": reader.kind,
        "categories": [c for c in DataCategory.values if c in reader.categories],
        "category_labels": reader.category_labels,
        "sources": [
            {
                "source": share.source,
                "label": share.label,
                "since": share.since.isoformat() if share.since else None,
                "consents": [str(pk) for pk in share.consents],
            }
            for share in reader.sources
        ],
        "last_opened": reader.last_opened,
    }
