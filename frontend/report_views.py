"""Pages of issue 8: the coordinator's dashboard (live tiles), the monitoring report with charts and exports,
the regional monitor's report, and a person's path.

Thin views: figures come from ``reporting.yearly``, files from ``reporting.exports``. Who may see what:
- the dashboard and a network's report: that network's coordinators; everyone else gets 404;
- the regional report: regional monitors only (404 for everyone else), always with small cells suppressed;
- a person's path: whoever ``get_person_for`` lets read the person, with what their categories allow; the
  read is written to the access log. A monitor never gets past ``get_person_for``.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
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
from reporting.selectors import network_report

log = logging.getLogger("lsw.reports")

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


# --- charts (the design system's {% bar_chart %}: SVG and the same numbers in a table) ------------------


def table_chart(table: reports.Table) -> dict[str, Any] | None:
    """What ``{% bar_chart %}`` needs to chart a report table's chosen column; a suppressed figure ("<5", "*") is
    written as it is, with no bar (a bar's length would tell what the label hides)."""
    if table.chart is None or not table.rows:
        return None
    column = next((c for c in table.columns if c.key == table.chart), None)
    values = [row.values.get(table.chart) for row in table.rows]
    fractional = any(isinstance(value, float) for value in values)
    return {
        "title": f"{table.title} — {column.label}" if column else table.title,
        "series": column.label if column else table.title,
        # Counts as whole numbers; hours and amounts with the column's decimals, as the table beside shows them.
        "decimals": column.decimals if column and fractional else 0,
        "rows": [(row.label, value) for row, value in zip(table.rows, values, strict=True)],
    }


# --- the dashboard ------------------------------------------------------------------------------------

# The answer-time chart draws the slowest partners only: a county's seventy bars are a scroll, not a picture, and
# the responsiveness table right above it lists every partner.
ANSWER_CHART_ROWS = 15


def _period_context(network: Network, period: reports.Period | None) -> dict[str, Any]:
    """The dashboard's figures of a month, quarter or year, each linking to the list behind it."""
    period = period or reports.Period.month(timezone.localdate().year, timezone.localdate().month)
    report, closure = network_report(network, period)
    links = figure_links(network, period)
    summary = report.table("summary")
    period_tiles = [
        (row.label, report_exports.display(row.values.get("value")), links.get(row.key)) for row in summary.rows
    ]
    period_tiles += [
        (row.label, report_exports.display(row.values.get("value")), links.get(f"referrals_{row.key}"))
        for row in report.table("referrals").rows
        if row.key in ("accepted", "declined")
    ]
    return {
        "period": period,
        "period_tiles": period_tiles,
        "period_closure": closure,
        "report_link": f"{reverse('report-monitoring', args=[network.pk])}?{urlencode(period.query())}",
        **period_choices(period, network.start_date.year),
    }


def _dashboard_context(network: Network) -> dict[str, Any]:
    board = reports.dashboard(network)
    answer_times = board.answer_times
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
        "quarter_labels": [q.label for q in board.quarters],
        # The charts' rows: cases moved between stages in the last four quarters; days from sent to answered.
        "flow_chart": [(f"{move.from_label} → {move.to_label}", move.total) for move in board.transitions],
        "answer_chart": [(p.name, [p.median_days, p.p90_days]) for p in answer_times[:ANSWER_CHART_ROWS]],
        "answer_chart_rest": max(len(answer_times) - ANSWER_CHART_ROWS, 0),
        "unanswered_days": reports.UNANSWERED_LONG_DAYS,
    }


@login_required
@require_GET
def dashboard(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = coordinated_network(request, network_id)
    period, errors = _dashboard_period(request)
    for error in errors:
        messages.error(request, error)
    context = _dashboard_context(network) | _period_context(network, period)
    template = "reports/_tiles.html" if request.htmx else "reports/dashboard.html"
    return render(request, template, context)


@login_required
@require_GET
def dashboard_tiles(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    """The tiles alone: the page swaps them in when a live hint says something changed."""
    network = coordinated_network(request, network_id)
    return render(request, "reports/_tiles.html", _dashboard_context(network))


def _dashboard_period(request: AuthedRequest) -> tuple[reports.Period | None, list[str]]:
    """The dashboard's period: the month, quarter or year chosen, the current month when none is."""
    if not any(request.GET.get(name) for name in ("month", "quarter", "year", "from", "to")):
        return None, []
    try:
        return reports.parse_period(request.GET), []
    except ValidationError as exc:
        return None, list(exc.messages)


# --- the monitoring report ----------------------------------------------------------------------------


def _period(request: AuthedRequest) -> tuple[reports.Period, list[str]]:
    try:
        return reports.parse_period(request.GET), []
    except ValidationError as exc:
        return reports.Period.year(timezone.localdate().year), list(exc.messages)


def _download(report: reports.MonitoringReport, file_format: str) -> HttpResponse:
    exported = report_exports.export(report, file_format)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = report_exports.content_disposition(exported.filename)
    return response


def _table_block(table: reports.Table, links: dict[str, str] | None = None) -> dict[str, Any]:
    """A table as the page shows it: labels and figures already written out ("<5" and "*" as they are)."""
    display = report_exports.display

    def cells(row: reports.Row) -> list[str]:
        return [display(row.values.get(column.key), column.decimals) for column in table.columns]

    return {
        "key": table.key,
        "title": table.title,
        "columns": [column.label for column in table.columns],
        "rows": [(row.label, cells(row), (links or {}).get(row.key)) for row in table.rows],
        "total": (table.total.label, cells(table.total)) if table.total is not None else None,
        "chart": table_chart(table),
    }


def _report_page(
    request: AuthedRequest, report: reports.MonitoringReport, *, errors: list[str], first_year: int, **extra: Any
) -> HttpResponse:
    query = request.GET.copy()
    query.pop("format", None)
    context = {
        "report": report,
        "tables": [_table_block(table, extra.get("figure_links")) for table in report.tables],
        "rules": reports.rules_text(report.suppressed),
        "errors": errors,
        "query": query.urlencode(),
        "formats": report_exports.FORMATS,
        **period_choices(report.period, first_year),
        **extra,
    }
    return render(request, "reports/report.html", context, status=400 if errors else 200)


def period_choices(period: reports.Period, first_year: int) -> dict[str, Any]:
    """What the month, quarter and year selectors offer, newest first, and which is chosen now."""
    today = timezone.localdate()
    years = list(range(today.year, min(first_year, today.year) - 1, -1))
    months = [
        (f"{year:04d}-{month:02d}", reports.Period.month(year, month).label())
        for year in years
        for month in range(12, 0, -1)
        if datetime.date(year, month, 1) <= today
    ]
    quarters = [
        (f"{year}-Q{quarter}", reports.Period.quarter(year, quarter).label())
        for year in years
        for quarter in range(4, 0, -1)
        if datetime.date(year, 3 * quarter - 2, 1) <= today
    ]
    return {
        "years": years,
        "months": months,
        "quarters": quarters,
        "chosen": period.query(),
        "period_kind": period.kind,
        "period_fields": list(period.query().items()),
        "period_query": urlencode(period.query()),
    }


@login_required
@require_GET
def monitoring(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = coordinated_network(request, network_id)
    period, errors = _period(request)
    report, closure = network_report(network, period)
    file_format = request.GET.get("format", "")
    if file_format in report_exports.FORMATS and not errors:
        log.info(
            "report export: user=%s network=%s period=%s format=%s", request.user.pk, network.pk, period, file_format
        )
        return _download(report, file_format)
    return _report_page(
        request,
        report,
        errors=errors,
        first_year=network.start_date.year,
        network=network,
        closure=closure,
        events=list(closure.events.all()) if closure is not None else [],
        can_close=period.start <= timezone.localdate() and not errors,
        figure_links=figure_links(network, period),
    )


def figure_links(network: Network, period: reports.Period) -> dict[str, str]:
    """The list behind each figure of the report's summary and the dashboard's period tiles."""
    query = urlencode(period.query())

    def to(figure: str) -> str:
        return f"{reverse('report-figure-list', args=[network.pk, figure])}?{query}"

    people = to("people")
    return {
        "people": people,
        "new": to("new"),
        "continuing": to("continuing"),
        "sessions": people,
        "hours": people,
        "referrals_sent": to("referrals_sent"),
        "referrals_accepted": to("referrals_accepted"),
        "referrals_declined": to("referrals_declined"),
        "hired": reverse("placement-list"),
    }


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
