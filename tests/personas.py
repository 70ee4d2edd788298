"""The personas every permission test uses (CONVENTIONS: one place).

Network A ("ours"): coordinator, a receiving partner (MOPR) with staff and admin, a sending partner (ŚDS),
an employer. Network B ("theirs"): its own coordinator and partner. A regional monitor. Anonymous.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from partners.choices import PartnerType, Sector, StaffRole
from tests.factories import (
    MembershipFactory,
    NetworkFactory,
    PartnerFactory,
    ServiceFactory,
    UserFactory,
    make_coordinator,
    make_staff,
)


@dataclass
class World:
    network: Any
    other_network: Any
    receiving: Any  # MOPR in network A
    sending: Any  # ŚDS in network A
    employer: Any  # employer in network A
    unrelated: Any  # NGO in network B
    service: Any  # a MOPR service
    other_service: Any  # a service of network B
    coordinator: Any
    receiving_staff: Any
    receiving_admin: Any
    sending_staff: Any
    employer_staff: Any
    unrelated_staff: Any
    unrelated_admin: Any
    other_coordinator: Any
    monitor: Any

    def personas(self) -> dict[str, Any]:
        return {
            "coordinator": self.coordinator,
            "receiving_staff": self.receiving_staff,
            "receiving_admin": self.receiving_admin,
            "sending_staff": self.sending_staff,
            "employer": self.employer_staff,
            "unrelated_staff": self.unrelated_staff,
            "unrelated_admin": self.unrelated_admin,
            "other_coordinator": self.other_coordinator,
            "monitor": self.monitor,
            "anonymous": None,
        }


def build_world() -> World:
    network = NetworkFactory(name="Lokalny system Piekary")
    other_network = NetworkFactory(name="Lokalny system Bytom", teryt="2462011")
    receiving = PartnerFactory(name="MOPR Piekary", type=PartnerType.OPS, sector=Sector.LOCAL_GOVERNMENT)
    sending = PartnerFactory(name="ŚDS Piekary", type=PartnerType.SDS, sector=Sector.LOCAL_GOVERNMENT)
    employer = PartnerFactory(name="Drukarnia Sp. z o.o.", type=PartnerType.EMPLOYER, sector=Sector.EMPLOYER)
    unrelated = PartnerFactory(name="Stowarzyszenie Bytom", type=PartnerType.NGO, sector=Sector.SOCIAL)
    MembershipFactory(network=network, partner=receiving, functions=["social_matters", "care_services"])
    MembershipFactory(network=network, partner=sending, functions=["community_support"])
    MembershipFactory(network=network, partner=employer, functions=["employment"])
    MembershipFactory(network=other_network, partner=unrelated, functions=["legal_advice"])
    service = ServiceFactory(partner=receiving, name="Specjalistyczne usługi opiekuńcze", capacity=5, load=5)
    other_service = ServiceFactory(partner=unrelated, name="Porady prawne", capacity=None)
    return World(
        network=network,
        other_network=other_network,
        receiving=receiving,
        sending=sending,
        employer=employer,
        unrelated=unrelated,
        service=service,
        other_service=other_service,
        coordinator=make_coordinator(network, username="koordynator", first_name="Katarzyna", last_name="Nowak"),
        receiving_staff=make_staff(receiving, username="mopr"),
        receiving_admin=make_staff(receiving, StaffRole.ADMIN, username="mopr-admin"),
        sending_staff=make_staff(sending, username="sds"),
        employer_staff=make_staff(employer, username="pracodawca"),
        unrelated_staff=make_staff(unrelated, username="bytom"),
        unrelated_admin=make_staff(unrelated, StaffRole.ADMIN, username="bytom-admin"),
        other_coordinator=make_coordinator(other_network, username="koordynator-bytom"),
        monitor=UserFactory(username="monitor", is_regional_monitor=True),
    )
