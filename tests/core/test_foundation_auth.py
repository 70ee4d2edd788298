from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_renders_the_login_page_in_polish_by_default(client: Any) -> None:
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="pl">' in html
    assert "Zaloguj się" in html
    assert 'href="#main"' in html and '<main id="main"' in html
    assert '<label for="id_username">' in html


def test_it_serves_htmx_locally(client: Any) -> None:
    html = client.get("/login/").content.decode()
    assert "/static/frontend/htmx.min.js" in html
    assert "//unpkg" not in html and "cdn" not in html.lower()


def test_it_switches_the_language_to_english(client: Any) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html


def test_it_redirects_anonymous_users_to_the_login_page(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_signs_in_and_out(client: Any) -> None:
    UserFactory(username="ala")
    response = client.post("/login/", {"username": "ala", "password": "secret-pass-123"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_it_tells_in_polish_that_the_password_is_wrong(client: Any) -> None:
    UserFactory(username="ala")
    response = client.post("/login/", {"username": "ala", "password": "wrong"})
    assert response.status_code == 200
    assert "Wprowadź poprawne wartości" in response.content.decode()


def test_it_resets_a_password_through_an_emailed_link(client: Any) -> None:
    user = UserFactory(username="ala", email="ala@example.org")
    response = client.post("/password-reset/", {"email": "ala@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Resetowanie hasła" in message.subject
    link = re.search(r"https?://[^/]+(/password-reset/[^\s]+)", message.body)
    assert link is not None
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Nowe-haslo-2026!", "new_password2": "Nowe-haslo-2026!"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nowe-haslo-2026!")


def test_it_gives_the_admin_to_superusers_only(client: Any) -> None:
    client.force_login(UserFactory(username="zwykly"))
    assert client.get("/admin/").status_code == 302
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
