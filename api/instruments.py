"""API v1 for the instrument editor: a network's own assessment instruments with every version, defining one, and
making a new version (people.assessments.instrument_create / instrument_new_version, the services the pages call).
For the network's coordinators."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.assessments import InstrumentDetailSerializer, InstrumentSerializer, request_language
from api.views import _errors, _path_id, actor
from core.actions import performs
from core.scope import scope_for
from network.access import get_network_for
from people.assessments import (
    DomainSpec,
    LevelSpec,
    get_instrument_for,
    instrument_create,
    instrument_new_version,
    network_instruments,
    with_levels,
)
from people.models import Instrument


class LevelInSerializer(serializers.Serializer):
    value = serializers.IntegerField(min_value=0, max_value=100)
    description_pl = serializers.CharField()
    description_en = serializers.CharField(required=False, allow_blank=True, default="")


class DomainInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=50)
    name_pl = serializers.CharField(max_length=120)
    name_en = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    levels = LevelInSerializer(many=True)


class InstrumentVersionInSerializer(serializers.Serializer):
    name_pl = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description_pl = serializers.CharField(required=False, allow_blank=True, default="")
    description_en = serializers.CharField(required=False, allow_blank=True, default="")
    scale_min = serializers.IntegerField(default=1)
    scale_max = serializers.IntegerField(default=5)
    domains = DomainInSerializer(many=True)


class InstrumentInSerializer(InstrumentVersionInSerializer):
    code = serializers.CharField(max_length=50)


def _specs(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["domains"] = [
        DomainSpec(
            code=d["code"],
            name_pl=d["name_pl"],
            name_en=d["name_en"],
            levels=tuple(LevelSpec(lv["value"], lv["description_pl"], lv["description_en"]) for lv in d["levels"]),
        )
        for d in data["domains"]
    ]
    return data


def _detail(request: Request, instrument: Instrument) -> dict[str, Any]:
    context = {"request": request, "language": request_language(request)}
    return InstrumentDetailSerializer(with_levels(instrument), context=context).data


class NetworkInstrumentsView(APIView):
    @extend_schema(
        summary="A network's own assessment instruments, every version (its coordinators)",
        parameters=[_path_id("The network's id.")],
        responses={200: InstrumentSerializer(many=True), **_errors(403, 404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        network = get_network_for(request.user, pk, coordinate=True)
        context = {"request": request, "language": request_language(request)}
        return Response(InstrumentSerializer(network_instruments(network), many=True, context=context).data)

    @extend_schema(
        summary="Define an assessment instrument of the network: domains, scale, a description per level",
        parameters=[_path_id("The network's id.")],
        request=InstrumentInSerializer,
        responses={201: InstrumentDetailSerializer, **_errors(400, 403, 404)},
    )
    @performs(instrument_create)
    def post(self, request: Request, pk: str) -> Response:
        network = get_network_for(request.user, pk, coordinate=True)
        serializer = InstrumentInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instrument = instrument_create(actor=actor(request), network=network, **_specs(serializer.validated_data))
        return Response(_detail(request, instrument), status.HTTP_201_CREATED)


class InstrumentVersionsView(APIView):
    @extend_schema(
        summary="Make a new version of a network's instrument (its coordinators)",
        description=(
            "The same code, the version number plus one; new results use it and the previous version is retired, "
            "while results already recorded keep the version they were made with. 409 `not_latest_version` when a "
            "newer version exists; 403 for a shared instrument."
        ),
        parameters=[_path_id("The instrument's id (its latest version).")],
        request=InstrumentVersionInSerializer,
        responses={201: InstrumentDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @performs(instrument_new_version)
    def post(self, request: Request, pk: str) -> Response:
        instrument = get_instrument_for(request.user, pk)
        if instrument.network_id is None or not scope_for(request.user).coordinates(instrument.network_id):
            raise PermissionDenied
        serializer = InstrumentVersionInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = instrument_new_version(actor=actor(request), instrument=instrument, **_specs(serializer.validated_data))
        return Response(_detail(request, new), status.HTTP_201_CREATED)
