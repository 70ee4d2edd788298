"""The HSDS paths: public, read-only, paged in the ``Page`` envelope; an unknown or malformed id is a 404."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.hsds.mapping import (
    JSON,
    PARTNER_LOCATION,
    PARTNER_TYPES,
    SERVICE_AT_LOCATION,
    SERVICE_LOCATION,
    TAXONOMIES,
    TAXONOMY_BY_ID,
    TERM_BY_ID,
    location_json,
    masked,
    organization_json,
    place_from_row,
    service_at_location_json,
    service_json,
    service_place,
    taxonomy_json,
    term_json,
)
from api.hsds.params import (
    InvalidParameter,
    PageRequest,
    bool_param,
    modified_after_param,
    page_request,
    search_q,
    service_filters,
    uuid_param,
)
from api.hsds.selectors import (
    organizations_nested,
    partner_places,
    public_partners,
    public_services,
    service_places,
    services_at_a_place,
    services_with_place,
)
from partners.models import Service

T = TypeVar("T")

HSDS_VERSION = "3.0"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"


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
        partners = public_partners().filter(search_q(params, "name", "short_name", "description"))
        # Not in the HSDS spec for organizations, but cheap and asked for by sync clients.
        if (moment := modified_after_param(params)) is not None:
            partners = partners.filter(updated_at__gte=moment)
        if (term_id := uuid_param(params, "taxonomy_term_id")) is not None:
            taxonomy, code = TERM_BY_ID.get(term_id, (None, ""))
            partners = partners.filter(type=code) if taxonomy is PARTNER_TYPES else partners.none()
        partners = partners.order_by("name", "id")
        if full:
            partners = organizations_nested(partners)
        return page_response(
            page, partners, lambda partner: organization_json(partner, full=full, full_service=full_service)
        )


class OrganizationDetailView(HsdsView):
    """Queries: the partner, its services."""

    def get(self, request: Request, pk: str) -> Response:
        partner = _or_404(organizations_nested(public_partners()).filter(pk=_pk(pk)).first())
        full_service = bool_param(request.query_params, "full_service")
        return Response(organization_json(partner, full=True, full_service=full_service))


class ServiceListView(HsdsView):
    """Queries: count, page (partner joined, places annotated)."""

    def get(self, request: Request) -> Response:
        params = request.query_params
        page = page_request(params)
        full = bool_param(params, "full")
        services = public_services().filter(service_filters(params)).order_by("name", "id")
        if full:
            services = services_with_place(services)
        return page_response(page, services, lambda service: service_json(service, full=full))


class ServiceDetailView(HsdsView):
    def get(self, request: Request, pk: str) -> Response:
        service = _or_404(services_with_place(public_services()).filter(pk=_pk(pk)).first())
        return Response(service_json(service, full=True))


class LocationListView(HsdsView):
    """Partners' addresses and services' own places in one UNION. Queries: count, page."""

    def get(self, request: Request) -> Response:
        params = request.query_params
        page = page_request(params)
        of_partners, of_services = search_q(params, "name"), search_q(params, "name")
        if (organization_id := uuid_param(params, "organization_id")) is not None:
            of_partners &= Q(pk=organization_id)
            of_services &= Q(partner_id=organization_id)
        places = partner_places(of_partners).union(service_places(of_services), all=True)
        return page_response(
            page, places.order_by("l_name", "l_pk"), lambda row: location_json(place_from_row(row), full=True)
        )


class LocationDetailView(HsdsView):
    def get(self, request: Request, pk: str) -> Response:
        location_id = _pk(pk)
        row = partner_places(Q(pk=masked(location_id, PARTNER_LOCATION))).first()
        if row is None:
            row = _or_404(service_places(Q(pk=masked(location_id, SERVICE_LOCATION))).first())
        return Response(location_json(place_from_row(row), full=True))


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
        services = services_at_a_place(services_with_place(public_services()))
        services = services.filter(service_filters(params)).order_by("name", "id")
        return page_response(page, services, lambda service: _sal(service, full=full))


class ServiceAtLocationDetailView(HsdsView):
    def get(self, request: Request, pk: str) -> Response:
        service_id = masked(_pk(pk), SERVICE_AT_LOCATION)
        service = _or_404(services_at_a_place(services_with_place(public_services())).filter(pk=service_id).first())
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
        taxonomy = _or_404(TAXONOMY_BY_ID.get(str(_pk(pk))))
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
        found = _or_404(TERM_BY_ID.get(str(_pk(pk))))
        return Response(term_json(*found))
