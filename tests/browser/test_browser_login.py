"""Browser harness: real Chromium against a live server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_login_page_in_polish_and_signs_a_user_in_and_out(page: Any) -> None:
    UserFactory(username="koordynator", first_name="Katarzyna", last_name="Nowak", password="demo")
    page.goto("/login/")
    assert page.locator("html").get_attribute("lang") == "pl"
    assert page.get_by_role("heading", name="Zaloguj się").is_visible()
    page.get_by_label("Nazwa użytkownika").fill("koordynator")
    page.get_by_label("Hasło").fill("demo")
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Witaj, Katarzyna Nowak").is_visible()
    assert page.get_by_role("navigation", name="Nawigacja główna").is_visible()
    page.get_by_role("button", name="Wyloguj się").click()
    page.wait_for_url("**/login/")
    assert page.get_by_role("heading", name="Zaloguj się").is_visible()


def test_it_reaches_the_main_content_with_the_skip_link(page: Any) -> None:
    page.goto("/login/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Przejdź do treści" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
