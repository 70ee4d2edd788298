"""The second factor: an authenticator app (TOTP) with recovery codes, and passkeys (WebAuthn).

Built on django-otp (``otp_totp``, ``otp_static``) and django-otp-webauthn; this module holds the rules, the pages
(``frontend/account_views.py``) and the passkey endpoints (``frontend/passkey_views.py``) only call it.

Signing in takes two steps for a user with a factor. The password step does not sign in: it leaves the user
*pending* in the session (``second_step_begin``), and only the second step (``second_step_verify`` or a passkey)
calls Django's ``login`` and marks the session verified (``complete_sign_in``). Until then the session is
anonymous to every page, the API and the websocket; and django-axes, which forgets failures on ``user_logged_in``,
keeps counting across password and code. A session signed in before its user enrolled (another browser) is
authenticated but not verified: ``accounts.middleware.SecondFactorMiddleware`` sends it to the second step.

Recovery codes are stored as keyed hashes (``_digest``), never in clear: a copy of the database alone does not
give them away. Every wrong code is written to the security log and told to django-axes through Django's
``user_login_failed`` signal, so the second step shares the password's lockout.
"""

from __future__ import annotations

import re
import secrets
import time
from base64 import b32decode, b32encode
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.choices import SecurityEventKind
from accounts.log import record
from accounts.models import CodeDevice
from accounts.sessions import end_everything
from core.scope import scope_for

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery"
# 10 characters of a 31-letter alphabet without look-alikes (0/o, 1/l/i): about 49 bits each.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
PENDING_KEY = "lsw_mfa_pending"
# Whether the user had a factor when this session signed in (or since it enrolled one): the gate reads this
# instead of the device tables on every request. Enrolling a factor ends the user's other sessions, so the
# mark cannot go stale in one of them.
FACTOR_MARK_KEY = "lsw_mfa_has_factor"

KIND_TOTP = "totp"
KIND_RECOVERY = "recovery_code"
KIND_WEBAUTHN = "passkey"
KIND_CODE = "code"
CODE_CHANNELS = ("email", "sms")


class MfaError(Exception):
    """A refusal the user can act on: ``message`` is shown as is (translated), ``code`` is for the API."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# --- What a user has -------------------------------------------------------------------------------------------


def totp_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def passkeys_of(user: Any) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "id"))


def passkey_by_id(user: Any, device_id: Any) -> WebAuthnCredential | None:
    return WebAuthnCredential.objects.filter(user=user, pk=_int(device_id)).first()


def has_factor(user: Any) -> bool:
    """A confirmed app, passkey or (a person account's) code by SMS or e-mail; recovery codes alone are no factor
    (they only stand in for one)."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return False
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
        or CodeDevice.objects.filter(user=user, confirmed=True).exists()
    )


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME).count()


def must_use_second_factor(user: Any) -> bool:
    """Whether MFA_REQUIRED applies to the user: everyone who can read person data (a coordinator, a partner's
    staff member who is not only an employer's) and the superuser, who administers every account."""
    if getattr(user, "is_person_account", False):
        # A person's own account reads the person's whole record: the app, a passkey or a code each time (issue 18).
        return bool(getattr(user, "is_authenticated", False))
    scope = scope_for(user)
    if scope.user_id is None:
        return False
    return scope.is_superuser or scope.is_coordinator or (bool(scope.staff_partner_ids) and scope.reads_people)


def factor_kind(device: Device) -> str:
    if isinstance(device, TOTPDevice):
        return KIND_TOTP
    if isinstance(device, StaticDevice):
        return KIND_RECOVERY
    if isinstance(device, WebAuthnCredential):
        return KIND_WEBAUTHN
    if isinstance(device, CodeDevice):
        return KIND_CODE
    return type(device).__name__.lower()


def session_has_factor(request: HttpRequest, user: Any) -> bool:
    """Whether the signed-in user of this session has a factor, as marked at sign-in (read once if unmarked)."""
    session = request.session
    mark = session.get(FACTOR_MARK_KEY)
    if mark is None:
        mark = has_factor(user)
        session[FACTOR_MARK_KEY] = mark
    return bool(mark)


def _mark_session(request: HttpRequest | None, value: bool) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[FACTOR_MARK_KEY] = value


def mark_on_sign_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: note in the new session whether its user has a factor (and forget anyone
    left half-way through the second step in this browser)."""
    if request is not None and user is not None and getattr(user, "pk", None) is not None:
        _mark_session(request, has_factor(user))
        session = getattr(request, "session", None)
        if session is not None:
            session.pop(PENDING_KEY, None)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(mark_on_sign_in, dispatch_uid="accounts.mfa.mark_on_sign_in")


def factor_enrolled(*, user: Any, request: HttpRequest, device: Device, detail: str) -> None:
    """After a new app or passkey: log it, verify this session by it, and end the user's other sessions and
    tokens, which signed in without it (ASVS V7.4.3)."""
    record(SecurityEventKind.MFA_ENROLLED, user=user, request=request, detail=detail)
    mark_verified(request, device)
    _mark_session(request, True)
    session = getattr(request, "session", None)
    if session is not None and session.session_key is None:
        session.save()
    end_everything(
        user,
        reason="mfa_enrolled",
        request=request,
        keep_session_key=session.session_key if session is not None else None,
    )


# --- Enrolment of the app ----------------------------------------------------------------------------------------


@transaction.atomic
def totp_enrol_begin(*, user: Any) -> TOTPDevice:
    """A new, unconfirmed app for the user (an earlier unfinished one goes); the confirmed one, if any, keeps
    working until the new one is confirmed (re-enrolment)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="app", confirmed=False)


@transaction.atomic
def totp_enrol_with_secret(*, user: Any, secret_base32: str) -> TOTPDevice:
    """A confirmed app with a known secret, for the demo (whose secret is published). Idempotent: an existing
    confirmed app with the same secret stays as it is."""
    key = b32decode(secret_base32.replace(" ", "").upper()).hex()
    device = TOTPDevice.objects.filter(user=user, confirmed=True, key=key).first()
    if device is None:
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name="app", key=key, confirmed=True)
        record(SecurityEventKind.MFA_ENROLLED, user=user, detail=KIND_TOTP + " (demo)")
    return device


def totp_pending(user: Any, device_id: Any) -> TOTPDevice | None:
    try:
        pk = int(device_id)
    except (TypeError, ValueError):
        return None
    return TOTPDevice.objects.filter(user=user, pk=pk, confirmed=False).first()


def totp_secret(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing it into an app by hand."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as an SVG QR code in a ``data:`` URI, for an ``<img>``: the secret is never in an
    address of ours (no server log, no browser history), and the CSP allows ``img-src data:``."""
    return str(segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2))


@transaction.atomic
def totp_enrol_confirm(*, user: Any, device_id: Any, code: str, request: HttpRequest) -> TOTPDevice:
    """Confirm the app with a code from it: it becomes the user's app (replacing an earlier one), and the
    session counts as verified by it."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, pk=_int(device_id), confirmed=False).first()
    if device is None:
        raise MfaError(_("This set-up is no longer valid: start again."), "mfa_setup_expired")
    if not device.verify_token(_digits(code)):
        raise MfaError(
            _("The code is not right. Check the time on your phone and type the current code."), "mfa_invalid"
        )
    replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()[0]
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    factor_enrolled(
        user=user,
        request=request,
        device=device,
        detail=KIND_TOTP + (" (replaces the earlier app)" if replaced else ""),
    )
    return device


def session_verified(request: HttpRequest) -> bool:
    """Whether this session has passed the second factor (django-otp's middleware tells)."""
    is_verified = getattr(getattr(request, "user", None), "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def mark_verified(request: HttpRequest, device: Device) -> None:
    """The session has passed the second factor with ``device`` (enrolling one counts)."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        otp_login(request, device)


# --- Recovery codes ----------------------------------------------------------------------------------------------


def _normalise_code(code: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (code or "").lower())


def _digest(code: str) -> str:
    """The stored form of a recovery code: a keyed hash (the key derives from SECRET_KEY), 64 bits, which fits
    django-otp's 16-character token column."""
    return salted_hmac("lsw.accounts.recovery-code", _normalise_code(code), algorithm="sha256").hexdigest()[:16]


def _new_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def recovery_codes_generate(*, user: Any, request: HttpRequest | None = None) -> list[str]:
    """Ten new recovery codes, returned once to be shown once; the earlier ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=_digest(code)) for code in codes])
    record(SecurityEventKind.RECOVERY_CODES, user=user, request=request, detail=f"{len(codes)} codes")
    return codes


# --- A one-time code by SMS or e-mail (a person's own account) -------------------------------------------------


def code_device(user: Any) -> CodeDevice | None:
    if user is None or getattr(user, "pk", None) is None:
        return None
    return CodeDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def code_send(user: Any) -> CodeDevice | None:
    """At the second step: a new code to the user's phone or e-mail, unless one went out a moment ago (django-otp's
    cooldown). Returns the device, or None when the user signs in otherwise."""
    device = code_device(user)
    if device is not None:
        device.generate_challenge()
    return device


def masked(address: str) -> str:
    """Enough of the address for its owner to recognise it: ``+48 *** *** 789``, ``a***@example.org``."""
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"*** *** {address[-3:]}" if len(address) > 3 else "***"


@transaction.atomic
def code_enrol_begin(*, user: Any, channel: str, address: str) -> CodeDevice:
    """A person account chooses a code by SMS or e-mail: a device waiting for the first code, which goes out now."""
    if not getattr(user, "is_person_account", False):
        raise MfaError(_("Codes by SMS or e-mail are for a person's own account."), "not_allowed")
    if channel not in CODE_CHANNELS:
        raise MfaError(_("Choose SMS or e-mail."), "invalid")
    if not address:
        raise MfaError(_("We do not have your phone number or e-mail address. Ask your case manager."), "no_address")
    CodeDevice.objects.filter(user=user, confirmed=False).delete()
    device = CodeDevice.objects.create(
        user=user, name=f"code-{channel}", channel=channel, address=address, confirmed=False
    )
    device.generate_challenge()
    return device


def code_pending(user: Any, device_id: Any) -> CodeDevice | None:
    return CodeDevice.objects.filter(user=user, pk=_int(device_id), confirmed=False).first()


def code_enrol_confirm(*, user: Any, device_id: Any, code: str, request: HttpRequest) -> CodeDevice:
    """The first code came and was typed: from now on the person signs in with a code each time."""
    with transaction.atomic():
        device = CodeDevice.objects.select_for_update().filter(user=user, pk=_int(device_id), confirmed=False).first()
        if device is None:
            raise MfaError(_("Start again: choose how to get the code."), "invalid")
        if not device.verify_token(_digits(code)):
            raise MfaError(_("The code is not right."), "mfa_invalid")
        CodeDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    factor_enrolled(user=user, request=request, device=device, detail=f"{KIND_CODE} by {device.channel}")
    return device


# --- The second step of signing in -------------------------------------------------------------------------------


def second_step_begin(request: HttpRequest, user: Any) -> None:
    """After the right password of a user with a factor: remember who is half-way, without signing in."""
    request.session[PENDING_KEY] = {
        "user": str(user.pk),
        "backend": getattr(user, "backend", None) or settings.AUTHENTICATION_BACKENDS[0],
        "at": int(time.time()),
    }


def second_step_user(request: HttpRequest) -> tuple[Any, bool]:
    """Who the second step is for: ``(user, pending)``. A signed-in user whose session is not verified (pending
    False), or the user who gave the right password in this session a moment ago (pending True)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, False
    data = request.session.get(PENDING_KEY) if hasattr(request, "session") else None
    if not isinstance(data, dict):
        return None, False
    if int(time.time()) - int(data.get("at", 0)) > settings.MFA_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, False
    found = get_user_model()._default_manager.filter(pk=str(data.get("user", "")), is_active=True).first()
    return found, found is not None


def is_locked_out(request: HttpRequest, user: Any) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return bool(AxesProxyHandler.is_locked(request, {"username": user.get_username()}))


def no_second_step_message() -> str:
    return _("Sign in with your username and password first.")


def locked_out_message() -> str:
    return _(
        "Too many failed attempts: signing in to this account is locked for a while. Try again later or ask "
        "the administrator to unlock it."
    )


def second_step_failed(*, user: Any, request: HttpRequest, kind: str) -> None:
    """A wrong code or a refused passkey: the security log, and one failure for django-axes's lockout."""
    record(SecurityEventKind.MFA_FAILED, user=user, request=request, detail=kind)
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def second_step_verify(*, user: Any, code: str, request: HttpRequest) -> Device:
    """Check a code from the app, a code sent by SMS or e-mail, or a recovery code (a sent code and a recovery code
    are used up by this). Raises ``MfaError`` when refused."""
    if is_locked_out(request, user):
        raise MfaError(locked_out_message(), "locked_out")
    digits = _digits(code)
    kind = KIND_TOTP if re.fullmatch(r"\d{6}", digits) else KIND_RECOVERY
    device: Device | None = None
    throttled = False
    with transaction.atomic():
        if kind == KIND_TOTP:
            candidates: list[Any] = [
                *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
                *CodeDevice.objects.select_for_update().filter(user=user, confirmed=True),
            ]
            for candidate in candidates:
                throttled = throttled or not candidate.verify_is_allowed()[0]
                if candidate.verify_token(digits):
                    device = candidate
                    break
        elif _normalise_code(code):
            for static in StaticDevice.objects.select_for_update().filter(user=user, name=RECOVERY_DEVICE_NAME):
                throttled = throttled or not static.verify_is_allowed()[0]
                if static.verify_token(_digest(code)):
                    device = static
                    break
    if device is None:
        second_step_failed(user=user, request=request, kind=kind)
        if is_locked_out(request, user):
            raise MfaError(locked_out_message(), "locked_out")
        if throttled:
            raise MfaError(
                _("Several wrong codes in a row: wait a few seconds and type the current code."), "mfa_invalid"
            )
        raise MfaError(_("The code is not right."), "mfa_invalid")
    return device


def complete_sign_in(request: HttpRequest, user: Any, device: Device) -> None:
    """The second factor passed: sign in (when the password step left the user pending) and verify the session."""
    data = request.session.pop(PENDING_KEY, None)
    if not request.user.is_authenticated:
        backend = data.get("backend") if isinstance(data, dict) else None
        auth_login(request, user, backend=backend or settings.AUTHENTICATION_BACKENDS[0])
    otp_login(request, device)
    record(SecurityEventKind.LOGIN, user=user, request=request, detail=f"password + {factor_kind(device)}")


# --- Removing and resetting --------------------------------------------------------------------------------------


def factor_remove(
    *, user: Any, kind: str, device_id: Any, code: str = "", password: str = "", request: HttpRequest
) -> None:
    """Remove the app or one passkey. Proof first: a current code (app or recovery) or the password typed again.

    A wrong proof counts as a failed second step (written outside the removal's transaction, so that the refusal
    does not take the log row with it). When the last factor goes, the recovery codes go with it."""
    if kind == KIND_TOTP:
        target: Device | None = TOTPDevice.objects.filter(user=user, confirmed=True, pk=_int(device_id)).first()
    elif kind == KIND_WEBAUTHN:
        target = WebAuthnCredential.objects.filter(user=user, confirmed=True, pk=_int(device_id)).first()
    else:
        target = None
    if target is None:
        raise MfaError(_("This factor does not exist (any more)."), "not_found")
    if password:
        if not user.check_password(password):
            second_step_failed(user=user, request=request, kind="password")
            raise MfaError(_("The password is not right."), "mfa_invalid")
    elif code:
        second_step_verify(user=user, code=code, request=request)
    else:
        raise MfaError(_("Type a current code from your app, a recovery code or your password."), "mfa_required")
    verified_by = getattr(getattr(request, "user", None), "otp_device", None)
    target_id = target.persistent_id
    with transaction.atomic():
        target.delete()
        record(SecurityEventKind.MFA_REMOVED, user=user, request=request, detail=kind)
        last = not has_factor(user)
        if last:
            StaticDevice.objects.filter(user=user).delete()
    if last:
        _mark_session(request, False)
    elif verified_by is not None and verified_by.persistent_id == target_id:
        # The user has just proved who they are; the session stays verified by a factor they keep.
        remaining = totp_device(user) or next(iter(passkeys_of(user)), None)
        if remaining is not None:
            mark_verified(request, remaining)


@transaction.atomic
def factors_reset(*, user: Any, actor: Any, request: HttpRequest | None = None) -> int:
    """An administrator's reset: every app, passkey and recovery code of the user goes, and so does every session
    and token, so the next sign-in enrols afresh. Returns how many factors went."""
    removed = 0
    removed += TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += WebAuthnCredential.objects.filter(user=user).delete()[1].get(WebAuthnCredential._meta.label, 0)
    StaticDevice.objects.filter(user=user).delete()
    record(SecurityEventKind.MFA_RESET, user=user, actor=actor, request=request, detail=f"{removed} factors")
    end_everything(user, reason="mfa_reset", actor=actor, request=request)
    return removed


# --- Helpers -----------------------------------------------------------------------------------------------------


def _digits(code: str) -> str:
    return re.sub(r"\s", "", code or "")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
