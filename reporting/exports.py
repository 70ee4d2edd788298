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
from dataclasses import dataclass
from pathlib import Path
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


def to_pdf(report: MonitoringReport) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

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
    heading = FontFace(emphasis="BOLD", fill_color=(230, 236, 245))
    for table in report.tables:
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 6, table.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        widths = (70, *([25] * len(table.columns)))
        with pdf.table(
            col_widths=widths,
            width=sum(widths),
            align="LEFT",
            headings_style=heading,
            text_align=("LEFT", *(["RIGHT"] * len(table.columns))),
            line_height=5,
        ) as pdf_table:
            header = pdf_table.row()
            header.cell("")
            for column in table.columns:
                header.cell(column.label)
            for row in table.rows:
                cells = pdf_table.row()
                cells.cell(row.label)
                for text in _shown(table, row):
                    cells.cell(text)
            if table.total is not None:
                cells = pdf_table.row(style=FontFace(emphasis="BOLD"))
                cells.cell(table.total.label)
                for text in _shown(table, table.total):
                    cells.cell(text)
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
