"""Fictional people for the demo network: every path stage, consents, a plan, activities and the open
support group "Razem Łatwiej!" with a year of weekly meetings (seed 004). Names are invented."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction

from network.models import Network
from partners.choices import PathStage
from partners.models import Partner, Service, User
from people.models import Activity, Attendance, GroupMembership, Meeting, Person, SupportGroup
from people.plans import goal_add
from people.services import case_change_stage, case_open, consent_record, person_register

FIRST_F = [
    "Anna",
    "Maria",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Barbara",
    "Ewa",
    "Krystyna",
    "Elżbieta",
    "Zofia",
    "Joanna",
    "Magdalena",
    "Monika",
    "Teresa",
    "Danuta",
    "Beata",
    "Jadwiga",
    "Halina",
    "Irena",
    "Grażyna",
    "Renata",
]
FIRST_M = [
    "Piotr",
    "Krzysztof",
    "Andrzej",
    "Tomasz",
    "Paweł",
    "Jan",
    "Michał",
    "Marcin",
    "Stanisław",
    "Grzegorz",
    "Józef",
    "Łukasz",
    "Adam",
    "Zbigniew",
    "Jerzy",
    "Tadeusz",
    "Mateusz",
    "Dariusz",
    "Mariusz",
    "Wojciech",
    "Ryszard",
]
LAST = [
    "Nowak",
    "Wójcik",
    "Kowalczyk",
    "Woźniak",
    "Mazur",
    "Krawczyk",
    "Kaczmarek",
    "Zając",
    "Król",
    "Wieczorek",
    "Jabłoński",
    "Wróbel",
    "Dudek",
    "Adamczyk",
    "Pawlak",
    "Sikora",
    "Walczak",
    "Baran",
    "Michalski",
    "Szewczyk",
    "Ostrowski",
]
COUNT = 42


def _feminine(last: str) -> str:
    return last[:-1] + "a" if last.endswith("ki") else last


@transaction.atomic
def load_demo_people(
    *,
    network: Network,
    coordinator: User,
    partners: dict[str, Partner],
    staff: dict[str, User],
    person_password: str,
) -> int:
    if Person.objects.filter(network=network).exists():
        return Person.objects.filter(network=network).count()
    rng = random.Random(2026)  # the same demo every time
    stages = list(PathStage.values)
    today = datetime.date.today()
    managers = [(staff["mopr"], partners["mopr"]), (staff["sds"], partners["sds"]), (None, None)]
    people: list[Person] = []
    for i in range(COUNT):
        female = i % 2 == 0
        first = (FIRST_F if female else FIRST_M)[i % 21]
        last = LAST[(i * 5) % 21]
        person = person_register(
            actor=coordinator,
            network=network,
            data={
                "first_name": first,
                "last_name": _feminine(last) if female else last,
                "birth_date": datetime.date(1960 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28)),
                "sex": "female" if female else "male",
                "phone": f"600 {100 + i:03} {200 + i:03}",
                "city": "Piekary Śląskie",
                "postal_code": "41-940",
                "gmina_teryt": "2462011",
                "gmina_name": "Piekary Śląskie",
                "social_situation": rng.choice(
                    ["Mieszka z rodzicami.", "Mieszka sam(a), zasiłek stały.", "Mieszkanie treningowe."]
                ),
                "health_notes": rng.choice(
                    ["Po hospitalizacji psychiatrycznej.", "Leczenie w CZP.", "W trakcie terapii."]
                ),
                "disability_level": rng.choice(["", "light", "moderate"]),
                "skills_experience": rng.choice(["Magazynier.", "Sprzedawca.", "Ogrodnictwo.", "Brak doświadczenia."]),
            },
            force=True,
        )
        people.append(person)
        consent_record(
            actor=coordinator,
            person=person,
            categories=["identity", "social"] + (["health"] if i % 3 else []) + (["employment"] if i % 2 else []),
            partners=[partners["mopr"], partners["sds"], partners["pup"]],
            partner_types=["employer"] if i % 2 else [],
            purpose="Wsparcie w ramach Lokalnego Systemu Współdziałania Partnerów",
            valid_from=today - datetime.timedelta(days=400),
        )
        manager, partner = managers[i % 3]
        case = case_open(actor=coordinator, person=person, case_manager=manager, managing_partner=partner)
        target = stages[i % len(stages)]
        for stage in stages[1 : stages.index(target) + 1]:
            case = case_change_stage(actor=coordinator, case=case, stage=stage)
        if i % 4 == 0:
            goal_add(
                actor=coordinator,
                case=case,
                domain=rng.choice(["social_contacts", "work_education", "daily_activity"]),
                description="Regularny udział w zajęciach i kontakt z opiekunem.",
                responsible_partner=partner or partners["mopr"],
                # Every third of these falls due within ten days: the case managers' worklists show a review.
                target_date=today + datetime.timedelta(days=10 if i % 12 == 0 else 180),
            )
    # A consent that ends within 30 days (person 0's case is MOPR's): on the worklist of MOPR's case manager.
    consent_record(
        actor=coordinator,
        person=people[0],
        categories=["identity", "employment"],
        partners=[partners["mopr"], partners["pup"]],
        purpose="Udział w programie aktywizacji zawodowej",
        valid_from=today - datetime.timedelta(days=60),
        valid_until=today + datetime.timedelta(days=21),
    )
    # A person who came first to the ŚDS: registered there with the consent given at its door.
    person_register(
        actor=staff["sds"],
        network=network,
        data={"first_name": "Halina", "last_name": "Drzwiecka", "birth_date": datetime.date(1979, 3, 8)},
        door_partner=partners["sds"],
        consent={
            "categories": ["identity", "social"],
            "purpose": "Wsparcie w ramach Lokalnego Systemu Współdziałania Partnerów",
            "valid_until": today + datetime.timedelta(days=25),
        },
    )
    _support_group(network, partners["mopr"], people[:18], rng, today)
    _activities(people, partners, staff, rng, today)
    load_demo_referrals(network=network, coordinator=coordinator, partners=partners, staff=staff, people=people)
    load_demo_person_account(
        person=people[4], coordinator=coordinator, staff=staff, today=today, password=person_password
    )
    return len(people)


DEMO_PERSON_LOGIN = "osoba"


def load_demo_person_account(
    *, person: Person, coordinator: User, staff: dict[str, User], today: Any, password: str
) -> None:
    """The person's own account ``osoba`` (password ``demo``, no second factor) for a member of the support group
    with consents, an open path with a goal, two past accesses by partners and upcoming meetings (issue 18).

    The account is made directly, as the other demo logins are: the invitation's password rules would refuse
    ``demo``."""
    from people.models import AccessAction, AccessLog, ContactBy, PersonAccount

    user, created = User.objects.get_or_create(
        username=DEMO_PERSON_LOGIN,
        defaults={"first_name": person.first_name, "is_person_account": True, "email": "osoba@demo.invalid"},
    )
    if not created:
        return
    user.set_password(password)
    user.save(update_fields=["password"])
    PersonAccount.objects.create(
        user=user,
        person=person,
        relation="person",
        phone=person.phone,
        email=user.email,
        contact_by=ContactBy.SMS,
        invited_by=coordinator,
    )
    now = datetime.datetime.now(tz=datetime.UTC)
    # Two past openings of the record by partners' staff (the log is append-only: written as they would be).
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=staff["mopr"],
                person=person,
                action=AccessAction.VIEW,
                view="person-detail",
                at=now - datetime.timedelta(days=12, hours=3),
            ),
            AccessLog(
                user=staff["sds"],
                person=person,
                action=AccessAction.VIEW,
                view="person-path",
                at=now - datetime.timedelta(days=2, hours=5),
            ),
        ]
    )
    # The group's next meetings, so that "my next meetings" is not empty.
    group = SupportGroup.objects.filter(memberships__person=person).first()
    if group is not None:
        day = today + datetime.timedelta(days=(2 - today.weekday()) % 7 or 7)
        for week in range(3):
            Meeting.objects.get_or_create(
                group=group,
                held_on=day + datetime.timedelta(days=7 * week),
                defaults={
                    "duration_minutes": 90,
                    "topic": "Spotkanie grupy",
                    "place": group.place,
                    "leader": group.leader,
                },
            )


def _support_group(network: Network, mopr: Partner, members: list[Person], rng: random.Random, today: Any) -> None:
    service = Service.objects.filter(partner=mopr, name__startswith="Grupa wsparcia").first()
    group = SupportGroup.objects.create(
        network=network,
        partner=mopr,
        service=service,
        name="Razem Łatwiej!",
        description="Otwarta grupa wsparcia dla osób po kryzysie psychicznym; można dołączyć w każdej chwili.",
        weekday=2,
        start_time=datetime.time(13, 30),
        duration_minutes=90,
        place="MOPR, sala 12",
        leader="psycholog MOPR",
    )
    start = today - datetime.timedelta(days=365)
    joined: dict[Any, datetime.date] = {}
    for n, person in enumerate(members):
        joined[person.pk] = start + datetime.timedelta(days=n * 14)
        GroupMembership.objects.create(group=group, person=person, joined_on=joined[person.pk])
    day = start + datetime.timedelta(days=(2 - start.weekday()) % 7)
    while day <= today:
        meeting = Meeting.objects.create(
            group=group,
            held_on=day,
            duration_minutes=90,
            topic="Spotkanie grupy",
            place=group.place,
            leader=group.leader,
        )
        present = [p for p in members if joined[p.pk] <= day and rng.random() < 0.7]
        Attendance.objects.bulk_create([Attendance(meeting=meeting, person=p) for p in present])
        day += datetime.timedelta(days=7)


def _activities(
    people: list[Person], partners: dict[str, Partner], staff: dict[str, User], rng: random.Random, today: Any
) -> None:
    rows = []
    for person in people:
        for _n in range(rng.randint(1, 6)):
            key = rng.choice(["mopr", "sds"])
            rows.append(
                Activity(
                    person=person,
                    partner=partners[key],
                    kind="individual",
                    occurred_on=today - datetime.timedelta(days=rng.randint(1, 360)),
                    minutes=rng.choice([30, 45, 60, 90]),
                    topic="Konsultacja indywidualna",
                    recorded_by=staff[key],
                )
            )
    Activity.objects.bulk_create(rows)


def load_demo_referrals(
    *, network: Network, coordinator: User, partners: dict[str, Partner], staff: dict[str, User], people: list[Person]
) -> int:
    """Referrals in every state (DESIGN §10), made through the same services the pages use."""
    from django.utils import timezone

    from referrals import services as rs
    from referrals.models import Referral

    if Referral.objects.filter(network=network).exists():
        return Referral.objects.filter(network=network).count()
    mopr_service = Service.objects.filter(partner=partners["mopr"], name__startswith="Praca socjalna").first()
    sds_service = Service.objects.filter(partner=partners["sds"]).first()
    plans = [  # (person index, to, service, moves)
        (1, "mopr", mopr_service, []),  # sent
        (2, "mopr", mopr_service, ["accept"]),
        (3, "mopr", mopr_service, ["accept", "start"]),
        (4, "mopr", mopr_service, ["accept", "start", "complete"]),
        (5, "mopr", None, ["decline"]),
        (6, "sds", sds_service, ["withdraw"]),
        (7, "sds", sds_service, ["accept", "start", "discontinue"]),
        (8, "sds", None, ["check_in"]),
        (9, "sds", None, ["overdue"]),
        (10, "mopr", None, ["draft"]),
    ]
    for index, key, service, moves in plans:
        receiver = staff[key]
        referral = rs.referral_create(
            actor=coordinator,
            person=people[index],
            to_partner=partners[key],
            service=service,
            reason="Wsparcie w codziennym funkcjonowaniu po wypisie ze szpitala.",
            goal="Regularny kontakt i udział w zajęciach.",
            categories=["identity", "social"],
        )
        if "draft" in moves:
            continue
        referral = rs.referral_send(actor=coordinator, referral=referral)
        for move in moves:
            if move == "accept":
                referral = rs.referral_accept(actor=receiver, referral=referral)
            elif move == "start":
                referral = rs.referral_start(actor=receiver, referral=referral)
            elif move == "complete":
                referral = rs.referral_complete(actor=receiver, referral=referral, outcome_code="goal_achieved")
            elif move == "decline":
                referral = rs.referral_decline(actor=receiver, referral=referral, reason_code="not_eligible")
            elif move == "withdraw":
                referral = rs.referral_withdraw(
                    actor=coordinator, referral=referral, reason_code="person_declined", reason_origin="person"
                )
            elif move == "discontinue":
                referral = rs.referral_discontinue(
                    actor=receiver, referral=referral, reason_code="person_unreachable", outcome_code="not_achieved"
                )
            elif move == "check_in":
                referral = rs.referral_check_in(actor=receiver, referral=referral)
            elif move == "overdue":
                Referral.objects.filter(pk=referral.pk).update(due_by=timezone.now() - datetime.timedelta(days=2))
    return len(plans)
