"""The person's own pages, ``/moje/`` (issue 18): my path, my consents, who saw my data, my data; and the page of
the invitation link. Easy Polish first (short sentences, no institutional words), English second; they work on a
phone. Every page asks ``people.own.own_account``: a staff account gets 404 here, as a person account does
everywhere else (``core.account_kinds``)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.actions import performs
from core.errors import DomainError
from frontend.errors import as_messages
from frontend.own_pdf import record_pdf
from frontend.types import AuthedRequest
from people import own
from people.export import as_json, own_export_sections
from people.models import ContactBy
from referrals.selectors import referrals_for_the_person


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    account = own.own_account(request.user)
    return {"account": account, "person": account.person, **extra}


@login_required
@require_safe
def own_home(request: AuthedRequest) -> HttpResponse:
    account = own.own_account(request.user)
    person = account.person
    context = _context(request, path=own.own_path(person), referrals=referrals_for_the_person(person))
    return render(request, "own/home.html", context)


@login_required
@require_safe
def own_consents(request: AuthedRequest) -> HttpResponse:
    account = own.own_account(request.user)
    consents = own.own_consents(account.person)
    return render(request, "own/consents.html", _context(request, consents=consents))


@login_required
@require_http_methods(["GET", "POST"])
@performs(own.own_consent_withdraw)
def own_consent_withdraw(request: AuthedRequest, consent_id: UUID) -> HttpResponse:
    """GET: what will stop, in plain words, and a button; POST: the withdrawal, at once."""
    account = own.own_account(request.user)
    consent = own.own_consent(account.person, consent_id)
    if request.method == "POST":
        try:
            own.own_consent_withdraw(user=request.user, consent_id=consent.pk)
        except (ValidationError, DomainError) as exc:
            as_messages(request, exc)
        else:
            messages.success(request, _("Your consent is withdrawn. From now on, they do not get this data."))
        return redirect("own-consents")
    context = _context(request, consent=consent, stops=own.what_stops(consent), live=consent.is_live())
    return render(request, "own/consent_withdraw.html", context)


@login_required
@require_safe
def own_access(request: AuthedRequest) -> HttpResponse:
    account = own.own_account(request.user)
    entries = own.own_access_log(account.person)
    return render(request, "own/access.html", _context(request, entries=entries))


class RequestForm(forms.Form):
    kind = forms.ChoiceField(choices=[(own.RequestKind.ENTRY, "entry"), (own.RequestKind.CONSENT, "consent")])
    entry = forms.IntegerField(required=False)
    message = forms.CharField(
        label=gettext_lazy("Your message (you can leave it empty)"), required=False, max_length=500
    )


@login_required
@require_POST
@performs(own.own_request)
def own_request(request: AuthedRequest) -> HttpResponse:
    own.own_account(request.user)
    form = RequestForm(request.POST)
    back = "own-access" if request.POST.get("kind") == own.RequestKind.ENTRY else "own-consents"
    if not form.is_valid():
        messages.error(request, _("Something is missing. Try again."))
        return redirect(back)
    try:
        own.own_request(
            user=request.user,
            kind=form.cleaned_data["kind"],
            entry_id=form.cleaned_data.get("entry"),
            message=form.cleaned_data["message"],
        )
    except (ValidationError, DomainError) as exc:
        as_messages(request, exc)
    else:
        messages.success(request, _("We sent your question. Your case manager will answer you."))
    return redirect(back)


class ContactForm(forms.Form):
    contact_by = forms.ChoiceField(
        label=gettext_lazy("How may we send you reminders and news?"),
        choices=ContactBy.choices,
        widget=forms.RadioSelect,
        required=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
@performs(own.own_contact_set)
def own_data(request: AuthedRequest) -> HttpResponse:
    account = own.own_account(request.user)
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                own.own_contact_set(user=request.user, contact_by=form.cleaned_data["contact_by"] or "")
            except ValidationError as exc:
                as_messages(request, exc)
            else:
                messages.success(request, _("Saved."))
            return redirect("own-data")
    form = ContactForm(initial={"contact_by": account.contact_by})
    return render(request, "own/data.html", _context(request, form=form, record=own.own_record(account.person)))


@login_required
@require_safe
def own_export_json(request: AuthedRequest) -> HttpResponse:
    account = own.own_account(request.user)
    record = as_json(own_export_sections(actor=request.user, person=account.person))
    response = HttpResponse(json.dumps(record, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="moje-dane.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def own_export_pdf(request: AuthedRequest) -> HttpResponse:
    account = own.own_account(request.user)
    sections = own_export_sections(actor=request.user, person=account.person)
    response = HttpResponse(record_pdf(account.person, sections), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="moje-dane.pdf"'
    response["Cache-Control"] = "no-store"
    return response


# --- the invitation link (no account yet) ---------------------------------------------------------------------


class AcceptForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Your login"),
        max_length=150,
        help_text=gettext_lazy("A name to sign in with. Letters and digits."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        max_length=4096,
        strip=False,
        help_text=gettext_lazy("At least 12 characters. Do not use your name."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=gettext_lazy("The same password again"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


@require_http_methods(["GET", "POST"])
def own_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link: choose a login and a password. Used, old or unknown links all answer the same: a 404
    with a page that says what to do."""
    try:
        invitation = own.invitation_by_token(token)
    except own.InvitationInvalid as exc:
        return render(request, "own/invitation_invalid.html", {"message": exc.message}, status=404)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            own.invitation_accept(
                token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except own.InvitationInvalid as exc:
            return render(request, "own/invitation_invalid.html", {"message": exc.message}, status=404)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your account is ready. Sign in with your login and password."))
            return redirect("login")
    response = render(request, "own/invitation.html", {"form": form, "invitation": invitation})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"  # the token is in the address: never sent to another site
    return response


# --- staff: invite the person -----------------------------------------------------------------------------------


class InviteForm(forms.Form):
    relation = forms.ChoiceField(label=gettext_lazy("Whose account"), choices=own.AccountRelation.choices)
    channel = forms.ChoiceField(label=gettext_lazy("Send the link by"), choices=own.InvitationChannel.choices)
    address = forms.CharField(label=gettext_lazy("E-mail or phone number"), max_length=254)
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the messages"), choices=[("pl", "polski"), ("en", "English")]
    )


@login_required
@require_http_methods(["GET", "POST"])
@performs(own.person_invite)
def person_invite(request: AuthedRequest, person_id: UUID) -> HttpResponse:
    """The coordinator or the case manager sends the person (or their guardian) a link to their own account."""
    from people.access import get_person_for

    access = get_person_for(request.user, person_id)
    if not access.can_change_path:
        raise PermissionDenied
    person = access.person
    form = InviteForm(request.POST or None, initial={"address": person.email or person.phone})
    if request.method == "POST" and form.is_valid():
        try:
            own.person_invite(actor=request.user, person=person, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                as_messages(request, exc)
        else:
            messages.success(request, _("The invitation was sent. The link works once, for 72 hours."))
            return redirect("person-detail", person_id=person.pk)
    accounts = own.accounts_of(person)
    return render(request, "own/invite.html", {"person": person, "form": form, "accounts": accounts})
