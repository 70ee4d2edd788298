"""A subscriber hears only of objects its owner may see, decided per event when it is fanned out, with the same
access functions the pages and the API use: never a partner of another network, never an employer for a referral."""

from __future__ import annotations

from typing import Any

import pytest

from employment import applications, placements
from people import services as people_services
from referrals import services as referral_services
from tests.people_fixtures import make_case, make_consent, make_person
from tests.referral_fixtures import sent_referral
from webhooks import services
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db

URL = "https://93.184.216.34/hook"  # a public address, never contacted: these tests only fan out


@pytest.fixture
def subscriptions(world: Any) -> dict[str, Subscription]:
    def partner(admin: Any, partner: Any, events: list[str]) -> Subscription:
        return services.subscription_create(actor=admin, url=URL, events=events, partner=partner)

    from partners.choices import StaffRole
    from tests.factories import make_staff

    sending_admin = make_staff(world.sending, StaffRole.ADMIN, username="sds-admin")
    employer_admin = make_staff(world.employer, StaffRole.ADMIN, username="pracodawca-admin")
    everything = ["referral.*", "placement.*", "application.*"]
    return {
        "receiving": partner(world.receiving_admin, world.receiving, everything),
        "sending": partner(sending_admin, world.sending, everything),
        "employer": partner(employer_admin, world.employer, everything),
        "unrelated": partner(world.unrelated_admin, world.unrelated, everything),
        "network": services.subscription_create(
            actor=world.coordinator, url=URL, events=[*everything, "consent.*"], network=world.network
        ),
        "other_network": services.subscription_create(
            actor=world.other_coordinator, url=URL, events=[*everything, "consent.*"], network=world.other_network
        ),
    }


def heard(subscriptions: dict[str, Subscription], event_type: str) -> set[str]:
    ids = set(Delivery.objects.filter(event_type=event_type).values_list("subscription_id", flat=True))
    return {name for name, subscription in subscriptions.items() if subscription.pk in ids}


def test_a_referral_is_heard_by_its_two_partners_and_its_coordination_only(
    world: Any, subscriptions: dict[str, Subscription], django_capture_on_commit_callbacks: Any
) -> None:
    person = make_person(world)
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    make_consent(world, person, ["identity"], partners=[world.receiving])
    with django_capture_on_commit_callbacks(execute=True):
        draft = referral_services.referral_create(
            actor=world.sending_staff,
            person=person,
            to_partner=world.receiving,
            reason="Wsparcie",
            categories=["identity"],
        )
        referral = referral_services.referral_send(actor=world.sending_staff, referral=draft)
        referral_services.referral_check_in(actor=world.receiving_staff, referral=referral)
        referral_services.referral_accept(actor=world.receiving_staff, referral=referral)
    everyone_of_it = {"receiving", "sending", "network"}
    for event_type in ("referral.sent", "referral.checked_in", "referral.accepted"):
        assert heard(subscriptions, event_type) == everyone_of_it, event_type
    assert not Delivery.objects.filter(subscription__in=[subscriptions["employer"], subscriptions["unrelated"]])


def test_the_receiving_partner_hears_of_the_decline_that_ends_its_view(
    world: Any, subscriptions: dict[str, Subscription], django_capture_on_commit_callbacks: Any
) -> None:
    # Each change commits on its own, and is fanned out as it commits (as two requests would).
    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(world)
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_decline(actor=world.receiving_staff, referral=referral, reason_code="no_capacity")
    # The coordinator sent it (no sending partner): the receiver and the network hear; the ŚDS does not.
    assert heard(subscriptions, "referral.sent") == {"receiving", "network"}
    assert heard(subscriptions, "referral.declined") == {"receiving", "network"}


def test_a_subscription_hears_only_the_event_types_it_asked_for(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    only_accepted = services.subscription_create(
        actor=world.receiving_admin, url=URL, events=["referral.accepted"], partner=world.receiving
    )
    off = services.subscription_create(
        actor=world.receiving_admin, url=URL, events=["referral.*"], partner=world.receiving
    )
    services.subscription_disable(actor=world.receiving_admin, subscription=off)
    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(world)
        referral_services.referral_accept(actor=world.receiving_staff, referral=referral)
    assert list(Delivery.objects.values_list("subscription_id", "event_type")) == [
        (only_accepted.pk, "referral.accepted")
    ]


def test_a_rolled_back_change_is_never_announced(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    from django.db import transaction

    services.subscription_create(actor=world.coordinator, url=URL, events=["referral.*"], network=world.network)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                sent_referral(world)
                raise RuntimeError("undo")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Delivery.objects.exists()


def test_placements_and_applications_go_to_the_employer_the_proposer_and_the_network(
    world: Any, subscriptions: dict[str, Subscription], django_capture_on_commit_callbacks: Any
) -> None:
    from partners.choices import PartnerType
    from tests.factories import MembershipFactory, PartnerFactory, make_staff

    pup = PartnerFactory(name="PUP Piekary", type=PartnerType.PUP)
    MembershipFactory(network=world.network, partner=pup, functions=["employment"])
    pup_staff = make_staff(pup, username="pup")
    from partners.choices import StaffRole

    pup_admin = make_staff(pup, StaffRole.ADMIN, username="pup-admin")
    subscriptions["pup"] = services.subscription_create(
        actor=pup_admin, url=URL, events=["placement.*", "application.*"], partner=pup
    )
    person = make_person(world)
    make_consent(world, person, ["identity", "employment"], partners=[world.employer, pup])
    make_case(world, person, manager=pup_staff, partner=pup)
    with django_capture_on_commit_callbacks(execute=True):
        placement = placements.placement_create(
            actor=world.employer_staff,
            employer=world.employer,
            data={
                "title": "Pomocnik introligatora",
                "workplace": "Drukarnia, ul. Długa 1",
                "hours_per_week": 20,
                "contract_form": "employment_contract",
                "positions": 1,
            },
        )
    # Each change commits (and is fanned out) on its own, as separate requests would.
    with django_capture_on_commit_callbacks(execute=True):
        application = applications.application_propose(actor=pup_staff, placement=placement, person=person)
    with django_capture_on_commit_callbacks(execute=True):
        applications.application_interview(actor=world.employer_staff, application=application)
    with django_capture_on_commit_callbacks(execute=True):
        applications.application_decline(actor=world.employer_staff, application=application, reason_code="not_suited")
    with django_capture_on_commit_callbacks(execute=True):
        placements.placement_close(actor=world.employer_staff, placement=placement)
    # The labour office of the network sees open placements; an NGO of another network never does.
    assert heard(subscriptions, "placement.published") == {"employer", "network", "pup"}
    assert heard(subscriptions, "application.proposed") == {"employer", "network", "pup"}
    assert heard(subscriptions, "application.interview") == {"employer", "network", "pup"}
    assert heard(subscriptions, "application.declined") == {"employer", "network", "pup"}
    # A closed placement is the employer's and the network's: the labour office no longer sees it.
    assert heard(subscriptions, "placement.closed") == {"employer", "network"}
    assert not Delivery.objects.filter(event_type__startswith="referral.").exists()


def test_a_consent_withdrawal_is_heard_by_the_network_only(
    world: Any, subscriptions: dict[str, Subscription], django_capture_on_commit_callbacks: Any
) -> None:
    person = make_person(world)
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    consent = make_consent(world, person, ["identity"], partners=[world.receiving])
    with django_capture_on_commit_callbacks(execute=True):
        referral = sent_referral(world, person=person)
        people_services.consent_withdraw(actor=world.coordinator, consent=consent)
    assert heard(subscriptions, "consent.withdrawn") == {"network"}
    # The referral the withdrawal stopped: its receiving partner hears that it was withdrawn.
    assert heard(subscriptions, "referral.withdrawn") == {"receiving", "network"}
    delivery = Delivery.objects.get(event_type="consent.withdrawn")
    assert delivery.payload["data"]["id"] == str(consent.pk)
    assert delivery.payload["data"]["state"] == "withdrawn"
    referral.refresh_from_db()
    assert referral.state == "withdrawn"


def test_a_partner_cannot_subscribe_to_consent_events(world: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.subscription_create(
            actor=world.receiving_admin, url=URL, events=["consent.withdrawn"], partner=world.receiving
        )
