"""The passkey (WebAuthn) ceremonies: django-otp-webauthn's JSON endpoints, fitted to our two-step sign-in.

Its JavaScript (a static file of the package) calls these four addresses, which keep the package's URL names
(``otp_webauthn:…``) so its template tags find them. What we change: the second step's user is the one the
password step left pending (``accounts.mfa.second_step_user``), a refused passkey counts as a failed second step
(security log and lockout), a locked-out account is refused, and a registration is logged and ends the user's
other sessions like any new factor."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.urls import path
from django.utils.translation import gettext_noop
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from accounts import mfa


class LockedOut(exceptions.OTPWebAuthnApiError):
    status_code = 429
    code = "locked_out"


class NoSecondStep(exceptions.OTPWebAuthnApiError):
    status_code = 403
    code = "not_authenticated"


class SecondStepUserMixin:
    request: Any

    def get_user(self) -> Any:
        user, _pending = mfa.second_step_user(self.request)
        return user

    def check_can_authenticate(self) -> None:
        user = self.get_user()
        if user is None:
            # Passkeys are a second factor only: without the password step there is nobody to verify.
            raise NoSecondStep(detail=mfa.no_second_step_message())
        if mfa.is_locked_out(self.request, user):
            raise LockedOut(detail=mfa.locked_out_message())


class PasskeyVerifyBegin(SecondStepUserMixin, BeginCredentialAuthenticationView):
    pass


class PasskeyVerifyComplete(SecondStepUserMixin, CompleteCredentialAuthenticationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(*args, **kwargs)
        except exceptions.OTPWebAuthnApiError:
            user = self.get_user()
            if user is not None:
                mfa.second_step_failed(user=user, request=self.request, kind=mfa.KIND_WEBAUTHN)
            raise

    def complete_auth(self, device: Any) -> Any:
        user = self.get_user()
        mfa.complete_sign_in(self.request, user, device)
        return user

    def get_success_url(self) -> str:
        return self.get_redirect_url() or resolve_url("home")


class PasskeyRegisterBegin(BeginCredentialRegistrationView):
    pass


class PasskeyRegisterComplete(CompleteCredentialRegistrationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(*args, **kwargs)
        if isinstance(response, JsonResponse) and response.status_code == 200:
            device = mfa.passkey_by_id(self.request.user, _json_id(response))
            if device is not None:
                mfa.factor_enrolled(
                    user=self.request.user, request=self.request, device=device, detail=mfa.KIND_WEBAUTHN
                )
        return response


# The messages of django-otp-webauthn, which has no Polish catalogue: its script's (served by PasskeyCatalog) and
# its server's (its exceptions translate them through our catalogue).
PASSKEY_MESSAGES = frozenset(
    {
        gettext_noop("An error occurred during registration."),
        gettext_noop("An error occurred during verification."),
        gettext_noop("Finishing registration..."),
        gettext_noop("Finishing verification..."),
        gettext_noop("Register a Passkey"),
        gettext_noop("Registering..."),
        gettext_noop("Registration aborted or not allowed."),
        gettext_noop("Registration aborted."),
        gettext_noop("Registration failed. A server error occurred."),
        gettext_noop(
            "Registration failed. A technical problem occurred that prevents you from registering a Passkey for "
            "this site."
        ),
        gettext_noop("Registration failed. An unknown error occurred."),
        gettext_noop("Registration failed. The server was unable to verify this passkey."),
        gettext_noop("Registration failed. Unable to fetch registration options from server."),
        gettext_noop("Registration failed. You most likely already have a Passkey registered for this site."),
        gettext_noop("Registration successful!"),
        gettext_noop("Verification aborted."),
        gettext_noop("Verification canceled or not allowed."),
        gettext_noop("Verification failed. A server error occurred."),
        gettext_noop("Verification failed. An unknown error occurred."),
        gettext_noop("Verification failed. An unknown server error occurred."),
        gettext_noop("Verification failed. Could not retrieve parameters from the server."),
        gettext_noop("Verification successful!"),
        gettext_noop("Verify with Passkey"),
        gettext_noop("Verifying..."),
    }
)
PASSKEY_SERVER_MESSAGES = (
    gettext_noop("Error processing WebAuthn request."),
    gettext_noop("Malformed request. JSON not parsable."),
    gettext_noop("State is missing or invalid. Please begin the operation first before trying to complete it."),
    gettext_noop("Unprocessable Entity"),
    gettext_noop("This user account is marked as disabled."),
    gettext_noop("This Passkey has been marked as disabled."),
    gettext_noop("The Passkey you tried to use was not found. Perhaps it was removed?"),
    gettext_noop(
        "The Passkey you tried to use does not belong to the currently logged-in user. Try using a different "
        "Passkey or logout first to use this Passkey."
    ),
    gettext_noop("Authentication required."),
    gettext_noop("User is not verified."),
    gettext_noop(
        "You must verify your identity first with an existing MFA device before you can register a new passkey."
    ),
)


class PasskeyCatalog(JavaScriptCatalog):
    """The package's script messages only, from our catalogue (the whole catalogue would be a large download)."""

    domain = "django"

    def get_catalog(self) -> dict[str, Any]:
        catalog: dict[str, Any] = super().get_catalog()
        return {msgid: text for msgid, text in catalog.items() if msgid in PASSKEY_MESSAGES}


def _json_id(response: JsonResponse) -> Any:
    import json

    try:
        return json.loads(response.content).get("id")
    except (ValueError, AttributeError):
        return None


app_name = "otp_webauthn"
urlpatterns = [
    path("registration/begin/", PasskeyRegisterBegin.as_view(), name="credential-registration-begin"),
    path("registration/complete/", PasskeyRegisterComplete.as_view(), name="credential-registration-complete"),
    path("authentication/begin/", PasskeyVerifyBegin.as_view(), name="credential-authentication-begin"),
    path("authentication/complete/", PasskeyVerifyComplete.as_view(), name="credential-authentication-complete"),
    # The package's script reads its messages through gettext(); our catalogue carries the Polish.
    path("jsi18n/", PasskeyCatalog.as_view(), name="js-i18n-catalog"),
]
