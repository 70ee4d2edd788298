"""Open Referral HSDS 3.0 export (/api/hsds/): schema validity, mapping, filters, paging, errors, privacy, queries."""

from __future__ import annotations

import datetime
import functools
import json
import uuid
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import api
from partners.choices import FundingSource, PartnerType, PathStage, Sector
from partners.models import Partner, Service
from tests.factories import MembershipFactory, NetworkFactory, PartnerFactory, ServiceFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db

BASE = "/api/hsds"
SCHEMAS = Path(api.__file__).resolve().parent / "hsds_schema"
LISTS = ["organizations", "services", "locations", "service_at_locations", "taxonomies", "taxonomy_terms"]
# The schema each list item and each detail must satisfy (README of api/hsds_schema).
ITEM_SCHEMA = {
    "organizations": "organization_list.json",
    "services": "service_list.json",
    "locations": "location.json",
    "service_at_locations": "service_at_location_list.json",
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
}
DETAIL_SCHEMA = {
    "organizations": "organization.json",
    "services": "service.json",
    "locations": "location.json",
    "service_at_locations": "service_at_location.json",
    "taxonomies": "taxonomy.json",
    "taxonomy_terms": "taxonomy_term.json",
}
# `full=true` turns list items into the nested shape of the detail.
FULL_ITEM_SCHEMA = {
    "organizations": "organization.json",
    "services": "service.json",
    "service_at_locations": "service_at_location.json",
}


# --- schemas ---------------------------------------------------------------------------------------------------


@functools.cache
def load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@functools.cache
def compiled_parts() -> dict[str, dict[str, Any]]:
    """location.json, taxonomy.json and taxonomy_term.json are not compiled: they `$ref` sibling files
    (address.json, phone.json...) that the specification ships only inside the compiled ones. Take each from
    the compiled organization.json, at its shallowest (most complete) place."""
    parts: dict[str, dict[str, Any]] = {}
    queue: deque[Any] = deque([load("organization.json")])
    while queue:
        node = queue.popleft()
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and "name" in node:
                parts.setdefault(f"{node['name']}.json", node)
            queue.extend(node.values())
        elif isinstance(node, list):
            queue.extend(node)
    return parts


def retrieve(uri: str) -> Resource:
    contents = load(uri) if (SCHEMAS / uri).is_file() else compiled_parts()[uri]
    return Resource.from_contents(contents, default_specification=DRAFT202012)


def is_date_time(value: object) -> bool:
    # jsonschema checks date-time only with an optional package we do not install; this is RFC 3339 enough.
    if not isinstance(value, str):
        return True
    moment = datetime.datetime.fromisoformat(value)
    return "T" in value and moment.tzinfo is not None


def is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


FORMATS = FormatChecker()
FORMATS.checks("date-time", raises=ValueError)(is_date_time)
FORMATS.checks("uri")(is_uri)


@functools.cache
def validator(name: str) -> Validator:
    schema = load(name)
    # The files declare no $schema; openapi.json's jsonSchemaDialect says 2020-12.
    cls = validator_for(schema, default=Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema, registry=Registry(retrieve=retrieve), format_checker=FORMATS)  # type: ignore[call-arg]


@functools.cache
def openapi_validator(pointer: str) -> Validator:
    node: Any = load("openapi.json")
    for key in pointer.split("/"):
        node = node[key]
    return Draft202012Validator(node, format_checker=FORMATS)


def assert_valid(name: str, instance: Any) -> None:
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{name}: " + "; ".join(f"{list(e.path)}: {e.message}" for e in errors)


def assert_page(body: Any) -> None:
    openapi_validator("components/schemas/Page").validate(body)
    assert set(body) == {
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    }


def get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(f"{BASE}/{path}", params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def ids(body: Any) -> set[str]:
    return {item["id"] for item in body["contents"]}


# --- data ------------------------------------------------------------------------------------------------------


class Directory:
    """Network in Piekary Śląskie (TERYT 24… = śląskie): MOPR with two services (one at its own address, one
    elsewhere), an NGO with an unlimited service and an inactive one, and two employers (one by type, one by
    sector) that must never show, nor any of the people around them."""

    def __init__(self) -> None:
        self.network = NetworkFactory.create(teryt="2462011")
        self.mopr = PartnerFactory.create(
            name="Miejski Ośrodek Pomocy Rodzinie",
            short_name="MOPR",
            type=PartnerType.OPS,
            sector=Sector.LOCAL_GOVERNMENT,
            description="Pomoc społeczna i praca socjalna.",
            regon="676122202",
            nip="4980002466",
            krs="0000123456",
            phone="+48 32 287 00 00",
            website="https://mopr.example.org",
        )
        self.ngo = PartnerFactory.create(
            name="Stowarzyszenie Razem", description="Grupy wsparcia dla osób po kryzysie."
        )
        self.employer = PartnerFactory.create(
            name="Drukarnia Sekretna Sp. z o.o.", type=PartnerType.EMPLOYER, sector=Sector.EMPLOYER
        )
        self.employer_by_sector = PartnerFactory.create(name="Spółdzielnia Ukryta", sector=Sector.EMPLOYER)
        self.coordinator = UserFactory.create(
            first_name="Katarzyna", last_name="Koordynatorska", email="kk@prywatny.pl"
        )
        for partner in (self.mopr, self.ngo, self.employer, self.employer_by_sector):
            MembershipFactory.create(
                network=self.network,
                partner=partner,
                coordinating_person=self.coordinator,
                contact_name="Zofia Kontaktowa",
                contact_phone="600 100 200",
                contact_email="zofia.kontaktowa@prywatny.pl",
            )
        self.staff = [
            make_staff(self.mopr, first_name="Marek", last_name="Pracownikowski", email="marek@prywatny.pl"),
            make_staff(self.employer, first_name="Ewa", last_name="Szefowa", email="ewa@prywatny.pl"),
        ]
        self.at_partner = ServiceFactory.create(
            partner=self.mopr,
            name="Specjalistyczne usługi opiekuńcze",
            category=PathStage.LEGAL_SOCIAL,
            description="Usługi w miejscu zamieszkania.",
            eligibility="Osoby z zaburzeniami psychicznymi.",
            schedule="pn–pt 8:00–16:00",
            funding_source=FundingSource.MUNICIPAL_BUDGET,
            capacity=5,
            load=5,
        )
        self.elsewhere = ServiceFactory.create(
            partner=self.mopr,
            name="Klub integracji",
            category=PathStage.COMMUNITY_SUPPORT,
            place="ul. Klubowa 2",
            waitlist_enabled=False,
        )
        self.unlimited = ServiceFactory.create(
            partner=self.ngo, name="Grupa wsparcia", category=PathStage.COMMUNITY_SUPPORT, capacity=None
        )
        self.inactive = ServiceFactory.create(partner=self.ngo, name="Dawna usługa", is_active=False)
        self.employer_service = ServiceFactory.create(partner=self.employer, name="Etat Tajny")
        self.employer_service_2 = ServiceFactory.create(partner=self.employer_by_sector, name="Etat Poufny")

    def public_services(self) -> list[Service]:
        return [self.at_partner, self.elsewhere, self.unlimited]

    def secrets(self) -> list[str]:
        """Strings that must appear in no response: people, and the employers."""
        people = [*self.staff, self.coordinator]
        return [
            *(p.first_name for p in people),
            *(p.last_name for p in people),
            *(p.username for p in people),
            *(p.email for p in people),
            "Zofia",
            "Kontaktowa",
            "600 100 200",
            "prywatny",
            "Sekretna",
            "Ukryta",
            "Tajny",
            "Poufny",
            *(str(p.pk) for p in [*people, self.employer, self.employer_by_sector]),
            *(str(s.pk) for s in [self.employer_service, self.employer_service_2, self.inactive]),
        ]


@pytest.fixture
def directory() -> Directory:
    return Directory()


def crawl(client: Client) -> list[tuple[str, Any]]:
    """Every list (plain and fully nested) and every detail it links to: (path, body)."""
    seen: list[tuple[str, Any]] = [("", get(client, ""))]
    for name in LISTS:
        for extra in ({}, {"full": "true"}, {"full_service": "true"}):
            body = get(client, name, per_page=200, **extra)
            seen.append((name, body))
        for item_id in ids(body):
            seen.append((f"{name}/{item_id}", get(client, f"{name}/{item_id}")))
    return seen


# --- validity --------------------------------------------------------------------------------------------------


def test_it_describes_itself_at_the_root(client: Client) -> None:
    body = get(client, "")
    root_schema = load("openapi.json")["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    Draft202012Validator(root_schema, format_checker=FORMATS).validate(body)
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith("/openapi.json")


@pytest.mark.parametrize("name", LISTS)
def test_it_lists_items_that_validate_against_the_hsds_schemas(client: Client, directory: Directory, name: str) -> None:
    body = get(client, name)
    assert_page(body)
    assert body["contents"], f"{name} is empty"
    for item in body["contents"]:
        assert_valid(ITEM_SCHEMA[name], item)
    if name in FULL_ITEM_SCHEMA:
        for item in get(client, name, full="true")["contents"]:
            assert_valid(FULL_ITEM_SCHEMA[name], item)
            assert_valid(ITEM_SCHEMA[name], item)


@pytest.mark.parametrize("name", LISTS)
def test_it_gives_details_that_validate_against_the_compiled_schemas(
    client: Client, directory: Directory, name: str
) -> None:
    for item_id in ids(get(client, name)):
        detail = get(client, f"{name}/{item_id}")
        assert detail["id"] == item_id
        assert_valid(DETAIL_SCHEMA[name], detail)


def test_it_nests_full_services_in_an_organization_on_request(client: Client, directory: Directory) -> None:
    brief = get(client, f"organizations/{directory.mopr.pk}")
    full = get(client, f"organizations/{directory.mopr.pk}", full_service="true")
    assert_valid("organization.json", full)
    assert [s["id"] for s in brief["services"]] == [s["id"] for s in full["services"]]
    assert "attributes" not in brief["services"][0]
    assert full["services"][0]["attributes"][0]["taxonomy_term"]["code"] in PathStage.values
    assert "service_at_locations" in full["services"][0]


# --- mapping ---------------------------------------------------------------------------------------------------


def test_it_maps_a_partner_to_an_organization(client: Client, directory: Directory) -> None:
    body = get(client, f"organizations/{directory.mopr.pk}")
    assert body["name"] == "Miejski Ośrodek Pomocy Rodzinie"
    assert body["alternate_name"] == "MOPR"
    assert body["description"] == "Pomoc społeczna i praca socjalna."
    assert body["email"] == directory.mopr.email
    assert body["website"] == "https://mopr.example.org"
    assert body["tax_id"] == "4980002466"
    assert [p["number"] for p in body["phones"]] == ["+48 32 287 00 00"]
    assert {(i["identifier_type"], i["identifier"]) for i in body["organization_identifiers"]} == {
        ("REGON", "676122202"),
        ("KRS", "0000123456"),
    }
    [attribute] = body["attributes"]
    assert attribute["taxonomy_term"]["code"] == PartnerType.OPS
    assert attribute["link_id"] == str(directory.mopr.pk)
    assert attribute["link_entity"] == "organization"
    assert {s["name"] for s in body["services"]} == {"Specjalistyczne usługi opiekuńcze", "Klub integracji"}


def test_it_writes_a_polish_address_with_its_voivodeship(client: Client, directory: Directory) -> None:
    [location] = get(client, f"organizations/{directory.mopr.pk}")["locations"]
    assert location["location_type"] == "physical"
    [address] = location["addresses"]
    assert address == {
        "id": address["id"],
        "location_id": location["id"],
        "address_1": "ul. Główna 1",
        "city": "Piekary Śląskie",
        "state_province": "śląskie",
        "postal_code": "41-940",
        "country": "PL",
        "address_type": "physical",
    }


def test_it_leaves_the_voivodeship_empty_when_the_networks_disagree(client: Client, directory: Directory) -> None:
    MembershipFactory.create(
        network=NetworkFactory.create(teryt="1465011"), partner=directory.ngo
    )  # Warszawa, mazowieckie
    [location] = get(client, f"organizations/{directory.ngo.pk}")["locations"]
    assert location["addresses"][0]["state_province"] == ""
    no_network = PartnerFactory.create(name="Poza siecią")
    [location] = get(client, f"organizations/{no_network.pk}")["locations"]
    assert location["addresses"][0]["state_province"] == ""


def test_it_maps_a_service_with_its_capacity_category_schedule_and_funding(
    client: Client, directory: Directory
) -> None:
    body = get(client, f"services/{directory.at_partner.pk}")
    assert body["status"] == "active"
    assert body["organization_id"] == str(directory.mopr.pk)
    assert body["organization"]["name"] == directory.mopr.name
    assert body["eligibility_description"] == "Osoby z zaburzeniami psychicznymi."
    assert body["x_capacity"] == {"places": 5, "taken": 5, "free": 0, "waitlist": True}
    assert [s["description"] for s in body["schedules"]] == ["pn–pt 8:00–16:00"]
    assert [f["source"] for f in body["funding"]] == [str(FundingSource.MUNICIPAL_BUDGET.label)]
    [attribute] = body["attributes"]
    assert attribute["taxonomy_term"]["code"] == PathStage.LEGAL_SOCIAL
    assert attribute["link_entity"] == "service"
    unlimited = get(client, f"services/{directory.unlimited.pk}")
    assert unlimited["x_capacity"] == {"places": None, "taken": 0, "free": None, "waitlist": True}


def test_it_puts_a_service_at_its_partners_location_or_at_its_own_place(client: Client, directory: Directory) -> None:
    [partner_location] = get(client, f"organizations/{directory.mopr.pk}")["locations"]
    [at_partner] = get(client, f"services/{directory.at_partner.pk}")["service_at_locations"]
    [elsewhere] = get(client, f"services/{directory.elsewhere.pk}")["service_at_locations"]
    assert at_partner["location_id"] == partner_location["id"]
    assert elsewhere["location_id"] != partner_location["id"]
    assert elsewhere["location"]["addresses"][0]["address_1"] == "ul. Klubowa 2"
    assert elsewhere["location"]["addresses"][0]["city"] == "Piekary Śląskie"  # blank: taken from the partner
    assert elsewhere["location"]["organization_id"] == str(directory.mopr.pk)

    locations = get(client, "locations")
    # One per partner with an address, plus the one service that is somewhere else.
    assert ids(locations) == {partner_location["id"], elsewhere["location_id"], get_location_of(client, directory.ngo)}
    sal = get(client, "service_at_locations")
    assert ids(sal) == {at_partner["id"], elsewhere["id"], get_sal_of(client, directory.unlimited)}
    assert len({partner_location["id"], at_partner["id"], str(directory.mopr.pk), str(directory.at_partner.pk)}) == 4


def get_location_of(client: Client, partner: Partner) -> str:
    [location] = get(client, f"organizations/{partner.pk}")["locations"]
    return str(location["id"])


def get_sal_of(client: Client, service: Service) -> str:
    [sal] = get(client, f"services/{service.pk}")["service_at_locations"]
    return str(sal["id"])


def test_it_takes_nothing_from_the_partner_for_a_service_in_another_town(client: Client, directory: Directory) -> None:
    Service.objects.filter(pk=directory.unlimited.pk).update(city="Bytom")
    [sal] = get(client, f"services/{directory.unlimited.pk}")["service_at_locations"]
    address = sal["location"]["addresses"][0]
    assert (address["address_1"], address["postal_code"], address["city"]) == ("", "", "Bytom")


def test_it_gives_a_partner_without_an_address_no_location(client: Client, directory: Directory) -> None:
    Partner.objects.filter(pk=directory.ngo.pk).update(street="", city="", postal_code="")
    assert get(client, f"organizations/{directory.ngo.pk}")["locations"] == []
    assert get(client, f"services/{directory.unlimited.pk}")["service_at_locations"] == []
    assert str(directory.unlimited.pk) not in {s["service_id"] for s in get(client, "service_at_locations")["contents"]}


def test_it_publishes_two_taxonomies_with_stable_term_ids(client: Client, directory: Directory) -> None:
    taxonomies = get(client, "taxonomies")
    assert taxonomies["total_items"] == 2
    terms = get(client, "taxonomy_terms", per_page=200)
    codes = {term["code"] for term in terms["contents"]}
    assert codes == (set(PartnerType.values) - {PartnerType.EMPLOYER}) | set(PathStage.values)
    assert terms["total_items"] == len(PartnerType.values) - 1 + len(PathStage.values)
    # Integrators store these ids: they are derived from the codes and must never change.
    therapy = next(t for t in terms["contents"] if t["code"] == PathStage.THERAPY)
    assert therapy["id"] == str(
        uuid.uuid5(uuid.UUID("0c7f9a52-3e1d-5b8a-9f4e-6d2b1a8c7e30"), "taxonomy_term:path_stage:therapy")
    )
    assert therapy["taxonomy_id"] in ids(taxonomies)
    assert get(client, f"taxonomy_terms/{therapy['id']}") == therapy


# --- who is published ------------------------------------------------------------------------------------------


def test_it_never_publishes_employers_or_inactive_services(client: Client, directory: Directory) -> None:
    assert ids(get(client, "organizations")) == {str(directory.mopr.pk), str(directory.ngo.pk)}
    assert ids(get(client, "services")) == {str(s.pk) for s in directory.public_services()}
    assert {s["service_id"] for s in get(client, "service_at_locations")["contents"]} == {
        str(s.pk) for s in directory.public_services()
    }
    assert {loc["organization_id"] for loc in get(client, "locations")["contents"]} == {
        str(directory.mopr.pk),
        str(directory.ngo.pk),
    }
    for hidden in (directory.employer, directory.employer_by_sector):
        assert client.get(f"{BASE}/organizations/{hidden.pk}").status_code == 404
    for hidden_service in (directory.employer_service, directory.employer_service_2, directory.inactive):
        assert client.get(f"{BASE}/services/{hidden_service.pk}").status_code == 404


def test_it_shows_no_person_and_no_employer_anywhere(client: Client, directory: Directory) -> None:
    everything = json.dumps([body for _path, body in crawl(client)], ensure_ascii=False)
    assert directory.mopr.name in everything  # the crawl did reach the data
    for secret in directory.secrets():
        assert secret not in everything, secret


def test_it_is_public_and_read_only(client: Client, directory: Directory) -> None:
    assert client.get(f"{BASE}/services").status_code == 200  # no sign-in
    assert client.get(f"{BASE}/services/", {"format": "json"}).status_code == 200
    response = client.post(f"{BASE}/services", {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# --- paging ----------------------------------------------------------------------------------------------------


def test_it_pages_with_the_hsds_envelope(client: Client) -> None:
    names = sorted(PartnerFactory.create(name=f"Instytucja {n:02}").name for n in range(5))
    first = get(client, "organizations", per_page=2)
    assert_page(first)
    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": 5,
        "total_pages": 3,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    assert [o["name"] for o in first["contents"]] == names[:2]
    last = get(client, "organizations", per_page=2, page=3)
    assert [o["name"] for o in last["contents"]] == names[4:]
    assert (last["size"], last["first_page"], last["last_page"]) == (1, False, True)
    beyond = get(client, "organizations", per_page=2, page=9)
    assert (beyond["contents"], beyond["empty"], beyond["total_items"], beyond["last_page"]) == ([], True, 5, True)


def test_it_pages_fifty_by_default_and_up_to_two_hundred(client: Client) -> None:
    PartnerFactory.create_batch(51)
    default = get(client, "organizations")
    assert (default["size"], default["total_pages"]) == (50, 2)
    assert get(client, "organizations", per_page=200)["size"] == 51


def test_it_says_so_when_nothing_is_found(client: Client) -> None:
    body = get(client, "services")
    assert_page(body)
    assert {k: v for k, v in body.items() if k != "contents"} == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
    }


def test_it_pages_the_taxonomy_terms_too(client: Client) -> None:
    body = get(client, "taxonomy_terms", per_page=5, page=2)
    assert (body["size"], body["page_number"], body["first_page"]) == (5, 2, False)


# --- filters ---------------------------------------------------------------------------------------------------


SEARCH_KEY = {"services": "id", "service_at_locations": "service_id", "organizations": "id", "locations": "name"}


@pytest.mark.parametrize(
    ("path", "search", "expected"),
    [
        ("services", "KLUB", {"elsewhere"}),
        ("services", "miejscu zamieszkania", {"at_partner"}),  # in the description
        ("service_at_locations", "grupa", {"unlimited"}),
        ("organizations", "razem", {"ngo"}),
        ("organizations", "PRACA SOCJALNA", {"mopr"}),  # in the description
        ("organizations", "mopr", {"mopr"}),  # the short name
        ("locations", "klub", {"elsewhere"}),
    ],
)
def test_it_searches_names_and_descriptions_ignoring_case(
    client: Client, directory: Directory, path: str, search: str, expected: set[str]
) -> None:
    found = {item[SEARCH_KEY[path]] for item in get(client, path, search=search)["contents"]}
    if path == "locations":
        assert found == {getattr(directory, key).name for key in expected}
    else:
        assert found == {str(getattr(directory, key).pk) for key in expected}


def test_it_searches_the_taxonomies(client: Client) -> None:
    assert [t["code"] for t in get(client, "taxonomy_terms", search="CZP")["contents"]] == [PartnerType.CZP]
    assert get(client, "taxonomies", search="nothing like it")["total_items"] == 0


def test_it_filters_by_modification_time(client: Client, directory: Directory) -> None:
    old = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    Partner.objects.update(updated_at=old)
    Service.objects.update(updated_at=old)
    Service.objects.filter(pk=directory.elsewhere.pk).update(
        updated_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)
    )
    assert ids(get(client, "services", modified_after="2025-01-01T00:00:00+01:00")) == {str(directory.elsewhere.pk)}
    assert ids(get(client, "services", modified_after="2025-01-01")) == {str(directory.elsewhere.pk)}
    assert len(ids(get(client, "services", modified_after="2023-12-31T23:00:00Z"))) == 3
    # A change of the partner changes what its services show.
    Partner.objects.filter(pk=directory.ngo.pk).update(updated_at=datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC))
    assert ids(get(client, "services", modified_after="2025-01-01")) == {
        str(directory.elsewhere.pk),
        str(directory.unlimited.pk),
    }
    assert get(client, f"services/{directory.unlimited.pk}")["last_modified"].startswith("2025-07-01")
    assert {s["service_id"] for s in get(client, "service_at_locations", modified_after="2025-06-15")["contents"]} == {
        str(directory.unlimited.pk)
    }
    assert ids(get(client, "organizations", modified_after="2025-06-15")) == {str(directory.ngo.pk)}


def term_id(client: Client, code: str) -> str:
    terms = get(client, "taxonomy_terms", per_page=200)["contents"]
    return str(next(t["id"] for t in terms if t["code"] == code))


def taxonomy_id_of(client: Client, code: str) -> str:
    terms = get(client, "taxonomy_terms", per_page=200)["contents"]
    return str(next(t["taxonomy_id"] for t in terms if t["code"] == code))


def test_it_filters_by_taxonomy_term(client: Client, directory: Directory) -> None:
    community = term_id(client, PathStage.COMMUNITY_SUPPORT)
    assert ids(get(client, "services", taxonomy_term_id=community)) == {
        str(directory.elsewhere.pk),
        str(directory.unlimited.pk),
    }
    assert {s["service_id"] for s in get(client, "service_at_locations", taxonomy_term_id=community)["contents"]} == {
        str(directory.elsewhere.pk),
        str(directory.unlimited.pk),
    }
    ops = term_id(client, PartnerType.OPS)
    assert ids(get(client, "organizations", taxonomy_term_id=ops)) == {str(directory.mopr.pk)}
    # Services carry path stages only; an unknown term finds nothing.
    assert get(client, "services", taxonomy_term_id=ops)["total_items"] == 0
    assert get(client, "services", taxonomy_term_id=str(uuid.uuid4()))["total_items"] == 0


def test_it_filters_by_taxonomy_and_organization(client: Client, directory: Directory) -> None:
    stages = taxonomy_id_of(client, PathStage.THERAPY)
    types = taxonomy_id_of(client, PartnerType.OPS)
    assert get(client, "services", taxonomy_id=stages)["total_items"] == 3
    assert get(client, "services", taxonomy_id=types)["total_items"] == 0
    assert {t["taxonomy_id"] for t in get(client, "taxonomy_terms", taxonomy_id=stages)["contents"]} == {stages}
    assert get(client, "taxonomy_terms", taxonomy_id=stages)["total_items"] == len(PathStage.values)
    assert ids(get(client, "services", organization_id=str(directory.ngo.pk))) == {str(directory.unlimited.pk)}
    assert {
        s["service_id"] for s in get(client, "service_at_locations", organization_id=str(directory.ngo.pk))["contents"]
    } == {str(directory.unlimited.pk)}
    assert {
        loc["organization_id"] for loc in get(client, "locations", organization_id=str(directory.mopr.pk))["contents"]
    } == {str(directory.mopr.pk)}


def test_it_has_only_top_level_terms(client: Client) -> None:
    everything = get(client, "taxonomy_terms", per_page=200)["total_items"]
    assert get(client, "taxonomy_terms", per_page=200, top_only="true")["total_items"] == everything
    assert get(client, "taxonomy_terms", parent_id=str(uuid.uuid4()))["total_items"] == 0


# --- errors ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "code"),
    [
        ("services", {"page": "0"}, "invalid_page"),
        ("services", {"page": "-1"}, "invalid_page"),
        ("organizations", {"page": "two"}, "invalid_page"),
        ("taxonomies", {"page": "1.5"}, "invalid_page"),
        ("services", {"per_page": "0"}, "invalid_per_page"),
        ("locations", {"per_page": "201"}, "invalid_per_page"),
        ("taxonomy_terms", {"per_page": "many"}, "invalid_per_page"),
        ("services", {"modified_after": "yesterday"}, "invalid_modified_after"),
        ("service_at_locations", {"modified_after": "2025-13-01"}, "invalid_modified_after"),
        ("organizations", {"modified_after": "2025-02-30T10:00:00"}, "invalid_modified_after"),
        ("services", {"taxonomy_term_id": "therapy"}, "invalid_uuid"),
        ("services", {"organization_id": "42"}, "invalid_uuid"),
        ("taxonomy_terms", {"taxonomy_id": "x"}, "invalid_uuid"),
        ("services", {"full": "maybe"}, "invalid_boolean"),
        ("organizations", {"full_service": "yes please"}, "invalid_boolean"),
        ("services", {"format": "ndjson"}, "unsupported_format"),
    ],
)
def test_it_refuses_bad_parameters_with_a_json_400(
    client: Client, path: str, params: dict[str, str], code: str
) -> None:
    response = client.get(f"{BASE}/{path}", params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "2a245ac5-98f6-4a67-9669-70b5de0d38ec"])
def test_it_answers_404_in_json_for_an_unknown_or_malformed_id(client: Client, name: str, bad_id: str) -> None:
    response = client.get(f"{BASE}/{name}/{bad_id}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_it_answers_404_for_what_it_does_not_publish(client: Client, directory: Directory) -> None:
    # The ids an employer's location or service_at_location would have, had it been published.
    from api.hsds.mapping import PARTNER_LOCATION, SERVICE_AT_LOCATION, masked

    employer_location = masked(directory.employer.pk, PARTNER_LOCATION)
    employer_sal = masked(directory.employer_service.pk, SERVICE_AT_LOCATION)
    assert client.get(f"{BASE}/locations/{employer_location}").status_code == 404
    assert client.get(f"{BASE}/service_at_locations/{employer_sal}").status_code == 404
    # An organization's or service's own id is not a location id.
    assert client.get(f"{BASE}/locations/{directory.mopr.pk}").status_code == 404
    assert client.get(f"{BASE}/service_at_locations/{directory.at_partner.pk}").status_code == 404


# --- queries ---------------------------------------------------------------------------------------------------


def many_rows(count: int) -> None:
    """`count` partners, each with one service at its address and one somewhere else, all in one network."""
    network = NetworkFactory.create()
    for n in range(count):
        partner = PartnerFactory.create(phone="+48 32 000 00 00", regon="")
        MembershipFactory.create(network=network, partner=partner)
        ServiceFactory.create(partner=partner, schedule="pn–pt")
        ServiceFactory.create(partner=partner, place=f"ul. Inna {n}")


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_with_a_fixed_number_of_queries(client: Client, django_assert_num_queries: Any, rows: int) -> None:
    many_rows(rows)
    # 1. count, 2. page of partners.
    with django_assert_num_queries(2):
        assert get(client, "organizations")["size"] == rows
    # 1. count, 2. page of partners with their voivodeship, 3. their services with their places.
    with django_assert_num_queries(3):
        assert get(client, "organizations", full="true")["size"] == rows
    # 1. count, 2. page of services joined to their partners.
    with django_assert_num_queries(2):
        assert get(client, "services")["size"] == 2 * rows
    # 1. count, 2. page of services joined to their partners, places and voivodeships annotated.
    with django_assert_num_queries(2):
        assert get(client, "services", full="true")["size"] == 2 * rows
    # 1. count, 2. page of services with their places (as for services?full=true).
    with django_assert_num_queries(2):
        assert get(client, "service_at_locations", full="true")["size"] == 2 * rows
    # 1. count of the UNION of partners' addresses and services' own places, 2. its page.
    with django_assert_num_queries(2):
        assert get(client, "locations")["size"] == 2 * rows
    # The taxonomies are constants.
    with django_assert_num_queries(0):
        get(client, "taxonomy_terms")


@pytest.mark.parametrize("rows", [2, 20])
def test_it_shows_an_organization_with_a_fixed_number_of_queries(
    client: Client, django_assert_num_queries: Any, rows: int
) -> None:
    many_rows(1)
    partner = Partner.objects.get()
    for n in range(rows):
        ServiceFactory.create(partner=partner, place=f"ul. Boczna {n}")
    # 1. the partner with its voivodeship, 2. its services with their places.
    with django_assert_num_queries(2):
        assert len(get(client, f"organizations/{partner.pk}", full_service="true")["services"]) == rows + 2
