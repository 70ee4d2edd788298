"""The report's period work under /api/v1/, over the same services as the pages (``reporting.services``):

- ``GET|POST /api/v1/networks/{id}/funding/`` and ``DELETE /api/v1/networks/{id}/funding/{funding_id}/``: the
  funding a network states per year and source, in PLN (its coordinators; 404 for everyone else);
- ``POST /api/v1/networks/{id}/reports/close/`` and ``…/reopen/``: close a period's report (figures frozen,
  the PDF kept, the regional monitors told) or reopen it with a reason (its coordinators);
- ``GET /api/v1/networks/{id}/reports/sent-pdf/?<period>``: the PDF as it was sent;
- ``GET /api/v1/reports/submissions/?<period>``: which networks sent their report (regional monitors only).

A period is named the way the report names it: ``year``, ``month`` (2025-03), ``quarter`` (2025-Q1), or
``from`` and ``to``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views import _errors, _path_id, actor
from core.actions import performs
from core.scope import scope_for
from network.access import get_network_for
from network.models import Network
from partners.choices import FundingSource
from reporting import exports as report_exports
from reporting import selectors as report_selectors
from reporting import services as report_services
from reporting import yearly as reports
from reporting.models import FundingAmount, ReportClosure
from reporting.services import closure_details

PERIOD_QUERY = [
    OpenApiParameter("year", OpenApiTypes.INT, description="A calendar year."),
    OpenApiParameter("month", OpenApiTypes.STR, description="A month, such as 2025-03."),
    OpenApiParameter("quarter", OpenApiTypes.STR, description="A quarter, such as 2025-Q1."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of a period (with `to`)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of the period, included."),
]


def coordinated(request: Request, pk: Any) -> Network:
    user = actor(request)
    network: Network = get_network_for(user, pk)
    if not scope_for(user).coordinates(network.pk):
        raise Http404
    return network


# --- funding ---------------------------------------------------------------------------------------------


class FundingSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)

    class Meta:
        model = FundingAmount
        fields = ["id", "year", "source", "amount", "note"]


class FundingWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    # A field named "source" shadows Field.source in the stubs; it is only a field here.
    source = serializers.ChoiceField(choices=FundingSource.choices)  # type: ignore[assignment]
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class NetworkFundingView(APIView):
    @extend_schema(
        summary="The funding the network stated, by year and source, in PLN (its coordinators)",
        parameters=[_path_id("The network's id.")],
        responses={200: FundingSerializer(many=True), **_errors(404)},
    )
    def get(self, request: Request, pk: str) -> Response:
        network = coordinated(request, pk)
        return Response(FundingSerializer(report_selectors.funding_of(network), many=True).data)

    @extend_schema(
        summary="State or correct the amount from one source in one year (one row per year and source)",
        parameters=[_path_id("The network's id.")],
        request=FundingWriteSerializer,
        responses={200: FundingSerializer, **_errors(400, 404)},
    )
    @performs(report_services.funding_set)
    def post(self, request: Request, pk: str) -> Response:
        network = coordinated(request, pk)
        body = FundingWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = report_services.funding_set(actor=actor(request), network=network, **body.validated_data)
        return Response(FundingSerializer(row).data)


class FundingDetailView(APIView):
    @extend_schema(
        summary="Remove a stated amount",
        parameters=[_path_id("The network's id."), OpenApiParameter("funding_id", OpenApiTypes.UUID, "path")],
        responses={204: None, **_errors(404)},
    )
    @performs(report_services.funding_remove)
    def delete(self, request: Request, pk: str, funding_id: str) -> Response:
        network = coordinated(request, pk)
        try:
            row = report_selectors.get_funding_for(network, funding_id)
        except ValidationError:
            raise Http404 from None
        report_services.funding_remove(actor=actor(request), funding=row)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- closing and reopening ----------------------------------------------------------------------------------


class PeriodSerializer(serializers.Serializer):
    year = serializers.CharField(required=False, allow_blank=True)
    month = serializers.CharField(required=False, allow_blank=True)
    quarter = serializers.CharField(required=False, allow_blank=True)
    to = serializers.CharField(required=False, allow_blank=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"from": serializers.CharField(required=False, allow_blank=True), **super().get_fields()}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not any(attrs.get(name) for name in ("year", "month", "quarter", "from", "to")):
            raise serializers.ValidationError("Name the period: year, month, quarter, or from and to.", code="period")
        return attrs


class ReopenSerializer(PeriodSerializer):
    reason = serializers.CharField(max_length=report_services.REASON_MAX)


class ClosureSerializer(serializers.Serializer):
    network = serializers.UUIDField(source="network_id")
    status = serializers.ChoiceField(choices=["closed", "reopened"])
    period = serializers.SerializerMethodField()
    closed_at = serializers.DateTimeField()
    closed_by = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    def get_period(self, obj: ReportClosure) -> dict[str, Any]:
        period = reports.Period(obj.start, obj.end)
        return {"from": obj.start.isoformat(), "to": obj.end.isoformat(), "kind": period.kind, "label": period.label()}

    def get_closed_by(self, obj: ReportClosure) -> str:
        return str(closure_details(obj)["closed_by"])

    def get_events(self, obj: ReportClosure) -> list[dict[str, Any]]:
        return [
            {"action": e.action, "at": e.at.isoformat(), "reason": e.reason} for e in obj.events.order_by("at", "id")
        ]


def _period(data: Any) -> reports.Period:
    return reports.parse_period(data)


class ReportCloseView(APIView):
    @extend_schema(
        summary="Close the period's report: its figures frozen, the PDF kept, the regional monitors told",
        parameters=[_path_id("The network's id.")],
        request=PeriodSerializer,
        responses={201: ClosureSerializer, **_errors(400, 404, 409)},
    )
    @performs(report_services.report_close)
    def post(self, request: Request, pk: str) -> Response:
        network = coordinated(request, pk)
        body = PeriodSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        closure = report_services.report_close(actor=actor(request), network=network, period=_period(request.data))
        return Response(ClosureSerializer(closure).data, status=status.HTTP_201_CREATED)


class ReportReopenView(APIView):
    @extend_schema(
        summary="Reopen a closed report for a correction, with the reason (logged, told to the monitors)",
        parameters=[_path_id("The network's id.")],
        request=ReopenSerializer,
        responses={200: ClosureSerializer, **_errors(400, 404, 409)},
    )
    @performs(report_services.report_reopen)
    def post(self, request: Request, pk: str) -> Response:
        network = coordinated(request, pk)
        body = ReopenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        closure = report_selectors.closure_of(network, _period(request.data))
        if closure is None:
            raise Http404
        closure = report_services.report_reopen(
            actor=actor(request), closure=closure, reason=body.validated_data["reason"]
        )
        return Response(ClosureSerializer(closure).data)


class ReportSentPdfView(APIView):
    @extend_schema(
        summary="The PDF of a closed report, as it was sent (its coordinators)",
        parameters=[_path_id("The network's id."), *PERIOD_QUERY],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF."),
            **_errors(400, 404),
        },
    )
    def get(self, request: Request, pk: str) -> HttpResponse:
        network = coordinated(request, pk)
        period = _period(request.query_params)
        report, closure = report_selectors.network_report(network, period)
        if closure is None or not closure.is_closed:
            raise Http404
        response = HttpResponse(bytes(closure.pdf), content_type="application/pdf")
        response["Content-Disposition"] = report_exports.content_disposition(report_exports.filename(report, "pdf"))
        return response


# --- the regional monitor ------------------------------------------------------------------------------------


class SubmissionNetworkSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    teryt = serializers.CharField()


class SubmissionSerializer(serializers.Serializer):
    network = SubmissionNetworkSerializer()
    status = serializers.ChoiceField(choices=["open", "closed", "reopened"])
    closed_at = serializers.DateTimeField(allow_null=True)
    closed_by = serializers.CharField(allow_null=True)


class SubmissionsView(APIView):
    @extend_schema(
        summary="Which networks sent their report for the period (regional monitors)",
        parameters=PERIOD_QUERY,
        responses={200: SubmissionSerializer(many=True), **_errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        if not scope_for(actor(request)).is_monitor:
            raise Http404
        period = _period(request.query_params)
        return Response([row.as_dict() for row in report_selectors.submissions(period)])
