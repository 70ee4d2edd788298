"""Issue 13, "Done when": a Hypothesis state machine over everything that decides who reads a person.

Random sequences of: consents given (random categories among identity, social, health and employment, to MOPR by
name and/or to every employer by type), withdrawn, or ended by date (``consents_expire``); referrals to MOPR
created and sent (on a consent, or on the coordinator's recorded legal basis), accepted, started, completed,
declined and withdrawn; cases opened, transferred (to the ŚDS, to MOPR, to the coordinator) and closed; a
candidate proposed to the employer's placement, moved on by the employer, or withdrawn. A refusal (a domain
error, ValidationError, PermissionDenied) is an expected outcome and must move nothing. After every step:

- ``access_check`` finds no drift in any grant table (``core.grants.check`` over ``grants.policies()``);
- no partner group holds a category of a person (``PersonGroupObjectPermission``) unless an open referral to that
  partner shares the category and a live consent covering the partner (by name or by type), or the referral's
  recorded legal basis, covers it;
- no referral that is sent, accepted or in progress without a legal basis shares a category that no live
  consent gives its receiving partner (the cascade stopped or narrowed it);
- a referral stopped with the reason ``consent_withdrawn`` is withdrawn or discontinued, and stays so;
- no candidacy before the hire lacks a live consent giving its employer the employment category;
- an employer's staff reaches no person (``access_to_person`` is None).

Each example runs in a transaction that is rolled back at its end.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
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

from core import grants
from core.errors import DomainError
from employment import applications
from employment.access import employment_consents
from employment.models import BEFORE_HIRE, PlacementApplication, Stage
from employment.placements import placement_create
from partners.models import Partner
from people import services as people_services
from people.access import access_to_person, consented_categories
from people.models import CATEGORY_PERMISSIONS, Case, Consent, DataCategory, Person, PersonGroupObjectPermission
from referrals import services as referral_services
from referrals.choices import OPEN_STATES, TRANSITIONS, ReasonCode, State
from referrals.models import Referral
from referrals.services import consent_covers
from tests.people_fixtures import make_case, make_person
from tests.personas import World, build_world

pytestmark = pytest.mark.django_db

REFUSALS = (DomainError, ValidationError, PermissionDenied)
CATEGORIES = list(DataCategory.values)
CATEGORY_OF = {codename: category for category, codename in CATEGORY_PERMISSIONS.items()}
LEGAL_BASIS = "art. 9 ust. 2 lit. h RODO, wniosek koordynatora"
MOVES = {
    "accept": lambda actor, referral: referral_services.referral_accept(actor=actor, referral=referral),
    "start": lambda actor, referral: referral_services.referral_start(actor=actor, referral=referral),
    "complete": lambda actor, referral: referral_services.referral_complete(
        actor=actor, referral=referral, outcome_code="goal_achieved"
    ),
    "decline": lambda actor, referral: referral_services.referral_decline(
        actor=actor, referral=referral, reason_code="no_capacity"
    ),
    "withdraw": lambda actor, referral: referral_services.referral_withdraw(
        actor=actor, referral=referral, reason_code="person_declined", reason_origin="person"
    ),
}
CATEGORY_SETS = st.sets(st.sampled_from(CATEGORIES), min_size=1)
SCOPES = st.sampled_from(["mopr", "employers", "both"])  # MOPR by name, every employer by type, or both
# Whom the case goes to: (case manager persona, managing partner attribute of World or None).
TRANSFER_TARGETS = {
    "sds": ("sending_staff", "sending"),
    "mopr": ("receiving_staff", "receiving"),
    "coordinator": ("coordinator", None),
}


class ConsentMachine(RuleBasedStateMachine):
    def __init__(self, world: World | None = None) -> None:
        super().__init__()
        # Hypothesis makes one machine per example: each runs in a transaction rolled back in teardown().
        self._atomic = transaction.atomic() if world is None else None
        if self._atomic is not None:
            self._atomic.__enter__()
        self.world = world or build_world()
        self.people: list[Person] = []
        self.referrals: list[Any] = []  # primary keys, in creation order
        self.applications: list[Any] = []
        self.placement: Any = None
        self.consents: list[Any] = []  # primary keys, in the order given
        self.stopped: dict[Any, str] = {}  # referrals stopped by a consent's end, and the state they ended in
        self.log: list[str] = []  # what happened, for the failure report

    def teardown(self) -> None:
        if self._atomic is not None:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    # --- helpers ----------------------------------------------------------------------------------

    def _person(self, index: int) -> Person:
        return Person.objects.get(pk=self.people[index % len(self.people)].pk)

    def _persona(self, name: str) -> Any:
        return self.world.personas()[name]

    def _snapshot(self) -> dict[str, str]:
        """Each referral's state and shared categories, each candidacy's stage."""
        referrals = {
            pk: f"{state}[{','.join(categories)}]"
            for pk, state, categories in Referral.objects.filter(pk__in=self.referrals).values_list(
                "pk", "state", "categories"
            )
        }
        candidacies = dict(PlacementApplication.objects.filter(pk__in=self.applications).values_list("pk", "stage"))
        return {f"#{n}": referrals[pk] for n, pk in enumerate(self.referrals)} | {
            f"candidacy {n}": candidacies[pk] for n, pk in enumerate(self.applications)
        }

    def _changes(self, before: dict[str, str]) -> str:
        """What a consent's end changed (for the report): "#0 sent[identity]→withdrawn[identity]"."""
        after = self._snapshot()
        changed = [f"{key} {before[key]}→{after[key]}" for key in before if after[key] != before[key]]
        return f" (stopped: {', '.join(changed)})" if changed else ""

    def _report(self, problem: str) -> str:
        return problem + "\nsteps:\n  " + "\n  ".join(self.log)

    # --- set-up -----------------------------------------------------------------------------------

    @initialize(
        people=st.integers(1, 2),
        with_case=st.booleans(),
        consents=st.lists(st.tuples(CATEGORY_SETS, st.sampled_from(["mopr", "both"])), min_size=2, max_size=2),
    )
    def set_up(self, people: int, with_case: bool, consents: list[tuple[set[str], str]]) -> None:
        """The people start with a consent covering MOPR each (so that sends, accepts and proposals often go
        through, and a consent's end often meets an open referral)."""
        w = self.world
        for number in range(people):
            person = make_person(w, first_name=f"Osoba{number}", last_name="Testowa")
            if with_case:
                make_case(w, person, manager=w.sending_staff, partner=w.sending)
            self.people.append(person)
        self.placement = placement_create(
            actor=w.employer_staff,
            employer=w.employer,
            data={
                "title": "Pomocnik magazyniera",
                "workplace": "Magazyn wyrobów gotowych",
                "hours_per_week": 20,
                "contract_form": "employment_contract",
                "support_offered": ["job_coach"],
                "positions": 2,
            },
        )
        self.log.append(f"{people} people, {'with' if with_case else 'without'} a case at the ŚDS")
        for number in range(people):
            self.give_consent(number, *consents[number])

    # --- consents ---------------------------------------------------------------------------------

    @rule(person=st.integers(0, 1), categories=CATEGORY_SETS, scope=SCOPES)
    def give_consent(self, person: int, categories: set[str], scope: str) -> None:
        target = self._person(person)
        consent = people_services.consent_record(
            actor=self.world.coordinator,
            person=target,
            categories=sorted(categories),
            purpose="Wsparcie w ramach lokalnego systemu",
            partners=[self.world.receiving] if scope in ("mopr", "both") else [],
            partner_types=["employer"] if scope in ("employers", "both") else [],
        )
        self.consents.append(consent.pk)
        self.log.append(f"consent {len(self.consents) - 1} of person {person}: {sorted(categories)} to {scope}")

    @precondition(lambda self: bool(self.consents))
    @rule(index=st.integers(0, 10))
    def withdraw_consent(self, index: int) -> None:
        number = index % len(self.consents)
        consent = Consent.objects.get(pk=self.consents[number])
        before = self._snapshot()
        try:
            people_services.consent_withdraw(actor=self.world.coordinator, consent=consent)
        except REFUSALS as exc:
            self.log.append(f"withdraw consent {number}: refused ({type(exc).__name__})")
            consent.refresh_from_db()
            ended = consent.valid_until is not None and consent.valid_until < timezone.localdate()
            # Only a consent already withdrawn, or already ended by date (409 already_ended), may be refused.
            assert consent.withdrawn_at is not None or ended, self._report("a live consent's withdrawal was refused")
            return
        self.log.append(f"withdraw consent {number}{self._changes(before)}")

    def _live_consents(self) -> list[Any]:
        live = set(Consent.objects.live().filter(pk__in=self.consents).values_list("pk", flat=True))
        return [pk for pk in self.consents if pk in live]

    @precondition(lambda self: bool(self._live_consents()))
    @rule(index=st.integers(0, 10))
    def expire_consent(self, index: int) -> None:
        live = self._live_consents()
        number = self.consents.index(live[index % len(live)])
        consent = Consent.objects.get(pk=self.consents[number])
        today = timezone.localdate()
        before = self._snapshot()
        Consent.objects.filter(pk=consent.pk).update(
            valid_from=today - datetime.timedelta(days=30), valid_until=today - datetime.timedelta(days=1)
        )
        handled = people_services.consents_expire()
        consent.refresh_from_db()
        assert handled >= 1 and consent.expiry_handled_at is not None, self._report(f"{consent.pk} not handled")
        self.log.append(f"expire consent {number}{self._changes(before)}")

    # --- referrals --------------------------------------------------------------------------------

    @rule(
        person=st.integers(0, 1),
        categories=CATEGORY_SETS,
        legal_basis=st.sampled_from([False, False, False, True]),  # mostly on consent: what the cascade stops
        answer=st.sampled_from(["", "accept", "start"]),
        within_consent=st.sampled_from([True, True, False]),
    )
    def create_and_send(
        self, person: int, categories: set[str], legal_basis: bool, answer: str, within_consent: bool
    ) -> None:
        """A draft sent at once; MOPR may answer it in the same step. Most drafts share only what the live
        consents give MOPR, so that a consent's end often meets a sent, accepted or running referral (the cases
        the cascade withdraws, narrows or discontinues)."""
        w = self.world
        target = self._person(person)
        if within_consent:
            given = consented_categories(target, frozenset({w.receiving.pk}))
            categories = (categories & given) or set(given) or categories
        try:
            referral = referral_services.referral_create(
                actor=w.coordinator,
                person=target,
                to_partner=w.receiving,
                reason="Wsparcie",
                categories=sorted(categories),
            )
        except REFUSALS as exc:
            self.log.append(f"create for person {person}: refused ({type(exc).__name__})")
            return
        self.referrals.append(referral.pk)
        index = len(self.referrals) - 1
        basis = LEGAL_BASIS if legal_basis else ""
        covered = consent_covers(referral.person, w.receiving, list(referral.categories))
        try:
            referral_services.referral_send(actor=w.coordinator, referral=referral, legal_basis=basis)
        except REFUSALS as exc:
            self.log.append(f"create #{index} {sorted(categories)}, send (basis {legal_basis}): {type(exc).__name__}")
            assert not covered and not basis, self._report(f"a covered send of #{index} was refused: {exc!r}")
            assert Referral.objects.get(pk=referral.pk).state == State.DRAFT, self._report("a refused send moved")
            return
        sent = Referral.objects.get(pk=referral.pk)
        self.log.append(f"create #{index} {sorted(categories)} for person {person}, sent (basis {legal_basis})")
        assert covered or sent.legal_basis, self._report(f"#{index} was sent uncovered, without a legal basis")
        for move in {"": [], "accept": ["accept"], "start": ["accept", "start"]}[answer]:
            self._move(move, index, "receiving_staff")

    # One rule per move (not one rule drawing the move): Hypothesis switches rules on and off per example, and
    # the moves of MOPR, which meet the consent's end, should be most of the steps.

    @precondition(lambda self: bool(self.referrals))
    @rule(index=st.integers(0, 20), actor=st.sampled_from(["receiving_staff", "coordinator"]))
    def accept(self, index: int, actor: str) -> None:
        self._move("accept", index, actor)

    @precondition(lambda self: bool(self.referrals))
    @rule(index=st.integers(0, 20), actor=st.sampled_from(["receiving_staff", "coordinator"]))
    def start(self, index: int, actor: str) -> None:
        self._move("start", index, actor)

    @precondition(lambda self: bool(self.referrals))
    @rule(index=st.integers(0, 20), actor=st.sampled_from(["receiving_staff", "coordinator"]))
    def complete(self, index: int, actor: str) -> None:
        self._move("complete", index, actor)

    @precondition(lambda self: bool(self.referrals))
    @rule(index=st.integers(0, 20))
    def decline(self, index: int) -> None:
        self._move("decline", index, "receiving_staff")

    @precondition(lambda self: bool(self.referrals))
    @rule(index=st.integers(0, 20))
    def withdraw_referral(self, index: int) -> None:
        self._move("withdraw", index, "coordinator")

    def _move(self, move: str, index: int, actor: str) -> None:
        number = index % len(self.referrals)
        pk = self.referrals[number]
        before = Referral.objects.get(pk=pk)
        try:
            MOVES[move](self._persona(actor), before)
        except REFUSALS as exc:
            state = Referral.objects.get(pk=pk).state
            self.log.append(f"{move} #{number} by {actor}: refused ({type(exc).__name__}) in {before.state}")
            assert state == before.state, self._report(f"a refused {move} moved #{number} from {before.state}")
            return
        after = Referral.objects.get(pk=pk)
        self.log.append(f"{move} #{number} by {actor}: {before.state} → {after.state}")
        sources, target = TRANSITIONS[move]
        assert before.state in sources and after.state == target, self._report(f"{move}: {before.state}→{after.state}")
        if move in ("accept", "start", "complete") and not after.legal_basis:
            # A move that goes on with the person's data needs the consent at that moment (409 consent_missing).
            assert consent_covers(after.person, after.to_partner, list(after.categories)), self._report(
                f"{move} of #{number} went through uncovered"
            )

    # --- cases ------------------------------------------------------------------------------------

    @rule(person=st.integers(0, 1), to=st.sampled_from(sorted(TRANSFER_TARGETS)))
    def open_case(self, person: int, to: str) -> None:
        manager, partner = TRANSFER_TARGETS[to]
        try:
            people_services.case_open(
                actor=self.world.coordinator,
                person=self._person(person),
                case_manager=self._persona(manager),
                managing_partner=getattr(self.world, partner) if partner else None,
            )
        except REFUSALS as exc:
            self.log.append(f"open case of person {person} at {to}: refused ({type(exc).__name__})")
            return
        self.log.append(f"open case of person {person} at {to}")

    def _has_open_case(self) -> bool:
        return Case.objects.open().filter(person__in=self.people).exists()

    @precondition(_has_open_case)
    @rule(person=st.integers(0, 1), to=st.sampled_from(sorted(TRANSFER_TARGETS)))
    def transfer_case(self, person: int, to: str) -> None:
        case = Case.objects.open().filter(person=self._person(person)).first()
        if case is None:
            self.log.append(f"transfer case of person {person}: no open case")
            return
        manager, partner = TRANSFER_TARGETS[to]
        try:
            people_services.case_transfer(
                actor=self.world.coordinator,
                case=case,
                case_manager=self._persona(manager),
                managing_partner=getattr(self.world, partner) if partner else None,
            )
        except REFUSALS as exc:
            self.log.append(f"transfer case of person {person} to {to}: refused ({type(exc).__name__})")
            return
        self.log.append(f"transfer case of person {person} to {to}")

    @precondition(_has_open_case)
    @rule(person=st.integers(0, 1))
    def close_case(self, person: int) -> None:
        case = Case.objects.open().filter(person=self._person(person)).first()
        if case is None:
            self.log.append(f"close case of person {person}: no open case")
            return
        people_services.case_close(actor=self.world.coordinator, case=case, note="Cel osiągnięty")
        self.log.append(f"close case of person {person}")

    # --- candidacies ------------------------------------------------------------------------------

    @rule(person=st.integers(0, 1))
    def propose(self, person: int) -> None:
        target = self._person(person)
        covered = employment_consents(self.world.employer).filter(person=target).exists()
        try:
            application = applications.application_propose(
                actor=self.world.coordinator, placement=self.placement, person=target
            )
        except REFUSALS as exc:
            self.log.append(f"propose person {person}: refused ({type(exc).__name__})")
            return
        assert covered, self._report(f"person {person} was proposed without an employment consent")
        self.applications.append(application.pk)
        self.log.append(f"propose person {person}: candidacy {len(self.applications) - 1}")

    @precondition(lambda self: bool(self.applications))
    @rule(index=st.integers(0, 10), stage=st.sampled_from([Stage.INTERVIEW, Stage.OFFERED, Stage.HIRED]))
    def employer_moves_on(self, index: int, stage: str) -> None:
        number = index % len(self.applications)
        pk = self.applications[number]
        before = PlacementApplication.objects.get(pk=pk).stage
        try:
            applications.application_advance(
                actor=self.world.employer_staff, application=PlacementApplication.objects.get(pk=pk), stage=stage
            )
        except REFUSALS as exc:
            self.log.append(f"employer moves candidacy {number} to {stage}: refused ({type(exc).__name__}) in {before}")
            assert PlacementApplication.objects.get(pk=pk).stage == before, self._report("a refused move moved")
            return
        self.log.append(f"employer moves candidacy {number}: {before} → {stage}")

    @precondition(lambda self: bool(self.applications))
    @rule(index=st.integers(0, 10))
    def withdraw_candidacy(self, index: int) -> None:
        number = index % len(self.applications)
        pk = self.applications[number]
        before = PlacementApplication.objects.get(pk=pk).stage
        try:
            applications.application_withdraw(
                actor=self.world.coordinator,
                application=PlacementApplication.objects.get(pk=pk),
                reason_code="person_declined",
                reason_origin="person",
            )
        except REFUSALS as exc:
            self.log.append(f"withdraw candidacy {number}: refused ({type(exc).__name__}) in {before}")
            assert PlacementApplication.objects.get(pk=pk).stage == before, self._report("a refused move moved")
            return
        self.log.append(f"withdraw candidacy {number} ({before})")

    # --- invariants -------------------------------------------------------------------------------

    @invariant()
    def no_drift_in_any_grant_table(self) -> None:
        for policy in grants.policies():
            drift = [(pk, missing, extra) for pk, missing, extra in grants.check(policy) if missing or extra]
            assert drift == [], self._report(f"{policy.name} grants drifted: {drift}")

    @invariant()
    def every_person_grant_has_a_consent_or_a_legal_basis(self) -> None:
        rows = PersonGroupObjectPermission.objects.filter(content_object__in=self.people).values_list(
            "content_object_id", "group_id", "permission__codename"
        )
        for person_id, group_id, codename in rows:
            person = Person.objects.get(pk=person_id)
            partner = Partner.objects.get(group_id=group_id)
            category = CATEGORY_OF[codename]
            referrals = Referral.objects.filter(
                person=person, to_partner=partner, state__in=OPEN_STATES, categories__contains=[category]
            )
            on_basis = referrals.exclude(legal_basis="").exists()
            on_consent = referrals.exists() and category in consented_categories(person, frozenset({partner.pk}))
            assert on_basis or on_consent, self._report(f"{partner} reads {category} of {person} with no source")

    @invariant()
    def no_open_referral_outruns_its_consent(self) -> None:
        for referral in Referral.objects.filter(
            pk__in=self.referrals, state__in=OPEN_STATES, legal_basis=""
        ).select_related("person", "to_partner"):
            assert consent_covers(referral.person, referral.to_partner, list(referral.categories)), self._report(
                f"referral {referral.pk} is {referral.state} sharing {referral.categories} uncovered"
            )

    @invariant()
    def a_referral_stopped_by_a_consent_stays_stopped(self) -> None:
        for pk, state, reason in Referral.objects.filter(pk__in=self.referrals).values_list(
            "pk", "state", "reason_code"
        ):
            if pk in self.stopped:
                assert state == self.stopped[pk], self._report(f"{pk} left {self.stopped[pk]} for {state}")
            elif reason == ReasonCode.CONSENT_WITHDRAWN:
                assert state in (State.WITHDRAWN, State.DISCONTINUED), self._report(f"{pk} stopped, yet {state}")
                self.stopped[pk] = state

    @invariant()
    def no_candidacy_before_the_hire_without_an_employment_consent(self) -> None:
        for application in PlacementApplication.objects.filter(
            pk__in=self.applications, stage__in=BEFORE_HIRE
        ).select_related("employer", "person"):
            assert employment_consents(application.employer).filter(person=application.person).exists(), self._report(
                f"candidacy {application.pk} ({application.stage}) goes on without a consent"
            )

    @invariant()
    def an_employer_reaches_no_person(self) -> None:
        for person in self.people:
            assert access_to_person(self.world.employer_staff, person) is None, self._report("employer reads")


@pytest.mark.slow  # 20 examples of 15 steps, every invariant after each: about 30 s on two busy cores
def test_consent_decides_through_random_sequences(db: Any) -> None:
    run_state_machine_as_test(
        ConsentMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )


def check_every_invariant(machine: ConsentMachine) -> None:
    machine.no_drift_in_any_grant_table()
    machine.every_person_grant_has_a_consent_or_a_legal_basis()
    machine.no_open_referral_outruns_its_consent()
    machine.a_referral_stopped_by_a_consent_stays_stopped()
    machine.no_candidacy_before_the_hire_without_an_employment_consent()
    machine.an_employer_reaches_no_person()


def test_the_invariants_hold_through_every_kind_of_stop(world: Any) -> None:
    """Random sequences meet some stops rarely; this one walks through each of them, checking after every step:
    a narrowing, a discontinuation and a candidacy withdrawn by an expiry, a referral on a legal basis that goes
    on, a stopped referral that cannot be accepted, a transfer and a closed case under a running referral."""
    machine = ConsentMachine(world)
    steps = [
        lambda: machine.set_up(
            people=2, with_case=True, consents=[({"identity", "social"}, "mopr"), ({"identity", "employment"}, "both")]
        ),
        lambda: machine.give_consent(0, {"health"}, "mopr"),  # consent 2
        # #0: person 0, identity + social + health, running; #1: person 1, identity + employment, accepted;
        # #2: person 1's health, which no consent gives: sent on the coordinator's legal basis.
        lambda: machine.create_and_send(0, {"identity", "social", "health"}, False, "start", True),
        lambda: machine.create_and_send(1, {"identity", "employment"}, False, "accept", True),
        lambda: machine.create_and_send(1, {"health"}, True, "", False),
        lambda: machine.propose(1),  # candidacy 0, on consent 1 (every employer by type)
        lambda: machine.withdraw_consent(2),  # #0 loses health, goes on with identity and social
        lambda: machine.expire_consent(1),  # #1 discontinued, candidacy 0 withdrawn; #2 goes on (legal basis)
        lambda: machine.accept(1, "receiving_staff"),  # refused: #1 is discontinued and stays so
        lambda: machine.transfer_case(0, "mopr"),
        lambda: machine.close_case(0),  # #0's person grants go with the case
        lambda: machine.withdraw_consent(0),  # #0, running, has nothing left: discontinued
        lambda: machine.withdraw_consent(0),  # refused: already withdrawn
    ]
    for step in steps:
        step()
        check_every_invariant(machine)
    states = {
        number: Referral.objects.values_list("state", "categories", "legal_basis").get(pk=pk)
        for number, pk in enumerate(machine.referrals)
    }
    assert states[0][0] == State.DISCONTINUED and states[0][1] == ["identity", "social"], machine._report("#0")
    assert states[1][0] == State.DISCONTINUED, machine._report("#1")
    assert states[2][0] == State.SENT and states[2][2] == LEGAL_BASIS, machine._report("#2")
    candidacy = PlacementApplication.objects.get(pk=machine.applications[0])
    assert (candidacy.stage, candidacy.reason_code) == (Stage.WITHDRAWN, "consent_withdrawn"), machine._report("c0")
    assert set(machine.stopped) == {machine.referrals[0], machine.referrals[1]}, machine._report("stopped")
    # MOPR reads person 1's health on the legal basis, and nothing of person 0.
    person_0, person_1 = machine.people
    assert set(
        PersonGroupObjectPermission.objects.filter(
            content_object=person_1, group_id=world.receiving.group_id
        ).values_list("permission__codename", flat=True)
    ) == {"read_health"}
    assert not PersonGroupObjectPermission.objects.filter(content_object=person_0).exists()
