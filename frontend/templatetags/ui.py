"""The design system's components as template tags (issue 16). Each renders one partial of
``frontend/templates/components/``; ``/styleguide/`` shows every one of them from the same partials, and no page
writes its own badge, table or error-summary markup.

Inline components::

    {% badge _("in force") "success" %}            tones: neutral, info, success, warning, danger
    {% state_badge referral %}                     one colour per referral state, the same everywhere
    {% breadcrumbs _("People") people_url person.name %}   label/url pairs; the last label is this page
    {% summary_list rows %}                        rows of (label, value)
    {% empty_state _("No people yet.") url _("Register a person") %}
    {% pagination page_obj %}                      keeps the other query parameters (filters, sorting)
    {% error_summary form other_form %}            GOV.UK pattern: every error linked to its field
                                                   (a list of messages may stand for a form: no links)
    {% form_fields form %}                         the fields, each with its label, hint, error and required mark
    {% form_fields form summary=False exclude="a,b" %}  without the summary (the page has it above), without a, b

Components with content (closed by ``{% end<name> %}``)::

    {% page_header title caption=… %}<a class="button" …>primary action</a>{% endpage_header %}
    {% card title=… %}…{% endcard %}
    {% confirm_panel title=… %}what happens, the form{% endconfirm_panel %}
    {% table _("Who") _("When") caption=… scroll=False id=… body_id=… tbody_hx_get=… %}<tr>…</tr>{% endtable %}
    {% table columns=cols %}…{% endtable %}       the columns as a list; a sortable column, here or as an
                                                   argument, is {"label", "url", "sort"} (aria-sort)

Charts (``{% load charts %}``, ``frontend/templatetags/charts.py``)::

    {% bar_chart title rows _("Partner") _("median") _("p90") unit=_("days") decimals=1 %}
                                                   horizontal bars in SVG, the same numbers in a table after it

``table`` writes the table, its caption, its header row and, on each cell of the rows it wraps, the column's
name as ``data-label``: on a phone the rows stack as label + value (``scroll=True`` keeps the columns and scrolls
inside its own labelled region instead, for tables whose columns must stay side by side).
"""

from __future__ import annotations

import datetime
import itertools
import re
from typing import Any

from django import template
from django.forms import BaseForm
from django.template.base import FilterExpression, Node, NodeList, Parser, Token, render_value_in_context
from django.template.context import Context
from django.template.defaultfilters import date as date_filter
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from referrals.choices import State

register = template.Library()
_ids = itertools.count(1)

TONES = {"neutral", "info", "success", "warning", "danger"}


def _badge_html(
    context: Context,
    label: Any,
    modifier: str,
    *,
    id: Any = "",
    value_id: Any = "",
    hidden: Any = False,
    prefix: Any = "",
    state: Any = "",
) -> SafeString:
    """The badge's markup, as ``components/badge.html`` (the styleguide's reference) writes it. In Python because a
    list renders one or more per row: through the template engine (an inclusion tag: a new context, the partial's
    nodes) 50 rows' badges cost about 1 ms of CPU, written here a fifth of it (docs/performance.md, issue 19).
    Each value goes out as ``{{ value }}`` would (localized, escaped when the page escapes)."""

    def text(value: Any) -> str:
        return render_value_in_context(value, context)

    return mark_safe(  # noqa: S308 - every value passes through render_value_in_context (escaped)
        f'<span class="badge badge--{text(modifier)}"'
        + (f' id="{text(id)}"' if id else "")
        + (" hidden" if hidden else "")
        + (f' data-state="{text(state)}"' if state else "")
        + ">"
        + (f'<span class="visually-hidden">{text(prefix)} </span>' if prefix else "")
        + (f'<span id="{text(value_id)}">{text(label)}</span>' if value_id else text(label))
        + "</span>\n"  # the partial's last line ends as a file does
    )


@register.simple_tag(takes_context=True)
def badge(
    context: Context,
    label: Any,
    tone: str = "neutral",
    *,
    id: str = "",
    value_id: str = "",
    hidden: bool = False,
    prefix: Any = "",
) -> SafeString:
    """``id``/``value_id`` name the badge and its value for a script that updates it live (the unread count);
    ``hidden`` hides it (a count of 0); ``prefix`` is read by screen readers only ("unread:")."""
    modifier = tone if tone in TONES else "neutral"
    return _badge_html(context, label, modifier, id=id, value_id=value_id, hidden=hidden, prefix=prefix)


_STATE_LABELS = dict(State.choices)


@register.simple_tag(takes_context=True)
def state_badge(context: Context, referral: Any, label: Any = None) -> SafeString:
    """A referral's state: ``referral`` is a referral (or list row) with ``state``, or the state code itself."""
    state = getattr(referral, "state", referral)
    if label is None:
        if hasattr(referral, "get_state_display"):
            label = referral.get_state_display()
        else:  # a state code (or a row of values): the state's own name, in the page's language
            label = _STATE_LABELS.get(state, state)
    return _badge_html(context, label, f"state-{state}", state=state)


@register.filter(expects_localtime=True)
def day(value: Any, format: str = "d.m.Y") -> str:
    """``{{ when|day }}`` (or ``|day:"d.m.Y H:i"``) writes what ``|date:"d.m.Y"`` does for the two formats a list
    repeats per row, at a tenth of its CPU: Django's ``date`` filter parses its format and builds a formatter per
    value (30 µs; 100 dates made 3 ms of the inbox page). Digits only, so no language enters; other formats and
    values that are not dates go to ``date``."""
    if format == "d.m.Y" and isinstance(value, datetime.date):
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
    if format == "d.m.Y H:i" and isinstance(value, datetime.datetime):
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d} {value.hour:02d}:{value.minute:02d}"
    return date_filter(value, format)


@register.inclusion_tag("components/breadcrumbs.html")
def breadcrumbs(*parts: Any) -> dict[str, Any]:
    items = [{"label": parts[i], "url": parts[i + 1]} for i in range(0, len(parts) - 1, 2)]
    current = parts[-1] if len(parts) % 2 else None
    return {"items": items, "current": current}


@register.inclusion_tag("components/summary_list.html")
def summary_list(rows: Any) -> dict[str, Any]:
    return {"rows": rows}


@register.inclusion_tag("components/empty_state.html")
def empty_state(message: Any, action_url: str | None = None, action_label: Any = None) -> dict[str, Any]:
    return {"message": message, "action_url": action_url, "action_label": action_label}


@register.inclusion_tag("components/pagination.html", takes_context=True)
def pagination(context: Context, page_obj: Any, param: str = "page") -> dict[str, Any]:
    request = context.get("request")
    query = request.GET.copy() if request is not None else None

    def link(number: int) -> str:
        if query is None:
            return f"?{param}={number}"
        query[param] = str(number)
        return "?" + query.urlencode()

    pages: list[dict[str, Any]] = []
    if page_obj is not None and page_obj.paginator.num_pages > 1:
        current = page_obj.number
        last = page_obj.paginator.num_pages
        shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
        previous = 0
        for number in shown:
            if number - previous > 1:
                pages.append({"gap": True})
            pages.append({"number": number, "url": link(number), "current": number == current})
            previous = number
    return {
        "page_obj": page_obj,
        "pages": pages,
        "previous_url": link(page_obj.previous_page_number()) if page_obj and page_obj.has_previous() else None,
        "next_url": link(page_obj.next_page_number()) if page_obj and page_obj.has_next() else None,
    }


def _errors_of(forms: tuple[Any, ...]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    for form in forms:
        if isinstance(form, list | tuple):  # messages without a field (a period that does not parse, say)
            errors.extend({"message": message, "target": None} for message in form)
            continue
        if not isinstance(form, BaseForm) or not form.is_bound or not form.errors:
            continue
        for message in form.non_field_errors():
            errors.append({"message": message, "target": None})
        for field in form:
            for message in field.errors:
                target = field.id_for_label or field.auto_id
                if field.field.widget.use_fieldset and field.subwidgets:
                    target = field.subwidgets[0].id_for_label or target
                errors.append({"message": message, "target": target})
    return errors


@register.inclusion_tag("components/error_summary.html")
def error_summary(*forms: Any) -> dict[str, Any]:
    return {"errors": _errors_of(forms)}


@register.inclusion_tag("components/form_fields.html")
def form_fields(form: BaseForm, summary: bool = True, exclude: str = "") -> dict[str, Any]:
    """``exclude``: names of fields, comma-separated, that the page draws itself (a choice laid out as a table)."""
    left_out = {name.strip() for name in exclude.split(",") if name.strip()}
    fields = [field for field in form.visible_fields() if field.name not in left_out]
    return {"form": form, "fields": fields, "errors": _errors_of((form,)) if summary else []}


class ComponentNode(Node):
    """A component with content: renders its partial with ``content`` = what the tag encloses."""

    def __init__(
        self, template_name: str, nodelist: NodeList, args: list[FilterExpression], kwargs: dict[str, FilterExpression]
    ) -> None:
        self.template_name = template_name
        self.nodelist = nodelist
        self.args = args
        self.kwargs = kwargs

    def values(self, context: Context) -> tuple[list[Any], dict[str, Any]]:
        return ([a.resolve(context) for a in self.args], {k: v.resolve(context) for k, v in self.kwargs.items()})

    def extra_values(self, content: SafeString, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        return {"args": args}

    def render(self, context: Context) -> str:
        content = mark_safe(self.nodelist.render(context))  # noqa: S308 - rendered by the template engine
        args, kwargs = self.values(context)
        values = {**kwargs, **self.extra_values(content, args, kwargs), "content": content, "uid": next(_ids)}
        with context.push(**values):
            # As Django's inclusion tags do: the engine's own Template renders with this Context.
            assert context.template is not None
            return context.template.engine.get_template(self.template_name).render(context)


_CELL = re.compile(r"<(td|th)(?=[\s>])([^>]*)>", re.IGNORECASE)
_ROW = re.compile(r"<tr(?=[\s>])[^>]*>", re.IGNORECASE)


_COLSPAN = re.compile(r'colspan\s*=\s*"?(\d+)')


def label_cells(html: str, columns: list[str]) -> str:
    """Give each cell of each row its column's name (``data-label``), counting colspans."""
    names = [escape(name) for name in columns]  # once per table, not once per cell
    out: list[str] = []
    rows = _ROW.split(html)
    starts = _ROW.findall(html)
    out.append(rows[0])
    for start, body in zip(starts, rows[1:], strict=True):
        position = 0

        def label(match: re.Match[str]) -> str:
            nonlocal position
            tag, attrs = match.group(1), match.group(2)
            span = _COLSPAN.search(attrs) if "colspan" in attrs else None
            width = int(span.group(1)) if span else 1
            name = names[position] if width == 1 and position < len(names) else ""
            position += width
            if "data-label" in attrs:
                return match.group(0)
            return f'<{tag}{attrs} data-label="{name}">'

        out.append(start + _CELL.sub(label, body))
    return "".join(out)


class TableNode(ComponentNode):
    def extra_values(self, content: SafeString, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        # A column is its label, or a mapping {"label", "url", "sort"} for a column the list sorts by: its header
        # links to ``url`` and carries aria-sort="<sort>" ("ascending", "descending") when the list is so sorted.
        heads: list[dict[str, Any]] = [
            {"label": str(a["label"]), "numeric": False, "url": a.get("url"), "sort": a.get("sort")}
            if isinstance(a, dict)
            else {"label": str(a), "numeric": False}
            for a in [*args, *(kwargs.get("columns") or [])]
        ]
        columns = [str(head["label"]) for head in heads]
        # tbody_hx_get="…" → hx-get="…" on the <tbody> (a list refreshed in place, rows that arrive live).
        attrs = " ".join(
            f'{key[6:].replace("_", "-")}="{escape(value)}"'
            for key, value in kwargs.items()
            if key.startswith("tbody_")
        )
        return {
            "body_attrs": mark_safe(attrs),  # noqa: S308 - names from the template, values escaped
            "columns": heads,
            "rows": mark_safe(label_cells(str(content), columns)),  # noqa: S308 - our own attributes on rendered HTML
        }


def _component(name: str, node_class: type[ComponentNode] = ComponentNode) -> None:
    def compile_tag(parser: Parser, token: Token) -> ComponentNode:
        bits = token.split_contents()[1:]
        args: list[FilterExpression] = []
        kwargs: dict[str, FilterExpression] = {}
        for bit in bits:
            key, sep, value = bit.partition("=")
            if sep and re.fullmatch(r"\w+", key):
                kwargs[key] = parser.compile_filter(value)
            else:
                args.append(parser.compile_filter(bit))
        nodelist = parser.parse((f"end{name}",))
        parser.delete_first_token()
        if name in ("page_header", "card") and args and "title" not in kwargs:
            kwargs["title"] = args.pop(0)
        return node_class(f"components/{name}.html", nodelist, args, kwargs)

    register.tag(name, compile_tag)


_component("page_header")
_component("card")
_component("confirm_panel")
_component("table", TableNode)
