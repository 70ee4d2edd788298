"""Issue 19: the badge, the ``|day`` filter and the bar chart's rows are written in Python for speed; each must write
the same bytes as the template or filter it stands for (``components/badge.html``, ``|date``), so the partial stays
the one reference and the page's HTML does not change."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.template import Context, engines
from django.utils import timezone, translation

ENGINE = engines["django"].engine


def render(source: str, **context: Any) -> str:
    return ENGINE.from_string(source).render(Context(context))


@pytest.mark.parametrize(
    "values",
    [
        {"label": "w toku", "modifier": "success"},
        {"label": "<b>&</b>", "modifier": "danger"},
        {"label": 1234, "modifier": "neutral"},
        {
            "label": "",
            "modifier": "danger",
            "id": "unread-badge",
            "value_id": "unread-count",
            "hidden": True,
            "prefix": "nieprzeczytane:",
        },
        {"label": "Wysłane", "modifier": "state-sent", "state": "sent"},
    ],
)
def test_the_badge_writes_what_its_partial_writes(values: dict[str, Any]) -> None:
    expected = ENGINE.get_template("components/badge.html").render(
        Context({"id": "", "value_id": "", "hidden": False, "prefix": "", **values})
    )
    from frontend.templatetags.ui import _badge_html

    context = Context({})
    args = {k: v for k, v in values.items() if k not in ("label", "modifier")}
    assert _badge_html(context, values["label"], values["modifier"], **args) == expected


def test_the_badge_tags_escape_and_pick_the_tone() -> None:
    with translation.override("pl"):
        html = render('{% load ui %}{% badge label "nope" %}{% state_badge "sent" %}', label="<x>")
    assert '<span class="badge badge--neutral">&lt;x&gt;</span>\n' in html
    assert 'class="badge badge--state-sent" data-state="sent">' in html


@pytest.mark.parametrize("fmt", ["d.m.Y", "d.m.Y H:i"])
def test_day_writes_what_date_writes(fmt: str) -> None:
    moments = [
        timezone.now(),
        datetime.datetime(2026, 3, 29, 0, 30, tzinfo=datetime.UTC),  # the night the clocks change in Warsaw
        datetime.datetime(2025, 12, 31, 23, 59, tzinfo=datetime.UTC),  # another year in local time
    ]
    for moment in moments:
        day = render(f'{{% load ui %}}{{{{ v|day:"{fmt}" }}}}', v=moment)
        assert day == render(f'{{{{ v|date:"{fmt}" }}}}', v=moment)
    assert render("{% load ui %}{{ v|day }}", v=datetime.date(2026, 1, 5)) == "05.01.2026"
    assert render('{% load ui %}{{ v|day:"d.m.Y H:i" }}', v=None) == ""
