"""Search parameters of the FHIR face: references, tokens, dates with prefixes, ``_count`` and ``_page``.

A parameter we do not support is refused (400), not ignored: a typo must not widen a search silently. A reference
to an id the caller cannot see is not an error: the search simply finds nothing.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

DEFAULT_COUNT = 50
MAX_COUNT = 200
# Parameters every search takes, besides its own.
COMMON = ("_count", "_page", "_format")


class InvalidSearch(Exception):
    """A malformed or unsupported search parameter: 400 with an OperationOutcome naming it."""

    def __init__(self, message: str, parameter: str) -> None:
        super().__init__(message)
        self.message = message
        self.parameter = parameter


@dataclass(frozen=True)
class Paging:
    count: int
    page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.count


def check_names(params: Any, allowed: Iterable[str]) -> None:
    known = set(allowed) | set(COMMON)
    for name in params:
        if name not in known:
            raise InvalidSearch(
                _("The search parameter %(name)s is not supported here. Supported: %(known)s.")
                % {"name": name, "known": ", ".join(sorted(known))},
                name,
            )


def _int(params: Any, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidSearch(_("%(name)s must be a whole number.") % {"name": name}, name) from None
    if not low <= value <= high:
        raise InvalidSearch(
            _("%(name)s must be between %(low)s and %(high)s.") % {"name": name, "low": low, "high": high}, name
        )
    return value


def paging(params: Any) -> Paging:
    return Paging(
        count=_int(params, "_count", DEFAULT_COUNT, 0, MAX_COUNT),
        page=_int(params, "_page", 1, 1, 1_000_000),
    )


def reference_ids(params: Any, name: str, kind: str) -> list[uuid.UUID] | None:
    """``Patient/<id>``, a bare ``<id>`` or an absolute URL ending in ``Patient/<id>``; a comma means OR. None when
    the parameter is absent. A malformed id is a 400."""
    raw = params.getlist(name)
    if not raw:
        return None
    ids: list[uuid.UUID] = []
    for value in ",".join(raw).split(","):
        value = value.strip()
        tail = value.rsplit("/", 2)
        if len(tail) >= 2:
            if tail[-2] != kind:
                raise InvalidSearch(_("%(name)s must name a %(kind)s.") % {"name": name, "kind": kind}, name)
            value = tail[-1]
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            raise InvalidSearch(_("%(name)s: %(value)s is not an id.") % {"name": name, "value": value}, name) from None
    return ids


def tokens(params: Any, name: str, allowed: Iterable[str]) -> list[str] | None:
    """A token parameter: codes of ``allowed`` (a ``system|code`` form is read as its code), comma = OR."""
    raw = params.getlist(name)
    if not raw:
        return None
    allowed = list(allowed)
    values = []
    for value in ",".join(raw).split(","):
        code = value.strip().rsplit("|", 1)[-1]
        if code not in allowed:
            raise InvalidSearch(
                _("%(name)s: unknown code %(code)s. Use one of: %(allowed)s.")
                % {"name": name, "code": code, "allowed": ", ".join(allowed)},
                name,
            )
        values.append(code)
    return values


_DATE = re.compile(r"^(?P<prefix>eq|ne|gt|lt|ge|le|sa|eb|ap)?(?P<value>\d{4}(-\d{2}(-\d{2}(T.+)?)?)?)$")
SUPPORTED_PREFIXES = ("eq", "gt", "lt", "ge", "le")


def _range(value: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants [start, end) a FHIR date or dateTime of this precision covers (local time when none given)."""
    tz = timezone.get_current_timezone()
    if "T" in value:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        step = datetime.timedelta(seconds=1) if moment.microsecond == 0 else datetime.timedelta(microseconds=1)
        return moment, moment + step
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        start, end = datetime.date(parts[0], 1, 1), datetime.date(parts[0] + 1, 1, 1)
    elif len(parts) == 2:
        start = datetime.date(parts[0], parts[1], 1)
        end = datetime.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
    else:
        start = datetime.date(parts[0], parts[1], parts[2])
        end = start + datetime.timedelta(days=1)
    return (
        datetime.datetime.combine(start, datetime.time(), tzinfo=tz),
        datetime.datetime.combine(end, datetime.time(), tzinfo=tz),
    )


def date_filter(params: Any, name: str, field: str) -> Q:
    """``authored=ge2026-01-01&authored=lt2026-02-01``: every value must hold (AND), as FHIR repeats mean."""
    condition = Q()
    for raw in params.getlist(name):
        match = _DATE.match(raw.strip())
        if match is None:
            raise InvalidSearch(
                _("%(name)s: %(value)s is not a date. Write e.g. ge2026-01-01.") % {"name": name, "value": raw},
                name,
            )
        prefix = match.group("prefix") or "eq"
        if prefix not in SUPPORTED_PREFIXES:
            raise InvalidSearch(
                _("%(name)s: the prefix %(prefix)s is not supported. Use one of: %(allowed)s.")
                % {"name": name, "prefix": prefix, "allowed": ", ".join(SUPPORTED_PREFIXES)},
                name,
            )
        try:
            start, end = _range(match.group("value"))
        except ValueError:
            raise InvalidSearch(
                _("%(name)s: %(value)s is not a date. Write e.g. ge2026-01-01.") % {"name": name, "value": raw},
                name,
            ) from None
        condition &= {
            "eq": Q(**{f"{field}__gte": start, f"{field}__lt": end}),
            "ge": Q(**{f"{field}__gte": start}),
            "gt": Q(**{f"{field}__gte": end}),
            "le": Q(**{f"{field}__lt": end}),
            "lt": Q(**{f"{field}__lt": start}),
        }[prefix]
    return condition


def text(params: Any, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise InvalidSearch(_("%(name)s must not be empty.") % {"name": name}, name)
    return value
