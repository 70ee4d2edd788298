"""Small pieces the dashboard, the monitoring report and a person's path share: the median in SQL, figures
rounded for people, page addresses, stage names and the names of the forms of support."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Aggregate, DurationField
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from network.models import Network
from partners.choices import PathStage


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the median of an expression (NULLs ignored)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


class Percentile90(Median):
    """PostgreSQL's ``percentile_cont(0.9)``: nine in ten values are at most this (NULLs ignored)."""

    template = "%(function)s(0.9) WITHIN GROUP (ORDER BY %(expressions)s)"


def hours_of(minutes: int | None) -> float:
    return round((minutes or 0) / 60, 1)


def days_of(duration: datetime.timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 86_400, 1)


def page_url(name: str, *args: Any, query: str = "") -> str | None:
    """A page's address, or None while the page is not routed in this configuration."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def stage_labels(network: Network) -> dict[str, str]:
    """The network's names of the stages, and the standard name of any stage it does not name itself."""
    labels = dict(network.stage_choices())
    for code, label in PathStage.choices:
        labels.setdefault(code, str(label))
    return labels


# The report's table of forms and a person's path name a session the same way.
FORM_LABELS = {
    "individual": gettext_lazy("individual sessions"),
    "group": gettext_lazy("group sessions"),
    "support_group": gettext_lazy("support group meetings"),
}
