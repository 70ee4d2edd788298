"""From the uploaded bytes to tables of cells and a header: the size and row limits, CSV or XLSX recognised by
content, and the header row mapped to column codes. A file that cannot be read this far is refused as a whole."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from network.importing.columns import COLUMNS, SHEET_NAMES, ImportKind, _header_lookup, normalise_label
from network.importing.result import _refuse, _Refused

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000  # data rows per table; a county's network has tens of partners and hundreds of services
MAX_COLUMNS = 100  # cells further right in an XLSX sheet are not read
_MAX_SCANNED_ROWS = 20_000  # XLSX rows looked at, blank ones included, before the sheet is refused

XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: the old binary Excel format


@dataclass
class _Table:
    kind: ImportKind
    sheet: str | None  # None for CSV
    rows: list[tuple[int, list[Any]]]  # (row number as the spreadsheet shows it, cell values)


def _read_bytes(upload: bytes | IO[bytes] | Any) -> bytes:
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse("too_large", _("The file is larger than %(limit)s MB."), limit=MAX_BYTES // (1024 * 1024))
    if not data.strip():
        raise _refuse("empty", _("The file is empty."))
    return data


def _read_tables(data: bytes, kind: ImportKind) -> list[_Table]:
    if data.startswith(XLSX_SIGNATURE):
        return _read_xlsx(data, kind)
    if data.startswith(XLS_SIGNATURE):
        raise _refuse(
            "xls",
            _(
                "This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as CSV UTF-8 "
                "and send it again."
            ),
        )
    return [_Table(kind=kind, sheet=None, rows=_read_csv(data))]


def _not_a_table() -> _Refused:
    return _refuse(
        "not_a_spreadsheet",
        _(
            "The file is neither an Excel workbook (.xlsx) nor a CSV text file in UTF-8. In Excel choose "
            "“Save as” and the type “Excel workbook (.xlsx)” or “CSV UTF-8”."
        ),
    )


def _read_csv(data: bytes) -> list[tuple[int, list[Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_a_table() from None
    if "\x00" in text:
        raise _not_a_table()
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=header_line.count)
    rows: list[tuple[int, list[Any]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) > MAX_ROWS:  # the header row and MAX_ROWS rows are fine
                raise _too_many_rows(None)
            rows.append((number, record))
    except csv.Error:
        raise _refuse(
            "bad_csv", _("The CSV file cannot be read after row %(row)s; check its quotation marks."), row=number
        ) from None
    return rows


def _too_many_rows(sheet: str | None) -> _Refused:
    return _refuse(
        "too_many_rows",
        _("The table has more than %(limit)s rows; split it into smaller files."),
        sheet=sheet,
        limit=MAX_ROWS,
    )


def _read_xlsx(data: bytes, kind: ImportKind) -> list[_Table]:
    not_xlsx = _refuse(
        "not_xlsx",
        _("The file is a ZIP archive but not an Excel workbook (.xlsx), or the workbook is damaged."),
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise not_xlsx
    except zipfile.BadZipFile:
        raise not_xlsx from None

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises KeyError, ValueError, TypeError... for damaged or foreign workbooks
        raise not_xlsx from None
    try:
        worksheets = list(workbook.worksheets)
        if not worksheets:
            raise not_xlsx
        named: dict[ImportKind, Any] = {}
        for worksheet in worksheets:
            sheet_kind = SHEET_NAMES.get(normalise_label(worksheet.title))
            if sheet_kind is None:
                continue
            if sheet_kind in named:
                raise _refuse(
                    "duplicate_sheet",
                    _("The workbook has two sheets of the same kind: “%(first)s” and “%(second)s”."),
                    first=named[sheet_kind].title,
                    second=worksheet.title,
                )
            named[sheet_kind] = worksheet
        chosen = [(k, named[k]) for k in ImportKind if k in named] or [(kind, worksheets[0])]
        return [_Table(kind=k, sheet=ws.title, rows=_sheet_rows(ws)) for k, ws in chosen]
    except _Refused:
        raise
    except Exception:  # a sheet's XML can be damaged even when the workbook opened
        raise not_xlsx from None
    finally:
        workbook.close()


def _sheet_rows(worksheet: Any) -> list[tuple[int, list[Any]]]:
    # Dimensions written by other programs can be wrong; read what is really there.
    if hasattr(worksheet, "reset_dimensions"):
        worksheet.reset_dimensions()
    rows: list[tuple[int, list[Any]]] = []
    for number, values in enumerate(
        worksheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True),
        start=1,
    ):
        if number > _MAX_SCANNED_ROWS or len(rows) > MAX_ROWS:
            raise _too_many_rows(worksheet.title)
        cells = list(values)
        while cells and _cell_text(cells[-1]) == "":
            cells.pop()
        if cells:
            rows.append((number, cells))
    return rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- header ---------------------------------------------------------------------------------------


@dataclass
class _Header:
    positions: dict[str, int]  # column code → index in the row
    labels: dict[str, str]  # column code → the header as written


def _read_header(table: _Table) -> tuple[_Header, list[tuple[int, list[Any]]]]:
    rows = [(number, cells) for number, cells in table.rows if any(_cell_text(c) for c in cells)]
    if not rows:
        raise _refuse("empty", _("The table has no header row."), sheet=table.sheet)
    (_header_number, header_cells), data_rows = rows[0], rows[1:]
    lookup = _header_lookup(table.kind)
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    unknown: list[str] = []
    width = max(len(cells) for _number, cells in rows)
    for index in range(width):
        written = _cell_text(header_cells[index]) if index < len(header_cells) else ""
        if not written:
            if any(index < len(cells) and _cell_text(cells[index]) for _n, cells in data_rows):
                unknown.append(gettext("(no header, column %(number)s)") % {"number": index + 1})
            continue
        column = lookup.get(normalise_label(written))
        if column is None:
            unknown.append(written)
            continue
        if column.code in positions:
            raise _refuse(
                "duplicate_column",
                _("Columns “%(first)s” and “%(second)s” mean the same thing; keep one of them."),
                sheet=table.sheet,
                first=labels[column.code],
                second=written,
            )
        positions[column.code] = index
        labels[column.code] = written
    if unknown:
        allowed = ", ".join(column.code for column in COLUMNS[table.kind])
        raise _refuse(
            "unknown_columns",
            _("Unknown columns: %(columns)s. Allowed columns: %(allowed)s."),
            sheet=table.sheet,
            columns=", ".join(f"“{name}”" for name in unknown),
            allowed=allowed,
        )
    missing = [column.code for column in COLUMNS[table.kind] if column.required and column.code not in positions]
    if table.kind == ImportKind.SERVICES and "partner_regon" not in positions and "partner_name" not in positions:
        missing.insert(0, "partner_regon / partner_name")
    if missing:
        raise _refuse(
            "missing_columns",
            _("Missing required columns: %(columns)s."),
            sheet=table.sheet,
            columns=", ".join(missing),
        )
    return _Header(positions=positions, labels=labels), data_rows
