"""Pages about assessments: record a result for a person, and their progress per domain (table + SVG chart).

Results are health data: a user whose access to the person lacks the ``health`` category gets 404 here and no
section on the person page. Every read and every change writes an access-log row.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from core.actions import performs
from core.errors import DomainError
from frontend.errors import on_form
from frontend.forms import DateInput
from frontend.types import AuthedRequest
from people.access import PersonAccess
from people.assessments import (
    AssessmentHistory,
    assessed_on_error,
    assessment_histories,
    assessment_profile,
    assessment_record,
    get_person_with_health,
    instrument_to_record,
    pick,
    progress_svg,
    with_levels,
)
from people.audit import log_access
from people.models import AccessAction, DataCategory, Instrument, Person

# Up to this many levels a domain is answered with radio buttons, one per level; wider scales take a number.
MAX_RADIO_LEVELS = 11


def person_url(person: Person) -> str:
    """The person page at its assessments section, or this module's history page when there is no person page."""
    try:
        return reverse("person-detail", args=[person.pk]) + "#assessments"
    except NoReverseMatch:
        return reverse("person-assessments", args=[person.pk])


# --- the section on the person page ---------------------------------------------------------------


def _chart(history: AssessmentHistory, language: str) -> dict[str, Any]:
    domains = [series.name(language) for series in history.domains]
    return {
        "name": history.name(language),
        "description": pick(history.instrument.description_pl, history.instrument.description_en, language),
        "profile": assessment_profile(history, language),
        "svg": mark_safe(progress_svg(history, language)),  # noqa: S308 -- every text in it is escaped
        "dates": [row.assessed_on for row in history.rows],
        "date_labels": [date_format(row.assessed_on, "d.m.Y") for row in history.rows],
        "by_domain": [(name, [row.values[i] for row in history.rows]) for i, name in enumerate(domains)],
        "rows": history.rows,
        "scale_min": history.instrument.scale_min,
        "scale_max": history.instrument.scale_max,
    }


def assessment_section_context(access: PersonAccess) -> dict[str, Any]:
    """Context of ``assessments/_person_section.html`` for the person page: empty (no section) without health.

    Reads only; the page that includes it writes the access-log row for the page view. Three queries.
    """
    if not access.can_read(DataCategory.HEALTH):
        return {}
    person = access.person
    language = translation.get_language() or "pl"
    charts = [_chart(history, language) for history in assessment_histories(person)]
    add_url = None
    if not person.anonymised_at:
        try:
            add_url = reverse("assessment-new", args=[person.pk])
        except NoReverseMatch:  # the assessment pages are not routed in this configuration
            add_url = None
    return {"person": person, "charts": charts, "add_url": add_url}


@login_required
@require_safe
def assessment_history_page(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    """The person's assessments on a page of their own (an HTMX request gets the section alone)."""
    with transaction.atomic():
        access = get_person_with_health(request.user, person_id)
        log_access(user=request.user, person=access.person, action=AccessAction.VIEW, view="person-assessments")
    section = assessment_section_context(access)
    if request.htmx:
        return render(request, "assessments/_person_section.html", {"section": section})
    context = {"person": access.person, "section": section, "back_url": person_url(access.person)}
    return render(request, "assessments/history.html", context)


# --- recording a result ---------------------------------------------------------------------------


class AssessmentForm(forms.Form):
    """The date, a level per domain of the instrument (fields ``score_<code>``), and a note."""

    assessed_on = forms.DateField(label=gettext_lazy("Assessment date"), widget=DateInput())
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Only people who may see health information read it."),
    )

    def __init__(self, *args: Any, instrument: Instrument, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessed_on"].initial = timezone.localdate()
        self.instrument = instrument
        self.domains: list[dict[str, Any]] = []
        levels = range(instrument.scale_min, instrument.scale_max + 1)
        radios = len(levels) <= MAX_RADIO_LEVELS
        for domain in instrument.loaded_domains:  # type: ignore[attr-defined]
            descriptions = {
                level.value: pick(level.description_pl, level.description_en, language) for level in domain.levels.all()
            }
            name = pick(domain.name_pl, domain.name_en, language)
            field: forms.Field
            if radios:
                field = forms.TypedChoiceField(
                    label=name,
                    choices=[(value, descriptions.get(value, "")) for value in levels],
                    coerce=int,
                    widget=forms.RadioSelect,
                    error_messages={"required": _("Choose a level for this domain.")},
                )
            else:
                field = forms.IntegerField(label=name, min_value=instrument.scale_min, max_value=instrument.scale_max)
            field_name = f"score_{domain.code}"
            self.fields[field_name] = field
            self.domains.append(
                {"code": domain.code, "name": name, "field_name": field_name, "anchors": sorted(descriptions.items())}
            )
        # The note after the domains, as on paper.
        self.order_fields(["assessed_on", *(d["field_name"] for d in self.domains), "note"])
        self.radios = radios

    def clean_assessed_on(self) -> Any:
        # The service's own check, asked here so that it shows next to the field together with the other mistakes.
        day = self.cleaned_data["assessed_on"]
        error = assessed_on_error(day)
        if error is not None:
            raise error
        return day

    def domain_fields(self) -> list[dict[str, Any]]:
        return [{**domain, "field": self[domain["field_name"]]} for domain in self.domains]

    def scores(self) -> dict[str, Any]:
        return {domain["code"]: self.cleaned_data.get(domain["field_name"]) for domain in self.domains}


@login_required
@require_http_methods(["GET", "POST"])
@performs(assessment_record)
def assessment_new(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    with transaction.atomic():
        access = get_person_with_health(request.user, person_id)
        person = access.person
        if request.method == "GET":
            log_access(user=request.user, person=person, action=AccessAction.VIEW, view="assessment-new")
    if person.anonymised_at:
        messages.error(request, _("This person's data was anonymised and cannot be changed."))
        return redirect(person_url(person))
    wanted = request.POST.get("instrument") if request.method == "POST" else request.GET.get("instrument")
    instrument, available = instrument_to_record(person, wanted)
    if instrument is None:
        raise Http404
    language = translation.get_language() or "pl"
    with_levels(instrument)
    form = AssessmentForm(request.POST or None, instrument=instrument, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            assessment_record(
                actor=request.user,
                person=person,
                instrument=instrument,
                assessed_on=form.cleaned_data["assessed_on"],
                scores=form.scores(),
                note=form.cleaned_data["note"],
            )
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The assessment was saved."))
            return redirect(person_url(person))
    context = {
        "person": person,
        "form": form,
        "instrument": instrument,
        "instrument_name": pick(instrument.name_pl, instrument.name_en, language),
        "instrument_description": pick(instrument.description_pl, instrument.description_en, language),
        "instruments": [(i, pick(i.name_pl, i.name_en, language)) for i in available],
        "back_url": person_url(person),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "assessments/new.html", context, status=status)
