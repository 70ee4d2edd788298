"""Merging two records of one person: the coordinator picks the duplicate, sees both records side by side with what
each holds, gives a reason and confirms (people.merging.person_merge; the API calls the same service)."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
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
from people.access import get_person_for
from people.audit import log_access
from people.merging import merge_candidates, merge_preview, person_merge
from people.models import AccessAction, Person


class MergeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason of the merge"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("E.g. the person was registered twice, by the ward and by MOPR."),
    )


def _coordinated_person(request: AuthedRequest, person_id: UUID) -> Person:
    person = get_person_for(request.user, person_id).person
    if not scope_for(request.user).coordinates(person.network_id):
        raise PermissionDenied
    return person


@login_required
@require_safe
def merge_choose(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    """The records that may be the same person, each with a link to the side-by-side confirmation."""
    person = _coordinated_person(request, person_id)
    candidates = merge_candidates(person)
    return render(request, "people/merge_choose.html", {"person": person, "candidates": candidates})


@login_required
@require_http_methods(["GET", "POST"])
@performs(person_merge)
def merge_confirm(request: AuthedRequest, person_id: UUID, other_id: UUID) -> HttpResponse:
    """``person_id`` is kept, ``other_id`` is merged into it; a link swaps which one is kept."""
    kept = _coordinated_person(request, person_id)
    merged = _coordinated_person(request, other_id)
    form = MergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person_merge(actor=request.user, kept=kept, merged=merged, reason=form.cleaned_data["reason"])
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The records were merged; the merge is shown on the record."))
            return redirect(reverse("person-detail", args=[kept.pk]))
    with transaction.atomic():
        for person in (kept, merged):
            log_access(user=request.user, person=person, action=AccessAction.VIEW, view="person-merge")
    context = {"kept": merge_preview(kept), "merged": merge_preview(merged), "form": form}
    return render(request, "people/merge_confirm.html", context, status=400 if request.method == "POST" else 200)
