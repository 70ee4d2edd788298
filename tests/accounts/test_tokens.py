"""API tokens (django-rest-knox): hashed, expiring, several per user, each revocable; a second factor on the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts import mfa
from accounts.choices import SecurityEventKind
from accounts.models import SecurityEvent
from partners.services import user_deactivate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


def sign_in(username: str, **fields: str) -> Any:
    data = {"username": username, "password": PASSWORD, **fields}
    return APIClient().post("/api/v1/auth/token/", data, format="json")


def client_with(token: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def current_code(device: TOTPDevice) -> str:
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift)).zfill(device.digits)


@pytest.fixture
def ala() -> Any:
    return UserFactory(username="ala")


@pytest.fixture
def ala_with_totp(ala: Any, settings: Any) -> TOTPDevice:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code does not delay the next one here
    return TOTPDevice.objects.create(user=ala, name="telefon", confirmed=True)


def test_it_issues_a_token_that_is_stored_only_as_a_hash_and_expires_in_8_hours(ala: Any) -> None:
    before = timezone.now()
    response = sign_in("ala")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    token = body["token"]
    row = AuthToken.objects.get(user=ala)
    assert token not in (row.digest, row.token_key) and row.digest != token
    assert row.token_key == token[: len(row.token_key)]
    assert before + timedelta(hours=8) <= row.expiry <= timezone.now() + timedelta(hours=8)
    assert client_with(token).get("/api/v1/me/").status_code == 200
    kinds = set(SecurityEvent.objects.filter(user=ala).values_list("kind", flat=True))
    assert {SecurityEventKind.LOGIN, SecurityEventKind.TOKEN_CREATED} <= kinds


def test_the_expiry_follows_the_setting(ala: Any, settings: Any) -> None:
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(minutes=5)}
    sign_in("ala")
    row = AuthToken.objects.get(user=ala)
    assert row.expiry <= timezone.now() + timedelta(minutes=5)


def test_a_token_is_refused_after_its_expiry(ala: Any, monkeypatch: Any) -> None:
    token = sign_in("ala").json()["token"]
    api = client_with(token)
    assert api.get("/api/v1/me/").status_code == 200
    later = timezone.now() + timedelta(hours=8, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(user=ala).exists()  # the expired row is gone


def test_logout_revokes_only_the_token_it_is_called_with(ala: Any) -> None:
    phone = sign_in("ala").json()["token"]
    desk = sign_in("ala").json()["token"]
    assert AuthToken.objects.filter(user=ala).count() == 2
    assert client_with(phone).post("/api/v1/auth/logout/").status_code == 204
    assert client_with(phone).get("/api/v1/me/").status_code == 401
    assert client_with(desk).get("/api/v1/me/").status_code == 200
    assert SecurityEvent.objects.filter(user=ala, kind=SecurityEventKind.TOKEN_REVOKED, detail__endswith="logout")
    # Signing out is for a token: without one there is nothing to sign out of.
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401


def test_the_user_lists_their_live_tokens_and_revokes_one(ala: Any) -> None:
    first = sign_in("ala").json()["token"]
    second = sign_in("ala").json()["token"]
    other = UserFactory(username="bob")
    AuthToken.objects.create(user=other)
    expired, _ = AuthToken.objects.create(user=ala, expiry=timedelta(seconds=-1))
    api = client_with(first)
    listed = api.get("/api/v1/auth/tokens/").json()["results"]
    assert {row["id"] for row in listed} == {first[:15], second[:15]}
    assert {row["current"] for row in listed if row["id"] == first[:15]} == {True}
    assert set(listed[0]) == {"id", "created", "expires_at", "current"}
    assert all(first not in str(row) and second not in str(row) for row in listed)
    # Another user's token and an expired one are not theirs to revoke: the same 404 as a made-up id.
    assert api.delete(f"/api/v1/auth/tokens/{expired.token_key}/").json()["code"] == "not_found"
    bobs = AuthToken.objects.get(user=other).token_key
    assert api.delete(f"/api/v1/auth/tokens/{bobs}/").status_code == 404
    assert api.delete("/api/v1/auth/tokens/nope/").status_code == 404
    assert api.delete(f"/api/v1/auth/tokens/{second[:15]}/").status_code == 204
    assert client_with(second).get("/api/v1/me/").status_code == 401
    assert api.get("/api/v1/me/").status_code == 200
    assert AuthToken.objects.filter(user=other).exists()


def test_a_password_change_and_a_deactivation_revoke_every_token(ala: Any, world: Any) -> None:
    tokens = [sign_in("ala").json()["token"] for _ in range(2)]
    response = client_with(tokens[0]).post(
        "/api/v1/auth/password/", {"old_password": PASSWORD, "new_password": "nowe-haslo-2026!"}, format="json"
    )
    assert response.status_code == 200
    assert all(client_with(token).get("/api/v1/me/").status_code == 401 for token in tokens)
    assert SecurityEvent.objects.filter(user=ala, kind=SecurityEventKind.PASSWORD_CHANGED).exists()

    staff = world.receiving_staff
    token = (
        APIClient()
        .post("/api/v1/auth/token/", {"username": staff.username, "password": PASSWORD}, format="json")
        .json()["token"]
    )
    user_deactivate(actor=UserFactory(is_superuser=True, is_staff=True), user=staff)
    assert client_with(token).get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(user=staff).exists()


def test_the_api_password_change_refuses_a_wrong_old_password_and_a_weak_new_one(ala: Any) -> None:
    api = client_with(sign_in("ala").json()["token"])
    wrong = api.post("/api/v1/auth/password/", {"old_password": "x", "new_password": "nowe-haslo-2026!"})
    assert wrong.status_code == 400 and "old_password" in wrong.json()
    weak = api.post("/api/v1/auth/password/", {"old_password": PASSWORD, "new_password": "123"})
    assert weak.status_code == 400 and "new_password" in weak.json()
    ala.refresh_from_db()
    assert ala.check_password(PASSWORD)
    assert api.get("/api/v1/me/").status_code == 200


def test_a_user_with_a_second_factor_needs_the_code(ala_with_totp: TOTPDevice) -> None:
    missing = sign_in("ala")
    assert missing.status_code == 401
    assert missing.json()["code"] == "mfa_required"
    assert missing["WWW-Authenticate"] == "Token"
    wrong = sign_in("ala", otp="000000" if current_code(ala_with_totp) != "000000" else "111111")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "mfa_invalid"
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.MFA_FAILED, username="ala").exists()
    good = sign_in("ala", otp=current_code(ala_with_totp))
    assert good.status_code == 200
    assert client_with(good.json()["token"]).get("/api/v1/me/").status_code == 200
    # The same code twice is a replay.
    assert sign_in("ala", otp=current_code(ala_with_totp)).json()["code"] == "mfa_invalid"


def test_a_recovery_code_works_once(ala_with_totp: TOTPDevice) -> None:
    # The codes the account page makes (stored as keyed hashes, accounts.mfa), not a hand-made plain token.
    codes = mfa.recovery_codes_generate(user=ala_with_totp.user)
    assert not StaticToken.objects.filter(token=codes[0]).exists()
    assert sign_in("ala", otp=codes[0]).status_code == 200
    assert sign_in("ala", otp=codes[1].upper()).status_code == 200  # typed in capitals, as printed or not
    assert sign_in("ala", otp=codes[0]).json()["code"] == "mfa_invalid"


def test_a_passkey_only_account_gets_a_token_with_a_recovery_code(ala: Any) -> None:
    from django_otp_webauthn.models import WebAuthnCredential

    WebAuthnCredential.objects.create(
        user=ala, name="klucz", confirmed=True, credential_id=b"id", public_key=b"key", sign_count=0
    )
    assert sign_in("ala").json()["code"] == "mfa_required"
    code = mfa.recovery_codes_generate(user=ala)[0]
    assert sign_in("ala", otp=code).status_code == 200


def test_with_mfa_required_an_account_without_a_factor_gets_no_token(settings: Any, world: Any) -> None:
    settings.MFA_REQUIRED = True
    world.receiving_staff.set_password("secret-pass-123")
    world.receiving_staff.save()
    response = Client().post(
        "/api/v1/auth/token/", {"username": world.receiving_staff.username, "password": "secret-pass-123"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_not_enrolled"
    assert not AuthToken.objects.filter(user=world.receiving_staff).exists()
    # An employer's staff reads no person data: the rule does not apply to them.
    world.employer_staff.set_password("secret-pass-123")
    world.employer_staff.save()
    answer = Client().post(
        "/api/v1/auth/token/", {"username": world.employer_staff.username, "password": "secret-pass-123"}
    )
    assert answer.status_code == 200


def test_the_wrong_password_never_reveals_whether_a_second_factor_exists(ala_with_totp: TOTPDevice) -> None:
    response = sign_in("ala", password="zle", otp="1")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_wrong_codes_count_toward_the_lockout(ala_with_totp: TOTPDevice) -> None:
    for _ in range(4):
        assert sign_in("ala", otp="abc").status_code == 401
    fifth = sign_in("ala", otp="abc")
    assert fifth.status_code == 429
    assert fifth.json()["code"] == "locked_out"
    assert sign_in("ala", otp=current_code(ala_with_totp)).status_code == 429


def test_an_inactive_user_gets_no_token(ala: Any) -> None:
    ala.is_active = False
    ala.save(update_fields=["is_active"])
    assert sign_in("ala").status_code == 400
    assert not AuthToken.objects.exists()


def test_a_browser_session_cannot_sign_out_a_token_but_can_list_its_user_tokens(ala: Any) -> None:
    sign_in("ala")
    browser = Client()
    browser.force_login(ala)
    assert browser.get("/api/v1/auth/tokens/").json()["count"] == 1
    assert browser.post("/api/v1/auth/logout/").status_code in (401, 403)
    assert AuthToken.objects.filter(user=ala).count() == 1


def test_the_schema_describes_the_token_endpoints_and_their_error_codes(client: Any, ala: Any) -> None:
    client.force_login(ala)  # outside DEBUG the schema is for signed-in users only
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/auth/token/",
        "/api/v1/auth/logout/",
        "/api/v1/auth/tokens/",
        "/api/v1/auth/tokens/{id}/",
        "/api/v1/auth/password/",
    ):
        assert path in paths, path
    token = paths["/api/v1/auth/token/"]["post"]
    assert {"200", "400", "401", "429"} <= set(token["responses"])
    text = str(token["responses"])
    assert "mfa_required" in text and "mfa_invalid" in text and "locked_out" in text
    assert "otp" in str(schema["components"]["schemas"]["SignInRequest"])


def test_the_administrator_sees_tokens_by_their_first_characters_and_revokes_them(ala: Any) -> None:
    from django.urls import reverse

    token = sign_in("ala").json()["token"]
    row = AuthToken.objects.get(user=ala)
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    office = Client()
    office.force_login(admin)
    changelist = reverse("admin:knox_authtoken_changelist")
    listing = office.get(changelist).content.decode()
    assert row.token_key in listing and token not in listing  # (the hash is the row's key, in its checkbox)
    assert office.get(reverse("admin:knox_authtoken_add")).status_code == 403
    office.post(changelist, {"action": "revoke", "_selected_action": [row.pk]})
    assert client_with(token).get("/api/v1/me/").status_code == 401
    event = SecurityEvent.objects.get(kind=SecurityEventKind.TOKEN_REVOKED)
    assert event.user == ala and event.actor == admin
