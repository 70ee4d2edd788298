"""Working days of a network: the one place that says which day is a working day (DESIGN §4 answer times).

A day off is a Saturday, a Sunday, a Polish public holiday (the ``holidays`` package, Easter-based days included:
Easter Monday, Corpus Christi; Pentecost falls on a Sunday anyway) or a day the network added itself
(``DayOff``). Everything that counts working days — the answer date of a referral, reminders — asks here.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from typing import Any

import holidays
from django.utils import timezone

from network.models import DayOff


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[datetime.date, str]:
    # Official names in Polish: the network's calendar page shows them.
    return dict(holidays.Poland(years=year, language="pl"))


def public_holiday(day: datetime.date) -> str | None:
    """The name of the public holiday on this day, or None."""
    return _public_holidays(day.year).get(day)


def network_days_off(network_id: Any, start: datetime.date, end: datetime.date) -> set[datetime.date]:
    if network_id is None:
        return set()
    return set(DayOff.objects.filter(network_id=network_id, day__range=(start, end)).values_list("day", flat=True))


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


class WorkingCalendar:
    """The working days of one network over a span of dates, with the network's own days off read once."""

    def __init__(self, network_id: Any, start: datetime.date, span_days: int = 400) -> None:
        self.own = network_days_off(network_id, start, start + datetime.timedelta(days=span_days))

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() < 5 and public_holiday(day) is None and day not in self.own


def is_working_day(network_id: Any, day: datetime.date) -> bool:
    return WorkingCalendar(network_id, day, 0).is_working_day(day)


def add_working_days(network_id: Any, start: datetime.datetime, days: int) -> datetime.datetime:
    """The same time of day, ``days`` working days after ``start`` (days as the network's clock tells them)."""
    moment = _local(start)
    calendar = WorkingCalendar(network_id, moment.date(), days * 3 + 30)
    added = 0
    while added < days:
        moment += datetime.timedelta(days=1)
        if calendar.is_working_day(moment.date()):
            added += 1
    return moment


def on_working_day(network_id: Any, moment: datetime.datetime) -> datetime.datetime:
    """The moment itself when it falls on a working day, else the same time on the next working day: a deadline
    counted in calendar days never ends on a holiday."""
    moment = _local(moment)
    calendar = WorkingCalendar(network_id, moment.date(), 60)
    while not calendar.is_working_day(moment.date()):
        moment += datetime.timedelta(days=1)
    return moment


def days_off_of_year(network_id: Any, year: int) -> list[tuple[datetime.date, str, DayOff | None]]:
    """Every day off of the year but weekends, by date: public holidays (no row) and the network's own (its row)."""
    rows: list[tuple[datetime.date, str, DayOff | None]] = [
        (day, name, None) for day, name in _public_holidays(year).items()
    ]
    rows += [(d.day, d.name, d) for d in DayOff.objects.filter(network_id=network_id, day__year=year)]
    return sorted(rows, key=lambda row: row[0])
