"""The Content-Security-Policy in a real browser: the admin and Swagger UI work under it, and the harness that fails
every browser test on a violation does notice one (tests/conftest.py ``watch_csp``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import browser_login, watch_csp
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_notices_a_violation(browser: Any, live_server: Any) -> None:
    context = browser.new_context(base_url=live_server.url, locale="pl-PL")
    violations = watch_csp(context)
    page = context.new_page()
    page.goto("/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ranInline = true";
          document.body.appendChild(script);
          const box = document.createElement("div");
          box.setAttribute("style", "color: red");
          document.body.appendChild(box);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.ranInline === undefined")  # blocked, not only reported
    context.close()
    assert any("script-src" in item for item in violations), violations
    assert any("style-src" in item for item in violations), violations


def test_it_runs_the_admin_under_the_policy(page: Any, world: Any) -> None:
    UserFactory(username="root", is_staff=True, is_superuser=True)
    page.goto("/admin/login/")
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill("secret-pass-123")
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")
    page.goto("/admin/accounts/securityevent/")
    assert page.locator("#changelist").is_visible()
    page.goto(f"/admin/partners/user/{world.coordinator.pk}/change/")
    page.wait_for_load_state("networkidle")
    # The admin's own scripts ran (the filter on a many-to-many selector is built by SelectFilter2.js).
    assert page.locator("#user_form").is_visible()


def test_it_runs_swagger_ui_under_the_policy(page: Any, world: Any) -> None:
    browser_login(page, "koordynator")
    page.goto("/api/v1/docs/")
    page.locator(".swagger-ui .info .title").wait_for(timeout=30_000)  # a 1.5 MB bundle on a busy machine
    assert "LSW" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for()


def test_it_runs_the_pages_under_the_policy(page: Any, world: Any) -> None:
    browser_login(page, "koordynator")
    for url in ("/", "/people/", "/referrals/", "/services/", "/notifications/", "/account/"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
