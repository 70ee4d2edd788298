"""Pages about people: the list, registration, the person page with consent, case and plan, exports."""

from __future__ import annotations

import datetime
import json
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.actions import performs
from core.errors import DomainError, describe
from core.scope import scope_for
from core.types import AuthUser
from frontend.errors import as_messages, on_form
from frontend.people_forms import (
    CaseOpenForm,
    CloseForm,
    ConsentForm,
    DoorRegisterForm,
    GoalForm,
    GoalReviewForm,
    PeopleFilterForm,
    PersonForm,
    RegisterPersonForm,
    StageForm,
    TransferForm,
    WithdrawForm,
)
from frontend.types import AuthedRequest
from notifications.services import notifications_mark_read_about
from partners.uploads import document_response
from people import plans as plan_services
from people import services as people_services
from people.access import PersonAccess, get_person_for
from people.audit import log_access, log_access_many
from people.export import Section, person_export, person_export_sections
from people.models import PERSON_FIELD_CATEGORIES, AccessAction, DataCategory, Person
from people.selectors import (
    access_log_for,
    access_log_of,
    case_events,
    case_of,
    cases_of,
    consent_of,
    consents_of,
    door_partners,
    get_network_to_register_in,
    goal_of,
    people_filter_choices,
    person_list,
)

PAGE_SIZE = 50
SECTIONS = [
    (DataCategory.IDENTITY, _("Identity and contact")),
    (DataCategory.SOCIAL, _("Social and living situation")),
    (DataCategory.HEALTH, _("Health")),
    (DataCategory.EMPLOYMENT, _("Work")),
]


SORT_COLUMNS = {
    "name": gettext_lazy("Person"),
    "stage": gettext_lazy("Stage"),
    "registered": gettext_lazy("Registered"),
}


def _without(query: QueryDict, *names: str) -> str:
    rest = query.copy()
    for name in (*names, "page"):
        rest.pop(name, None)
    return "?" + rest.urlencode() if rest else "?"


def _chips(form: PeopleFilterForm, query: QueryDict) -> list[dict[str, str]]:
    """The active filters, each with its label, its value's label and the list without it."""
    if not form.is_valid():
        return []
    chips = []
    for name in ("q", "stage", "case_manager", "gmina", "unassigned"):
        value = form.cleaned_data.get(name)
        if not value:
            continue
        field = form.fields[name]
        shown = dict(getattr(field, "choices", [])).get(value, value) if name != "unassigned" else _("yes")
        chips.append({"label": str(field.label), "value": str(shown), "url": _without(query, name)})
    return chips


def _sort_headers(query: QueryDict, sort: str) -> dict[str, dict[str, str]]:
    """Each sortable column's link (ascending first, then the other way) and its aria-sort."""
    headers = {}
    for key, label in SORT_COLUMNS.items():
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        rest = query.copy()
        rest.pop("page", None)
        rest["sort"] = f"-{key}" if current and not descending else key
        state = ("descending" if descending else "ascending") if current else "none"
        headers[key] = {"label": str(label), "url": "?" + rest.urlencode(), "sort": state}
    return headers


def _register_network(user: AuthUser) -> Any:
    """Where "Register a person" leads: the user's (first) coordinated network, else a network whose partner they
    work for (registering at the door); None when they may register nobody."""
    scope = scope_for(user)
    if scope.coordinated_network_ids:
        return sorted(scope.coordinated_network_ids)[0]
    doors = sorted(scope.member_network_ids - scope.coordinated_network_ids) if scope.staff_partner_ids else []
    return doors[0] if doors else None


@login_required
@require_safe
def people_list(request: AuthedRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET or None, choices=people_filter_choices(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    sort = filters.get("sort") or "name"
    people = person_list(
        request.user,
        q=filters.get("q") or "",
        network=filters.get("network"),
        stage=filters.get("stage") or "",
        case_manager=filters.get("case_manager") or None,
        gmina=filters.get("gmina") or "",
        unassigned=bool(filters.get("unassigned")),
        sort=sort,
        with_open_cases=True,
    )
    with transaction.atomic():
        page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page)
        log_access_many(user=request.user, people=rows, action=AccessAction.VIEW, view="people-list")
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "chips": _chips(form, request.GET),
        "clear_url": _without(request.GET, "q", "stage", "case_manager", "gmina", "unassigned"),
        "headers": _sort_headers(request.GET, sort),
        "register_network": _register_network(request.user),
    }
    return render(request, "people/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@performs(people_services.person_register)
def person_register(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = get_network_to_register_in(request.user, network_id)
    at_door = not scope_for(request.user).coordinates(network.pk)
    form: RegisterPersonForm = (
        DoorRegisterForm(
            request.POST or None, request.FILES or None, door_partners=door_partners(request.user, network.pk)
        )
        if at_door
        else RegisterPersonForm(request.POST or None)
    )
    duplicates: list[Person] = []
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in PERSON_FIELD_CATEGORIES and v not in (None, "")}
        door: dict[str, Any] = {}
        if at_door:
            cleaned = form.cleaned_data
            door = {
                "door_partner": cleaned["door_partner"],
                "consent": {
                    "categories": cleaned["categories"],
                    "purpose": cleaned["purpose"],
                    "given_by": cleaned["given_by"],
                    "valid_until": cleaned["valid_until"],
                    "document": cleaned["document"],
                },
            }
        try:
            person = people_services.person_register(
                actor=request.user, network=network, data=data, force=form.cleaned_data["force"], **door
            )
        except people_services.DuplicatePerson as exc:
            duplicates = exc.candidates
            on_form(form, exc)
        except ValidationError as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("%(person)s was registered.") % {"person": person})
            return redirect("person-detail", person_id=person.pk)
    status = 409 if duplicates else (400 if request.method == "POST" else 200)
    context = {"network": network, "form": form, "duplicates": duplicates, "at_door": at_door}
    return render(request, "people/register.html", context, status=status)


def _sections(access: PersonAccess) -> list[tuple[str, list[tuple[str, Any]]]]:
    person = access.person
    sections = []
    for category, title in SECTIONS:
        if not access.can_read(category):
            continue
        rows = []
        for name, field_category in PERSON_FIELD_CATEGORIES.items():
            if field_category != category:
                continue
            field = Person._meta.get_field(name)
            display = getattr(person, f"get_{name}_display", None)
            value = display() if callable(display) and getattr(person, name) else getattr(person, name)
            if isinstance(value, datetime.date):
                value = formats.date_format(value, "d.m.Y")  # linebreaksbr would print it as ISO
            if value not in (None, ""):
                rows.append((str(getattr(field, "verbose_name", name)), value))
        sections.append((str(title), rows))
    return sections


@login_required
@require_safe
def person_detail(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    with transaction.atomic():
        access = get_person_for(request.user, person_id)
        person = access.person
        log_access(user=request.user, person=person, action=AccessAction.VIEW, view="person-detail")
    case, closed_cases = cases_of(person)
    events = case_events(case)
    consents = list(consents_of(person))
    # Opening the person answers what the user was told about them, their case and their consents (issue 16).
    about = [("person", person.pk), *(("consent", c.pk) for c in consents)]
    notifications_mark_read_about(actor=request.user, objects=about + ([("case", case.pk)] if case else []))
    network = person.network
    context: dict[str, Any] = {
        "consent_state": _consent_state(consents),
        "access": access,
        "person": person,
        "sections": _sections(access),
        "consents": consents,
        "case": case,
        "events": events,
        "closed_cases": closed_cases,
        **plan_services.plan_context(case),
    }
    if access.can_change_path and not person.anonymised_at:
        context.update(
            consent_form=ConsentForm(network=network, prefix="consent"),
            open_form=CaseOpenForm(network=network, prefix="open") if case is None and access.is_coordinator else None,
            stage_form=StageForm(network=network, initial={"stage": case.stage}, prefix="stage") if case else None,
            transfer_form=TransferForm(network=network, prefix="transfer") if case else None,
            goal_form=GoalForm(network=network, prefix="goal") if case else None,
            review_form=GoalReviewForm(prefix="review"),
        )
    from referrals.selectors import referral_list, referral_rows

    context["referrals"] = referral_rows(referral_list(request.user, person=person.pk)[:20])
    if access.is_coordinator:
        context["access_log"] = access_log_of(person, limit=10)
        context["merges"] = list(person.merges.select_related("actor"))
    if access.can_change_path:
        from people.visibility import who_can_see

        context.update(show_readers=True, readers=who_can_see(person))
    context.update(_extra_sections(access, request.user))
    return render(request, "people/detail.html", context)


def _consent_state(consents: list[Any]) -> str:
    """For the summary header: "live" when a consent is in force, "ended" when all have ended, else "none"."""
    if any(c.is_live() for c in consents):
        return "live"
    return "ended" if consents else "none"


@login_required
@require_safe
def person_access_log(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    """Who read or changed the person, page by page; the coordinators' alone, as on the person page and like the
    export (403 to others who see the person, 404 to those who do not)."""
    person, rows = access_log_for(request.user, person_id)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "people/access_log.html", {"person": person, "page": page})


def _extra_sections(access: PersonAccess, user: AuthUser) -> dict[str, Any]:
    """Sections contributed by assessments and activities, when those modules are present."""
    extra: dict[str, Any] = {}
    try:
        from frontend.assessment_views import assessment_section_context
    except ImportError:
        pass
    else:
        extra["assessment_section"] = assessment_section_context(access)
    try:
        from frontend.group_views import activity_section_context
    except ImportError:
        pass
    else:
        extra["activity_section"] = activity_section_context(access, user=user)
    return extra


@login_required
@require_http_methods(["GET", "POST"])
@performs(people_services.person_update)
def person_edit(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    access = get_person_for(request.user, person_id)
    if not access.can_change_path:
        raise PermissionDenied
    person = access.person
    form = PersonForm(request.POST or None, instance=None, initial=_initial(person), categories=access.categories)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in PERSON_FIELD_CATEGORIES}
        try:
            people_services.person_update(actor=request.user, person=person, data=changed)
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("person-detail", person_id=person.pk)
    elif request.method == "GET":
        log_access(user=request.user, person=person, action=AccessAction.VIEW, view="person-edit")
    status = 400 if request.method == "POST" else 200
    return render(request, "people/edit.html", {"person": person, "form": form}, status=status)


def _initial(person: Person) -> dict[str, Any]:
    return {name: getattr(person, name) for name in PERSON_FIELD_CATEGORIES}


def _back(person: Person, anchor: str) -> HttpResponse:
    return redirect(reverse("person-detail", args=[person.pk]) + f"#{anchor}")


@login_required
@require_POST
@performs(people_services.consent_record)
def consent_add(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    access = get_person_for(request.user, person_id)
    person = access.person
    form = ConsentForm(request.POST, request.FILES, network=person.network, prefix="consent")
    if form.is_valid():
        data = form.cleaned_data
        try:
            people_services.consent_record(
                actor=request.user,
                person=person,
                categories=data["categories"],
                partners=list(data["partners"]),
                partner_types=data["partner_types"],
                purpose=data["purpose"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                given_by=data["given_by"],
                document=data["document"],
            )
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The consent was recorded."))
            return _back(person, "consents")
    return render(request, "people/consent_form.html", {"person": person, "form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
@performs(people_services.consent_withdraw)
def consent_withdraw(request: AuthedRequest, person_id: UUID, consent_id: UUID) -> HttpResponse:
    """GET: the confirmation, which says what ends with the consent; POST: withdraw it."""
    access = get_person_for(request.user, person_id)
    consent = consent_of(access.person, consent_id)
    if request.method != "POST":
        if not access.can_change_path:
            raise PermissionDenied
        form = WithdrawForm(prefix="withdraw")
        return render(
            request, "people/consent_withdraw_confirm.html", {"person": access.person, "consent": consent, "form": form}
        )
    form = WithdrawForm(request.POST, prefix="withdraw")
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        people_services.consent_withdraw(actor=request.user, consent=consent, note=note)
    except DomainError as exc:
        as_messages(request, exc)
    else:
        messages.success(request, _("The consent was withdrawn. Access that depended on it has ended."))
    return _back(access.person, "consents")


@login_required
@require_safe
def consent_document(request: AuthedRequest, person_id: UUID, consent_id: UUID) -> FileResponse:
    access = get_person_for(request.user, person_id)
    if not access.can_change_path:
        raise Http404
    consent = consent_of(access.person, consent_id)
    if not consent.document:
        raise Http404
    with transaction.atomic():
        log_access(
            user=request.user, person=access.person, action=AccessAction.DOWNLOAD, detail=f"consent:{consent.pk}"
        )
    # The type is read again from the content, never from the stored name or the recorded type; always a download.
    return document_response(consent.document, stem=f"zgoda-{consent.pk}")


def _form_page(
    request: AuthedRequest,
    person: Person,
    form: Any,
    *,
    title: Any,
    action: str,
    button: Any,
    status: int = 400,
    **extra: Any,
) -> HttpResponse:
    """A person's form on a page of its own (issue 16): shown again after a refusal, with the error summary at the
    top, each error linked to its field, and nothing changed."""
    context = {"person": person, "form": form, "title": title, "action": action, "button": button, "anchor": "case"}
    context.update(extra)
    return render(request, "people/person_form.html", context, status=status)


def _refused(form: Any, exc: Exception) -> int:
    """The service's refusal on the form (403 and 404 are raised again); the status the API answers with."""
    on_form(form, exc)
    answer = describe(exc)
    return answer.status if answer is not None else 400


@login_required
@require_POST
@performs(people_services.case_open)
def case_open(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    access = get_person_for(request.user, person_id)
    person = access.person
    form = CaseOpenForm(request.POST, network=person.network, prefix="open")
    status = 400
    if form.is_valid():
        try:
            people_services.case_open(actor=request.user, person=person, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            status = _refused(form, exc)
        else:
            messages.success(request, _("The case was opened."))
            return _back(person, "case")
    action = reverse("person-case-open", args=[person.pk])
    return _form_page(
        request, person, form, title=_("Open the case"), action=action, button=_("Open the case"), status=status
    )


@login_required
@require_POST
@performs(people_services.case_change_stage)
def case_stage(request: AuthedRequest, person_id: UUID, case_id: UUID) -> HttpResponse:
    access = get_person_for(request.user, person_id)
    case = case_of(access.person, case_id)
    form = StageForm(request.POST, network=case.network, prefix="stage")
    status = 400
    if form.is_valid():
        try:
            people_services.case_change_stage(actor=request.user, case=case, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            status = _refused(form, exc)
        else:
            messages.success(request, _("The stage was changed."))
            return _back(access.person, "case")
    action = reverse("person-case-stage", args=[access.person.pk, case.pk])
    return _form_page(
        request,
        access.person,
        form,
        title=_("Change the stage"),
        action=action,
        button=_("Change the stage"),
        status=status,
    )


@login_required
@require_POST
@performs(people_services.case_transfer)
def case_transfer(request: AuthedRequest, person_id: UUID, case_id: UUID) -> HttpResponse:
    access = get_person_for(request.user, person_id)
    case = case_of(access.person, case_id)
    form = TransferForm(request.POST, network=case.network, prefix="transfer")
    status = 400
    if form.is_valid():
        try:
            people_services.case_transfer(actor=request.user, case=case, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            status = _refused(form, exc)
        else:
            messages.success(request, _("The case was transferred."))
            return _back(access.person, "case")
    action = reverse("person-case-transfer", args=[access.person.pk, case.pk])
    return _form_page(
        request, access.person, form, title=_("Transfer the case"), action=action, button=_("Transfer"), status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
@performs(people_services.case_close)
def case_close(request: AuthedRequest, person_id: UUID, case_id: UUID) -> HttpResponse:
    """GET: the confirmation, which asks for the reason; POST: close the case with it."""
    access = get_person_for(request.user, person_id)
    if not access.can_change_path:
        raise PermissionDenied
    case = case_of(access.person, case_id)
    form = CloseForm(request.POST or None, prefix="close")
    if request.method == "POST" and form.is_valid():
        try:
            people_services.case_close(actor=request.user, case=case, note=form.cleaned_data["note"])
        except ValidationError as exc:
            on_form(form, exc)
        except DomainError as exc:
            as_messages(request, exc)
            return _back(access.person, "case")
        else:
            messages.success(request, _("The case was closed."))
            return _back(access.person, "case")
    status = 400 if request.method == "POST" else 200
    context = {"person": access.person, "case": case, "form": form}
    return render(request, "people/case_close_confirm.html", context, status=status)


@login_required
@require_POST
@performs(plan_services.goal_add)
def goal_add(request: AuthedRequest, person_id: UUID, case_id: UUID) -> HttpResponse:
    access = get_person_for(request.user, person_id)
    case = case_of(access.person, case_id)
    form = GoalForm(request.POST, network=case.network, prefix="goal")
    status = 400
    if form.is_valid():
        try:
            plan_services.goal_add(actor=request.user, case=case, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            status = _refused(form, exc)
        else:
            messages.success(request, _("The goal was added to the support plan."))
            return _back(access.person, "plan")
    action = reverse("person-goal-add", args=[access.person.pk, case.pk])
    return _form_page(
        request,
        access.person,
        form,
        title=_("Add a goal"),
        action=action,
        button=_("Add the goal"),
        status=status,
        anchor="plan",
    )


@login_required
@require_http_methods(["GET", "POST"])
@performs(plan_services.goal_review)
def goal_review(request: AuthedRequest, person_id: UUID, goal_id: UUID) -> HttpResponse:
    """GET: the review of one goal of the support plan, on a page of its own (issue 16); POST: save it."""
    access = get_person_for(request.user, person_id)
    if not access.can_change_path:
        raise PermissionDenied
    goal = goal_of(access.person, goal_id)
    status = 200
    if request.method == "POST":
        form = GoalReviewForm(request.POST, prefix="review")
        status = 400
        if form.is_valid():
            try:
                plan_services.goal_review(actor=request.user, goal=goal, **form.cleaned_data)
            except (ValidationError, DomainError) as exc:
                status = _refused(form, exc)
            else:
                messages.success(request, _("The review was saved."))
                return _back(access.person, "plan")
    else:
        form = GoalReviewForm(prefix="review", initial={"status": goal.status})
    action = reverse("person-goal-review", args=[access.person.pk, goal.pk])
    return _form_page(
        request,
        access.person,
        form,
        title=_("Review the goal"),
        action=action,
        button=_("Save the review"),
        status=status,
        anchor="plan",
        goal=goal,
        goal_rows=[
            (_("Goal"), goal.description),
            (_("Life domain"), goal.get_domain_display()),
            (_("Responsible partner"), goal.responsible_partner or "—"),
            (_("Target date"), formats.date_format(goal.target_date, "d.m.Y") if goal.target_date else "—"),
            (_("Status"), goal.get_status_display()),
        ],
        reviews=list(goal.reviews.select_related("reviewed_by")),
    )


@login_required
@require_safe
def person_export_json(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    access = get_person_for(request.user, person_id)
    record = person_export(actor=request.user, person=access.person)
    response = HttpResponse(
        json.dumps(record, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="osoba-{access.person.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


def _shown(value: Any) -> Any:
    """A value of the export as the printed page shows it; dates stay dates so the template writes them in
    Polish and local time."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return value


def _printable(sections: list[tuple[str, Section]]) -> list[dict[str, Any]]:
    """Each section as its title, its column names and its rows as lists of (column name, value)."""
    return [
        {
            "title": section.title,
            "single": section.single,
            "columns": list(section.fields.values()),
            "rows": [[(title, _shown(row.get(key))) for key, title in section.fields.items()] for row in section.rows],
        }
        for _name, section in sections
    ]


@login_required
@require_safe
def person_export_print(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    access = get_person_for(request.user, person_id)
    sections = person_export_sections(actor=request.user, person=access.person)
    context = {"person": access.person, "sections": _printable(sections)}
    response = render(request, "people/export_print.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@performs(people_services.person_anonymise)
def person_anonymise(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    """GET: the confirmation that lists what will end and be cleared; POST: do it."""
    access = get_person_for(request.user, person_id)
    if not access.is_coordinator:
        raise PermissionDenied  # the person is visible to them; the act is the coordinators' alone
    if access.person.anonymised_at:
        messages.info(request, _("The person's data was already anonymised."))
        return redirect("person-detail", person_id=access.person.pk)
    if request.method != "POST":
        items = people_services.anonymise_preview(access.person)
        return render(request, "people/anonymise_confirm.html", {"person": access.person, "items": items})
    try:
        people_services.person_anonymise(actor=request.user, person=access.person)
    except DomainError as exc:
        as_messages(request, exc)
    else:
        messages.success(request, _("The person's identity was removed. Counts for reports are kept."))
    return redirect("person-detail", person_id=access.person.pk)
