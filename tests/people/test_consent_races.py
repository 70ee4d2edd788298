"""Issue 13, "Done when": consent decides even when two server processes act on one person at the same moment.

Each test races a change that can give a partner a person's data (send, accept, case transfer) against the
withdrawal of the only consent that covers it, 50 rounds, on real parallel PostgreSQL connections: two threads,
each with its own Django connection, released together by a barrier (one of them, chosen at random, waits up to
a few milliseconds more, so both orders of arrival occur). Either move may be refused with a domain error; after
every round, whatever the order:

- ``access_check`` finds no drift: every grant table equals what domain state implies (``core.grants.check``);
- the receiving partner reads nothing of the person (no grant, ``access_to_person`` is None) unless it is the
  person's case manager, and then identity only;
- no referral is sent, accepted or in progress while uncovered: the only consent is gone, so the referral is
  either still a draft (the send lost) or was stopped with the reason ``consent_withdrawn``;
- the withdrawal went through, in one transaction with its log row and its notification.

The issue's finding was exactly this race: the send locked the referral, the withdrawal the consent, and each
recomputed the grants from its own snapshot; ``people.shares.lock_person`` now serialises them.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections

from core import grants
from core.errors import DomainError, IllegalTransition, NoConsent
from notifications.models import Notification
from partners.models import User
from people import services as people_services
from people.access import access_to_person
from people.models import AccessLog, Case, Consent, Person, PersonGroupObjectPermission
from referrals import services
from referrals.choices import OPEN_STATES, ReasonCode, State
from referrals.models import Referral
from referrals.services import consent_covers
from tests.people_fixtures import make_case, make_consent, make_person
from tests.personas import World

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROUNDS = 50
REFUSALS = (DomainError, ValidationError, PermissionDenied)
SHARED = ["identity", "social"]
RNG = random.Random(13)  # the jitter only; the seed keeps a failing run's timing pattern comparable


@pytest.fixture(autouse=True)
def in_memory_channel_layer(settings: Any) -> Iterator[None]:
    """The pushes after commit are not under test here; Redis would open new connections in every thread's event
    loop (a tenth of a second a move), so the rounds use the in-memory layer."""
    from channels.layers import channel_layers

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


# --- the race -------------------------------------------------------------------------------------


def race(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run both on their own connections, released together; each result is the return value or the refusal.
    Anything but a refusal (a deadlock, an IntegrityError, an assertion) fails the test."""
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]
    errors: list[BaseException] = []
    late = RNG.randrange(2)
    delay = RNG.uniform(0, 0.004)

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=20)
            if index == late:
                time.sleep(delay)
            results[index] = action()
        except REFUSALS as exc:
            results[index] = exc
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (a lock never released?)"
    assert not errors, f"a move failed with something other than a refusal: {errors!r}"
    return results[0], results[1]


def user(pk: Any) -> User:
    """A fresh user row per thread, as another server process would load it (no shared per-request caches)."""
    return User.objects.get(pk=pk)


def withdraw(world: World, consent_pk: Any) -> Callable[[], Consent]:
    def action() -> Consent:
        return people_services.consent_withdraw(
            actor=user(world.coordinator.pk), consent=Consent.objects.get(pk=consent_pk), note="Osoba wycofała zgodę"
        )

    return action


# --- one person per round -------------------------------------------------------------------------


def person_with_draft(world: World, number: int) -> tuple[Person, Consent, Referral]:
    """A person of network A (case at the ŚDS), one consent covering MOPR, a draft referral to MOPR under it."""
    person = make_person(world, first_name=f"Osoba{number}", last_name="Wyścigowa")
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    consent = make_consent(world, person, SHARED, partners=[world.receiving])
    referral = services.referral_create(
        actor=world.coordinator, person=person, to_partner=world.receiving, reason="Wsparcie", categories=SHARED
    )
    return person, consent, referral


def person_with_sent_referral(world: World, number: int) -> tuple[Person, Consent, Referral]:
    person, consent, referral = person_with_draft(world, number)
    referral = services.referral_send(actor=world.coordinator, referral=referral)
    assert person_grants(person, world.receiving) == {"read_identity", "read_social"}
    return person, consent, referral


def person_grants(person: Person, partner: Any) -> set[str]:
    return set(
        PersonGroupObjectPermission.objects.filter(content_object=person, group_id=partner.group_id).values_list(
            "permission__codename", flat=True
        )
    )


# --- what must hold after every round ---------------------------------------------------------------


def assert_no_drift(context: str) -> None:
    """What ``manage.py access_check`` reports, table by table."""
    for policy in grants.policies():
        drift = [(pk, missing, extra) for pk, missing, extra in grants.check(policy) if missing or extra]
        assert drift == [], f"{context}: {policy.name} grants drifted: {drift}"


def assert_no_uncovered_open_referral(context: str) -> None:
    """No referral is sent, accepted or in progress without a live consent (or a recorded legal basis)."""
    for referral in Referral.objects.filter(state__in=OPEN_STATES, legal_basis="").select_related(
        "person", "to_partner"
    ):
        assert consent_covers(referral.person, referral.to_partner, list(referral.categories)), (
            f"{context}: referral {referral.pk} is {referral.state} with no consent covering {referral.categories}"
        )


def assert_withdrawal_recorded(world: World, consent: Consent, context: str) -> None:
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None, f"{context}: the consent is still live"
    assert AccessLog.objects.filter(person_id=consent.person_id, detail=f"withdraw:{consent.pk}").count() == 1, (
        f"{context}: the withdrawal has no access-log row"
    )
    assert Notification.objects.filter(
        recipient=world.coordinator, kind="consent.withdrawn", object_id=str(consent.pk)
    ).exists(), f"{context}: the coordinator was not told"


def assert_stopped_by_the_withdrawal(referral: Referral, state: str, context: str) -> None:
    assert referral.state == state, f"{context}: referral is {referral.state}, expected {state}"
    assert referral.reason_code == ReasonCode.CONSENT_WITHDRAWN, f"{context}: reason {referral.reason_code!r}"
    assert referral.events.filter(reason_code=ReasonCode.CONSENT_WITHDRAWN).count() == 1, context


def assert_receiving_partner_reads_nothing(world: World, person: Person, context: str) -> None:
    assert person_grants(person, world.receiving) == set(), (
        f"{context}: MOPR kept {person_grants(person, world.receiving)}"
    )
    fresh_person = Person.objects.get(pk=person.pk)
    for staff in (world.receiving_staff, world.receiving_admin):
        assert access_to_person(user(staff.pk), fresh_person) is None, f"{context}: {staff.username} reads the person"


def tally(outcomes: Counter[str], name: str) -> None:
    """Both orders of arrival should occur; printed for the report (pytest -s), never asserted (timing)."""
    print(f"\n{name}: {dict(sorted(outcomes.items()))}")


# --- the three races ------------------------------------------------------------------------------


def test_send_and_withdraw_at_once_never_leave_the_receiving_partner_a_share(world: World) -> None:
    outcomes: Counter[str] = Counter()
    started = time.monotonic()
    for number in range(ROUNDS):
        person, consent, referral = person_with_draft(world, number)

        def send(pk: Any = referral.pk) -> Referral:
            return services.referral_send(actor=user(world.coordinator.pk), referral=Referral.objects.get(pk=pk))

        sent, withdrawn = race(send, withdraw(world, consent.pk))
        context = f"round {number} (send: {sent!r}, withdraw: {withdrawn!r})"
        assert isinstance(withdrawn, Consent), f"{context}: the withdrawal was refused"
        referral.refresh_from_db()
        if isinstance(sent, Referral):
            # The send went first; the withdrawal found it sent and withdrew it.
            outcomes["send first"] += 1
            assert_stopped_by_the_withdrawal(referral, State.WITHDRAWN, context)
            assert referral.events.filter(action="send").count() == 1, context
        else:
            # The withdrawal went first; the send found no consent and changed nothing.
            outcomes["withdraw first"] += 1
            assert isinstance(sent, NoConsent), f"{context}: the send was refused with {sent!r}"
            assert referral.state == State.DRAFT and referral.sent_at is None, context
            assert not referral.events.filter(action="send").exists(), context
        assert_withdrawal_recorded(world, consent, context)
        assert_receiving_partner_reads_nothing(world, person, context)
        assert_no_uncovered_open_referral(context)
        assert_no_drift(context)
    tally(outcomes, f"send ∥ withdraw, {time.monotonic() - started:.1f} s")


def test_accept_and_withdraw_at_once_never_leave_an_uncovered_accepted_referral(world: World) -> None:
    outcomes: Counter[str] = Counter()
    started = time.monotonic()
    for number in range(ROUNDS):
        person, consent, referral = person_with_sent_referral(world, number)

        def accept(pk: Any = referral.pk) -> Referral:
            return services.referral_accept(actor=user(world.receiving_staff.pk), referral=Referral.objects.get(pk=pk))

        accepted, withdrawn = race(accept, withdraw(world, consent.pk))
        context = f"round {number} (accept: {accepted!r}, withdraw: {withdrawn!r})"
        assert isinstance(withdrawn, Consent), f"{context}: the withdrawal was refused"
        referral.refresh_from_db()
        if isinstance(accepted, Referral):
            # Accepted first: nothing it shares is covered any longer, so the withdrawal discontinued it.
            outcomes["accept first"] += 1
            assert referral.events.filter(action="accept").count() == 1, context
            assert_stopped_by_the_withdrawal(referral, State.DISCONTINUED, context)
        else:
            # Withdrawn first: the referral was withdrawn before MOPR answered; the accept is an illegal move
            # (MOPR lost its respond grant with it, or, had it seen the referral still sent, a missing consent) and
            # changed nothing.
            outcomes["withdraw first"] += 1
            assert isinstance(accepted, IllegalTransition | NoConsent | PermissionDenied), (
                f"{context}: accept refused with {accepted!r}"
            )
            assert not referral.events.filter(action="accept").exists(), context
            assert_stopped_by_the_withdrawal(referral, State.WITHDRAWN, context)
        assert referral.answered_at is None or referral.state == State.DISCONTINUED, context
        assert_withdrawal_recorded(world, consent, context)
        assert_receiving_partner_reads_nothing(world, person, context)
        assert_no_uncovered_open_referral(context)
        assert_no_drift(context)
    tally(outcomes, f"accept ∥ withdraw, {time.monotonic() - started:.1f} s")


def test_transfer_and_withdraw_at_once_leave_the_new_manager_identity_only(world: World) -> None:
    """The case passes from the ŚDS to MOPR's staff, which also received a referral under the consent: as the
    case manager it reads identity, and nothing the withdrawn consent gave; the ŚDS reads nothing any more."""
    outcomes: Counter[str] = Counter()
    started = time.monotonic()
    for number in range(ROUNDS):
        person, consent, referral = person_with_sent_referral(world, number)
        case = Case.objects.get(person=person)

        def transfer(pk: Any = case.pk) -> Case:
            return people_services.case_transfer(
                actor=user(world.coordinator.pk),
                case=Case.objects.get(pk=pk),
                case_manager=user(world.receiving_staff.pk),
                managing_partner=world.receiving,
            )

        transferred, withdrawn = race(transfer, withdraw(world, consent.pk))
        context = f"round {number} (transfer: {transferred!r}, withdraw: {withdrawn!r})"
        assert isinstance(withdrawn, Consent), f"{context}: the withdrawal was refused"
        assert isinstance(transferred, Case), f"{context}: the transfer was refused"
        case.refresh_from_db()
        referral.refresh_from_db()
        assert case.case_manager_id == world.receiving_staff.pk and case.closed_on is None, context
        # Which committed first: the withdrawal tells the case manager of that moment.
        told_new_manager = Notification.objects.filter(
            recipient=world.receiving_staff, kind="consent.withdrawn", object_id=str(consent.pk)
        ).exists()
        outcomes["transfer first" if told_new_manager else "withdraw first"] += 1
        assert_stopped_by_the_withdrawal(referral, State.WITHDRAWN, context)
        assert_withdrawal_recorded(world, consent, context)
        assert person_grants(person, world.receiving) == set(), f"{context}: MOPR's group kept a grant"
        fresh_person = Person.objects.get(pk=person.pk)
        manager = access_to_person(user(world.receiving_staff.pk), fresh_person)
        assert manager is not None and manager.is_case_manager, f"{context}: the new manager cannot reach the case"
        assert manager.categories == {"identity"}, f"{context}: the new manager reads {sorted(manager.categories)}"
        assert access_to_person(user(world.sending_staff.pk), fresh_person) is None, (
            f"{context}: the former case manager still reads the person"
        )
        assert access_to_person(user(world.receiving_admin.pk), fresh_person) is None, (
            f"{context}: MOPR's admin reads the person without a case or a grant"
        )
        assert_no_uncovered_open_referral(context)
        assert_no_drift(context)
    tally(outcomes, f"transfer ∥ withdraw, {time.monotonic() - started:.1f} s")
