"""Model-level validators for Polish identifiers, delegating to django-localflavor's checks."""

from __future__ import annotations

from localflavor.pl.forms import PLNIPField, PLPESELField, PLPostalCodeField, PLREGONField


def validate_regon(value: str) -> None:
    PLREGONField().clean(value)


def validate_nip(value: str) -> None:
    PLNIPField().clean(value)


def validate_postal_code(value: str) -> None:
    PLPostalCodeField().clean(value)


def validate_pesel(value: str) -> None:
    PLPESELField().clean(value)


def normalise_nip(value: str) -> str:
    return value.replace("-", "").strip()
