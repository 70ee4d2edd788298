"""Query filters of the directory lists. They narrow a queryset that access.py has already limited."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from network.models import Network, NetworkMembership
from partners.choices import PartnerType, PathStage
from partners.models import Partner, Service, ServiceQuerySet


class InvalidFilter(APIException):
    """400 for a query parameter that cannot be read (a malformed UUID, an unknown type)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_filter"
    default_detail = gettext_lazy("Invalid filter.")


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter, but a bad parameter answers ``{"detail", "code"}`` like every other API error."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            problems = [f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in filterset.errors.items()]
            raise InvalidFilter(" ".join(problems))
        return filterset.qs


def _members_of(network_id: UUID) -> QuerySet[Any]:
    """Ids of the partners currently in a network (one row per partner: membership is unique per network)."""
    return NetworkMembership.objects.current().filter(network_id=network_id).values("partner_id")


class NetworkFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", help_text="Part of the name or of the territory.")

    class Meta:
        model = Network
        fields = ["q"]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(name__icontains=value) | Q(territory_name__icontains=value))


class PartnerFilter(filters.FilterSet):
    network = filters.UUIDFilter(method="filter_network", help_text="Only current members of this network.")
    type = filters.ChoiceFilter(choices=PartnerType.choices, help_text="Partner type.")
    q = filters.CharFilter(method="filter_q", help_text="Part of the name or short name.")

    class Meta:
        model = Partner
        fields = ["network", "type", "q"]

    def filter_network(self, queryset: QuerySet[Any], name: str, value: UUID) -> QuerySet[Any]:
        return queryset.filter(id__in=_members_of(value))

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value))


class ServiceFilter(filters.FilterSet):
    network = filters.UUIDFilter(method="filter_network", help_text="Only services of current members of this network.")
    partner = filters.UUIDFilter(field_name="partner_id", help_text="Only this partner's services.")
    type = filters.ChoiceFilter(
        field_name="partner__type", choices=PartnerType.choices, help_text="The partner's type."
    )
    category = filters.ChoiceFilter(choices=PathStage.choices, help_text="Path stage it serves.")
    q = filters.CharFilter(method="filter_q", help_text="Part of the name or of the description.")
    free = filters.BooleanFilter(
        method="filter_free",
        help_text="true: only services that can take someone now; false: only full ones.",
    )

    class Meta:
        model = Service
        fields = ["network", "partner", "type", "category", "q", "free"]

    def filter_network(self, queryset: QuerySet[Any], name: str, value: UUID) -> QuerySet[Any]:
        return queryset.filter(partner_id__in=_members_of(value))

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))

    def filter_free(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        # django-filter calls a filter method only with a value given, so there is no None here.
        if value:
            return cast(ServiceQuerySet, queryset).with_free_places()
        return queryset.exclude(pk__in=Service.objects.with_free_places().values("pk"))
