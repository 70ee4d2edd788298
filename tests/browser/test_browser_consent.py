"""Issue 13 in a real browser: a withdrawn consent stops the referral live on the receiving partner's open page,
and the coordinator's person page shows who still sees what."""

from __future__ import annotations

from typing import Any

import pytest

from referrals import services
from referrals.choices import State
from referrals.models import Referral
from tests.conftest import browser_login
from tests.people_fixtures import make_case, make_consent, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_withdrawal_stops_the_referral_live_and_the_person_page_says_who_still_sees(
    world: Any, asgi_browser_context: Any
) -> None:
    person = make_person(world)
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    make_consent(world, person, ["identity", "social"], partners=[world.receiving])
    referral = services.referral_send(
        actor=world.coordinator,
        referral=services.referral_create(
            actor=world.coordinator,
            person=person,
            to_partner=world.receiving,
            reason="Wsparcie w codziennym funkcjonowaniu",
            categories=["identity", "social"],
        ),
    )

    staff = asgi_browser_context()
    browser_login(staff, "mopr")
    staff.goto(f"/referrals/{referral.pk}/")
    staff.locator("#live-status.live-status:not(.down)").wait_for()
    assert staff.locator(".badge[data-state='sent']").first.is_visible()

    coordinator = asgi_browser_context()
    browser_login(coordinator, "koordynator")
    coordinator.goto(f"/people/{person.pk}/")
    readers = coordinator.locator("#readers")
    assert "MOPR" in readers.inner_text()
    # Withdrawing asks first, on a confirmation page of its own (issue 16).
    coordinator.locator("#consents a", has_text="Wycofaj zgodę").first.click()
    coordinator.wait_for_url("**/withdraw/")
    coordinator.locator(".confirm-panel button.warning").click()
    coordinator.wait_for_url(f"**/people/{person.pk}/#consents")

    # Without a reload, the receiving partner's open page says the referral is gone, and a toast says why.
    staff.locator("#referral-gone").wait_for()
    assert "nie jest już dla Ciebie dostępne" in staff.locator("#referral-gone").inner_text()
    staff.locator("#toasts .toast").first.wait_for()

    # The coordinator's page, reloaded by the withdrawal, shows who still sees the person: not MOPR.
    text = coordinator.locator("#readers").inner_text()
    assert "MOPR" not in text
    assert "koordynator" in text.lower() or "koordyn" in text.lower()
    assert Referral.objects.get(pk=referral.pk).state == State.WITHDRAWN
