"""The monitoring report as a file: CSV (UTF-8 with BOM, ";" — what Excel opens in Poland), XLSX and PDF.

Every export is drawn from the same ``MonitoringReport`` as the page: a monitor's report arrives here already
suppressed, so no export can show what the page hides. Headings go through gettext and come out in the
language active for the request. The PDF embeds DejaVu Sans (``network/fonts/``) so that Polish letters survive.
"""

from __future__ import annotations

import csv
import io
import logging
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.exports import csv_cell, csv_row, xlsx_append
from reporting.yearly import MonitoringReport, Row, Table, Value

FONTS = Path(__file__).resolve().parent / "fonts"
# fpdf2 subsets the font with fontTools, which logs every table it prunes at INFO: noise in the server's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)
FORMATS = ("csv", "xlsx", "pdf")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def display(value: Value, decimals: int = 1) -> str:
    """A figure as people read it: "—" for nothing, one decimal for hours and days (two for amounts in PLN),
    "<5" and "*" as they are."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=decimals == 2)
    return str(value)


def _heading(report: MonitoringReport) -> list[tuple[str, str]]:
    heading = [
        (_("Scope"), report.scope),
        (_("Period"), report.period.label()),
        (_("Generated"), formats.date_format(timezone.localtime(report.generated_at), "DATETIME_FORMAT")),
    ]
    if report.closed:
        heading.append(
            (_("Closed and sent"), f"{report.closed['closed_at_display']}, {report.closed['closed_by']}".strip(", "))
        )
    return heading


def _row_cells(table: Table, row: Row) -> list[Value]:
    return [row.values.get(column.key) for column in table.columns]


def _shown(table: Table, row: Row) -> list[str]:
    return [display(row.values.get(column.key), column.decimals) for column in table.columns]


def filename(report: MonitoringReport, extension: str) -> str:
    """A Polish file name with its Polish letters: "raport-monitoringowy-lokalny-system-…-śląskie-2025.pdf"."""
    scope = slugify(report.scope, allow_unicode=True)[:60] or "report"
    title = slugify(_("monitoring report"), allow_unicode=True)
    return f"{title}-{scope}-{slugify(report.period.label(), allow_unicode=True)}.{extension}"


def content_disposition(name: str) -> str:
    """RFC 6266: an ASCII ``filename`` for old clients and ``filename*=UTF-8''…`` that keeps the Polish letters."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("ł", "l").replace("Ł", "L"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode("ascii").replace('"', "").replace("\\", "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


# --- CSV ------------------------------------------------------------------------------------------------


def _csv_figures(table: Table, row: Row) -> list[str]:
    return [
        csv_cell(row.values.get(column.key), display(row.values.get(column.key), column.decimals))
        for column in table.columns
    ]


def to_csv(report: MonitoringReport) -> bytes:
    # Every cell through core.exports: a group, partner or network named "=HYPERLINK(…)" stays text.
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(csv_row([report.title]))
    for label, value in _heading(report):
        writer.writerow(csv_row([label, value]))
    for table in report.tables:
        writer.writerow([])
        writer.writerow(csv_row([table.title]))
        writer.writerow(csv_row(["", *(column.label for column in table.columns)]))
        for row in table.rows:
            writer.writerow([csv_cell(row.label), *_csv_figures(table, row)])
        if table.total is not None:
            writer.writerow([csv_cell(table.total.label), *_csv_figures(table, table.total)])
    writer.writerow([])
    for rule in report.as_dict()["rules"]:
        writer.writerow(csv_row([rule]))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- XLSX -----------------------------------------------------------------------------------------------


def to_xlsx(report: MonitoringReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Report")[:31]
    bold = Font(bold=True)
    title_font = Font(bold=True, size=14)
    # Every row through core.exports.xlsx_append: text is written as text, never as a formula.
    xlsx_append(sheet, [report.title])
    sheet.cell(row=sheet.max_row, column=1).font = title_font
    for label, value in _heading(report):
        xlsx_append(sheet, [label, value])
    for table in report.tables:
        sheet.append([])
        xlsx_append(sheet, [table.title])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        xlsx_append(sheet, ["", *(column.label for column in table.columns)])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in table.rows:
            xlsx_append(sheet, [row.label, *(_xlsx_value(v) for v in _row_cells(table, row))])
        if table.total is not None:
            xlsx_append(sheet, [table.total.label, *(_xlsx_value(v) for v in _row_cells(table, table.total))])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
    sheet.append([])
    for rule in report.as_dict()["rules"]:
        xlsx_append(sheet, [rule])
    sheet.column_dimensions["A"].width = 48
    for letter in "BCD":
        sheet.column_dimensions[letter].width = 14
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Value) -> int | float | str | None:
    # Numbers stay numbers (Excel sums them); "<5", "*" and "—" are text.
    return value if isinstance(value, int | float) else display(value)  # amounts stay numbers too


# --- PDF ------------------------------------------------------------------------------------------------


def _pdf_row(
    pdf: Any,
    widths: list[float],
    texts: list[str],
    aligns: list[str],
    *,
    fill: bool = False,
    on_new_page: Callable[[], None] | None = None,
) -> float:
    """One table row drawn cell by cell: a cell whose text fits is one ``cell()``; only a longer text is laid out
    over several lines. fpdf2's ``table()`` lays out every cell as a paragraph, which made the yearly report's PDF
    take seconds (issue 19); this draws the same table in a fifth of the time. A row is never split over two pages:
    it starts the next one, where ``on_new_page`` repeats the table's header. Returns the row's height."""
    line_height = 5.0
    room = [w - 2 * pdf.c_margin for w in widths]
    lines = [
        [text]
        if pdf.get_string_width(text) <= space
        else pdf.multi_cell(w, line_height, text, dry_run=True, output="LINES")
        for w, space, text in zip(widths, room, texts, strict=True)
    ]
    height = line_height * max(len(cell_lines) for cell_lines in lines)
    if pdf.will_page_break(height):
        pdf.add_page()
        if on_new_page is not None:
            on_new_page()
    x, y = pdf.get_x(), pdf.get_y()
    for w, text, align, cell_lines in zip(widths, texts, aligns, lines, strict=True):
        pdf.rect(x, y, w, height, style="DF" if fill else "D")
        pdf.set_xy(x, y)
        if len(cell_lines) == 1:
            pdf.cell(w, height, text, align=align)
        else:
            pdf.multi_cell(w, line_height, text, align=align, new_x="RIGHT", new_y="TOP")
        x += w
    pdf.set_xy(pdf.l_margin, y + height)
    return height


def to_pdf(report: MonitoringReport) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(f"{report.title} — {report.scope} — {report.period.label()}")
    pdf.set_creator("LSW")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, report.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for label, value in _heading(report):
        pdf.multi_cell(0, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0, 0, 0)
    for table in report.tables:
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 6, table.title, new_x="LMARGIN", new_y="NEXT")
        widths: list[float] = [70, *([25] * len(table.columns))]
        if sum(widths) > pdf.epw:  # many columns: the table keeps to the page
            widths = [w * pdf.epw / sum(widths) for w in widths]
        aligns = ["L", *(["R"] * len(table.columns))]
        header = ["", *(str(column.label) for column in table.columns)]

        def draw_header(widths: list[float] = widths, aligns: list[str] = aligns, header: list[str] = header) -> None:
            pdf.set_font("DejaVu", "B", 9)
            pdf.set_fill_color(230, 236, 245)
            _pdf_row(pdf, widths, header, aligns, fill=True)
            pdf.set_font("DejaVu", "", 9)

        draw_header()
        body = [(str(row.label), _shown(table, row), False) for row in table.rows]
        if table.total is not None:
            body.append((str(table.total.label), _shown(table, table.total), True))
        for label, shown, bold in body:
            style = "B" if bold else ""

            def header_again(style: str = style) -> None:
                draw_header()
                pdf.set_font("DejaVu", style, 9)

            pdf.set_font("DejaVu", style, 9)
            _pdf_row(pdf, widths, [label, *shown], aligns, on_new_page=header_again)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 8)
    for rule in report.as_dict()["rules"]:
        pdf.multi_cell(0, 4, rule, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def export(report: MonitoringReport, file_format: str) -> ExportFile:
    """The report as ``csv``, ``xlsx`` or ``pdf`` (anything else is a ValueError)."""
    if file_format == "csv":
        return ExportFile(to_csv(report), "text/csv; charset=utf-8", filename(report, "csv"))
    if file_format == "xlsx":
        return ExportFile(
            to_xlsx(report),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename(report, "xlsx"),
        )
    if file_format == "pdf":
        return ExportFile(to_pdf(report), "application/pdf", filename(report, "pdf"))
    raise ValueError(f"unknown export format {file_format!r}")
