"""Issue 16 in a real browser: every page each demo persona can reach, on a phone (390 × 844) and on a desktop
(1366 × 900). No page scrolls sideways; axe-core finds no serious or critical problem.

The pages are found as the permission matrix and the visible-codes walk find them (``page_routes`` filled with demo
objects of each kind). One test per persona, so that xdist spreads them; the test client picks the addresses that
answer the persona with a page, so the browser loads only those, once each: checked on a phone, then widened to a
desktop and checked again, and axe runs there once per page name (it is most of a walk's time).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.frontend.test_page_permissions import page_routes
from tests.frontend.test_visible_codes import NOT_HTML, PERSONAS, addresses, candidates

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# Besides the files of NOT_HTML: signing out, a page made for printing, and a fragment a page refreshes itself with.
NOT_WALKED = NOT_HTML | {"logout", "person-export-print", "report-dashboard-tiles"}
# Addresses tried per page name: enough to see the page with objects in two states.
PER_PAGE = 2

WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return Array.from(document.querySelectorAll("body *"))
    .filter((el) => el.getBoundingClientRect().right > width + 1 && !el.closest("[data-scroll]"))
    .slice(0, 5)
    .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
      (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
      " " + Math.round(el.getBoundingClientRect().right) + "px");
}"""


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def signed_in_context(browser: Any, base_url: str, login: str, viewport: dict[str, int]) -> Any:
    """A browser context holding the persona's session, made by the test client: the walk is about what pages look
    like, not about signing in (the login and second-factor tests do that)."""
    from partners.models import User

    client = Client()
    client.force_login(User.objects.get(username=login))
    context = browser.new_context(
        base_url=base_url, locale="pl-PL", viewport=viewport, is_mobile=viewport["width"] < 500
    )
    context.set_default_timeout(20_000)
    host = base_url.split("//", 1)[1].split(":", 1)[0]
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "domain": host, "path": "/"}])
    return context


@pytest.mark.parametrize("login", PERSONAS)
def test_no_page_scrolls_sideways_and_axe_finds_nothing_serious(
    login: str, browser: Any, live_server: Any, settings: Any
) -> None:
    """One persona's walk. The test client finds the pages the persona is shown (a 200 with HTML): the browser
    opens only those, on a phone first, then the same page widened to a desktop (no second load; the menu follows
    the width as app.js makes it), where axe runs once per page name."""
    from playwright.sync_api import Error as PlaywrightError

    from partners.models import User

    settings.DEBUG = True
    call_command("load_demo")
    settings.DEBUG = False  # the pages as they are served, not Django's debug pages
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.all().delete()
    objects = candidates()
    client = Client()
    client.force_login(User.objects.get(username=login))
    pages = []
    for route, name, converters in page_routes():
        if name in NOT_WALKED:
            continue
        for address in addresses(route, converters, objects)[:PER_PAGE]:
            response = client.get(address)
            if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
                pages.append((name, address))
    assert len(pages) >= 10, pages
    problems: list[str] = []
    context = signed_in_context(browser, live_server.url, login, VIEWPORTS["phone"])
    page = context.new_page()
    axed: set[str] = set()
    try:
        for name, address in pages:
            page.set_viewport_size(VIEWPORTS["phone"])
            try:
                response = page.goto(address, wait_until="load")
            except PlaywrightError as error:
                problems.append(f"{login} {address}: {error}")
                continue
            if response is None or response.status != 200 or not page.url.endswith(address):
                problems.append(f"{login} {address}: the browser got {response and response.status} at {page.url}")
                continue
            for viewport in ("phone", "desktop"):
                if viewport == "desktop":
                    page.set_viewport_size(VIEWPORTS["desktop"])
                wide = page.evaluate(WIDER_THAN_SCREEN)
                if wide:
                    problems.append(f"{viewport} {login} {address}: scrolls sideways: {wide}")
            if name not in axed:
                axed.add(name)
                problems += [f"desktop {login} {address}: {v}" for v in serious_violations(page)]
    finally:
        context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
