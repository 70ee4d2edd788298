"""The period a report covers, reading it from a page's or the API's query string, and the years a report offers."""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from network.models import Network

# The kinds of period the dashboard's selector offers, and the query parameter that names each.
KINDS = ("month", "quarter", "year")
MONTHS = (
    gettext_lazy("January"),
    gettext_lazy("February"),
    gettext_lazy("March"),
    gettext_lazy("April"),
    gettext_lazy("May"),
    gettext_lazy("June"),
    gettext_lazy("July"),
    gettext_lazy("August"),
    gettext_lazy("September"),
    gettext_lazy("October"),
    gettext_lazy("November"),
    gettext_lazy("December"),
)
ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Period:
    """Calendar days from ``start`` to ``end``, both included, in the deployment's time zone."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(datetime.date(year, month, 1), datetime.date(year, month, last))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = 3 * (quarter - 1) + 1
        return cls(datetime.date(year, first, 1), cls.month(year, first + 2).end)

    @property
    def is_calendar_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        )

    @property
    def kind(self) -> str:
        """``year``, ``quarter`` or ``month`` for a whole calendar one, else ``range``."""
        if self.is_calendar_year:
            return "year"
        if self.start.day == 1 and self.start.year == self.end.year:
            if self == Period.month(self.start.year, self.start.month):
                return "month"
            if self.start.month % 3 == 1 and self == Period.quarter(self.start.year, (self.start.month + 2) // 3):
                return "quarter"
        return "range"

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[first midnight, the midnight after the last day): for timestamps."""
        first = timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))
        after = timezone.make_aware(datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min))
        return first, after

    def label(self) -> str:
        kind = self.kind
        if kind == "year":
            return str(self.start.year)
        if kind == "month":
            return f"{MONTHS[self.start.month - 1]} {self.start.year}"
        if kind == "quarter":
            return _("%(quarter)s quarter %(year)s") % {
                "quarter": ROMAN[(self.start.month - 1) // 3],
                "year": self.start.year,
            }
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"

    def query(self) -> dict[str, str]:
        """The query parameters that name this period (what ``parse_period`` reads back)."""
        kind = self.kind
        if kind == "year":
            return {"year": str(self.start.year)}
        if kind == "month":
            return {"month": f"{self.start:%Y-%m}"}
        if kind == "quarter":
            return {"quarter": f"{self.start.year}-Q{(self.start.month + 2) // 3}"}
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def shifted(self, years: int) -> Period:
        """The same days ``years`` earlier (29 February becomes the 28th)."""

        def back(day: datetime.date) -> datetime.date:
            year = day.year - years
            return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))

        return Period(back(self.start), back(self.end))


MAX_PERIOD_DAYS = 5 * 366  # a longer range is a mistake more often than a wish, and a heavy query


def parse_period(params: Mapping[str, Any], *, today: datetime.date | None = None) -> Period:
    """The period asked for: ``from`` and ``to`` (ISO dates) when given, else ``month`` (2025-03), else
    ``quarter`` (2025-Q1), else ``year``, else the current year.

    Bad input is a ValidationError with a message for people and a stable code.
    """
    today = today or timezone.localdate()
    start_raw, end_raw = str(params.get("from") or "").strip(), str(params.get("to") or "").strip()
    if start_raw or end_raw:
        if not (start_raw and end_raw):
            raise ValidationError(_("Give both the first and the last day of the period."), code="period_incomplete")
        try:
            start, end = datetime.date.fromisoformat(start_raw), datetime.date.fromisoformat(end_raw)
        except ValueError:
            raise ValidationError(_("Dates look like 2025-01-31."), code="period_invalid") from None
        if start > end:
            raise ValidationError(_("The period cannot end before it starts."), code="period_reversed")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError(_("The period can be at most five years long."), code="period_too_long")
        return Period(start, end)
    month_raw = str(params.get("month") or "").strip()
    if month_raw:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", month_raw)
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValidationError(_("A month looks like 2025-03."), code="month_invalid")
        return Period.month(_checked_year(int(match[1]), today), int(match[2]))
    quarter_raw = str(params.get("quarter") or "").strip().upper()
    if quarter_raw:
        match = re.fullmatch(r"(\d{4})-Q([1-4])", quarter_raw)
        if not match:
            raise ValidationError(_("A quarter looks like 2025-Q1."), code="quarter_invalid")
        return Period.quarter(_checked_year(int(match[1]), today), int(match[2]))
    year_raw = str(params.get("year") or "").strip()
    if not year_raw:
        return Period.year(today.year)
    try:
        year = int(year_raw)
    except ValueError:
        raise ValidationError(_("The year is a number such as 2025."), code="year_invalid") from None
    return Period.year(_checked_year(year, today))


def _checked_year(year: int, today: datetime.date) -> int:
    if not 2000 <= year <= today.year + 1:
        raise ValidationError(
            _("Choose a year from 2000 to %(last)s.") % {"last": today.year + 1}, code="year_out_of_range"
        )
    return year


def first_regional_year() -> int:
    """The first year the regional report offers: the year the earliest network started, or this year."""
    first = Network.objects.aggregate(first=Min("start_date"))["first"]
    return first.year if first else timezone.localdate().year
