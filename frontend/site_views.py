"""Pages of the site itself (issue 16): the accessibility statement, the staff style guide, the error pages."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from core.errors import describe
from referrals.choices import State


@require_safe
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """The deklaracja dostępności the digital accessibility act requires, generated from settings."""
    statement = settings.ACCESSIBILITY_STATEMENT
    contact_rows = [
        (_("Contact person"), statement["contact_name"]),
        (_("E-mail"), statement["contact_email"]),
        (_("Phone"), statement["contact_phone"]),
    ]
    return render(request, "site/accessibility.html", {"statement": statement, "contact_rows": contact_rows})


# --- the style guide ------------------------------------------------------------------------------------------


class DemoForm(forms.Form):
    """The form pattern of the style guide: shown bound with errors, as after a submission that failed."""

    # Each message names its field, as the GOV.UK pattern asks: the summary is read without the form beside it.
    name = forms.CharField(
        label=gettext_lazy("Full name"),
        max_length=100,
        error_messages={"required": gettext_lazy("Enter the person's full name.")},
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        help_text=gettext_lazy("We write only about this case."),
        error_messages={"invalid": gettext_lazy("Enter an e-mail address like name@example.pl.")},
    )
    contact_by = forms.ChoiceField(
        label=gettext_lazy("How may we contact the person?"),
        choices=[("phone", gettext_lazy("by phone")), ("letter", gettext_lazy("by letter"))],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose how we may contact the person.")},
    )
    note = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DemoMessage:
    """A stand-in for a message of django.contrib.messages (the partial reads ``tags`` and its text)."""

    def __init__(self, text: str, tags: str) -> None:
        self.text, self.tags = text, tags

    def __str__(self) -> str:
        return self.text


@require_safe
def styleguide(request: HttpRequest) -> HttpResponse:
    """Every component of frontend/templatetags/ui.py, rendered from the same partials the pages use. Staff only;
    to everyone else (signed in or not) the page does not exist."""
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404
    form = DemoForm(data={"email": "jan.kowalski@", "note": ""})
    form.is_valid()
    context = {
        "tones": [
            ("neutral", _("draft")),
            ("info", _("new")),
            ("success", _("in force")),
            ("warning", _("ends soon")),
            ("danger", _("expired")),
        ],
        "states": State.choices,
        "summary_rows": [
            (_("Full name"), "Jan Kowalski"),
            (_("Case manager"), "Anna Nowak (MOPR)"),
            (_("Note"), ""),
        ],
        "page_obj": Paginator(range(1, 241), 20).page(5),
        "demo_messages": [
            DemoMessage(_("The referral has been sent."), "success"),
            DemoMessage(_("The consent ends in 14 days."), "warning"),
            DemoMessage(_("The referral could not be sent: the consent does not cover this partner."), "error"),
        ],
        "demo_form": form,
        "chart_rows": [("MOPR", (2.0, 6.5)), ("ŚDS „Przystań”", (1.0, 3.0)), ("PUP Bytom", (4.5, 9.0))],
        "rows": [
            ("Jan Kowalski", "ŚDS „Przystań”", State.SENT, datetime.date(2026, 11, 28)),
            ("Maria Wiśniewska", "PUP Bytom", State.ACCEPTED, datetime.date(2026, 11, 30)),
            ("Piotr Zieliński", "Fundacja „Dom”", State.DECLINED, datetime.date(2026, 12, 1)),
        ],
    }
    return render(request, "site/styleguide.html", context)


# --- the error pages ------------------------------------------------------------------------------------------


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_answer(exc: BaseException) -> JsonResponse:
    """The API's own shape of an error (api/errors.py), for an address under /api/ that no API view handled."""
    answer = describe(exc)
    assert answer is not None
    return JsonResponse({"detail": answer.message, "code": answer.code}, status=answer.status)


def _home_url(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    return reverse("own-home") if getattr(user, "is_person_account", False) else reverse("home")


def _back_url(request: HttpRequest) -> str | None:
    """The page the visitor came from, when it is one of ours and not this very page."""
    referer = request.headers.get("Referer", "")
    try:
        host = request.get_host()
    except Exception:  # a refused Host header: no way back to offer but the home page
        return None
    if not referer or not url_has_allowed_host_and_scheme(referer, {host}, require_https=request.is_secure()):
        return None
    if referer.split("#")[0] == request.build_absolute_uri():
        return None
    return referer


def _error_context(request: HttpRequest) -> dict[str, Any]:
    return {"home_url": _home_url(request), "back_url": _back_url(request)}


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: missing and forbidden look the same, so the page says both and who to ask."""
    if _is_api(request):
        return _api_answer(Http404())
    return render(request, "site/404.html", _error_context(request), status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: what the refusal says where it says something, else who can do this in general."""
    from django.core.exceptions import PermissionDenied

    if _is_api(request):
        return _api_answer(PermissionDenied())
    message = str(exception) if exception is not None and exception.args else ""
    return render(request, "site/403.html", {**_error_context(request), "message": message}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a plain template without context processors, so it renders with the database down too."""
    if _is_api(request):
        return JsonResponse({"detail": _("A server error occurred."), "code": "error"}, status=500)
    home = "/"
    with contextlib.suppress(Exception):  # the URL configuration itself may be what failed
        home = reverse("home")
    html = loader.get_template("site/500.html").render({"home_url": home})
    return HttpResponse(html, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: most often a form left open past the sign-out, or cookies refused."""
    return render(request, "site/csrf_failure.html", _error_context(request), status=403)
