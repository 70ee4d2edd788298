"""A referral from one institution to another, seen live by both (issues 5 and 6)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import browser_login
from tests.factories import ServiceFactory
from tests.referral_fixtures import consenting_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_a_new_referral_live_and_closes_the_loop(world: Any, asgi_browser_context: Any) -> None:
    person = consenting_person(world)
    ServiceFactory(partner=world.receiving, name="Asystent osobisty", capacity=3, load=0)

    staff = asgi_browser_context()
    browser_login(staff, "mopr")
    staff.goto("/referrals/")
    staff.locator("#live-status.live-status:not(.down)").wait_for()
    assert staff.locator("#inbox tbody tr[id^='referral-']").count() == 0

    coordinator = asgi_browser_context()
    browser_login(coordinator, "koordynator")
    coordinator.goto(f"/people/{person.pk}/refer/")
    coordinator.get_by_label("Asystent osobisty").check()
    coordinator.locator("textarea[name='reason']").fill("Pomoc w codziennych sprawach")
    coordinator.locator("form.form button[type='submit']").last.click()
    coordinator.wait_for_url("**/referrals/*/")
    assert coordinator.locator(".badge[data-state='sent']").first.is_visible()

    # Without a reload, the receiving staff's inbox gains the row and the badge counts it.
    staff.locator("#inbox tbody tr[id^='referral-']").first.wait_for()
    staff.locator("#unread-badge:not([hidden])").wait_for()
    assert staff.locator("#unread-count").inner_text() == "1"
    assert staff.locator("#toasts .toast").count() >= 1

    staff.locator("#inbox tbody tr[id^='referral-'] a").first.click()
    staff.locator("form[action$='/accept/'] button").click()
    staff.locator(".badge[data-state='accepted']").first.wait_for()

    # The coordinator's open page follows the new status live.
    coordinator.locator(".badge[data-state='accepted']").first.wait_for()
