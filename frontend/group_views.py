"""Pages of support groups (list, page with the yearly table, meetings with attendance, members) and the
person-page section of recorded activities. Thin: reads and the forms' choices come from
people.group_selectors, changes go through people.groups, which accepts exactly those choices."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.actions import performs
from core.errors import DomainError
from core.types import AuthUser
from frontend.errors import as_messages, on_form
from frontend.forms import DateInput
from frontend.types import AuthedRequest
from network.access import get_network_for
from partners.models import Partner, Service
from people import groups as group_services
from people.access import PersonAccess, get_person_for
from people.audit import log_access, log_access_many
from people.group_selectors import (
    activity_partner_choices,
    activity_partner_ids,
    activity_service_choices,
    can_create_group,
    can_manage_group,
    can_record_activity,
    get_group_for,
    get_group_membership,
    group_meetings_of_year,
    group_memberships,
    group_service_choices,
    group_year_figures,
    group_years,
    join_candidate,
    join_candidate_search,
    last_scheduled_day,
    meeting_candidates,
    network_groups,
    partners_that_may_run_groups,
    person_activities_for,
    person_group_attendance,
    schedule_label,
)
from people.models import AccessAction, ActivityKind, Person, SupportGroup

ACTIVITIES_SHOWN = 50
SEARCH_RESULTS = 20


def _year_from(request: AuthedRequest) -> int:
    """The year asked for in ``?year=``; anything unusable falls back to the current year."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _safe_next(request: AuthedRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


# --- forms ----------------------------------------------------------------------------------------


class GroupForm(forms.ModelForm):
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Day of the week"),
        choices=[("", "—"), *WEEKDAYS.items()],
        coerce=int,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = SupportGroup
        fields = [
            "partner",
            "name",
            "description",
            "service",
            "weekday",
            "start_time",
            "duration_minutes",
            "place",
            "leader",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, partners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        service = self.fields["service"]
        assert isinstance(service, forms.ModelChoiceField)
        if partners is None:
            # Editing: the running partner stays; its services are offered, and the one the group has.
            del self.fields["partner"]
            service.queryset = group_service_choices([self.instance.partner_id], keep=self.instance.service_id)
        else:
            del self.fields["is_active"]
            partner = self.fields["partner"]
            assert isinstance(partner, forms.ModelChoiceField)
            partner.queryset = partners
            partner.label = gettext_lazy("Partner that runs the group")
            service.queryset = group_service_choices(partners)
        service.required = False


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    duration_minutes = forms.IntegerField(label=gettext_lazy("Duration (minutes)"))
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200, required=False)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200, required=False)
    leader = forms.CharField(label=gettext_lazy("Leader"), max_length=150, required=False)
    attendees = forms.MultipleChoiceField(
        label=gettext_lazy("Present"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Members of the group on the day of the meeting."),
    )
    # Shown only after the service asked for it (a meeting of the group on that day exists already).
    confirm_same_day = forms.BooleanField(
        label=gettext_lazy("Yes, the group met twice that day: save the second meeting"),
        required=False,
        widget=forms.HiddenInput,
    )

    def ask_same_day_confirmation(self) -> None:
        self.fields["confirm_same_day"].widget = forms.CheckboxInput()

    def __init__(self, *args: Any, attendee_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attendees = self.fields["attendees"]
        assert isinstance(attendees, forms.MultipleChoiceField)
        attendees.choices = attendee_choices


class JoinForm(forms.Form):
    person = forms.ChoiceField(label=gettext_lazy("Person"), widget=forms.RadioSelect)
    joined_on = forms.DateField(label=gettext_lazy("Joined on"), widget=DateInput(), required=False)

    def __init__(self, *args: Any, person_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ChoiceField)
        person.choices = person_choices


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=gettext_lazy("Left on"), widget=DateInput(), required=False)


class ActivityForm(forms.Form):
    # Prefixed: the section sits on the person page next to other forms.
    prefix = "activity"

    occurred_on = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    minutes = forms.IntegerField(label=gettext_lazy("Minutes"), widget=forms.NumberInput(attrs={"min": 1}))
    kind = forms.ChoiceField(label=gettext_lazy("Form"), choices=ActivityKind.choices, initial=ActivityKind.INDIVIDUAL)
    partner = forms.ModelChoiceField(label=gettext_lazy("Institution"), queryset=Partner.objects.none())
    service = forms.ModelChoiceField(label=gettext_lazy("Service"), queryset=Service.objects.none(), required=False)
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200, required=False)

    def __init__(self, *args: Any, actor: AuthUser, person: Person, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("occurred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        allowed = activity_partner_ids(actor, person)
        partner = self.fields["partner"]
        service = self.fields["service"]
        assert isinstance(partner, forms.ModelChoiceField) and isinstance(service, forms.ModelChoiceField)
        partner.queryset = activity_partner_choices(actor, person)
        if len(allowed) == 1:
            partner.initial = next(iter(allowed))
        service.queryset = activity_service_choices(actor, person)


# --- groups ---------------------------------------------------------------------------------------


@login_required
@require_safe
def group_list(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = get_network_for(request.user, network_id)
    groups = [(group, schedule_label(group)) for group in network_groups(request.user, network)]
    context = {"network": network, "groups": groups, "can_create": can_create_group(request.user, network)}
    return render(request, "groups/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@performs(group_services.group_create)
def group_create(request: AuthedRequest, network_id: UUID) -> HttpResponse:
    network = get_network_for(request.user, network_id)
    partners = partners_that_may_run_groups(request.user, network)
    if not partners.exists():
        raise PermissionDenied
    form = GroupForm(request.POST or None, instance=SupportGroup(network=network), partners=partners)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields if name != "partner"}
        try:
            group = group_services.group_create(
                actor=request.user, network=network, partner=form.cleaned_data["partner"], data=data
            )
        except ValidationError as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The group %(name)s was created.") % {"name": group.name})
            return redirect("group-detail", group_id=group.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "groups/group_form.html", {"network": network, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@performs(group_services.group_update)
def group_edit(request: AuthedRequest, group_id: UUID) -> HttpResponse:
    group = get_group_for(request.user, group_id)
    if not can_manage_group(request.user, group):
        raise PermissionDenied
    form = GroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        # The form saved its values on the instance while validating; the service works from fresh data.
        group.refresh_from_db()
        try:
            group_services.group_update(actor=request.user, group=group, data=data)
        except ValidationError as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("group-detail", group_id=group.pk)
    status = 400 if request.method == "POST" else 200
    context = {"network": group.network, "group": group, "form": form}
    return render(request, "groups/group_form.html", context, status=status)


@login_required
@require_safe
def group_detail(request: AuthedRequest, group_id: UUID) -> HttpResponse:
    """Everyone who sees the group: schedule and anonymous yearly totals. Its managers: its people too."""
    group = get_group_for(request.user, group_id)
    year = _year_from(request)
    years = sorted({*group_years(group), timezone.localdate().year, year}, reverse=True)
    manages = can_manage_group(request.user, group)
    context: dict[str, Any] = {
        "group": group,
        "schedule": schedule_label(group),
        "figures": group_year_figures(group, year),
        "year": year,
        "years": years,
        "manages": manages,
    }
    if manages:
        memberships = list(group_memberships(group))
        meetings = list(group_meetings_of_year(group, year, with_corrections=True))
        shown = {m.person_id: m.person for m in memberships}
        for meeting in meetings:
            shown.update({a.person_id: a.person for a in meeting.attendance.all()})
        log_access_many(user=request.user, people=list(shown.values()), action=AccessAction.VIEW, view="group-detail")
        context.update(
            members_now=[m for m in memberships if m.left_on is None],
            former=[m for m in memberships if m.left_on is not None],
            meetings=meetings,
            today=timezone.localdate(),
        )
    return render(request, "groups/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@performs(group_services.meeting_record)
def meeting_create(request: AuthedRequest, group_id: UUID) -> HttpResponse:
    group = get_group_for(request.user, group_id)
    if not can_manage_group(request.user, group):
        raise PermissionDenied
    candidates = meeting_candidates(group)
    choices = [(str(person.pk), str(person)) for person in candidates]
    initial = {
        "held_on": last_scheduled_day(group),
        "duration_minutes": group.duration_minutes,
        "place": group.place,
        "leader": group.leader,
    }
    form = MeetingForm(request.POST or None, initial=initial, attendee_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = group_services.meeting_record(
                actor=request.user,
                group=group,
                held_on=data["held_on"],
                duration_minutes=data["duration_minutes"],
                topic=data["topic"],
                place=data["place"],
                leader=data["leader"],
                attendee_ids=data["attendees"],
                confirm_same_day=data["confirm_same_day"],
            )
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
            if getattr(exc, "code", "") == "same_day_meeting":
                form.ask_same_day_confirmation()
        else:
            messages.success(
                request, _("The meeting of %(date)s was recorded.") % {"date": meeting.held_on.strftime("%d.%m.%Y")}
            )
            return redirect(f"{reverse('group-detail', args=[group.pk])}?year={meeting.held_on.year}")
    log_access_many(user=request.user, people=candidates, action=AccessAction.VIEW, view="meeting-form")
    status = 400 if request.method == "POST" else 200
    return render(request, "groups/meeting_form.html", {"group": group, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@performs(group_services.group_join)
def group_join(request: AuthedRequest, group_id: UUID) -> HttpResponse:
    """Find a person by name among those the user supports, and add them to the group."""
    group = get_group_for(request.user, group_id)
    if not can_manage_group(request.user, group):
        raise PermissionDenied
    query = (request.GET.get("q") or "").strip()
    found: list[Person] = []
    if request.method == "POST":
        chosen = join_candidate(request.user, group, request.POST.get("person") or "")
        found = [chosen] if chosen is not None else []
    elif len(query) >= 2:
        found = join_candidate_search(request.user, group, query, limit=SEARCH_RESULTS)
    choices = [(str(p.pk), _person_label(p)) for p in found]
    form = JoinForm(request.POST or None, person_choices=choices, initial={"joined_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        person = found[0]
        try:
            group_services.group_join(
                actor=request.user, group=group, person=person, joined_on=form.cleaned_data["joined_on"]
            )
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("%(person)s joined the group.") % {"person": person})
            return redirect("group-detail", group_id=group.pk)
    if found:
        log_access_many(user=request.user, people=found, action=AccessAction.VIEW, view="group-join")
    status = 400 if request.method == "POST" else 200
    context = {"group": group, "form": form, "query": query, "searched": len(query) >= 2}
    return render(request, "groups/join.html", context, status=status)


def _person_label(person: Person) -> str:
    year = person.year_of_birth
    return f"{person} ({year})" if year else str(person)


@login_required
@require_POST
@performs(group_services.group_leave)
def group_leave(request: AuthedRequest, group_id: UUID, membership_id: int) -> HttpResponse:
    group = get_group_for(request.user, group_id)
    if not can_manage_group(request.user, group):
        raise PermissionDenied
    membership = get_group_membership(group, membership_id)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid date."))
    else:
        try:
            group_services.group_leave(
                actor=request.user, group=group, person=membership.person, left_on=form.cleaned_data["left_on"]
            )
        except (ValidationError, DomainError) as exc:
            as_messages(request, exc)
        else:
            messages.success(request, _("%(person)s left the group.") % {"person": membership.person})
    return redirect("group-detail", group_id=group.pk)


# --- activities on the person page ----------------------------------------------------------------


def activity_section_context(
    access: PersonAccess, *, user: AuthUser | None = None, form: ActivityForm | None = None
) -> dict[str, Any]:
    """What ``groups/_person_activities.html`` needs (include it ``with section=<this dict>``): the person's
    activities and group attendance.

    Given ``user`` (the reader), the section carries the form for recording an activity when they may record
    one; without it, the section links to the activities page, which offers the form to those who may.
    Reading is logged by the page that includes the section.
    """
    person = access.person
    can_record: bool | None = None if user is None else can_record_activity(user, person, access)
    url = _activities_url(person)
    if url is None:
        can_record = False
    if can_record and form is None and user is not None:
        form = ActivityForm(actor=user, person=person)
    return {
        "person": person,
        "activities": list(person_activities_for(access, user)[:ACTIVITIES_SHOWN]),
        "limit": ACTIVITIES_SHOWN,
        "group_rows": person_group_attendance(access, user),
        "can_record": can_record,
        "form": form if can_record else None,
        "url": url,
    }


def _activities_url(person: Person) -> str | None:
    # None until frontend/group_urls.py is included: the section then shows what it has, without the form.
    try:
        return reverse("person-activities", args=[person.pk])
    except NoReverseMatch:
        return None


@login_required
@require_http_methods(["GET", "POST"])
@performs(group_services.activity_record)
def person_activities_page(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    """The section on a page of its own, and where its form posts (an HTMX post gets the section back)."""
    access = get_person_for(request.user, person_id)
    person = access.person
    form: ActivityForm | None = None
    status = 200
    if request.method == "POST":
        if not can_record_activity(request.user, person, access):
            raise PermissionDenied
        form = ActivityForm(request.POST, actor=request.user, person=person)
        if form.is_valid():
            data = form.cleaned_data
            try:
                group_services.activity_record(
                    actor=request.user,
                    person=person,
                    minutes=data["minutes"],
                    occurred_on=data["occurred_on"],
                    kind=data["kind"],
                    partner=data["partner"],
                    service=data["service"],
                    topic=data["topic"],
                )
            except ValidationError as exc:
                on_form(form, exc)
            else:
                messages.success(request, _("The activity was recorded."))
                if not request.htmx:
                    return redirect(_safe_next(request, reverse("person-activities", args=[person.pk])))
                form = None
        # HTMX swaps only 2xx answers, so the section with its errors comes back as 200 there.
        status = 400 if form is not None and form.errors and not request.htmx else 200
    log_access(user=request.user, person=person, action=AccessAction.VIEW, view="person-activities")
    context = {"section": activity_section_context(access, user=request.user, form=form), "standalone": True}
    template = "groups/_person_activities.html" if request.htmx else "groups/person_activities.html"
    return render(request, template, context, status=status)
