from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.scope import scope_for
from network.access import networks_visible_to
from partners.selectors import invitations_for, partners_worked_for


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


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
