"""Server-drawn charts (issue 16): ``{% bar_chart %}`` draws horizontal bars as SVG and writes the same numbers in
a table right after it. No JavaScript; colours come from ``tokens.css`` through ``app.css``'s ``.chart__*`` rules.

::

    {% load charts %}
    {% bar_chart title rows _("Partner") _("median") _("90th percentile") unit=_("days") decimals=1 %}

``rows`` are ``(label, value)`` or ``(label, [value, …])`` pairs, one value per series named after the row
labels' heading; a value may be ``None`` (no bar, "—") or a withheld figure such as "<5" (no bar, written as
it is). One accessible pattern everywhere: the title is the
figure's visible caption, the SVG is an image (``role="img"``) named by its ``<title>``, and the table that
follows (its caption the same title, visually hidden) is the version to read. The drawing is
``viewBox``-scaled to the width of its column, its labels above the bars, so it stays legible on a 390 px phone.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import template
from django.template.defaultfilters import truncatechars
from django.utils.formats import number_format

register = template.Library()
_ids = itertools.count(1)

WIDTH = 360  # the drawing's own width (viewBox); the page scales it to its column
VALUE_ROOM = 76  # right of the longest bar, for its figure
LABEL_HEIGHT = 20
BAR_HEIGHT = 14
BAR_GAP = 4
ROW_GAP = 10
LEGEND_HEIGHT = 24
LABEL_CHARS = 42


@dataclass(frozen=True)
class ChartBar:
    """One bar, every figure the template writes already a string: the template only places them (a chart of a
    county's 70 partners is 140 bars, and each filter or inner loop in the template cost a millisecond)."""

    series: int
    name: str  # the series' name, the table cell's label on a phone
    value: float | None
    text: str  # the figure, localised ("—" for none)
    shown: str  # the figure beside the bar, with its unit
    width: str  # SVG coordinates: plain decimal points, never localised
    y: str


@dataclass(frozen=True)
class ChartRow:
    label: str
    short_label: str
    label_y: str
    bars: list[ChartBar]


def _coordinate(number: float) -> str:
    return repr(round(number, 1))


def _values(value: Any) -> list[Any]:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return [value]


def display(value: float | None, decimals: int = 0, unit: str = "") -> str:
    if value is None:
        return "—"
    text = str(number_format(value, decimals, use_l10n=True))
    return f"{text} {unit}" if unit else text


@register.inclusion_tag("components/bar_chart.html")
def bar_chart(
    title: Any,
    rows: Iterable[tuple[Any, Any]],
    label_heading: Any,
    *series: Any,
    unit: Any = "",
    decimals: int = 0,
    caption: Any = None,
) -> dict[str, Any]:
    """The context of ``components/bar_chart.html``: bars scaled to the largest value of every series."""
    pairs = [(str(label), _values(value)) for label, value in rows]
    names = [str(name) for name in series] or [str(title)]
    numbers = [v for _label, values in pairs for v in values if isinstance(v, int | float)]
    top = max(numbers, default=0)
    scale = (WIDTH - VALUE_ROOM) / top if top > 0 else 0
    legend = LEGEND_HEIGHT if len(names) > 1 else 0
    row_height = LABEL_HEIGHT + len(names) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    chart_rows = []
    for index, (label, values) in enumerate(pairs):
        y = legend + index * row_height
        bars = []
        for position, name in enumerate(names):
            value = values[position] if position < len(values) else None
            number = value if isinstance(value, int | float) else None
            # A figure withheld for privacy ("<5", "*") is written as it is, with no bar.
            text = display(number, decimals) if number is not None or value is None else str(value)
            bars.append(
                ChartBar(
                    series=position,
                    name=name,
                    value=number,
                    text=text,
                    shown=f"{text} {unit}" if unit and number is not None else text,
                    width=_coordinate(max(number or 0, 0) * scale),
                    y=_coordinate(y + LABEL_HEIGHT + position * (BAR_HEIGHT + BAR_GAP)),
                )
            )
        chart_rows.append(
            ChartRow(
                label=label,
                short_label=truncatechars(label, LABEL_CHARS),
                label_y=_coordinate(y + 15),
                bars=bars,
            )
        )
    return {
        "uid": f"chart-{next(_ids)}",
        "title": title,
        "caption": caption,
        "label_heading": label_heading,
        "series": names,
        "legend": legend,
        "rows": chart_rows,
        "unit": unit,
        "width": WIDTH,
        "height": max(legend + len(chart_rows) * row_height, 1),
        "bar_height": BAR_HEIGHT,
        "label_height": LABEL_HEIGHT,
    }
