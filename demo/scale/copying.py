"""Rows in PostgreSQL's COPY text format, streamed table by table: the load builds lines, never model instances."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED

NULL = "\\N"


def ts(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).isoformat()


def ts_or_null(epoch: float | None) -> str:
    return NULL if epoch is None else ts(epoch)


def day(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).date().isoformat()


def array(values: Sequence[str]) -> str:
    return "{" + ",".join(values) + "}"


def opt(value: str | None) -> str:
    return NULL if value is None else value


def copy_text(value: Any) -> str:
    """A Python value (as ``get_db_prep_save`` gives it) in COPY text format."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | tuple):
        return array([str(v) for v in value])
    if hasattr(value, "obj"):  # psycopg's Jsonb wrapper
        value = json.dumps(value.obj)
    if isinstance(value, datetime.date):
        value = value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class CopyTable:
    """Rows for one table, streamed with COPY in chunks.

    Columns the generator does not know (added to a model later) get their Python default, so a new NOT NULL
    field with a default does not break the load; a new required field without one fails loudly.
    """

    CHUNK = 20_000

    def __init__(self, cursor: Any, model: type[models.Model], columns: Sequence[str]) -> None:
        self.cursor = cursor
        self.table = model._meta.db_table
        in_database = {column.name for column in connection.introspection.get_table_description(cursor, self.table)}
        extra_columns, extra_values = [], []
        for field in model._meta.concrete_fields:
            if field.column not in in_database:
                continue  # a field whose migration is not applied here
            has_db_default = getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED
            if field.column in columns or field.null or field.primary_key or has_db_default:
                continue
            extra_columns.append(field.column)
            extra_values.append(copy_text(field.get_db_prep_save(field.get_default(), connection)))
        names = ", ".join(connection.ops.quote_name(c) for c in [*columns, *extra_columns])
        self.sql = f"COPY {connection.ops.quote_name(self.table)} ({names}) FROM STDIN"
        self.suffix = "".join("\t" + v for v in extra_values) + "\n"
        self.lines: list[str] = []
        self.rows = 0

    def add(self, *values: str) -> None:
        self.lines.append("\t".join(values) + self.suffix)
        if len(self.lines) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        with self.cursor.copy(self.sql) as copy:
            copy.write("".join(self.lines))
        self.rows += len(self.lines)
        self.lines = []
