"""What an import file may say: the columns of each kind, the headers and sheet names taken for them, and the
names accepted for choice values."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from partners.choices import FundingSource, PartnerFunction, PartnerType, PathStage, Sector


class ImportKind(StrEnum):
    PARTNERS = "partners"
    SERVICES = "services"


@dataclass(frozen=True)
class Column:
    """A column of an import table: its code, label, the Polish headers accepted for it, and its parser."""

    code: str
    label: Promise
    aliases: tuple[str, ...] = ()
    parser: str = "text"  # text | choice | functions | regon | nip | krs | postal_code | capacity | boolean | url
    choices: type[models.TextChoices] | None = None
    required: bool = False
    help: Promise | str = ""


PARTNER_COLUMNS: tuple[Column, ...] = (
    Column("name", _("name"), ("nazwa", "nazwa instytucji", "nazwa partnera", "instytucja"), required=True),
    Column("short_name", _("short name"), ("nazwa skrócona", "nazwa krótka", "skrót")),
    Column(
        "type",
        _("type"),
        ("typ", "typ instytucji", "rodzaj", "rodzaj instytucji"),
        "choice",
        PartnerType,
        required=True,
        help=_("a code or a label from the list of partner types"),
    ),
    Column(
        "sector",
        _("sector"),
        ("sektor",),
        "choice",
        Sector,
        required=True,
        help=_("a code or a label from the list of sectors"),
    ),
    Column("description", _("description"), ("opis",)),
    Column("regon", _("REGON"), (), "regon", help=_("9 or 14 digits")),
    Column("nip", _("NIP"), ("numer nip",), "nip", help=_("10 digits, hyphens allowed")),
    Column("krs", _("KRS"), ("numer krs",), "krs", help=_("10 digits")),
    Column("street", _("street and number"), ("ulica", "ulica i numer", "adres")),
    Column("postal_code", _("postal code"), ("kod pocztowy", "kod"), "postal_code", help=_("in the format 00-000")),
    Column("city", _("city"), ("miejscowość", "miasto")),
    Column("phone", _("phone"), ("telefon", "tel", "numer telefonu")),
    Column("email", _("e-mail"), ("e-mail", "adres e-mail", "poczta elektroniczna")),
    Column("website", _("website"), ("strona www", "strona internetowa", "www", "strona"), "url"),
    Column(
        "functions",
        _("functions"),
        ("funkcje", "funkcje w systemie"),
        "functions",
        PartnerFunction,
        help=_("codes or labels from the list of functions, separated by commas"),
    ),
)

SERVICE_COLUMNS: tuple[Column, ...] = (
    Column(
        "partner_regon",
        _("partner's REGON"),
        ("regon partnera", "regon instytucji"),
        "regon",
        help=_("the partner is found by its REGON, or else by its name and postal code"),
    ),
    Column("partner_name", _("partner's name"), ("nazwa partnera", "partner", "instytucja", "nazwa instytucji")),
    Column(
        "partner_postal_code",
        _("partner's postal code"),
        ("kod pocztowy partnera", "kod pocztowy instytucji"),
        "postal_code",
    ),
    Column("name", _("name"), ("nazwa", "nazwa usługi", "nazwa oferty", "usługa", "oferta"), required=True),
    Column(
        "category",
        _("category (path stage)"),
        ("kategoria", "etap", "etap ścieżki", "kategoria etap ścieżki"),
        "choice",
        PathStage,
        required=True,
        help=_("a code or a label from the list of path stages"),
    ),
    Column("description", _("description"), ("opis",)),
    Column("eligibility", _("who can use it"), ("dla kogo", "kryteria", "kryteria dostępu", "kto może skorzystać")),
    Column("schedule", _("schedule"), ("harmonogram", "terminy", "godziny", "godziny otwarcia")),
    Column("place", _("place"), ("miejsce", "adres", "ulica", "ulica i numer")),
    Column("postal_code", _("postal code"), ("kod pocztowy", "kod"), "postal_code", help=_("in the format 00-000")),
    Column("city", _("city"), ("miejscowość", "miasto")),
    Column(
        "capacity",
        _("places"),
        ("liczba miejsc", "miejsca"),
        "capacity",
        help=_("a whole number, 0 or more; empty when not limited"),
    ),
    Column(
        "waitlist",
        _("waitlist"),
        ("lista oczekujących", "lista rezerwowa"),
        "boolean",
        help=_("yes or no (tak / nie); empty means yes for a new service"),
    ),
    Column(
        "funding_source",
        _("funding source"),
        ("źródło finansowania", "finansowanie"),
        "choice",
        FundingSource,
        help=_("a code or a label from the list of funding sources"),
    ),
)

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.PARTNERS: PARTNER_COLUMNS,
    ImportKind.SERVICES: SERVICE_COLUMNS,
}

SHEET_NAMES: dict[str, ImportKind] = {
    "partners": ImportKind.PARTNERS,
    "partnerzy": ImportKind.PARTNERS,
    "instytucje": ImportKind.PARTNERS,
    "services": ImportKind.SERVICES,
    "uslugi": ImportKind.SERVICES,
    "oferty": ImportKind.SERVICES,
}

# Polish names users write in spreadsheets (shared/GLOSSARY.md), accepted as well as the codes and the labels
# of the choices in either language. Input only: what users read comes from the translation catalogue.
CHOICE_ALIASES: dict[type[models.TextChoices], dict[str, tuple[str, ...]]] = {
    PartnerType: {
        "psychiatric_hospital": ("szpital psychiatryczny", "oddział psychiatryczny"),
        "czp": ("centrum zdrowia psychicznego",),
        "mental_health_clinic": ("poradnia zdrowia psychicznego", "pzp"),
        "sds": ("środowiskowy dom samopomocy", "śds"),
        "ops": ("ośrodek pomocy społecznej", "mops", "mopr", "gops", "mgops"),
        "cus": ("centrum usług społecznych",),
        "pcpr": ("powiatowe centrum pomocy rodzinie",),
        "pup": ("powiatowy urząd pracy",),
        "pfron": ("oddział pfron",),
        "wtz": ("warsztat terapii zajęciowej",),
        "zaz": ("zakład aktywności zawodowej",),
        "cis_kis": ("cis", "kis", "centrum integracji społecznej", "klub integracji społecznej"),
        "social_cooperative": ("spółdzielnia socjalna", "przedsiębiorstwo społeczne"),
        "owes": ("ośrodek wsparcia ekonomii społecznej",),
        "ngo": ("stowarzyszenie", "fundacja", "stowarzyszenie / fundacja", "organizacja pozarządowa"),
        "crisis_intervention": (
            "ośrodek interwencji kryzysowej",
            "punkt interwencji kryzysowej",
            "interwencja kryzysowa",
            "oik",
            "pik",
        ),
        "training_provider": ("instytucja szkoleniowa",),
        "housing": ("mieszkanie treningowe", "mieszkanie wspomagane", "mieszkanie treningowe / wspomagane"),
        "employer": ("pracodawca",),
        "other": ("inny podmiot", "inny", "inne"),
    },
    Sector: {
        "government": ("administracja rządowa",),
        "local_government": ("samorząd", "samorząd terytorialny", "administracja samorządowa"),
        "social": ("organizacja społeczna",),
        "employer": ("pracodawca",),
    },
    PartnerFunction: {
        "diagnosis": ("diagnoza", "diagnoza możliwości i umiejętności"),
        "community_support": ("wsparcie środowiskowe",),
        "therapy": ("terapia", "terapia i leczenie"),
        "legal_advice": ("porady prawne",),
        "social_matters": ("sprawy socjalne", "sprawy socjalne i bytowe"),
        "vocational_training": ("szkolenia zawodowe",),
        "employment": ("zatrudnienie",),
        "housing": ("mieszkalnictwo",),
        "care_services": ("usługi opiekuńcze",),
        "crisis_intervention": ("interwencja kryzysowa",),
        "coordination": ("koordynacja",),
    },
    PathStage: {
        "intake": ("zgłoszenie", "zgłoszenie i diagnoza możliwości", "diagnoza"),
        "community_support": ("wsparcie środowiskowe",),
        "therapy": ("terapia", "terapia i leczenie"),
        "legal_social": ("sprawy prawne i socjalne",),
        "vocational": ("aktywizacja zawodowa",),
        "supported_employment": ("zatrudnienie wspomagane",),
        "independence": ("samodzielność",),
    },
    FundingSource: {
        "municipal_budget": ("budżet gminy",),
        "county_budget": ("budżet powiatu",),
        "voivodeship_budget": ("budżet województwa",),
        "voivode_grant": ("dotacja wojewody",),
        "labour_fund": ("fundusz pracy",),
        "solidarity_fund": ("fundusz solidarnościowy",),
        "esf_plus": ("efs+", "efs plus", "europejski fundusz społeczny plus"),
        "own_funds": ("środki własne",),
        "other": ("inne", "inne źródło"),
    },
}


def normalise_label(text: str) -> str:
    """How headers, sheet names and choice values are compared: no case, diacritics or punctuation."""
    text = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^0-9a-z+]+", " ", text).split())


def _header_lookup(kind: ImportKind) -> dict[str, Column]:
    lookup: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for alias in (column.code, *column.aliases):
            lookup.setdefault(normalise_label(alias), column)
    # The labels shown on the page, in both languages, so a header copied from it is understood.
    for language in ("en", "pl"):
        with translation.override(language):
            for column in COLUMNS[kind]:
                lookup.setdefault(normalise_label(str(column.label)), column)
    return lookup


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    aliases = CHOICE_ALIASES.get(choices, {})
    for value in choices.values:
        for alias in (value, *aliases.get(value, ())):
            lookup.setdefault(normalise_label(alias), value)
    for language in ("en", "pl"):
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(normalise_label(str(label)), value)
    return lookup
