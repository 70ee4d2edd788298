"""The second factor's pages: the second step of signing in, and, from the account page, the authenticator app,
passkeys, recovery codes and removing a factor. The rules are accounts.mfa's; the passkey ceremonies are
frontend/passkey_views.py (django-otp-webauthn's script calls them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import mfa
from frontend.types import AuthedRequest

TOTP_SETUP_KEY = "lsw_mfa_totp_setup"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        help_text=gettext_lazy("Six digits from the app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class ConfirmAppForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class RemoveForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Current code from the app, or a recovery code"), max_length=32, required=False
    )
    password = forms.CharField(
        label=gettext_lazy("or your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return ""


@never_cache
@require_http_methods(["GET", "POST"])
def second_step(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the app, a recovery code, or a passkey."""
    user, pending = mfa.second_step_user(request)
    next_url = _next_url(request)
    if user is None:
        messages.info(request, mfa.no_second_step_message())
        return redirect("login")
    if not pending and (mfa.session_verified(request) or not mfa.has_factor(user)):
        return redirect(next_url or "home")
    form = CodeForm(request.POST or None)
    # A person account that signs in with a code by SMS or e-mail: a new one goes out as the page opens (not
    # again within django-otp's cooldown, so a reload does not flood the phone).
    code_device = mfa.code_send(user) if request.method == "GET" else mfa.code_device(user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                device = mfa.second_step_verify(user=user, code=form.cleaned_data["code"], request=request)
            except mfa.MfaError as error:
                form.add_error("code", error.message)
                status = 429 if error.code == "locked_out" else 400
            else:
                mfa.complete_sign_in(request, user, device)
                return redirect(next_url or "home")
    context = {
        "form": form,
        "next": next_url,
        "has_app": mfa.totp_device(user) is not None,
        "has_passkey": bool(mfa.passkeys_of(user)),
        "code_to": mfa.masked(code_device.address) if code_device else "",
        "codes_left": mfa.recovery_codes_left(user),
    }
    return render(request, "accounts/second_step.html", context, status=status)


def _may_change_factors(request: AuthedRequest) -> bool:
    """Changing factors needs a session that has passed the second factor, if the user has one (the gate sends
    such a session to the second step already; this holds even if the gate is bypassed)."""
    return mfa.session_verified(request) or not mfa.session_has_factor(request, request.user)


@never_cache
@login_required
def factors(request: AuthedRequest) -> HttpResponse:
    """The second factor on the account: the app, passkeys, recovery codes; enrolment starts here."""
    if not _may_change_factors(request):
        return redirect("mfa-verify")
    user = request.user
    context = {
        "app": mfa.totp_device(user),
        "passkeys": mfa.passkeys_of(user),
        "codes_left": mfa.recovery_codes_left(user),
        "has_factor": mfa.has_factor(user),
        "required": settings.MFA_REQUIRED and mfa.must_use_second_factor(user),
        "person_account": getattr(user, "is_person_account", False),
        "code": mfa.code_device(user),
    }
    return render(request, "accounts/factors.html", context)


CODE_SETUP_KEY = "lsw_mfa_code_setup"


class CodeChannelForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("Where should we send the code?"), choices=[], widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, addresses: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {"sms": _("SMS to %(to)s"), "email": _("E-mail to %(to)s")}
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (channel, labels[channel] % {"to": mfa.masked(address)}) for channel, address in addresses.items()
        ]


def _code_addresses(user: Any) -> dict[str, str]:
    """Where a person account's code may go: the phone and e-mail the network has for the account or the person."""
    from people.own import own_account

    account = own_account(user)
    person = account.person
    found = {"sms": account.phone or person.phone or "", "email": account.email or user.email or person.email or ""}
    return {channel: address for channel, address in found.items() if address}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def code_setup(request: AuthedRequest) -> HttpResponse:
    """A person account chooses to sign in with a one-time code by SMS or e-mail: the first code confirms it."""
    if not getattr(request.user, "is_person_account", False):
        raise Http404
    if not _may_change_factors(request):
        return redirect("mfa-verify")
    user = request.user
    addresses = _code_addresses(user)
    choose = CodeChannelForm(request.POST if request.POST.get("action") == "start" else None, addresses=addresses)
    status = 200
    if request.method == "POST" and request.POST.get("action") == "start":
        status = 400
        if choose.is_valid():
            channel = choose.cleaned_data["channel"]
            try:
                device = mfa.code_enrol_begin(user=user, channel=channel, address=addresses.get(channel, ""))
            except mfa.MfaError as error:
                choose.add_error("channel", error.message)
            else:
                request.session[CODE_SETUP_KEY] = device.pk
                messages.info(request, _("We sent you a code. Type it here."))
                return redirect("mfa-code")
    pending = mfa.code_pending(user, request.session.get(CODE_SETUP_KEY))
    confirm = CodeForm(request.POST if request.POST.get("action") == "confirm" else None)
    if pending is not None and request.method == "POST" and request.POST.get("action") == "confirm":
        status = 400
        if confirm.is_valid():
            try:
                mfa.code_enrol_confirm(
                    user=user, device_id=pending.pk, code=confirm.cleaned_data["code"], request=request
                )
            except mfa.MfaError as error:
                confirm.add_error("code", error.message)
            else:
                request.session.pop(CODE_SETUP_KEY, None)
                messages.success(request, _("Done. From now on you sign in with your password and a code we send you."))
                return redirect("own-home")
    context = {
        "choose": choose,
        "confirm": confirm,
        "pending_to": mfa.masked(pending.address) if pending else "",
        "has_address": bool(addresses),
    }
    return render(request, "accounts/code_setup.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def app_setup(request: AuthedRequest) -> HttpResponse:
    """Set up an authenticator app (again): a QR code and the secret, then a code from the app confirms it."""
    if not _may_change_factors(request):
        return redirect("mfa-verify")
    user = request.user
    if request.method == "POST" and request.POST.get("action") == "start":
        device = mfa.totp_enrol_begin(user=user)
        request.session[TOTP_SETUP_KEY] = device.pk
        return redirect("mfa-totp")
    device = mfa.totp_pending(user, request.session.get(TOTP_SETUP_KEY))
    if device is None:
        messages.info(request, _("Start setting up the app here."))
        return redirect("mfa-enrol")
    form = ConfirmAppForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                mfa.totp_enrol_confirm(user=user, device_id=device.pk, code=form.cleaned_data["code"], request=request)
            except mfa.MfaError as error:
                form.add_error("code", error.message)
            else:
                request.session.pop(TOTP_SETUP_KEY, None)
                if mfa.recovery_codes_left(user) == 0:
                    codes = mfa.recovery_codes_generate(user=user, request=request)
                    return _show_codes(request, codes, first=True)
                messages.success(request, _("The app is set up. From now on it gives the second step of signing in."))
                return redirect("mfa-enrol")
    context = {
        "form": form,
        "qr": mfa.totp_qr_data_uri(device),
        "secret": mfa.totp_secret(device),
        "replacing": mfa.totp_device(user) is not None,
    }
    return render(request, "accounts/app_setup.html", context, status=status)


def _show_codes(request: HttpRequest, codes: list[str], *, first: bool = False) -> HttpResponse:
    return render(request, "accounts/recovery_codes_shown.html", {"codes": codes, "first": first})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: AuthedRequest) -> HttpResponse:
    """New recovery codes, shown once; the earlier ones stop working."""
    if not _may_change_factors(request):
        return redirect("mfa-verify")
    user = request.user
    if not mfa.has_factor(user):
        messages.info(request, _("Recovery codes stand in for the app or a passkey: set one of them up first."))
        return redirect("mfa-enrol")
    if request.method == "POST":
        return _show_codes(request, mfa.recovery_codes_generate(user=user, request=request))
    return render(request, "accounts/recovery_codes.html", {"codes_left": mfa.recovery_codes_left(user)})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def factor_remove(request: AuthedRequest, kind: str, device_id: int) -> HttpResponse:
    """Remove the app or a passkey, after a current code or the password."""
    if not _may_change_factors(request):
        return redirect("mfa-verify")
    user = request.user
    target: Any = mfa.totp_device(user) if kind == mfa.KIND_TOTP else mfa.passkey_by_id(user, device_id)
    if kind not in (mfa.KIND_TOTP, mfa.KIND_WEBAUTHN) or target is None or target.pk != device_id:
        # Someone else's factor and one that is gone look alike.
        raise Http404(_("This factor does not exist (any more)."))
    form = RemoveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                mfa.factor_remove(
                    user=user,
                    kind=kind,
                    device_id=device_id,
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["password"],
                    request=request,
                )
            except mfa.MfaError as error:
                form.add_error(None, error.message)
                status = 429 if error.code == "locked_out" else 400
            else:
                messages.success(request, _("Removed."))
                return redirect("mfa-enrol")
    context = {"form": form, "kind": kind, "target": target}
    return render(request, "accounts/factor_remove.html", context, status=status)


@login_required
@require_POST
def passkey_registered(request: AuthedRequest) -> HttpResponse:
    """Where the page goes after a passkey was registered (without JavaScript nothing brings one here)."""
    if mfa.recovery_codes_left(request.user) == 0 and mfa.has_factor(request.user) and mfa.session_verified(request):
        return _show_codes(request, mfa.recovery_codes_generate(user=request.user, request=request), first=True)
    messages.success(request, _("The passkey is registered."))
    return redirect("mfa-enrol")
