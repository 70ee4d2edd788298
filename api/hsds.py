"""Open Referral HSDS 3.0 read-only export at ``/api/hsds/``: the public directory of partners and their services.

Mapping (DESIGN §3): organization = Partner, service = active Service, location = the partner's address plus a
service's own place where it differs, service_at_location = where a service is given, taxonomies = our partner
types and path stages. Employers are never published (their part in a network is not public) and no person
appears anywhere: phones and e-mails are the institution's own. Paths, query parameters and the ``Page``
envelope follow ``api/hsds_schema/openapi.json``; every response validates against the schemas there.

The selectors live here rather than in ``partners/selectors.py`` because nothing else reads this shape.
Every list costs a fixed number of queries (count + page, one more for fully nested organizations).
"""

from __future__ import annotations

import datetime
import math
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Left
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from network.models import NetworkMembership
from partners.choices import FundingSource, PartnerType, PathStage, Sector
from partners.models import Partner, Service

JSON = dict[str, Any]
T = TypeVar("T")

HSDS_VERSION = "3.0"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"
COUNTRY = "PL"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200

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
_PARTNER_LOCATION = uuid.UUID("9ae6085b-d9d3-089f-0de1-c29e37e3e535").int
_SERVICE_LOCATION = uuid.UUID("432fd7b5-466e-0072-0415-8ccb7f810dda").int
_SERVICE_AT_LOCATION = uuid.UUID("9333e773-4db7-0145-0aed-243a4dc0dd75").int


def _masked(pk: uuid.UUID, mask: int) -> uuid.UUID:
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
_TAXONOMY_BY_ID = {taxonomy.id: taxonomy for taxonomy in TAXONOMIES}
_TERM_BY_ID = {taxonomy.term_id(code): (taxonomy, code) for taxonomy in TAXONOMIES for code, _label in taxonomy.terms}


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


# --- selectors -------------------------------------------------------------------------------------------------

_NOT_EMPLOYER = ~Q(type=PartnerType.EMPLOYER) & ~Q(sector=Sector.EMPLOYER)


def _has_address(partner: str = "") -> Q:
    """A partner without a street or town has no location (partner_place() says the same in Python)."""
    return ~Q(**{f"{partner}street": ""}) | ~Q(**{f"{partner}city": ""})


# A service's own place is used when it names another street, town or postal code than its partner's. Fields it
# leaves blank come from the partner, unless it is in another town, where the partner's street means nothing.
_OTHER_TOWN = ~Q(city="") & ~Q(city=F("partner__city"))
_OWN_PLACE = (
    (~Q(place="") & ~Q(place=F("partner__street")))
    | _OTHER_TOWN
    | (~Q(postal_code="") & ~Q(postal_code=F("partner__postal_code")))
)


def _voivodeship_codes(partner_ref: str) -> Subquery:
    """The voivodeship codes (TERYT) of the networks a partner belongs to: its own address carries no TERYT
    code, and guessing the voivodeship from a postal code is unreliable near the borders."""
    return Subquery(
        NetworkMembership.objects.filter(partner_id=OuterRef(partner_ref))
        .order_by()
        .values("partner_id")
        .annotate(codes=ArrayAgg(Left("network__teryt", 2), distinct=True))
        .values("codes")
    )


def public_partners() -> QuerySet[Partner]:
    return Partner.objects.filter(_NOT_EMPLOYER)


def public_services() -> QuerySet[Service]:
    return Service.objects.filter(
        ~Q(partner__type=PartnerType.EMPLOYER), ~Q(partner__sector=Sector.EMPLOYER), is_active=True
    ).select_related("partner")


def _partners_with_voivodeship(partners: QuerySet[Partner]) -> QuerySet[Partner]:
    return partners.annotate(voivodeship_codes=_voivodeship_codes("pk"))


def _services_with_place(services: QuerySet[Service]) -> QuerySet[Service]:
    return services.annotate(
        own_place=ExpressionWrapper(_OWN_PLACE, output_field=BooleanField()),
        loc_street=Case(
            When(~Q(place=""), then=F("place")), When(_OTHER_TOWN, then=Value("")), default=F("partner__street")
        ),
        loc_postal_code=Case(
            When(~Q(postal_code=""), then=F("postal_code")),
            When(_OTHER_TOWN, then=Value("")),
            default=F("partner__postal_code"),
        ),
        loc_city=Case(When(~Q(city=""), then=F("city")), default=F("partner__city")),
        voivodeship_codes=_voivodeship_codes("partner_id"),
    )


def _services_at_a_place(services: QuerySet[Service]) -> QuerySet[Service]:
    return services.filter(_OWN_PLACE | _has_address("partner__"))


_PLACE_COLUMNS = ("l_kind", "l_pk", "l_org", "l_name", "l_street", "l_postal_code", "l_city", "l_codes")


def _partner_places(where: Q) -> QuerySet[Partner, dict[str, Any]]:
    return (
        public_partners()
        .filter(_has_address(), where)
        .order_by()
        .annotate(
            l_kind=Value("partner", output_field=CharField()),
            l_pk=F("id"),
            l_org=F("id"),
            l_name=F("name"),
            l_street=F("street"),
            l_postal_code=F("postal_code"),
            l_city=F("city"),
            l_codes=_voivodeship_codes("pk"),
        )
        .values(*_PLACE_COLUMNS)
    )


def _service_places(where: Q) -> QuerySet[Service, dict[str, Any]]:
    return (
        _services_with_place(public_services().filter(_OWN_PLACE, where))
        .order_by()
        .annotate(
            l_kind=Value("service", output_field=CharField()),
            l_pk=F("id"),
            l_org=F("partner_id"),
            l_name=F("name"),
            l_street=F("loc_street"),
            l_postal_code=F("loc_postal_code"),
            l_city=F("loc_city"),
            l_codes=F("voivodeship_codes"),
        )
        .values(*_PLACE_COLUMNS)
    )


# --- builders --------------------------------------------------------------------------------------------------


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
        _masked(partner.pk, _PARTNER_LOCATION),
        partner.pk,
        partner.name,
        partner.street,
        partner.postal_code,
        partner.city,
        codes,
    )


def service_place(service: Service) -> Place | None:
    """Where a service is given; needs a queryset from ``_services_with_place``."""
    codes = getattr(service, "voivodeship_codes", None)
    if not getattr(service, "own_place", False):
        return partner_place(service.partner, codes)
    return Place(
        _masked(service.pk, _SERVICE_LOCATION),
        service.partner_id,
        service.name,
        getattr(service, "loc_street", ""),
        getattr(service, "loc_postal_code", ""),
        getattr(service, "loc_city", ""),
        codes,
    )


def _place_from_row(row: dict[str, Any]) -> Place:
    mask = _PARTNER_LOCATION if row["l_kind"] == "partner" else _SERVICE_LOCATION
    return Place(
        _masked(row["l_pk"], mask),
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
    """Basic fields for lists; ``full`` adds the nested arrays (needs ``_organizations_nested``)."""
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
    """One-to-one fields for lists; ``full`` adds the nested arrays (needs ``_services_with_place``)."""
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
        "id": str(_masked(service.pk, _SERVICE_AT_LOCATION)),
        "service_id": str(service.pk),
        "location_id": str(place.id),
        "location": location_json(place, full=full),
    }
    if with_service:
        data["service"] = service_json(service, full=full, with_locations=False)
    return data


# --- query parameters ------------------------------------------------------------------------------------------


class InvalidParameter(exceptions.APIException):
    """400 with the ``{"detail", "code"}`` body of api.errors (a ValidationError would give a field dict)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_parameter"


_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def _whole_number(params: Any, name: str, default: int, *, maximum: int, message: str, code: str) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not _WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= maximum:
        raise InvalidParameter(message, code=code)
    return int(raw)


@dataclass(frozen=True)
class PageRequest:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_request(params: Any) -> PageRequest:
    number = _whole_number(
        params, "page", 1, maximum=10**9 - 1, message=_("page must be a whole number, 1 or more."), code="invalid_page"
    )
    size = _whole_number(
        params,
        "per_page",
        DEFAULT_PER_PAGE,
        maximum=MAX_PER_PAGE,
        message=_("per_page must be a whole number from 1 to %(max)d.") % {"max": MAX_PER_PAGE},
        code="invalid_per_page",
    )
    return PageRequest(number, size)


def bool_param(params: Any, name: str) -> bool:
    raw = (params.get(name) or "").lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise InvalidParameter(_("%(parameter)s must be true or false.") % {"parameter": name}, code="invalid_boolean")


def uuid_param(params: Any, name: str) -> str | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise InvalidParameter(_("%(parameter)s must be a UUID.") % {"parameter": name}, code="invalid_uuid") from None


def modified_after_param(params: Any) -> datetime.datetime | None:
    raw = params.get("modified_after")
    if raw is None or raw == "":
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)) is not None:
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidParameter(
            _("modified_after must be an ISO 8601 date or date and time, e.g. 2025-01-31T12:00:00+01:00."),
            code="invalid_modified_after",
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _search_q(params: Any, *fields: str) -> Q:
    text = (params.get("search") or "").strip()
    query = Q()
    if text:
        for field in fields:
            query |= Q(**{f"{field}__icontains": text})
    return query


def _service_filters(params: Any) -> Q:
    """search, organization_id, modified_after, taxonomy_id, taxonomy_term_id — shared by services and their
    service_at_locations. Services carry only path-stage terms, so a partner-type term finds none."""
    query = _search_q(params, "name", "description")
    if (organization_id := uuid_param(params, "organization_id")) is not None:
        query &= Q(partner_id=organization_id)
    if (moment := modified_after_param(params)) is not None:
        query &= Q(updated_at__gte=moment) | Q(partner__updated_at__gte=moment)
    if (taxonomy_id := uuid_param(params, "taxonomy_id")) is not None and taxonomy_id != PATH_STAGES.id:
        query &= Q(pk__in=[])
    if (term_id := uuid_param(params, "taxonomy_term_id")) is not None:
        taxonomy, code = _TERM_BY_ID.get(term_id, (None, ""))
        query &= Q(category=code) if taxonomy is PATH_STAGES else Q(pk__in=[])
    return query


# --- views -----------------------------------------------------------------------------------------------------


class _Rows(Protocol):
    def count(self) -> int: ...
    def __getitem__(self, item: slice, /) -> Any: ...


def page_response(page: PageRequest, rows: _Rows, build: Callable[[Any], JSON]) -> Response:
    total = rows.count()
    # Past the end there is nothing to fetch.
    items = list(rows[page.offset : page.offset + page.size]) if page.offset < total else []
    contents = [build(item) for item in items]
    total_pages = math.ceil(total / page.size)
    return Response(
        {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": page.number,
            "size": len(contents),
            "first_page": page.number == 1,
            "last_page": page.number >= total_pages,
            "empty": not contents,
            "contents": contents,
        }
    )


def _or_404(found: T | None) -> T:
    if found is None:
        raise exceptions.NotFound(_("Not found."))
    return found


def _pk(raw: str) -> uuid.UUID:
    """A path id that is not a UUID is simply not found, like any unknown id."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise exceptions.NotFound(_("Not found.")) from None


class HsdsView(APIView):
    # A public directory of institutions and services without personal data: no sign-in, hence no session
    # or CSRF either. Described by api/hsds_schema/openapi.json, not by the /api/v1/ schema.
    authentication_classes = ()
    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer,)
    schema = None

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        # HSDS lets a client ask for `format=ndjson`; we serve paged JSON only, and say so (DRF would answer 404).
        if not force and request.query_params.get("format", "json") != "json":
            raise InvalidParameter(_("Only the json format is supported."), code="unsupported_format")
        return super().perform_content_negotiation(request, force)


class RootView(HsdsView):
    def get(self, request: Request) -> Response:
        return Response({"version": HSDS_VERSION, "openapi_url": OPENAPI_URL})


class OrganizationListView(HsdsView):
    """Queries: count, page; with ``full``/``full_service`` one more for the services."""

    def get(self, request: Request) -> Response:
        params = request.query_params
        page = page_request(params)
        full_service = bool_param(params, "full_service")
        full = bool_param(params, "full") or full_service
        partners = public_partners().filter(_search_q(params, "name", "short_name", "description"))
        # Not in the HSDS spec for organizations, but cheap and asked for by sync clients.
        if (moment := modified_after_param(params)) is not None:
            partners = partners.filter(updated_at__gte=moment)
        if (term_id := uuid_param(params, "taxonomy_term_id")) is not None:
            taxonomy, code = _TERM_BY_ID.get(term_id, (None, ""))
            partners = partners.filter(type=code) if taxonomy is PARTNER_TYPES else partners.none()
        partners = partners.order_by("name", "id")
        if full:
            partners = _organizations_nested(partners)
        return page_response(
            page, partners, lambda partner: organization_json(partner, full=full, full_service=full_service)
        )


def _organizations_nested(partners: QuerySet[Partner]) -> QuerySet[Partner]:
    services = _services_with_place(public_services()).order_by("name", "id")
    return _partners_with_voivodeship(partners).prefetch_related(
        Prefetch("services", services, to_attr="public_services")
    )


class OrganizationDetailView(HsdsView):
    """Queries: the partner, its services."""

    def get(self, request: Request, pk: str) -> Response:
        partner = _or_404(_organizations_nested(public_partners()).filter(pk=_pk(pk)).first())
        full_service = bool_param(request.query_params, "full_service")
        return Response(organization_json(partner, full=True, full_service=full_service))


class ServiceListView(HsdsView):
    """Queries: count, page (partner joined, places annotated)."""

    def get(self, request: Request) -> Response:
        params = request.query_params
        page = page_request(params)
        full = bool_param(params, "full")
        services = public_services().filter(_service_filters(params)).order_by("name", "id")
        if full:
            services = _services_with_place(services)
        return page_response(page, services, lambda service: service_json(service, full=full))


class ServiceDetailView(HsdsView):
    def get(self, request: Request, pk: str) -> Response:
        service = _or_404(_services_with_place(public_services()).filter(pk=_pk(pk)).first())
        return Response(service_json(service, full=True))


class LocationListView(HsdsView):
    """Partners' addresses and services' own places in one UNION. Queries: count, page."""

    def get(self, request: Request) -> Response:
        params = request.query_params
        page = page_request(params)
        of_partners, of_services = _search_q(params, "name"), _search_q(params, "name")
        if (organization_id := uuid_param(params, "organization_id")) is not None:
            of_partners &= Q(pk=organization_id)
            of_services &= Q(partner_id=organization_id)
        places = _partner_places(of_partners).union(_service_places(of_services), all=True)
        return page_response(
            page, places.order_by("l_name", "l_pk"), lambda row: location_json(_place_from_row(row), full=True)
        )


class LocationDetailView(HsdsView):
    def get(self, request: Request, pk: str) -> Response:
        location_id = _pk(pk)
        row = _partner_places(Q(pk=_masked(location_id, _PARTNER_LOCATION))).first()
        if row is None:
            row = _or_404(_service_places(Q(pk=_masked(location_id, _SERVICE_LOCATION))).first())
        return Response(location_json(_place_from_row(row), full=True))


def _sal(service: Service, *, full: bool) -> JSON:
    place = service_place(service)
    assert place is not None  # the queryset keeps only services that have a place
    return service_at_location_json(service, place, full=full, with_service=True)


class ServiceAtLocationListView(HsdsView):
    """One per service that has a place (its own or its partner's). Queries: count, page."""

    def get(self, request: Request) -> Response:
        params = request.query_params
        page = page_request(params)
        full = bool_param(params, "full")
        services = _services_at_a_place(_services_with_place(public_services()))
        services = services.filter(_service_filters(params)).order_by("name", "id")
        return page_response(page, services, lambda service: _sal(service, full=full))


class ServiceAtLocationDetailView(HsdsView):
    def get(self, request: Request, pk: str) -> Response:
        service_id = _masked(_pk(pk), _SERVICE_AT_LOCATION)
        service = _or_404(_services_at_a_place(_services_with_place(public_services())).filter(pk=service_id).first())
        return Response(_sal(service, full=True))


@dataclass(frozen=True)
class _Static:
    """The taxonomies are constants; this lets them page like querysets."""

    items: list[Any]

    def count(self) -> int:
        return len(self.items)

    def __getitem__(self, item: slice, /) -> list[Any]:
        return self.items[item]


def _matches(params: Any, *texts: str) -> bool:
    text = (params.get("search") or "").strip().casefold()
    return not text or any(text in value.casefold() for value in texts)


class TaxonomyListView(HsdsView):
    def get(self, request: Request) -> Response:
        params = request.query_params
        page = page_request(params)
        found = [t for t in TAXONOMIES if _matches(params, str(t.name), str(t.description))]
        return page_response(page, _Static(found), taxonomy_json)


class TaxonomyDetailView(HsdsView):
    def get(self, request: Request, pk: str) -> Response:
        taxonomy = _or_404(_TAXONOMY_BY_ID.get(str(_pk(pk))))
        return Response(taxonomy_json(taxonomy))


class TaxonomyTermListView(HsdsView):
    def get(self, request: Request) -> Response:
        params = request.query_params
        page = page_request(params)
        taxonomy_id = uuid_param(params, "taxonomy_id")
        bool_param(params, "top_only")  # validated only: our taxonomies are flat, every term is a top term
        parent_id = uuid_param(params, "parent_id")  # ... and no term has a parent
        found = [
            (taxonomy, code)
            for taxonomy in TAXONOMIES
            if taxonomy_id in (None, taxonomy.id)
            for code, label in taxonomy.terms
            if parent_id is None and _matches(params, code, str(label))
        ]
        return page_response(page, _Static(found), lambda item: term_json(*item))


class TaxonomyTermDetailView(HsdsView):
    def get(self, request: Request, pk: str) -> Response:
        found = _or_404(_TERM_BY_ID.get(str(_pk(pk))))
        return Response(term_json(*found))
