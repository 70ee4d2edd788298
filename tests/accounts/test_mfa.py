"""The second factor: enrolment of the app, recovery codes, the second step of signing in, removal, the
administrator's reset, MFA_REQUIRED's gate and the lockout the second step shares with the password."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from accounts.choices import SecurityEventKind
from accounts.models import SecurityEvent, UserSession
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXP"
PASSWORD = "secret-pass-123"


@pytest.fixture(autouse=True)
def _no_throttle(settings: Any) -> None:
    # django-otp slows down guesses (1 s, 2 s, 4 s … after each wrong code); the tests type at machine speed.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice) -> str:
    """What the app shows now (each code is accepted once: django-otp refuses a replay)."""
    return f"{totp(device.bin_key):06d}"


def events(kind: str, user: Any) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind, user=user))


def sign_in_with_password(client: Client, user: Any, next_url: str = "") -> Any:
    data = {"username": user.username, "password": PASSWORD}
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


# --- Enrolment ---------------------------------------------------------------------------------------------------


def test_it_enrols_an_app_shows_a_qr_code_and_recovery_codes_once(client: Client, world: Any) -> None:
    user = world.coordinator
    client.force_login(user)
    assert client.get(reverse("account")).content.decode().count(reverse("mfa-enrol")) >= 1
    response = client.post(reverse("mfa-totp"), {"action": "start"})
    assert response.status_code == 302
    page = client.get(reverse("mfa-totp"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    # The secret shown for typing by hand is the device's key in base32.
    assert mfa.totp_secret(device).replace(" ", "") in html.replace(" ", "")

    done = client.post(reverse("mfa-totp"), {"action": "confirm", "code": code_for(device)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert mfa.recovery_codes_left(user) == 10
    # Only keyed hashes are stored, never the codes themselves.
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert not stored & set(codes)
    assert events(SecurityEventKind.MFA_ENROLLED, user) and events(SecurityEventKind.RECOVERY_CODES, user)
    # The enrolling session is verified by the new app: pages open.
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_does_not_confirm_the_app(client: Client, world: Any) -> None:
    user = world.coordinator
    client.force_login(user)
    client.post(reverse("mfa-totp"), {"action": "start"})
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa-totp"), {"action": "confirm", "code": wrong})
    assert response.status_code == 400
    assert "Kod jest nieprawidłowy" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not mfa.has_factor(user)


def test_re_enrolment_replaces_the_old_app_only_once_the_new_one_is_confirmed(client: Client, world: Any) -> None:
    user = world.coordinator
    old = mfa.totp_enrol_with_secret(user=user, secret_base32=SECRET)
    client.force_login(user)
    verify = client.post(reverse("mfa-verify"), {"code": code_for(old)})
    assert verify.status_code == 302
    client.post(reverse("mfa-totp"), {"action": "start"})
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()  # still works meanwhile
    client.post(reverse("mfa-totp"), {"action": "confirm", "code": code_for(new)})
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [new.pk]


def test_enrolling_ends_the_users_other_sessions(world: Any) -> None:
    user = world.coordinator
    desk, phone = Client(), Client()
    desk.force_login(user)
    phone.force_login(user)
    desk.post(reverse("mfa-totp"), {"action": "start"})
    device = TOTPDevice.objects.get(user=user)
    desk.post(reverse("mfa-totp"), {"action": "confirm", "code": code_for(device)})
    assert desk.get(reverse("home")).status_code == 200
    assert phone.get(reverse("home")).url.startswith(reverse("login"))


# --- The second step of signing in -------------------------------------------------------------------------------


def test_the_password_alone_does_not_sign_in_a_user_with_an_app(client: Client, world: Any) -> None:
    user = world.coordinator
    device = mfa.totp_enrol_with_secret(user=user, secret_base32=SECRET)
    response = sign_in_with_password(client, user, next_url="/people/")
    assert response.status_code == 302
    assert response.url == reverse("mfa-verify") + "?next=%2Fpeople%2F"
    # Not signed in yet: every page still asks for the login.
    assert client.get(reverse("home")).url.startswith(reverse("login"))
    assert not UserSession.objects.filter(user=user).exists()
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Drugi krok logowania" in page.content.decode()

    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    refused = client.post(reverse("mfa-verify"), {"code": wrong, "next": "/people/"})
    assert refused.status_code == 400
    assert len(events(SecurityEventKind.MFA_FAILED, user)) == 1

    done = client.post(reverse("mfa-verify"), {"code": code_for(device), "next": "/people/"})
    assert done.status_code == 302
    assert done.url == "/people/"
    assert client.get(reverse("home")).status_code == 200
    login = events(SecurityEventKind.LOGIN, user)
    assert [event.detail for event in login] == ["password + totp"]
    assert UserSession.objects.filter(user=user).count() == 1


def test_a_user_without_a_factor_signs_in_with_the_password(client: Client, world: Any) -> None:
    response = sign_in_with_password(client, world.receiving_staff)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert [e.detail for e in events(SecurityEventKind.LOGIN, world.receiving_staff)] == ["password"]


def test_the_second_step_expires(client: Client, world: Any, settings: Any) -> None:
    user = world.coordinator
    device = mfa.totp_enrol_with_secret(user=user, secret_base32=SECRET)
    sign_in_with_password(client, user)
    session = client.session
    session[mfa.PENDING_KEY] = {**session[mfa.PENDING_KEY], "at": session[mfa.PENDING_KEY]["at"] - 3600}
    session.save()
    response = client.post(reverse("mfa-verify"), {"code": code_for(device)})
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_a_recovery_code_works_once(client: Client, world: Any) -> None:
    user = world.coordinator
    mfa.totp_enrol_with_secret(user=user, secret_base32=SECRET)
    codes = mfa.recovery_codes_generate(user=user)
    sign_in_with_password(client, user)
    # Typed as a person might: upper case, spaces around.
    response = client.post(reverse("mfa-verify"), {"code": f"  {codes[3].upper()} "})
    assert response.status_code == 302
    assert mfa.recovery_codes_left(user) == 9
    assert events(SecurityEventKind.LOGIN, user)[0].detail == "password + recovery_code"

    again = Client()
    sign_in_with_password(again, user)
    refused = again.post(reverse("mfa-verify"), {"code": codes[3]})
    assert refused.status_code == 400
    assert again.get(reverse("home")).url.startswith(reverse("login"))
    assert events(SecurityEventKind.MFA_FAILED, user)[0].detail == "recovery_code"


def test_new_recovery_codes_replace_the_old_ones(client: Client, world: Any) -> None:
    user = world.coordinator
    device = mfa.totp_enrol_with_secret(user=user, secret_base32=SECRET)
    old = mfa.recovery_codes_generate(user=user)
    client.force_login(user)
    client.post(reverse("mfa-verify"), {"code": code_for(device)})
    page = client.post(reverse("mfa-recovery-codes"))
    new = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", page.content.decode())
    assert len(new) == 10
    assert page["Cache-Control"].startswith("max-age=0")
    other = Client()
    sign_in_with_password(other, user)
    assert other.post(reverse("mfa-verify"), {"code": old[0]}).status_code == 400
    assert other.post(reverse("mfa-verify"), {"code": new[0]}).status_code == 302


# --- Removing and resetting --------------------------------------------------------------------------------------


def test_removing_the_app_needs_a_proof(client: Client, world: Any) -> None:
    user = world.coordinator
    device = mfa.totp_enrol_with_secret(user=user, secret_base32=SECRET)
    mfa.recovery_codes_generate(user=user)
    client.force_login(user)
    client.post(reverse("mfa-verify"), {"code": code_for(device)})
    url = reverse("mfa-remove", args=["totp", device.pk])
    assert client.get(url).status_code == 200
    nothing = client.post(url, {})
    assert nothing.status_code == 400
    wrong = client.post(url, {"password": "not-the-password"})
    assert wrong.status_code == 400
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    assert events(SecurityEventKind.MFA_FAILED, user)[0].detail == "password"

    done = client.post(url, {"password": PASSWORD})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    # With the last factor gone, the recovery codes go too, and the password alone signs in again.
    assert mfa.recovery_codes_left(user) == 0
    assert events(SecurityEventKind.MFA_REMOVED, user)[0].detail == "totp"
    assert client.get(reverse("home")).status_code == 200


def test_someone_elses_factor_cannot_be_removed(client: Client, world: Any) -> None:
    theirs = mfa.totp_enrol_with_secret(user=world.receiving_staff, secret_base32=SECRET)
    client.force_login(world.coordinator)
    response = client.post(reverse("mfa-remove", args=["totp", theirs.pk]), {"password": PASSWORD})
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


def test_the_administrators_reset_removes_every_factor_and_ends_every_session(world: Any) -> None:
    user = world.coordinator
    device = mfa.totp_enrol_with_secret(user=user, secret_base32=SECRET)
    mfa.recovery_codes_generate(user=user)
    theirs = Client()
    theirs.force_login(user)
    assert theirs.post(reverse("mfa-verify"), {"code": code_for(device)}).status_code == 302
    admin = UserFactory(username="operator", is_staff=True, is_superuser=True)
    operator = Client()
    operator.force_login(admin)
    response = operator.post(
        reverse("admin:partners_user_changelist"),
        {"action": "reset_second_factors", "_selected_action": [str(user.pk)]},
    )
    assert response.status_code == 302
    assert not mfa.has_factor(user)
    assert mfa.recovery_codes_left(user) == 0
    reset = events(SecurityEventKind.MFA_RESET, user)
    assert len(reset) == 1 and reset[0].actor == admin
    ended = events(SecurityEventKind.SESSIONS_ENDED, user)
    assert ended[0].detail == "mfa_reset" and ended[0].actor == admin
    assert theirs.get(reverse("home")).url.startswith(reverse("login"))
    assert not UserSession.objects.filter(user=user).exists()


# --- MFA_REQUIRED and the gate -----------------------------------------------------------------------------------


def test_mfa_required_sends_people_readers_to_enrolment_before_any_page(
    client: Client, world: Any, settings: Any
) -> None:
    settings.MFA_REQUIRED = True
    client.force_login(world.receiving_staff)
    for url in [reverse("home"), reverse("people-list"), reverse("account"), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("mfa-enrol")
    api = client.get("/api/v1/notifications/")
    assert api.status_code == 403
    assert api.json()["code"] == "mfa_required"
    # The enrolment pages themselves, and signing out, stay open.
    page = client.get(reverse("mfa-enrol"))
    assert page.status_code == 200
    assert "dostęp do danych" in page.content.decode()
    assert client.post(reverse("mfa-totp"), {"action": "start"}).status_code == 302
    assert client.get(reverse("mfa-totp")).status_code == 200


def test_mfa_required_lets_an_enrolled_and_verified_user_through(client: Client, world: Any, settings: Any) -> None:
    settings.MFA_REQUIRED = True
    user = world.coordinator
    device = mfa.totp_enrol_with_secret(user=user, secret_base32=SECRET)
    sign_in_with_password(client, user)
    client.post(reverse("mfa-verify"), {"code": code_for(device)})
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("people-list")).status_code == 200
    assert client.get("/api/v1/notifications/").status_code == 200


def test_mfa_required_does_not_apply_to_an_employer_or_the_monitor(client: Client, world: Any, settings: Any) -> None:
    settings.MFA_REQUIRED = True
    for user in [world.employer_staff, world.monitor]:
        client.force_login(user)
        assert client.get(reverse("home")).status_code == 200


def test_an_unverified_session_of_a_user_with_a_factor_goes_to_the_second_step(client: Client, world: Any) -> None:
    # A session signed in before its user enrolled elsewhere (or restored from a backup): authenticated, not
    # verified. MFA_REQUIRED is off here: a factor, once set up, is always asked for.
    user = world.coordinator
    mfa.totp_enrol_with_secret(user=user, secret_base32=SECRET)
    client.force_login(user)
    response = client.get(reverse("people-list"))
    assert response.status_code == 302
    assert response.url == reverse("mfa-verify") + "?next=%2Fpeople%2F"
    api = client.get("/api/v1/notifications/")
    assert api.status_code == 403
    assert api.json() == {"detail": "Najpierw przejdź drugi krok logowania.", "code": "mfa_required"}
    # Nor may such a session change the factors (that would let a password alone replace the app).
    assert client.post(reverse("mfa-totp"), {"action": "start"}).url.startswith(reverse("mfa-verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


# --- Failures and the lockout ------------------------------------------------------------------------------------


def test_second_step_failures_are_logged_and_counted_towards_the_lockout(
    client: Client, world: Any, settings: Any
) -> None:
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 3
    user = world.coordinator
    device = mfa.totp_enrol_with_secret(user=user, secret_base32=SECRET)
    sign_in_with_password(client, user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    for _ in range(2):
        assert client.post(reverse("mfa-verify"), {"code": wrong}).status_code == 400
    # The failure that reaches the limit is answered by django-axes's lockout response.
    assert client.post(reverse("mfa-verify"), {"code": wrong}).status_code == 429
    assert len(events(SecurityEventKind.MFA_FAILED, user)) == 3
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == 3
    # Locked: even the right code is refused now, and not counted as one more failure.
    locked = client.post(reverse("mfa-verify"), {"code": code_for(device)})
    assert locked.status_code == 429
    assert "zablokowane" in locked.content.decode()
    assert client.get(reverse("home")).url.startswith(reverse("login"))
    assert len(events(SecurityEventKind.MFA_FAILED, user)) == 3


def test_a_refused_passkey_counts_as_a_failed_second_step(client: Client, world: Any) -> None:
    user = world.coordinator
    mfa.totp_enrol_with_secret(user=user, secret_base32=SECRET)
    begin_url = reverse("otp_webauthn:credential-authentication-begin")
    complete_url = reverse("otp_webauthn:credential-authentication-complete")
    # Without the password step there is no one to verify: passkeys are no way in on their own.
    nobody = client.post(begin_url)
    assert nobody.status_code == 403
    sign_in_with_password(client, user)
    options = client.post(begin_url)
    assert options.status_code == 200
    assert "challenge" in options.json()
    refused = client.post(complete_url, {"id": "nonsense"}, content_type="application/json")
    assert refused.status_code >= 400
    assert events(SecurityEventKind.MFA_FAILED, user)[0].detail == "passkey"
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_the_passkey_script_messages_are_served_in_polish(client: Client) -> None:
    response = client.get(reverse("otp_webauthn:js-i18n-catalog"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Verify with Passkey" in body and "Zweryfikuj" not in body
    assert "Weryfikacja" in body


def test_the_admin_offers_no_device_pages_where_a_secret_could_be_read() -> None:
    from django.contrib import admin
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp_webauthn.models import WebAuthnCredential

    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        assert not admin.site.is_registered(model)
