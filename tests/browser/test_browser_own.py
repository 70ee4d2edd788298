"""Issue 18 in a real browser on a phone's screen (390 × 844): the person signs in, sees who opened their record,
withdraws a consent and downloads their data. axe-core finds no serious or critical problem on any /moje/ page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from people import own
from people.access import access_to_person
from people.audit import log_access
from people.models import GroupMembership, Meeting, SupportGroup
from tests.conftest import browser_login, fail_on_csp, watch_csp
from tests.own_fixtures import OWN_PASSWORD, make_own_account
from tests.referral_fixtures import consenting_person, sent_referral

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def assert_accessible(page: Any) -> None:
    """axe-core (axe-playwright-python) on the page as it is: no serious or critical violation; and nothing wider
    than the phone's screen."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, "\n".join(f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in bad)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "wider than the phone"


def test_osoba_sees_who_opened_the_record_withdraws_a_consent_and_downloads_the_data(
    world: Any, browser: Any, live_server: Any
) -> None:
    person = consenting_person(world, categories=["identity", "social"])
    sent_referral(world, person=person, categories=["identity", "social"])
    log_access(user=world.receiving_staff, person=person, action="view", view="person-detail")
    group = SupportGroup.objects.create(
        network=world.network, partner=world.receiving, name="Razem Łatwiej", start_time=datetime.time(13, 30)
    )
    GroupMembership.objects.create(group=group, person=person, joined_on=timezone.localdate())
    Meeting.objects.create(
        group=group, held_on=timezone.localdate() + datetime.timedelta(days=3), duration_minutes=90, place="sala 12"
    )
    make_own_account(world, person, username="osoba")
    assert access_to_person(world.receiving_staff, person) is not None

    context = browser.new_context(
        base_url=live_server.url, locale="pl-PL", viewport=PHONE, accept_downloads=True, is_mobile=True
    )
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    try:
        browser_login(page, "osoba", OWN_PASSWORD)
        page.wait_for_url("**/moje/")
        assert "Razem Łatwiej" in page.locator("#meetings").inner_text()
        assert_accessible(page)

        # Who saw my data: MOPR's opening of the record, with the institution and no staff name.
        page.locator('nav a[href="/moje/kto-widzial/"]').click()
        page.wait_for_url("**/moje/kto-widzial/")
        log = page.locator("#access-log").inner_text()
        assert "MOPR Piekary" in log
        assert world.receiving_staff.get_full_name() not in log
        assert_accessible(page)

        # My consents: withdraw the one MOPR depends on, after a confirmation that says what stops.
        page.locator('nav a[href="/moje/zgody/"]').click()
        page.wait_for_url("**/moje/zgody/")
        assert_accessible(page)
        page.locator("#consents a.button-link").first.click()
        page.wait_for_url("**/wycofaj/")
        assert "MOPR Piekary" in page.locator("#what-stops").inner_text()
        assert_accessible(page)
        page.locator("#confirm-withdraw").click()
        page.wait_for_url("**/moje/zgody/")
        assert page.locator("#consents .badge--danger").count() == 1
        assert access_to_person(world.receiving_staff, person) is None

        # My data: the PDF and the JSON download.
        page.locator('nav a[href="/moje/dane/"]').click()
        page.wait_for_url("**/moje/dane/")
        assert_accessible(page)
        with page.expect_download() as pdf:
            page.locator("#download-pdf").click()
        with open(pdf.value.path(), "rb") as handle:
            assert handle.read(5) == b"%PDF-"
        with page.expect_download() as data:
            page.locator("#download-json").click()
        with open(data.value.path(), encoding="utf-8") as handle:
            assert str(person.pk) in handle.read()
    finally:
        context.close()
    fail_on_csp(violations)


def test_the_invitation_page_works_on_a_phone(world: Any, browser: Any, live_server: Any) -> None:
    person = consenting_person(world)
    _invitation, token = own.person_invite(
        actor=world.coordinator, person=person, relation="person", channel="sms", address="600100200"
    )
    context = browser.new_context(base_url=live_server.url, locale="pl-PL", viewport=PHONE, is_mobile=True)
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    try:
        page.goto(f"/moje/zaproszenie/{token}/")
        assert_accessible(page)
        page.locator("#id_username").fill("anna.k")
        page.locator("#id_password").fill(OWN_PASSWORD)
        page.locator("#id_password_again").fill(OWN_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/login/")
        browser_login(page, "anna.k", OWN_PASSWORD)
        page.wait_for_url("**/moje/")
        assert_accessible(page)
        page.goto(f"/moje/zaproszenie/{token}/")  # spent
        assert page.locator("h1").count() == 1
        assert_accessible(page)
    finally:
        context.close()
    fail_on_csp(violations)
