"""The regional report: the monitoring report summed over every network, with small cells suppressed so
that a regional monitor never reads a figure about fewer than five people.

Small-cell suppression (``suppress_small_cells``):

1. Every figure greater than 0 and less than 5 is shown as "<5" — counts of people, and also sessions, hours,
   medians and the number of networks, so that nothing below five is ever shown exactly ("<5" stays true).
2. Where the rows of a column add up to a total that is shown (people by sex, age group and gmina; declined
   referrals by reason; sessions and hours by form, category, partner, group and funding source), a hidden
   cell could be worked out from the total and the other rows. So other figures of that column are hidden as
   "*", the smallest first, until none of its "<5" cells can be worked out exactly: a reader who knows the
   total, the shown rows and these rules knows the sum of the hidden cells, that each "<5" is from 1 to 4
   (0.1 to 4.9 for hours) and each "*" is at least 5; cells are hidden until that sum leaves every "<5" cell at
   least two possible values. A lone "<5" always takes a "*" with it; two or more "<5" cells need one only when
   their sum gives them away (all 1, or all 4). If no figure is left to hide, the column's total is hidden.
3. People in the rows of category, partner, form, group and funding tables do not add up (a person counts once
   in each row they appear in), so no cell follows from their total; rule 2 does not apply to them. The rules
   protect against exact disclosure, not against narrowing a "<5" to a smaller range.
"""

from __future__ import annotations

from dataclasses import replace

from core.replica import reads_from_replica
from reporting.yearly.period import Period
from reporting.yearly.report import monitoring_report
from reporting.yearly.table import HIDDEN, SMALL, SMALL_LIMIT, MonitoringReport, Row, Table, Value, is_small


@reads_from_replica
def regional_report(period: Period) -> MonitoringReport:
    """The same figures summed over every network, with small cells suppressed: what a regional monitor reads."""
    return suppress_small_cells(monitoring_report(None, period))


def _number(value: Value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _exposed(small: list[float], starred: list[float], unit: float) -> bool:
    """Whether a reader who knows the total, the shown cells and these rules could work out a hidden small cell.

    They know the sum S of the hidden cells, that each "<5" lies in [unit, 5 - unit] and each "*" is at least 5.
    With a "*" among them, a small cell is pinned only when every hidden cell sits at its floor (S - floors below
    one unit). Without one, only when every small cell is at the floor or every one at the ceiling (one small
    cell alone is always pinned: the total minus the others).
    """
    total = sum(small) + sum(starred)
    eps = unit / 10
    if starred:
        floors = len(small) * unit + len(starred) * SMALL_LIMIT
        return total - floors < unit - eps
    k = len(small)
    return k == 1 or abs(total - k * unit) < eps or abs(total - k * (SMALL_LIMIT - unit)) < eps


def _suppress_table(table: Table) -> Table:
    kept = {column.key for column in table.columns if not column.suppress}

    def primary(row: Row) -> Row:
        return replace(row, values={k: SMALL if is_small(v) and k not in kept else v for k, v in row.values.items()})

    rows = [primary(row) for row in table.rows]
    total = primary(table.total) if table.total is not None else None
    for column in table.columns:
        key = column.key
        if not column.additive or not column.suppress or total is None or _number(total.values.get(key)) is None:
            continue
        original = [_number(row.values.get(key)) for row in table.rows]
        small = [v for v in original if v is not None and 0 < v < SMALL_LIMIT]
        if not small:
            continue
        # Complementary cells: the smallest shown ones first, until no small cell can be worked out.
        candidates = sorted(
            (value, index) for index, value in enumerate(original) if value is not None and value >= SMALL_LIMIT
        )
        starred: list[float] = []
        while _exposed(small, starred, column.unit) and candidates:
            value, index = candidates.pop(0)
            starred.append(value)
            rows[index] = replace(rows[index], values={**rows[index].values, key: HIDDEN})
        if _exposed(small, starred, column.unit):
            # Nothing left to hide in the rows: the total goes instead.
            total = replace(total, values={**total.values, key: HIDDEN})
    return replace(table, rows=rows, total=total)


def suppress_small_cells(report: MonitoringReport) -> MonitoringReport:
    """The report as a regional monitor may read it (rules in this module's docstring)."""
    return replace(report, tables=[_suppress_table(t) for t in report.tables], suppressed=True)
