"""Server-drawn charts (issue 16): ``{% bar_chart %}`` draws horizontal bars as SVG and writes the same numbers in
a table right after it. No JavaScript; colours come from ``tokens.css`` through ``app.css``'s ``.chart__*`` rules.

::

    {% load charts %}
    {% bar_chart title rows _("Partner") _("median") _("90th percentile") unit=_("days") decimals=1 %}

``rows`` are ``(label, value)`` or ``(label, [value, …])`` pairs, one value per series named after the row
labels' heading; a value may be ``None`` (no bar, "—"). One accessible pattern everywhere: the title is the
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
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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
    series: int
    value: float | None
    text: str
    width: float
    y: float
    # What the template writes, made here once: a row of the dashboard's charts looped over the series to find
    # its name and formatted each coordinate with a filter, most of the dashboard's CPU (issue 19).
    series_name: str = ""

    @property
    def y_text(self) -> str:
        return str(self.y)  # as ``|stringformat:'s'``: a coordinate, never localized (no decimal comma)

    @property
    def width_text(self) -> str:
        return str(self.width)


@dataclass(frozen=True)
class ChartRow:
    label: str
    short_label: str
    y: float
    bars: list[ChartBar]

    # Each row's bars (SVG) and cells (table) written by ``_row_markup``: per bar the template resolved a dozen
    # variables, 11 ms for a chart of 71 partners, the dashboard's largest cost (docs/performance.md, issue 19).
    svg_bars: SafeString
    cells: SafeString

    @property
    def label_y(self) -> str:
        return str(int(self.y) + 15)  # as ``|add:15|stringformat:'s'``


def _row_markup(bars: list[ChartBar], unit: Any) -> tuple[SafeString, SafeString]:
    """What ``components/bar_chart.html`` wrote per bar with ``{% for bar in row.bars %}``, the same bytes."""
    unit_text = f" {escape(unit)}" if unit else ""
    svg = []
    cells = []
    for bar in bars:
        text = escape(bar.text)
        if bar.width:
            svg.append(
                f'<rect class="chart__bar chart__bar--{bar.series}" x="0" y="{bar.y_text}" width="{bar.width_text}" '
                f'height="{BAR_HEIGHT}" data-value="{text}"></rect>'
            )
        suffix = unit_text if bar.value is not None else ""
        svg.append(
            f'<text class="chart__value" x="{bar.width_text}" dx="4" y="{bar.y_text}" dy="12">{text}{suffix}</text>'
        )
        cells.append(f'<td class="numeric chart__cell" data-label="{escape(bar.series_name)}">{text}</td>')
    return mark_safe("".join(svg)), mark_safe("".join(cells))  # noqa: S308 - numbers and escaped text


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
        for position in range(len(names)):
            value = values[position] if position < len(values) else None
            number = value if isinstance(value, int | float) else None
            bars.append(
                ChartBar(
                    series=position,
                    value=number,
                    # A figure withheld for privacy ("<5", "*") is written as it is, with no bar.
                    text=display(number, decimals) if number is not None or value is None else str(value),
                    width=round(max(number or 0, 0) * scale, 1),
                    y=y + LABEL_HEIGHT + position * (BAR_HEIGHT + BAR_GAP),
                    series_name=names[position],
                )
            )
        svg_bars, cells = _row_markup(bars, unit)
        chart_rows.append(
            ChartRow(
                label=label,
                short_label=truncatechars(label, LABEL_CHARS),
                y=y,
                bars=bars,
                svg_bars=svg_bars,
                cells=cells,
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
