"""Monitoring reports under /api/v1/ (DESIGN §9).

- ``GET /api/v1/networks/{id}/reports/monitoring/?year=YYYY[&from=…&to=…][&format=csv|xlsx|pdf]``: the network's
  coordinators; 404 for everyone else.
- ``GET /api/v1/reports/regional/?year=YYYY[&from=…&to=…][&format=…]``: regional monitors only (404 otherwise);
  summed over every network, small cells suppressed ("<5", "*").

JSON by default. ``format`` picks a file, not one of DRF's renderers, so the views answer JSON themselves and
every error stays ``{"detail", "code"}`` whatever file was asked for. The serializers below only describe the
JSON for the schema; the answer is ``MonitoringReport.as_dict()``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import BadRequest
from api.views import _errors, _path_id, actor
from core.scope import scope_for
from network.access import get_network_for
from reporting import exports as report_exports
from reporting import yearly as reports
from reporting.selectors import network_report

log = logging.getLogger("lsw.reports")

FILE_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


# --- the schema of the JSON answer ---------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string", "enum": [reports.SMALL, reports.HIDDEN]}],
        "nullable": True,
        "description": 'A figure; in the regional report "<5" for 1 to 4 and "*" for a cell hidden so that a "<5" '
        "cannot be worked out from the total.",
    }
)
class FigureField(serializers.Field):
    def to_representation(self, value: Any) -> Any:
        return value


class ReportColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    # A field named "label" shadows Field.label in the stubs; it is only a field here.
    label = serializers.CharField()  # type: ignore[assignment]


class ReportRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="A code (stage, sex, age group, gmina TERYT, partner or group id…).")
    label = serializers.CharField()  # type: ignore[assignment]
    people = FigureField(required=False)
    sessions = FigureField(required=False)
    hours = FigureField(required=False)
    meetings = FigureField(required=False)
    count = FigureField(required=False)
    amount = FigureField(required=False)
    value = FigureField(required=False)


class ReportTableSerializer(serializers.Serializer):
    title = serializers.CharField()
    columns = ReportColumnSerializer(many=True)
    rows = ReportRowSerializer(many=True)
    total = ReportRowSerializer(allow_null=True)


class ReportTablesSerializer(serializers.Serializer):
    summary = ReportTableSerializer()
    by_sex = ReportTableSerializer()
    by_age_group = ReportTableSerializer()
    by_gmina = ReportTableSerializer()
    by_form = ReportTableSerializer()
    by_category = ReportTableSerializer()
    by_partner = ReportTableSerializer()
    support_groups = ReportTableSerializer()
    by_funding = ReportTableSerializer()
    by_network = ReportTableSerializer(required=False, help_text="Regional report only: compared with past years.")
    by_county = ReportTableSerializer(required=False, help_text="Regional report only: compared with past years.")
    referrals = ReportTableSerializer()
    declined_by_reason = ReportTableSerializer()
    employment = ReportTableSerializer()


class ReportNetworkSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ReportPeriodSerializer(serializers.Serializer):
    # "from" is a Python keyword: the field is declared under another name and renamed below.
    to = serializers.DateField()
    year = serializers.IntegerField(allow_null=True)
    kind = serializers.ChoiceField(choices=["month", "quarter", "year", "range"])
    label = serializers.CharField()  # type: ignore[assignment]

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"from": serializers.DateField(), **super().get_fields()}


class MonitoringReportSerializer(serializers.Serializer):
    title = serializers.CharField()
    scope = serializers.CharField()
    network = ReportNetworkSerializer(allow_null=True)
    networks = serializers.IntegerField(help_text="How many networks the figures are summed over.")
    period = ReportPeriodSerializer()
    suppressed = serializers.BooleanField(help_text="Small cells suppressed (the regional report).")
    generated_at = serializers.DateTimeField()
    closed = serializers.DictField(
        allow_null=True, help_text="Who closed the period's report and when; the figures are then frozen."
    )
    rules = serializers.ListField(child=serializers.CharField(), help_text="How the figures are counted.")
    tables = ReportTablesSerializer()


PERIOD_PARAMETERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="Calendar year (default: the current one)."),
    OpenApiParameter("month", OpenApiTypes.STR, description="A month, such as 2025-03 (wins over `year`)."),
    OpenApiParameter("quarter", OpenApiTypes.STR, description="A quarter, such as 2025-Q1 (wins over `year`)."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of a period (with `to`; wins over `year`)."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of the period, included."),
    OpenApiParameter(
        "format", OpenApiTypes.STR, enum=["json", *FILE_TYPES], description="A file instead of JSON (default json)."
    ),
]
RESPONSES = {
    (200, "application/json"): MonitoringReportSerializer,
    **{(200, media): OpenApiResponse(OpenApiTypes.BINARY, description=f"The report as {name.upper()}.")
       for name, media in FILE_TYPES.items()},
}  # fmt: skip


# --- views ---------------------------------------------------------------------------------------------


class ReportView(APIView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        # ``?format=`` names the file to export, not a renderer: answers that are not files (errors too) are JSON.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    def file_format(self, request: Request) -> str:
        value = request.query_params.get("format", "") or "json"
        if value != "json" and value not in FILE_TYPES:
            raise BadRequest("format: csv, xlsx, pdf or json.", code="format_invalid")
        return value

    def respond(self, report: reports.MonitoringReport, file_format: str) -> Response | HttpResponse:
        if file_format == "json":
            return Response(report.as_dict())
        exported = report_exports.export(report, file_format)
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = report_exports.content_disposition(exported.filename)
        return response


class NetworkMonitoringReportView(ReportView):
    @extend_schema(
        summary="The monitoring report of a network for a year or a period (its coordinators)",
        parameters=[_path_id("The network's id."), *PERIOD_PARAMETERS],
        responses={**RESPONSES, **_errors(400, 404)},
    )
    def get(self, request: Request, pk: str) -> Response | HttpResponse:
        user = actor(request)
        network = get_network_for(user, pk)
        if not scope_for(user).coordinates(network.pk):
            raise Http404
        file_format = self.file_format(request)
        period = reports.parse_period(request.query_params)
        report, _closure = network_report(network, period)  # frozen when the period is closed
        if file_format != "json":
            log.info("report export: user=%s network=%s period=%s format=%s", user.pk, network.pk, period, file_format)
        return self.respond(report, file_format)


class RegionalReportView(ReportView):
    @extend_schema(
        summary="The monitoring report summed over every network, small cells suppressed (regional monitors)",
        parameters=PERIOD_PARAMETERS,
        responses={**RESPONSES, **_errors(400, 404)},
    )
    def get(self, request: Request) -> Response | HttpResponse:
        user = actor(request)
        if not scope_for(user).is_monitor:
            raise Http404
        file_format = self.file_format(request)
        report = reports.regional_report(reports.parse_period(request.query_params))
        if file_format != "json":
            log.info("regional report export: user=%s period=%s format=%s", user.pk, report.period, file_format)
        return self.respond(report, file_format)
