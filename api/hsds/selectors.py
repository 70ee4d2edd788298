"""What the HSDS export publishes (partners other than employers, their active services) and how it is loaded:
a service's place worked out in SQL, partners' and services' places as rows of one UNION, each list in a fixed
number of queries."""

from __future__ import annotations

from typing import Any

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

from network.models import NetworkMembership
from partners.choices import PartnerType, Sector
from partners.models import Partner, Service

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


def services_with_place(services: QuerySet[Service]) -> QuerySet[Service]:
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


def services_at_a_place(services: QuerySet[Service]) -> QuerySet[Service]:
    return services.filter(_OWN_PLACE | _has_address("partner__"))


_PLACE_COLUMNS = ("l_kind", "l_pk", "l_org", "l_name", "l_street", "l_postal_code", "l_city", "l_codes")


def partner_places(where: Q) -> QuerySet[Partner, dict[str, Any]]:
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


def service_places(where: Q) -> QuerySet[Service, dict[str, Any]]:
    return (
        services_with_place(public_services().filter(_OWN_PLACE, where))
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


def organizations_nested(partners: QuerySet[Partner]) -> QuerySet[Partner]:
    """What a full organization needs: its voivodeship and its public services with their places, in one more
    query."""
    services = services_with_place(public_services()).order_by("name", "id")
    return _partners_with_voivodeship(partners).prefetch_related(
        Prefetch("services", services, to_attr="public_services")
    )
