"""What a monitoring report is: its tables of rows and columns, as the page, the API and the exports read them,
and the rules it states about how it counts."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from network.models import Network
from reporting.yearly.period import Period

# A figure is a number, or on a suppressed report one of the two marks below in its place.
Value = int | float | str | None

SMALL = "<5"  # a figure from 1 to 4 (or any figure above 0 and below 5), for the regional monitor
HIDDEN = "*"  # a figure hidden so that a "<5" next to it cannot be worked out from the total
SMALL_LIMIT = 5


def is_small(value: Value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < SMALL_LIMIT


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    additive: bool = False  # the rows add up to the total row: a partition (rule 2 in ``regional.py``)
    unit: float = 1  # the smallest step of the figures: 1 for counts, 0.1 for hours (rounded to one decimal)
    suppress: bool = True  # figures about people; money is not, and a monitor reads amounts as they are
    decimals: int = 1  # decimal places a fractional figure is shown with (2 for amounts in PLN)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    values: dict[str, Value]


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None
    chart: str | None = None  # the column drawn as bars on the page

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to build the table again (``Table.from_snapshot``): a closed report keeps this."""
        return {
            "key": self.key,
            "title": self.title,
            "columns": [asdict(c) for c in self.columns],
            "rows": [asdict(r) for r in self.rows],
            "total": asdict(self.total) if self.total is not None else None,
            "chart": self.chart,
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Table:
        return cls(
            key=data["key"],
            title=data["title"],
            columns=[Column(**c) for c in data["columns"]],
            rows=[Row(**r) for r in data["rows"]],
            total=Row(**data["total"]) if data.get("total") else None,
            chart=data.get("chart"),
        )

    def as_dict(self) -> dict[str, Any]:
        def row(r: Row) -> dict[str, Any]:
            return {"key": r.key, "label": r.label, **{c.key: r.values.get(c.key) for c in self.columns}}

        return {
            "title": self.title,
            "columns": [{"key": c.key, "label": c.label} for c in self.columns],
            "rows": [row(r) for r in self.rows],
            "total": row(self.total) if self.total is not None else None,
        }


@dataclass(frozen=True)
class MonitoringReport:
    title: str
    scope: str  # the network's name, or "all networks"
    network: Network | None
    networks: int
    period: Period
    tables: list[Table]
    suppressed: bool = False
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    closed: dict[str, Any] | None = None  # who closed it and when, for a report read from its frozen snapshot

    def snapshot(self) -> dict[str, Any]:
        """The report as it is frozen when its coordinator closes it (``MonitoringReport.from_snapshot``)."""
        return {
            "title": self.title,
            "scope": self.scope,
            "networks": self.networks,
            "period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()},
            "suppressed": self.suppressed,
            "generated_at": self.generated_at.isoformat(),
            "tables": [t.snapshot() for t in self.tables],
        }

    @classmethod
    def from_snapshot(
        cls, data: dict[str, Any], *, network: Network | None, closed: dict[str, Any] | None = None
    ) -> MonitoringReport:
        return cls(
            title=data["title"],
            scope=data["scope"],
            network=network,
            networks=int(data["networks"]),
            period=Period(
                datetime.date.fromisoformat(data["period"]["from"]), datetime.date.fromisoformat(data["period"]["to"])
            ),
            tables=[Table.from_snapshot(t) for t in data["tables"]],
            suppressed=bool(data["suppressed"]),
            generated_at=datetime.datetime.fromisoformat(data["generated_at"]),
            closed=closed,
        )

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def value(self, table: str, row: str, column: str = "value") -> Value:
        t = self.table(table)
        if row == "total" and t.total is not None:
            return t.total.values.get(column)
        return next(r.values.get(column) for r in t.rows if r.key == row)

    @property
    def networks_shown(self) -> Value:
        """How many networks are summed; a suppressed report keeps even this below five as "<5"."""
        return SMALL if self.suppressed and is_small(self.networks) else self.networks

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "scope": self.scope,
            "network": {"id": str(self.network.pk), "name": self.network.name} if self.network else None,
            "networks": self.networks_shown,
            "period": {
                "from": self.period.start.isoformat(),
                "to": self.period.end.isoformat(),
                "year": self.period.start.year if self.period.is_calendar_year else None,
                "kind": self.period.kind,
                "label": self.period.label(),
            },
            "suppressed": self.suppressed,
            "generated_at": self.generated_at.isoformat(),
            "closed": self.closed,
            "rules": rules_text(self.suppressed),
            "tables": {t.key: t.as_dict() for t in self.tables},
        }


def rules_text(suppressed: bool) -> list[str]:
    rules = [
        _(
            "A person counts as supported when at least one session or support-group meeting is recorded for "
            "them in the period, or a partner accepted a referral of theirs in it; each person counts once in every "
            "total."
        ),
        _(
            "A person supported in the period is new when nothing of that was recorded for them before its first "
            "day, and continuing otherwise."
        ),
        _(
            "Funding: the amounts in PLN stated by the network's coordinator for each source and calendar year; a "
            "period shows the amounts of the years it falls in."
        ),
        _(
            "Hours: the minutes of each recorded session, and the duration of each support-group meeting counted "
            "once, however many people attended."
        ),
        _("Age is the age reached in the last year of the period."),
    ]
    if suppressed:
        rules.append(
            _(
                'Figures from 1 to 4 (and any figure above 0 and below 5) are shown as "<5". Where rows add up '
                'to a total, other figures are hidden too ("*") so that no "<5" can be worked out from it.'
            )
        )
    return rules
