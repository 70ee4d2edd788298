"""The notification centre and the account settings (language, e-mail preference)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.actions import performs
from frontend.types import AuthedRequest
from notifications.selectors import notifications_of
from notifications.services import notification_mark_read, notifications_mark_all_read
from partners.models import User
from partners.services import account_update


@login_required
@require_safe
def notification_centre(request: AuthedRequest) -> HttpResponse:
    page = Paginator(notifications_of(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/centre.html", {"page": page})


@login_required
@require_POST
@performs(notification_mark_read)
def notification_read(request: AuthedRequest, notification_id: int) -> HttpResponse:
    note = notification_mark_read(actor=request.user, notification_id=notification_id)
    if note.url and request.POST.get("open"):
        return redirect(note.url)
    return redirect("notification-centre")


@login_required
@require_POST
@performs(notifications_mark_all_read)
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    count = notifications_mark_all_read(actor=request.user)
    messages.success(request, _("Marked as read: %(count)s.") % {"count": count})
    return redirect("notification-centre")


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "email_notifications"]
        labels = {"email_notifications": gettext_lazy("Notifications by e-mail")}


@login_required
@require_http_methods(["GET", "POST"])
@performs(account_update)
def account(request: AuthedRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        account_update(actor=request.user, data={name: form.cleaned_data[name] for name in form.changed_data})
        messages.success(request, _("Saved."))
        response = redirect("account")
        # The saved language wins from now on, also over an earlier choice in the switcher.
        response.delete_cookie("django_language")
        return response
    return render(
        request, "notifications/account.html", {"form": form}, status=400 if request.method == "POST" else 200
    )
