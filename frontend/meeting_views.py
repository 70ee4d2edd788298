"""Pages to correct or cancel a support-group meeting entered by mistake, with the reason kept as a trace
(people.groups.meeting_correct / meeting_cancel; the API calls the same services)."""

from __future__ import annotations

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
from django.views.decorators.http import require_http_methods

from core.actions import performs
from core.errors import DomainError
from frontend.errors import on_form
from frontend.group_views import MeetingForm
from frontend.types import AuthedRequest
from people import groups as group_services
from people.audit import log_access_many
from people.group_selectors import can_manage_group, get_group_for, get_meeting_for, meeting_candidates
from people.models import AccessAction, Meeting, Person, SupportGroup

REASON_HELP = gettext_lazy("Why the meeting is corrected: it stays in the meeting's history.")


class MeetingCorrectForm(MeetingForm):
    reason = forms.CharField(label=gettext_lazy("Reason of the correction"), max_length=500, help_text=REASON_HELP)


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason of the cancellation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("E.g. the meeting did not take place, or it was entered twice."),
    )


def _meeting(request: AuthedRequest, group_id: UUID, meeting_id: UUID) -> tuple[SupportGroup, Meeting]:
    group = get_group_for(request.user, group_id)
    if not can_manage_group(request.user, group):
        raise PermissionDenied
    return group, get_meeting_for(group, meeting_id)


def _back(meeting: Meeting) -> str:
    return f"{reverse('group-detail', args=[meeting.group_id])}?year={meeting.held_on.year}#meeting-{meeting.pk}"


@login_required
@require_http_methods(["GET", "POST"])
@performs(group_services.meeting_correct)
def meeting_correct(request: AuthedRequest, group_id: UUID, meeting_id: UUID) -> HttpResponse:
    group, meeting = _meeting(request, group_id, meeting_id)
    present = {a.person_id: a.person for a in meeting.attendance.select_related("person")}
    candidates: dict[Any, Person] = {p.pk: p for p in meeting_candidates(group)} | present
    choices = [(str(pk), str(person)) for pk, person in sorted(candidates.items(), key=lambda kv: str(kv[1]))]
    initial = {name: getattr(meeting, name) for name in group_services.MEETING_CORRECTABLE}
    initial["attendees"] = [str(pk) for pk in present]
    form = MeetingCorrectForm(request.POST or None, initial=initial, attendee_choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group_services.meeting_correct(
                actor=request.user,
                meeting=meeting,
                reason=data["reason"],
                data={name: data[name] for name in group_services.MEETING_CORRECTABLE},
                attendee_ids=data["attendees"],
                confirm_same_day=data["confirm_same_day"],
            )
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
            if getattr(exc, "code", "") == "same_day_meeting":
                form.ask_same_day_confirmation()
        else:
            messages.success(request, _("The meeting was corrected; the reason is kept in its history."))
            meeting.refresh_from_db()
            return redirect(_back(meeting))
    log_access_many(user=request.user, people=list(candidates.values()), action=AccessAction.VIEW, view="meeting-form")
    status = 400 if request.method == "POST" else 200
    context = {"group": group, "meeting": meeting, "form": form}
    return render(request, "groups/meeting_correct.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@performs(group_services.meeting_cancel)
def meeting_cancel(request: AuthedRequest, group_id: UUID, meeting_id: UUID) -> HttpResponse:
    """A confirmation page with the meeting as it stands, then the cancellation with its reason."""
    group, meeting = _meeting(request, group_id, meeting_id)
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group_services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The meeting was cancelled; it no longer counts in the figures."))
            return redirect(_back(meeting))
    status = 400 if request.method == "POST" else 200
    context = {"group": group, "meeting": meeting, "form": form}
    return render(request, "groups/meeting_cancel.html", context, status=status)
