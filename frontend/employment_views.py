"""Pages of supported employment (issue 7): the employer's placements, a placement's candidates with stage
moves (HTMX), the searchable list of open placements, proposing a person, a candidate with the timeline, the job
coach's caseload and the employer's CSV export.

A candidate is shown from ``employment.selectors.candidate_data`` only: never health data, whoever looks.
"""

from __future__ import annotations

import csv
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.actions import performs
from core.errors import DomainError
from core.exports import csv_cell, csv_row
from core.scope import scope_for
from employment import applications
from employment import placements as placement_services
from employment.access import get_application_for, is_proposer_side, may_propose_in, proposer_network_ids
from employment.figures import employment_figures
from employment.models import (
    EMPLOYED,
    ApplicationReason,
    ApplicationReasonOrigin,
    ContactMode,
    ContractForm,
    JobPlacement,
    Stage,
    SupportOffered,
)
from employment.retention import next_checkpoint
from employment.selectors import (
    application_list,
    candidate_data,
    coach_choices,
    coordinated_networks,
    employer_networks,
    follow_along_contacts,
    proposable_people,
    timeline_data,
)
from frontend.errors import as_messages, on_form
from frontend.types import AuthedRequest
from network.models import Network
from notifications.services import notifications_mark_read_about
from partners.models import Partner, User
from people.audit import log_access, log_access_many
from people.models import AccessAction, Person, PreferredContact

PAGE_SIZE = 50
STAGE_LABELS = dict(Stage.choices)


# --- forms ----------------------------------------------------------------------------------------


class PlacementForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Position"), max_length=200)
    workplace = forms.CharField(
        label=gettext_lazy("Workplace"),
        max_length=200,
        help_text=gettext_lazy("E.g. the warehouse, the shop, the office."),
    )
    description = forms.CharField(
        label=gettext_lazy("Duties and requirements"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    street = forms.CharField(label=gettext_lazy("Street and number"), max_length=200, required=False)
    postal_code = forms.CharField(label=gettext_lazy("Postal code"), max_length=6, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=100, required=False)
    hours_per_week = forms.IntegerField(label=gettext_lazy("Hours per week"), help_text=gettext_lazy("1 to 60."))
    contract_form = forms.ChoiceField(label=gettext_lazy("Form of employment"), choices=ContractForm.choices)
    support_offered = forms.MultipleChoiceField(
        label=gettext_lazy("Support offered"),
        choices=SupportOffered.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    positions = forms.IntegerField(label=gettext_lazy("Positions"), initial=1)
    closing_date = forms.DateField(
        label=gettext_lazy("Closing date"),
        required=False,
        help_text=gettext_lazy("Empty: open until you close it."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class NewPlacementForm(PlacementForm):
    employer = forms.ModelChoiceField(label=gettext_lazy("Employer"), queryset=Partner.objects.none())
    network = forms.ModelChoiceField(label=gettext_lazy("Network"), queryset=Network.objects.none())

    field_order = ["employer", "network"]

    def __init__(self, *args: Any, employers: QuerySet[Partner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        employer_field, network_field = self.fields["employer"], self.fields["network"]
        assert isinstance(employer_field, forms.ModelChoiceField)
        assert isinstance(network_field, forms.ModelChoiceField)
        employer_field.queryset = employers.order_by("name")
        networks = employer_networks(employers)
        network_field.queryset = networks
        # One employer and one network (the usual case): nothing to choose.
        if len(employer_field.queryset) == 1:
            employer_field.initial = employer_field.queryset[0]
            employer_field.widget = forms.HiddenInput()
        if len(networks) <= 1:
            network_field.required = False
            network_field.widget = forms.HiddenInput()
            if networks:
                network_field.initial = networks[0]


class PlacementFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    contract_form = forms.ChoiceField(label=gettext_lazy("Form of employment"), required=False)
    support = forms.ChoiceField(label=gettext_lazy("Support offered"), required=False)
    show = forms.ChoiceField(
        label=gettext_lazy("Show"),
        required=False,
        choices=[("open", gettext_lazy("open placements")), ("all", gettext_lazy("all placements"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contract, support = self.fields["contract_form"], self.fields["support"]
        assert isinstance(contract, forms.ChoiceField) and isinstance(support, forms.ChoiceField)
        contract.choices = [("", gettext_lazy("any form")), *ContractForm.choices]
        support.choices = [("", gettext_lazy("any support")), *SupportOffered.choices]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        year = obj.year_of_birth
        return f"{obj.last_name} {obj.first_name}" + (f" ({year})" if year else "")


class CoachChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class ProposeForm(forms.Form):
    person = PersonChoiceField(label=gettext_lazy("Person"), queryset=Person.objects.none())
    note = forms.CharField(
        label=gettext_lazy("Note for the employer"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The employer reads it. Do not write about health or diagnosis."),
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("Move to"), choices=Stage.choices)
    reason_code = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        required=False,
        # No reason is chosen in advance (issue 16): the first option is empty and the service refuses it.
        choices=[("", gettext_lazy("— choose —")), *ApplicationReason.choices],
    )
    reason_origin = forms.ChoiceField(
        label=gettext_lazy("The reason came from"),
        required=False,
        choices=[("", "—"), *ApplicationReasonOrigin.choices],
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)
    starts_on = forms.DateField(
        label=gettext_lazy("Contract starts on (for a hire)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, moves: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if moves is not None:
            field = self.fields["stage"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(stage, STAGE_LABELS[stage]) for stage in moves]


class CoachForm(forms.Form):
    coach = CoachChoiceField(label=gettext_lazy("Job coach"), queryset=User.objects.none())

    def __init__(self, *args: Any, network_id: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["coach"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = coach_choices(network_id)


class ContactForm(forms.Form):
    occurred_on = forms.DateField(
        label=gettext_lazy("Date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=1, max_value=24 * 60)
    mode = forms.ChoiceField(label=gettext_lazy("Form of contact"), choices=ContactMode.choices)
    note = forms.CharField(
        label=gettext_lazy("Note (not shown to the employer)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- helpers --------------------------------------------------------------------------------------


def _row(user: User, application: Any) -> dict[str, Any]:
    data = candidate_data(user, application)
    checkpoint = next_checkpoint(application)
    return {
        "app": application,
        "c": data,
        "moves": [(stage, STAGE_LABELS[stage]) for stage in data["moves"]],
        "move_codes": list(data["moves"]),
        "next_check": checkpoint[1] if checkpoint else None,
    }


def _rows(user: User, items: list[Any]) -> list[dict[str, Any]]:
    return [_row(user, application) for application in items]


def _valid(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError(
            [f"{form.fields[name].label}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items()]
        )
    return form.cleaned_data


def _placement_context(request: AuthedRequest, placement: JobPlacement) -> dict[str, Any]:
    user = request.user
    items = list(application_list(user, placement=placement))
    log_access_many(user=user, people=[a.person for a in items], action=AccessAction.VIEW, view="placement-candidates")
    return {
        "placement": placement,
        "rows": _rows(user, items),
        "can_manage": placement_services.can_manage_placement(user, placement),
        "can_propose": placement.is_accepting and may_propose_in(user, placement.network_id),
        "reason_choices": MoveForm.base_fields["reason_code"].choices,  # type: ignore[attr-defined]
        "origin_choices": ApplicationReasonOrigin.choices,
    }


# --- placements -----------------------------------------------------------------------------------


@login_required
@require_safe
def placement_list(request: AuthedRequest) -> HttpResponse:
    """The employer's own placements; for coordinators, the labour office and job coaches the open placements of
    their networks, searchable."""
    user = request.user
    employers = list(placement_services.employer_partners_of(user))
    scope = scope_for(user)
    sees_network = bool(scope.coordinated_network_ids or proposer_network_ids(user))
    data = request.GET.copy()
    if "show" not in data:
        data["show"] = "open" if sees_network else "all"
    form = PlacementFilterForm(data)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    placements = placement_services.placement_list(
        user,
        q=cleaned.get("q", ""),
        contract_form=cleaned.get("contract_form", ""),
        support=cleaned.get("support", ""),
        open_only=cleaned.get("show") != "all",
    )
    page = Paginator(placements, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_post": bool(employers),
        "is_coordinator": scope.is_coordinator,
    }
    template = "employment/_placement_rows.html" if request.htmx else "employment/placement_list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
@performs(placement_services.placement_create)
def placement_create(request: AuthedRequest) -> HttpResponse:
    employers = placement_services.employer_partners_of(request.user)
    if not employers.exists():
        raise PermissionDenied
    form = NewPlacementForm(request.POST or None, employers=employers)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        employer, network = data.pop("employer"), data.pop("network")
        try:
            placement = placement_services.placement_create(
                actor=request.user, employer=employer, data=data, network=network
            )
        except ValidationError as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The placement was posted."))
            return redirect("placement-detail", placement_id=placement.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "employment/placement_form.html", {"form": form, "placement": None}, status=status)


@login_required
@require_safe
def placement_detail(request: AuthedRequest, placement_id: UUID) -> HttpResponse:
    placement = placement_services.get_placement_for(request.user, placement_id)
    with transaction.atomic():
        context = _placement_context(request, placement)
        # Opening the placement reads what the reader was told about it and about its candidates listed here.
        notifications_mark_read_about(
            actor=request.user,
            objects=[
                ("jobplacement", placement.pk),
                *(("placementapplication", row["app"].pk) for row in context["rows"]),
            ],
        )
    return render(request, "employment/placement_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@performs(placement_services.placement_update)
def placement_edit(request: AuthedRequest, placement_id: UUID) -> HttpResponse:
    placement = placement_services.get_placement_for(request.user, placement_id)
    if not placement_services.can_manage_placement(request.user, placement):
        raise PermissionDenied
    initial = {name: getattr(placement, name) for name in placement_services.PLACEMENT_FIELDS}
    form = PlacementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            placement_services.placement_update(actor=request.user, placement=placement, data=form.cleaned_data)
        except ValidationError as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The placement was saved."))
            return redirect("placement-detail", placement_id=placement.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "employment/placement_form.html", {"form": form, "placement": placement}, status=status)


@login_required
@require_POST
@performs(placement_services.placement_close, placement_services.placement_reopen)
def placement_close(request: AuthedRequest, placement_id: UUID) -> HttpResponse:
    """Close a placement (or reopen it with ``reopen``): no new candidates while closed."""
    placement = placement_services.get_placement_for(request.user, placement_id)
    try:
        if request.POST.get("reopen"):
            placement_services.placement_reopen(actor=request.user, placement=placement)
            messages.success(request, _("The placement is open again."))
        else:
            placement_services.placement_close(actor=request.user, placement=placement)
            messages.success(request, _("The placement was closed: no new candidates can be proposed."))
    except (ValidationError, DomainError) as exc:
        as_messages(request, exc)
    return redirect("placement-detail", placement_id=placement.pk)


@login_required
@require_http_methods(["GET", "POST"])
@performs(applications.application_propose)
def placement_propose(request: AuthedRequest, placement_id: UUID) -> HttpResponse:
    user = request.user
    placement = placement_services.get_placement_for(user, placement_id)
    if not may_propose_in(user, placement.network_id):
        raise PermissionDenied
    initial = {"person": request.GET.get("person")} if request.GET.get("person") else None
    form = ProposeForm(request.POST or None, initial=initial, people=proposable_people(user, placement))
    if request.method == "POST" and form.is_valid():
        try:
            applications.application_propose(
                actor=user, placement=placement, person=form.cleaned_data["person"], note=form.cleaned_data["note"]
            )
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The person was proposed to %(employer)s.") % {"employer": placement.employer})
            return redirect("placement-detail", placement_id=placement.pk)
    status = 400 if request.method == "POST" else 200
    context = {"placement": placement, "form": form}
    return render(request, "employment/propose.html", context, status=status)


@login_required
@require_safe
def placement_candidates_csv(request: AuthedRequest, placement_id: UUID) -> HttpResponse:
    """The employer's export of its candidates: the same employer-safe fields as the pages."""
    user = request.user
    placement = placement_services.get_placement_for(user, placement_id)
    if not (
        placement_services.can_manage_placement(user, placement) or scope_for(user).coordinates(placement.network_id)
    ):
        raise PermissionDenied
    contact_labels = dict(PreferredContact.choices)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="candidates-{placement.pk}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 with the byte-order mark
    writer = csv.writer(response, delimiter=";")
    # Every cell through core.exports.csv_cell: a name or a skill typed as "=HYPERLINK(…)" stays text.
    writer.writerow(
        csv_row(
            [
                _("First name"),
                _("Last name"),
                _("Phone"),
                _("E-mail"),
                _("Preferred contact"),
                _("Skills and work experience"),
                _("Support needed at work"),
                _("Stage"),
                _("Proposed on"),
                _("Hired on"),
                _("Job coach"),
                _("Job coach's e-mail"),
            ]
        )
    )
    with transaction.atomic():
        items = list(application_list(user, placement=placement))
        log_access_many(
            user=user, people=[a.person for a in items], action=AccessAction.EXPORT, view="placement-candidates-csv"
        )
    for application in items:
        c = candidate_data(user, application)
        coach = c["job_coach"] or {}
        writer.writerow(
            [
                csv_cell(value)
                for value in (
                    c["first_name"],
                    c["last_name"],
                    c["phone"],
                    c["email"],
                    contact_labels.get(c["preferred_contact"], "") if c["preferred_contact"] else "",
                    c["skills_experience"],
                    c["work_support_needs"],
                    c["stage_label"],
                    application.created_at.date().isoformat(),
                    c["hired_on"] or "",
                    coach.get("name", ""),
                    coach.get("email", ""),
                )
            ]
        )
    return response


# --- candidates -----------------------------------------------------------------------------------


def _application_context(request: AuthedRequest, application: Any) -> dict[str, Any]:
    user = request.user
    data = candidate_data(user, application)
    coach_form = None
    if application.stage in (Stage.OFFERED, *EMPLOYED) and is_proposer_side(user, application):
        coach_form = CoachForm(
            network_id=application.network_id, prefix="coach", initial={"coach": application.job_coach_id}
        )
    follow_along = placement_services.can_record_follow_along(user, application)
    timeline = timeline_data(user, application)
    for event in timeline:
        event["when"] = parse_datetime(event["at"])
    checkpoint = next_checkpoint(application)
    return {
        "app": application,
        "c": data,
        "next_check": checkpoint[1] if checkpoint else None,
        "timeline": timeline,
        "move_form": MoveForm(moves=data["moves"]) if data["moves"] else None,
        "coach_form": coach_form,
        "contact_form": ContactForm(prefix="contact") if follow_along else None,
        "contacts": list(follow_along_contacts(application)) if follow_along else [],
    }


@login_required
@require_safe
def application_detail(request: AuthedRequest, application_id: UUID) -> HttpResponse:
    application = get_application_for(request.user, application_id)
    with transaction.atomic():
        log_access(
            user=request.user,
            person=application.person,
            action=AccessAction.VIEW,
            view="application-detail",
            detail=f"placement-application:{application.pk}",
        )
        notifications_mark_read_about(actor=request.user, objects=[("placementapplication", application.pk)])
    return render(request, "employment/application_detail.html", _application_context(request, application))


@login_required
@require_POST
@performs(applications.application_advance)
def application_move(request: AuthedRequest, application_id: UUID) -> HttpResponse:
    """A stage move from a candidate row (HTMX swaps the row) or the candidate's page."""
    user = request.user
    application = get_application_for(user, application_id)
    status = 200
    try:
        form = MoveForm(request.POST)
        data = _valid(form)
        moved = applications.application_advance(actor=user, application=application, **data)
    except PermissionDenied:
        raise
    except (ValidationError, DomainError) as exc:
        status = as_messages(request, exc)
    else:
        messages.success(
            request, _("Done: the candidate is now at the stage “%(stage)s”.") % {"stage": STAGE_LABELS[moved.stage]}
        )
    on_detail_page = request.POST.get("context") == "detail"
    if not request.htmx:
        if on_detail_page:
            try:
                get_application_for(user, application_id)
            except Http404:
                return redirect("placement-list")
            return redirect("application-detail", application_id=application_id)
        return redirect("placement-detail", placement_id=application.placement_id)
    try:
        fresh = get_application_for(user, application_id)
    except Http404:
        # The move ended this user's access (the employer declined): the row says so and goes.
        return render(request, "employment/_candidate_gone.html", {"app": application}, status=status)
    context = {
        "row": _row(user, fresh),
        "reason_choices": MoveForm.base_fields["reason_code"].choices,  # type: ignore[attr-defined]
        "origin_choices": ApplicationReasonOrigin.choices,
        "show_messages": True,
    }
    return render(request, "employment/_candidate_row.html", context, status=status)


@login_required
@require_POST
@performs(placement_services.job_coach_assign)
def application_coach(request: AuthedRequest, application_id: UUID) -> HttpResponse:
    user = request.user
    application = get_application_for(user, application_id)
    form = CoachForm(request.POST, network_id=application.network_id, prefix="coach")
    try:
        coach = _valid(form)["coach"]
        placement_services.job_coach_assign(actor=user, application=application, coach=coach)
    except (ValidationError, DomainError) as exc:
        as_messages(request, exc)
    else:
        messages.success(request, _("%(coach)s is the job coach now.") % {"coach": coach.get_full_name() or coach})
    return redirect("application-detail", application_id=application.pk)


@login_required
@require_POST
@performs(placement_services.follow_along_record)
def application_contact(request: AuthedRequest, application_id: UUID) -> HttpResponse:
    user = request.user
    application = get_application_for(user, application_id)
    form = ContactForm(request.POST, prefix="contact")
    try:
        data = _valid(form)
        placement_services.follow_along_record(actor=user, application=application, **data)
    except (ValidationError, DomainError) as exc:
        as_messages(request, exc)
    else:
        messages.success(request, _("The follow-along contact was recorded."))
    return redirect("application-detail", application_id=application.pk)


# --- the job coach --------------------------------------------------------------------------------


@login_required
@require_safe
def coach_caseload(request: AuthedRequest) -> HttpResponse:
    """A job coach's people now; for coordinators, every coach of their networks (flagged above 20 people) and the
    network's supported-employment figures."""
    user = request.user
    scope = scope_for(user)
    is_coach = bool(scope.job_coach_partner_ids)
    if not is_coach and not scope.coordinated_network_ids:
        raise PermissionDenied
    own = list(placement_services.coach_caseload(user)) if is_coach else []
    own_people = len({a.person_id for a in own if a.stage != Stage.OFFERED})
    networks = list(coordinated_networks(user))
    year = timezone.localdate().year
    context = {
        "own": _rows(user, own),
        "own_people": own_people,
        "own_over_limit": own_people > placement_services.CASELOAD_LIMIT,
        "is_coach": is_coach,
        "limit": placement_services.CASELOAD_LIMIT,
        "year": year,
        "networks": [(network, employment_figures(network, year=year)) for network in networks],
    }
    return render(request, "employment/caseload.html", context)
