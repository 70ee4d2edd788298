"""The network's calendar page: the public holidays and the days off the coordinator adds, which answer times in
working days skip (network/calendar.py)."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core.actions import performs
from core.errors import DomainError
from frontend.errors import as_messages, on_form
from frontend.types import AuthedRequest
from network import services as network_services
from network.access import get_day_off_for, get_network_for
from network.calendar import days_off_of_year


class DayOffForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)


@login_required
@require_http_methods(["GET", "POST"])
@performs(network_services.day_off_add)
def network_days_off(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = get_network_for(request.user, network_id, coordinate=True)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    form = DayOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            day_off = network_services.day_off_add(
                actor=request.user, network=network, day=form.cleaned_data["day"], name=form.cleaned_data["name"]
            )
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The day off was added."))
            return redirect(f"{request.path}?year={day_off.day.year}")
    context = {"network": network, "form": form, "year": year, "days": days_off_of_year(network.pk, year)}
    return render(request, "network/days_off.html", context)


@login_required
@require_POST
@performs(network_services.day_off_remove)
def network_day_off_remove(request: AuthedRequest, network_id: UUID, day_off_id: UUID) -> HttpResponse:
    network = get_network_for(request.user, network_id, coordinate=True)
    day_off = get_day_off_for(request.user, day_off_id)
    year = day_off.day.year
    try:
        network_services.day_off_remove(actor=request.user, day_off=day_off)
    except (ValidationError, DomainError) as exc:
        as_messages(request, exc)
    else:
        messages.success(request, _("The day off was removed."))
    return redirect(f"{reverse('network-days-off', args=[network.pk])}?year={year}")
