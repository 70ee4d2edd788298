"""Supported employment in a real browser (issue 7): an employer posts a placement, the coordinator proposes a
person, the employer moves the candidate to an interview and hires them (HTMX row swaps)."""

from __future__ import annotations

from typing import Any

import pytest

from employment.models import JobPlacement, PlacementApplication
from partners.choices import PartnerType
from tests.conftest import browser_login
from tests.people_fixtures import make_case, make_consent, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.urls_employment")]


def test_it_lets_an_employer_post_a_placement_and_hire_the_person_the_coordinator_proposed(
    page: Any, browser: Any, live_server: Any, world: Any
) -> None:
    person = make_person(world, phone="600 100 200", work_support_needs="Stałe godziny pracy")
    make_case(world, person, manager=world.sending_staff, partner=world.sending)
    make_consent(world, person, ["identity", "employment"], partner_types=[PartnerType.EMPLOYER])

    # The employer posts a placement.
    browser_login(page, "pracodawca")
    page.goto("/placements/new/")
    page.locator("#id_title").fill("Pomocnik introligatora")
    page.locator("#id_workplace").fill("Hala produkcyjna")
    page.locator("#id_hours_per_week").fill("20")
    page.locator("#id_contract_form").select_option("employment_contract")
    page.locator("input[name='support_offered'][value='job_coach']").check()
    page.locator("#id_positions").fill("1")
    page.locator("form.form button[type='submit']").click()
    page.wait_for_url("**/placements/*/")
    assert page.get_by_role("heading", level=1).inner_text() == "Pomocnik introligatora"
    placement = JobPlacement.objects.get()
    assert placement.employer_id == world.employer.pk and placement.positions == 1

    # The coordinator finds it among the open placements and proposes the person.
    context = browser.new_context(base_url=live_server.url, locale="pl-PL")
    context.set_default_timeout(10_000)
    coordinator = context.new_page()
    browser_login(coordinator, "koordynator")
    coordinator.goto("/placements/")
    coordinator.locator(f"#placement-{placement.pk} a").click()
    coordinator.wait_for_url(f"**/placements/{placement.pk}/")
    coordinator.locator(f"a[href='/placements/{placement.pk}/propose/']").click()
    coordinator.locator("#id_person").select_option(str(person.pk))
    coordinator.locator("form.form button[type='submit']").click()
    coordinator.wait_for_url(f"**/placements/{placement.pk}/")
    assert coordinator.locator("tr[id^='application-'] [data-stage='proposed'] .badge").is_visible()
    context.close()

    # The employer sees the candidate with contact and support needs, and moves them on without a reload.
    page.reload()
    row = page.locator("tr[id^='application-']")
    assert row.get_by_text("Kowalska").is_visible() and row.get_by_text("600 100 200").is_visible()
    for stage in ("interview", "offered", "hired"):
        page.locator("tr[id^='application-'] select[name='stage']").select_option(stage)
        page.locator("tr[id^='application-'] form.move button[type='submit']").click()
        page.locator(f"tr[id^='application-'] [data-stage='{stage}'] .badge").wait_for()
    assert page.url.endswith(f"/placements/{placement.pk}/")  # HTMX swapped the row; no navigation
    application = PlacementApplication.objects.get()
    assert application.stage == "hired"
    assert list(application.events.values_list("action", flat=True)) == ["propose", "interview", "offered", "hired"]
    assert JobPlacement.objects.get().hired_count == 1
    # The page never showed health data recorded for the person.
    content = page.content()
    assert "Schizofrenia" not in content and "02-P" not in content
