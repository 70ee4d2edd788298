"""Demo data for issue 15's daily work, made through the same services the pages use: a full service of MOPR with
three people on its waitlist (a discharge from the psychiatric ward, an urgent and a normal referral, waiting since
different days), a record registered twice and merged, and a day off of the network."""

from __future__ import annotations

import datetime

from django.utils import timezone

from network.calendar import public_holiday
from network.models import DayOff, Network
from network.services import day_off_add
from partners.models import Partner, Service, User
from people.merging import person_merge
from people.models import Person, PersonMerge
from people.services import consent_record, person_register


def load_demo_daily_work(
    *, network: Network, coordinator: User, partners: dict[str, Partner], staff: dict[str, User]
) -> None:
    people = list(Person.objects.filter(network=network, merged_into__isnull=True).order_by("created_at", "id"))
    if len(people) < 30:
        return
    _waitlist(network, coordinator, partners["mopr"], staff["mopr"], people[20:24])
    _merged_record(network, coordinator, people[25])
    _day_off(network, coordinator)


def _waitlist(network: Network, coordinator: User, mopr: Partner, receiver: User, people: list[Person]) -> None:
    from referrals import services as rs
    from referrals.choices import Priority
    from referrals.models import Referral

    service, created = Service.objects.get_or_create(
        partner=mopr,
        name="Mieszkanie treningowe",
        defaults={
            "category": "independence",
            "description": "Mieszkanie treningowe dla osób po kryzysie psychicznym, z opieką asystenta.",
            "capacity": 1,
            "waitlist_enabled": True,
            "city": "Piekary Śląskie",
        },
    )
    if not created:
        return
    # The first takes the one place; the next three wait, in the order they came, with different priorities.
    plans = [(Priority.NORMAL, 0), (Priority.NORMAL, 21), (Priority.URGENT, 9), (Priority.WARD_DISCHARGE, 2)]
    for person, (priority, days_ago) in zip(people, plans, strict=True):
        referral = rs.referral_create(
            actor=coordinator,
            person=person,
            to_partner=mopr,
            service=service,
            reason="Potrzeba mieszkania treningowego po pobycie w szpitalu.",
            categories=["identity", "social"],
            priority=priority,
        )
        referral = rs.referral_send(actor=coordinator, referral=referral)
        referral = rs.referral_accept(actor=receiver, referral=referral)
        if referral.waitlisted_at is not None and days_ago:
            # Demo only: the waitlist shows people who have waited for some days.
            Referral.objects.filter(pk=referral.pk).update(
                waitlisted_at=timezone.now() - datetime.timedelta(days=days_ago)
            )


def _merged_record(network: Network, coordinator: User, kept: Person) -> None:
    if PersonMerge.objects.filter(kept__network=network).exists():
        return
    duplicate = person_register(
        actor=coordinator,
        network=network,
        data={
            "first_name": kept.first_name,
            "last_name": kept.last_name,
            "birth_date": kept.birth_date,
            "sex": kept.sex,
            "phone": "601 555 012",
            "city": "Piekary Śląskie",
        },
        force=True,
    )
    consent_record(
        actor=coordinator,
        person=duplicate,
        categories=["identity", "social"],
        partners=list(first.partners.all()) if (first := kept.consents.first()) is not None else [],
        purpose="Wsparcie w ramach Lokalnego Systemu Współdziałania Partnerów",
    )
    person_merge(
        actor=coordinator,
        kept=kept,
        merged=duplicate,
        reason="Osoba zarejestrowana drugi raz przy wypisie z oddziału; to ta sama osoba.",
        channel="command",
    )


def _day_off(network: Network, coordinator: User) -> None:
    if DayOff.objects.filter(network=network).exists():
        return
    # The first working Friday after today that is no public holiday: a bridge day the county gives off.
    day = timezone.localdate() + datetime.timedelta(days=30)
    while day.weekday() != 4 or public_holiday(day):
        day += datetime.timedelta(days=1)
    day_off_add(actor=coordinator, network=network, day=day, name="Dzień wolny za święto (zarządzenie starosty)")
