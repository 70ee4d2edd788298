"""Lockout after failed sign-ins (django-axes) on both doors, its unlock, and the throttled password reset."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.choices import SecurityEventKind
from accounts.models import SecurityEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


@pytest.fixture
def ala() -> Any:
    return UserFactory(username="ala", email="ala@example.org")


def page_sign_in(client: Client, password: str, username: str = "ala", **extra: Any) -> Any:
    return client.post("/login/", {"username": username, "password": password}, **extra)


def api_sign_in(password: str, username: str = "ala", **extra: Any) -> Any:
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra)


def kinds(**filters: Any) -> list[str]:
    return list(SecurityEvent.objects.filter(**filters).order_by("id").values_list("kind", flat=True))


def test_the_login_page_locks_after_five_failures_and_refuses_the_right_password(ala: Any) -> None:
    client = Client()
    for _ in range(4):
        response = page_sign_in(client, "zle-haslo")
        assert response.status_code == 200
    fifth = page_sign_in(client, "zle-haslo")
    assert fifth.status_code == 429
    sixth = page_sign_in(client, PASSWORD)
    assert sixth.status_code == 429
    assert "_auth_user_id" not in client.session
    text = sixth.content.decode()
    assert "Zbyt wiele nieudanych prób logowania" in text
    assert "zablokowane na 15 minut" in text
    assert "— LSW</title>" in text and "<h1>Logowanie zablokowane</h1>" in text  # a page of the site
    assert sixth["Retry-After"] == str(15 * 60)
    failed, locked = SecurityEventKind.LOGIN_FAILED, SecurityEventKind.LOCKED_OUT
    # Axes counts first and locks on the fifth; the sixth is refused without being counted.
    assert kinds(username="ala") == [failed] * 4 + [locked, failed, failed]
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN_FAILED, detail="refused: locked out").count() == 1


def test_the_token_endpoint_locks_after_five_failures_with_429_locked_out(ala: Any) -> None:
    for _ in range(4):
        assert api_sign_in("zle-haslo").status_code == 400
    fifth = api_sign_in("zle-haslo")
    assert fifth.status_code == 429
    sixth = api_sign_in(PASSWORD)
    assert sixth.status_code == 429
    body = sixth.json()
    assert set(body) == {"detail", "code"}
    assert body["code"] == "locked_out"
    assert "15" in body["detail"]
    assert int(sixth["Retry-After"]) == 15 * 60
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT, username="ala", channel="api").count() == 1


def test_failures_on_one_door_count_on_the_other(ala: Any) -> None:
    client = Client()
    for _ in range(3):
        page_sign_in(client, "zle-haslo")
    for _ in range(2):
        api_sign_in("zle-haslo")
    assert page_sign_in(client, PASSWORD).status_code == 429


def test_the_lockout_is_by_username_and_address_not_the_username_alone(ala: Any) -> None:
    """An attacker elsewhere cannot lock a coordinator out of their own ward's PC."""
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(6):
        page_sign_in(attacker, "zle-haslo")
    assert page_sign_in(attacker, PASSWORD).status_code == 429
    ward = Client(REMOTE_ADDR="10.1.2.3")
    assert page_sign_in(ward, PASSWORD).status_code == 302
    # And another username from the attacker's address is not locked either.
    UserFactory(username="bob")
    assert page_sign_in(attacker, PASSWORD, username="bob").status_code == 302


def test_a_success_before_the_limit_forgets_the_earlier_failures(ala: Any) -> None:
    client = Client()
    for _ in range(4):
        page_sign_in(client, "zle-haslo")
    assert page_sign_in(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert page_sign_in(client, "zle-haslo").status_code == 200
    assert page_sign_in(client, PASSWORD).status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.LOGIN, user=ala, detail="password").count() == 2


def test_the_limit_and_the_cool_off_are_settings(ala: Any, settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    page_sign_in(client, "zle-haslo")
    assert page_sign_in(client, "zle-haslo").status_code == 429


def test_the_lockout_ends_after_the_cool_off(ala: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    client = Client()
    for _ in range(5):
        page_sign_in(client, "zle-haslo")
    assert page_sign_in(client, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert page_sign_in(client, PASSWORD).status_code == 302


def test_the_page_says_how_many_minutes_are_left(ala: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    client = Client()
    for _ in range(5):
        page_sign_in(client, "zle-haslo")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=12, seconds=30))
    text = page_sign_in(client, PASSWORD).content.decode()
    assert "zablokowane na 3 minuty" in text


def test_an_administrator_unlocks_from_the_user_list(ala: Any) -> None:
    client = Client()
    for _ in range(5):
        page_sign_in(client, "zle-haslo")
    assert page_sign_in(client, PASSWORD).status_code == 429
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    office = Client()
    office.force_login(admin)
    changelist = reverse("admin:partners_user_changelist")
    response = office.post(changelist, {"action": "unlock_sign_in", "_selected_action": [str(ala.pk)]})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="ala").exists()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.UNLOCKED)
    assert event.user == ala and event.actor == admin and event.channel == "admin"
    assert page_sign_in(client, PASSWORD).status_code == 302


def test_an_administrator_unlocks_from_the_list_of_lockouts(ala: Any) -> None:
    client = Client()
    for _ in range(5):
        page_sign_in(client, "zle-haslo")
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    office = Client()
    office.force_login(admin)
    changelist = reverse("admin:axes_accessattempt_changelist")
    listing = office.get(changelist)
    assert listing.status_code == 200 and "ala" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="ala")
    assert "zle-haslo" not in attempt.post_data  # the typed password is never kept
    office.post(changelist, {"action": "unlock", "_selected_action": [str(attempt.pk)]})
    assert not AccessAttempt.objects.exists()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.UNLOCKED)
    assert event.username == "ala" and event.actor == admin
    assert page_sign_in(client, PASSWORD).status_code == 302


def test_a_failure_for_an_unknown_username_is_logged_as_typed() -> None:
    page_sign_in(Client(), "cokolwiek", username="nieznany")
    event = SecurityEvent.objects.get(kind=SecurityEventKind.LOGIN_FAILED)
    assert event.username == "nieznany" and event.user is None


def test_the_password_change_form_counts_wrong_old_passwords(ala: Any) -> None:
    client = Client()
    client.force_login(ala)
    url = reverse("password-change")
    data = {"old_password": "zle", "new_password1": "nowe-haslo-2026!", "new_password2": "nowe-haslo-2026!"}
    for _ in range(4):
        assert client.post(url, data).status_code == 400
    assert client.post(url, data).status_code == 429
    assert client.post(url, {**data, "old_password": PASSWORD}).status_code == 429
    ala.refresh_from_db()
    assert ala.check_password(PASSWORD)


# --- password reset ------------------------------------------------------------------------------------


def test_eleven_reset_requests_send_at_most_three_mails_to_one_user(ala: Any) -> None:
    client = Client()
    for _ in range(11):
        response = client.post("/password-reset/", {"email": "ala@example.org"})
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 3
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET_SENT, user=ala).count() == 3


def test_the_per_address_limit_holds_across_clients(ala: Any) -> None:
    for n in range(5):
        Client(REMOTE_ADDR=f"10.0.0.{n + 1}").post("/password-reset/", {"email": "ALA@example.org"})
    assert len(mail.outbox) == 3


def test_one_client_gets_at_most_ten_mails_an_hour(settings: Any) -> None:
    settings.PASSWORD_RESET_LIMIT_PER_CLIENT = 4
    for n in range(6):
        UserFactory(username=f"osoba{n}", email=f"osoba{n}@example.org")
    client = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(6):
        assert client.post("/password-reset/", {"email": f"osoba{n}@example.org"}).status_code == 302
    assert len(mail.outbox) == 4
    Client(REMOTE_ADDR="198.51.100.8").post("/password-reset/", {"email": "osoba5@example.org"})
    assert len(mail.outbox) == 5


def test_an_unknown_address_answers_the_same_and_sends_nothing() -> None:
    response = Client().post("/password-reset/", {"email": "nikt@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_RESET_SENT).exists()
