from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts import lockout, mfa
from accounts.passwords import ThrottledPasswordResetForm, old_password_refused, password_changed
from core.actions import performs
from core.scope import scope_for
from frontend.types import AuthedRequest
from network.access import networks_visible_to
from partners.selectors import invitations_for, partners_worked_for


class LoginView(auth_views.LoginView):
    """Django's sign-in form. A locked-out username and address is refused by django-axes' backend before the
    password is checked, and its middleware answers with the lockout page (accounts.lockout, 429)."""

    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        """The right password signs in a user without a second factor; one with a factor goes on to the second
        step, still signed out (accounts.mfa)."""
        user = form.get_user()
        if mfa.has_factor(user):
            mfa.second_step_begin(self.request, user)
            url = reverse("mfa-verify")
            wanted = self.get_redirect_url()
            if wanted:
                url += "?" + urlencode({REDIRECT_FIELD_NAME: wanted})
            return HttpResponseRedirect(url)
        # The sign-in is logged by accounts.lockout's user_logged_in receiver (detail "password").
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        # A reset is how a stolen account is taken back: whoever else is signed in is signed out.
        password_changed(request=self.request, user=form.user, how="reset")
        return response


@login_required
@require_http_methods(["GET", "POST"])
@performs(password_changed)
def password_change(request: AuthedRequest) -> HttpResponse:
    """Change the password on the account page: the other sessions, the API tokens and their websockets end;
    this session stays signed in."""
    user = request.user
    username = user.get_username()
    if request.method == "POST" and lockout.is_locked(request, username):
        return lockout.lockout_response(request, credentials={"username": username})
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            ended = password_changed(request=request, user=user)
            messages.success(
                request,
                _("Your password has been changed. Other sessions and API tokens ended: %(count)d.") % {"count": ended},
            )
            return redirect("account")
        if form.has_error("old_password", "password_incorrect"):
            old_password_refused(request, user)
            if getattr(request, "axes_locked_out", False):
                return lockout.lockout_response(request, credentials={"username": username})
    return render(
        request,
        "registration/password_change_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    context = {
        "networks": networks_visible_to(request.user).order_by("name")[:50],
        "my_partners": partners_worked_for(request.user),
        "invitations": invitations_for(request.user),
        "scope": scope,
    }
    return render(request, "frontend/home.html", context)
