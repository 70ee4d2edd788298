"""The idle timeout in the browser: the warning a minute before, "stay signed in", and typed input that survives
the sign-out and comes back after signing in again (accounts/idle.py, app.js)."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

from accounts import idle
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Ten minutes: long enough that no warning covers the page while a test types; the page's clock is moved on.
TIMEOUT = 600
# Short enough that the warning (a minute before the end) is due two seconds after a page loads.
SHORT = 62


@pytest.fixture(autouse=True)
def timeout(settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = TIMEOUT


def the_session() -> Any:
    return Session.objects.get().get_decoded()


def age_the_session(seconds: int) -> None:
    """Make the one signed-in session look unused for ``seconds`` (the server's side of being away)."""
    row = Session.objects.get()
    store = import_module(settings.SESSION_ENGINE).SessionStore(row.session_key)
    store[idle.ACTIVITY_KEY] = int(time.time()) - seconds
    store.save()


def test_it_warns_and_stays_signed_in_on_request(page: Any, world: Any, settings: Any) -> None:
    settings.SESSION_IDLE_TIMEOUT = SHORT
    browser_login(page, "koordynator")
    dialog = page.get_by_role("dialog", name="Czy nadal tu jesteś?")
    dialog.wait_for(state="visible", timeout=8_000)
    assert dialog.get_by_role("button", name="Pozostań zalogowany").is_visible()
    assert "Pozostało sekund" in page.locator("#idle-countdown").inner_text()
    before = the_session()[idle.ACTIVITY_KEY]
    time.sleep(1.1)  # so that the new stamp differs
    dialog.get_by_role("button", name="Pozostań zalogowany").click()
    dialog.wait_for(state="hidden")
    assert the_session()[idle.ACTIVITY_KEY] > before
    # Still signed in, on the same page.
    assert page.get_by_role("button", name="Wyloguj się").is_visible()


def test_it_keeps_typed_input_across_the_sign_out_and_restores_it(page: Any, world: Any) -> None:
    page.clock.install()
    browser_login(page, "koordynator")
    form_page = f"/networks/{world.network.pk}/people/new/"
    page.goto(form_page)
    page.locator("#id_first_name").fill("Zofia")
    page.locator("#id_last_name").fill("Niezapisana")
    # Away for longer than the limit: the server's stamp is old, and the page's clock runs past the end.
    age_the_session(TIMEOUT + 5)
    page.clock.fast_forward(TIMEOUT * 1000 + 1000)
    page.wait_for_url("**/login/?next=*", timeout=10_000)
    assert "bez aktywności" in page.locator(".messages").inner_text()
    assert not any("_auth_user_id" in row.get_decoded() for row in Session.objects.all())  # signed out
    # The input waits in this tab's storage, never the password field's; signing in again brings it back.
    page.get_by_label("Nazwa użytkownika").fill("koordynator")
    page.get_by_label("Hasło").fill("secret-pass-123")
    page.get_by_role("button", name="Zaloguj się").click()
    page.wait_for_url(f"**{form_page}")
    assert page.locator("#id_first_name").input_value() == "Zofia"
    assert page.locator("#id_last_name").input_value() == "Niezapisana"
    assert page.locator(".draft-restored").is_visible()
    # Restored once: the storage is empty again.
    assert page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('lsw-draft:')).length") == 0


def test_it_keeps_nothing_after_a_deliberate_sign_out(page: Any, world: Any) -> None:
    browser_login(page, "koordynator")
    page.goto(f"/networks/{world.network.pk}/people/new/")
    page.locator("#id_first_name").fill("Zofia")
    page.get_by_role("button", name="Wyloguj się").click()
    page.wait_for_url("**/login/")
    assert page.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('lsw-draft:')).length") == 0
