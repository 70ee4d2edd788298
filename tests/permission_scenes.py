"""The objects the permission matrices (API and pages) act on, besides the personas' own world.

Five targets, each a person with an open case, a live consent and one referral:

- ``own``: ŚDS (the sending partner) refers to MOPR (the receiving partner) in network A; the consent covers both.
- ``neighbour``: two other partners of network A (PUP → CZP) refer someone none of the partner personas work with.
- ``theirs``: network B's coordinator refers someone of network B to its NGO.
- ``declined``: like ``own``, but MOPR declined the referral.
- ``consent_withdrawn``: like ``own``, sent, then the person withdrew the consent: the referral is withdrawn at
  once (reason ``consent_withdrawn``), MOPR loses it and the person.
- ``consent_expired``: like ``consent_withdrawn``, but the consent ended by date and the expiry job ran: every
  answer is the same as after a withdrawal (the matrices take that column from ``consent_withdrawn``).

And three support groups: run by MOPR (``own``), by ŚDS (``neighbour``) and by network B's NGO (``theirs``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from employment import applications
from employment import placements as placement_services
from partners.choices import PartnerType, Sector, StaffRole
from people import services as people_services
from people.groups import group_create
from people.models import Consent, Person, SupportGroup
from referrals import services
from referrals.choices import State
from referrals.models import Referral
from tests.factories import MembershipFactory, PartnerFactory, make_staff
from tests.people_fixtures import make_case, make_consent, make_person
from tests.personas import World

TARGETS = ("own", "neighbour", "theirs", "declined", "consent_withdrawn", "consent_expired")
ENDED_CONSENT = ("consent_withdrawn", "consent_expired")


def with_expiry_column(expected: dict[str, Any]) -> dict[str, Any]:
    """After an expiry every answer is what it is after a withdrawal: the column is the same table."""
    if "consent_withdrawn" in expected and "consent_expired" not in expected:
        return {**expected, "consent_expired": expected["consent_withdrawn"]}
    return expected


def end_consent(world: Any, target: str, consent: Consent) -> None:
    """Withdraw the consent (``consent_withdrawn``) or let it end by date and run the expiry job."""
    if target == "consent_expired":
        import datetime as _dt

        from django.utils import timezone

        ended = timezone.localdate() - _dt.timedelta(days=1)
        Consent.objects.filter(pk=consent.pk).update(valid_from=ended - _dt.timedelta(days=30), valid_until=ended)
        people_services.consents_expire()
    else:
        people_services.consent_withdraw(actor=world.coordinator, consent=consent)


SHARED = ["identity", "social"]

# The steps that bring a fresh referral (sent) to each state.
PATH_TO: dict[str, list[str]] = {
    State.DRAFT: [],
    State.SENT: ["send"],
    State.ACCEPTED: ["send", "accept"],
    State.IN_PROGRESS: ["send", "accept", "start"],
    State.COMPLETED: ["send", "accept", "start", "complete"],
    State.DECLINED: ["send", "decline"],
    State.WITHDRAWN: ["send", "withdraw"],
    State.DISCONTINUED: ["send", "accept", "discontinue"],
}


@dataclass
class Scene:
    world: World
    pup: Any  # network A, sends the neighbour's referral
    czp: Any  # network A, receives it
    pup_staff: Any
    czp_staff: Any
    bytom_pup: Any  # a second partner of network B, with no staff
    people: dict[str, Person] = field(default_factory=dict)
    consents: dict[str, Consent] = field(default_factory=dict)
    referrals: dict[str, Referral] = field(default_factory=dict)
    # Support groups run by MOPR (own), by ŚDS (neighbour: another partner of network A) and by network B's NGO.
    groups: dict[str, SupportGroup] = field(default_factory=dict)

    def network_of(self, target: str) -> Any:
        return self.world.other_network if target == "theirs" else self.world.network

    def sender(self, target: str) -> Any:
        return {"neighbour": self.pup_staff, "theirs": self.world.other_coordinator}.get(
            target, self.world.sending_staff
        )

    def responder(self, target: str) -> Any:
        return {"neighbour": self.czp_staff, "theirs": self.world.unrelated_staff}.get(
            target, self.world.receiving_staff
        )

    def coordinator(self, target: str) -> Any:
        return self.world.other_coordinator if target == "theirs" else self.world.coordinator

    def to_partner(self, target: str) -> Any:
        return {"neighbour": self.czp, "theirs": self.world.unrelated}.get(target, self.world.receiving)

    def onward_partner(self, target: str) -> Any:
        """A partner of the target's network that no persona works for, to refer onward to."""
        return self.bytom_pup if target == "theirs" else self.czp

    def consent_partners(self, target: str) -> list[Any]:
        w = self.world
        return {"neighbour": [self.pup, self.czp], "theirs": [w.unrelated]}.get(target, [w.receiving, w.sending])

    def group_partner(self, target: str) -> Any:
        w = self.world
        return {"own": w.receiving, "neighbour": w.sending, "theirs": w.unrelated}[target]

    def referral_in(self, target: str, state: str) -> Referral:
        """A new referral of the target's person, brought to ``state`` by the right actors."""
        person = self.people[target]
        consent = None
        if target in ENDED_CONSENT:
            # The target's own consent is gone: a fresh one lets the referral be sent, then goes too.
            consent = make_consent(self.world, person, SHARED, partners=self.consent_partners(target))
        referral = services.referral_create(
            actor=self.sender(target),
            person=person,
            to_partner=self.to_partner(target),
            reason="Wsparcie w codziennym funkcjonowaniu",
            categories=SHARED,
        )
        sender, responder = self.sender(target), self.responder(target)
        for step in PATH_TO[state]:
            if step == "send":
                services.referral_send(actor=sender, referral=referral)
            elif step == "accept":
                services.referral_accept(actor=responder, referral=referral)
            elif step == "start":
                services.referral_start(actor=responder, referral=referral)
            elif step == "complete":
                services.referral_complete(actor=responder, referral=referral, outcome_code="goal_achieved")
            elif step == "decline":
                services.referral_decline(actor=responder, referral=referral, reason_code="not_eligible")
            elif step == "withdraw":
                services.referral_withdraw(actor=sender, referral=referral, reason_code="person_declined")
            elif step == "discontinue":
                services.referral_discontinue(
                    actor=responder, referral=referral, reason_code="person_declined", outcome_code="not_achieved"
                )
        if consent is not None:
            end_consent(self.world, target, consent)
        referral.refresh_from_db()
        return referral


def build_scene(world: World) -> Scene:
    pup = PartnerFactory(name="PUP Piekary", type=PartnerType.PUP, sector=Sector.LOCAL_GOVERNMENT)
    czp = PartnerFactory(name="CZP Piekary", type=PartnerType.CZP, sector=Sector.GOVERNMENT)
    bytom_pup = PartnerFactory(name="PUP Bytom", type=PartnerType.PUP, sector=Sector.LOCAL_GOVERNMENT)
    MembershipFactory(network=world.network, partner=pup, functions=["employment"])
    MembershipFactory(network=world.network, partner=czp, functions=["therapy"])
    MembershipFactory(network=world.other_network, partner=bytom_pup, functions=["employment"])
    scene = Scene(
        world=world,
        pup=pup,
        czp=czp,
        pup_staff=make_staff(pup, username="pup"),
        czp_staff=make_staff(czp, username="czp"),
        bytom_pup=bytom_pup,
    )
    names = {
        "own": ("Anna", "Kowalska"),
        "neighbour": ("Piotr", "Wiśniewski"),
        "theirs": ("Ewa", "Zielińska"),
        "declined": ("Jan", "Lewandowski"),
        "consent_withdrawn": ("Maria", "Wójcik"),
        "consent_expired": ("Zofia", "Kamińska"),
    }
    for number, target in enumerate(TARGETS):
        first, last = names[target]
        person = make_person(
            world,
            network=scene.network_of(target),
            first_name=first,
            last_name=last,
            birth_date=datetime.date(1980 + number, 3, 1),
        )
        manager, managing = {
            "neighbour": (scene.pup_staff, pup),
            "theirs": (None, None),
        }.get(target, (world.sending_staff, world.sending))
        make_case(world, person, manager=manager, partner=managing)
        scene.people[target] = person
        scene.consents[target] = make_consent(world, person, SHARED, partners=scene.consent_partners(target))
    for target in TARGETS:
        scene.referrals[target] = scene.referral_in(target, State.DECLINED if target == "declined" else State.SENT)
    for target in ENDED_CONSENT:
        end_consent(world, target, scene.consents[target])
        scene.consents[target].refresh_from_db()
    for target in ("own", "neighbour", "theirs"):
        scene.groups[target] = group_create(
            actor=scene.coordinator(target),
            network=scene.network_of(target),
            partner=scene.group_partner(target),
            data={"name": f"Grupa wsparcia {target}", "weekday": 2, "place": "Świetlica"},
        )
    return scene


# --- supported employment -------------------------------------------------------------------------


@dataclass
class Employment:
    """Placements of three employers — the employer persona's own (``own``), another employer of network A
    (``neighbour``) and one of network B (``theirs``) — each with a candidate proposed by the coordinator; the
    ``declined`` candidate was proposed to the own placement and declined by the employer. ``fresh`` people
    (one per network) have an employment consent and no application yet. A job coach works in each network."""

    scene: Scene
    placements: dict[str, Any] = field(default_factory=dict)
    applications: dict[str, Any] = field(default_factory=dict)
    fresh: dict[str, Person] = field(default_factory=dict)  # by network: "own" (A) and "theirs" (B)
    coaches: dict[str, Any] = field(default_factory=dict)  # by network

    def placement_of(self, target: str) -> Any:
        """The placement a target names; the declined application's placement is the own one."""
        return self.placements["own" if target == "declined" else target]

    def fresh_for(self, target: str) -> Person:
        return self.fresh["theirs" if target == "theirs" else "own"]

    def offered(self, target: str) -> Any:
        """The target's application moved on to an offer (the declined one stays declined)."""
        application = self.applications[target]
        if target != "declined":
            for stage in ("interview", "offered"):
                applications.application_advance(
                    actor=self.scene.coordinator(target), application=application, stage=stage
                )
        application.refresh_from_db()
        return application


def _candidate(scene: Scene, network_target: str, first_name: str) -> Person:
    w = scene.world
    person = make_person(
        w, network=scene.network_of(network_target), first_name=first_name, last_name="Kandydacka", phone="600100200"
    )
    make_consent(w, person, ["identity", "employment"], partner_types=[PartnerType.EMPLOYER])
    return person


def build_employment(scene: Scene) -> Employment:
    w = scene.world
    neighbour_employer = PartnerFactory(name="Piekarnia Kłos", type=PartnerType.EMPLOYER, sector=Sector.EMPLOYER)
    theirs_employer = PartnerFactory(name="Zakład Bytom", type=PartnerType.EMPLOYER, sector=Sector.EMPLOYER)
    MembershipFactory(network=w.network, partner=neighbour_employer, functions=["employment"])
    MembershipFactory(network=w.other_network, partner=theirs_employer, functions=["employment"])
    posters = {
        "own": (w.employer_staff, w.employer),
        "neighbour": (make_staff(neighbour_employer, username="piekarnia"), neighbour_employer),
        "theirs": (make_staff(theirs_employer, username="zaklad-bytom"), theirs_employer),
    }
    employment = Employment(
        scene=scene,
        coaches={
            "own": make_staff(scene.pup, StaffRole.JOB_COACH, username="trener"),
            "theirs": make_staff(scene.bytom_pup, StaffRole.JOB_COACH, username="trener-bytom"),
        },
    )
    for target, (poster, employer) in posters.items():
        employment.placements[target] = placement_services.placement_create(
            actor=poster,
            employer=employer,
            data={
                "title": f"Pomocnik magazyniera ({target})",
                "workplace": "Magazyn",
                "hours_per_week": 20,
                "contract_form": "employment_contract",
                "positions": 2,
            },
        )
    candidates = {target: _candidate(scene, target, f"Kandydat-{target}") for target in posters}
    candidates["declined"] = _candidate(scene, "own", "Kandydat-odrzucony")
    for target, person in candidates.items():
        employment.applications[target] = applications.application_propose(
            actor=scene.coordinator(target), placement=employment.placement_of(target), person=person
        )
    applications.application_advance(
        actor=w.employer_staff,
        application=employment.applications["declined"],
        stage="declined",
        reason_code="not_suited",
        reason_origin="employer",
    )
    employment.applications["declined"].refresh_from_db()
    employment.fresh = {target: _candidate(scene, target, f"Nowy-{target}") for target in ("own", "theirs")}
    return employment
