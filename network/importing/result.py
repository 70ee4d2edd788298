"""What an import reports: its problems (of the file, a row or a cell) and what it did or would do."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext


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
