"""Issue 16 in a real browser: every page each demo persona can reach, on a phone (390 × 844) and on a desktop
(1366 × 900). No page scrolls sideways; axe-core finds no serious or critical problem.

The pages are found as the permission matrix and the visible-codes walk find them (``page_routes`` filled with demo
objects of each kind). Every address is checked for sideways scrolling; axe runs once per page name and persona
on the first address that opens (each run takes about half a second, and the addresses of one page share their
template), so one viewport's walk takes a few minutes and the two viewports run side by side under xdist.
"""

from __future__ import annotations

import os
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
    # Opt-in for now: in the CI run of 4 December 2026 one of the two walks crashed its worker after the rest of
    # the suite had passed; until that is understood the walk runs with LSW_WALK=1 (issue 16 stays open on it).
    pytest.mark.skipif(not os.environ.get("LSW_WALK"), reason="the page walk runs with LSW_WALK=1 (issue 16)"),
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


@pytest.mark.timeout(1500)  # a walk of some 500 pages, beyond the suite's 300 s for one test
@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_no_page_scrolls_sideways_and_axe_finds_nothing_serious(
    viewport: str, browser: Any, live_server: Any, settings: Any
) -> None:
    from playwright.sync_api import Error as PlaywrightError

    settings.DEBUG = True
    call_command("load_demo")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.all().delete()
    objects = candidates()
    routes = [(route, name, conv) for route, name, conv in page_routes() if name not in NOT_WALKED]
    problems: list[str] = []
    walked = 0
    for login in PERSONAS:
        context = signed_in_context(browser, live_server.url, login, VIEWPORTS[viewport])
        page = context.new_page()
        try:
            for route, _name, converters in routes:
                checked_axe = False
                for address in addresses(route, converters, objects)[:PER_PAGE]:
                    try:
                        response = page.goto(address, wait_until="load")
                    except PlaywrightError:  # an answer with no document (an empty 4xx): not a page to look at
                        continue
                    if response is None or response.status != 200:
                        continue
                    if "text/html" not in (response.headers.get("content-type") or ""):
                        continue
                    if not page.url.endswith(address):  # sent elsewhere (a sign-in step, another page)
                        continue
                    walked += 1
                    wide = page.evaluate(WIDER_THAN_SCREEN)
                    if wide:
                        problems.append(f"{viewport} {login} {address}: scrolls sideways: {wide}")
                    if not checked_axe:
                        checked_axe = True
                        problems += [f"{viewport} {login} {address}: {v}" for v in serious_violations(page)]
        finally:
            context.close()
    assert walked > 150, walked
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
