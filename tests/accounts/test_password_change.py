"""Changing the password on the account page, and the reset: everything else of the user's ends with it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from knox.models import AuthToken

from accounts.choices import SecurityEventKind
from accounts.models import SecurityEvent, UserSession
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
NEW = "nowe-haslo-2026!"


@pytest.fixture
def ala() -> Any:
    return UserFactory(username="ala", email="ala@example.org")


def change(client: Client, old: str = PASSWORD, new: str = NEW, again: str | None = None) -> Any:
    data = {"old_password": old, "new_password1": new, "new_password2": again or new}
    return client.post(reverse("password-change"), data)


def test_the_account_page_links_to_the_password_change(ala: Any) -> None:
    client = Client()
    client.force_login(ala)
    assert reverse("password-change") in client.get(reverse("account")).content.decode()
    page = client.get(reverse("password-change"))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="old_password"' in text and 'name="new_password1"' in text
    assert "Zmień hasło" in text


def test_it_needs_a_signed_in_user() -> None:
    response = Client().get(reverse("password-change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_change_keeps_this_session_and_ends_the_others_and_every_token(ala: Any) -> None:
    here, elsewhere = Client(), Client()
    here.force_login(ala)
    elsewhere.force_login(ala)
    AuthToken.objects.create(user=ala)
    response = change(here)
    assert response.status_code == 302 and response["Location"] == reverse("account")
    ala.refresh_from_db()
    assert ala.check_password(NEW)
    assert here.get(reverse("account")).status_code == 200
    assert elsewhere.get(reverse("account")).status_code == 302
    assert not AuthToken.objects.filter(user=ala).exists()
    # The session that stays is still tracked under its new key, so the next change ends it too.
    assert list(UserSession.objects.filter(user=ala).values_list("session_key", flat=True)) == [
        here.session.session_key
    ]
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, user=ala, detail="changed").exists()
    assert SecurityEvent.objects.filter(
        kind=SecurityEventKind.SESSIONS_ENDED, user=ala, detail="password_changed"
    ).exists()


def test_a_wrong_old_password_or_a_weak_new_one_is_refused_with_a_message(ala: Any) -> None:
    client = Client()
    client.force_login(ala)
    wrong = change(client, old="zle-haslo")
    assert wrong.status_code == 400
    assert "Podane stare hasło jest niepoprawne" in wrong.content.decode()
    weak = change(client, new="1234")
    assert weak.status_code == 400
    mismatch = change(client, again="inne-haslo-2026!")
    assert mismatch.status_code == 400
    ala.refresh_from_db()
    assert ala.check_password(PASSWORD)
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED).exists()


def test_a_reset_ends_every_session_and_token(ala: Any) -> None:
    signed_in = Client()
    signed_in.force_login(ala)
    AuthToken.objects.create(user=ala)
    stranger = Client()
    stranger.post("/password-reset/", {"email": "ala@example.org"})
    link = re.search(r"/password-reset/[^/\s]+/[^/\s]+/", mail.outbox[0].body)
    assert link is not None
    form = stranger.get(link.group(0), follow=True)
    assert form.status_code == 200
    done = stranger.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    ala.refresh_from_db()
    assert ala.check_password(NEW)
    assert signed_in.get(reverse("account")).status_code == 302
    assert not AuthToken.objects.filter(user=ala).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.PASSWORD_CHANGED, user=ala, detail="reset").exists()
