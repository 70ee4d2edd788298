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

import itertools
import re
from typing import Any

from django import template
from django.forms import BaseForm
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from referrals.choices import State

register = template.Library()
_ids = itertools.count(1)

TONES = {"neutral", "info", "success", "warning", "danger"}


@register.inclusion_tag("components/badge.html")
def badge(
    label: Any, tone: str = "neutral", *, id: str = "", value_id: str = "", hidden: bool = False, prefix: Any = ""
) -> dict[str, Any]:
    """``id``/``value_id`` name the badge and its value for a script that updates it live (the unread count);
    ``hidden`` hides it (a count of 0); ``prefix`` is read by screen readers only ("unread:")."""
    return {
        "label": label,
        "modifier": tone if tone in TONES else "neutral",
        "id": id,
        "value_id": value_id,
        "hidden": hidden,
        "prefix": prefix,
    }


@register.inclusion_tag("components/badge.html")
def state_badge(referral: Any, label: Any = None) -> dict[str, Any]:
    """A referral's state: ``referral`` is a referral (or list row) with ``state``, or the state code itself."""
    state = getattr(referral, "state", referral)
    if label is None:
        if hasattr(referral, "get_state_display"):
            label = referral.get_state_display()
        else:  # a state code (or a row of values): the state's own name, in the page's language
            label = dict(State.choices).get(state, state)
    return {"label": label, "modifier": f"state-{state}", "state": state}


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


def label_cells(html: str, columns: list[str]) -> str:
    """Give each cell of each row its column's name (``data-label``), counting colspans."""
    out: list[str] = []
    rows = _ROW.split(html)
    starts = _ROW.findall(html)
    out.append(rows[0])
    for start, body in zip(starts, rows[1:], strict=True):
        position = 0

        def label(match: re.Match[str]) -> str:
            nonlocal position
            tag, attrs = match.group(1), match.group(2)
            span = re.search(r'colspan\s*=\s*"?(\d+)', attrs)
            width = int(span.group(1)) if span else 1
            name = columns[position] if width == 1 and position < len(columns) else ""
            position += width
            if "data-label" in attrs:
                return match.group(0)
            return f'<{tag}{attrs} data-label="{escape(name)}">'

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
