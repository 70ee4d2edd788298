"""Bulk import of partner institutions and their services from CSV or XLSX, for a network's coordinators.

File format
===========

A table has one header row, then one row per partner or per service. The header names a column either
by its code (``postal_code``) or by its Polish label (``kod pocztowy``); case, Polish diacritics, spaces,
underscores and hyphens do not matter. A column not listed below refuses the whole file, naming it.
Columns may come in any order; only the required ones must be there.

Partners (``partners``)::

    name*  short_name  type*  sector*  description  regon  nip  krs  street  postal_code  city
    phone  email  website  functions

Services (``services``)::

    partner_regon | partner_name [+ partner_postal_code]   name*  category*  description  eligibility
    schedule  place  postal_code  city  capacity  waitlist  funding_source

(* = required.) ``type``, ``sector``, ``category``, ``funding_source`` and every item of ``functions``
(separated by commas) take the code (``ops``) or the label, in Polish (``ośrodek pomocy społecznej``,
``MOPS``) or English. ``capacity`` is a whole number of places, 0 or more; empty means "not limited".
``waitlist`` is tak/nie (yes/no). NIP may have hyphens or a ``PL`` prefix. A service row names its partner
by REGON, or by name and postal code; the partner must belong to the network or be in the same file.

Files
-----
* CSV: UTF-8 (with or without BOM), delimiter ``;`` or ``,`` (or tab) taken from the header row. One kind
  per file; the caller says which (the page's choice, the command's ``--services``).
* XLSX: sheets named ``partnerzy``/``partners`` and ``usługi``/``oferty``/``services`` are read together
  (partners first, so services can name partners added by the same file). A workbook with neither reads
  its first sheet as the kind the caller chose. Old ``.xls`` files are refused with advice.

The kind of file is recognised by its content, not its name: XLSX is a ZIP with ``xl/workbook.xml`` in it;
anything else must decode as UTF-8 text without NUL bytes.

Rules
-----
* Every row is checked before anything is written; one error anywhere and nothing is imported. Errors name
  the row (as the spreadsheet numbers it, the header being row 1) and the column as written in the file.
* Re-importing updates instead of duplicating: a partner is the one with the same REGON, else (when that
  finds none) with the same name and postal code, ignoring case; a service is the partner's service with the
  same name. The same partner or service twice in one file is an error.
* When updating, a column that is present sets the field, an empty cell clears it — except REGON, NIP,
  KRS and ``waitlist``, which an empty cell leaves as they are. A column that is absent leaves the field alone.
* A partner that is not (or no longer) a member of the network joins it with the given functions; for a
  member, a ``functions`` column replaces its functions.
* All writes go through ``partners.services`` and ``network.services``, in one transaction.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, PermissionDenied
from core.scope import scope_for
from network.models import Network, NetworkMembership
from partners.choices import FundingSource, PartnerFunction, PartnerType, PathStage, Sector
from partners.models import Partner, Service, User
from partners.validators import normalise_nip

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000  # data rows per table; a county's network has tens of partners and hundreds of services
MAX_COLUMNS = 100  # cells further right in an XLSX sheet are not read
_MAX_SCANNED_ROWS = 20_000  # XLSX rows looked at, blank ones included, before the sheet is refused

XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: the old binary Excel format


class ImportKind(StrEnum):
    PARTNERS = "partners"
    SERVICES = "services"


# --- columns --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of an import table: its code, label, the Polish headers accepted for it, and its parser."""

    code: str
    label: Promise
    aliases: tuple[str, ...] = ()
    parser: str = "text"  # text | choice | functions | regon | nip | krs | postal_code | capacity | boolean | url
    choices: type[models.TextChoices] | None = None
    required: bool = False
    help: Promise | str = ""


PARTNER_COLUMNS: tuple[Column, ...] = (
    Column("name", _("name"), ("nazwa", "nazwa instytucji", "nazwa partnera", "instytucja"), required=True),
    Column("short_name", _("short name"), ("nazwa skrócona", "nazwa krótka", "skrót")),
    Column(
        "type",
        _("type"),
        ("typ", "typ instytucji", "rodzaj", "rodzaj instytucji"),
        "choice",
        PartnerType,
        required=True,
        help=_("a code or a label from the list of partner types"),
    ),
    Column(
        "sector",
        _("sector"),
        ("sektor",),
        "choice",
        Sector,
        required=True,
        help=_("a code or a label from the list of sectors"),
    ),
    Column("description", _("description"), ("opis",)),
    Column("regon", _("REGON"), (), "regon", help=_("9 or 14 digits")),
    Column("nip", _("NIP"), ("numer nip",), "nip", help=_("10 digits, hyphens allowed")),
    Column("krs", _("KRS"), ("numer krs",), "krs", help=_("10 digits")),
    Column("street", _("street and number"), ("ulica", "ulica i numer", "adres")),
    Column("postal_code", _("postal code"), ("kod pocztowy", "kod"), "postal_code", help=_("in the format 00-000")),
    Column("city", _("city"), ("miejscowość", "miasto")),
    Column("phone", _("phone"), ("telefon", "tel", "numer telefonu")),
    Column("email", _("e-mail"), ("e-mail", "adres e-mail", "poczta elektroniczna")),
    Column("website", _("website"), ("strona www", "strona internetowa", "www", "strona"), "url"),
    Column(
        "functions",
        _("functions"),
        ("funkcje", "funkcje w systemie"),
        "functions",
        PartnerFunction,
        help=_("codes or labels from the list of functions, separated by commas"),
    ),
)

SERVICE_COLUMNS: tuple[Column, ...] = (
    Column(
        "partner_regon",
        _("partner's REGON"),
        ("regon partnera", "regon instytucji"),
        "regon",
        help=_("the partner is found by its REGON, or else by its name and postal code"),
    ),
    Column("partner_name", _("partner's name"), ("nazwa partnera", "partner", "instytucja", "nazwa instytucji")),
    Column(
        "partner_postal_code",
        _("partner's postal code"),
        ("kod pocztowy partnera", "kod pocztowy instytucji"),
        "postal_code",
    ),
    Column("name", _("name"), ("nazwa", "nazwa usługi", "nazwa oferty", "usługa", "oferta"), required=True),
    Column(
        "category",
        _("category (path stage)"),
        ("kategoria", "etap", "etap ścieżki", "kategoria etap ścieżki"),
        "choice",
        PathStage,
        required=True,
        help=_("a code or a label from the list of path stages"),
    ),
    Column("description", _("description"), ("opis",)),
    Column("eligibility", _("who can use it"), ("dla kogo", "kryteria", "kryteria dostępu", "kto może skorzystać")),
    Column("schedule", _("schedule"), ("harmonogram", "terminy", "godziny", "godziny otwarcia")),
    Column("place", _("place"), ("miejsce", "adres", "ulica", "ulica i numer")),
    Column("postal_code", _("postal code"), ("kod pocztowy", "kod"), "postal_code", help=_("in the format 00-000")),
    Column("city", _("city"), ("miejscowość", "miasto")),
    Column(
        "capacity",
        _("places"),
        ("liczba miejsc", "miejsca"),
        "capacity",
        help=_("a whole number, 0 or more; empty when not limited"),
    ),
    Column(
        "waitlist",
        _("waitlist"),
        ("lista oczekujących", "lista rezerwowa"),
        "boolean",
        help=_("yes or no (tak / nie); empty means yes for a new service"),
    ),
    Column(
        "funding_source",
        _("funding source"),
        ("źródło finansowania", "finansowanie"),
        "choice",
        FundingSource,
        help=_("a code or a label from the list of funding sources"),
    ),
)

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    ImportKind.PARTNERS: PARTNER_COLUMNS,
    ImportKind.SERVICES: SERVICE_COLUMNS,
}

SHEET_NAMES: dict[str, ImportKind] = {
    "partners": ImportKind.PARTNERS,
    "partnerzy": ImportKind.PARTNERS,
    "instytucje": ImportKind.PARTNERS,
    "services": ImportKind.SERVICES,
    "uslugi": ImportKind.SERVICES,
    "oferty": ImportKind.SERVICES,
}

# Polish names users write in spreadsheets (shared/GLOSSARY.md), accepted as well as the codes and the labels
# of the choices in either language. Input only: what users read comes from the translation catalogue.
CHOICE_ALIASES: dict[type[models.TextChoices], dict[str, tuple[str, ...]]] = {
    PartnerType: {
        "psychiatric_hospital": ("szpital psychiatryczny", "oddział psychiatryczny"),
        "czp": ("centrum zdrowia psychicznego",),
        "mental_health_clinic": ("poradnia zdrowia psychicznego", "pzp"),
        "sds": ("środowiskowy dom samopomocy", "śds"),
        "ops": ("ośrodek pomocy społecznej", "mops", "mopr", "gops", "mgops"),
        "cus": ("centrum usług społecznych",),
        "pcpr": ("powiatowe centrum pomocy rodzinie",),
        "pup": ("powiatowy urząd pracy",),
        "pfron": ("oddział pfron",),
        "wtz": ("warsztat terapii zajęciowej",),
        "zaz": ("zakład aktywności zawodowej",),
        "cis_kis": ("cis", "kis", "centrum integracji społecznej", "klub integracji społecznej"),
        "social_cooperative": ("spółdzielnia socjalna", "przedsiębiorstwo społeczne"),
        "owes": ("ośrodek wsparcia ekonomii społecznej",),
        "ngo": ("stowarzyszenie", "fundacja", "stowarzyszenie / fundacja", "organizacja pozarządowa"),
        "crisis_intervention": (
            "ośrodek interwencji kryzysowej",
            "punkt interwencji kryzysowej",
            "interwencja kryzysowa",
            "oik",
            "pik",
        ),
        "training_provider": ("instytucja szkoleniowa",),
        "housing": ("mieszkanie treningowe", "mieszkanie wspomagane", "mieszkanie treningowe / wspomagane"),
        "employer": ("pracodawca",),
        "other": ("inny podmiot", "inny", "inne"),
    },
    Sector: {
        "government": ("administracja rządowa",),
        "local_government": ("samorząd", "samorząd terytorialny", "administracja samorządowa"),
        "social": ("organizacja społeczna",),
        "employer": ("pracodawca",),
    },
    PartnerFunction: {
        "diagnosis": ("diagnoza", "diagnoza możliwości i umiejętności"),
        "community_support": ("wsparcie środowiskowe",),
        "therapy": ("terapia", "terapia i leczenie"),
        "legal_advice": ("porady prawne",),
        "social_matters": ("sprawy socjalne", "sprawy socjalne i bytowe"),
        "vocational_training": ("szkolenia zawodowe",),
        "employment": ("zatrudnienie",),
        "housing": ("mieszkalnictwo",),
        "care_services": ("usługi opiekuńcze",),
        "crisis_intervention": ("interwencja kryzysowa",),
        "coordination": ("koordynacja",),
    },
    PathStage: {
        "intake": ("zgłoszenie", "zgłoszenie i diagnoza możliwości", "diagnoza"),
        "community_support": ("wsparcie środowiskowe",),
        "therapy": ("terapia", "terapia i leczenie"),
        "legal_social": ("sprawy prawne i socjalne",),
        "vocational": ("aktywizacja zawodowa",),
        "supported_employment": ("zatrudnienie wspomagane",),
        "independence": ("samodzielność",),
    },
    FundingSource: {
        "municipal_budget": ("budżet gminy",),
        "county_budget": ("budżet powiatu",),
        "voivodeship_budget": ("budżet województwa",),
        "voivode_grant": ("dotacja wojewody",),
        "labour_fund": ("fundusz pracy",),
        "solidarity_fund": ("fundusz solidarnościowy",),
        "esf_plus": ("efs+", "efs plus", "europejski fundusz społeczny plus"),
        "own_funds": ("środki własne",),
        "other": ("inne", "inne źródło"),
    },
}

_TRUE = {"tak", "t", "yes", "y", "true", "prawda", "1", "x"}
_FALSE = {"nie", "n", "no", "false", "falsz", "0"}


def normalise_label(text: str) -> str:
    """How headers, sheet names and choice values are compared: no case, diacritics or punctuation."""
    text = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    text = "".join(char for char in text if not unicodedata.combining(char)).casefold()
    return " ".join(re.sub(r"[^0-9a-z+]+", " ", text).split())


def _header_lookup(kind: ImportKind) -> dict[str, Column]:
    lookup: dict[str, Column] = {}
    for column in COLUMNS[kind]:
        for alias in (column.code, *column.aliases):
            lookup.setdefault(normalise_label(alias), column)
    # The labels shown on the page, in both languages, so a header copied from it is understood.
    for language in ("en", "pl"):
        with translation.override(language):
            for column in COLUMNS[kind]:
                lookup.setdefault(normalise_label(str(column.label)), column)
    return lookup


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    aliases = CHOICE_ALIASES.get(choices, {})
    for value in choices.values:
        for alias in (value, *aliases.get(value, ())):
            lookup.setdefault(normalise_label(alias), value)
    for language in ("en", "pl"):
        with translation.override(language):
            for value, label in choices.choices:
                lookup.setdefault(normalise_label(str(label)), value)
    return lookup


# --- the result -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportIssue:
    """One problem: of the whole file (no row), of a row, or of one cell.

    ``message`` stays lazy and ``params`` apart, so ``str()`` renders in the language active at that moment.
    ``column`` is the header as written in the file; ``field`` is the column's code.
    """

    code: str
    message: str | Promise
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    row: int | None = None
    column: str | None = None
    field: str | None = None
    sheet: str | None = None

    @property
    def text(self) -> str:
        message = str(self.message)
        return message % dict(self.params) if self.params else message

    def __str__(self) -> str:
        where: dict[str, Any] = {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.text}
        if self.sheet is not None:
            if self.row is not None and self.column is not None:
                return gettext("Sheet “%(sheet)s”, row %(row)s, column “%(column)s”: %(message)s") % where
            if self.row is not None:
                return gettext("Sheet “%(sheet)s”, row %(row)s: %(message)s") % where
            return gettext("Sheet “%(sheet)s”: %(message)s") % where
        if self.row is not None and self.column is not None:
            return gettext("Row %(row)s, column “%(column)s”: %(message)s") % where
        if self.row is not None:
            return gettext("Row %(row)s: %(message)s") % where
        return self.text


@dataclass
class ImportResult:
    """What an import did (or, with ``dry_run``, would do). With any error, every count is 0."""

    partners_created: int = 0
    partners_updated: int = 0
    partners_unchanged: int = 0
    memberships_added: int = 0
    services_created: int = 0
    services_updated: int = 0
    services_unchanged: int = 0
    errors: list[ImportIssue] = dataclasses.field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return self.partners_created + self.services_created

    @property
    def updated(self) -> int:
        return self.partners_updated + self.services_updated

    @property
    def unchanged(self) -> int:
        return self.partners_unchanged + self.services_unchanged

    def error_lines(self) -> list[str]:
        return [str(error) for error in self.errors]

    def summary(self) -> str:
        if self.errors:
            return gettext("Errors found: %(count)s. Nothing was imported; correct the file and send it again.") % {
                "count": len(self.errors)
            }
        counts = {
            "partners_created": self.partners_created,
            "partners_updated": self.partners_updated,
            "memberships_added": self.memberships_added,
            "services_created": self.services_created,
            "services_updated": self.services_updated,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            template = gettext(
                "The file is correct. Importing it would add %(partners_created)s and update %(partners_updated)s "
                "partners (%(memberships_added)s joining the network), add %(services_created)s and update "
                "%(services_updated)s services; %(unchanged)s rows are unchanged."
            )
        else:
            template = gettext(
                "Imported. Partners: %(partners_created)s added, %(partners_updated)s updated, "
                "%(memberships_added)s joined the network. Services: %(services_created)s added, "
                "%(services_updated)s updated. Rows unchanged: %(unchanged)s."
            )
        return template % counts


class _Refused(Exception):
    """The file as a whole cannot be imported."""

    def __init__(self, issue: ImportIssue) -> None:
        super().__init__(issue.code)
        self.issue = issue


def _refuse(code: str, message: str | Promise, sheet: str | None = None, **params: Any) -> _Refused:
    return _Refused(ImportIssue(code=code, message=message, params=params, sheet=sheet))


# --- reading the file -----------------------------------------------------------------------------


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


# --- rows -----------------------------------------------------------------------------------------


class _CellError(Exception):
    def __init__(self, code: str, message: str | Promise, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params


def _name_key(name: str, postal_code: str) -> tuple[str, str]:
    return " ".join(name.split()).lower(), postal_code.strip()


class _Row:
    """One data row: its cells by column code, and the errors found in it."""

    def __init__(
        self, table: _Table, header: _Header, number: int, cells: list[Any], issues: list[ImportIssue]
    ) -> None:
        self.table = table
        self.header = header
        self.number = number
        self.cells = cells
        self.issues = issues
        self.failed_fields: set[str] = set()

    def has(self, code: str) -> bool:
        return code in self.header.positions

    def raw(self, code: str) -> Any:
        index = self.header.positions.get(code)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def error(self, code: str, message: str | Promise, column: str | None = None, **params: Any) -> None:
        if column is not None:
            self.failed_fields.add(column)
        self.issues.append(
            ImportIssue(
                code=code,
                message=message,
                params=params,
                row=self.number,
                column=self.header.labels.get(column) if column else None,
                field=column,
                sheet=self.table.sheet,
            )
        )

    def validation_error(self, exc: ValidationError, field_map: Mapping[str, str] | None = None) -> None:
        """Report a model's ValidationError under the columns the fields came from."""
        field_map = field_map or {}
        errors = exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
        for name, items in errors.items():
            column: str | None = field_map.get(name, name)
            if column not in self.header.positions:
                column = field_map.get(NON_FIELD_ERRORS)
            if column not in self.header.positions:
                column = None
            for item in items:
                self.error(item.code or "invalid", item.message, column, **(item.params or {}))


def _parse(row: _Row, column: Column, choices: dict[type[models.TextChoices], dict[str, str]]) -> Any:
    """The cell's value as the model wants it; raises _CellError."""
    raw = row.raw(column.code)
    text = _cell_text(raw)
    if column.parser == "choice":
        assert column.choices is not None
        if not text:
            return ""
        value = choices[column.choices].get(normalise_label(text))
        if value is None:
            raise _CellError(
                "invalid_choice",
                _("Unknown value “%(value)s”. Allowed values: %(allowed)s."),
                value=text,
                allowed=", ".join(column.choices.values),
            )
        return value
    if column.parser == "functions":
        assert column.choices is not None
        lookup = choices[column.choices]
        values: list[str] = []
        for item in re.split(r"[,;\n]+", text):
            if not item.strip():
                continue
            value = lookup.get(normalise_label(item))
            if value is None:
                raise _CellError(
                    "invalid_choice",
                    _("Unknown value “%(value)s”. Allowed values: %(allowed)s."),
                    value=item.strip(),
                    allowed=", ".join(column.choices.values),
                )
            if value not in values:
                values.append(value)
        return sorted(values, key=PartnerFunction.values.index)
    if column.parser == "regon":
        digits = "".join(text.split())
        # Excel drops the leading zero of a REGON typed as a number.
        if _is_number(raw) and len(digits) in (8, 13):
            digits = "0" + digits
        return digits
    if column.parser == "nip":
        value = "".join(text.split()).upper()
        return normalise_nip(value.removeprefix("PL"))
    if column.parser == "krs":
        digits = "".join(text.split()).upper().removeprefix("KRS")
        return digits.zfill(10) if digits.isdigit() and len(digits) < 10 else digits
    if column.parser == "postal_code":
        value = "".join(text.split())
        if _is_number(raw) or re.fullmatch(r"\d{4,5}", value):
            value = value.zfill(5)
            value = f"{value[:2]}-{value[2:]}"
        return value
    if column.parser == "capacity":
        if not text:
            return None
        if not re.fullmatch(r"[+-]?\d+", text):
            raise _CellError("not_integer", _("Enter a whole number."))
        number = int(text)
        if number < 0:
            raise _CellError("negative", _("The number of places cannot be negative."))
        return number
    if column.parser == "boolean":
        if not text:
            return None
        key = normalise_label(text)
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        raise _CellError("invalid_boolean", _("Enter “yes” or “no” (“tak” or “nie”)."))
    if column.parser == "url":
        return f"https://{text}" if text and "://" not in text else text
    return text


def _parse_row(
    row: _Row, columns: Sequence[Column], choices: dict[type[models.TextChoices], dict[str, str]]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column in columns:
        if not row.has(column.code):
            continue
        try:
            value = _parse(row, column, choices)
        except _CellError as exc:
            row.error(exc.code, exc.message, column.code, **exc.params)
            continue
        if column.required and value in ("", None):
            row.error("required", _("This field is required."), column.code)
            continue
        values[column.code] = value
    return values


def _changed(instance: models.Model | None, data: Mapping[str, Any]) -> bool:
    if instance is None:
        return True
    return any(getattr(instance, name) != value for name, value in data.items())


def _clean_instance(row: _Row, instance: models.Model, exclude: Iterable[str], field_map: Mapping[str, str]) -> None:
    # Uniqueness is settled by matching, constraints by the checks here; the services validate both again.
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        row.validation_error(exc, field_map)


# --- planning -------------------------------------------------------------------------------------

_IDENTIFIERS = ("regon", "nip", "krs")
# Where a Service's errors show: the waitlist column, and the places for the load-within-capacity check.
_SERVICE_FIELD_MAP = {"waitlist_enabled": "waitlist", NON_FIELD_ERRORS: "capacity"}
_PARTNER_DATA_FIELDS = [c.code for c in PARTNER_COLUMNS if c.code != "functions"]
_SERVICE_DATA_FIELDS = [c.code for c in SERVICE_COLUMNS if not c.code.startswith("partner_")]


def _functions_may_be_empty() -> bool:
    # Follows the model: today a membership needs at least one function (NetworkMembership.functions).
    return bool(NetworkMembership._meta.get_field("functions").blank)


@dataclass
class _PartnerPlan:
    row: _Row
    data: dict[str, Any]
    functions: list[str] | None
    existing: Partner | None
    membership: NetworkMembership | None  # a membership that still counts; None means the partner joins
    changed: bool
    functions_changed: bool
    partner: Partner | None = None  # the saved partner, after writing


@dataclass
class _ServicePlan:
    row: _Row
    data: dict[str, Any]
    partner: Partner | None
    partner_plan: _PartnerPlan | None
    existing: Service | None
    changed: bool


class _Planner:
    def __init__(self, network: Network) -> None:
        self.network = network
        self.issues: list[ImportIssue] = []
        enums: tuple[type[models.TextChoices], ...] = (PartnerType, Sector, PartnerFunction, PathStage, FundingSource)
        self.choices: dict[type[models.TextChoices], dict[str, str]] = {e: _choice_lookup(e) for e in enums}
        today = timezone.localdate()
        self.memberships: dict[Any, NetworkMembership] = {
            m.partner_id: m
            for m in NetworkMembership.objects.filter(network=network).select_related("partner")
            if m.until is None or m.until >= today
        }
        self.partner_plans: list[_PartnerPlan] = []
        self.service_plans: list[_ServicePlan] = []

    # -- partners

    def plan_partners(self, table: _Table) -> None:
        header, data_rows = _read_header(table)
        rows = [_Row(table, header, number, cells, self.issues) for number, cells in data_rows]
        parsed = [(row, _parse_row(row, PARTNER_COLUMNS, self.choices)) for row in rows]
        by_regon, by_name = self._partner_candidates([values for _row, values in parsed])
        seen_partner: dict[Any, int] = {}
        seen_regon: dict[str, int] = {}
        seen_name: dict[tuple[str, str], tuple[int, bool]] = {}
        for row, values in parsed:
            regon = values.get("regon", "")
            name = values.get("name", "")
            key = _name_key(name, values.get("postal_code", ""))
            existing = self._match_partner(row, regon, key, by_regon, by_name) if name or regon else None
            earlier: int | None = None
            if existing is not None and existing.pk in seen_partner:
                earlier = seen_partner[existing.pk]
            elif regon and regon in seen_regon:
                earlier = seen_regon[regon]
            elif name and key in seen_name:
                earlier_row, earlier_had_regon = seen_name[key]
                # Two rows with one name and postal code but different REGONs are two institutions.
                if not (regon and earlier_had_regon):
                    earlier = earlier_row
            if earlier is not None:
                row.error("duplicate_row", _("The same partner is already in row %(row)s."), row=earlier)
            if regon:
                seen_regon.setdefault(regon, row.number)
            if name:
                seen_name.setdefault(key, (row.number, bool(regon)))
            if existing is not None:
                seen_partner.setdefault(existing.pk, row.number)
            self._plan_partner(row, values, existing)

    def _partner_candidates(
        self, rows: list[dict[str, Any]]
    ) -> tuple[dict[str, Partner], dict[tuple[str, str], list[Partner]]]:
        regons = {values["regon"] for values in rows if values.get("regon")}
        by_regon = {p.regon: p for p in Partner.objects.filter(regon__in=regons)} if regons else {}
        # Names are compared here rather than with SQL lower(), which leaves "Ś" alone under the C locale.
        wanted = {_name_key(values["name"], values.get("postal_code", "")) for values in rows if values.get("name")}
        by_name: dict[tuple[str, str], list[Partner]] = {}
        if wanted:
            for partner in Partner.objects.filter(postal_code__in={postal for _name, postal in wanted}):
                key = _name_key(partner.name, partner.postal_code)
                if key in wanted:
                    by_name.setdefault(key, []).append(partner)
        return by_regon, by_name

    def _match_partner(
        self,
        row: _Row,
        regon: str,
        key: tuple[str, str],
        by_regon: dict[str, Partner],
        by_name: dict[tuple[str, str], list[Partner]],
    ) -> Partner | None:
        if regon and regon in by_regon:
            return by_regon[regon]
        # A partner with another REGON is another institution, whatever its name.
        candidates = [p for p in by_name.get(key, []) if not regon or not p.regon]
        members = [p for p in candidates if p.pk in self.memberships]
        candidates = members or candidates
        if len(candidates) > 1:
            row.error(
                "ambiguous_partner",
                _("Several partners have this name and postal code; add the REGON to say which one."),
                "name",
            )
            return None
        return candidates[0] if candidates else None

    def _plan_partner(self, row: _Row, values: dict[str, Any], existing: Partner | None) -> None:
        data = {name: values[name] for name in _PARTNER_DATA_FIELDS if name in values}
        if existing is not None:
            # An empty cell never wipes out an identifier: it is how partners are found again.
            for name in _IDENTIFIERS:
                if data.get(name) == "":
                    del data[name]
        functions: list[str] | None = values.get("functions") if row.has("functions") else None
        instance = (
            Partner(**{name: getattr(existing, name) for name in _PARTNER_DATA_FIELDS}) if existing else Partner()
        )
        for name, value in data.items():
            setattr(instance, name, value)
        _clean_instance(row, instance, ["group", *row.failed_fields], {})
        membership = self.memberships.get(existing.pk) if existing is not None else None
        needs_function = (membership is None or functions is not None) and not functions
        if needs_function and "functions" not in row.failed_fields and not _functions_may_be_empty():
            row.error(
                "required",
                _("A partner of the network needs at least one function."),
                "functions" if row.has("functions") else None,
            )
        functions_changed = membership is None or (functions is not None and list(membership.functions) != functions)
        plan = _PartnerPlan(
            row=row,
            data=data,
            functions=functions,
            existing=existing,
            membership=membership,
            changed=_changed(existing, data),
            functions_changed=functions_changed,
        )
        self.partner_plans.append(plan)

    # -- services

    def plan_services(self, table: _Table) -> None:
        header, data_rows = _read_header(table)
        rows = [_Row(table, header, number, cells, self.issues) for number, cells in data_rows]
        parsed = [(row, _parse_row(row, SERVICE_COLUMNS, self.choices)) for row in rows]
        finder = self._partner_finder()
        targets = [(row, values, self._find_partner(row, values, finder)) for row, values in parsed]
        partner_ids = {partner.pk for _r, _v, (partner, _plan) in targets if partner is not None}
        existing_services: dict[tuple[Any, str], list[Service]] = {}
        for service in Service.objects.filter(partner_id__in=partner_ids):
            existing_services.setdefault((service.partner_id, _name_key(service.name, "")[0]), []).append(service)
        seen: dict[tuple[Any, str], int] = {}
        for row, values, (partner, partner_plan) in targets:
            name_key = _name_key(values.get("name", ""), "")[0]
            existing: Service | None = None
            if partner is None and partner_plan is None:
                self._plan_service(row, values, None, None, None)
                continue
            identity: Any = partner.pk if partner is not None else ("row", id(partner_plan))
            if name_key:
                if (identity, name_key) in seen:
                    row.error(
                        "duplicate_row",
                        _("The same service of this partner is already in row %(row)s."),
                        row=seen[(identity, name_key)],
                    )
                seen.setdefault((identity, name_key), row.number)
                matches = existing_services.get((identity, name_key), []) if partner is not None else []
                if len(matches) > 1:
                    row.error("ambiguous_service", _("The partner has several services with this name."), "name")
                elif matches:
                    existing = matches[0]
            self._plan_service(row, values, partner, partner_plan, existing)

    def _partner_finder(self) -> dict[str, dict[Any, list[tuple[Partner | None, _PartnerPlan | None]]]]:
        by_regon: dict[Any, list[tuple[Partner | None, _PartnerPlan | None]]] = {}
        by_name: dict[Any, list[tuple[Partner | None, _PartnerPlan | None]]] = {}
        # Partners of this file first: they may be new, or be joining the network now.
        for plan in self.partner_plans:
            target = (plan.existing, plan)
            old = plan.existing
            # A partner renamed by this file is found by its new name and by its old one.
            regons = {plan.data.get("regon") or "", old.regon if old else ""} - {""}
            names = {_name_key(plan.data.get("name", ""), plan.data.get("postal_code", old.postal_code if old else ""))}
            if old is not None:
                names.add(_name_key(old.name, old.postal_code))
            for regon in regons:
                by_regon.setdefault(regon, []).append(target)
            for key in names:
                by_name.setdefault(key, []).append(target)
        in_file = {plan.existing.pk for plan in self.partner_plans if plan.existing is not None}
        for membership in self.memberships.values():
            partner = membership.partner
            if partner.pk in in_file or membership.since > timezone.localdate():
                continue
            if partner.regon:
                by_regon.setdefault(partner.regon, []).append((partner, None))
            by_name.setdefault(_name_key(partner.name, partner.postal_code), []).append((partner, None))
        return {"regon": by_regon, "name": by_name}

    def _find_partner(
        self, row: _Row, values: dict[str, Any], finder: dict[str, dict[Any, list[Any]]]
    ) -> tuple[Partner | None, _PartnerPlan | None]:
        regon = values.get("partner_regon", "")
        name = values.get("partner_name", "")
        if regon:
            found = finder["regon"].get(regon, [])
            column, message = (
                "partner_regon",
                _("No partner of this network has this REGON."),
            )
        elif name:
            found = finder["name"].get(_name_key(name, values.get("partner_postal_code", "")), [])
            column, message = (
                "partner_name",
                _("No partner of this network has this name and postal code."),
            )
        else:
            column = "partner_regon" if row.has("partner_regon") else "partner_name"
            row.error("required", _("Give the partner's REGON, or its name and postal code."), column)
            return None, None
        if not found:
            row.error("partner_not_found", message, column)
            return None, None
        if len(found) > 1:
            row.error(
                "ambiguous_partner",
                _("Several partners have this name and postal code; add the REGON to say which one."),
                column,
            )
            return None, None
        partner, plan = found[0]
        return partner, plan

    def _plan_service(
        self,
        row: _Row,
        values: dict[str, Any],
        partner: Partner | None,
        partner_plan: _PartnerPlan | None,
        existing: Service | None,
    ) -> None:
        data = {name: values[name] for name in _SERVICE_DATA_FIELDS if name in values}
        if "waitlist" in data:
            waitlist = data.pop("waitlist")
            if waitlist is not None:
                data["waitlist_enabled"] = waitlist
        names = [f for f in _SERVICE_DATA_FIELDS if f != "waitlist"] + ["waitlist_enabled"]
        instance = Service(**{name: getattr(existing, name) for name in names}) if existing else Service()
        for name, value in data.items():
            setattr(instance, name, value)
        exclude = ["partner", *row.failed_fields]
        if "waitlist" in row.failed_fields:
            exclude.append("waitlist_enabled")
        _clean_instance(row, instance, exclude, _SERVICE_FIELD_MAP)
        capacity = data.get("capacity")
        if existing is not None and capacity is not None and capacity < existing.load:
            row.error(
                "below_load",
                _("%(load)s places are already taken; the number of places cannot be lower."),
                "capacity",
                load=existing.load,
            )
        self.service_plans.append(
            _ServicePlan(
                row=row,
                data=data,
                partner=partner,
                partner_plan=partner_plan,
                existing=existing,
                changed=_changed(existing, data),
            )
        )

    def count(self, result: ImportResult) -> None:
        for plan in self.partner_plans:
            if plan.existing is None:
                result.partners_created += 1
            elif plan.membership is None:
                result.memberships_added += 1
                result.partners_updated += plan.changed
            elif plan.changed or plan.functions_changed:
                result.partners_updated += 1
            else:
                result.partners_unchanged += 1
        for service_plan in self.service_plans:
            if service_plan.existing is None:
                result.services_created += 1
            elif service_plan.changed:
                result.services_updated += 1
            else:
                result.services_unchanged += 1


# --- writing --------------------------------------------------------------------------------------


def _write(actor: User, network: Network, planner: _Planner) -> None:
    """Create and update through the services. Raises _RowFailed with the row that a service refused."""
    from network.directory import partner_create, partner_update, service_create, service_update
    from network.services import membership_add, membership_update

    for plan in planner.partner_plans:
        with _row_errors(plan.row):
            if plan.existing is None:
                plan.partner = partner_create(
                    actor=actor, data=plan.data, network=network, functions=plan.functions or []
                )
                continue
            partner = plan.existing
            if plan.membership is None:
                membership_add(actor=actor, network=network, partner=partner, functions=plan.functions or [])
            elif plan.functions_changed and plan.functions is not None:
                membership_update(actor=actor, membership=plan.membership, data={"functions": plan.functions})
            if plan.changed:
                partner = partner_update(actor=actor, partner=partner, data=plan.data)
            plan.partner = partner
    for service_plan in planner.service_plans:
        with _row_errors(service_plan.row):
            owner = service_plan.partner_plan.partner if service_plan.partner_plan else service_plan.partner
            assert owner is not None
            if service_plan.existing is None:
                service_create(actor=actor, partner=owner, data=service_plan.data)
            elif service_plan.changed:
                service_update(actor=actor, service=service_plan.existing, data=service_plan.data)


class _RowFailed(Exception):
    pass


@contextmanager
def _row_errors(row: _Row) -> Iterator[None]:
    """Turn a service's refusal into the row's errors, then stop the import (and roll it back)."""
    try:
        yield
    except ValidationError as exc:
        row.validation_error(exc, _SERVICE_FIELD_MAP)
        raise _RowFailed from exc
    except DomainError as exc:
        row.error(exc.code, exc.message)
        raise _RowFailed from exc
    except IntegrityError as exc:
        # Someone else saved the same partner or service a moment ago.
        row.error("conflict", _("This row clashes with data saved in the meantime; send the file again."))
        raise _RowFailed from exc


# --- entry point ----------------------------------------------------------------------------------


def import_file(
    *,
    actor: User,
    network: Network,
    upload: bytes | IO[bytes] | Any,
    kind: ImportKind | str = ImportKind.PARTNERS,
    dry_run: bool = False,
) -> ImportResult:
    """Check the whole file, then (unless ``dry_run`` or any error) import it in one transaction.

    Raises PermissionDenied unless the actor coordinates the network. Everything else wrong with the file or
    its rows comes back in ``ImportResult.errors``.
    """
    if not scope_for(actor).coordinates(network.pk):
        raise PermissionDenied
    kind = ImportKind(kind)
    result = ImportResult(dry_run=dry_run)
    planner = _Planner(network)
    try:
        tables = _read_tables(_read_bytes(upload), kind)
        if len(tables) > 1:
            # A workbook made from the two-sheet template may leave one sheet blank.
            tables = [table for table in tables if table.rows] or tables
        for table in tables:
            if table.kind == ImportKind.PARTNERS:
                planner.plan_partners(table)
            else:
                planner.plan_services(table)
        if not planner.issues and not planner.partner_plans and not planner.service_plans:
            raise _refuse("no_rows", _("The file has a header but no rows to import."))
    except _Refused as refused:
        result.errors = [*planner.issues, refused.issue]
        return result
    if planner.issues:
        result.errors = list(planner.issues)
        return result
    planner.count(result)
    if dry_run:
        return result
    try:
        with transaction.atomic():
            _write(actor, network, planner)
    except _RowFailed:
        return ImportResult(errors=list(planner.issues))
    return result
