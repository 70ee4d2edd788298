"""Helpers for tests about people: valid PESEL numbers, a person with a case, consents."""

from __future__ import annotations

import datetime
from typing import Any

from people.models import Case, Consent, Person

WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


def make_pesel(born: datetime.date, serial: int = 123, female: bool = False) -> str:
    month = born.month + {1800: 80, 1900: 0, 2000: 20, 2100: 40}[born.year // 100 * 100]
    sex_digit = (serial % 5) * 2 + (0 if female else 1)
    digits = f"{born.year % 100:02}{month:02}{born.day:02}{serial % 1000:03}{sex_digit}"
    check = (10 - sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 10) % 10
    return digits + str(check)


def make_person(world: Any, **fields: Any) -> Person:
    data = {
        "network": world.network,
        "first_name": "Anna",
        "last_name": "Kowalska",
        "birth_date": datetime.date(1985, 4, 12),
        "health_notes": "Schizofrenia paranoidalna, leczenie od 2019",
        "disability_symbol": "02-P",
        "disability_level": "moderate",
        "social_situation": "Mieszka sama, zasiłek stały",
        "skills_experience": "Magazynier, 5 lat",
    } | fields
    person = Person(**data)
    person.save()
    return person


def make_case(world: Any, person: Person, manager: Any = None, partner: Any = None, stage: str = "intake") -> Case:
    return Case.objects.create(
        person=person, network=person.network, case_manager=manager, managing_partner=partner, stage=stage
    )


def make_consent(
    world: Any,
    person: Person,
    categories: list[str],
    partners: list[Any] | None = None,
    partner_types: list[str] | None = None,
) -> Consent:
    consent = Consent.objects.create(
        person=person,
        categories=categories,
        partner_types=partner_types or [],
        purpose="Wsparcie w ramach lokalnego systemu",
        recorded_by=world.coordinator,
    )
    consent.partners.set(partners or [])
    return consent
