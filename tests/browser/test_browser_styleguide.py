"""The shell on a phone's screen (issue 16): the header's menu is a disclosure that works with and without
JavaScript, its touch targets are at least 44 px, and the home page, the style guide, the accessibility statement
and the error pages neither scroll sideways at 390 × 844 nor have a serious or critical axe-core problem."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_browser_own import PHONE, assert_accessible
from tests.conftest import browser_login, fail_on_csp, watch_csp
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


def phone(browser: Any, live_server: Any, *, javascript: bool = True, viewport: dict[str, int] = PHONE) -> Any:
    context = browser.new_context(
        base_url=live_server.url,
        locale="pl-PL",
        viewport=viewport,
        is_mobile=viewport is PHONE,
        java_script_enabled=javascript,
    )
    context.set_default_timeout(15_000)
    return context


def header_targets_are_large_enough(page: Any) -> None:
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll(
                '.site-header a, .site-header button, .site-header summary, .site-header select'))
            .filter(el => el.offsetParent !== null)
            .map(el => [el.outerHTML.slice(0, 60), el.getBoundingClientRect().height])
            .filter(([_, h]) => h < 43.5)"""
    )
    assert not small, small


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_menu_is_a_disclosure_on_a_phone(world: Any, browser: Any, live_server: Any, javascript: bool) -> None:
    context = phone(browser, live_server, javascript=javascript)
    violations = watch_csp(context)
    page = context.new_page()
    try:
        browser_login(page, world.coordinator.username)
        menu = page.locator("#site-menu")
        people = page.get_by_role("link", name="Osoby", exact=True)
        assert menu.get_attribute("open") is None
        assert not people.is_visible()
        page.locator("#site-menu > summary").click()
        assert menu.get_attribute("open") is not None
        assert people.is_visible()
        header_targets_are_large_enough(page)
        assert page.evaluate("document.documentElement.scrollWidth <= 390")
        page.locator("#site-menu > summary").click()
        assert not people.is_visible()
    finally:
        context.close()
    fail_on_csp(violations)


def test_on_a_desktop_the_menu_is_always_open(world: Any, browser: Any, live_server: Any) -> None:
    context = phone(browser, live_server, viewport=DESKTOP)
    page = context.new_page()
    try:
        browser_login(page, world.coordinator.username)
        assert page.get_by_role("link", name="Osoby", exact=True).is_visible()
        assert not page.locator("#site-menu > summary").is_visible()
        header_targets_are_large_enough(page)
    finally:
        context.close()


def test_the_site_pages_fit_a_phone_and_pass_axe(world: Any, browser: Any, live_server: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = "tests.frontend.urls_refusals"
    UserFactory(username="operator", is_staff=True)
    context = phone(browser, live_server)
    violations = watch_csp(context)
    page = context.new_page()
    try:
        page.goto("/deklaracja-dostepnosci/")
        assert_accessible(page)
        assert page.goto("/nie-ma-takiej-strony/").status == 404
        assert page.get_by_role("heading", level=1).inner_text() == "Nie znaleziono strony"
        assert_accessible(page)
        assert page.goto("/broken/").status == 500
        assert page.get_by_role("heading", level=1).inner_text() == "Wystąpił błąd"
        assert_accessible(page)

        browser_login(page, "operator")
        assert_accessible(page)  # the home page
        header_targets_are_large_enough(page)
        assert page.goto("/refused-with-reason/").status == 403
        assert page.get_by_text("Tylko koordynator systemu może zamknąć sprawę.").is_visible()
        assert_accessible(page)

        page.goto("/styleguide/")
        # app.js moved the focus to the error summary of the form pattern; its links lead to the fields.
        assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
        page.locator("[data-error-summary] a").first.click()
        assert page.evaluate("document.activeElement.id") == "id_name"
        # The live toast: the button shows one through app.js's own toast(), in the live region.
        page.get_by_role("button", name="Pokaż komunikat na żywo").click()
        assert page.locator("#toasts .toast").first.inner_text() == "Nowe skierowanie od ŚDS „Przystań”."
        assert_accessible(page)
    finally:
        context.close()
    fail_on_csp(violations)
