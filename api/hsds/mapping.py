"""Our partners and services as HSDS objects: stable ids for what has no row of its own, the two taxonomies,
locations, and the JSON of each HSDS table (a list's basic fields, or the full object with its nested arrays)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy

from partners.choices import FundingSource, PartnerType, PathStage
from partners.models import Partner, Service

JSON = dict[str, Any]

COUNTRY = "PL"

# TERYT voivodeship codes (the first two digits of every gmina/powiat code) and their official names.
VOIVODESHIPS = {
    "02": "dolnośląskie",
    "04": "kujawsko-pomorskie",
    "06": "lubelskie",
    "08": "lubuskie",
    "10": "łódzkie",
    "12": "małopolskie",
    "14": "mazowieckie",
    "16": "opolskie",
    "18": "podkarpackie",
    "20": "podlaskie",
    "22": "pomorskie",
    "24": "śląskie",
    "26": "świętokrzyskie",
    "28": "warmińsko-mazurskie",
    "30": "wielkopolskie",
    "32": "zachodniopomorskie",
}


# --- identifiers -----------------------------------------------------------------------------------------------

_NAMESPACE = uuid.UUID("0c7f9a52-3e1d-5b8a-9f4e-6d2b1a8c7e30")


def _derived_id(kind: str, *parts: object) -> str:
    """A stable id for something that has no row of its own (a term, an address, an attribute)."""
    return str(uuid.uuid5(_NAMESPACE, ":".join([kind, *map(str, parts)])))


# Locations and service_at_locations are read back by id, so their ids must lead to a row in one primary-key
# lookup, which a uuid5 cannot. XOR-ing the row's own uuid with a per-kind mask is reversible, keeps every id
# distinct from the organization's or service's own (some consumers load all HSDS tables into one id space),
# and leaves the version and variant bits alone (the masks are zero there), so the result is still a UUID v4.
PARTNER_LOCATION = uuid.UUID("9ae6085b-d9d3-089f-0de1-c29e37e3e535").int
SERVICE_LOCATION = uuid.UUID("432fd7b5-466e-0072-0415-8ccb7f810dda").int
SERVICE_AT_LOCATION = uuid.UUID("9333e773-4db7-0145-0aed-243a4dc0dd75").int


def masked(pk: uuid.UUID, mask: int) -> uuid.UUID:
    return uuid.UUID(int=pk.int ^ mask)


# --- taxonomies ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taxonomy:
    key: str
    name: Any  # lazy translation
    description: Any
    link_entity: str  # the HSDS table whose rows carry its terms
    terms: tuple[tuple[str, Any], ...]

    @property
    def id(self) -> str:
        return _derived_id("taxonomy", self.key)

    def term_id(self, code: str) -> str:
        return _derived_id("taxonomy_term", self.key, code)


PARTNER_TYPES = Taxonomy(
    key="partner_type",
    name=gettext_lazy("Partner institution types"),
    description=gettext_lazy("Types of the institutions that take part in a local cooperation network."),
    link_entity="organization",
    # Employers are never published, so neither is their term.
    terms=tuple((code, label) for code, label in PartnerType.choices if code != PartnerType.EMPLOYER),
)
PATH_STAGES = Taxonomy(
    key="path_stage",
    name=gettext_lazy("Path stages"),
    description=gettext_lazy("Stages of a person's path back to an independent life; each service belongs to one."),
    link_entity="service",
    terms=tuple(PathStage.choices),
)
TAXONOMIES = (PARTNER_TYPES, PATH_STAGES)
TAXONOMY_BY_ID = {taxonomy.id: taxonomy for taxonomy in TAXONOMIES}
TERM_BY_ID = {taxonomy.term_id(code): (taxonomy, code) for taxonomy in TAXONOMIES for code, _label in taxonomy.terms}


def taxonomy_json(taxonomy: Taxonomy) -> JSON:
    return {"id": taxonomy.id, "name": str(taxonomy.name), "description": str(taxonomy.description), "version": "1"}


def term_json(taxonomy: Taxonomy, code: str) -> JSON:
    label = str(dict(taxonomy.terms)[code])
    return {
        "id": taxonomy.term_id(code),
        "code": code,
        "name": label,
        # Our terms carry no separate description; HSDS requires one, so the label stands in for it.
        "description": label,
        "taxonomy": str(taxonomy.name),
        "taxonomy_id": taxonomy.id,
        "language": (translation.get_language() or "pl").split("-")[0],
    }


def _attribute(taxonomy: Taxonomy, code: str, link_id: uuid.UUID) -> list[JSON]:
    if code not in dict(taxonomy.terms):
        return []
    term = term_json(taxonomy, code)
    return [
        {
            "id": _derived_id("attribute", link_id, term["id"]),
            "link_id": str(link_id),
            "link_type": taxonomy.key,
            "link_entity": taxonomy.link_entity,
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
        }
    ]


# --- locations and objects -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """One HSDS location: a partner's address, or a service's own place."""

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    street: str
    postal_code: str
    city: str
    voivodeship_codes: list[str] | None


def _voivodeship(codes: list[str] | None) -> str:
    # Only when every network of the partner lies in one voivodeship; HSDS requires the key, so "" otherwise.
    if codes and len(codes) == 1:
        return VOIVODESHIPS.get(codes[0], "")
    return ""


def partner_place(partner: Partner, codes: list[str] | None) -> Place | None:
    if not (partner.street or partner.city):
        return None
    return Place(
        masked(partner.pk, PARTNER_LOCATION),
        partner.pk,
        partner.name,
        partner.street,
        partner.postal_code,
        partner.city,
        codes,
    )


def service_place(service: Service) -> Place | None:
    """Where a service is given; needs a queryset from ``selectors.services_with_place``."""
    codes = getattr(service, "voivodeship_codes", None)
    if not getattr(service, "own_place", False):
        return partner_place(service.partner, codes)
    return Place(
        masked(service.pk, SERVICE_LOCATION),
        service.partner_id,
        service.name,
        getattr(service, "loc_street", ""),
        getattr(service, "loc_postal_code", ""),
        getattr(service, "loc_city", ""),
        codes,
    )


def place_from_row(row: dict[str, Any]) -> Place:
    mask = PARTNER_LOCATION if row["l_kind"] == "partner" else SERVICE_LOCATION
    return Place(
        masked(row["l_pk"], mask),
        row["l_org"],
        row["l_name"],
        row["l_street"],
        row["l_postal_code"],
        row["l_city"],
        row["l_codes"],
    )


def _put(target: JSON, key: str, value: object) -> None:
    """Set an optional field only when there is something to say (an empty e-mail or URL fails its format)."""
    if value not in (None, ""):
        target[key] = value


def location_json(place: Place, *, full: bool) -> JSON:
    data: JSON = {
        "id": str(place.id),
        "location_type": "physical",
        "organization_id": str(place.organization_id),
        "name": place.name,
    }
    if full:
        data["addresses"] = [
            {
                "id": _derived_id("address", place.id),
                "location_id": str(place.id),
                "address_1": place.street,
                "city": place.city,
                # The voivodeship is Poland's province; `region` (optional) is left out rather than repeat it.
                "state_province": _voivodeship(place.voivodeship_codes),
                "postal_code": place.postal_code,
                "country": COUNTRY,
                "address_type": "physical",
            }
        ]
    return data


def organization_json(partner: Partner, *, full: bool = False, full_service: bool = False) -> JSON:
    """Basic fields for lists; ``full`` adds the nested arrays (needs ``selectors.organizations_nested``)."""
    data: JSON = {"id": str(partner.pk), "name": partner.name, "description": partner.description}
    _put(data, "alternate_name", partner.short_name)
    _put(data, "email", partner.email)
    _put(data, "website", partner.website)
    _put(data, "tax_id", partner.nip)
    data["legal_status"] = partner.get_sector_display()
    if not full:
        return data
    data["phones"] = (
        [{"id": _derived_id("phone", partner.pk), "organization_id": str(partner.pk), "number": partner.phone}]
        if partner.phone
        else []
    )
    place = partner_place(partner, getattr(partner, "voivodeship_codes", None))
    data["locations"] = [location_json(place, full=True)] if place else []
    data["organization_identifiers"] = [
        {
            "id": _derived_id("organization_identifier", partner.pk, kind),
            "organization_id": str(partner.pk),
            "identifier_type": kind,
            "identifier": value,
            **extra,
        }
        for kind, value, extra in (
            ("REGON", partner.regon, {}),
            ("KRS", partner.krs, {"identifier_scheme": "PL-KRS"}),  # http://org-id.guide/list/PL-KRS
        )
        if value
    ]
    data["attributes"] = _attribute(PARTNER_TYPES, partner.type, partner.pk)
    services: Iterable[Service] = getattr(partner, "public_services", [])
    data["services"] = [service_json(service, full=full_service, nest_organization=False) for service in services]
    return data


def _capacity(service: Service) -> JSON:
    # HSDS 3.0 has no field for places. Its schemas allow additional properties on a service (none of them sets
    # additionalProperties: false), so the figures go into an `x_`-prefixed extension field of our own.
    return {
        "places": service.capacity,
        "taken": service.load,
        "free": service.free_places,
        "waitlist": service.waitlist_enabled,
    }


def service_json(
    service: Service, *, full: bool = False, nest_organization: bool = True, with_locations: bool = True
) -> JSON:
    """One-to-one fields for lists; ``full`` adds the nested arrays (needs ``selectors.services_with_place``)."""
    data: JSON = {
        "id": str(service.pk),
        "organization_id": str(service.partner_id),
        "name": service.name,
        "status": "active",
    }
    _put(data, "description", service.description)
    _put(data, "eligibility_description", service.eligibility)
    # "When the service, or any related information about it, has changed": the partner's data is shown too.
    data["last_modified"] = max(service.updated_at, service.partner.updated_at).isoformat()
    data["x_capacity"] = _capacity(service)
    if nest_organization:
        data["organization"] = organization_json(service.partner)
    if not full:
        return data
    data["schedules"] = (
        [{"id": _derived_id("schedule", service.pk), "service_id": str(service.pk), "description": service.schedule}]
        if service.schedule
        else []
    )
    data["funding"] = (
        [
            {
                "id": _derived_id("funding", service.pk),
                "service_id": str(service.pk),
                "source": str(FundingSource(service.funding_source).label),
            }
        ]
        if service.funding_source in FundingSource.values
        else []
    )
    data["attributes"] = _attribute(PATH_STAGES, service.category, service.pk)
    if with_locations:
        place = service_place(service)
        data["service_at_locations"] = [service_at_location_json(service, place, full=True)] if place else []
    return data


def service_at_location_json(service: Service, place: Place, *, full: bool = False, with_service: bool = False) -> JSON:
    data: JSON = {
        "id": str(masked(service.pk, SERVICE_AT_LOCATION)),
        "service_id": str(service.pk),
        "location_id": str(place.id),
        "location": location_json(place, full=full),
    }
    if with_service:
        data["service"] = service_json(service, full=full, with_locations=False)
    return data
