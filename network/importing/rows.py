"""One data row: its cells parsed into the values the models take, and every problem reported under its row and
column, so the whole file is checked before anything is written."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from network.importing.columns import Column, normalise_label
from network.importing.reading import _cell_text, _Header, _is_number, _Table
from network.importing.result import ImportIssue
from partners.choices import PartnerFunction
from partners.validators import normalise_nip

_TRUE = {"tak", "t", "yes", "y", "true", "prawda", "1", "x"}
_FALSE = {"nie", "n", "no", "false", "falsz", "0"}


class _CellError(Exception):
    def __init__(self, code: str, message: str | Promise, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params


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


def _clean_instance(row: _Row, instance: models.Model, exclude: Iterable[str], field_map: Mapping[str, str]) -> None:
    # Uniqueness is settled by matching, constraints by the checks here; the services validate both again.
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        row.validation_error(exc, field_map)
