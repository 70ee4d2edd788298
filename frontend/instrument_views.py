"""The instrument editor: a coordinator lists their network's assessment instruments with every version, defines a
new one (domains, scale, a description of each level) and makes a new version of one; people.assessments does the
rest (the API calls the same services). Without JavaScript the domains are one text field, a block per domain."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from core.actions import performs
from core.errors import DomainError
from core.scope import scope_for
from frontend.errors import on_form
from frontend.types import AuthedRequest
from network.access import get_network_for
from people.assessments import (
    DomainSpec,
    LevelSpec,
    get_instrument_for,
    instrument_create,
    instrument_new_version,
    instrument_specs,
    network_instruments,
)

DOMAINS_HELP = gettext_lazy(
    "One block per domain, blocks separated by an empty line. The first line of a block: the domain's code, a "
    "vertical bar and its name (e.g. “housing | Housing”); then one line per level: its number, a colon and what "
    "the level means (e.g. “1: Homeless or at risk of losing the flat”)."
)
_HEAD = re.compile(r"^\s*([^|]+?)\s*\|\s*(.+?)\s*$")
_LEVEL = re.compile(r"^\s*(\d{1,3})\s*[:.)-]\s*(.+?)\s*$")


def parse_domains(text: str) -> list[DomainSpec]:
    """The blocks of the domains field as specs; a line that fits no pattern raises a message naming it."""
    specs: list[DomainSpec] = []
    for block in re.split(r"\n\s*\n", (text or "").strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        head = _HEAD.match(lines[0])
        if head is None:
            raise ValidationError(_("Start each domain with “code | name”: %(line)s") % {"line": lines[0][:80]})
        levels: list[LevelSpec] = []
        for line in lines[1:]:
            level = _LEVEL.match(line)
            if level is None:
                raise ValidationError(_("Write each level as “number: description”: %(line)s") % {"line": line[:80]})
            levels.append(LevelSpec(int(level.group(1)), level.group(2)))
        specs.append(DomainSpec(code=head.group(1), name_pl=head.group(2), levels=tuple(levels)))
    return specs


def domains_text(specs: list[DomainSpec]) -> str:
    return "\n\n".join(
        "\n".join([f"{d.code} | {d.name_pl}", *(f"{lv.value}: {lv.description_pl}" for lv in d.levels)]) for d in specs
    )


class InstrumentForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=50)
    name_pl = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description_pl = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scale_min = forms.IntegerField(label=gettext_lazy("Lowest level"), initial=1, min_value=0, max_value=100)
    scale_max = forms.IntegerField(label=gettext_lazy("Highest level"), initial=5, min_value=0, max_value=100)
    domains = forms.CharField(
        label=gettext_lazy("Domains and levels"), widget=forms.Textarea(attrs={"rows": 18}), help_text=DOMAINS_HELP
    )

    def clean_domains(self) -> list[DomainSpec]:
        specs = parse_domains(self.cleaned_data["domains"])
        if not specs:
            raise ValidationError(_("Add at least one domain."))
        return specs

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name_pl": data["name_pl"],
            "description_pl": data["description_pl"],
            "scale_min": data["scale_min"],
            "scale_max": data["scale_max"],
            "domains": data["domains"],
        }


@login_required
@require_safe
def instrument_list(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = get_network_for(request.user, network_id, coordinate=True)
    context = {"network": network, "instruments": list(network_instruments(network))}
    return render(request, "assessments/instrument_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@performs(instrument_create)
def instrument_new(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = get_network_for(request.user, network_id, coordinate=True)
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            instrument_create(
                actor=request.user, network=network, code=form.cleaned_data["code"], **form.service_kwargs()
            )
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The instrument was saved."))
            return redirect(reverse("instrument-list", args=[network.pk]))
    context = {"network": network, "form": form, "instrument": None}
    return render(request, "assessments/instrument_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@performs(instrument_new_version)
def instrument_version(request: AuthedRequest, instrument_id: UUID) -> HttpResponse:
    instrument = get_instrument_for(request.user, instrument_id)
    if instrument.network_id is None or not scope_for(request.user).coordinates(instrument.network_id):
        raise PermissionDenied
    initial = {
        "code": instrument.code,
        "name_pl": instrument.name_pl,
        "description_pl": instrument.description_pl,
        "scale_min": instrument.scale_min,
        "scale_max": instrument.scale_max,
        "domains": domains_text(instrument_specs(instrument)),
    }
    form = InstrumentForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            instrument_new_version(actor=request.user, instrument=instrument, **form.service_kwargs())
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(
                request, _("The new version was saved; past results keep the version they were made with.")
            )
            return redirect(reverse("instrument-list", args=[instrument.network_id]))
    context = {"network": instrument.network, "form": form, "instrument": instrument}
    return render(request, "assessments/instrument_form.html", context, status=400 if form.errors else 200)
