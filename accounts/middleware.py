"""Security-log middleware (a signed-in user's 404 on an object's address is written down: probing for ids), and
the second factor's gate (``SecondFactorMiddleware``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import mfa
from accounts.choices import SecurityEventKind
from accounts.log import record
from core import account_kinds


class NotFoundLogMiddleware:
    """Logs 404 answers to signed-in users on addresses that name an object (a person, a referral, a case …).

    A stranger's guess and a colleague's stale link look alike here; the security officer reads the pattern (many
    ids from one account in a short time), which ASVS V16 asks to be visible."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404:
            user = getattr(request, "user", None)
            match = getattr(request, "resolver_match", None)
            if user is not None and user.is_authenticated and match is not None and _names_an_object(match.kwargs):
                record(SecurityEventKind.NOT_FOUND, user=user, request=request, detail=request.path[:255])
        return response


def _names_an_object(kwargs: dict[str, object]) -> bool:
    return any(name == "pk" or name == "id" or name.endswith("_id") for name in kwargs)


# Pages open to a signed-in user whose session has not passed the second factor: leaving, the language, help
# with the password; then, by where the gate sends them, the second step or the enrolment pages.
_ALWAYS_OPEN = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "healthz",
        "accessibility-statement",  # public, and linked from every page's footer (issue 16)
    }
)
OPEN_BEFORE_SECOND_STEP = _ALWAYS_OPEN | {
    "mfa-verify",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
}
OPEN_BEFORE_ENROLMENT = _ALWAYS_OPEN | {
    "mfa-enrol",
    "mfa-totp",
    "mfa-code",
    "mfa-recovery-codes",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:js-i18n-catalog",
}
# API paths with a rule of their own: the public HSDS export, and the token door (it asks for the code itself).
SECOND_FACTOR_OPEN_API_PREFIXES = ("/api/hsds/", "/api/v1/auth/")


class SecondFactorMiddleware:
    """Before any other page: a signed-in user with a factor whose session has not passed it goes to the second
    step; with ``MFA_REQUIRED``, a user who reads person data and has no factor goes to enrolment. A session
    API call of either answers 403 ``{"code": "mfa_required"}`` (token authentication is checked at the token
    door). Runs after django-otp's ``OTPMiddleware``, which tells whether the session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.path.startswith(SECOND_FACTOR_OPEN_API_PREFIXES):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or mfa.session_verified(request):
            return None
        if mfa.session_has_factor(request, user):
            target, open_names = "mfa-verify", OPEN_BEFORE_SECOND_STEP
        elif settings.MFA_REQUIRED and mfa.must_use_second_factor(user):
            target, open_names = "mfa-enrol", OPEN_BEFORE_ENROLMENT
        else:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in open_names:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": str(_("Pass the second factor of signing in first.")), "code": "mfa_required"}, status=403
            )
        url = reverse(target)
        if request.method == "GET" and target == "mfa-verify":
            url += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
        return redirect(url)


class AccountKindMiddleware:
    """A person account reaches only its own pages and API (``core.account_kinds``); anything else answers 404,
    the admin and the FHIR face included. Its start page is its own: ``/`` sends it to ``/moje/``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if account_kinds.is_person_account(user) and not account_kinds.may_reach(user, request.path):
            if request.path == "/":
                return redirect(account_kinds.PERSON_HOME)
            if request.path.startswith(("/api/", "/fhir/")):
                return JsonResponse({"detail": str(_("Not found.")), "code": "not_found"}, status=404)
            raise Http404
        return self.get_response(request)
