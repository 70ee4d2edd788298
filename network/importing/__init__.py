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
* All writes go through ``network.directory`` and ``network.services``, in one transaction.
"""

from network.importing.applying import import_file
from network.importing.columns import COLUMNS, ImportKind
from network.importing.reading import MAX_BYTES
from network.importing.result import ImportResult

__all__ = ["COLUMNS", "MAX_BYTES", "ImportKind", "ImportResult", "import_file"]
