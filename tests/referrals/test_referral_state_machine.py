"""A property-based state machine over referrals/services.py (DESIGN §4, §5).

Hypothesis drives random sequences of referral moves (create + send, send, check in, accept, start, complete,
decline, withdraw, discontinue), consent changes and case closings, by the right actors and the wrong ones, on
services of MOPR with small capacities (0–2, with and without a waitlist). A refusal (IllegalTransition, NoPlace,
NoConsent, another Conflict, PermissionDenied, ValidationError) is an expected outcome and must change nothing.
After every step:

- a referral that reached completed, declined, withdrawn or discontinued never changes state again;
- a successful move lands exactly where the transition table says, and a refused one moves nothing;
- the timeline holds one row per successful transition (not counting "create", "overdue" and "place");
- for every service with a capacity, ``load`` equals the referrals holding a place, and ``load <= capacity``;
- the object permissions equal what domain state implies: ``sync_referral``/``sync_person`` with
  ``apply=False`` find nothing to add or remove (what ``manage.py access_check`` reports).

Each example runs in a transaction that is rolled back at its end.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from core.errors import Conflict, PermissionDenied
from partners.models import Service
from people import services as people_services
from people.models import Case, Consent, Person
from referrals import access, services
from referrals.choices import TERMINAL_STATES, TRANSITIONS, State
from referrals.models import Referral, ReferralEvent
from tests.factories import ServiceFactory
from tests.people_fixtures import make_case, make_consent, make_person
from tests.personas import World, build_world

pytestmark = pytest.mark.django_db

# Everything a service may refuse with; anything else is a failure.
REFUSALS = (Conflict, PermissionDenied, ValidationError)  # IllegalTransition, NoPlace, NoConsent are Conflicts
NOT_TRANSITIONS = ("create", "overdue", "place", "consent")  # "consent": a narrowing, no state change
ACTORS = [
    "coordinator",
    "receiving_staff",
    "receiving_admin",
    "sending_staff",
    "employer",
    "unrelated_staff",
    "other_coordinator",
    "monitor",
]
SHARED = ["identity", "social"]
MOVES = {
    "send": lambda actor, referral: services.referral_send(actor=actor, referral=referral),
    "check_in": lambda actor, referral: services.referral_check_in(actor=actor, referral=referral),
    "accept": lambda actor, referral: services.referral_accept(actor=actor, referral=referral),
    "start": lambda actor, referral: services.referral_start(actor=actor, referral=referral),
    "complete": lambda actor, referral: services.referral_complete(
        actor=actor, referral=referral, outcome_code="goal_achieved"
    ),
    "decline": lambda actor, referral: services.referral_decline(
        actor=actor, referral=referral, reason_code="no_capacity"
    ),
    "withdraw": lambda actor, referral: services.referral_withdraw(
        actor=actor, referral=referral, reason_code="person_declined", reason_origin="person"
    ),
    "discontinue": lambda actor, referral: services.referral_discontinue(
        actor=actor, referral=referral, reason_code="person_unreachable", outcome_code="not_achieved"
    ),
}


class ReferralMachine(RuleBasedStateMachine):
    def __init__(self, world: World | None = None) -> None:
        super().__init__()
        # Hypothesis makes one machine per example: each runs in a transaction rolled back in teardown().
        self._atomic = transaction.atomic() if world is None else None
        if self._atomic is not None:
            self._atomic.__enter__()
        self.world = world or build_world()
        self.actors = {name: self.world.personas()[name] for name in ACTORS}
        self.services: list[Service] = []
        self.people: list[Person] = []
        self.referrals: list[Any] = []  # primary keys, in creation order
        self.transitions: dict[Any, int] = {}  # successful transitions per referral
        self.terminal: dict[Any, str] = {}  # the state a referral ended in
        self.log: list[str] = []  # what happened, for the failure report

    def teardown(self) -> None:
        if self._atomic is not None:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    # --- set-up -----------------------------------------------------------------------------------

    @initialize(
        capacities=st.lists(st.tuples(st.integers(0, 2), st.booleans()), min_size=1, max_size=3),
        people=st.integers(1, 3),
    )
    def set_up(self, capacities: list[tuple[int, bool]], people: int) -> None:
        w = self.world
        # The world's own MOPR service is full (5 of 5); these start empty.
        for number, (capacity, waitlist) in enumerate(capacities):
            self.services.append(
                ServiceFactory(
                    partner=w.receiving,
                    name=f"Usługa {number}",
                    capacity=capacity,
                    load=0,
                    waitlist_enabled=waitlist,
                )
            )
        for number in range(people):
            person = make_person(w, first_name=f"Osoba{number}", last_name="Testowa")
            make_case(w, person, manager=w.sending_staff, partner=w.sending)
            make_consent(w, person, SHARED, partners=[w.receiving, w.sending])
            self.people.append(person)
        self.log.append(f"services {capacities}, {people} people")

    # --- moves ------------------------------------------------------------------------------------

    @rule(
        person=st.integers(0, 2),
        service=st.integers(-1, 2),
        sender=st.sampled_from(["coordinator", "sending_staff", "receiving_staff", "unrelated_staff", "employer"]),
        urgent=st.booleans(),
    )
    def create_and_send(self, person: int, service: int, sender: str, urgent: bool) -> None:
        target = self.people[person % len(self.people)]
        chosen = None if service < 0 else self.services[service % len(self.services)]
        actor = self.actors[sender]
        try:
            referral = services.referral_create(
                actor=actor,
                person=target,
                # Staff of MOPR refer onward to ŚDS; everyone else to MOPR (and its service).
                to_partner=self.world.sending if sender == "receiving_staff" else self.world.receiving,
                service=None if sender == "receiving_staff" else chosen,
                reason="Wsparcie",
                categories=SHARED,
                priority="urgent" if urgent else "normal",
            )
        except REFUSALS as exc:
            self.log.append(f"create by {sender}: refused ({type(exc).__name__})")
            return
        self.referrals.append(referral.pk)
        self.transitions[referral.pk] = 0
        self.log.append(f"create #{len(self.referrals) - 1} by {sender} (service {service})")
        self._move("send", len(self.referrals) - 1, sender)

    @precondition(lambda self: bool(self.referrals))
    @rule(move=st.sampled_from(sorted(MOVES)), index=st.integers(0, 30), actor=st.sampled_from(ACTORS))
    def transition(self, move: str, index: int, actor: str) -> None:
        self._move(move, index % len(self.referrals), actor)

    def _move(self, move: str, index: int, actor: str) -> None:
        pk = self.referrals[index]
        before = Referral.objects.get(pk=pk).state
        try:
            MOVES[move](self.actors[actor], Referral.objects.get(pk=pk))
        except REFUSALS as exc:
            after = Referral.objects.get(pk=pk).state
            self.log.append(f"{move} #{index} by {actor}: refused ({type(exc).__name__}) in {before}")
            assert after == before, f"a refused {move} moved #{index} from {before} to {after}"
            return
        after = Referral.objects.get(pk=pk).state
        self.log.append(f"{move} #{index} by {actor}: {before} → {after}")
        sources, target = TRANSITIONS[move]
        assert before in sources, f"{move} succeeded from {before}"
        assert after == target, f"{move} led to {after}, not {target}"
        self.transitions[pk] += 1

    @rule(person=st.integers(0, 2), actor=st.sampled_from(["coordinator", "sending_staff", "receiving_staff"]))
    def withdraw_consent(self, person: int, actor: str) -> None:
        target = self.people[person % len(self.people)]
        consent = Consent.objects.filter(person=target).order_by("-created_at").first()
        assert consent is not None
        before = dict(Referral.objects.filter(pk__in=self.referrals).values_list("pk", "state"))
        try:
            people_services.consent_withdraw(actor=self.actors[actor], consent=consent)
        except REFUSALS as exc:
            self.log.append(f"withdraw consent of person {person} by {actor}: refused ({type(exc).__name__})")
            return
        # The withdrawal stops the referrals it no longer covers: each stop is one transition of the timeline.
        for pk, state in Referral.objects.filter(pk__in=self.referrals).values_list("pk", "state"):
            if state != before[pk]:
                assert state in (State.WITHDRAWN, State.DISCONTINUED), self._report(f"{pk} went to {state}")
                self.transitions[pk] += 1
        self.log.append(f"withdraw consent of person {person} by {actor}")

    @rule(person=st.integers(0, 2))
    def give_consent_again(self, person: int) -> None:
        target = self.people[person % len(self.people)]
        people_services.consent_record(
            actor=self.world.coordinator,
            person=target,
            categories=SHARED,
            purpose="Wsparcie",
            partners=[self.world.receiving, self.world.sending],
        )
        self.log.append(f"new consent of person {person}")

    @rule(person=st.integers(0, 2), actor=st.sampled_from(["coordinator", "sending_staff", "receiving_staff"]))
    def close_case(self, person: int, actor: str) -> None:
        target = self.people[person % len(self.people)]
        case = Case.objects.filter(person=target).order_by("-opened_on", "-created_at").first()
        assert case is not None
        try:
            people_services.case_close(actor=self.actors[actor], case=case, note="Cel osiągnięty")
        except REFUSALS as exc:
            self.log.append(f"close case of person {person} by {actor}: refused ({type(exc).__name__})")
            return
        self.log.append(f"close case of person {person} by {actor}")

    # --- invariants -------------------------------------------------------------------------------

    @invariant()
    def terminal_states_stay_terminal(self) -> None:
        for pk, state in Referral.objects.filter(pk__in=self.referrals).values_list("pk", "state"):
            if pk in self.terminal:
                assert state == self.terminal[pk], self._report(f"{pk} left {self.terminal[pk]} for {state}")
            elif state in TERMINAL_STATES:
                self.terminal[pk] = state

    @invariant()
    def one_timeline_row_per_transition(self) -> None:
        for pk, count in self.transitions.items():
            rows = ReferralEvent.objects.filter(referral_id=pk).exclude(action__in=NOT_TRANSITIONS).count()
            assert rows == count, self._report(f"{pk}: {rows} timeline rows for {count} transitions")

    @invariant()
    def places_used_match_the_load(self) -> None:
        for service in Service.objects.filter(pk__in=[s.pk for s in self.services]):
            holding = Referral.objects.filter(service=service, holds_place=True).count()
            assert service.capacity is not None
            assert service.load == holding, self._report(f"{service.name}: load {service.load}, {holding} hold")
            assert service.load <= service.capacity, self._report(f"{service.name} over capacity")
            waiting = Referral.objects.filter(service=service, waitlisted_at__isnull=False)
            assert not waiting.exclude(state=State.ACCEPTED).exists(), self._report("waiting outside accepted")
            if waiting.exists():
                # Nobody waits while a place is free.
                assert service.load == service.capacity, self._report(f"{service.name}: free place, yet a wait")

    @invariant()
    def grants_match_domain_state(self) -> None:
        for referral in Referral.objects.filter(pk__in=self.referrals).select_related(
            "to_partner", "from_partner", "person"
        ):
            drift = access.sync_referral(referral, apply=False)
            assert drift == (set(), set()), self._report(f"referral {referral.pk}: missing/extra {drift}")
        for person in self.people:
            drift = access.sync_person(person, apply=False)
            assert drift == (set(), set()), self._report(f"person {person.first_name}: missing/extra {drift}")

    def _report(self, problem: str) -> str:
        return problem + "\nsteps:\n  " + "\n  ".join(self.log)


def test_it_keeps_the_referral_invariants_through_random_moves(db: Any) -> None:
    run_state_machine_as_test(
        ReferralMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )


def test_it_grants_again_when_a_new_consent_covers_an_open_referral(world: Any) -> None:
    """The machine's first failing example, shrunk: send, withdraw the consent, record a new one."""
    machine = ReferralMachine(world)
    machine.set_up(capacities=[(0, False)], people=1)
    machine.create_and_send(person=0, sender="coordinator", service=0, urgent=False)
    machine.withdraw_consent(actor="coordinator", person=0)
    people_services.consent_record(
        actor=world.coordinator,
        person=machine.people[0],
        categories=SHARED,
        purpose="Wsparcie",
        partners=[world.receiving, world.sending],
    )
    machine.grants_match_domain_state()
