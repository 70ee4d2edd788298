"""The API's sign-in door: tokens (issue, list, revoke, sign out) and the password change.

Tokens are django-rest-knox's (stored hashed, expiring, several per user); the services are in accounts.tokens.
A sign-in here is refused like one on the page: django-axes counts wrong passwords and wrong second-factor codes
by username and address and answers 429 ``locked_out`` while the pair is locked (accounts.lockout)."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import lockout, mfa, tokens
from accounts.choices import SecurityEventKind
from accounts.log import record
from accounts.passwords import old_password_refused, password_changed
from accounts.tokens import TokenAuthentication
from api.views import ErrorSerializer
from core.actions import performs
from partners.models import User


class ApiTokenScheme(KnoxTokenScheme):
    """The schema's name for the token header (``Authorization: Token <token>``), as drf-spectacular gives knox's."""

    target_class = "accounts.tokens.TokenAuthentication"
    name = "tokenAuth"


class LockedOut(exceptions.APIException):
    """429: too many failed sign-ins for this username from this address; ``Retry-After`` says how long."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = lockout.LOCKED_OUT_CODE
    default_detail = _("Too many failed sign-in attempts. Try again later.")

    def __init__(self, minutes: int) -> None:
        super().__init__(lockout.locked_out_message(minutes), self.default_code)
        self.wait = minutes * 60  # DRF's handler turns it into Retry-After


class MfaRequired(exceptions.AuthenticationFailed):
    default_code = "mfa_required"
    default_detail = _("This account has a second factor: send the current code from the app as otp.")


class MfaNotEnrolled(exceptions.PermissionDenied):
    default_code = "mfa_not_enrolled"
    default_detail = _(
        "This account must sign in with a second factor: set one up on the account page first, then ask for a token."
    )


class MfaInvalid(exceptions.AuthenticationFailed):
    default_code = "mfa_invalid"
    default_detail = _("The second-factor code is wrong or has already been used.")


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="For an account with a second factor: the current code from the authenticator app, or one of "
        "its recovery codes.",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as the header `Authorization: Token <token>`. Shown once.")
    expires_at = serializers.DateTimeField()


class TokenInfoSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="token_key", help_text="The token's first characters: it names the token.")
    expires_at = serializers.DateTimeField(source="expiry")
    current = serializers.SerializerMethodField(help_text="The token this request was made with.")

    class Meta:
        model = AuthToken
        fields = ["id", "created", "expires_at", "current"]

    def get_current(self, token: AuthToken) -> bool:
        auth = getattr(self.context.get("request"), "auth", None)
        return isinstance(auth, AuthToken) and auth.digest == token.digest


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_SIGNED_IN = _error(
    "Not signed in, or the token has expired or was revoked (`not_authenticated`, `authentication_failed`)."
)
LOCKED = _error(
    "`locked_out`: too many failed sign-ins for this username from this address; `Retry-After` gives the seconds."
)


class TokenView(APIView):
    """Exchange a username, password and (for an account with a second factor) a code for an API token."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        # The 401s here (second factor) name the scheme the token is then used with.
        return cast(str, knox_settings.AUTH_HEADER_PREFIX)

    @extend_schema(
        summary="Sign in: get an API token",
        description="The token expires after `API_TOKEN_TTL` (8 hours by default); a user may hold several. "
        "Wrong passwords and wrong codes count toward the lockout (5 in a row lock the username from this "
        "address for 15 minutes by default).",
        request=SignInSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Missing fields (`{field: [messages]}`), or a wrong username or password "
                '(`{"non_field_errors": [message]}`).',
            ),
            401: _error(
                "`mfa_required`: the account has a second factor and no `otp` was sent; "
                "`mfa_invalid`: the code (from the app, or a recovery code) is wrong or already used."
            ),
            403: _error(
                "`mfa_not_enrolled`: the account reads person data and must sign in with a second factor "
                "(`MFA_REQUIRED`), but has none yet: set one up on the account page."
            ),
            429: LOCKED,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = SignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        username: str = data["username"]
        # Axes reads and marks the Django request (its middleware answers for it too).
        http_request = request._request
        user = authenticate(http_request, username=username, password=data["password"])
        if user is None:
            if getattr(http_request, "axes_locked_out", False):
                raise LockedOut(lockout.minutes_left(http_request, username))
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Unable to sign in with the given username and password.")]},
                code="authorization",
            )
        factor = "password"
        if mfa.has_factor(user):
            otp = (data.get("otp") or "").strip()
            if not otp:
                # A person account that signs in with a code by SMS or e-mail gets one now, to send back as otp.
                mfa.code_send(user)
                raise MfaRequired()
            # The same check as the page's second step: a code from the app, or a recovery code (used up), which
            # is also how a passkey-only user gets a token. A wrong one is logged and counted toward the lockout.
            try:
                device = mfa.second_step_verify(user=user, code=otp, request=http_request)
            except mfa.MfaError as exc:
                if exc.code == lockout.LOCKED_OUT_CODE:
                    raise LockedOut(lockout.minutes_left(http_request, username)) from None
                raise MfaInvalid() from None
            factor = f"password + {mfa.factor_kind(device)}"
        elif settings.MFA_REQUIRED and mfa.must_use_second_factor(user):
            # Who reads person data signs in with a second factor, through the API as on the pages.
            raise MfaNotEnrolled()
        lockout.reset_after_success(http_request, username)
        update_last_login(type(user), user)
        instance, token = tokens.issue_token(user=user, request=http_request)
        record(SecurityEventKind.LOGIN, user=user, request=http_request, detail=f"{factor}, api token")
        return Response(TokenResponseSerializer({"token": token, "expires_at": instance.expiry}).data)


class LogoutView(APIView):
    """Sign out: revoke the token this request is made with (its open websockets close)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Sign out: revoke this token",
        request=None,
        responses={204: None, 401: NOT_SIGNED_IN},
    )
    def post(self, request: Request) -> Response:
        auth = cast(AuthToken, request.auth)
        tokens.revoke_token(
            user=request.user, token_key=auth.token_key, digest=auth.digest, request=request._request, reason="logout"
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(generics.ListAPIView):
    """The signed-in user's own tokens that still work."""

    serializer_class = TokenInfoSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return AuthToken.objects.none()
        return tokens.live_tokens(self.request.user)

    @extend_schema(
        summary="Your API tokens that still work", responses={200: TokenInfoSerializer(many=True), 401: NOT_SIGNED_IN}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class TokenDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Revoke one of your tokens",
        parameters=[OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The token's id.")],
        responses={204: None, 401: NOT_SIGNED_IN, 404: _error("`not_found`: you hold no such token.")},
    )
    def delete(self, request: Request, pk: str) -> Response:
        if not tokens.revoke_token(user=request.user, token_key=pk, request=request._request, reason="revoked"):
            raise exceptions.NotFound(_("You have no such token."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordView(APIView):
    """Change your password. Every other session and every API token (this one too) ends with it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Change your password",
        description="Ends every API token (the one used here too: sign in again with the new password) and "
        "every browser session but the one this request came from.",
        request=PasswordChangeSerializer,
        responses={
            200: DetailSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='`{"old_password": [...]}` when it is wrong, `{"new_password": [...]}` when '
                "the new one is too weak.",
            ),
            401: NOT_SIGNED_IN,
            429: LOCKED,
        },
    )
    @performs(password_changed)
    def post(self, request: Request) -> Response:
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = cast(User, request.user)  # IsAuthenticated
        http_request = request._request
        username = user.get_username()
        if lockout.is_locked(http_request, username):
            raise LockedOut(lockout.minutes_left(http_request, username))
        if not user.check_password(data["old_password"]):
            old_password_refused(http_request, user)
            if getattr(http_request, "axes_locked_out", False):
                raise LockedOut(lockout.minutes_left(http_request, username))
            raise exceptions.ValidationError(
                {"old_password": [_("Your old password was entered incorrectly. Please enter it again.")]},
                code="password_incorrect",
            )
        try:
            validate_password(data["new_password"], user)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"new_password": list(exc.messages)}) from exc
        user.set_password(data["new_password"])
        user.save(update_fields=["password"])
        password_changed(request=http_request, user=user)
        return Response({"detail": _("Password changed. Sign in again on your other devices.")})
