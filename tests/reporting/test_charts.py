"""The server-drawn charts of issue 16 (``{% bar_chart %}``): the drawing and its table show the same numbers,
on the dashboard (moves between stages, partners' answer times) and in a person's assessment profile."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from frontend.templatetags.charts import VALUE_ROOM, WIDTH
from people.access import access_to_person
from people.assessments import assessment_record, default_instrument
from people.models import Person
from tests.reporting.test_reports import dashboard_data

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
FIGURE = re.compile(r'<figure class="chart chart--bars" data-chart>.*?</figure>', re.DOTALL)


def figures(html: str) -> list[dict[str, Any]]:
    """Each chart of a page: its SVG parsed, the figures it writes, the table's cells, caption and title."""
    found = []
    for match in FIGURE.finditer(html):
        block = match.group(0)
        svg_text = re.search(r"<svg.*?</svg>", block, re.DOTALL)
        root = ET.fromstring(svg_text.group(0)) if svg_text else None  # noqa: S314 - our own output
        values = [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "chart__value"] if root else []
        cells = re.findall(r'<td class="numeric chart__cell"[^>]*>([^<]*)</td>', block)
        caption = re.search(r"<caption[^>]*>(.*?)</caption>", block, re.DOTALL)
        labels = re.findall(r'<th scope="row"[^>]*>([^<]*)</th>', block)
        found.append({"root": root, "values": values, "cells": cells, "caption": caption, "labels": labels})
    return found


def render(source: str, **context: Any) -> str:
    return Template("{% load charts %}" + source).render(Context(context))


def test_the_drawing_and_the_table_show_the_same_numbers_and_scale_to_the_largest() -> None:
    rows = [("Wstęp → Aktywizacja", [3, 1.5]), ("Aktywizacja → Praca", [12, None]), ("Długa " * 20, [0, 4])]
    with translation.override("pl"):
        html = render('{% bar_chart "Czas" rows "Partner" "mediana" "p90" decimals=1 %}', rows=rows)
    [chart] = figures(html)
    root = chart["root"]
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == "Czas" and root.get("aria-labelledby") == title.get("id")
    assert chart["values"] == chart["cells"] == ["3,0", "1,5", "12,0", "—", "0,0", "4,0"]
    assert chart["labels"][0] == "Wstęp → Aktywizacja" and chart["labels"][2] == "Długa " * 20
    bars = [r for r in root.iter(f"{SVG}rect") if "chart__bar" in (r.get("class") or "")]
    legend = 2  # one swatch per series when there are two
    widths = [float(r.get("width") or 0) for r in bars[legend:]]
    assert max(widths) == WIDTH - VALUE_ROOM  # 12 is the longest bar
    assert len(widths) == 4  # no bar for a missing value nor for zero
    assert root.get("viewBox") == f"0 0 {WIDTH} {root.get('viewBox', '').split()[-1]}" and root.get("width") == "100%"
    # Coordinates are written the SVG way whatever the language: no decimal comma.
    assert not re.search(r'(?:x|y|width)="\d+,\d', html)


def test_an_empty_chart_draws_nothing_and_says_so() -> None:
    with translation.override("pl"):
        html = render('{% bar_chart "Pusto" rows "Etap" "liczba" %}', rows=[])
    assert "<svg" not in html and ">Pusto</caption>" in html


def test_a_withheld_figure_is_written_as_it_is_with_no_bar() -> None:
    # The monitoring report hides figures from 1 to 4 as "<5": a bar's length would tell what the label hides.
    with translation.override("pl"):
        html = render('{% bar_chart "Osoby" rows "Kategoria" "liczba" %}', rows=[("Gmina A", 12), ("Gmina B", "<5")])
    [chart] = figures(html)
    assert chart["values"] == ["12", "<5"]
    assert chart["cells"] == ["12", "&lt;5"]
    bars = [r for r in chart["root"].iter(f"{SVG}rect") if "chart__bar" in (r.get("class") or "")]
    assert len(bars) == 1


def test_the_dashboard_charts_the_moves_between_stages_and_the_answer_times(client: Any, world: Any) -> None:
    dashboard_data(world, people=6)
    client.force_login(world.coordinator)
    with translation.override("pl"):
        html = client.get(reverse("report-dashboard", args=[world.network.pk])).content.decode()
    charts = figures(html)
    assert len(charts) == 2
    answers, moves = charts
    for chart in charts:
        assert [v.split(" ")[0] for v in chart["values"]] == chart["cells"]
    # Moves: 2 people from intake to each of the two later stages; openings are not moves.
    assert sorted(moves["cells"]) == ["2", "2"]
    assert all("→" in label for label in moves["labels"])
    # Answer times: both partners answered in 2 days (the median and the 90th percentile alike).
    assert len(answers["labels"]) == 2 and set(answers["cells"]) == {"2,0"}


def test_the_assessment_profile_sets_the_latest_result_beside_the_previous(
    client: Any, world: Any, django_assert_num_queries: Any
) -> None:
    instrument = default_instrument()
    assert instrument is not None
    person = Person.objects.create(network=world.network, first_name="Anna", last_name="Kowalska")
    today = timezone.localdate()
    codes = list(instrument.domains.values_list("code", flat=True))
    for day, value in ((today - datetime.timedelta(days=60), 1), (today - datetime.timedelta(days=30), 2), (today, 4)):
        assessment_record(
            actor=world.coordinator, person=person, instrument=instrument, assessed_on=day,
            scores=dict.fromkeys(codes, value),
        )  # fmt: skip
    from frontend.assessment_views import assessment_section_context

    access = access_to_person(world.coordinator, person)
    assert access is not None
    with django_assert_num_queries(3):  # the results, their scores, the domains: the profile adds none
        section = assessment_section_context(access)
    from django.template.loader import render_to_string

    with translation.override("pl"):
        html = render_to_string("assessments/_person_section.html", {"section": section})
    [profile] = figures(html)
    assert profile["values"] == profile["cells"] == ["4", "2"] * len(codes)
    assert len(profile["labels"]) == len(codes)
    assert today.strftime("%d.%m.%Y") in html


def test_the_answer_time_chart_draws_the_slowest_partners_only_and_says_so(
    client: Any, world: Any, monkeypatch: Any
) -> None:
    """A county's seventy partners would be a scroll of bars: the chart keeps the slowest, the table keeps all."""
    monkeypatch.setattr("frontend.report_views.ANSWER_CHART_ROWS", 1)
    dashboard_data(world, people=6)
    client.force_login(world.coordinator)
    with translation.override("pl"):
        html = client.get(reverse("report-dashboard", args=[world.network.pk])).content.decode()
    answers = figures(html)[0]
    assert len(answers["labels"]) == 1
    assert "najwolniejszy partner; wszyscy partnerzy są w tabeli powyżej" in html
    responsiveness = html.split('id="tile-partners"')[1].split("<figure")[0]
    assert responsiveness.count('<th scope="row"') == 2  # the table above still lists both partners
