"""The period a report covers, reading it from a page's or the API's query string, and the years a report offers."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import Network


@dataclass(frozen=True)
class Period:
    """Calendar days from ``start`` to ``end``, both included, in the deployment's time zone."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @property
    def is_calendar_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        )

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[first midnight, the midnight after the last day): for timestamps."""
        first = timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))
        after = timezone.make_aware(datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min))
        return first, after

    def label(self) -> str:
        if self.is_calendar_year:
            return str(self.start.year)
        return f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"


MAX_PERIOD_DAYS = 5 * 366  # a longer range is a mistake more often than a wish, and a heavy query


def parse_period(params: Mapping[str, Any], *, today: datetime.date | None = None) -> Period:
    """The period asked for: ``from`` and ``to`` (ISO dates) when given, else ``year``, else the current year.

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
    year_raw = str(params.get("year") or "").strip()
    if not year_raw:
        return Period.year(today.year)
    try:
        year = int(year_raw)
    except ValueError:
        raise ValidationError(_("The year is a number such as 2025."), code="year_invalid") from None
    if not 2000 <= year <= today.year + 1:
        raise ValidationError(
            _("Choose a year from 2000 to %(last)s.") % {"last": today.year + 1}, code="year_out_of_range"
        )
    return Period.year(year)


def first_regional_year() -> int:
    """The first year the regional report offers: the year the earliest network started, or this year."""
    first = Network.objects.aggregate(first=Min("start_date"))["first"]
    return first.year if first else timezone.localdate().year
