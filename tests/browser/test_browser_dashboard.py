"""The coordinator's dashboard in a real browser (issue 8): from a tile to the filtered list, then a person's path;
and a tile that follows a partner's answer live."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from people.models import Activity, Case
from referrals.models import Referral
from tests.conftest import browser_login
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def overdue_person(world: Any) -> Any:
    """A person whose referral to MOPR passed its due date three days ago, and one session at ŚDS."""
    person = consenting_person(world, first_name="Irena", last_name="Zaległa")
    overdue = sent_referral(world, person)
    now = timezone.now()
    Referral.objects.filter(pk=overdue.pk).update(
        sent_at=now - datetime.timedelta(days=10), due_by=now - datetime.timedelta(days=3)
    )
    Activity.objects.create(
        person=person, partner=world.sending, minutes=60, topic="Rozmowa wstępna", recorded_by=world.sending_staff
    )
    return person, overdue


def test_it_takes_the_coordinator_from_the_overdue_tile_to_the_list_and_to_a_path(page: Any, world: Any) -> None:
    person, overdue = overdue_person(world)
    sent_referral(world)  # answered in time: not in the overdue list
    browser_login(page, "koordynator")
    page.goto(f"/networks/{world.network.pk}/dashboard/")
    assert page.get_by_role("heading", level=1, name="Pulpit koordynatora").is_visible()
    tile = page.locator("#overdue-link")
    assert tile.inner_text() == "1"

    tile.click()
    page.wait_for_url("**/referrals/?overdue=on")
    rows = page.locator("#inbox tbody tr[id^='referral-']")
    assert rows.count() == 1
    assert page.locator(f"#referral-{overdue.pk}").is_visible()

    page.locator(f"#referral-{overdue.pk} a").click()
    page.wait_for_url(f"**/referrals/{overdue.pk}/")
    page.get_by_role("link", name="Irena Zaległa").click()
    page.wait_for_url(f"**/people/{person.pk}/")
    page.goto(f"/people/{person.pk}/path/")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Irena Zaległa")
    timeline = page.locator("#path-timeline")
    assert timeline.get_by_text("Rozmowa wstępna").is_visible()
    assert timeline.locator("li.path-stage").count() == 0  # the fixture's case has no recorded events
    assert page.locator(".path-plan").is_visible()
    assert Case.objects.filter(person=person).exists()


def test_it_updates_the_referral_tile_live_when_a_partner_answers(world: Any, asgi_browser_context: Any) -> None:
    _person, overdue = overdue_person(world)
    coordinator = asgi_browser_context()
    browser_login(coordinator, "koordynator")
    coordinator.goto(f"/networks/{world.network.pk}/dashboard/")
    coordinator.locator("#live-status.live-status:not(.down)").wait_for()
    assert coordinator.locator("#overdue-link").inner_text() == "1"

    staff = asgi_browser_context()
    browser_login(staff, "mopr")
    staff.goto(f"/referrals/{overdue.pk}/")
    staff.locator("form[action$='/accept/'] button").click()
    staff.locator(".badge[data-state='accepted']").first.wait_for()

    # No reload: the hint of the accepted referral refreshes the tiles in place.
    coordinator.locator("#overdue-link", has_text="0").wait_for()
