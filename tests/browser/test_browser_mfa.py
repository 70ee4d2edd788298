"""The second factor through the real pages in Chromium: a TOTP sign-in, and a passkey registered and used with
Chromium's virtual authenticator (WebAuthn over CDP). The live server is http://localhost:<port>, a secure
context for WebAuthn; the relying party and allowed origin are set to it."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import totp
from django_otp_webauthn.models import WebAuthnCredential

from accounts import mfa
from accounts.choices import SecurityEventKind
from accounts.models import SecurityEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_with_password(page: Any, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("Nazwa użytkownika").fill(username)
    page.get_by_label("Hasło").fill("secret-pass-123")
    page.get_by_role("button", name="Zaloguj się").click()


def test_a_coordinator_signs_in_with_a_code_from_the_app(page: Any, world: Any) -> None:
    device = mfa.totp_enrol_with_secret(user=world.coordinator, secret_base32="JBSWY3DPEHPK3PXP")
    sign_in_with_password(page, "koordynator")
    page.get_by_role("heading", level=1, name="Drugi krok logowania").wait_for()
    # Not signed in yet: no navigation, and the home page sends back to the login.
    assert page.get_by_role("navigation", name="Nawigacja główna").count() == 0
    page.get_by_label("Kod").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Potwierdź").click()
    page.get_by_role("heading", name="Witaj, Katarzyna Nowak").wait_for()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN, user=world.coordinator)
    assert event.detail == "password + totp"


@pytest.fixture
def passkey_server(settings: Any, live_server: Any) -> str:
    assert live_server.url.startswith("http://localhost:")
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    return str(live_server.url)


def virtual_authenticator(page: Any) -> Any:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


def test_a_partner_worker_registers_a_passkey_and_signs_in_with_it(page: Any, world: Any, passkey_server: str) -> None:
    virtual_authenticator(page)
    user = world.receiving_staff
    sign_in_with_password(page, "mopr")
    page.get_by_role("navigation", name="Nawigacja główna").wait_for()
    page.goto("/account/")
    page.get_by_role("link", name="Drugi składnik logowania (aplikacja, klucze dostępu, kody zapasowe)").click()
    page.wait_for_url("**/account/second-factor/")
    page.get_by_role("button", name="Zarejestruj klucz dostępu").click()
    # The first factor brings the first recovery codes, shown once.
    page.get_by_role("heading", level=1, name="Twoje kody zapasowe").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    assert WebAuthnCredential.objects.filter(user=user, confirmed=True).count() == 1
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.MFA_ENROLLED, user=user, detail="passkey").exists()

    page.get_by_role("button", name="Wyloguj się").click()
    page.get_by_role("heading", name="Zaloguj się").wait_for()
    sign_in_with_password(page, "mopr")
    page.get_by_role("heading", level=1, name="Drugi krok logowania").wait_for()
    page.get_by_role("button", name="Użyj klucza dostępu").click()
    page.get_by_role("navigation", name="Nawigacja główna").wait_for()
    assert page.url.endswith("/")
    event = SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN, user=user).latest("at")
    assert event.detail == "password + passkey"
