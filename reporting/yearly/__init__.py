"""Reads for the coordinator's dashboard, a person's path and the monitoring report (issue 8), with the regional
report a monitor reads. Everything here is a selector: no writes, and the number of queries does not grow with
the network.

- ``period``: the period a report covers and how a request names it;
- ``figures``: the report's figures from the database, and the rules they are counted by;
- ``table``: what a report is (tables, rows, columns) and the rules it states;
- ``report``: the monitoring report laid out from the figures;
- ``regional``: every network summed, with small cells suppressed;
- ``dashboard``: a network at a glance;
- ``path``: a person's timeline across partners and their current plan;
- ``shared``: what more than one of these needs.

The names below are the ones the pages, the API, the exports and the tests import from ``reporting.yearly``.
"""

from reporting.yearly.dashboard import UNANSWERED_LONG_DAYS, dashboard
from reporting.yearly.figures import supported_people
from reporting.yearly.path import current_plan, person_path
from reporting.yearly.period import KINDS, Period, first_regional_year, parse_period
from reporting.yearly.regional import regional_report, suppress_small_cells
from reporting.yearly.report import monitoring_report
from reporting.yearly.table import HIDDEN, SMALL, Column, MonitoringReport, Row, Table, Value, rules_text

__all__ = [
    "HIDDEN",
    "KINDS",
    "SMALL",
    "UNANSWERED_LONG_DAYS",
    "Column",
    "MonitoringReport",
    "Period",
    "Row",
    "Table",
    "Value",
    "current_plan",
    "dashboard",
    "first_regional_year",
    "monitoring_report",
    "parse_period",
    "person_path",
    "regional_report",
    "rules_text",
    "supported_people",
    "suppress_small_cells",
]
