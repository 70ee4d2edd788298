"""Pages of referrals: the inbox, a referral with its timeline and actions (HTMX), the refer form."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.actions import performs
from core.errors import DomainError
from core.scope import scope_for
from frontend.errors import as_messages, on_form
from frontend.referral_forms import (
    AcceptForm,
    DiscontinueForm,
    InboxFilterForm,
    OutcomeForm,
    ReasonForm,
    RedirectForm,
    ReferForm,
)
from frontend.types import AuthedRequest
from notifications.services import notifications_mark_read_about
from people.access import access_to_person, get_person_for
from people.audit import log_access
from people.models import AccessAction, DataCategory
from referrals import services
from referrals.access import get_referral_for
from referrals.models import Referral
from referrals.selectors import available_actions, referral_list, referral_partner_choices, referral_rows

PAGE_SIZE = 50


@login_required
@require_safe
def inbox(request: AuthedRequest) -> HttpResponse:
    scope = scope_for(request.user)
    data = request.GET.copy()
    if "direction" not in data and scope.staff_partner_ids and not scope.coordinated_network_ids:
        data["direction"] = "incoming"
    form = InboxFilterForm(data, partners=referral_partner_choices(request.user))
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    partner = cleaned.get("partner")
    sort = cleaned.get("sort", "")
    referrals = referral_list(
        request.user,
        direction=cleaned.get("direction", ""),
        status=cleaned.get("status", ""),
        overdue=True if cleaned.get("overdue") else None,
        partner=partner.pk if partner else None,
        search=cleaned.get("q", ""),
        sort=sort,
    )
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = referral_rows(page.object_list)
    query = data.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "columns": _columns(query, sort),
        "active_filters": _active_filters(form, query),
    }
    template = "referrals/_inbox_rows.html" if request.htmx else "referrals/inbox.html"
    return render(request, template, context)


def _url_with(query: QueryDict, **changes: str | None) -> str:
    changed = query.copy()
    changed.pop("page", None)
    for key, value in changes.items():
        if value is None:
            changed.pop(key, None)
        else:
            changed[key] = value
    return "?" + changed.urlencode()


def _columns(query: QueryDict, sort: str) -> list[Any]:
    """The table's columns; "sent" and "due" sort (a link flips the order; aria-sort says the current one)."""
    columns: list[Any] = [_("Referral"), _("From"), _("To"), _("Status")]
    for key, label in (("sent", _("Sent")), ("due", _("Answer due by"))):
        current = "ascending" if sort == key else "descending" if sort == f"-{key}" else None
        target = f"-{key}" if current == "ascending" else key
        columns.append({"label": label, "url": _url_with(query, sort=target), "sort": current})
    return columns


def _active_filters(form: InboxFilterForm, query: QueryDict) -> list[dict[str, str]]:
    """Each filter in force as "label: value" with the link that removes it."""
    if not form.is_valid():
        return []
    active = []
    for name in ("status", "partner", "q", "overdue"):
        value = form.cleaned_data.get(name)
        if not value:
            continue
        field = form[name]
        if name == "status":
            shown = str(dict(form.fields["status"].choices).get(value, value))  # type: ignore[attr-defined]
        elif name == "overdue":
            shown = _("yes")
        else:
            shown = str(value)
        active.append({"label": f"{field.label}: {shown}", "url": _url_with(query, **{name: None})})
    return active


def _detail_context(request: AuthedRequest, referral: Referral) -> dict[str, Any]:
    person_access = access_to_person(request.user, referral.person)
    actions = available_actions(request.user, referral)
    return {
        "referral": referral,
        "events": list(referral.events.select_related("actor")),
        "actions": actions,
        "shows_name": person_access is not None and person_access.can_read("identity"),
        "accept_form": AcceptForm(prefix="a"),
        "outcome_form": OutcomeForm(prefix="o"),
        "redirect_form": RedirectForm(prefix="x", network_id=referral.network_id, exclude=referral.to_partner_id)
        if "redirect" in actions
        else None,
    }


@login_required
@require_safe
def referral_detail(request: AuthedRequest, referral_id: UUID) -> HttpResponse:
    try:
        referral = get_referral_for(request.user, referral_id)
    except Http404:
        if not request.htmx:
            raise
        # A live refresh of an open page whose referral the reader just lost (a withdrawn consent, a withdrawal):
        # say so in place. The same words for any id the reader cannot see, so nothing about it leaks.
        return render(request, "referrals/_gone.html")
    with transaction.atomic():
        log_access(
            user=request.user,
            person=referral.person,
            action=AccessAction.VIEW,
            view="referral-detail",
            detail=f"referral:{referral.pk}",
        )
        # Opening the referral reads what the reader was told about it (the header's count goes down).
        notifications_mark_read_about(actor=request.user, objects=[("referral", referral.pk)])
    template = "referrals/_state.html" if request.htmx else "referrals/detail.html"
    return render(request, template, _detail_context(request, referral))


@login_required
@require_POST
@performs(
    services.referral_send,
    services.referral_check_in,
    services.referral_accept,
    services.referral_start,
    services.referral_complete,
    services.referral_decline,
    services.referral_withdraw,
    services.referral_discontinue,
    services.referral_redirect,
)
def referral_action(request: AuthedRequest, referral_id: UUID, action: str) -> HttpResponse:
    referral = get_referral_for(request.user, referral_id)
    status = 200
    try:
        _perform(request, referral, action)
    except PermissionDenied:
        raise
    except (ValidationError, DomainError) as exc:
        status = as_messages(request, exc)
    else:
        moved = Referral.objects.get(pk=referral.pk)
        if action == "accept" and moved.waitlisted_at is not None:
            done = _("The referral was accepted: the person is on the waitlist. The sender has been told.")
        elif action in SUCCESS:
            done = str(SUCCESS[action])
        else:
            done = _("Done: the referral is now %(state)s.") % {"state": moved.get_state_display()}
        messages.success(request, done)
    try:
        referral = get_referral_for(request.user, referral_id)
    except Http404:
        # The move ended this user's access (e.g. their partner declined): say so instead of a 404.
        if request.htmx:
            return render(request, "referrals/_gone.html", status=status)
        return redirect("referral-inbox")
    if request.htmx:
        return render(request, "referrals/_state.html", _detail_context(request, referral), status=status)
    return redirect("referral-detail", referral_id=referral.pk)


SUCCESS = {
    "send": gettext_lazy("The referral was sent."),
    "check_in": gettext_lazy("Contact confirmed: the answer time was extended once."),
    "accept": gettext_lazy("The referral was accepted. The sender has been told."),
    "start": gettext_lazy("Support has started."),
    "complete": gettext_lazy("The referral was completed. The sender has been told."),
    "redirect": gettext_lazy("The referral was redirected to the other partner."),
}


def _perform(request: AuthedRequest, referral: Referral, action: str) -> None:
    actor = request.user
    if action == "send":
        services.referral_send(actor=actor, referral=referral, legal_basis=request.POST.get("legal_basis", ""))
    elif action == "check_in":
        services.referral_check_in(actor=actor, referral=referral)
    elif action == "accept":
        accept = AcceptForm(request.POST, prefix="a")
        _valid(accept)
        services.referral_accept(actor=actor, referral=referral, **accept.cleaned_data)
    elif action == "start":
        services.referral_start(actor=actor, referral=referral)
    elif action == "complete":
        form = OutcomeForm(request.POST, prefix="o")
        _valid(form)
        services.referral_complete(actor=actor, referral=referral, **form.cleaned_data)
    elif action in ("decline", "withdraw"):
        reason = ReasonForm(request.POST, prefix="r")
        _valid(reason)
        move = services.referral_decline if action == "decline" else services.referral_withdraw
        move(actor=actor, referral=referral, **reason.cleaned_data)
    elif action == "discontinue":
        discontinue = DiscontinueForm(request.POST, prefix="d")
        _valid(discontinue)
        services.referral_discontinue(actor=actor, referral=referral, **discontinue.cleaned_data)
    elif action == "redirect":
        target = RedirectForm(request.POST, prefix="x", network_id=referral.network_id, exclude=referral.to_partner_id)
        _valid(target)
        services.referral_redirect(actor=actor, referral=referral, **target.cleaned_data)
    else:
        raise Http404


def _valid(form: Any) -> None:
    if not form.is_valid():
        raise ValidationError([f"{form.fields[name].label}: {' '.join(errs)}" for name, errs in form.errors.items()])


# The irreversible moves: each is confirmed on a page of its own, with its reason (issue 16).
CONFIRMED: dict[str, type[ReasonForm]] = {"decline": ReasonForm, "withdraw": ReasonForm, "discontinue": DiscontinueForm}


@login_required
@require_http_methods(["GET", "POST"])
@performs(services.referral_decline, services.referral_withdraw, services.referral_discontinue)
def referral_confirm(request: AuthedRequest, referral_id: UUID, action: str) -> HttpResponse:
    """Decline, withdraw, discontinue: what happens, the reason (required, none chosen in advance), confirm."""
    if action not in CONFIRMED:
        raise Http404
    referral = get_referral_for(request.user, referral_id)
    if action not in available_actions(request.user, referral):
        messages.info(request, _("This step is not available for the referral now."))
        return redirect("referral-detail", referral_id=referral.pk)
    form = CONFIRMED[action](request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if action == "decline":
                services.referral_decline(actor=request.user, referral=referral, **form.cleaned_data)
            elif action == "withdraw":
                services.referral_withdraw(actor=request.user, referral=referral, **form.cleaned_data)
            else:
                services.referral_discontinue(actor=request.user, referral=referral, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, DONE[action])
            try:
                get_referral_for(request.user, referral_id)
            except Http404:
                return redirect("referral-inbox")
            return redirect("referral-detail", referral_id=referral.pk)
    context = {"referral": referral, "action": action, "form": form, "title": TITLES[action]}
    status = 400 if request.method == "POST" else 200
    return render(request, "referrals/confirm.html", context, status=status)


TITLES = {
    "decline": gettext_lazy("Decline the referral?"),
    "withdraw": gettext_lazy("Withdraw the referral?"),
    "discontinue": gettext_lazy("Discontinue the support?"),
}
DONE = {
    "decline": gettext_lazy("The referral was declined. The sender has been told."),
    "withdraw": gettext_lazy("The referral was withdrawn. The partner has been told."),
    "discontinue": gettext_lazy("The support was discontinued and its place freed."),
}


@login_required
@require_http_methods(["GET", "POST"])
@performs(services.referral_create, services.referral_send)
def refer(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    """Refer a person: the partners' services with their free places, the data to share, send at once."""
    access = get_person_for(request.user, person_id)
    person = access.person
    if not access.can_change_path and not scope_for(request.user).staff_partner_ids:
        raise PermissionDenied
    if not access.can_read(DataCategory.IDENTITY):
        # The page names the person: a reader without the identity category cannot refer them onward.
        raise PermissionDenied
    form = ReferForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                referral = services.referral_create(
                    actor=request.user,
                    person=person,
                    to_partner=data["to_partner"],
                    service=data["service"],
                    reason=data["reason"],
                    goal=data["goal"],
                    categories=data["categories"],
                    priority=data["priority"],
                    due_by=data["due_by"],
                )
                services.referral_send(actor=request.user, referral=referral, legal_basis=data["legal_basis"])
        except (ValidationError, DomainError) as exc:
            on_form(form, exc)
        else:
            messages.success(request, _("The referral was sent to %(partner)s.") % {"partner": referral.to_partner})
            return redirect("referral-detail", referral_id=referral.pk)
    status = 400 if request.method == "POST" else 200
    with transaction.atomic():
        # The form shows the person's full name: a read of personal data, logged like the person page.
        log_access(user=request.user, person=person, action=AccessAction.VIEW, view="refer")
    context = {"person": person, "form": form, "is_coordinator": access.is_coordinator}
    return render(request, "referrals/refer.html", context, status=status)


def referral_url(referral: Referral) -> str:
    return reverse("referral-detail", args=[referral.pk])
