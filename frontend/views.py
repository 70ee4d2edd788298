from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from accounts import mfa
from accounts.choices import SecurityEventKind
from accounts.log import record
from core.scope import scope_for
from network.access import networks_visible_to
from partners.selectors import invitations_for, partners_worked_for


class LoginView(auth_views.LoginView):
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
        response = super().form_valid(form)
        record(SecurityEventKind.LOGIN, user=user, request=self.request, detail="password")
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    context = {
        "networks": networks_visible_to(request.user).order_by("name")[:50],
        "my_partners": partners_worked_for(request.user),
        "invitations": invitations_for(request.user),
        "scope": scope,
    }
    return render(request, "frontend/home.html", context)
