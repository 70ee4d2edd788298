"""Pages of issue 8: the coordinator's dashboard (live tiles), the monitoring report with charts and exports,
the regional monitor's report, and a person's path.

Thin views: figures come from ``reporting.yearly``, files from ``reporting.exports``. Who may see what:
- the dashboard and a network's report: that network's coordinators; everyone else gets 404;
- the regional report: regional monitors only (404 for everyone else), always with small cells suppressed;
- a person's path: whoever ``get_person_for`` lets read the person, with what their categories allow; the
  read is written to the access log. A monitor never gets past ``get_person_for``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.scope import scope_for
from frontend.types import AuthedRequest
from network.access import get_network_for
from network.models import Network
from people.access import get_person_for
from people.audit import log_access
from people.models import AccessAction
from reporting import exports as report_exports
from reporting import yearly as reports

log = logging.getLogger("lsw.reports")

CHART_WIDTH = 320  # px of the longest bar
CHART_ROW = 22  # px per bar
CHART_LABEL = 230  # px for the labels left of the bars
STAGE_BAR = 90  # px of the longest bar beside the stages on the dashboard


# --- access -------------------------------------------------------------------------------------------


def coordinated_network(request: AuthedRequest, network_id: Any) -> Network:
    """The network if the user coordinates it; 404 for everyone else (no existence leak, monitors included)."""
    network: Network = get_network_for(request.user, network_id)
    if not scope_for(request.user).coordinates(network.pk):
        raise Http404
    return network


def require_monitor(request: AuthedRequest) -> None:
    if not scope_for(request.user).is_monitor:
        raise Http404


# --- charts (SVG drawn on the server) -----------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    width: int
    y: int


@dataclass(frozen=True)
class Chart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = CHART_LABEL


def bar_chart(title: str, items: list[tuple[str, reports.Value]]) -> Chart | None:
    """Horizontal bars for the numeric values. A suppressed value ("<5", "*") gets its label and no bar: a bar's
    length would tell what the label hides."""
    numbers = [v for _label, v in items if isinstance(v, int | float)]
    top = max(numbers, default=0)
    if not items:
        return None
    bars = []
    for index, (label, value) in enumerate(items):
        length = round(CHART_WIDTH * value / top) if isinstance(value, int | float) and top else 0
        bars.append(Bar(label=label, text=report_exports.display(value), width=max(length, 0), y=index * CHART_ROW))
    return Chart(title=title, bars=bars, width=CHART_LABEL + CHART_WIDTH + 60, height=len(bars) * CHART_ROW)


def table_chart(table: reports.Table) -> Chart | None:
    if table.chart is None or not table.rows:
        return None
    column = next((c for c in table.columns if c.key == table.chart), None)
    title = f"{table.title} — {column.label}" if column else table.title
    return bar_chart(title, [(row.label, row.values.get(table.chart)) for row in table.rows])


# --- the dashboard ------------------------------------------------------------------------------------


def _dashboard_context(network: Network) -> dict[str, Any]:
    board = reports.dashboard(network)
    top = max((row.people for row in board.stages), default=0)
    stage_bars = [(row, round(STAGE_BAR * row.people / top) if top else 0) for row in board.stages]
    flow = [
        {"label": row.label, "url": row.url, "counts": [q.entered.get(row.code, 0) for q in board.quarters]}
        for row in board.stages
    ]
    return {
        "network": network,
        "board": board,
        "stage_bars": stage_bars,
        "stage_bar": STAGE_BAR,
        "flow": flow,
        "unanswered_days": reports.UNANSWERED_LONG_DAYS,
    }


@login_required
@require_GET
def dashboard(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = coordinated_network(request, network_id)
    context = _dashboard_context(network)
    template = "reports/_tiles.html" if request.htmx else "reports/dashboard.html"
    return render(request, template, context)


@login_required
@require_GET
def dashboard_tiles(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    """The tiles alone: the page swaps them in when a live hint says something changed."""
    network = coordinated_network(request, network_id)
    return render(request, "reports/_tiles.html", _dashboard_context(network))


# --- the monitoring report ----------------------------------------------------------------------------


def _period(request: AuthedRequest) -> tuple[reports.Period, list[str]]:
    try:
        return reports.parse_period(request.GET), []
    except ValidationError as exc:
        return reports.Period.year(timezone.localdate().year), list(exc.messages)


def _download(report: reports.MonitoringReport, file_format: str) -> HttpResponse:
    exported = report_exports.export(report, file_format)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


def _table_block(table: reports.Table) -> dict[str, Any]:
    """A table as the page shows it: labels and figures already written out ("<5" and "*" as they are)."""
    display = report_exports.display

    def cells(row: reports.Row) -> list[str]:
        return [display(row.values.get(column.key)) for column in table.columns]

    return {
        "key": table.key,
        "title": table.title,
        "columns": [column.label for column in table.columns],
        "rows": [(row.label, cells(row)) for row in table.rows],
        "total": (table.total.label, cells(table.total)) if table.total is not None else None,
        "chart": table_chart(table),
        "chart_id": f"chart-{table.key}",
    }


def _report_page(
    request: AuthedRequest, report: reports.MonitoringReport, *, errors: list[str], first_year: int, **extra: Any
) -> HttpResponse:
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "report": report,
        "tables": [_table_block(table) for table in report.tables],
        "rules": reports.rules_text(report.suppressed),
        "years": list(range(today.year, min(first_year, today.year) - 1, -1)),
        "errors": errors,
        "query": query.urlencode(),
        "formats": report_exports.FORMATS,
        **extra,
    }
    return render(request, "reports/report.html", context, status=400 if errors else 200)


@login_required
@require_GET
def monitoring(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = coordinated_network(request, network_id)
    period, errors = _period(request)
    report = reports.monitoring_report(network, period)
    file_format = request.GET.get("format", "")
    if file_format in report_exports.FORMATS and not errors:
        log.info(
            "report export: user=%s network=%s period=%s format=%s", request.user.pk, network.pk, period, file_format
        )
        return _download(report, file_format)
    return _report_page(request, report, errors=errors, first_year=network.start_date.year, network=network)


@login_required
@require_GET
def regional(request: AuthedRequest) -> HttpResponse:
    require_monitor(request)
    period, errors = _period(request)
    report = reports.regional_report(period)
    file_format = request.GET.get("format", "")
    if file_format in report_exports.FORMATS and not errors:
        log.info("regional report export: user=%s period=%s format=%s", request.user.pk, period, file_format)
        return _download(report, file_format)
    return _report_page(request, report, errors=errors, first_year=reports.first_regional_year(), regional=True)


# --- a person's path ----------------------------------------------------------------------------------


@login_required
@require_GET
def person_path(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    with transaction.atomic():
        access = get_person_for(request.user, person_id)
        log_access(user=request.user, person=access.person, action=AccessAction.VIEW, view="person-path")
    person = access.person
    entries = reports.person_path(access, request.user)
    context = {
        "access": access,
        "person": person,
        "entries": entries,
        "kinds": sorted({(e.kind, e.kind_label) for e in entries}),
        "shows_name": access.can_read("identity"),
        **reports.current_plan(person),
    }
    return render(request, "reports/path.html", context)
